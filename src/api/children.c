/*
 * /api/v1/children: register, read, list and change children.
 *
 * Scope is applied by the store; here we check the role may write, that a
 * child is placed inside the caller's area, validate every field (ID numbers
 * per GB 11643 via domain/idnum), encrypt the ID number with a blind index
 * for lookup, mask it unless the role needs it whole, keep a history of
 * every change, and audit every read and write.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../domain/area.h"
#include "../domain/idnum.h"
#include "../util/clock.h"
#include "../util/wb.h"
#include "api.h"

#define LIST_DEFAULT 50
#define LIST_MAX     200

static json_t *child_json(const app *a, const sec_principal *p, const child_rec *ch)
{
	json_t *j =
		json_pack("{s:I, s:s, s:s?, s:s?, s:s, s:I, s:I, s:I}", "id", (json_int_t)ch->id, "name", ch->name,
			  "sex", ch->sex[0] ? ch->sex : NULL, "birth_date", ch->birth_date[0] ? ch->birth_date : NULL,
			  "village_code", ch->village_code, "version", (json_int_t)ch->version, "created_at",
			  (json_int_t)ch->created_at, "updated_at", (json_int_t)ch->updated_at);

	if (!j)
		return NULL;
	json_object_set_new(j, "grid_code", ch->grid_code[0] ? json_string(ch->grid_code) : json_null());
	json_object_set_new(j, "school_id", ch->school_id ? json_integer(ch->school_id) : json_null());
	if (!ch->id_enc[0]) {
		json_object_set_new(j, "id_number", json_null());
	} else if (p->def->full_id) {
		char plain[32];

		if (sec_decrypt_field(&a->keys, ch->id_enc, plain, sizeof(plain)) == WB_OK)
			json_object_set_new(j, "id_number", json_string(plain));
		else
			json_object_set_new(j, "id_number", json_string(ch->id_mask));
		json_object_set_new(j, "id_number_masked", json_false());
	} else {
		json_object_set_new(j, "id_number", json_string(ch->id_mask));
		json_object_set_new(j, "id_number_masked", json_true());
	}
	return j;
}

static const api_field child_fields[] = {
	{"name", JSON_STRING, 1, 96},       {"id_number", JSON_STRING, 0, 32},    {"sex", JSON_STRING, 0, 1},
	{"birth_date", JSON_STRING, 0, 10}, {"village_code", JSON_STRING, 1, 12}, {"grid_code", JSON_STRING, 0, 15},
	{"school_id", JSON_INTEGER, 0, 0},  {"version", JSON_INTEGER, 0, 0},      {NULL, 0, 0, 0},
};

/* A PATCH changes only the fields it sends: none is required (the version
 * is checked by the handler), but the required ones cannot be cleared. */
static const api_field child_patch_fields[] = {
	{"name", JSON_STRING, 0, 96},       {"id_number", JSON_STRING, 0, 32},    {"sex", JSON_STRING, 0, 1},
	{"birth_date", JSON_STRING, 0, 10}, {"village_code", JSON_STRING, 0, 12}, {"grid_code", JSON_STRING, 0, 15},
	{"school_id", JSON_INTEGER, 0, 0},  {"version", JSON_INTEGER, 0, 0},      {NULL, 0, 0, 0},
};

static int valid_name(const char *s)
{
	size_t n = 0;

	for (const unsigned char *u = (const unsigned char *)s; *u; u++, n++)
		if (*u < 0x20 || *u == 0x7f)
			return 0;
	return n > 0 && s[0] != ' ' && s[n - 1] != ' ';
}

static int parse_date(const char *s, int *ymd_out)
{
	int y, m, d;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (!idnum_valid_date(y, m, d) || y < 1900)
		return -1;
	*ymd_out = y * 10000 + m * 100 + d;
	return 0;
}

/*
 * Applies the fields present in body onto ch (a new record or a copy of the
 * stored one), validating each. Writes the error and returns -1 on failure.
 */
