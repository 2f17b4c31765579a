/* Category rules (SPEC §3): each branch, with the age boundaries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "../../src/domain/category.h"
#include "../../src/domain/date.h"

static category_config cfg;

static child_facts facts(int birth, enum guardian_status father, enum guardian_status mother, int rural)
{
	child_facts f = {0};

	f.birth_ymd = birth;
	f.father = father;
	f.mother = mother;
	f.rural_hukou = rural;
	return f;
}

static void test_age_boundaries(void **state)
{
	(void)state;
	category_config_default(&cfg);
	assert_int_equal(category_age(&cfg, 20100510, 20260509), 15); /* day before the 16th birthday */
	assert_int_equal(category_age(&cfg, 20100510, 20260510), 16); /* the day of */
	assert_int_equal(category_age(&cfg, 20080510, 20260509), 17);
	assert_int_equal(category_age(&cfg, 20080510, 20260510), 18);
	assert_int_equal(category_age(&cfg, 20260510, 20260509), -1);
	assert_int_equal(category_age(&cfg, 0, 20260509), -1);
	cfg.birthday = BIRTHDAY_DAY_AFTER;
	assert_int_equal(category_age(&cfg, 20100510, 20260510), 15);
	assert_int_equal(category_age(&cfg, 20100510, 20260511), 16);
	assert_int_equal(category_age(&cfg, 20091231, 20261231), 16);
	assert_int_equal(category_age(&cfg, 20091231, 20270101), 17);
	category_config_default(&cfg);
	/* 29 February births in a common year */
	assert_int_equal(category_age(&cfg, 20080229, 20260228), 17);
	assert_int_equal(category_age(&cfg, 20080229, 20260301), 18);
	cfg.leapday = LEAPDAY_FEB_28;
	assert_int_equal(category_age(&cfg, 20080229, 20260228), 18);
	assert_int_equal(category_age(&cfg, 20080229, 20240229), 16);
}

/* The day a limit is reached is the first day category_age says so, under
 * each birthday and leap-day rule. */
static void test_age_day(void **state)
{
	static const int births[] = {20100510, 20091231, 20080229, 20080301, 20080228, 20100101};

	(void)state;
	category_config_default(&cfg);
	assert_int_equal(category_age_day(&cfg, 20100510, 16), 20260510);
	assert_int_equal(category_age_day(&cfg, 20080229, 18), 20260301);
	assert_int_equal(category_age_day(&cfg, 20080229, 16), 20240229);
	assert_int_equal(category_age_day(&cfg, 0, 16), 0);
	cfg.leapday = LEAPDAY_FEB_28;
	assert_int_equal(category_age_day(&cfg, 20080229, 18), 20260228);
	cfg.birthday = BIRTHDAY_DAY_AFTER;
	assert_int_equal(category_age_day(&cfg, 20080229, 18), 20260301);
	assert_int_equal(category_age_day(&cfg, 20091231, 16), 20260101);
	for (int b = 0; b < 2; b++)
		for (int l = 0; l < 2; l++)
			for (size_t i = 0; i < sizeof(births) / sizeof(births[0]); i++)
				for (int years = 16; years <= 18; years += 2) {
					int day;

					cfg.birthday = b ? BIRTHDAY_DAY_AFTER : BIRTHDAY_ON_DAY;
					cfg.leapday = l ? LEAPDAY_FEB_28 : LEAPDAY_MARCH_1;
					day = category_age_day(&cfg, births[i], years);
					assert_int_equal(category_age(&cfg, births[i], day), years);
					assert_int_equal(category_age(&cfg, births[i], date_add_days(day, -1)),
							 years - 1);
				}
}

static void test_orphan(void **state)
{
	category_result r;
	child_facts f = facts(20150301, GS_DECEASED, GS_MISSING, 0);

	(void)state;
	category_config_default(&cfg);
	category_derive(&cfg, &f, 20261128, &r);
	assert_true(r.has[CAT_ORPHAN]);
	assert_int_equal(r.reason[CAT_ORPHAN], CR_BOTH_PARENTS_DEAD_OR_MISSING);
	assert_false(r.has[CAT_UNSUPPORTED]);
	f.adopted = 1;
	category_derive(&cfg, &f, 20261128, &r);
	assert_false(r.has[CAT_ORPHAN]);
	/* turns 18: no longer */
	f = facts(20081128, GS_DECEASED, GS_DECEASED, 0);
	category_derive(&cfg, &f, 20261127, &r);
	assert_true(r.has[CAT_ORPHAN]);
	category_derive(&cfg, &f, 20261128, &r);
	assert_false(r.has[CAT_ORPHAN]);
	assert_int_equal(category_end_reason(&cfg, CAT_ORPHAN, &f, &f, 20261128), CR_END_AGE_18);
}

