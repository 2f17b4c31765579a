/*
 * Unit tests for src/domain/fields.h: names, free texts, phone numbers and their mask.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/domain/fields.h"
#include "../../src/util/wb.h"

static void test_names(void **state)
{
	static const struct {
		const char *s;
		int ok;
	} cases[] = {
		{"\xE7\x8E\x8B\xE5\xB0\x8F\xE8\x8A\xB1", 1}, /* 王小花 */
		{"Li Ming", 1},
		{"\xE9\x98\xBF\xE4\xB8\x8D\xE9\x83\xBD\xC2\xB7\xE8\x89\xBE\xE5\x8A\xA0", 1}, /* with a middle dot */
		{"A", 1},
		{"", 0},
		{" ", 0},
		{" Li", 0},
		{"Li ", 0},
		{"\xE3\x80\x80", 0},                         /* the ideographic space alone */
		{"\xE3\x80\x80\xE7\x8E\x8B", 0},             /* before */
		{"\xE7\x8E\x8B\xE3\x80\x80", 0},             /* after */
		{"\xE7\x8E\x8B\xE3\x80\x80\xE8\x8A\xB1", 1}, /* inside: kept as typed */
		{"Li\tMing", 0},
		{"Li\nMing", 0},
		{"Li\x7fMing", 0},
		{"\xC2\xA0", 0},                             /* a no-break space alone */
		{"\xE2\x80\x8B\xE2\x80\x8B", 0},             /* zero-width spaces alone */
		{"\xE7\x8E\x8B\xE2\x80\x8B", 0},             /* 王 and a zero-width space */
		{"\xE7\x8E\x8B\xE2\x80\x8B\xE8\x8A\xB1", 0}, /* inside: not found by a search for 王花 */
		{"\xEF\xBB\xBF\xE7\x8E\x8B", 0},             /* a byte-order mark before */
		{"Li\xE2\x80\xAEMing", 0},                   /* a right-to-left override */
		{"Li\xC2\xADMing", 0},                       /* a soft hyphen */
		{"Anna\xC2\xA0Li", 1},                       /* a no-break space inside is a space */
		{"\xE7\x8E\x8B\xC2\xA0", 0},                 /* but not at an end */
	};

	(void)state;
	for (size_t i = 0; i < WB_ARRAY_LEN(cases); i++)
		assert_int_equal(field_valid_name(cases[i].s), cases[i].ok);
}

static void test_texts(void **state)
{
	static const struct {
		const char *s;
		int multiline, ok;
	} cases[] = {
		{"", 0, 1},         {"\xE6\xB5\x99\xE6\xB1\x9F\xE4\xB9\x89\xE4\xB9\x8C", 0, 1}, /* 浙江义乌 */
		{" a b ", 0, 1},                                                                /* spaces are text */
		{"a\nb", 0, 0},     {"a\nb", 1, 1},
		{"a\r\n\tb", 1, 1}, {"a\x01b", 1, 0},
		{"a\x7f", 1, 0},    {"a\xC2\x85", 0, 0}, /* U+0085, a C1 control */
		{"\xC2\xA0", 0, 1},                      /* U+00A0 is no control */
	};

	(void)state;
	for (size_t i = 0; i < WB_ARRAY_LEN(cases); i++)
		assert_int_equal(field_valid_text(cases[i].s, cases[i].multiline), cases[i].ok);
}

static void test_phones(void **state)
{
	(void)state;
	assert_int_equal(field_valid_phone("13812345678"), 1);
	assert_int_equal(field_valid_phone("0537-1234567"), 1);
	assert_int_equal(field_valid_phone("053712345678"), 1); /* 8-digit local number */
	assert_int_equal(field_valid_phone("010-12345678"), 1); /* Beijing: 3-digit area code */
	assert_int_equal(field_valid_phone("05371234567"), 1);
	assert_int_equal(field_valid_phone("1234567"), 0);       /* no area code */
	assert_int_equal(field_valid_phone("1381234"), 0);       /* a mobile missing digits */
	assert_int_equal(field_valid_phone("1381234567"), 0);    /* 10 digits */
	assert_int_equal(field_valid_phone("138123456789"), 0);  /* 12 digits */
	assert_int_equal(field_valid_phone("12812345678"), 0);   /* no mobile starts 12 */
	assert_int_equal(field_valid_phone("138-12345678"), 0);  /* a mobile has no hyphen */
	assert_int_equal(field_valid_phone("0537123456"), 1);    /* 10 digits: 053 + 7 */
	assert_int_equal(field_valid_phone("053712345"), 0);     /* too few */
	assert_int_equal(field_valid_phone("0537123456789"), 0); /* too many */
	assert_int_equal(field_valid_phone("0012345678"), 0);    /* 00: an international prefix */
	assert_int_equal(field_valid_phone("05-371234567"), 0);  /* the hyphen after the area code only */
	assert_int_equal(field_valid_phone("123456"), 0);
	assert_int_equal(field_valid_phone("-0537123456"), 0);
	assert_int_equal(field_valid_phone("0537-123-4567"), 0);
	assert_int_equal(field_valid_phone("138 1234 5678"), 0);
	assert_int_equal(field_valid_phone(""), 0);
}