static int apply_fields(http_req *r, const app *a, store_conn *c, const sec_principal *p, json_t *body, child_rec *ch,
			int creating)
{
	json_t *v;
	const char *s;
	char msg[200];
	int have_id = ch->id_enc[0] != 0;
	idnum id;

	if ((s = api_str(body, "name"))) {
		if (!valid_name(s))
			return api_error(r, 422, "validation_failed",
					 "name must be non-empty text without control characters", "name"),
			       -1;
		wb_strlcpy(ch->name, s, sizeof(ch->name));
	}
	v = json_object_get(body, "id_number");
	if (v && json_is_null(v)) {
		ch->id_enc[0] = ch->id_bidx[0] = ch->id_mask[0] = '\0';
		have_id = 0;
	} else if (v) {
		enum idnum_error ie = idnum_parse(json_string_value(v), clock_today_ymd(), &id);

		if (ie != IDNUM_OK)
			return api_error(r, 422, "invalid_id_number", idnum_strerror(ie), "id_number"), -1;
		if (sec_encrypt_field(&a->keys, id.number, ch->id_enc) != WB_OK)
			return api_fail(r, WB_ECRYPTO), -1;
		sec_blind_index(&a->keys, id.number, ch->id_bidx);
		idnum_mask(id.number, ch->id_mask);
		have_id = 1;
		if ((s = api_str(body, "sex")) && s[0] != id.sex)
			return api_error(r, 422, "validation_failed", "sex does not match the ID number", "sex"), -1;
		if ((s = api_str(body, "birth_date")) && strcmp(s, id.birth) != 0)
			return api_error(r, 422, "validation_failed", "birth_date does not match the ID number",
					 "birth_date"),
			       -1;
		ch->sex[0] = id.sex;
		ch->sex[1] = '\0';
		wb_strlcpy(ch->birth_date, id.birth, sizeof(ch->birth_date));
	}
	if (!have_id || !v) {
		if ((s = api_str(body, "sex"))) {
			if (strcmp(s, "M") != 0 && strcmp(s, "F") != 0)
				return api_error(r, 422, "validation_failed", "sex must be M or F", "sex"), -1;
			if (have_id && s[0] != ch->sex[0])
				return api_error(r, 422, "validation_failed", "sex does not match the ID number",
						 "sex"),
				       -1;
			wb_strlcpy(ch->sex, s, sizeof(ch->sex));
		}
		if ((s = api_str(body, "birth_date"))) {
			int ymd;

			if (parse_date(s, &ymd) != 0)
				return api_error(r, 422, "validation_failed",
						 "birth_date must be a real date as YYYY-MM-DD", "birth_date"),
				       -1;
			if (ymd > clock_today_ymd())
				return api_error(r, 422, "validation_failed", "birth_date is in the future",
						 "birth_date"),
				       -1;
			if (have_id && strcmp(s, ch->birth_date) != 0)
				return api_error(r, 422, "validation_failed", "birth_date does not match the ID number",
						 "birth_date"),
				       -1;
			wb_strlcpy(ch->birth_date, s, sizeof(ch->birth_date));
		}
	}
	if (!have_id && (!ch->sex[0] || !ch->birth_date[0])) {
		const char *f = !ch->sex[0] ? "sex" : "birth_date";

		wb_snprintf(msg, sizeof(msg), "%s is required when there is no ID number", f);
		return api_error(r, 422, "required", msg, f), -1;
	}
	if ((s = api_str(body, "village_code"))) {
		area_rec ar;

		if (!area_level_of(s) || strcmp(area_level_of(s), "village") != 0 || store_area_get(c, s, &ar) != WB_OK)
			return api_error(r, 422, "validation_failed",
					 "village_code must be the code of a village or community", "village_code"),
			       -1;
		wb_strlcpy(ch->village_code, s, sizeof(ch->village_code));
		if (creating || strcmp(s, ch->village_code) != 0)
			ch->grid_code[0] = '\0';
	}
	v = json_object_get(body, "grid_code");
	if (v && json_is_null(v)) {
		ch->grid_code[0] = '\0';
	} else if (v) {
		area_rec ar;

		s = json_string_value(v);
		if (strlen(s) != 15 || !area_within(s, ch->village_code) || store_area_get(c, s, &ar) != WB_OK)
			return api_error(r, 422, "validation_failed", "grid_code must be a grid of the child's village",
					 "grid_code"),
			       -1;
		wb_strlcpy(ch->grid_code, s, sizeof(ch->grid_code));
	}
	v = json_object_get(body, "school_id");
	if (v && json_is_null(v)) {
		ch->school_id = 0;
	} else if (v) {
		unit_rec u;

		if (store_unit_get(c, json_integer_value(v), &u) != WB_OK || strcmp(u.kind, "school") != 0 ||
		    strcmp(u.county_code, p->county_code) != 0)
			return api_error(r, 422, "validation_failed", "school_id must be a school of this county",
					 "school_id"),
			       -1;
		ch->school_id = u.id;
	}
	if (!scope_covers_place(&p->scope, ch->village_code, ch->grid_code))
		return api_error(r, 403, "outside_scope", "the village is outside your area", "village_code"), -1;
	return 0;
}

