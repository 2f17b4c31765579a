/*
 * Fuzz target: the JSON body path of every API write (src/api/common.c):
 * api_body (jansson json_loadb with JSON_REJECT_DUPLICATES, object only)
 * then api_check_fields against the field specs of the children and login
 * endpoints. The request is a zeroed http_req whose body and out buffers
 * are initialised with buf_init, as the HTTP layer does.
 *
 * Checked on every input: a rejected body answers 400 and an object that
 * fails the spec answers 422, each with the one error shape
 * {"error":{"code":...,"message":...}} as valid JSON; an accepted object
 * really has every required field, of the right type, within its length.
 *
 * The error code is also checked against jansson's error kind
 * (duplicate_key only for a duplicate key), and no error is ever the 500
 * "out of memory" of an error message that was not valid UTF-8: two bugs
 * this target found, since fixed (corpus/json_body/fixed_*, and
 * test_error_message_with_invalid_utf8 and
 * test_malformed_body_quoting_duplicate in tests/unit/test_api_common.c).
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/api/api.h"
#include "../../src/http/http.h"
#include "../../src/util/buf.h"
#include "../../src/util/wb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Copies of the specs in src/api/children.c and src/api/auth.c (static there). */
static const api_field child_fields[] = {
	{"name", JSON_STRING, 1, 96},       {"id_number", JSON_STRING, 0, 32},    {"sex", JSON_STRING, 0, 1},
	{"birth_date", JSON_STRING, 0, 10}, {"village_code", JSON_STRING, 1, 12}, {"grid_code", JSON_STRING, 0, 15},
	{"school_id", JSON_INTEGER, 0, 0},  {"version", JSON_INTEGER, 0, 0},      {NULL, 0, 0, 0},
};

static const api_field login_fields[] = {
	{"username", JSON_STRING, 1, 64},
	{"password", JSON_STRING, 1, 128},
	{"membership_id", JSON_INTEGER, 0, 0},
	{"bearer", JSON_TRUE, 0, 0},
	{NULL, 0, 0, 0},
};

/* The response must be {"error":{"code":"...","message":"..."}}. */
static void check_error_shape(const http_req *r, int status)
{
	json_t *j, *err;

	if (r->status != status || !r->out.data)
		abort();
	j = json_loads(r->out.data, 0, NULL);
	if (!j)
		abort();
	err = json_object_get(j, "error");
	if (!json_is_object(err) || !json_is_string(json_object_get(err, "code")) ||
	    !json_is_string(json_object_get(err, "message")))
		abort();
	json_decref(j);
}

static void check_accepted(json_t *obj, const api_field *spec)
{
	for (const api_field *f = spec; f->name; f++) {
		json_t *v = json_object_get(obj, f->name);

		if (f->required && (!v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0)))
			abort();
		if (!v || json_is_null(v))
			continue;
		if (f->type == JSON_TRUE ? !json_is_boolean(v) : (int)json_typeof(v) != f->type)
			abort();
		if (json_is_string(v) && json_string_length(v) > (f->max_len ? f->max_len : 256))
			abort();
	}
}

static void run_spec(json_t *obj, const api_field *spec)
{
	http_req r;

	memset(&r, 0, sizeof(r));
	buf_init(&r.out, 1 << 20);
	if (api_check_fields(&r, obj, spec) == 0) {
		if (r.status != 0)
			abort();
		check_accepted(obj, spec);
	} else {
		check_error_shape(&r, 422);
	}
	buf_cleanup(&r.out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	http_req r;
	json_t *obj = NULL;

	memset(&r, 0, sizeof(r));
	buf_init(&r.body, 1 << 20);
	buf_init(&r.out, 1 << 20);
	if (buf_append(&r.body, data, size) != 0)
		goto out;
	if (api_body_json(&r, &obj) != 0) {
		if (obj)
			abort();
		check_error_shape(&r, 400);
		/* duplicate_key exactly when jansson found a duplicate key (the
		 * code was once chosen by the word "duplicate" in its message) */
		{
			json_error_t e;
			json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &e);
			int dup = !j && json_error_code(&e) == json_error_duplicate_key;

			json_decref(j);
			if (r.out.data && (strstr(r.out.data, "\"duplicate_key\"") != NULL) != dup)
				abort();
		}
		goto out;
	}
	if (!json_is_object(obj) || r.status != 0)
		abort();
	run_spec(obj, child_fields);
	run_spec(obj, login_fields);
	json_decref(obj);
out:
	buf_cleanup(&r.body);
	buf_cleanup(&r.out);
	return 0;
}
