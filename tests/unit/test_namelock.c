/*
 * The lockout of unknown user names (src/security/namelock.c): the max-th
 * failure within the window locks, as for an account; older failures do
 * not count; a lock stays; other names are not touched; and a flood of
 * single failures under other names (the table is a fixed size) neither
 * grows memory nor pushes a locked name out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>
#include <sodium.h>

#include "../../src/security/namelock.h"

static void test_locks_on_the_max_th_failure(void **state)
{
	(void)state;
	namelock_init(5, 900);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(namelock_fail("nobody01", 1000 + i), 0);
		assert_int_equal(namelock_locked("nobody01"), 0);
	}
	assert_int_equal(namelock_fail("nobody01", 1004), 1); /* the 5th locks */
	assert_int_equal(namelock_locked("nobody01"), 1);
	assert_int_equal(namelock_fail("nobody01", 1005), 0); /* locked already: not "now locked" again */
	assert_int_equal(namelock_locked("nobody01"), 1);
	assert_int_equal(namelock_locked("nobody02"), 0);
	assert_int_equal(namelock_locked("Nobody01"), 0); /* names are exact, as logins are */
	namelock_free();
}

static void test_window(void **state)
{
	(void)state;
	namelock_init(3, 60);
	assert_int_equal(namelock_fail("ghost", 1000), 0);
	assert_int_equal(namelock_fail("ghost", 1010), 0);
	/* the first two are out of the window by now */
	assert_int_equal(namelock_fail("ghost", 1100), 0);
	assert_int_equal(namelock_fail("ghost", 1110), 0);
	assert_int_equal(namelock_locked("ghost"), 0);
	assert_int_equal(namelock_fail("ghost", 1120), 1);
	namelock_free();
}

static void test_flood_keeps_the_lock(void **state)
{
	char name[32];

	(void)state;
	namelock_init(5, 900);
	for (int i = 0; i < 5; i++)
		namelock_fail("target", 2000);
	assert_int_equal(namelock_locked("target"), 1);
	for (int i = 0; i < 300000; i++) {
		snprintf(name, sizeof(name), "flood%d", i);
		namelock_fail(name, 2001);
	}
	assert_int_equal(namelock_locked("target"), 1);
	namelock_free();
}

static void test_uninitialised_never_locks(void **state)
{
	(void)state;
	namelock_free();
	for (int i = 0; i < 10; i++)
		assert_int_equal(namelock_fail("anyone", 3000), 0);
	assert_int_equal(namelock_locked("anyone"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_locks_on_the_max_th_failure),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_flood_keeps_the_lock),
		cmocka_unit_test(test_uninitialised_never_locks),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