typedef struct create_job {
	child_rec *ch;
	audit_entry *e; /* appended after this job runs: gets the new id */
} create_job;

static int create_fn(store_conn *c, void *arg)
{
	create_job *j = arg;
	int rc = store_child_insert(c, j->ch);

	if (rc == WB_OK)
		wb_snprintf(j->e->object_id, sizeof(j->e->object_id), "%" PRId64, j->ch->id);
	return rc;
}

static int can_write(http_req *r, const sec_principal *p)
{
	if (!p->def->write_children) {
		api_error(r, 403, "forbidden", "your role may not register or change children", NULL);
		return 0;
	}
	return 1;
}

int api_children_create(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	json_t *body = NULL;
	child_rec ch;
	audit_entry e;
	create_job j = {&ch, &e};
	int rc;

	if (!can_write(r, p))
		return 0;
	if (api_body(r, &body) || api_check_fields(r, body, child_fields))
		goto out;
	if (json_object_get(body, "version")) {
		api_error(r, 422, "unknown_field", "version is set by the server", "version");
		goto out;
	}
	memset(&ch, 0, sizeof(ch));
	wb_strlcpy(ch.county_code, p->county_code, sizeof(ch.county_code));
	if (apply_fields(r, a, c, p, body, &ch, 1))
		goto out;
	ch.created_at = ch.updated_at = clock_now();
	ch.created_by = ch.updated_by = p->user_id;
	api_audit_init(r, p, &e);
	audit_entry_set(&e, "child.create", "child", "", "ok");
	rc = audit_submit(a->audit, &e, create_fn, &j);
	if (rc == WB_ECONFLICT) {
		api_error(r, 409, "duplicate_id_number", "a child with this ID number is already registered",
			  "id_number");
		goto out;
	}
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	{
		char loc[64];

		wb_snprintf(loc, sizeof(loc), "/api/v1/children/%" PRId64, ch.id);
		http_add_header(r, "Location", loc);
	}
	api_json(r, 201, child_json(a, p, &ch));
out:
	json_decref(body);
	return 0;
}

int api_child_get(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	child_rec ch;
	audit_entry e;
	int64_t id;
	int rc;

	if (api_id_param(r, "id", &id))
		return 0;
	rc = store_child_get(c, &p->scope, id, &ch);
	api_audit_init(r, p, &e);
	wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, id);
	audit_entry_set(&e, "child.read", "child", e.object_id, rc == WB_OK ? "ok" : "not_found");
	if (rc == WB_OK)
		wb_snprintf(e.detail, sizeof(e.detail), "{\"id_number\":\"%s\"}",
			    !ch.id_enc[0]     ? "none"
			    : p->def->full_id ? "full"
					      : "masked");
	/* the read is acknowledged only once its audit entry is durable */
	if (audit_submit(a->audit, &e, NULL, NULL) != WB_OK)
		return api_fail(r, WB_ESTORE);
	if (rc)
		return api_fail(r, rc);
	{
		json_t *j = child_json(a, p, &ch);
		area_rec ar;

		if (j && store_area_get(c, ch.village_code, &ar) == WB_OK)
			json_object_set_new(j, "village_name", json_string(ar.name));
		return api_json(r, 200, j);
	}
}

typedef struct list_ctx {
	const app *a;
	const sec_principal *p;
	json_t *items;
	int64_t last_id;
	int n;
} list_ctx;

static int list_cb(const child_rec *ch, void *arg)
{
	list_ctx *l = arg;

	json_array_append_new(l->items, child_json(l->a, l->p, ch));
	l->last_id = ch->id;
	l->n++;
	return WB_OK;
}

