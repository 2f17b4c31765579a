/*
 * Unit tests for src/domain/entitlement.h: a policy's rule of eligibility
 * over a child's facts (每个条件都须满足), the months a benefit is paid in,
 * and the month arithmetic of the ledger.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/domain/category.h"
#include "../../src/domain/entitlement.h"

static ent_facts child(int age, unsigned cats)
{
	ent_facts f;

	memset(&f, 0, sizeof(f));
	f.age = age;
	f.hukou = 1;
	f.cats = cats;
	return f;
}

static void test_empty_rule(void **state)
{
	ent_rule r;
	ent_facts f = child(10, 0);

	(void)state;
	ent_rule_init(&r);
	/* a rule that sets nothing covers every child under 18 */
	assert_int_equal(ent_eval(&r, &f), 0);
	f.age = 0;
	assert_int_equal(ent_eval(&r, &f), 0);
	f.age = 17;
	assert_int_equal(ent_eval(&r, &f), 0);
	/* and never a grown-up or a child of unknown age */
	f.age = 18;
	assert_int_equal(ent_eval(&r, &f), EU_AGE);
	f.age = -1;
	assert_int_equal(ent_eval(&r, &f), EU_AGE);
}

static void test_categories_any_of(void **state)
{
	ent_rule r;
	ent_facts f = child(9, 1u << CAT_LEFT_BEHIND);

	(void)state;
	ent_rule_init(&r);
	r.cats = (1u << CAT_ORPHAN) | (1u << CAT_UNSUPPORTED);
	assert_int_equal(ent_eval(&r, &f), EU_CATEGORY);
	f.cats |= 1u << CAT_UNSUPPORTED; /* one of them is enough */
	assert_int_equal(ent_eval(&r, &f), 0);
	f.cats = 1u << CAT_ORPHAN;
	assert_int_equal(ent_eval(&r, &f), 0);
}

static void test_age_range_inclusive(void **state)
{
	ent_rule r;
	ent_facts f = child(6, 0);

	(void)state;
	ent_rule_init(&r);
	r.age_min = 6;
	r.age_max = 15;
	assert_int_equal(ent_eval(&r, &f), 0);
	f.age = 15;
	assert_int_equal(ent_eval(&r, &f), 0);
	f.age = 5;
	assert_int_equal(ent_eval(&r, &f), EU_AGE);
	f.age = 16;
	assert_int_equal(ent_eval(&r, &f), EU_AGE);
	/* age_min 0 is a condition too (not "unset") */
	ent_rule_init(&r);
	r.age_min = 0;
	r.age_max = 6;
	f.age = 0;
	assert_int_equal(ent_eval(&r, &f), 0);
	f.age = 7;
	assert_int_equal(ent_eval(&r, &f), EU_AGE);
}

static void test_every_condition_reported(void **state)
{
	ent_rule r;
	ent_facts f = child(12, 0);

	(void)state;
	ent_rule_init(&r);
	r.cats = 1u << CAT_DIFFICULTY;
	r.age_max = 6;
	r.hukou = 2; /* urban */
	r.disability_grades = (1u << 1) | (1u << 2);
	r.family_poverty = 1;
	r.serious_illness = 1;
	/* a rural child of 12 with no category, disability, poverty or illness
	 * misses every condition, and each is named */
	assert_int_equal(ent_eval(&r, &f), EU_CATEGORY | EU_AGE | EU_HUKOU | EU_DISABILITY | EU_POVERTY | EU_ILLNESS);
	f.cats = 1u << CAT_DIFFICULTY;
	f.age = 4;
	f.hukou = 2;
	f.disability_grade = 3; /* grade 3 is not among 1-2 */
	f.family_poverty = 1;
	f.serious_illness = 1;
	assert_int_equal(ent_eval(&r, &f), EU_DISABILITY);
	f.disability_grade = 2;
	assert_int_equal(ent_eval(&r, &f), 0);
	f.hukou = 0; /* unknown registration does not pass a hukou condition */
	assert_int_equal(ent_eval(&r, &f), EU_HUKOU);
	assert_string_equal(ent_unmet_name(0), "category");
	assert_string_equal(ent_unmet_name(5), "illness");
	assert_string_equal(ent_unmet_name(6), "ended");
	assert_string_equal(ent_unmet_name(7), "excluded");
	assert_string_equal(ent_unmet_name(8), "");
}

