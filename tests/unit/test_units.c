/*
 * Unit tests for src/domain/units.h (the departments of SPEC §1 and the
 * code rule of units) and for the user-name rule of src/api/accounts.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/api/accounts.h"
#include "../../src/domain/units.h"
#include "../../src/util/wb.h"

static void test_standard_departments(void **state)
{
	size_t n = 0;
	const std_department *d = units_standard_departments(&n);
	char name[128];

	(void)state;
	/* SPEC §1's departments, public security first: mandatory reports go there */
	assert_int_equal(n, 11);
	assert_string_equal(d[0].code, "public_security");
	for (size_t i = 0; i < n; i++) {
		if (!unit_code_ok(d[i].code))
			fail_msg("%s is not a valid unit code", d[i].code);
		for (size_t k = 0; k < i; k++)
			if (strcmp(d[i].code, d[k].code) == 0)
				fail_msg("%s twice", d[i].code);
	}
	unit_department_name(&d[0], "泗水县", name, sizeof(name));
	assert_string_equal(name, "泗水县公安局");
	for (size_t i = 0; i < n; i++)
		if (strcmp(d[i].code, "youth_league") == 0) {
			unit_department_name(&d[i], "泗水县", name, sizeof(name));
			assert_string_equal(name, "共青团泗水县委");
		}
}

static void test_unit_codes(void **state)
{
	static const char *const good[] = {"ab", "public_security", "school01", "9th_school",
					   "a234567890123456789012345678901"};
	static const char *const bad[] = {"",           "a",         "_lead", "Upper",
					  "with space", "dash-code", "中文",  "a2345678901234567890123456789012"};

	(void)state;
	for (size_t i = 0; i < WB_ARRAY_LEN(good); i++)
		if (!unit_code_ok(good[i]))
			fail_msg("%s should be a unit code", good[i]);
	for (size_t i = 0; i < WB_ARRAY_LEN(bad); i++)
		if (unit_code_ok(bad[i]))
			fail_msg("%s should not be a unit code", bad[i]);
	assert_true(unit_kind_ok("department") && unit_kind_ok("org") && unit_kind_ok("school"));
	assert_false(unit_kind_ok("club") || unit_kind_ok(NULL) || unit_kind_ok(""));
}

static void test_usernames(void **state)
{
	static const char *const good[] = {"abc",
					   "dir370831001001b",
					   "li.ming",
					   "wang_2",
					   "a-b-c",
					   "9lives",
					   "a23456789012345678901234567890123456789012345678901234567890123"};
	static const char *const bad[] = {
		"ab",         ".dot", "_u",  "-u",
		"with space", "张三", "x!y", "a234567890123456789012345678901234567890123456789012345678901234"};

	(void)state;
	for (size_t i = 0; i < WB_ARRAY_LEN(good); i++)
		if (!account_username_ok(good[i]))
			fail_msg("%s should be a user name", good[i]);
	for (size_t i = 0; i < WB_ARRAY_LEN(bad); i++)
		if (account_username_ok(bad[i]))
			fail_msg("%s should not be a user name", bad[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_standard_departments),
		cmocka_unit_test(test_unit_codes),
		cmocka_unit_test(test_usernames),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
