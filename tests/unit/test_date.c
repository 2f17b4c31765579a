/*
 * Unit tests for src/domain/date.h, the one parser of "YYYY-MM-DD".
 *
 * One table of texts with the day each flag setting makes of them (or its
 * refusal): real days, 29 February in leap and common years (1900 is not
 * leap, 2000 is), months and days out of range, wrong lengths, other
 * characters, trailing text, years before 1900. The two former parsers
 * that are now names for date_parse(s, 0, ...) answer as it does; and the
 * lax reading the registry keeps equals, over a sweep of odd characters in
 * every field, the registry's check from before date_parse existed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/domain/date.h"
#include "../../src/domain/deadline.h"
#include "../../src/domain/fields.h"
#include "../../src/domain/idnum.h"
#include "../../src/util/buf.h"
#include "../../src/util/wb.h"

#define NO     (-1) /* refused */
#define UNSET  (-42)
#define ANY    DATE_ANY_YEAR
#define LAX    (DATE_ANY_YEAR | DATE_LAX_FIELDS)
#define LAX_19 DATE_LAX_FIELDS

/* Every case: the text, and the day (YYYYMMDD) or NO with flags 0, with
 * DATE_ANY_YEAR, and with both flags as the registry passes them. */
static const struct {
	const char *s;
	int strict, any_year, lax;
} cases[] = {
	/* real days */
	{"2024-03-15", 20240315, 20240315, 20240315},
	{"1900-01-01", 19000101, 19000101, 19000101},
	{"9999-12-31", 99991231, 99991231, 99991231},
	{"2026-01-31", 20260131, 20260131, 20260131},
	{"2026-04-30", 20260430, 20260430, 20260430},
	{"2026-04-31", NO, NO, NO},
	{"2026-06-31", NO, NO, NO},
	/* 29 February: 2024 and 2000 are leap years; 1900, 2023 and 2100 are not */
	{"2024-02-29", 20240229, 20240229, 20240229},
	{"2000-02-29", 20000229, 20000229, 20000229},
	{"1900-02-29", NO, NO, NO},
	{"1900-02-28", 19000228, 19000228, 19000228},
	{"2023-02-29", NO, NO, NO},
	{"2100-02-29", NO, NO, NO},
	{"2024-02-30", NO, NO, NO},
	/* months and days out of range */
	{"2024-13-01", NO, NO, NO},
	{"2024-00-10", NO, NO, NO},
	{"2024-12-01", 20241201, 20241201, 20241201},
	{"2024-01-00", NO, NO, NO},
	{"2024-01-32", NO, NO, NO},
	{"2024-99-99", NO, NO, NO},
	/* wrong length */
	{"", NO, NO, NO},
	{"2024-1-01", NO, NO, NO},
	{"2024-01-1", NO, NO, NO},
	{"24-01-01", NO, NO, NO},
	{"02024-01-01", NO, NO, NO},
	{"20240101", NO, NO, NO},
	{"\xef\xbc\x92\xef\xbc\x90\xef\xbc\x92\xef\xbc\x94-01-01", NO, NO, NO}, /* full-width digits */
	/* the hyphens in their places */
	{"2024/01/01", NO, NO, NO},
	{"2024-01/01", NO, NO, NO},
	{"2024.01.01", NO, NO, NO},
	{"2024001-01", NO, NO, NO},
	{"20240101xx", NO, NO, NO},
	/* other characters: refused, except in the lax reading */
	{"2024-0a-01", NO, NO, NO},       /* strtol reads 0: month 0 */
	{"2024-1x-01", NO, NO, 20240101}, /* strtol reads 1 */
	{"2024-01-1 ", NO, NO, 20240101}, /* trailing blank in the day */
	{"2024- 1-01", NO, NO, 20240101}, /* leading blank */
	{"2024-+1-01", NO, NO, 20240101}, /* a sign */
	{"2O24-01-01", NO, NO, 20101},    /* a letter O: strtol reads the year 2 */
	{" 202-01-01", NO, NO, 2020101},  /* the year 202 */
	{"+202-01-01", NO, NO, 2020101},  /* the year 202 */
	{"abcd-01-01", NO, NO, 101},      /* no digits: the year 0 */
	{"    -01-01", NO, NO, NO},       /* blanks read on into "-01": the year -1 */
	{"2024-  -01", NO, NO, NO},       /* the month -1 */
	{"2024-01-  ", NO, NO, NO},       /* the day 0 */
	{"2024--1-01", NO, NO, NO},       /* negative month */
	{"2024-01--1", NO, NO, NO},       /* negative day */
	{"-001-01-01", NO, NO, NO},       /* negative year */
	{"2024-1x-32", NO, NO, NO},       /* lax, but no such day */
	{"1899-1x-01", NO, NO, 18990101}, /* lax and before 1900 */
	/* trailing text */
	{"2024-01-01x", NO, NO, NO},
	{"2024-01-01 ", NO, NO, NO},
	{"2024-01-01T00:00", NO, NO, NO},
	/* before 1900: only with DATE_ANY_YEAR */
	{"1899-12-31", NO, 18991231, 18991231},
	{"0001-01-01", NO, 10101, 10101},
	{"0000-01-01", NO, 101, 101},
	{"0000-02-29", NO, 229, 229}, /* the proleptic year 0 is a leap year */
	{"0400-02-29", NO, 4000229, 4000229},
	{"0100-02-29", NO, NO, NO},
};