/* As people write them: spaces and hyphens between the digits, the digits
 * kept. */
static void test_phone_digits(void **state)
{
	static const struct {
		const char *in, *out;
		int ok;
	} cases[] = {
		{"13800138001", "13800138001", 1},
		{"138-0013-8001", "13800138001", 1},
		{"138 0013 8001", "13800138001", 1},
		{"139 0013-8003", "13900138003", 1},
		{"0537-1234567", "05371234567", 1},
		{"0537 123 4567", "05371234567", 1},
		{"138-0013-800", "", 0},
		{"138.0013.8001", "", 0},
		{"+86 13800138001", "", 0},
		{" - ", "", 0},
		{"", "", 0},
	};
	char out[32], tiny[4];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ok = field_phone_digits(cases[i].in, out, sizeof(out));

		if (ok != cases[i].ok || (ok && strcmp(out, cases[i].out) != 0))
			fail_msg("%s: got %d '%s'", cases[i].in, ok, out);
	}
	assert_int_equal(field_phone_digits("13800138001", tiny, sizeof(tiny)), 0); /* does not fit: refused */
	assert_string_equal(tiny, "");
}

static void test_phone_mask(void **state)
{
	char out[24];

	(void)state;
	field_mask_phone("13812345678", out, sizeof(out));
	assert_string_equal(out, "138****5678");
	field_mask_phone("0537-1234567", out, sizeof(out));
	assert_null(strstr(out, "1234567"));
	assert_int_equal(strncmp(out, "053", 3), 0);
}

/* The one check of the API and the importer: control characters (C1
 * too, in names as well), blanks around names, the limits in bytes. */
static void test_check_text(void **state)
{
	char long_grade[FIELD_MAX_GRADE + 2];

	(void)state;
	assert_int_equal(field_check_text(FT_CHILD_NAME, "阿娜"), FIELD_OK);
	assert_int_equal(field_check_text(FT_CHILD_NAME, "阿\xC2\x85娜"), FIELD_CONTROL);
	assert_int_equal(field_check_text(FT_CHILD_NAME, "阿娜 "), FIELD_BLANKS);
	assert_int_equal(field_check_text(FT_CHILD_NAME, ""), FIELD_BLANKS);
	assert_int_equal(field_check_text(FT_GUARDIAN_NAME, "\xE3\x80\x80周一"), FIELD_BLANKS);
	assert_int_equal(field_check_text(FT_GRADE, "三\t年级"), FIELD_CONTROL);
	assert_int_equal(field_check_text(FT_NOTES, "一\r\n二\t三"), FIELD_OK);
	assert_int_equal(field_check_text(FT_NOTES, "一\x7f"), FIELD_CONTROL);
	assert_int_equal(field_check_text(FT_GUARDIAN_WORK, "广东 东莞 "), FIELD_OK); /* not a name */
	memset(long_grade, 'a', sizeof(long_grade) - 1);
	long_grade[sizeof(long_grade) - 1] = '\0';
	assert_int_equal(field_check_text(FT_GRADE, long_grade), FIELD_TOO_LONG);
	long_grade[FIELD_MAX_GRADE] = '\0';
	assert_int_equal(field_check_text(FT_GRADE, long_grade), FIELD_OK);
	assert_int_equal(field_text_max(FT_NOTES), FIELD_MAX_NOTES);
}

static void test_disability_types(void **state)
{
	(void)state;
	assert_string_equal(field_disability_code("visual", 0), "visual");
	assert_null(field_disability_code("视力残疾", 0)); /* the API takes codes */
	assert_string_equal(field_disability_code("视力残疾", 1), "visual");
	assert_string_equal(field_disability_code("多重", 1), "multiple");
	assert_null(field_disability_code("视力残", 1));
	assert_null(field_disability_code("腿脚不便", 1));
	assert_null(field_disability_code("Visual", 1));
	assert_null(field_disability_code("", 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_texts),
		cmocka_unit_test(test_phones),
		cmocka_unit_test(test_phone_digits),
		cmocka_unit_test(test_phone_mask),
		cmocka_unit_test(test_check_text),
		cmocka_unit_test(test_disability_types),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
