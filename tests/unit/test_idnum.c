/*
 * Unit tests for src/domain/idnum.h (GB 11643-1999 resident ID numbers).
 *
 * The check characters used here are computed by the test itself from the
 * rule in the standard (weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, sum
 * mod 11 indexes "10X98765432"), never by idnum_check_char, so a wrong
 * table in the module cannot make its own tests pass. Two vectors are the
 * worked examples printed in the standard itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/domain/idnum.h"
#include "../../src/util/buf.h"
#include "../../src/util/clock.h"
#include "../../src/util/wb.h"

#define TODAY 20240315 /* a fixed "today" for every case that is not about today */

/* The check character of the first 17 digits, from the standard's rule. */
static char ref_check(const char *first17)
{
	static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
	static const char map[] = "10X98765432";
	int sum = 0;

	for (int i = 0; i < 17; i++)
		sum += (first17[i] - '0') * w[i];
	return map[sum % 11];
}

/* Builds area(6) + ymd(8) + seq(3) + the reference check into out[19]. */
static void make_id(const char *area, const char *ymd, const char *seq, char out[19])
{
	char tmp[19];

	assert_int_equal(wb_snprintf(tmp, sizeof(tmp), "%s%s%s", area, ymd, seq), 0);
	assert_int_equal(strlen(tmp), 17);
	memcpy(out, tmp, 17);
	out[17] = ref_check(tmp);
	out[18] = '\0';
}

static void check_case(size_t i, const char *in, int today, enum idnum_error want)
{
	idnum id;
	enum idnum_error got = idnum_parse(in, today, &id);

	if (got != want)
		fail_msg("case %zu \"%s\" (today %d): got %d (%s), want %d (%s)", i, in, today, (int)got,
			 idnum_strerror(got), (int)want, idnum_strerror(want));
}

static void test_reference_check_matches_standard_examples(void **state)
{
	(void)state;
	/* GB 11643-1999 appendix examples */
	assert_int_equal(ref_check("11010519491231002"), 'X');
	assert_int_equal(ref_check("44052418800101001"), '4');
	/* and the module agrees with the rule on both */
	assert_int_equal(idnum_check_char("11010519491231002"), 'X');
	assert_int_equal(idnum_check_char("44052418800101001"), '4');
}

static void test_valid_18(void **state)
{
	static const struct {
		const char *area, *ymd, *seq;
		char sex;
		const char *birth;
	} cases[] = {
		{"110105", "19491231", "002", 'F', "1949-12-31"}, {"370831", "20150601", "011", 'M', "2015-06-01"},
		{"370831", "20100101", "128", 'F', "2010-01-01"}, {"440524", "19000101", "001", 'M', "1900-01-01"},
		{"653101", "20231231", "999", 'M', "2023-12-31"}, {"370831", "20240315", "000", 'F', "2024-03-15"},
		{"510104", "19991231", "457", 'M', "1999-12-31"}, {"210203", "20080808", "356", 'F', "2008-08-08"},
	};

	(void)state;
	for (size_t i = 0; i < WB_ARRAY_LEN(cases); i++) {
		char n[19];
		idnum id;
		enum idnum_error rc;

		make_id(cases[i].area, cases[i].ymd, cases[i].seq, n);
		rc = idnum_parse(n, TODAY, &id);
		if (rc != IDNUM_OK)
			fail_msg("case %zu %s: %s", i, n, idnum_strerror(rc));
		assert_string_equal(id.number, n);
		assert_string_equal(id.area, cases[i].area);
		assert_string_equal(id.birth, cases[i].birth);
		assert_int_equal(id.sex, cases[i].sex);
		assert_int_equal(id.birth_ymd, (cases[i].ymd[0] - '0') * 10000000 + (cases[i].ymd[1] - '0') * 1000000 +
						       (cases[i].ymd[2] - '0') * 100000 +
						       (cases[i].ymd[3] - '0') * 10000 +
						       (cases[i].ymd[4] - '0') * 1000 + (cases[i].ymd[5] - '0') * 100 +
						       (cases[i].ymd[6] - '0') * 10 + (cases[i].ymd[7] - '0'));
		assert_int_equal(idnum_check_char(n), n[17]);
	}
}

