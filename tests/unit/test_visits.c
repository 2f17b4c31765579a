/*
 * Unit tests for src/domain/visits.h (the visit plan of SPEC §5: which
 * interval applies, when a visit falls due, the states) and for the day
 * arithmetic of src/domain/date.h it relies on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/domain/date.h"
#include "../../src/domain/visits.h"

static void test_days(void **state)
{
	char s[11];

	(void)state;
	assert_int_equal(date_days(19700101), 0);
	assert_int_equal(date_days(19691231), -1);
	assert_int_equal(date_from_days(0), 19700101);
	/* across month ends, a leap day and a year end */
	assert_int_equal(date_add_days(20240228, 1), 20240229);
	assert_int_equal(date_add_days(20240229, 1), 20240301);
	assert_int_equal(date_add_days(20230228, 1), 20230301);
	assert_int_equal(date_add_days(20261220, 14), 20270103);
	assert_int_equal(date_add_days(20270103, -14), 20261220);
	assert_int_equal(date_days(20270101) - date_days(20260101), 365);
	assert_int_equal(date_days(20250101) - date_days(20240101), 366);
	for (int ymd = 19991201, i = 0; i < 800; i++) {
		int next = date_add_days(ymd, 1);

		assert_int_equal(date_days(next) - date_days(ymd), 1);
		assert_int_equal(date_from_days(date_days(next)), next);
		ymd = next;
	}
	date_format(20260305, s);
	assert_string_equal(s, "2026-03-05");
}

static void test_interval(void **state)
{
	visit_plan_config cfg;

	(void)state;
	visit_plan_default(&cfg);
	/* low risk without a category: no plan */
	assert_int_equal(visit_interval(&cfg, RISK_LOW, 0), 0);
	assert_int_equal(visit_interval(&cfg, RISK_MEDIUM, 0), 30);
	assert_int_equal(visit_interval(&cfg, RISK_HIGH, 0), 14);
	assert_int_equal(visit_interval(&cfg, RISK_LOW, 1u << CAT_LEFT_BEHIND), 30);
	/* the shortest that applies */
	cfg.category_days[CAT_ORPHAN] = 60;
	cfg.category_days[CAT_DIFFICULTY] = 21;
	assert_int_equal(visit_interval(&cfg, RISK_HIGH, 1u << CAT_ORPHAN), 14);
	assert_int_equal(visit_interval(&cfg, RISK_LOW, 1u << CAT_ORPHAN), 60);
	assert_int_equal(visit_interval(&cfg, RISK_MEDIUM, (1u << CAT_ORPHAN) | (1u << CAT_DIFFICULTY)), 21);
	/* a category switched off does not cancel another rule */
	cfg.category_days[CAT_LEFT_BEHIND] = 0;
	assert_int_equal(visit_interval(&cfg, RISK_LOW, 1u << CAT_LEFT_BEHIND), 0);
	assert_int_equal(visit_interval(&cfg, RISK_MEDIUM, 1u << CAT_LEFT_BEHIND), 30);
	cfg.risk_days[RISK_MEDIUM] = 0;
	assert_int_equal(visit_interval(&cfg, RISK_MEDIUM, (1u << CAT_LEFT_BEHIND) | (1u << CAT_ORPHAN)), 60);
}

static void test_states(void **state)
{
	visit_plan_config cfg;
	int due = -1;

	(void)state;
	visit_plan_default(&cfg); /* due soon: 7 days ahead */
	assert_int_equal(visit_plan_state(&cfg, 0, 20261101, 20261128, &due), VISIT_NO_PLAN);
	assert_int_equal(due, 0);
	assert_int_equal(visit_plan_state(&cfg, 30, 0, 20261128, &due), VISIT_NEVER);
	assert_int_equal(due, 0);
	/* visited 1 November, every 30 days: due 1 December */
	assert_int_equal(visit_plan_state(&cfg, 30, 20261101, 20261123, &due), VISIT_OK);
	assert_int_equal(due, 20261201);
	assert_int_equal(visit_plan_state(&cfg, 30, 20261101, 20261124, &due), VISIT_DUE_SOON);
	assert_int_equal(visit_plan_state(&cfg, 30, 20261101, 20261201, &due), VISIT_DUE_SOON); /* the due day itself */
	assert_int_equal(visit_plan_state(&cfg, 30, 20261101, 20261202, &due), VISIT_OVERDUE);
	cfg.due_soon_days = 0;
	assert_int_equal(visit_plan_state(&cfg, 30, 20261101, 20261130, &due), VISIT_OK);
	assert_int_equal(visit_plan_state(&cfg, 30, 20261101, 20261201, &due), VISIT_DUE_SOON);
}

static void test_names(void **state)
{
	enum visit_kind k;
	enum visit_flag f;
	enum visit_risk r;
	enum visit_state s;

	(void)state;
	for (int i = 0; i < VISIT__KINDS; i++) {
		assert_int_equal(visit_kind_parse(visit_kind_name((enum visit_kind)i), &k), 0);
		assert_int_equal(k, i);
	}
	for (int i = 0; i < VF__COUNT; i++) {
		assert_int_equal(visit_flag_parse(visit_flag_name((enum visit_flag)i), &f), 0);
		assert_int_equal(f, i);
	}
	for (int i = 0; i < RISK__COUNT; i++) {
		assert_int_equal(visit_risk_parse(visit_risk_name((enum visit_risk)i), &r), 0);
		assert_int_equal(r, i);
	}
	for (int i = 0; i <= VISIT_NEVER; i++) {
		assert_int_equal(visit_state_parse(visit_state_name((enum visit_state)i), &s), 0);
		assert_int_equal(s, i);
	}
	assert_int_equal(visit_kind_parse("HOME", &k), -1);
	assert_int_equal(visit_kind_parse(NULL, &k), -1);
	assert_int_equal(visit_flag_parse("", &f), -1);
	assert_int_equal(visit_risk_parse("extreme", &r), -1);
	assert_string_equal(visit_kind_name((enum visit_kind)7), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_days),
		cmocka_unit_test(test_interval),
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
