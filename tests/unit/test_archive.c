/* Retention (SPEC §9): a record archived on a day is erased on the same
 * day of the month N years later in China time, not a day before. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../src/api/archive_api.h"
#include "../../src/domain/date.h"

/* Whether a record archived at `at` is erased by the sweep of today. */
static int erased_on(int64_t at, int today, int years)
{
	return at < archive_erase_before(today, years);
}

static void test_ten_years(void **state)
{
	int64_t start = date_day_start(20161202); /* 2016-12-02 00:00 China */
	int64_t end = start + 86399;              /* 23:59:59 */

	(void)state;
	/* these ten years hold two 29 Februaries (2020, 2024): 365 days a
	 * year would erase on 2026-11-30 */
	assert_false(erased_on(start, 20261130, 10));
	assert_false(erased_on(start, 20261201, 10)); /* the day before */
	assert_false(erased_on(end, 20261201, 10));
	assert_true(erased_on(start, 20261202, 10)); /* the day of */
	assert_true(erased_on(end, 20261202, 10));
	assert_false(erased_on(date_day_start(20161203), 20261202, 10));
	assert_true(erased_on(date_day_start(20161203), 20261203, 10));
	/* a year across the turn of the year */
	assert_false(erased_on(date_day_start(20251231), 20261230, 1));
	assert_true(erased_on(date_day_start(20251231), 20261231, 1));
}

static void test_leap_day(void **state)
{
	int64_t feb29 = date_day_start(20240229) + 3600;

	(void)state;
	/* archived on 29 February: erased on 28 February of a common year */
	assert_false(erased_on(feb29, 20260227, 2));
	assert_true(erased_on(feb29, 20260228, 2));
	/* ... and on 29 February of a leap year, not on the 28th */
	assert_false(erased_on(feb29, 20280228, 4));
	assert_true(erased_on(feb29, 20280229, 4));
	/* archived on 28 February or 1 March: their own day */
	assert_false(erased_on(date_day_start(20240228), 20260227, 2));
	assert_true(erased_on(date_day_start(20240228), 20260228, 2));
	assert_false(erased_on(date_day_start(20240301), 20260228, 2));
	assert_true(erased_on(date_day_start(20240301), 20260301, 2));
	/* on 29 February, from a common year: up to 28 February */
	assert_true(erased_on(date_day_start(20230228), 20280229, 5));
	assert_false(erased_on(date_day_start(20230301), 20280229, 5));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ten_years),
		cmocka_unit_test(test_leap_day),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