static void test_unsupported(void **state)
{
	category_result r;
	child_facts f = facts(20150301, GS_DECEASED, GS_IMPRISONED, 0);

	(void)state;
	category_config_default(&cfg);
	category_derive(&cfg, &f, 20261128, &r);
	assert_true(r.has[CAT_UNSUPPORTED]);
	assert_int_equal(r.reason[CAT_UNSUPPORTED], CR_ONE_DEAD_OTHER_INCAPABLE);
	assert_true(r.has[CAT_DIFFICULTY]);
	assert_int_equal(r.reason[CAT_DIFFICULTY], CR_GUARDIANSHIP_FAILURE);
	f = facts(20150301, GS_SEVERE_DISABILITY, GS_DRUG_REHAB, 0);
	category_derive(&cfg, &f, 20261128, &r);
	assert_true(r.has[CAT_UNSUPPORTED]);
	assert_int_equal(r.reason[CAT_UNSUPPORTED], CR_BOTH_PARENTS_INCAPABLE);
	/* one parent present: not unsupported */
	f = facts(20150301, GS_PRESENT, GS_IMPRISONED, 0);
	category_derive(&cfg, &f, 20261128, &r);
	assert_false(r.has[CAT_UNSUPPORTED]);
	/* the set is configuration: without "imprisoned" the first case fails */
	f = facts(20150301, GS_DECEASED, GS_IMPRISONED, 0);
	cfg.incapacity[GS_IMPRISONED] = 0;
	category_derive(&cfg, &f, 20261128, &r);
	assert_false(r.has[CAT_UNSUPPORTED]);
}

static void test_left_behind(void **state)
{
	category_result r;
	child_facts f = facts(20110601, GS_WORKING_AWAY, GS_WORKING_AWAY, 1);
	child_facts back;

	(void)state;
	category_config_default(&cfg);
	category_derive(&cfg, &f, 20261128, &r); /* 15, rural, both away */
	assert_true(r.has[CAT_LEFT_BEHIND]);
	assert_int_equal(r.reason[CAT_LEFT_BEHIND], CR_BOTH_PARENTS_AWAY);
	/* urban registration: not left-behind */
	f.rural_hukou = 0;
	category_derive(&cfg, &f, 20261128, &r);
	assert_false(r.has[CAT_LEFT_BEHIND]);
	f.rural_hukou = 1;
	/* one away, the other without capacity */
	f.mother = GS_SERIOUS_ILLNESS;
	category_derive(&cfg, &f, 20261128, &r);
	assert_true(r.has[CAT_LEFT_BEHIND]);
	assert_int_equal(r.reason[CAT_LEFT_BEHIND], CR_ONE_AWAY_OTHER_INCAPABLE);
	/* one away, the other at home: not left-behind */
	f.mother = GS_PRESENT;
	category_derive(&cfg, &f, 20261128, &r);
	assert_false(r.has[CAT_LEFT_BEHIND]);
	/* the 16th birthday ends it: day before and day of */
	f = facts(20101128, GS_WORKING_AWAY, GS_WORKING_AWAY, 1);
	category_derive(&cfg, &f, 20261127, &r);
	assert_true(r.has[CAT_LEFT_BEHIND]);
	category_derive(&cfg, &f, 20261128, &r);
	assert_false(r.has[CAT_LEFT_BEHIND]);
	assert_int_equal(category_end_reason(&cfg, CAT_LEFT_BEHIND, &f, &f, 20261128), CR_END_AGE_16);
	/* father returns: ends with "parent returned" */
	f = facts(20150301, GS_WORKING_AWAY, GS_WORKING_AWAY, 1);
	back = f;
	back.father = GS_PRESENT;
	category_derive(&cfg, &back, 20261128, &r);
	assert_false(r.has[CAT_LEFT_BEHIND]);
	assert_int_equal(category_end_reason(&cfg, CAT_LEFT_BEHIND, &f, &back, 20261128), CR_END_PARENT_RETURNED);
	assert_string_equal(category_reason_name(CR_END_PARENT_RETURNED), "parent_returned");
	/* still holds: no end reason */
	assert_int_equal(category_end_reason(&cfg, CAT_LEFT_BEHIND, &f, &f, 20261128), CR_NONE);
}