static void test_standard_example_fields(void **state)
{
	idnum id;

	(void)state;
	assert_int_equal(idnum_parse("11010519491231002X", TODAY, &id), IDNUM_OK);
	assert_string_equal(id.number, "11010519491231002X");
	assert_string_equal(id.birth, "1949-12-31");
	assert_int_equal(id.birth_ymd, 19491231);
	assert_string_equal(id.area, "110105");
	assert_int_equal(id.sex, 'F');
}

static void test_every_wrong_check_char(void **state)
{
	static const char all[] = "0123456789Xx";
	const char *bases[] = {"11010519491231002", "37083120150601011", "44052419800101001"};

	(void)state;
	for (size_t b = 0; b < WB_ARRAY_LEN(bases); b++) {
		char right = ref_check(bases[b]);
		int wrong = 0;

		for (size_t k = 0; k < sizeof(all) - 1; k++) {
			char n[19];
			char c = all[k];

			memcpy(n, bases[b], 17);
			n[17] = c;
			n[18] = '\0';
			if (c == right || (c == 'x' && right == 'X')) {
				check_case(k, n, TODAY, IDNUM_OK);
				continue;
			}
			check_case(k, n, TODAY, IDNUM_CHECKSUM);
			wrong++;
		}
		/* 11 possible characters (plus x), exactly one of them right */
		assert_int_equal(wrong, right == 'X' ? 10 : 11);
	}
}

static void test_lower_x_normalised(void **state)
{
	idnum id;

	(void)state;
	assert_int_equal(idnum_parse("11010519491231002x", TODAY, &id), IDNUM_OK);
	assert_string_equal(id.number, "11010519491231002X");
	assert_int_equal(idnum_parse("11010519491231002X", TODAY, &id), IDNUM_OK);
	assert_string_equal(id.number, "11010519491231002X");
}

static void test_dates(void **state)
{
	static const struct {
		const char *ymd;
		enum idnum_error want;
	} cases[] = {
		{"19000229", IDNUM_DATE},    /* 1900 is not a leap year (century rule) */
		{"20010229", IDNUM_DATE},    /* ordinary non-leap year */
		{"20230229", IDNUM_DATE},    /* ordinary non-leap year */
		{"20200230", IDNUM_DATE},    /* Feb 30, even in a leap year */
		{"20000230", IDNUM_DATE},    /* Feb 30 */
		{"20100001", IDNUM_DATE},    /* month 00 */
		{"20101301", IDNUM_DATE},    /* month 13 */
		{"20101000", IDNUM_DATE},    /* day 00 */
		{"20101032", IDNUM_DATE},    /* day 32 */
		{"20100431", IDNUM_DATE},    /* April has 30 days */
		{"20100631", IDNUM_DATE},    /* June has 30 days */
		{"20100931", IDNUM_DATE},    /* September has 30 days */
		{"20101131", IDNUM_DATE},    /* November has 30 days */
		{"20000229", IDNUM_OK},      /* 2000 is a leap year (400 rule) */
		{"20200229", IDNUM_OK},      /* leap year */
		{"20160229", IDNUM_OK},      /* leap year */
		{"20100131", IDNUM_OK},      /* January has 31 days */
		{"20101231", IDNUM_OK},      /* December has 31 days */
		{"20100430", IDNUM_OK},      /* last day of April */
		{"19000101", IDNUM_OK},      /* first day accepted */
		{"18991231", IDNUM_TOO_OLD}, /* last day refused */
		{"18000101", IDNUM_TOO_OLD}, /* long before 1900 */
		{"00010101", IDNUM_TOO_OLD}, /* year 1 */
		{"20240316", IDNUM_FUTURE},  /* TODAY + 1 */
		{"20250101", IDNUM_FUTURE},  /* next year */
		{"99991231", IDNUM_FUTURE},  /* far future */
	};

	(void)state;
	for (size_t i = 0; i < WB_ARRAY_LEN(cases); i++) {
		char n[19];

		make_id("370831", cases[i].ymd, "011", n);
		check_case(i, n, TODAY, cases[i].want);
	}
}

