/*
 * Unit tests for the JSON body helpers of src/api/common.c: api_body_json
 * (object only, duplicate keys rejected, 400 naming the problem) and
 * api_check_fields (unknown, mistyped, missing, too long: 422 naming the
 * field), both answering in the one error shape
 *   {"error":{"code":"...","message":"...","field":"..."}}.
 * The request is a zeroed http_req with buf_init'ed body and out buffers,
 * the way the HTTP layer hands it over.
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

static const api_field spec[] = {
	{"name", JSON_STRING, 1, 96}, {"village_code", JSON_STRING, 1, 12},
	{"note", JSON_STRING, 0, 0},  {"school_id", JSON_INTEGER, 0, 0},
	{"bearer", JSON_TRUE, 0, 0},  {"tags", JSON_ARRAY, 0, 0},
	{"extra", JSON_OBJECT, 0, 0}, {NULL, 0, 0, 0},
};

typedef struct result {
	int rc, status;
	char code[32], field[64];
	int shape_ok;
} result;

static void req_init(http_req *r, const char *body, size_t len)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->body, 1 << 20);
	buf_init(&r->out, 1 << 20);
	assert_int_equal(buf_append(&r->body, body, len), WB_OK);
}

static void req_cleanup(http_req *r)
{
	buf_cleanup(&r->body);
	buf_cleanup(&r->out);
}

static void read_answer(http_req *r, result *res)
{
	json_t *j, *err;

	res->status = r->status;
	res->shape_ok = 0;
	if (!r->out.data)
		return;
	j = json_loads(r->out.data, 0, NULL);
	err = json_object_get(j, "error");
	if (json_is_object(err) && json_is_string(json_object_get(err, "code")) &&
	    json_is_string(json_object_get(err, "message"))) {
		res->shape_ok = 1;
		wb_strlcpy(res->code, json_string_value(json_object_get(err, "code")), sizeof(res->code));
		if (json_is_string(json_object_get(err, "field")))
			wb_strlcpy(res->field, json_string_value(json_object_get(err, "field")), sizeof(res->field));
	}
	json_decref(j);
}

/* Runs api_body_json and, if it accepted the body, api_check_fields. */
static void run(const char *body, size_t len, result *res)
{
	http_req r;
	json_t *obj = NULL;

	memset(res, 0, sizeof(*res));
	req_init(&r, body, len);
	res->rc = api_body_json(&r, &obj);
	if (res->rc == 0) {
		assert_non_null(obj);
		res->rc = api_check_fields(&r, obj, spec);
		json_decref(obj);
	} else {
		assert_null(obj);
	}
	read_answer(&r, res);
	req_cleanup(&r);
}

static const struct {
	const char *body;
	int status; /* 0: accepted */
	const char *code, *field;
} cases[] = {
	/* accepted */
	{"{\"name\":\"Li\",\"village_code\":\"370831101201\"}", 0, NULL, NULL},
	{"{\"name\":\"\xe5\xbc\xa0\xe4\xb8\x89\",\"village_code\":\"370831101201\",\"note\":null,\"school_id\":3,"
	 "\"bearer\":false,\"tags\":[],\"extra\":{}}",
	 0, NULL, NULL},
	{" \n\t{\"name\":\"Li\",\"village_code\":\"1\"}\n", 0, NULL, NULL},
	{"{\"name\":\"Li\",\"village_code\":\"1\",\"school_id\":-9223372036854775808}", 0, NULL, NULL},
	/* not an object, or not JSON */
	{"", 400, "malformed_json", NULL},
	{"{", 400, "malformed_json", NULL},
	{"[]", 400, "malformed_json", NULL},
	{"\"name\"", 400, "malformed_json", NULL},
	{"null", 400, "malformed_json", NULL},
	{"{\"name\":\"Li\"} {}", 400, "malformed_json", NULL},
	{"{'name':'Li'}", 400, "malformed_json", NULL},
	{"{\"name\":\"Li\",}", 400, "malformed_json", NULL},
	{"{\"a\":\"\xff\"}", 400, "malformed_json", NULL},
	{"{\"a\":\"\\u0000\"}", 400, "malformed_json", NULL},
	{"{\"name\":\"Li\",\"name\":\"Wang\"}", 400, "duplicate_key", NULL},
	{"{\"x\":{\"a\":1,\"a\":1}}", 400, "duplicate_key", NULL},
	/* the field spec */
	{"{\"name\":\"Li\",\"village_code\":\"1\",\"colour\":\"red\"}", 422, "unknown_field", "colour"},
	{"{\"Name\":\"Li\",\"village_code\":\"1\"}", 422, "unknown_field", "Name"},
	{"{\"name\":1,\"village_code\":\"1\"}", 422, "invalid_type", "name"},
	{"{\"name\":\"Li\",\"village_code\":\"1\",\"school_id\":\"3\"}", 422, "invalid_type", "school_id"},
	{"{\"name\":\"Li\",\"village_code\":\"1\",\"school_id\":3.0}", 422, "invalid_type", "school_id"},
	{"{\"name\":\"Li\",\"village_code\":\"1\",\"bearer\":1}", 422, "invalid_type", "bearer"},
	{"{\"name\":\"Li\",\"village_code\":\"1\",\"tags\":{}}", 422, "invalid_type", "tags"},
	{"{\"name\":\"Li\",\"village_code\":\"1\",\"extra\":[]}", 422, "invalid_type", "extra"},
	{"{\"village_code\":\"1\"}", 422, "required", "name"},
	{"{\"name\":\"\",\"village_code\":\"1\"}", 422, "required", "name"},
	{"{\"name\":null,\"village_code\":\"1\"}", 422, "required", "name"},
	{"{}", 422, "required", "name"},
	{"{\"name\":\"Li\",\"village_code\":\"3708311012010\"}", 422, "too_long", "village_code"}, /* 13 > 12 */
};