static void expect(size_t i, const char *s, unsigned flags, int want)
{
	int ymd = UNSET;
	int rc = date_parse(s, flags, &ymd);

	if (want == NO ? (rc != WB_EINVAL || ymd != UNSET) : (rc != WB_OK || ymd != want))
		fail_msg("case %zu \"%s\" flags %u: rc %d ymd %d, want %s %d", i, s, flags, rc, ymd,
			 want == NO ? "WB_EINVAL, ymd untouched" : "WB_OK", want);
}

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < WB_ARRAY_LEN(cases); i++) {
		expect(i, cases[i].s, 0, cases[i].strict);
		expect(i, cases[i].s, ANY, cases[i].any_year);
		expect(i, cases[i].s, LAX, cases[i].lax);
		/* lax without DATE_ANY_YEAR: the lax day, if it is in 1900 or later */
		expect(i, cases[i].s, LAX_19, cases[i].lax >= 19000101 ? cases[i].lax : NO);
	}
}

static void test_null(void **state)
{
	int ymd = UNSET;

	(void)state;
	for (unsigned flags = 0; flags <= LAX; flags++)
		assert_int_equal(date_parse(NULL, flags, &ymd), WB_EINVAL);
	assert_int_equal(ymd, UNSET);
	assert_int_equal(deadline_date_parse(NULL, &ymd), -1);
	assert_int_equal(field_parse_date(NULL, &ymd), -1);
}

/* field_parse_date and deadline_date_parse are date_parse(s, 0, ...) with
 * 0 / -1 for an answer, as their callers expect. */
static void test_former_names(void **state)
{
	(void)state;
	for (size_t i = 0; i < WB_ARRAY_LEN(cases); i++) {
		int a = UNSET, b = UNSET;
		int want = cases[i].strict == NO ? -1 : 0;

		assert_int_equal(field_parse_date(cases[i].s, &a), want);
		assert_int_equal(deadline_date_parse(cases[i].s, &b), want);
		assert_int_equal(a, want ? UNSET : cases[i].strict);
		assert_int_equal(b, want ? UNSET : cases[i].strict);
	}
}

/* The registry's check before date_parse (src/api/registry.c, ymd_of and
 * valid_date_text): the reference the lax reading must equal. */
static int registry_before(const char *s)
{
	int ymd;

	if (!s || strlen(s) != 10)
		return 0;
	ymd = (int)strtol(s, NULL, 10) * 10000 + (int)strtol(s + 5, NULL, 10) * 100 + (int)strtol(s + 8, NULL, 10);
	return ymd && s[4] == '-' && s[7] == '-' && idnum_valid_date(ymd / 10000, ymd / 100 % 100, ymd % 100);
}

static void test_lax_equals_registry_before(void **state)
{
	static const char *const years[] = {"2024", "1900", "1899", "0000", "9999", "   1", "+202", "-202",
					    "    ", "abcd", "20x4", "2 24", "   +", "  --", " -00", "-000"};
	static const char chars[] = "0123459 +-x\t";
	const size_t nc = sizeof(chars) - 1;
	char s[16];
	int ymd, agreed = 0;

	(void)state;
	for (size_t y = 0; y < WB_ARRAY_LEN(years); y++)
		for (size_t k = 0; k < nc * nc * nc * nc; k++) {
			wb_snprintf(s, sizeof(s), "%s-%c%c-%c%c", years[y], chars[k % nc], chars[k / nc % nc],
				    chars[k / nc / nc % nc], chars[k / nc / nc / nc]);
			if ((date_parse(s, LAX, &ymd) == WB_OK) != registry_before(s))
				fail_msg("\"%s\": date_parse %s, the registry's check %s", s,
					 date_parse(s, LAX, &ymd) == WB_OK ? "accepts" : "refuses",
					 registry_before(s) ? "accepted" : "refused");
			agreed += registry_before(s);
		}
	assert_true(agreed > 1000); /* the sweep reaches accepted texts, not only refusals */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_null),
		cmocka_unit_test(test_former_names),
		cmocka_unit_test(test_lax_equals_registry_before),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
