/*
 * Unit tests for http_match and http_param (src/http/http.h): literal
 * segments match exactly, {name} takes one non-empty segment of at most 63
 * bytes, nothing is ignored (no trailing slash, no extra segment), and at
 * most HTTP_MAX_PARAMS parameters. The last test walks the real route table
 * and checks that no route is shadowed by an earlier one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/api/api.h"
#include "../../src/http/http.h"
#include "../../src/util/buf.h"
#include "../../src/util/wb.h"

static void test_match_table(void **state)
{
	static const struct {
		const char *pattern, *path;
		int want;
		const char *p1, *v1, *p2, *v2; /* expected parameters (name, value) */
	} cases[] = {
		{"/api/v1/children/{id}", "/api/v1/children/42", 1, "id", "42", NULL, NULL},
		{"/api/v1/children/{id}", "/api/v1/children/0", 1, "id", "0", NULL, NULL},
		{"/api/v1/children/{id}", "/api/v1/children/abc", 1, "id", "abc", NULL,
		 NULL},                                                                    /* typing is the API's job */
		{"/api/v1/children/{id}", "/api/v1/children/", 0, NULL, NULL, NULL, NULL}, /* empty parameter */
		{"/api/v1/children/{id}", "/api/v1/children", 0, NULL, NULL, NULL, NULL},
		{"/api/v1/children/{id}", "/api/v1/children/42/", 0, NULL, NULL, NULL, NULL}, /* trailing slash */
		{"/api/v1/children/{id}", "/api/v1/children/42/history", 0, NULL, NULL, NULL, NULL},
		{"/api/v1/children/{id}", "/api/v1/children//42", 0, NULL, NULL, NULL, NULL},
		{"/api/v1/children/{id}", "/api/v1/Children/42", 0, NULL, NULL, NULL, NULL}, /* case matters */
		{"/api/v1/children/{id}/history", "/api/v1/children/42/history", 1, "id", "42", NULL, NULL},
		{"/api/v1/children/{id}/history", "/api/v1/children/42/history/", 0, NULL, NULL, NULL, NULL},
		{"/api/v1/children/{id}/history", "/api/v1/children/42/histor", 0, NULL, NULL, NULL, NULL},
		{"/api/v1/children/{id}/history", "/api/v1/children/42/historyx", 0, NULL, NULL, NULL, NULL},
		{"/api/v1/children/{id}/history", "/api/v1/children//history", 0, NULL, NULL, NULL, NULL},
		{"/api/v1/children", "/api/v1/children", 1, NULL, NULL, NULL, NULL},
		{"/api/v1/children", "/api/v1/children/", 0, NULL, NULL, NULL, NULL},
		{"/api/v1/children", "/api/v1/child", 0, NULL, NULL, NULL, NULL},
		{"/api/v1/children", "/api/v1/childrenx", 0, NULL, NULL, NULL, NULL},
		{"/api/v1/children", "//api/v1/children", 0, NULL, NULL, NULL, NULL},
		{"/api/v1/children", "", 0, NULL, NULL, NULL, NULL},
		{"/a/{x}/b/{y}", "/a/1/b/2", 1, "x", "1", "y", "2"},
		{"/a/{x}/b/{y}", "/a/1/c/2", 0, NULL, NULL, NULL, NULL},
		{"/a/{x}/b/{y}", "/a/1/b/", 0, NULL, NULL, NULL, NULL},
		{"/a/{x}/{y}", "/a/1/2", 1, "x", "1", "y", "2"},
		{"/a/{x}/{y}", "/a/1", 0, NULL, NULL, NULL, NULL},
		{"/a/{x}", "/a/%2F..%00", 1, "x", "%2F..%00", NULL,
		 NULL}, /* bytes, decoded or not, stay in one segment */
		{"/a/{x}", "/a/\xe5\x84\xbf", 1, "x", "\xe5\x84\xbf", NULL, NULL},
		{"/a/{x", "/a/1", 0, NULL, NULL, NULL, NULL}, /* unterminated parameter in the pattern */
		{"/a/{x}", "/a/1?x=2", 1, "x", "1?x=2", NULL, NULL},
		{"", "", 1, NULL, NULL, NULL, NULL},
		{"/", "/", 1, NULL, NULL, NULL, NULL},
	};

	(void)state;
	for (size_t i = 0; i < WB_ARRAY_LEN(cases); i++) {
		http_req r;
		int got;

		memset(&r, 0, sizeof(r));
		got = http_match(cases[i].pattern, cases[i].path, &r);
		if (got != cases[i].want)
			fail_msg("case %zu: %s vs %s: got %d, want %d", i, cases[i].pattern, cases[i].path, got,
				 cases[i].want);
		if (!got)
			continue;
		assert_int_equal(r.nparams, (cases[i].p1 != NULL) + (cases[i].p2 != NULL));
		if (cases[i].p1) {
			assert_non_null(http_param(&r, cases[i].p1));
			assert_string_equal(http_param(&r, cases[i].p1), cases[i].v1);
		}
		if (cases[i].p2) {
			assert_non_null(http_param(&r, cases[i].p2));
			assert_string_equal(http_param(&r, cases[i].p2), cases[i].v2);
		}
	}
}

