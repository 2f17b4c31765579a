/*
 * What every API request shares: the error shape, JSON parsing with strict
 * field checking, authentication and CSRF, the principal, and replay of
 * writes sent with an Idempotency-Key.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../domain/area.h"
#include "../domain/date.h"
#include "../domain/fields.h"
#include "../store/q_loop.h"
#include "../util/clock.h"
#include "../util/json_out.h"
#include "../util/log.h"
#include "../util/table.h"
#include "../util/wb.h"
#include "api.h"

/* Copies s into out replacing every byte that is not part of valid UTF-8
 * with '?', so text quoted from a client's input can always be encoded. */
static void utf8_clean(const char *s, char *out, size_t outlen)
{
	size_t o = 0;

	while (*s && o + 5 < outlen) {
		unsigned char c = (unsigned char)*s;
		size_t n = c < 0x80                          ? 1
			   : (c & 0xE0) == 0xC0 && c >= 0xC2 ? 2
			   : (c & 0xF0) == 0xE0              ? 3
			   : (c & 0xF8) == 0xF0 && c <= 0xF4 ? 4
							     : 0;
		size_t k = 1;

		while (n > 1 && k < n && ((unsigned char)s[k] & 0xC0) == 0x80)
			k++;
		if (n == 0 || k < n || (n == 3 && c == 0xE0 && (unsigned char)s[1] < 0xA0) ||
		    (n == 3 && c == 0xED && (unsigned char)s[1] >= 0xA0) ||
		    (n == 4 && c == 0xF0 && (unsigned char)s[1] < 0x90) ||
		    (n == 4 && c == 0xF4 && (unsigned char)s[1] >= 0x90)) {
			out[o++] = '?';
			s++;
			continue;
		}
		memcpy(out + o, s, n);
		o += n;
		s += n;
	}
	out[o] = '\0';
}

int api_error(http_req *r, int status, const char *code, const char *message, const char *field)
{
	char msg[512], fld[128];
	json_t *err;

	utf8_clean(message, msg, sizeof(msg));
	err = json_pack("{s:s, s:s}", "code", code, "message", msg);
	if (field && err) {
		utf8_clean(field, fld, sizeof(fld));
		json_object_set_new(err, "field", json_string(fld));
	}
	return api_json(r, status, json_pack("{s:o}", "error", err));
}

int api_admin_only(http_req *r, const sec_principal *p, const char *message)
{
	if (p->def->manage_users)
		return 1;
	api_error(r, 403, "forbidden", message, NULL);
	return 0;
}

int api_fail(http_req *r, int status)
{
	switch (status) {
	case WB_ENOTFOUND: return api_error(r, 404, "not_found", "no such record", NULL);
	case WB_ECONFLICT: return api_error(r, 409, "conflict", "the record was changed or already exists", NULL);
	case WB_EFORBIDDEN: return api_error(r, 403, "forbidden", "not allowed for your role", NULL);
	case WB_EAUTH: return api_error(r, 401, "unauthenticated", "please log in", NULL);
	case WB_EINVAL: return api_error(r, 422, "validation_failed", "invalid input", NULL);
	case WB_ETOOBIG: return api_error(r, 413, "too_large", "input too large", NULL);
	case WB_EBUSY: return api_error(r, 503, "busy", "the server is busy, try again", NULL);
	default: return api_error(r, 500, "internal", "internal error", NULL);
	}
}

int api_csv_defuse(const char *s)
{
	/* '=x too: it gets a second ', so that a reader that takes one off
	 * (table_add_cell) reads '=x again, not =x */
	s += strspn(s, "'");
	return s[0] && strchr(TABLE_FORMULA_STARTS, s[0]) != NULL;
}

