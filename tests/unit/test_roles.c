/*
 * Unit tests for src/domain/roles.h: the role table of SPEC §1. The table
 * below is the expected least-privilege matrix written out by hand; a
 * change to a role's rights must change this test too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/domain/roles.h"
#include "../../src/util/wb.h"

static const struct {
	const char *name;
	enum role_anchor anchor;
	const char *unit_kind;
	enum role_child_access access;
	int full_id, write_children, read_audit, manage_users;
} expect[] = {
	{"committee", ANCHOR_COUNTY, NULL, CHILD_ACCESS_NONE, 0, 0, 0, 0},
	{"center", ANCHOR_COUNTY, NULL, CHILD_ACCESS_AREA, 1, 1, 0, 0},
	{"supervisor", ANCHOR_TOWNSHIP, NULL, CHILD_ACCESS_AREA, 0, 1, 0, 0},
	{"station", ANCHOR_TOWNSHIP, NULL, CHILD_ACCESS_AREA, 0, 1, 0, 0},
	{"director", ANCHOR_VILLAGE, NULL, CHILD_ACCESS_AREA, 0, 1, 0, 0},
	{"grid", ANCHOR_GRID, NULL, CHILD_ACCESS_AREA, 0, 1, 0, 0},
	{"department", ANCHOR_UNIT, "department", CHILD_ACCESS_GRANT, 0, 0, 0, 0},
	{"org", ANCHOR_UNIT, "org", CHILD_ACCESS_GRANT, 0, 0, 0, 0},
	{"school", ANCHOR_UNIT, "school", CHILD_ACCESS_SCHOOL, 0, 0, 0, 0},
	{"auditor", ANCHOR_COUNTY, NULL, CHILD_ACCESS_NONE, 0, 0, 1, 0},
	{"admin", ANCHOR_COUNTY, NULL, CHILD_ACCESS_NONE, 0, 0, 0, 1},
};

static void test_role_matrix(void **state)
{
	(void)state;
	for (size_t i = 0; i < WB_ARRAY_LEN(expect); i++) {
		const role_def *r = role_find(expect[i].name);

		if (!r)
			fail_msg("role %s missing", expect[i].name);
		assert_string_equal(r->name, expect[i].name);
		if (r->anchor != expect[i].anchor || r->child_access != expect[i].access ||
		    r->full_id != expect[i].full_id || r->write_children != expect[i].write_children ||
		    r->read_audit != expect[i].read_audit || r->manage_users != expect[i].manage_users)
			fail_msg("role %s differs from the expected rights", expect[i].name);
		if (expect[i].unit_kind)
			assert_string_equal(r->unit_kind, expect[i].unit_kind);
		else
			assert_null(r->unit_kind);
	}
}

static void test_role_all_matches_find(void **state)
{
	const role_def *all = role_all();
	size_t n = 0;

	(void)state;
	for (const role_def *r = all; r->name && n < 64; r++, n++) {
		assert_ptr_equal(role_find(r->name), r);
		for (const role_def *q = all; q < r; q++)
			assert_string_not_equal(q->name, r->name);
	}
	assert_int_equal(n, WB_ARRAY_LEN(expect));
}

static void test_role_find_unknown(void **state)
{
	static const char *const bad[] = {"", "Center", "CENTER", "centre", "center ", " center", "root", "grids"};

	(void)state;
	for (size_t i = 0; i < WB_ARRAY_LEN(bad); i++)
		if (role_find(bad[i]))
			fail_msg("\"%s\" should not be a role", bad[i]);
}

static void test_least_privilege(void **state)
{
	int full_id = 0, audit = 0, users = 0;

	(void)state;
	for (const role_def *r = role_all(); r->name; r++) {
		full_id += r->full_id;
		audit += r->read_audit;
		users += r->manage_users;
		/* whoever writes children must be able to see them */
		if (r->write_children)
			assert_int_not_equal(r->child_access, CHILD_ACCESS_NONE);
		/* unit roles name their unit kind, area roles do not */
		assert_int_equal(r->anchor == ANCHOR_UNIT, r->unit_kind != NULL);
		/* the auditor and admin see no child */
		if (r->read_audit || r->manage_users)
			assert_int_equal(r->child_access, CHILD_ACCESS_NONE);
	}
	assert_int_equal(full_id, 1);
	assert_int_equal(audit, 1);
	assert_int_equal(users, 1);
}

/* A list of accounts names roles by code or by their Chinese name; anything
 * else is no role. */
static void test_role_find_any(void **state)
{
	static const char *const pairs[][2] = {
		{"儿童主任", "director"},     {"网格员", "grid"},       {"乡镇工作站", "station"},
		{"儿童督导员", "supervisor"}, {"县未保中心", "center"}, {"职能部门", "department"},
		{"社会组织", "org"},          {"学校", "school"},       {"未保委员会", "committee"},
		{"数据保护专员", "auditor"},  {"系统管理员", "admin"},  {"director", "director"},
	};

	(void)state;
	for (size_t i = 0; i < WB_ARRAY_LEN(pairs); i++) {
		const role_def *r = role_find_any(pairs[i][0]);

		if (!r || strcmp(r->name, pairs[i][1]) != 0)
			fail_msg("%s should be %s", pairs[i][0], pairs[i][1]);
	}
	assert_null(role_find_any("村长"));
	assert_null(role_find_any(""));
	assert_null(role_find_any("Director"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_role_matrix),       cmocka_unit_test(test_role_all_matches_find),
		cmocka_unit_test(test_role_find_unknown), cmocka_unit_test(test_role_find_any),
		cmocka_unit_test(test_least_privilege),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
