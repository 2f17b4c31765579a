/*
 * The login rate limiter (src/security/ratelimit.c): a budget of attempts
 * per address and window, refilled evenly; another address has its own;
 * no double budget where one clock minute turns into the next; one login
 * in progress per address.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../src/security/ratelimit.h"
#include "../../src/util/buf.h"
#include "../../src/util/wb.h"

static int takes(const char *addr, int64_t now, int n)
{
	int ok = 0;

	for (int i = 0; i < n; i++)
		ok += ratelimit_take(addr, now);
	return ok;
}

static void test_budget_and_refill(void **state)
{
	(void)state;
	ratelimit_init(3, 60, 1);
	assert_int_equal(takes("203.0.113.7", 1000, 3), 3);
	assert_int_equal(ratelimit_take("203.0.113.7", 1001), 0);  /* the fourth waits */
	assert_int_equal(ratelimit_take("198.51.100.4", 1001), 1); /* another address does not */
	/* one attempt back every 20 s (3 a minute) */
	assert_int_equal(ratelimit_take("203.0.113.7", 1015), 0);
	assert_int_equal(ratelimit_take("203.0.113.7", 1021), 1);
	assert_int_equal(ratelimit_take("203.0.113.7", 1022), 0);
	/* a whole window unused: the whole budget again */
	assert_int_equal(takes("203.0.113.7", 1100, 4), 3);
}

static void test_no_double_budget_at_the_minute(void **state)
{
	(void)state;
	ratelimit_init(3, 60, 1);
	/* three at 11:59:59 and three more at 12:00:00 would pass a counter
	 * per clock minute; the bucket lets none of the second three */
	assert_int_equal(takes("203.0.113.9", 59 + 60 * 100, 3), 3);
	assert_int_equal(takes("203.0.113.9", 60 * 101, 3), 0);
}

/* "10.0.<i / 256>.<i % 256>" into out (16 bytes) */
static void addr_of(int i, char *out)
{
	assert_int_equal(wb_snprintf(out, 16, "10.0.%d.%d", i / 256, i % 256), WB_OK);
}

/* Many addresses, whatever their hashes, each with a budget of its own:
 * a slot holds its address, and one taken by another sends the next on
 * (with 300 addresses in the table two would share a slot of a bare hash
 * almost surely). A whole window later every budget is whole again. */
static void test_addresses_keep_their_own_budget(void **state)
{
	char addr[16];

	(void)state;
	ratelimit_init(2, 60, 1);
	for (int i = 0; i < 300; i++) {
		addr_of(i, addr);
		assert_int_equal(takes(addr, 1000, 3), 2);
	}
	for (int i = 0; i < 300; i++) {
		addr_of(i, addr);
		assert_int_equal(ratelimit_take(addr, 1001), 0);
	}
	for (int i = 0; i < 300; i += 7) {
		addr_of(i, addr);
		assert_int_equal(takes(addr, 1061, 3), 2);
	}
}

static void test_disabled(void **state)
{
	(void)state;
	ratelimit_init(0, 60, 1);
	assert_int_equal(takes("203.0.113.7", 5, 1000), 1000);
}

static void test_one_check_per_address(void **state)
{
	(void)state;
	assert_int_equal(ratelimit_busy_enter("203.0.113.7"), 1);
	assert_int_equal(ratelimit_busy_enter("203.0.113.7"), 0);  /* the second waits */
	assert_int_equal(ratelimit_busy_enter("203.0.113.70"), 1); /* not a prefix match */
	assert_int_equal(ratelimit_busy_enter("198.51.100.4"), 1);
	ratelimit_busy_leave("203.0.113.7");
	assert_int_equal(ratelimit_busy_enter("203.0.113.7"), 1);
	assert_int_equal(ratelimit_busy_enter("198.51.100.4"), 0); /* still busy after another left */
	ratelimit_busy_leave("203.0.113.7");
	ratelimit_busy_leave("203.0.113.70");
	ratelimit_busy_leave("198.51.100.4");
	ratelimit_busy_leave("192.0.2.1"); /* not busy: nothing happens */
	assert_int_equal(ratelimit_busy_enter("198.51.100.4"), 1);
	ratelimit_busy_leave("198.51.100.4");
}

/* login_checks above 1 lets that many at once; 0 lets any number */
static void test_checks_per_address(void **state)
{
	(void)state;
	ratelimit_init(0, 60, 2);
	assert_int_equal(ratelimit_busy_enter("203.0.113.7"), 1);
	assert_int_equal(ratelimit_busy_enter("203.0.113.7"), 1);
	assert_int_equal(ratelimit_busy_enter("203.0.113.7"), 0); /* the third waits */
	ratelimit_busy_leave("203.0.113.7");
	assert_int_equal(ratelimit_busy_enter("203.0.113.7"), 1);
	ratelimit_busy_leave("203.0.113.7");
	ratelimit_busy_leave("203.0.113.7");
	ratelimit_init(0, 60, 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(ratelimit_busy_enter("203.0.113.7"), 1);
	for (int i = 0; i < 5; i++)
		ratelimit_busy_leave("203.0.113.7");
	ratelimit_init(0, 60, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_budget_and_refill),  cmocka_unit_test(test_no_double_budget_at_the_minute),
		cmocka_unit_test(test_disabled),           cmocka_unit_test(test_one_check_per_address),
		cmocka_unit_test(test_checks_per_address), cmocka_unit_test(test_addresses_keep_their_own_budget),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