size_t api_utf8_chars(const char *s)
{
	size_t n = 0;

	/* every byte but the continuation bytes starts a character */
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

int api_csv_cell(buf *b, const char *s, int last)
{
	int quote = strpbrk(s, ",\"\r\n") != NULL;
	int rc = WB_OK;

	/* written straight into b, whatever the text's length: nothing is cut */
	if (quote)
		rc |= buf_puts(b, "\"");
	if (api_csv_defuse(s))
		rc |= buf_puts(b, "'");
	if (quote) {
		for (const char *q = s; *q && rc == WB_OK;) {
			size_t run = strcspn(q, "\"");

			rc |= buf_append(b, q, run);
			q += run;
			if (*q == '"') {
				rc |= buf_puts(b, "\"\"");
				q++;
			}
		}
		rc |= buf_puts(b, "\"");
	} else {
		rc |= buf_puts(b, s);
	}
	rc |= buf_puts(b, last ? "\r\n" : ",");
	return rc ? WB_ETOOBIG : WB_OK;
}

json_t *api_page(json_t *items, int n, int limit, int64_t last_id)
{
	json_t *j = json_pack("{s:o}", "items", items);

	if (j)
		json_object_set_new(j, "next_cursor", n == limit ? json_sprintf("%" PRId64, last_id) : json_null());
	return j;
}

void api_list_init(api_list *l)
{
	l->items = json_array();
	l->last_id = 0;
	l->n = 0;
}

void api_list_add(api_list *l, json_t *item, int64_t id)
{
	json_array_append_new(l->items, item);
	l->last_id = id;
	l->n++;
}

void api_list_cleanup(api_list *l)
{
	json_decref(l->items);
	l->items = NULL;
}

json_t *api_list_page(api_list *l, int limit)
{
	json_t *items = l->items;

	l->items = NULL;
	return api_page(items, l->n, limit, l->last_id);
}

typedef struct read_defer {
	app *a;
	audit_entry e;
} read_defer;

/* The writer committed (or lost) a deferred read's entry. */
static void read_done(void *arg, int rc)
{
	http_req *r = arg;

	if (rc != WB_OK)
		api_fail(r, WB_ESTORE);
	http_resume(r);
}

static void read_defer_start(http_req *r, void *arg)
{
	read_defer *d = arg;
	int rc = audit_post(d->a->audit, &d->e, NULL, NULL, 0, read_done, r);

	free(d);
	if (rc != WB_OK)
		read_done(r, WB_ESTORE);
}

int api_audit_read(http_req *r, app *a, const audit_entry *e)
{
	api_conn_release(r); /* every read is done: wait for the audit entry without it */
	if (http_can_defer(r)) {
		read_defer *d = malloc(sizeof(*d));

		if (d) {
			d->a = a;
			d->e = *e;
			http_defer(r, read_defer_start, d);
			return WB_OK;
		}
	}
	return audit_submit(a->audit, e, NULL, NULL);
}

int api_list_answer(http_req *r, app *a, const audit_entry *e, api_list *l, int limit)
{
	if (api_audit_read(r, a, e) != WB_OK) {
		api_list_cleanup(l);
		return api_fail(r, WB_ESTORE);
	}
	return api_json(r, 200, api_list_page(l, limit));
}

int api_json(http_req *r, int status, json_t *j)
{
	r->status = status;
	r->content_type = "application/json; charset=utf-8";
	buf_reset(&r->out);
	if (!j) {
		r->status = 500;
		buf_puts(&r->out, "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}");
		return 0;
	}
	buf_grow(&r->out, 4096); /* a child's record, a page of a list: mostly less */
	if (json_out(&r->out, j) != WB_OK) {
		r->status = 500;
		buf_reset(&r->out);
		buf_puts(&r->out, "{\"error\":{\"code\":\"internal\",\"message\":\"response too large\"}}");
	}
	json_decref(j);
	return 0;
}

static int is_json_type(const char *ct)
{
	static const char want[] = "application/json";
	size_t n = sizeof(want) - 1;

	if (!ct)
		return 0;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (strncasecmp(ct, want, n) != 0)
		return 0;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}

int api_body(http_req *r, json_t **out)
{
	const char *ct = http_header(r, "Content-Type");

	*out = NULL;
	/* A form of another site can post text/plain (or urlencoded, or
	 * multipart) without a preflight, never application/json. */
	if (r->body.len > 0 && !is_json_type(ct)) {
		char given[80], msg[300];

		utf8_clean(ct ? ct : "", given, sizeof(given));
		wb_snprintf(msg, sizeof(msg), "the body must be sent as Content-Type: application/json, not %s%s%s",
			    ct ? "'" : "", ct ? given : "none", ct ? "'" : "");
		api_error(r, 415, "unsupported_media_type", msg, "Content-Type");
		return -1;
	}
	return api_body_json(r, out);
}

int api_body_json(http_req *r, json_t **out)
{
	json_error_t e;
	json_t *j;
	char msg[300];

	*out = NULL;
	if (r->body.len == 0) {
		api_error(r, 400, "malformed_json", "request body must be a JSON object", NULL);
		return -1;
	}
	{
		/* a NUL byte as it is, not written \u0000: jansson takes it for the
		 * end of the text ("invalid token near end of file") */
		const char *nul = memchr(r->body.data, 0, r->body.len);

		if (nul) {
			int line = 1, column = 0;

			for (const char *q = r->body.data; q <= nul; q++) {
				if (*q == '\n') {
					line++;
					column = 0;
				} else if (((unsigned char)*q & 0xC0) != 0x80) {
					column++;
				}
			}
			wb_snprintf(msg, sizeof(msg),
				    "malformed JSON at line %d, column %d: text must not contain the NUL character",
				    line, column);
			api_error(r, 400, "malformed_json", msg, NULL);
			return -1;
		}
	}
	j = json_loadb(r->body.data, r->body.len, JSON_REJECT_DUPLICATES, &e);
	if (!j) {
		int dup = json_error_code(&e) == json_error_duplicate_key;
		int nul = json_error_code(&e) == json_error_null_character ||
			  json_error_code(&e) == json_error_null_byte_in_key;

		/* jansson's words for \u0000 name a flag of its own: the caller
		 * is told what is wrong with the text instead */
		wb_snprintf(msg, sizeof(msg), "%s at line %d, column %d: %s",
			    dup ? "duplicate key in JSON" : "malformed JSON", e.line, e.column,
			    nul ? "text must not contain the NUL character (\\u0000)" : e.text);
		api_error(r, 400, dup ? "duplicate_key" : "malformed_json", msg, NULL);
		return -1;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		api_error(r, 400, "malformed_json", "request body must be a JSON object", NULL);
		return -1;
	}
	*out = j;
	return 0;
}

static const char *type_name(int t)
{
	switch (t) {
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_TRUE: return "true or false";
	default: return "a value";
	}
}

static int type_ok(json_t *v, int t)
{
	if (json_is_null(v))
		return 1; /* null clears an optional field; required-ness is checked apart */
	if (t == JSON_TRUE)
		return json_is_boolean(v);
	return (int)json_typeof(v) == t;
}

/* The field's name as an error names it: key, or path.key inside an
 * array's object (guardians[0].status_since). */
static const char *field_name(char *out, size_t n, const char *path, const char *key)
{
	if (!path)
		return key;
	wb_snprintf(out, n, "%s.%.80s", path, key);
	return out;
}

static int check_fields(http_req *r, json_t *obj, const api_field *spec, int check_required, const char *path)
{
	const char *key;
	json_t *v;
	char msg[200], name[128];

	json_object_foreach(obj, key, v)
	{
		const api_field *f = NULL;

		for (const api_field *s = spec; s->name; s++)
			if (strcmp(s->name, key) == 0)
				f = s;
		if (!f) {
			wb_snprintf(msg, sizeof(msg), "unknown field '%.80s'", key);
			api_error(r, 422, "unknown_field", msg, field_name(name, sizeof(name), path, key));
			return -1;
		}
		if (!type_ok(v, f->type)) {
			wb_snprintf(msg, sizeof(msg), "field '%s' must be %s", f->name, type_name(f->type));
			api_error(r, 422, "invalid_type", msg, field_name(name, sizeof(name), path, f->name));
			return -1;
		}
		if (json_is_string(v) && json_string_length(v) > (f->max_len ? f->max_len : 256)) {
			wb_snprintf(msg, sizeof(msg), "field '%s' is too long", f->name);
			api_error(r, 422, "too_long", msg, field_name(name, sizeof(name), path, f->name));
			return -1;
		}
	}
	for (const api_field *s = spec; s->name; s++) {
		int empty;

		v = json_object_get(obj, s->name);
		empty = !v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0);
		if (s->required && empty && (v || check_required)) {
			wb_snprintf(msg, sizeof(msg), "field '%s' is required", s->name);
			api_error(r, 422, "required", msg, field_name(name, sizeof(name), path, s->name));
			return -1;
		}
	}
	return 0;
}