static void test_difficulty(void **state)
{
	category_result r;
	child_facts f = facts(20150301, GS_PRESENT, GS_PRESENT, 0);

	(void)state;
	category_config_default(&cfg);
	category_derive(&cfg, &f, 20261128, &r);
	assert_false(r.has[CAT_DIFFICULTY]);
	f.family_poverty = 1;
	category_derive(&cfg, &f, 20261128, &r);
	assert_int_equal(r.reason[CAT_DIFFICULTY], CR_FAMILY_POVERTY);
	f.family_poverty = 0;
	f.disability_grade = 2;
	category_derive(&cfg, &f, 20261128, &r);
	assert_int_equal(r.reason[CAT_DIFFICULTY], CR_OWN_DISABILITY);
	f.disability_grade = 0;
	f.serious_illness = 1;
	category_derive(&cfg, &f, 20261128, &r);
	assert_int_equal(r.reason[CAT_DIFFICULTY], CR_OWN_SERIOUS_ILLNESS);
}

static void test_config_parse(void **state)
{
	category_result r;
	child_facts f = facts(20150301, GS_PRESENT, GS_PRESENT, 0);
	char err[300];

	(void)state;
	category_config_default(&cfg);
	/* a county that does not count family poverty as a sub-type */
	assert_int_equal(
		category_config_parse(&cfg, NULL, NULL, NULL, "own_disability, own_serious_illness", err, sizeof(err)),
		0);
	f.family_poverty = 1;
	category_derive(&cfg, &f, 20261128, &r);
	assert_false(r.has[CAT_DIFFICULTY]);
	f.disability_grade = 1;
	category_derive(&cfg, &f, 20261128, &r);
	assert_true(r.has[CAT_DIFFICULTY]);
	/* a province whose incapacity set is only imprisonment */
	category_config_default(&cfg);
	assert_int_equal(category_config_parse(&cfg, "imprisoned", "day_after", "feb28", NULL, err, sizeof(err)), 0);
	assert_int_equal(cfg.birthday, BIRTHDAY_DAY_AFTER);
	assert_int_equal(cfg.leapday, LEAPDAY_FEB_28);
	f = facts(20150301, GS_DECEASED, GS_SERIOUS_ILLNESS, 0);
	category_derive(&cfg, &f, 20261128, &r);
	assert_false(r.has[CAT_UNSUPPORTED]);
	f.mother = GS_IMPRISONED;
	category_derive(&cfg, &f, 20261128, &r);
	assert_true(r.has[CAT_UNSUPPORTED]);
	/* bad values name their setting */
	assert_int_equal(category_config_parse(&cfg, "present", NULL, NULL, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "category_incapacity"));
	assert_int_equal(category_config_parse(&cfg, NULL, "tomorrow", NULL, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "category_birthday"));
	assert_int_equal(category_config_parse(&cfg, NULL, NULL, NULL, "poverty", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "category_difficulty"));
}

static void test_names(void **state)
{
	enum guardian_status s;
	enum category c;

	(void)state;
	for (int i = 0; i < GS__COUNT; i++) {
		assert_int_equal(guardian_status_parse(guardian_status_name((enum guardian_status)i), &s), 0);
		assert_int_equal(s, i);
	}
	for (int i = 0; i < CAT__COUNT; i++) {
		assert_int_equal(category_parse(category_name((enum category)i), &c), 0);
		assert_int_equal(c, i);
	}
	assert_int_equal(guardian_status_parse("nonsense", &s), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_age_boundaries), cmocka_unit_test(test_orphan),
		cmocka_unit_test(test_unsupported),    cmocka_unit_test(test_left_behind),
		cmocka_unit_test(test_difficulty),     cmocka_unit_test(test_names),
		cmocka_unit_test(test_config_parse),   cmocka_unit_test(test_age_day),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