int api_children_list(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	child_filter f;
	list_ctx l = {a, p, NULL, 0, 0};
	audit_entry e;
	char bidx[SEC_HASH_HEX];
	const char *s;
	int64_t total = -1;
	long long v;
	json_t *j;
	int rc;

	memset(&f, 0, sizeof(f));
	if (api_limit(r, LIST_DEFAULT, LIST_MAX, &f.limit))
		return 0;
	f.area = http_query(r, "area");
	if (f.area && !area_level_of(f.area))
		return api_error(r, 422, "validation_failed", "area must be an area code", "area");
	f.name = http_query(r, "q");
	if (f.name && strlen(f.name) > 64)
		return api_error(r, 422, "validation_failed", "q is too long", "q");
	if ((s = http_query(r, "id_number"))) {
		idnum id;

		if (idnum_parse(s, clock_today_ymd(), &id) != IDNUM_OK)
			return api_error(r, 422, "invalid_id_number", "id_number is not a valid ID number",
					 "id_number");
		sec_blind_index(&a->keys, id.number, bidx);
		f.id_bidx = bidx;
	}
	if ((s = http_query(r, "school_id"))) {
		if (wb_parse_int64(s, 1, INT64_MAX, &v) != WB_OK)
			return api_error(r, 422, "validation_failed", "school_id must be a number", "school_id");
		f.school_id = v;
	}
	if ((s = http_query(r, "cursor"))) {
		if (wb_parse_int64(s, 0, INT64_MAX, &v) != WB_OK)
			return api_error(r, 422, "validation_failed", "cursor is not valid", "cursor");
		f.after_id = v;
	}
	l.items = json_array();
	rc = store_child_list(c, &p->scope, &f, list_cb, &l);
	if (rc == WB_OK && !f.after_id)
		rc = store_child_count(c, &p->scope, &f, &total);
	if (rc) {
		json_decref(l.items);
		return api_fail(r, rc);
	}
	api_audit_init(r, p, &e);
	audit_entry_set(&e, "child.list", "child", "", "ok");
	{
		json_t *d = json_pack("{s:s?, s:b, s:b, s:i}", "area", f.area, "name_search", f.name != NULL,
				      "id_lookup", f.id_bidx != NULL, "returned", l.n);
		char *ds = d ? json_dumps(d, JSON_COMPACT) : NULL;

		if (ds)
			wb_strlcpy(e.detail, ds, sizeof(e.detail));
		free(ds);
		json_decref(d);
	}
	if (audit_submit(a->audit, &e, NULL, NULL) != WB_OK) {
		json_decref(l.items);
		return api_fail(r, WB_ESTORE);
	}
	j = json_pack("{s:o}", "items", l.items);
	if (j) {
		char cur[24];

		wb_snprintf(cur, sizeof(cur), "%" PRId64, l.last_id);
		json_object_set_new(j, "next_cursor", l.n == f.limit ? json_string(cur) : json_null());
		if (total >= 0)
			json_object_set_new(j, "total", json_integer(total));
	}
	return api_json(r, 200, j);
}

typedef struct update_job {
	const store_scope *scope;
	child_rec *ch;
	const child_rec *old;
	int64_t version;
	int64_t user_id;
	int dup_id; /* out: the new ID number belongs to another child */
} update_job;

static int change(store_conn *c, update_job *j, const char *field, const char *o, const char *n)
{
	if (strcmp(o, n) == 0)
		return WB_OK;
	return store_child_change_add(c, j->ch->county_code, j->ch->id, j->ch->updated_at, j->user_id, field,
				      o[0] ? o : NULL, n[0] ? n : NULL);
}