int api_check_fields(http_req *r, json_t *obj, const api_field *spec)
{
	return check_fields(r, obj, spec, 1, NULL);
}

int api_check_fields_ex(http_req *r, json_t *obj, const api_field *spec, int check_required)
{
	return check_fields(r, obj, spec, check_required, NULL);
}

int api_check_fields_in(http_req *r, json_t *obj, const api_field *spec, const char *path)
{
	return check_fields(r, obj, spec, 1, path);
}

const char *api_str(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

void api_audit_init(const http_req *r, const sec_principal *p, audit_entry *e)
{
	audit_entry_init(e, p ? p->county_code : "", p ? p->user_id : 0, p ? p->username : "", p ? p->role : "",
			 r->client_addr, r->request_id);
}

/* The longest string inside v (its members and elements, at any depth),
 * or NULL; *len its length in bytes. */
static json_t *longest_string(json_t *v, size_t *len)
{
	json_t *best = NULL, *x, *m;
	const char *key;
	size_t i, n;

	if (json_is_string(v)) {
		*len = json_string_length(v);
		return v;
	}
	*len = 0;
	if (json_is_object(v)) {
		json_object_foreach(v, key, m)
		{
			if ((x = longest_string(m, &n)) && n > *len) {
				best = x;
				*len = n;
			}
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, m)
		{
			if ((x = longest_string(m, &n)) && n > *len) {
				best = x;
				*len = n;
			}
		}
	}
	return best;
}

void api_audit_detail(audit_entry *e, json_t *d)
{
	char *q = d ? json_dumps(d, JSON_COMPACT) : NULL;

	/* Too long for the entry: its longest texts (a filter as the caller
	 * typed it) are cut short at a character, marked with an ellipsis,
	 * until it fits; cutting the JSON itself would leave no JSON (the
	 * figures at its end, such as an export's rows, lost) and, in the
	 * middle of a character, a text PostgreSQL refuses to store and the
	 * auditor's list cannot show. */
	while (q && strlen(q) >= sizeof(e->detail)) {
		size_t len, over = strlen(q) - sizeof(e->detail) + 1, keep;
		json_t *s = longest_string(d, &len);
		char cut[sizeof(e->detail)];

		free(q);
		q = NULL;
		if (!s || len <= 3)
			break;
		/* over bytes fewer, the ellipsis included (a text with
		 * escapes may need another round) */
		keep = len > over + 3 ? len - over - 3 : 0;
		if (keep >= sizeof(cut) - 4)
			keep = sizeof(cut) - 4;
		while (keep > 0 && ((unsigned char)json_string_value(s)[keep] & 0xC0) == 0x80)
			keep--; /* not inside a character */
		wb_snprintf(cut, sizeof(cut), "%.*s\xE2\x80\xA6", (int)keep, json_string_value(s));
		if (json_string_set(s, cut) != 0)
			break;
		q = json_dumps(d, JSON_COMPACT);
	}
	if (d && !q) /* nothing left to cut: no detail rather than a broken one */
		q = strdup("{\"cut\":true}");
	if (q)
		wb_strlcpy(e->detail, q, sizeof(e->detail));
	free(q);
	json_decref(d);
}

void api_audit_detail_reason(audit_entry *e, json_t *d, const char *reason)
{
	if (!d)
		return;
	/* the reason, the longest text, is what api_audit_detail cuts first */
	json_object_set_new(d, "reason", json_string(reason ? reason : ""));
	api_audit_detail(e, d);
}

/* A record's id as the path or the query writes it: digits alone (no
 * sign, blank or anything after them), from 1 up. */
static int parse_id(const char *s, long long *out)
{
	size_t n = s ? strspn(s, "0123456789") : 0;

	if (n == 0 || s[n])
		return WB_EINVAL;
	return wb_parse_int64(s, 1, INT64_MAX, out);
}

int api_id_param(http_req *r, const char *name, int64_t *out)
{
	long long v;

	if (parse_id(http_param(r, name), &v) != WB_OK) {
		api_error(r, 404, "not_found", "no such record", NULL);
		return -1;
	}
	*out = v;
	return 0;
}

/* limit=N from 1 to max (def when absent); zero_ok: also 0, the figures
 * alone. 0, or -1 after a 422 naming limit. */
static int parse_limit(http_req *r, int def, int max, int zero_ok, int *out)
{
	const char *s = http_query(r, "limit");
	long long v;
	char msg[96];

	*out = def;
	if (!s)
		return 0;
	if (wb_parse_int64(s, zero_ok ? 0 : 1, max, &v) == WB_OK) {
		*out = (int)v;
		return 0;
	}
	wb_snprintf(msg, sizeof(msg), "limit must be %sa whole number from 1 to %d",
		    zero_ok ? "0 (the figures alone) or " : "", max);
	api_error(r, 422, "validation_failed", msg, "limit");
	return -1;
}

int api_limit(http_req *r, int def, int max, int *out)
{
	return parse_limit(r, def, max, 0, out);
}

int api_limit_counts(http_req *r, int def, int max, int *out, int *counts_only)
{
	int rc = parse_limit(r, def, max, 1, out);

	*counts_only = rc == 0 && *out == 0;
	return rc;
}

int api_reason(http_req *r, json_t *body, size_t max_chars, const char **out)
{
	const char *s = api_str(body, "reason");
	char msg[80];

	while (s && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
		s++;
	if (s && !wb_is_blank(s) && api_utf8_chars(s) <= max_chars) {
		*out = s;
		return 0;
	}
	wb_snprintf(msg, sizeof(msg), "reason must say why, in at most %zu characters", max_chars);
	return api_error(r, 422, "validation_failed", msg, "reason"), -1;
}

int api_query_id(http_req *r, const char *name, const char *message, int64_t *out)
{
	const char *s = http_query(r, name);
	long long v;

	if (!s)
		return 0;
	if (parse_id(s, &v) != WB_OK) {
		char msg[160];

		if (!message) {
			wb_snprintf(msg, sizeof(msg), "%s must be a number", name);
			message = msg;
		}
		api_error(r, 422, "validation_failed", message, name);
		return -1;
	}
	*out = v;
	return 0;
}

int api_query_cursor(http_req *r, int64_t *out)
{
	return api_query_id(r, "cursor", "cursor must be the next_cursor of the previous page", out);
}

/* ---- authentication ---- */

typedef struct touch_job {
	int64_t session_id;
	int64_t now;
	int delete;
} touch_job;

static int touch_fn(store_conn *c, void *arg)
{
	touch_job *t = arg;

	return t->delete ? store_session_delete(c, t->session_id) : store_session_touch(c, t->session_id, t->now);
}

/* The session row is written after the answer: nothing waits for it. The
 * cached copy is dropped once the write is committed, so that no request
 * keeps a copy read before it (until then a request may post the same
 * touch again: harmless). */
static void touch_done(void *arg, int rc)
{
	(void)arg;
	(void)rc;
	api_cache_sessions_changed();
}

static void touch_post(app *a, int64_t session_id, int64_t now, int delete)
{
	touch_job t = {session_id, now, delete};

	audit_post(a->audit, NULL, touch_fn, &t, sizeof(t), touch_done, NULL);
}

static int authenticate(http_req *r, app *a, store_conn *c, sec_principal *p)
{
	const char *auth = http_header(r, "Authorization");
	const char *token = NULL;
	char th[SEC_HASH_HEX];
	session_rec s;
	user_rec u;
	membership_rec m;
	int64_t now = clock_now();
	int via_cookie = 0, rc;

	if (auth && strncmp(auth, "Bearer ", 7) == 0) {
		token = auth + 7;
	} else {
		token = http_cookie(r, "wb_session");
		via_cookie = 1;
	}
	if (!token || !token[0] || strlen(token) > 128) {
		api_error(r, 401, "unauthenticated", "please log in", NULL);
		return -1;
	}
	sec_token_hash(&a->keys, token, th);
	if (api_cache_session_get(th, &s, &u, &m)) {
		rc = WB_OK;
	} else {
		uint64_t gen = api_cache_session_generation();

		rc = store_session_full(c, th, &s, &u, &m);
		if (rc == WB_OK)
			api_cache_session_put(th, gen, &s, &u, &m);
	}
	if (rc == WB_ENOTFOUND || (rc == WB_OK && via_cookie != (strcmp(s.kind, "cookie") == 0))) {
		api_error(r, 401, "unauthenticated", "please log in", NULL);
		return -1;
	}
	if (rc) {
		api_fail(r, rc);
		return -1;
	}
	if (now >= s.expires_at || now - s.last_seen >= a->cfg.session_idle_s) {
		touch_post(a, s.id, now, 1);
		api_error(r, 401, "session_expired", "your session has expired, please log in again", NULL);
		return -1;
	}
	if (via_cookie && strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
		const char *csrf = http_header(r, "X-CSRF-Token");
		char ch[SEC_HASH_HEX];

		if (!csrf || strlen(csrf) > 128) {
			api_error(r, 403, "csrf_failed", "missing CSRF token (X-CSRF-Token header)", NULL);
			return -1;
		}
		sec_token_hash(&a->keys, csrf, ch);
		if (!sec_streq(ch, s.csrf_hash)) {
			api_error(r, 403, "csrf_failed", "wrong CSRF token", NULL);
			return -1;
		}
	}
	if (u.locked) {
		/* a lock ends the sessions in its own transaction; one a login
		 * committed just after it ends here (it would not come back at
		 * the unlock either) */
		touch_post(a, s.id, now, 1);
		api_error(r, 401, "account_locked", "this account is locked", NULL);
		return -1;
	}
	if (rc == WB_OK)
		rc = sec_principal_init(p, &u, &m, s.id);
	if (rc) {
		api_fail(r, rc == WB_ENOTFOUND ? WB_EAUTH : rc);
		return -1;
	}
	p->via_cookie = via_cookie;
	/* Idle expiry needs last_seen; writing it at most every minute (or a
	 * quarter of the idle limit) keeps reads free of writes. A request the
	 * client marks as its own background work (X-Weibao-Background: 1, the
	 * web UI's inbox poll) is no sign of use and leaves last_seen as it is,
	 * so an open tab nobody uses still signs out when idle. */
	{
		int64_t step = a->cfg.session_idle_s / 4 < 60 ? a->cfg.session_idle_s / 4 : 60;
		const char *bg = http_header(r, "X-Weibao-Background");

		if (now - s.last_seen >= step && !(bg && strcmp(bg, "1") == 0)) {
			touch_post(a, s.id, now, 0);
		}
	}
	return 0;
}

/* ---- idempotency ---- */

/* How long an answer is kept for a replay: a client retries within
 * minutes; a day covers a phone that was offline overnight. */
#define IDEM_TTL_S (24 * 3600)

typedef struct idem_job {
	int64_t user_id;
	const char *key, *county, *method, *path, *body;
	int status;
} idem_job;

static int idem_fn(store_conn *c, void *arg)
{
	idem_job *j = arg;

	int64_t now = clock_now();

	return store_idem_put(c, j->user_id, j->key, j->county, j->method, j->path, j->status, j->body, now,
			      now - IDEM_TTL_S);
}

/*
 * Requests that carry the same Idempotency-Key run one at a time: a retry
 * sent while the first attempt is still running waits for it and then
 * replays its answer, instead of doing the write a second time. Keys are
 * spread over a fixed set of locks.
 */
#define IDEM_LOCKS 64

static pthread_mutex_t idem_locks[IDEM_LOCKS];
static pthread_once_t idem_locks_once = PTHREAD_ONCE_INIT;

static void idem_locks_init(void)
{
	for (int i = 0; i < IDEM_LOCKS; i++)
		pthread_mutex_init(&idem_locks[i], NULL);
}

static pthread_mutex_t *idem_lock_for(int64_t user_id, const char *key)
{
	pthread_once(&idem_locks_once, idem_locks_init);
	return &idem_locks[wb_fnv1a_from(WB_FNV_BASIS ^ (uint64_t)user_id, key) % IDEM_LOCKS];
}

static int is_write(const char *m)
{
	return strcmp(m, "POST") == 0 || strcmp(m, "PATCH") == 0 || strcmp(m, "PUT") == 0 || strcmp(m, "DELETE") == 0;
}

typedef struct api_state {
	app *a;
	store_conn *c; /* NULL while given back */
	int read_txn;
} api_state;

void api_conn_release(http_req *r)
{
	api_state *st = r->app_state;

	if (!st || !st->c)
		return;
	if (st->read_txn) {
		conn_commit(st->c);
		st->read_txn = 0;
	}
	store_release(st->c);
	st->c = NULL;
}

store_conn *api_conn(http_req *r)
{
	api_state *st = r->app_state;

	if (!st->c)
		st->c = store_acquire(st->a->db);
	return st->c;
}

/* A refused (403) request on a route of children's data (or of the
 * county's areas and units), recorded with the record's id when the route
 * names one. */
static void audit_refusal(http_req *r, app *a, const sec_principal *p, const char *action, const char *object,
			  const char *format)
{
	audit_entry e;
	const char *id = http_param(r, "id");
	size_t n = id ? strspn(id, "0123456789") : 0;

	/* only a well-formed id is recorded: the path is the caller's text */
	if (!id || n == 0 || n > 18 || id[n])
		id = "";
	api_audit_init(r, p, &e);
	audit_entry_set(&e, action, object ? object : "child", id, "denied");
	/* a refused download says which file was asked for, as a made one does */
	if (format)
		api_audit_detail(&e, json_pack("{s:s, s:s}", "format", format, "path", r->path));
	if (api_audit_read(r, a, &e) != WB_OK)
		log_warn("audit: the refusal of request %s could not be recorded", r->request_id);
}

int api_entry(http_req *r, void *ctx)
{
	app *a = ctx;
	const api_route *route = r->route->data;
	api_state st = {a, store_acquire(a->db), 0};
	store_conn *c = st.c;
	sec_principal p;
	const char *idem = NULL;
	pthread_mutex_t *idem_lock = NULL;

	memset(&p, 0, sizeof(p));
	r->app_state = &st;
	/* A read request runs in one read transaction where the store gains from
	 * it (conn_begin_read). Handlers of GET requests only write through the
	 * writer, never on this connection. */
	if (strcmp(r->method, "GET") == 0 && !(route->flags & API_PUBLIC) && conn_begin_read(c) == WB_OK)
		st.read_txn = 1;
	if (!(route->flags & API_PUBLIC)) {
		if (authenticate(r, a, c, &p) != 0)
			goto out;
		r->user_id = p.user_id;
		if (p.must_change_password && !(route->flags & API_FIRST_LOGIN)) {
			api_error(r, 403, "password_change_required",
				  "this account must change its password before anything else", NULL);
			goto out;
		}
		if (is_write(r->method))
			idem = http_header(r, "Idempotency-Key");
		if (idem && (route->flags & API_NO_REPLAY)) {
			api_error(r, 422, "validation_failed",
				  "this request cannot be replayed: its answer holds a one-time password",
				  "Idempotency-Key");
			goto out;
		}
	}
	if (idem) {
		char method[8], path[256];
		char *body = NULL;
		int status = 0, rc;

		if (strlen(idem) < 1 || strlen(idem) > 128) {
			api_error(r, 422, "validation_failed", "Idempotency-Key must have 1 to 128 characters",
				  "Idempotency-Key");
			goto out;
		}
		idem_lock = idem_lock_for(p.user_id, idem);
		pthread_mutex_lock(idem_lock);
		rc = store_idem_get(c, p.user_id, idem, clock_now() - IDEM_TTL_S, method, sizeof(method), path,
				    sizeof(path), &status, &body);
		if (rc == WB_OK) {
			if (strcmp(method, r->method) != 0 || strcmp(path, r->path) != 0) {
				api_error(r, 422, "idempotency_key_reused",
					  "this Idempotency-Key was used for another request", "Idempotency-Key");
			} else {
				/* kept encrypted: answers carry ID and phone numbers */
				char *plain = NULL;

				if (sec_decrypt_text(&a->keys, body, &plain) != WB_OK) {
					api_fail(r, WB_ESTORE);
				} else {
					r->status = status;
					r->content_type = "application/json; charset=utf-8";
					buf_reset(&r->out);
					buf_puts(&r->out, plain);
					http_add_header(r, "Idempotent-Replayed", "true");
				}
				free(plain);
			}
			free(body);
			goto out;
		}
		if (rc != WB_ENOTFOUND) {
			api_fail(r, rc);
			goto out;
		}
	}
	route->handler(r, a, c, route->flags & API_PUBLIC ? NULL : &p);
	if (r->status == 403 && route->refusal_action) {
		audit_refusal(r, a, &p, route->refusal_action, route->refusal_object, NULL);
	} else if (r->status == 403 && route->export_action) {
		/* a download of a list naming people, refused: the attempt is
		 * an export's, whatever the role may read on screen */
		const char *f = http_query(r, "format");

		if (f && (strcmp(f, "csv") == 0 || strcmp(f, "xlsx") == 0))
			audit_refusal(r, a, &p, route->export_action, route->export_object, f);
	}
	if (idem && r->status >= 200 && r->status < 300) {
		char *enc = NULL;
		idem_job j = {p.user_id, idem, p.county_code, r->method, r->path, "", r->status};

		if (sec_encrypt_text(&a->keys, r->out.data ? r->out.data : "", &enc) == WB_OK) {
			j.body = enc;
			if (audit_submit(a->audit, NULL, idem_fn, &j) != WB_OK)
				enc[0] = '\0';
		}
		if (!enc || !enc[0])
			log_warn("idempotency key could not be stored for request %s", r->request_id);
		free(enc);
	}
out:
	if (idem_lock)
		pthread_mutex_unlock(idem_lock);
	api_conn_release(r);
	r->app_state = NULL;
	return 0;
}

int api_early(http_req *r, void *ctx)
{
	app *a = ctx;
	const api_route *route = r->route->data;
	store_conn *c;
	sec_principal p;

	if (route->flags & API_PUBLIC)
		return 0;
	memset(&p, 0, sizeof(p));
	c = store_acquire(a->db);
	if (authenticate(r, a, c, &p) == 0) {
		if (p.must_change_password && !(route->flags & API_FIRST_LOGIN))
			api_error(r, 403, "password_change_required",
				  "this account must change its password before anything else", NULL);
		else if (route->may && !route->may(&p))
			api_error(r, 403, "forbidden", route->may_message, NULL);
	}
	store_release(c);
	return 0;
}

typedef struct setting_job {
	const char *county, *name, *text;
} setting_job;

static int setting_fn(store_conn *c, void *arg)
{
	setting_job *j = arg;

	return store_setting_put(c, j->county, j->name, j->text);
}

int api_setting_write(app *a, const audit_entry *e, const char *county, const char *name, const char *text)
{
	setting_job j = {county, name, text};

	return audit_submit(a->audit, e, setting_fn, &j);
}

int api_setting_save(http_req *r, app *a, const sec_principal *p, const char *name, const char *action, json_t *full)
{
	char *text = full ? json_dumps(full, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	audit_entry e;
	int rc;

	if (!text) {
		json_decref(full);
		return api_fail(r, WB_ENOMEM);
	}
	api_audit_init(r, p, &e);
	audit_entry_set(&e, action, "settings", name, "ok");
	api_audit_detail(&e, json_incref(full));
	api_conn_release(r);
	rc = api_setting_write(a, &e, p->county_code, name, text);
	free(text);
	if (rc) {
		json_decref(full);
		return api_fail(r, rc);
	}
	return api_json(r, 200, full);
}

int api_one_of(const char *s, const char *const *list)
{
	for (int i = 0; s && list[i]; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

int api_role_is(const sec_principal *p, const char *role)
{
	return strcmp(p->role, role) == 0;
}

int api_township_desk(const sec_principal *p)
{
	return (api_role_is(p, "supervisor") || api_role_is(p, "station")) && p->scope.children == SCOPE_AREA;
}

int api_body_child(http_req *r, store_conn *c, const sec_principal *p, json_t *body, const char *message, child_rec *ch)
{
	int rc = store_child_get(c, &p->scope, json_integer_value(json_object_get(body, "child_id")), ch);

	if (rc == WB_ENOTFOUND)
		return api_error(r, 422, "validation_failed", message, "child_id"), -1;
	if (rc)
		return api_fail(r, rc), -1;
	return 0;
}

void api_phone_json(const app *a, const sec_principal *p, json_t *o, const char *enc, const char *mask)
{
	char phone[32];

	if (!enc[0]) {
		json_object_set_new(o, "phone", json_null());
	} else if (p->def->full_phone && sec_decrypt_field(&a->keys, enc, phone, sizeof(phone)) == WB_OK) {
		json_object_set_new(o, "phone", json_string(phone));
		json_object_set_new(o, "phone_masked", json_false());
	} else {
		json_object_set_new(o, "phone", json_string(mask));
		json_object_set_new(o, "phone_masked", json_true());
	}
}

int api_phone_store(const app *a, const char *phone, char *enc, char *mask, size_t masklen)
{
	char digits[32];

	/* as the import takes it: 138-0013-8001 is stored as 13800138001 */
	if (!field_phone_digits(phone, digits, sizeof(digits)))
		return WB_EINVAL;
	if (sec_encrypt_field(&a->keys, digits, enc) != WB_OK)
		return WB_ECRYPTO;
	field_mask_phone(digits, mask, masklen);
	return WB_OK;
}

int api_query_days(http_req *r, int *ymd_from, int *ymd_to)
{
	const char *f = http_query(r, "from"), *t = http_query(r, "to");

	*ymd_from = *ymd_to = 0;
	if (f && date_parse(f, ymd_from) != WB_OK)
		return api_error(r, 422, "validation_failed", "from must be a date YYYY-MM-DD", "from"), -1;
	if (t && date_parse(t, ymd_to) != WB_OK)
		return api_error(r, 422, "validation_failed", "to must be a date YYYY-MM-DD", "to"), -1;
	if (f && t && *ymd_to < *ymd_from)
		return api_error(r, 422, "validation_failed", "to may not be before from", "to"), -1;
	return 0;
}

int api_query_period(http_req *r, int default_days, char from[11], char to[11])
{
	int today = clock_today_ymd(), ymd_from, ymd_to;

	if (api_query_days(r, &ymd_from, &ymd_to))
		return -1;
	if (!ymd_from)
		ymd_from = date_add_days(today, -default_days);
	if (!ymd_to)
		ymd_to = today;
	if (ymd_to < ymd_from)
		return api_error(r, 422, "validation_failed", "to may not be before from", "to"), -1;
	date_format(ymd_from, from);
	date_format(ymd_to, to);
	return 0;
}

int api_query_township(http_req *r, store_conn *c, const sec_principal *p, const char **township, area_rec *ar)
{
	const char *t = http_query(r, "township");
	area_rec a;

	*township = NULL;
	if (!t)
		return 0;
	if (!api_role_is(p, "committee") && !api_role_is(p, "center") && strcmp(t, p->area_code) != 0)
		return api_error(r, 422, "validation_failed", "township must be your own", "township"), -1;
	if (strlen(t) != 9 || strspn(t, "0123456789") != 9 || strncmp(t, p->county_code, 6) != 0 ||
	    store_area_get(c, t, &a) != WB_OK || strcmp(a.level, "township") != 0)
		return api_error(r, 422, "validation_failed", "township must be a township code of the county",
				 "township"),
		       -1;
	if (ar)
		*ar = a;
	*township = t;
	return 0;
}

void api_township_scope(const char *county, const char *township, store_scope *sc)
{
	store_scope_county(sc, county);
	if (township) {
		sc->children = SCOPE_AREA;
		wb_strlcpy(sc->lo, township, sizeof(sc->lo));
		wb_snprintf(sc->hi, sizeof(sc->hi), "%s:", township);
	}
}

#define PAST_DAYS 366

int api_past_day(http_req *r, json_t *body, const char *key, const char *def, char out[11])
{
	const char *s = api_str(body, key);
	int ymd, today = clock_today_ymd();
	char msg[96];

	if (!s && def) {
		wb_strlcpy(out, def, 11);
		return 0;
	}
	if (date_parse(s, &ymd) != WB_OK || ymd > today || date_days(today) - date_days(ymd) > PAST_DAYS) {
		wb_snprintf(msg, sizeof(msg), "%s must be a date YYYY-MM-DD of the last year, not ahead", key);
		return api_error(r, 422, "validation_failed", msg, key), -1;
	}
	date_format(ymd, out);
	return 0;
}

void api_child_ref(json_t *o, int64_t child_id, const char *name, const char *village, int outside_scope)
{
	json_object_set_new(o, "child",
			    child_id ? json_pack("{s:I, s:s, s:s}", "id", (json_int_t)child_id, "name", name,
						 "village_code", village)
				     : json_null());
	if (outside_scope)
		json_object_set_new(o, "child_outside_scope", json_true());
}

int api_child_fail(http_req *r, app *a, const sec_principal *p, int64_t id, const char *action, int rc)
{
	if (rc == WB_ENOTFOUND) {
		audit_entry e;

		api_audit_init(r, p, &e);
		wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, id);
		audit_entry_set(&e, action, "child", e.object_id, "not_found");
		if (api_audit_read(r, a, &e) != WB_OK)
			rc = WB_ESTORE;
	}
	return api_fail(r, rc);
}

int api_audit_child_read(http_req *r, app *a, const sec_principal *p, int64_t id, const char *action)
{
	audit_entry e;

	api_audit_init(r, p, &e);
	wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, id);
	audit_entry_set(&e, action, "child", e.object_id, "ok");
	return api_audit_read(r, a, &e);
}

int api_area_own(http_req *r, const sec_principal *p, const char *area)
{
	store_conn *c;
	char name[128];

	if (!area)
		return 0;
	if (!area_within(area, p->area_code) && !area_within(p->area_code, area))
		return api_error(r, 422, "validation_failed", "area must be within your own area", "area"), -1;
	/* a code of the right form that names no area is a typing error too */
	c = api_conn(r);
	if (c && api_area_name(c, area, name, sizeof(name)) == WB_ENOTFOUND)
		return api_error(r, 422, "validation_failed", "area is not an area of this county", "area"), -1;
	return 0;
}