static void test_valid_date_table(void **state)
{
	static const struct {
		int y, m, d, ok;
	} cases[] = {
		{2000, 2, 29, 1}, {1900, 2, 29, 0}, {2100, 2, 29, 0}, {2024, 2, 29, 1},  {2023, 2, 28, 1},
		{2023, 1, 0, 0},  {2023, 0, 1, 0},  {2023, 13, 1, 0}, {2023, 12, 31, 1}, {2023, 11, 31, 0},
		{2023, -1, 1, 0}, {2023, 1, -5, 0}, {2023, 1, 32, 0},
	};

	(void)state;
	for (size_t i = 0; i < WB_ARRAY_LEN(cases); i++)
		if (idnum_valid_date(cases[i].y, cases[i].m, cases[i].d) != cases[i].ok)
			fail_msg("case %zu %04d-%02d-%02d: want %d", i, cases[i].y, cases[i].m, cases[i].d,
				 cases[i].ok);
}

static void test_today_boundary(void **state)
{
	char n[19];
	idnum id;

	(void)state;
	make_id("370831", "20240315", "011", n);
	assert_int_equal(idnum_parse(n, 20240315, &id), IDNUM_OK); /* born today */
	assert_int_equal(idnum_parse(n, 20240314, &id), IDNUM_FUTURE);
	make_id("370831", "20240101", "011", n);
	assert_int_equal(idnum_parse(n, 20231231, &id), IDNUM_FUTURE); /* across a year end */
	assert_int_equal(idnum_parse(n, 20240101, &id), IDNUM_OK);
}

static void test_today_from_fake_clock(void **state)
{
	char n[19];
	idnum id;

	(void)state;
	/* 2024-03-15 15:59:59 UTC is still the 15th in China (UTC+8) ... */
	clock_fake(1710518399);
	assert_int_equal(clock_today_ymd(), 20240315);
	make_id("370831", "20240316", "011", n);
	assert_int_equal(idnum_parse(n, clock_today_ymd(), &id), IDNUM_FUTURE);
	/* ... and one second later it is the 16th: born "tomorrow" becomes today */
	clock_fake(1710518400);
	assert_int_equal(clock_today_ymd(), 20240316);
	assert_int_equal(idnum_parse(n, clock_today_ymd(), &id), IDNUM_OK);
	clock_fake(0);
}

static void test_bad_chars_and_lengths(void **state)
{
	static const struct {
		const char *in;
		enum idnum_error want;
	} cases[] = {
		{"", IDNUM_LENGTH},
		{"11010519491231", IDNUM_LENGTH},      /* 14 */
		{"1101051949123100", IDNUM_LENGTH},    /* 16 */
		{"11010519491231002", IDNUM_LENGTH},   /* 17 */
		{"11010519491231002X1", IDNUM_LENGTH}, /* 19 */
		{"11010519491231002XX", IDNUM_LENGTH},
		{" 11010519491231002X", IDNUM_LENGTH},
		{"11010519491231002A", IDNUM_CHARS}, /* only X may be a letter */
		{"11010519491231002-", IDNUM_CHARS},
		{"11010519491231002 ", IDNUM_CHARS},
		{"1101051949123100X2", IDNUM_CHARS}, /* X only in the last place */
		{"X10105194912310021", IDNUM_CHARS},
		{"11010a19491231002X", IDNUM_CHARS},
		{"110105-9491231002X", IDNUM_CHARS},
		{"110105 9491231002X", IDNUM_CHARS},
		{"11010519491231002\xff", IDNUM_CHARS},
		{"110105194912310\xef\xbc\x90", IDNUM_CHARS}, /* a full-width digit (3 bytes) makes 18 bytes */
		{"11010549123100X", IDNUM_CHARS},             /* 15-digit numbers have no check character */
		{"1101054912310a2", IDNUM_CHARS},
		{"\xef\xbc\x91\xef\xbc\x91\xef\xbc\x90\xef\xbc\x91\xef\xbc\x90", IDNUM_CHARS}, /* 15 bytes */
	};

	(void)state;
	for (size_t i = 0; i < WB_ARRAY_LEN(cases); i++)
		check_case(i, cases[i].in, TODAY, cases[i].want);
}

static void test_error_clears_output(void **state)
{
	idnum id;

	(void)state;
	memset(&id, 'Z', sizeof(id));
	assert_int_equal(idnum_parse("11010519491231002A", TODAY, &id), IDNUM_CHARS);
	assert_string_equal(id.number, "");
	assert_string_equal(id.birth, "");
}