static void test_param_length(void **state)
{
	char path[256], val[128];
	http_req r;

	(void)state;
	for (size_t len = 60; len <= 70; len++) {
		memset(val, '7', len);
		val[len] = '\0';
		assert_int_equal(wb_snprintf(path, sizeof(path), "/api/v1/children/%s", val), WB_OK);
		memset(&r, 0, sizeof(r));
		if (http_match("/api/v1/children/{id}", path, &r) != (len < sizeof(r.param_values[0])))
			fail_msg("parameter of %zu bytes", len);
		if (len < sizeof(r.param_values[0]))
			assert_string_equal(http_param(&r, "id"), val);
	}
	/* the same cap in the middle of a path */
	memset(val, 'a', 64);
	val[64] = '\0';
	assert_int_equal(wb_snprintf(path, sizeof(path), "/api/v1/children/%s/history", val), WB_OK);
	memset(&r, 0, sizeof(r));
	assert_int_equal(http_match("/api/v1/children/{id}/history", path, &r), 0);
}

static void test_param_count(void **state)
{
	http_req r;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(HTTP_MAX_PARAMS, 4);
	assert_int_equal(http_match("/{a}/{b}/{c}/{d}", "/1/2/3/4", &r), 1);
	assert_int_equal(r.nparams, 4);
	assert_string_equal(http_param(&r, "a"), "1");
	assert_string_equal(http_param(&r, "d"), "4");
	memset(&r, 0, sizeof(r));
	assert_int_equal(http_match("/{a}/{b}/{c}/{d}/{e}", "/1/2/3/4/5", &r), 0);
}

static void test_param_lookup(void **state)
{
	http_req r;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(http_match("/x/{id}/y/{idx}", "/x/1/y/2", &r), 1);
	assert_string_equal(http_param(&r, "id"), "1");
	assert_string_equal(http_param(&r, "idx"), "2");
	assert_null(http_param(&r, "i"));    /* no prefix match */
	assert_null(http_param(&r, "idxx")); /* no overlong match */
	assert_null(http_param(&r, "code"));
	assert_null(http_param(&r, ""));
}

/* Builds a concrete path for pattern by replacing every {name} with v. */
static void instantiate(const char *pattern, const char *v, char *out, size_t outlen)
{
	buf b;

	buf_init(&b, outlen - 1);
	for (const char *p = pattern; *p;) {
		if (*p == '{') {
			const char *end = strchr(p, '}');

			assert_non_null(end);
			assert_int_equal(buf_puts(&b, v), WB_OK);
			p = end + 1;
		} else {
			assert_int_equal(buf_append(&b, p, 1), WB_OK);
			p++;
		}
	}
	assert_int_equal(wb_strlcpy(out, b.data ? b.data : "", outlen), WB_OK);
	buf_cleanup(&b);
}

static void test_route_table_not_shadowed(void **state)
{
	size_t n = 0;

	(void)state;
	for (const http_route *rt = api_routes; rt->method; rt++, n++) {
		char path[256];
		const http_route *first = NULL;

		instantiate(rt->pattern, "123", path, sizeof(path));
		for (const http_route *q = api_routes; q->method; q++) {
			http_req r;

			memset(&r, 0, sizeof(r));
			if (strcmp(q->method, rt->method) == 0 && http_match(q->pattern, path, &r)) {
				first = q;
				break;
			}
		}
		if (first != rt)
			fail_msg("%s %s (as %s) is answered by %s %s", rt->method, rt->pattern, path,
				 first ? first->method : "-", first ? first->pattern : "nothing");
		/* and a trailing slash reaches no route at all */
		{
			char slash[260];

			assert_int_equal(wb_snprintf(slash, sizeof(slash), "%s/", path), WB_OK);
			for (const http_route *q = api_routes; q->method; q++) {
				http_req r;

				memset(&r, 0, sizeof(r));
				if (http_match(q->pattern, slash, &r))
					fail_msg("%s matches %s", slash, q->pattern);
			}
		}
	}
	assert_true(n > 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match_table),
		cmocka_unit_test(test_param_length),
		cmocka_unit_test(test_param_count),
		cmocka_unit_test(test_param_lookup),
		cmocka_unit_test(test_route_table_not_shadowed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