static int update_fn(store_conn *c, void *arg)
{
	update_job *j = arg;
	char o[24], n[24];
	int id_changed = strcmp(j->old->id_bidx, j->ch->id_bidx) != 0;
	int rc = WB_OK;

	/* A number registered to another child is a conflict of its own, not
	 * a stale version: tell them apart before the update. */
	if (id_changed && j->ch->id_bidx[0]) {
		store_scope county;
		child_filter f;
		int64_t n_same = 0;

		memset(&county, 0, sizeof(county));
		wb_strlcpy(county.county_code, j->ch->county_code, sizeof(county.county_code));
		county.children = SCOPE_COUNTY;
		memset(&f, 0, sizeof(f));
		f.id_bidx = j->ch->id_bidx;
		rc = store_child_count(c, &county, &f, &n_same);
		if (rc == WB_OK && n_same > 0) {
			j->dup_id = 1;
			rc = WB_ECONFLICT;
		}
	}
	if (rc == WB_OK)
		rc = store_child_update(c, j->scope, j->ch, j->version);
	if (rc == WB_OK)
		rc = change(c, j, "name", j->old->name, j->ch->name);
	/* masks can be equal for different numbers (a corrected birth date):
	 * compare the numbers, record the masks */
	if (rc == WB_OK && id_changed)
		rc = store_child_change_add(c, j->ch->county_code, j->ch->id, j->ch->updated_at, j->user_id,
					    "id_number", j->old->id_mask[0] ? j->old->id_mask : NULL,
					    j->ch->id_mask[0] ? j->ch->id_mask : NULL);
	if (rc == WB_OK)
		rc = change(c, j, "sex", j->old->sex, j->ch->sex);
	if (rc == WB_OK)
		rc = change(c, j, "birth_date", j->old->birth_date, j->ch->birth_date);
	if (rc == WB_OK)
		rc = change(c, j, "village_code", j->old->village_code, j->ch->village_code);
	if (rc == WB_OK)
		rc = change(c, j, "grid_code", j->old->grid_code, j->ch->grid_code);
	wb_snprintf(o, sizeof(o), "%" PRId64, j->old->school_id);
	wb_snprintf(n, sizeof(n), "%" PRId64, j->ch->school_id);
	if (rc == WB_OK)
		rc = change(c, j, "school_id", j->old->school_id ? o : "", j->ch->school_id ? n : "");
	return rc;
}

int api_child_update(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	json_t *body = NULL;
	child_rec old, ch;
	audit_entry e;
	update_job j;
	int64_t id;
	int rc;

	if (api_id_param(r, "id", &id))
		return 0;
	if (api_body(r, &body) || api_check_fields(r, body, child_patch_fields))
		goto out;
	for (const api_field *f = child_fields; f->name; f++) {
		if (f->required && json_is_null(json_object_get(body, f->name))) {
			char msg[80];

			wb_snprintf(msg, sizeof(msg), "field '%s' cannot be cleared", f->name);
			api_error(r, 422, "required", msg, f->name);
			goto out;
		}
	}
	rc = store_child_get(c, &p->scope, id, &old);
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	if (!can_write(r, p))
		goto out;
	if (!json_is_integer(json_object_get(body, "version"))) {
		api_error(r, 422, "required", "field 'version' is required (the version you read)", "version");
		goto out;
	}
	ch = old;
	if (apply_fields(r, a, c, p, body, &ch, 0))
		goto out;
	ch.updated_at = clock_now();
	ch.updated_by = p->user_id;
	j.scope = &p->scope;
	j.ch = &ch;
	j.old = &old;
	j.version = json_integer_value(json_object_get(body, "version"));
	j.user_id = p->user_id;
	j.dup_id = 0;
	api_audit_init(r, p, &e);
	wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, id);
	audit_entry_set(&e, "child.update", "child", e.object_id, "ok");
	rc = audit_submit(a->audit, &e, update_fn, &j);
	if (rc == WB_ECONFLICT && j.dup_id) {
		api_error(r, 409, "duplicate_id_number", "a child with this ID number is already registered",
			  "id_number");
		goto out;
	}
	if (rc == WB_ECONFLICT) {
		api_error(r, 409, "version_conflict",
			  "the record was changed by someone else (or the ID number is already registered); reload and "
			  "try again",
			  "version");
		goto out;
	}
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	api_json(r, 200, child_json(a, p, &ch));
out:
	json_decref(body);
	return 0;
}

static int history_cb(int64_t at, int64_t user_id, const char *field, const char *o, const char *n, void *arg)
{
	json_array_append_new(arg, json_pack("{s:I, s:I, s:s, s:s?, s:s?}", "at", (json_int_t)at, "user_id",
					     (json_int_t)user_id, "field", field, "old", o, "new", n));
	return WB_OK;
}

int api_child_history(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	child_rec ch;
	audit_entry e;
	json_t *items;
	int64_t id;
	int rc;

	if (api_id_param(r, "id", &id))
		return 0;
	rc = store_child_get(c, &p->scope, id, &ch);
	if (rc)
		return api_fail(r, rc);
	items = json_array();
	rc = store_child_changes(c, id, history_cb, items);
	api_audit_init(r, p, &e);
	wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, id);
	audit_entry_set(&e, "child.history", "child", e.object_id, "ok");
	if (rc || audit_submit(a->audit, &e, NULL, NULL) != WB_OK) {
		json_decref(items);
		return api_fail(r, WB_ESTORE);
	}
	return api_json(r, 200, json_pack("{s:o}", "items", items));
}