static void test_legacy_15(void **state)
{
	static const struct {
		const char *in;
		const char *first17;
		char sex;
		const char *birth;
	} cases[] = {
		{"110105491231002", "11010519491231002", 'F', "1949-12-31"},
		{"370831850101013", "37083119850101013", 'M', "1985-01-01"},
		{"440524000229001", "44052419000229001", 'M', NULL}, /* 1900-02-29 does not exist */
		{"440524960229128", "44052419960229128", 'F', "1996-02-29"},
		{"653101991231999", "65310119991231999", 'M', "1999-12-31"},
		{"510104700704450", "51010419700704450", 'F', "1970-07-04"},
	};

	(void)state;
	for (size_t i = 0; i < WB_ARRAY_LEN(cases); i++) {
		char want[19];
		idnum id;
		enum idnum_error rc = idnum_parse(cases[i].in, TODAY, &id);

		if (!cases[i].birth) {
			if (rc != IDNUM_DATE)
				fail_msg("case %zu %s: got %s, want DATE", i, cases[i].in, idnum_strerror(rc));
			continue;
		}
		if (rc != IDNUM_OK)
			fail_msg("case %zu %s: %s", i, cases[i].in, idnum_strerror(rc));
		memcpy(want, cases[i].first17, 17);
		want[17] = ref_check(cases[i].first17);
		want[18] = '\0';
		assert_string_equal(id.number, want);
		assert_int_equal(id.sex, cases[i].sex); /* from the 15th digit */
		assert_string_equal(id.birth, cases[i].birth);
		assert_memory_equal(id.area, cases[i].in, 6);
		/* the converted number parses as an 18-digit number to the same result */
		{
			idnum again;

			assert_int_equal(idnum_parse(id.number, TODAY, &again), IDNUM_OK);
			assert_memory_equal(&again, &id, sizeof(id));
		}
	}
}

static void test_sex_from_17th_digit(void **state)
{
	(void)state;
	for (int d = 0; d <= 9; d++) {
		char seq[4] = {'0', '0', (char)('0' + d), '\0'};
		char n[19];
		idnum id;

		make_id("370831", "20150601", seq, n);
		assert_int_equal(idnum_parse(n, TODAY, &id), IDNUM_OK);
		assert_int_equal(id.sex, d % 2 ? 'M' : 'F');
		/* the first two sequence digits do not matter */
		seq[0] = '9';
		seq[1] = '9';
		make_id("370831", "20150601", seq, n);
		assert_int_equal(idnum_parse(n, TODAY, &id), IDNUM_OK);
		assert_int_equal(id.sex, d % 2 ? 'M' : 'F');
	}
}

static void test_mask(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{"11010519491231002X", "110105********002X"},
		{"370831201506010116", "370831********0116"},
		{"440524188001010014", "440524********0014"},
	};

	(void)state;
	for (size_t i = 0; i < WB_ARRAY_LEN(cases); i++) {
		char out[19];

		memset(out, '#', sizeof(out));
		idnum_mask(cases[i].in, out);
		assert_string_equal(out, cases[i].want);
		assert_int_equal(strlen(out), 18);
	}
}

static void test_strerror(void **state)
{
	(void)state;
	for (int e = IDNUM_OK; e <= IDNUM_CHECKSUM; e++) {
		const char *s = idnum_strerror((enum idnum_error)e);

		assert_non_null(s);
		assert_true(strlen(s) > 0);
	}
	assert_non_null(idnum_strerror((enum idnum_error)99));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_check_matches_standard_examples),
		cmocka_unit_test(test_valid_18),
		cmocka_unit_test(test_standard_example_fields),
		cmocka_unit_test(test_every_wrong_check_char),
		cmocka_unit_test(test_lower_x_normalised),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_valid_date_table),
		cmocka_unit_test(test_today_boundary),
		cmocka_unit_test(test_today_from_fake_clock),
		cmocka_unit_test(test_bad_chars_and_lengths),
		cmocka_unit_test(test_error_clears_output),
		cmocka_unit_test(test_legacy_15),
		cmocka_unit_test(test_sex_from_17th_digit),
		cmocka_unit_test(test_mask),
		cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