static void test_body_and_fields(void **state)
{
	(void)state;
	for (size_t i = 0; i < WB_ARRAY_LEN(cases); i++) {
		result res;

		run(cases[i].body, strlen(cases[i].body), &res);
		if (cases[i].status == 0) {
			if (res.rc != 0 || res.status != 0)
				fail_msg("case %zu rejected (%d %s): %s", i, res.status, res.code, cases[i].body);
			continue;
		}
		if (res.rc != -1 || res.status != cases[i].status || !res.shape_ok ||
		    strcmp(res.code, cases[i].code) != 0)
			fail_msg("case %zu: got %d %s (shape %d), want %d %s: %s", i, res.status, res.code,
				 res.shape_ok, cases[i].status, cases[i].code, cases[i].body);
		if (cases[i].field)
			assert_string_equal(res.field, cases[i].field);
	}
}

static void test_string_length_in_bytes(void **state)
{
	char body[512];
	buf name;
	result res;

	(void)state;
	/* 32 three-byte characters = 96 bytes: the limit exactly */
	buf_init(&name, 256);
	for (int i = 0; i < 32; i++)
		assert_int_equal(buf_puts(&name, "\xe5\xbc\xa0"), WB_OK);
	assert_int_equal(wb_snprintf(body, sizeof(body), "{\"name\":\"%s\",\"village_code\":\"1\"}", name.data), WB_OK);
	run(body, strlen(body), &res);
	assert_int_equal(res.rc, 0);
	assert_int_equal(buf_puts(&name, "a"), WB_OK); /* 97 bytes */
	assert_int_equal(wb_snprintf(body, sizeof(body), "{\"name\":\"%s\",\"village_code\":\"1\"}", name.data), WB_OK);
	run(body, strlen(body), &res);
	assert_int_equal(res.status, 422);
	assert_string_equal(res.code, "too_long");
	buf_cleanup(&name);
	/* max_len 0 means 256 */
	{
		char note[300];

		memset(note, 'n', 257);
		note[257] = '\0';
		assert_int_equal(wb_snprintf(body, sizeof(body),
					     "{\"name\":\"a\",\"village_code\":\"1\",\"note\":\"%.256s\"}", note),
				 WB_OK);
		run(body, strlen(body), &res);
		assert_int_equal(res.rc, 0);
		assert_int_equal(wb_snprintf(body, sizeof(body),
					     "{\"name\":\"a\",\"village_code\":\"1\",\"note\":\"%s\"}", note),
				 WB_OK);
		run(body, strlen(body), &res);
		assert_string_equal(res.code, "too_long");
	}
}

static void test_body_with_nul_byte(void **state)
{
	static const char body[] = "{\"name\":\"Li\",\"village_code\":\"1\"}\0{\"x\":1}";
	result res;

	(void)state;
	/* the whole body counts, not the C string: a NUL is not the end */
	run(body, sizeof(body) - 1, &res);
	assert_int_equal(res.status, 400);
}

