/*
 * Unit tests for src/domain/project.h: the kinds and statuses of charity
 * projects (SPEC §7) and the moves between statuses — planned → active →
 * done, or cancelled before done; done and cancelled are final.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/domain/project.h"

static void test_names_round_trip(void **state)
{
	enum project_kind k;
	enum project_status s;

	(void)state;
	for (int i = 0; i < PK__COUNT; i++) {
		assert_int_equal(project_kind_parse(project_kind_name((enum project_kind)i), &k), 0);
		assert_int_equal(k, i);
	}
	for (int i = 0; i < PS__COUNT; i++) {
		assert_int_equal(project_status_parse(project_status_name((enum project_status)i), &s), 0);
		assert_int_equal(s, i);
	}
	assert_string_equal(project_kind_name(PK_HOPE_ROOM), "hope_room");
	assert_int_not_equal(project_kind_parse("Hope_Room", &k), 0);
	assert_int_not_equal(project_status_parse("built", &s), 0);
	assert_int_not_equal(project_status_parse(NULL, &s), 0);
}

static void test_moves(void **state)
{
	(void)state;
	assert_true(project_move_ok(PS_PLANNED, PS_ACTIVE));
	assert_true(project_move_ok(PS_PLANNED, PS_CANCELLED));
	assert_true(project_move_ok(PS_ACTIVE, PS_DONE));
	assert_true(project_move_ok(PS_ACTIVE, PS_CANCELLED));
	/* no skipping, no going back, nothing after the end */
	assert_false(project_move_ok(PS_PLANNED, PS_DONE));
	assert_false(project_move_ok(PS_ACTIVE, PS_PLANNED));
	assert_false(project_move_ok(PS_DONE, PS_ACTIVE));
	assert_false(project_move_ok(PS_DONE, PS_CANCELLED));
	assert_false(project_move_ok(PS_CANCELLED, PS_PLANNED));
	for (int i = 0; i < PS__COUNT; i++)
		assert_false(project_move_ok((enum project_status)i, (enum project_status)i));
}

static void test_one_child_kinds(void **state)
{
	(void)state;
	assert_int_equal(project_children_max(PK_HOPE_ROOM), 1);
	assert_int_equal(project_children_max(PK_ONE_PLUS_N), 1);
	assert_int_equal(project_children_max(PK_SERVICE), 0);
	assert_int_equal(project_children_max(PK_FUNDRAISING), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_round_trip),
		cmocka_unit_test(test_moves),
		cmocka_unit_test(test_one_child_kinds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
