/*
 * Unit tests for src/domain/date.h, the one parser of "YYYY-MM-DD".
 *
 * One table of texts with the day date_parse makes of them (or its
 * refusal): real days, 29 February in leap and common years (1900 is not
 * leap, 2000 is), months and days out of range, wrong lengths, other
 * characters (blanks, signs, letters where strtol would have read a
 * number), trailing text, years before 1900. date_ymd gives the same day,
 * or 0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/domain/date.h"
#include "../../src/domain/idnum.h"
#include "../../src/util/buf.h"
#include "../../src/util/wb.h"

#define NO    (-1) /* refused */
#define UNSET (-42)

/* Every case: the text, and the day (YYYYMMDD) or NO. */
static const struct {
	const char *s;
	int want;
} cases[] = {
	/* real days */
	{"2024-03-15", 20240315},
	{"1900-01-01", 19000101},
	{"9999-12-31", 99991231},
	{"2026-01-31", 20260131},
	{"2026-04-30", 20260430},
	{"2026-04-31", NO},
	{"2026-06-31", NO},
	/* 29 February: 2024 and 2000 are leap years; 1900, 2023 and 2100 are not */
	{"2024-02-29", 20240229},
	{"2000-02-29", 20000229},
	{"1900-02-29", NO},
	{"1900-02-28", 19000228},
	{"2023-02-29", NO},
	{"2100-02-29", NO},
	{"2024-02-30", NO},
	/* months and days out of range */
	{"2024-13-01", NO},
	{"2024-00-10", NO},
	{"2024-12-01", 20241201},
	{"2024-01-00", NO},
	{"2024-01-32", NO},
	{"2024-99-99", NO},
	/* wrong length */
	{"", NO},
	{"2024-1-01", NO},
	{"2024-01-1", NO},
	{"24-01-01", NO},
	{"02024-01-01", NO},
	{"20240101", NO},
	{"\xef\xbc\x92\xef\xbc\x90\xef\xbc\x92\xef\xbc\x94-01-01", NO}, /* full-width digits */
	/* the hyphens in their places */
	{"2024/01/01", NO},
	{"2024-01/01", NO},
	{"2024.01.01", NO},
	{"2024001-01", NO},
	{"20240101xx", NO},
	/* other characters: refused, also where strtol would read a number */
	{"2024-0a-01", NO}, /* strtol reads 0: month 0 */
	{"2024-1x-01", NO}, /* strtol reads 1 */
	{"2024-01-1 ", NO}, /* trailing blank in the day */
	{"2024- 1-01", NO}, /* leading blank */
	{"2024-+1-01", NO}, /* a sign */
	{"2O24-01-01", NO}, /* a letter O: strtol reads the year 2 */
	{" 202-01-01", NO}, /* the year 202 */
	{"+202-01-01", NO}, /* the year 202 */
	{"abcd-01-01", NO}, /* no digits: the year 0 */
	{"    -01-01", NO}, /* blanks read on into "-01": the year -1 */
	{"2024-  -01", NO}, /* the month -1 */
	{"2024-01-  ", NO}, /* the day 0 */
	{"2024--1-01", NO}, /* negative month */
	{"2024-01--1", NO}, /* negative day */
	{"-001-01-01", NO}, /* negative year */
	{"2024-1x-32", NO}, /* and no such day */
	{"1899-1x-01", NO}, /* and before 1900 */
	/* trailing text */
	{"2024-01-01x", NO},
	{"2024-01-01 ", NO},
	{"2024-01-01T00:00", NO},
	/* before 1900 */
	{"1899-12-31", NO},
	{"0001-01-01", NO},
	{"0000-01-01", NO},
	{"0000-02-29", NO}, /* the proleptic year 0 is a leap year */
	{"0400-02-29", NO},
	{"0100-02-29", NO},
};

static void expect(size_t i, const char *s, int want)
{
	int ymd = UNSET;
	int rc = date_parse(s, &ymd);

	if (want == NO ? (rc != WB_EINVAL || ymd != UNSET) : (rc != WB_OK || ymd != want))
		fail_msg("case %zu \"%s\": rc %d ymd %d, want %s %d", i, s, rc, ymd,
			 want == NO ? "WB_EINVAL, ymd untouched" : "WB_OK", want);
}

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < WB_ARRAY_LEN(cases); i++)
		expect(i, cases[i].s, cases[i].want);
}

static void test_null(void **state)
{
	int ymd = UNSET;

	(void)state;
	assert_int_equal(date_parse(NULL, &ymd), WB_EINVAL);
	assert_int_equal(ymd, UNSET);
}

/* date_ymd: the day, or 0 for what is not one */
static void test_ymd(void **state)
{
	(void)state;
	for (size_t i = 0; i < WB_ARRAY_LEN(cases); i++)
		assert_int_equal(date_ymd(cases[i].s), cases[i].want == NO ? 0 : cases[i].want);
	assert_int_equal(date_ymd(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_null),
		cmocka_unit_test(test_ymd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