/* api_body itself: a body not sent as application/json (here: no
 * Content-Type at all, as a request without headers has) is refused with
 * 415 naming the header, before the JSON is read; an empty body is 400. */
static void test_body_needs_json_type(void **state)
{
	static const char body[] = "{\"name\":\"Li\",\"village_code\":\"1\"}";
	http_req r;
	json_t *obj = NULL;
	result res = {0};

	(void)state;
	req_init(&r, body, sizeof(body) - 1);
	assert_int_equal(api_body(&r, &obj), -1);
	assert_null(obj);
	read_answer(&r, &res);
	assert_int_equal(res.status, 415);
	assert_string_equal(res.code, "unsupported_media_type");
	assert_string_equal(res.field, "Content-Type");
	req_cleanup(&r);
	req_init(&r, "", 0);
	assert_int_equal(api_body(&r, &obj), -1);
	read_answer(&r, &res);
	assert_int_equal(res.status, 400);
	req_cleanup(&r);
}

/*
 * A bug once (found by fuzz_json_body, fixed): api_error handed the
 * message to json_pack, which refuses text that is not valid UTF-8, and
 * api_json(NULL) then answered 500 "out of memory". Two ways got there:
 *  - api_body: jansson's error text quotes the input near the error, so a
 *    malformed body with a stray non-UTF-8 byte after a bad escape is
 *    echoed into the message;
 *  - api_check_fields: "unknown field '%.80s'" cuts a long key inside a
 *    multi-byte character.
 * Required: 400 malformed_json and 422 unknown_field, as for any other
 * such body.
 */
static void test_error_message_with_invalid_utf8(void **state)
{
	/* minimised from the fuzzer's crash-5cab12b8261ee785fed6c3143505394d49fa7a25 */
	static const char bad_escape[] = "{\"a\\ud80\xda\x9c\":1}";
	char long_key[160];
	result res;
	int bad = 0;

	(void)state;
	run(bad_escape, sizeof(bad_escape) - 1, &res);
	if (res.status != 400 || strcmp(res.code, "malformed_json") != 0) {
		print_message("  bad escape + non-UTF-8 byte: got %d %s, want 400 malformed_json\n", res.status,
			      res.code);
		bad++;
	}
	/* 79 ASCII bytes then a three-byte character across the 80-byte cut */
	memset(long_key, 'k', sizeof(long_key));
	memcpy(long_key, "{\"", 2);
	memcpy(long_key + 2 + 79, "\xe5\xbc\xa0\":1}", 7);
	run(long_key, 2 + 79 + 7, &res);
	if (res.status != 422 || strcmp(res.code, "unknown_field") != 0) {
		print_message("  unknown 82-byte key cut at 80 bytes: got %d %s, want 422 unknown_field\n", res.status,
			      res.code);
		bad++;
	}
	if (bad)
		fail_msg("%d body(ies) answered with the wrong error", bad);
}

/*
 * A bug once (fixed): api_body classified an error as a duplicate key when
 * jansson's error text contained the word "duplicate" anywhere, and that
 * text quotes the input ("... near 'duplicate'"). Required: malformed_json
 * for a body that is simply malformed; jansson 2.14 reports the kind of
 * error in json_error_code(&e) (json_error_duplicate_key).
 */
static void test_malformed_body_quoting_duplicate(void **state)
{
	static const char *const bodies[] = {"{duplicate}", "{\"a\":duplicate}", "[\"duplicate\" 1]"};
	int bad = 0;

	(void)state;
	for (size_t i = 0; i < WB_ARRAY_LEN(bodies); i++) {
		result res;

		run(bodies[i], strlen(bodies[i]), &res);
		if (res.status != 400 || strcmp(res.code, "malformed_json") != 0) {
			print_message("  %s: got %d %s, want 400 malformed_json\n", bodies[i], res.status, res.code);
			bad++;
		}
	}
	if (bad)
		fail_msg("%d malformed body(ies) reported as something else", bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_body_and_fields),
		cmocka_unit_test(test_string_length_in_bytes),
		cmocka_unit_test(test_body_with_nul_byte),
		cmocka_unit_test(test_body_needs_json_type),
		cmocka_unit_test(test_error_message_with_invalid_utf8),
		cmocka_unit_test(test_malformed_body_quoting_duplicate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