static void test_benefit_names(void **state)
{
	enum ent_benefit b;

	(void)state;
	for (int i = 0; i < EB__COUNT; i++) {
		assert_int_equal(ent_benefit_parse(ent_benefit_name((enum ent_benefit)i), &b), 0);
		assert_int_equal(b, i);
	}
	assert_int_not_equal(ent_benefit_parse("monthly", &b), 0);
	assert_int_not_equal(ent_benefit_parse(NULL, &b), 0);
}

static void test_months(void **state)
{
	char s[8];
	int ym = 0;

	(void)state;
	assert_int_equal(month_parse("2026-11", &ym), 0);
	assert_int_equal(ym, 202611);
	assert_int_not_equal(month_parse("2026-13", &ym), 0);
	assert_int_not_equal(month_parse("2026-00", &ym), 0);
	assert_int_not_equal(month_parse("2026-1", &ym), 0);
	assert_int_not_equal(month_parse("2026/11", &ym), 0);
	assert_int_not_equal(month_parse("2026-11-01", &ym), 0);
	assert_int_equal(month_add(202611, 2), 202701);
	assert_int_equal(month_add(202601, -1), 202512);
	assert_int_equal(month_add(202612, -12), 202512);
	assert_int_equal(month_diff(202511, 202611), 12);
	assert_int_equal(month_diff(202611, 202511), -12);
	month_format(202701, s);
	assert_string_equal(s, "2027-01");
}

static void test_pays_in(void **state)
{
	(void)state;
	/* a monthly allowance pays every month from the first to the last */
	assert_true(ent_pays_in(EB_MONTHLY, 202601, 0, 202611));
	assert_true(ent_pays_in(EB_MONTHLY, 202601, 202611, 202611));
	assert_false(ent_pays_in(EB_MONTHLY, 202601, 202610, 202611));
	assert_false(ent_pays_in(EB_MONTHLY, 202612, 0, 202611));
	/* one-off aid and in-kind help once, in their first month */
	assert_true(ent_pays_in(EB_ONE_OFF, 202611, 0, 202611));
	assert_false(ent_pays_in(EB_ONE_OFF, 202610, 0, 202611));
	assert_true(ent_pays_in(EB_IN_KIND, 202611, 202611, 202611));
	assert_false(ent_pays_in(EB_IN_KIND, 202511, 0, 202611));
	/* a cancelled receipt (last month before the first) pays nothing */
	assert_false(ent_pays_in(EB_ONE_OFF, 202611, 202610, 202611));
	assert_false(ent_pays_in(EB_INSURANCE, 202611, 202610, 202611));
	/* fee waivers and insurance subsidies yearly, from the first month,
	 * across the turn of a year, while the receipt is open */
	assert_true(ent_pays_in(EB_INSURANCE, 202601, 0, 202601));
	assert_false(ent_pays_in(EB_INSURANCE, 202601, 0, 202611));
	assert_false(ent_pays_in(EB_INSURANCE, 202601, 0, 202612));
	assert_true(ent_pays_in(EB_INSURANCE, 202601, 0, 202701));
	assert_true(ent_pays_in(EB_FEE_WAIVER, 202509, 0, 202609));
	assert_true(ent_pays_in(EB_FEE_WAIVER, 202509, 0, 202809));
	assert_false(ent_pays_in(EB_FEE_WAIVER, 202509, 0, 202608));
	assert_false(ent_pays_in(EB_FEE_WAIVER, 202509, 0, 202610));
	assert_true(ent_pays_in(EB_FEE_WAIVER, 202509, 202609, 202609));
	assert_false(ent_pays_in(EB_FEE_WAIVER, 202509, 202608, 202609)); /* ended before its second year */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_rule),
		cmocka_unit_test(test_categories_any_of),
		cmocka_unit_test(test_age_range_inclusive),
		cmocka_unit_test(test_every_condition_reported),
		cmocka_unit_test(test_benefit_names),
		cmocka_unit_test(test_months),
		cmocka_unit_test(test_pays_in),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
