/*
 * Unit tests for src/domain/area.h: the level of a code by its length, the
 * parent by truncation, subtree membership by prefix, and the township
 * kind by the three-digit township number.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/domain/area.h"
#include "../../src/util/wb.h"

static void test_level_of(void **state)
{
	static const struct {
		const char *code, *want; /* want NULL: not a well-formed code */
	} cases[] = {
		{"370831", "county"},
		{"370831101", "township"},
		{"370831101201", "village"},
		{"370831101201001", "grid"},
		{"000000", "county"},
		{"", NULL},
		{"3", NULL},
		{"37083", NULL},
		{"3708311", NULL},
		{"37083110", NULL},
		{"3708311012", NULL},
		{"37083110120", NULL},
		{"3708311012010", NULL},
		{"37083110120100", NULL},
		{"3708311012010010", NULL},
		{"37083a", NULL},
		{"370831 ", NULL},
		{" 370831", NULL},
		{"-37083", NULL},
		{"+370831", NULL},
		{"37083110120100\xef", NULL},
		{"370831101201x01", NULL},
	};

	(void)state;
	for (size_t i = 0; i < WB_ARRAY_LEN(cases); i++) {
		const char *got = area_level_of(cases[i].code);

		if (!cases[i].want && got)
			fail_msg("case %zu \"%s\": got %s, want NULL", i, cases[i].code, got);
		if (cases[i].want && (!got || strcmp(got, cases[i].want) != 0))
			fail_msg("case %zu \"%s\": got %s, want %s", i, cases[i].code, got ? got : "NULL",
				 cases[i].want);
	}
}

static void test_parent_of(void **state)
{
	static const struct {
		const char *code;
		int rc;
		const char *want;
	} cases[] = {
		{"370831101201001", 0, "370831101201"},
		{"370831101201", 0, "370831101"},
		{"370831101", 0, "370831"},
		{"370831", 0, ""},
		{"3708311", -1, NULL},
		{"", -1, NULL},
		{"37083110120100a", -1, NULL},
	};

	(void)state;
	for (size_t i = 0; i < WB_ARRAY_LEN(cases); i++) {
		char out[16];
		int rc;

		memset(out, '#', sizeof(out));
		rc = area_parent_of(cases[i].code, out, (int)sizeof(out));
		if (rc != cases[i].rc)
			fail_msg("case %zu \"%s\": rc %d, want %d", i, cases[i].code, rc, cases[i].rc);
		if (cases[i].want)
			assert_string_equal(out, cases[i].want);
	}
}

static void test_parent_of_small_buffer(void **state)
{
	char out[16];

	(void)state;
	memset(out, '#', sizeof(out));
	assert_int_equal(area_parent_of("370831101", out, 15), -1);
	assert_int_equal(out[0], '#'); /* nothing written */
}

static void test_parent_chain_reaches_county(void **state)
{
	char code[16] = "370831101201001";
	const char *levels[] = {"grid", "village", "township", "county"};

	(void)state;
	for (size_t i = 0; i < WB_ARRAY_LEN(levels); i++) {
		char parent[16];

		assert_string_equal(area_level_of(code), levels[i]);
		assert_int_equal(area_parent_of(code, parent, (int)sizeof(parent)), 0);
		memcpy(code, parent, sizeof(code));
	}
	assert_string_equal(code, "");
}

static void test_within(void **state)
{
	static const struct {
		const char *child, *ancestor;
		int want;
	} cases[] = {
		{"370831", "370831", 1},
		{"370831101", "370831", 1},
		{"370831101201", "370831", 1},
		{"370831101201001", "370831", 1},
		{"370831101201", "370831101", 1},
		{"370831101201001", "370831101201", 1},
		{"370831101201", "370831101201", 1},
		{"370831", "370831101", 0},          /* an ancestor is not within its child */
		{"370832101201", "370831", 0},       /* other county */
		{"370831102201", "370831101", 0},    /* other township */
		{"370831101202", "370831101201", 0}, /* sibling village */
		{"370831110201", "370831101", 0},    /* digits permuted */
		{"370831101201002", "370831101201001", 0},
		{"37083", "370831", 0},
	};

	(void)state;
	for (size_t i = 0; i < WB_ARRAY_LEN(cases); i++)
		if (area_within(cases[i].child, cases[i].ancestor) != cases[i].want)
			fail_msg("case %zu: %s within %s: want %d", i, cases[i].child, cases[i].ancestor,
				 cases[i].want);
}

static void test_township_kind(void **state)
{
	static const struct {
		const char *code, *want;
	} cases[] = {
		{"370831000", NULL}, /* 000 is no township */
		{"370831001", "subdistrict"},
		{"370831050", "subdistrict"},
		{"370831099", "subdistrict"},
		{"370831100", "town"},
		{"370831101", "town"},
		{"370831199", "town"},
		{"370831200", "township"},
		{"370831201", "township"},
		{"370831399", "township"},
		{"370831400", NULL},
		{"370831500", NULL},
		{"370831999", NULL},
		{"370831", NULL},       /* a county */
		{"370831101201", NULL}, /* a village */
		{"37083110a", NULL},
		{"3708311 1", NULL},
		{"", NULL},
	};

	(void)state;
	for (size_t i = 0; i < WB_ARRAY_LEN(cases); i++) {
		const char *got = area_township_kind(cases[i].code);

		if (!cases[i].want && got)
			fail_msg("case %zu \"%s\": got %s, want NULL", i, cases[i].code, got);
		if (cases[i].want && (!got || strcmp(got, cases[i].want) != 0))
			fail_msg("case %zu \"%s\": got %s, want %s", i, cases[i].code, got ? got : "NULL",
				 cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_level_of),
		cmocka_unit_test(test_parent_of),
		cmocka_unit_test(test_parent_of_small_buffer),
		cmocka_unit_test(test_parent_chain_reaches_county),
		cmocka_unit_test(test_within),
		cmocka_unit_test(test_township_kind),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
