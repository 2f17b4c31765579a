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
 * With -DFUZZ_STRICT the error code is also checked against jansson's
 * error kind (duplicate_key only for a duplicate key), which fails today.
 *
 * KNOWN BUG tolerated unless built with -DFUZZ_STRICT: when the error
 * message api_error builds is not valid UTF-8, json_pack refuses it and the
 * answer is 500 "out of memory" (see test_error_message_with_invalid_utf8
 * in tests/unit/test_api_common.c). Exactly that case is let through so
 * that fuzzing can go past it; remove the tolerance once src is fixed.
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

#define OOM_BODY "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}"

#ifndef FUZZ_STRICT
/* 1 if s[0..n) is valid UTF-8 as jansson sees it (no overlong forms, no
 * surrogates, nothing above U+10FFFF). */
static int utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i], need, cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			need = 1, cp = c & 0x1F;
		else if (c >= 0xE0 && c <= 0xEF)
			need = 2, cp = c & 0x0F;
		else if (c >= 0xF0 && c <= 0xF4)
			need = 3, cp = c & 0x07;
		else
			return 0;
		for (unsigned k = 1; k <= need; k++) {
			if (i + k >= n || (s[i + k] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += need + 1;
	}
	return 1;
}

#endif

/* The known bug's answer: 500 "out of memory" for a message that is not UTF-8. */
static int known_utf8_bug(const http_req *r, const char *message)
{
#ifdef FUZZ_STRICT
	(void)r;
	(void)message;
	return 0;
#else
	return r->status == 500 && r->out.data && strcmp(r->out.data, OOM_BODY) == 0 && message &&
	       !utf8_valid((const unsigned char *)message, strlen(message));
#endif
}

/* The message api_body builds from jansson's error (see src/api/common.c). */
static void body_message(const uint8_t *data, size_t size, char *msg, size_t msglen)
{
	json_error_t e;
	json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &e);

	msg[0] = '\0';
	if (j) {
		json_decref(j);
		return;
	}
	wb_snprintf(msg, msglen, "%s JSON at line %d, column %d: %s",
		    strstr(e.text, "duplicate") ? "duplicate key in" : "malformed", e.line, e.column, e.text);
}

/* The "unknown field" message api_check_fields would build, if any key is unknown. */
static void unknown_field_message(json_t *obj, const api_field *spec, char *msg, size_t msglen)
{
	const char *key;
	json_t *v;

	msg[0] = '\0';
	json_object_foreach(obj, key, v)
	{
		int known = 0;

		for (const api_field *f = spec; f->name; f++)
			known |= strcmp(f->name, key) == 0;
		if (!known) {
			wb_snprintf(msg, msglen, "unknown field '%.80s'", key);
			return;
		}
	}
}

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
		char msg[200];

		unknown_field_message(obj, spec, msg, sizeof(msg));
		if (!known_utf8_bug(&r, msg))
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
	if (api_body(&r, &obj) != 0) {
		char msg[300];

		if (obj)
			abort();
		body_message(data, size, msg, sizeof(msg));
		if (!known_utf8_bug(&r, msg))
			check_error_shape(&r, 400);
#ifdef FUZZ_STRICT
		/* KNOWN BUG (test_malformed_body_quoting_duplicate): the code is
		 * chosen by looking for "duplicate" in jansson's error text */
		{
			json_error_t e;
			json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &e);
			int dup = !j && json_error_code(&e) == json_error_duplicate_key;

			json_decref(j);
			if (r.out.data && (strstr(r.out.data, "\"duplicate_key\"") != NULL) != dup)
				abort();
		}
#endif
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
