/*
 * The client's address behind a reverse proxy (src/http/forwarded.c): the
 * list of trusted proxies is parsed with an error naming the bad entry;
 * X-Forwarded-For is believed only from a trusted peer and read from the
 * right, so what a client writes into it cannot hide its address.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/http/http.h"
#include "../../src/util/wb.h"

static http_proxies px;

static int setup(void **state)
{
	char err[128];

	(void)state;
	return http_proxies_parse("127.0.0.1, 10.0.0.0/8,192.168.1.7/32", &px, err, sizeof(err)) == WB_OK ? 0 : -1;
}

static void test_parse(void **state)
{
	http_proxies p;
	char err[128] = "";

	(void)state;
	assert_int_equal(px.n, 3);
	assert_int_equal(http_proxies_parse("", &p, err, sizeof(err)), WB_OK);
	assert_int_equal(p.n, 0);
	assert_int_equal(http_proxies_parse(NULL, &p, err, sizeof(err)), WB_OK);
	assert_int_equal(p.n, 0);
	assert_int_equal(http_proxies_parse("0.0.0.0/0", &p, err, sizeof(err)), WB_OK);
	assert_true(http_proxies_match(&p, "8.8.8.8"));
	static const char *const bad[] = {"nginx", "10.0.0.0/33", "10.0.0.0/", "10.0.0.256", "::1", "10.0.0.1/8x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(http_proxies_parse(bad[i], &p, err, sizeof(err)), WB_EINVAL);
		assert_non_null(strstr(err, bad[i])); /* the error names the entry */
	}
	assert_int_equal(http_proxies_parse("1.1.1.1,1.1.1.2,1.1.1.3,1.1.1.4,1.1.1.5,1.1.1.6,1.1.1.7,1.1.1.8,1.1.1.9,"
					    "1.1.1.10,1.1.1.11,1.1.1.12,1.1.1.13,1.1.1.14,1.1.1.15,1.1.1.16,1.1.1.17",
					    &p, err, sizeof(err)),
			 WB_EINVAL);
}

static void test_match(void **state)
{
	(void)state;
	assert_true(http_proxies_match(&px, "127.0.0.1"));
	assert_false(http_proxies_match(&px, "127.0.0.2"));
	assert_true(http_proxies_match(&px, "10.200.3.4"));
	assert_false(http_proxies_match(&px, "11.0.0.1"));
	assert_true(http_proxies_match(&px, "192.168.1.7"));
	assert_false(http_proxies_match(&px, "192.168.1.8"));
	assert_false(http_proxies_match(&px, "::1"));
	assert_false(http_proxies_match(&px, ""));
	assert_false(http_proxies_match(&px, NULL));
}

static const char *client(const http_proxies *p, const char *peer, const char *xff, const char *xreal)
{
	static char out[48];

	http_client_from(p, peer, xff, xreal, out, sizeof(out));
	return out;
}

static void test_client(void **state)
{
	http_proxies none;
	char err[8];

	(void)state;
	assert_int_equal(http_proxies_parse("", &none, err, sizeof(err)), WB_OK);
	/* no proxies configured, or an untrusted peer: the header is ignored */
	assert_string_equal(client(&none, "127.0.0.1", "203.0.113.7", NULL), "127.0.0.1");
	assert_string_equal(client(&px, "198.51.100.1", "203.0.113.7", "203.0.113.8"), "198.51.100.1");
	/* one proxy */
	assert_string_equal(client(&px, "127.0.0.1", "203.0.113.7", NULL), "203.0.113.7");
	assert_string_equal(client(&px, "127.0.0.1", " 203.0.113.7 ", NULL), "203.0.113.7");
	assert_string_equal(client(&px, "127.0.0.1", "2001:db8::5", NULL), "2001:db8::5");
	/* what the client put in front is not believed */
	assert_string_equal(client(&px, "127.0.0.1", "6.6.6.6, 203.0.113.7", NULL), "203.0.113.7");
	/* two proxies: the inner one (10.x) appended the outer one's client */
	assert_string_equal(client(&px, "127.0.0.1", "6.6.6.6,203.0.113.7, 10.1.2.3", NULL), "203.0.113.7");
	/* only proxies: the leftmost one */
	assert_string_equal(client(&px, "127.0.0.1", "10.1.2.3,10.9.9.9", NULL), "10.1.2.3");
	/* garbage ends the walk at the last trusted hop */
	assert_string_equal(client(&px, "127.0.0.1", "evil", NULL), "127.0.0.1");
	assert_string_equal(client(&px, "127.0.0.1", "203.0.113.7,", NULL), "127.0.0.1");
	assert_string_equal(client(&px, "127.0.0.1", "unknown, 10.1.2.3", NULL), "10.1.2.3");
	assert_string_equal(client(&px, "127.0.0.1", "1.2.3.4\r\nX-Evil: 1", NULL), "127.0.0.1");
	/* X-Real-IP when there is no X-Forwarded-For */
	assert_string_equal(client(&px, "127.0.0.1", NULL, "203.0.113.9"), "203.0.113.9");
	assert_string_equal(client(&px, "127.0.0.1", "", "not-an-ip"), "127.0.0.1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_client),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
