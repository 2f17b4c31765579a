/*
 * Unit tests for src/util/json_out.h: the text of every kind of value is
 * the text jansson's json_dumps(JSON_COMPACT) gives (clients parse both
 * alike), and a buffer's cap is kept.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/util/json_out.h"
#include "../../src/util/wb.h"

/* json_out's text of v equals json_dumps's; v is released */
static void same_as_jansson(json_t *v)
{
	char *want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	buf b;

	assert_non_null(want);
	buf_init(&b, 1u << 20);
	assert_int_equal(json_out(&b, v), WB_OK);
	assert_int_equal(b.len, strlen(want));
	if (strcmp(b.data, want) != 0)
		fail_msg("json_out wrote\n%s\njansson writes\n%s", b.data, want);
	free(want);
	buf_cleanup(&b);
	json_decref(v);
}

static void test_scalars(void **state)
{
	(void)state;
	same_as_jansson(json_true());
	same_as_jansson(json_false());
	same_as_jansson(json_null());
	same_as_jansson(json_integer(0));
	same_as_jansson(json_integer(-1));
	same_as_jansson(json_integer(LLONG_MAX));
	same_as_jansson(json_integer(LLONG_MIN));
	same_as_jansson(json_string(""));
	same_as_jansson(json_string("王小明 370831"));
}

static void test_reals(void **state)
{
	const double v[] = {0.0, 1.0, -2.5, 0.1, 1e20, 1e-5, 1.5e300, -2.5e-300, 123456789.125, 37.5, 1e16, 3.0e-7};

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		same_as_jansson(json_real(v[i]));
}

static void test_escapes(void **state)
{
	char all[40];

	(void)state;
	same_as_jansson(json_string("a \"quoted\" back\\slash / slash"));
	same_as_jansson(json_string("tab\tnew\nline\rcr\bbs\fff"));
	for (int i = 1; i < 32; i++)
		all[i - 1] = (char)i;
	all[31] = '\0';
	same_as_jansson(json_string(all));                /* every control character */
	same_as_jansson(json_stringn("nul\0inside", 10)); /* a NUL is \u0000 */
	same_as_jansson(json_string("=1+1 <b> 'x' \x7f"));
	same_as_jansson(json_pack("{s:s}", "key \"with\"\nescapes", "v"));
}

static void test_containers(void **state)
{
	json_t *o = json_object();

	(void)state;
	same_as_jansson(json_object());
	same_as_jansson(json_array());
	/* keys in the order they were set, not sorted */
	json_object_set_new(o, "zeta", json_integer(1));
	json_object_set_new(o, "alpha", json_string("甲"));
	json_object_set_new(o, "mid", json_pack("[i,s,n,b,{s:[]},[]]", 7, "乙", 1, "k"));
	json_object_set_new(o, "real", json_real(0.25));
	json_object_set_new(o, "empty", json_pack("{}"));
	same_as_jansson(o);
	same_as_jansson(json_pack("[[[[i]]],{s:{s:{s:n}}}]", 1, "a", "b", "c"));
}

static void test_cap(void **state)
{
	json_t *v = json_pack("{s:s}", "name", "a long enough value");
	buf b;

	(void)state;
	buf_init(&b, 10);
	assert_int_equal(json_out(&b, v), WB_ETOOBIG);
	assert_true(b.len <= 10);
	buf_cleanup(&b);
	json_decref(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scalars),    cmocka_unit_test(test_reals), cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_containers), cmocka_unit_test(test_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
