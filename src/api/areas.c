/*
 * /api/v1/areas and /api/v1/units: browse the area tree and the units
 * (departments, organisations, schools); import an area tree from CSV.
 * Every signed-in user reads the areas of their own county; another
 * county's codes in the same database answer 404, as if absent.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../domain/fields.h"
#include "../domain/area.h"
#include "../domain/units.h"
#include "../util/clock.h"
#include "../util/wb.h"
#include "api.h"
#include "sheet.h"
#include "areas_csv.h"
#include "units_csv.h"

static json_t *area_json(const area_rec *ar)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s?, s:I}", "code", ar->code, "name", ar->name, "level", ar->level,
			 "kind", ar->kind, "parent_code", ar->parent_code[0] ? ar->parent_code : NULL, "children",
			 (json_int_t)ar->children);
}

static int area_item(const area_rec *ar, void *arg)
{
	json_array_append_new(arg, area_json(ar));
	return WB_OK;
}

/* ---- the tree downloaded, in the import's own columns ---- */

#define TREE_EXPORT_MAX 100000

typedef struct tree_ctx {
	api_sheet *sh;
	int n;
} tree_ctx;

static int tree_cb(const area_rec *ar, void *arg)
{
	tree_ctx *x = arg;

	if (++x->n > TREE_EXPORT_MAX)
		return WB_ETOOBIG;
	api_sheet_text(x->sh, ar->code, 0);
	api_sheet_text(x->sh, ar->name, 0);
	api_sheet_text(x->sh, ar->kind, 1);
	return x->sh->failed ? WB_EIO : WB_OK;
}

/* The caller's county (or the subtree under parent), each area before its
 * own, as code,name,kind rows: the columns the area import reads, so the
 * file goes back in unchanged. */
static int areas_export(http_req *r, store_conn *c, const sec_principal *p, const char *parent, int fmt, int en)
{
	static const char *const zh[] = {"代码", "名称", "类型"}, *const eng[] = {"code", "name", "kind"};
	api_sheet sh;
	tree_ctx x = {&sh, 0};
	int rc;

	if (!parent)
		parent = p->county_code;
	if (!area_within(parent, p->county_code))
		return api_error(r, 422, "validation_failed", "parent must be an area of your county", "parent");
	rc = api_sheet_begin(&sh, r, fmt, en, en ? "Areas" : "区划", zh, eng, 3);
	if (rc)
		return api_fail(r, rc);
	rc = store_area_subtree(c, parent, tree_cb, &x);
	if (rc == WB_OK && x.n == 0) /* the first row is parent itself */
		rc = WB_ENOTFOUND;
	if (rc)
		return api_sheet_fail(&sh, r, rc);
	return api_sheet_end(&sh, r, "areas", clock_today_ymd());
}

int api_areas_list(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	const char *parent = http_query(r, "parent");
	const char *cursor = http_query(r, "cursor");
	json_t *items, *j;
	int limit, rc, fmt, en;

	(void)a;
	if (api_limit(r, 500, 1000, &limit) || api_sheet_params(r, SHEET_JSON, 1, &fmt, &en))
		return 0;
	if (parent && !area_level_of(parent))
		return api_error(r, 422, "validation_failed", "parent must be an area code", "parent");
	if (fmt != SHEET_JSON)
		return areas_export(r, c, p, parent, fmt, en);
	if (cursor && !area_level_of(cursor))
		return api_error(r, 422, "validation_failed", "cursor is not valid", "cursor");
	if (parent && !area_within(parent, p->county_code))
		return api_error(r, 404, "not_found", "no such area", NULL);
	items = json_array();
	if (parent) {
		rc = store_area_list(c, parent, cursor, limit, area_item, items);
	} else if (cursor && strcmp(cursor, p->county_code) >= 0) {
		rc = WB_OK; /* the one root was on the page before */
	} else {
		/* the roots: the caller's county only */
		area_rec ar;

		rc = store_area_get(c, p->county_code, &ar);
		if (rc == WB_OK)
			rc = area_item(&ar, items);
		else if (rc == WB_ENOTFOUND)
			rc = WB_OK;
	}
	if (rc) {
		json_decref(items);
		return api_fail(r, rc);
	}
	j = json_pack("{s:o}", "items", items);
	if (j) {
		size_t n = json_array_size(items);
		json_t *last = n ? json_object_get(json_array_get(items, n - 1), "code") : NULL;

		json_object_set_new(j, "next_cursor", n == (size_t)limit && last ? json_incref(last) : json_null());
	}
	return api_json(r, 200, j);
}

int api_area_get(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	const char *code = http_param(r, "code");
	area_rec ar;
	int rc;

	(void)a;
	if (!area_level_of(code) || !area_within(code, p->county_code))
		return api_error(r, 404, "not_found", "no such area", NULL);
	rc = store_area_get(c, code, &ar);
	if (rc)
		return api_fail(r, rc);
	return api_json(r, 200, area_json(&ar));
}

static json_t *unit_json(const unit_rec *u)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:s?}", "id", (json_int_t)u->id, "kind", u->kind, "code", u->code,
			 "name", u->name, "area_code", u->area_code[0] ? u->area_code : NULL);
}

static int unit_item(const unit_rec *u, void *arg)
{
	json_array_append_new(arg, unit_json(u));
	return WB_OK;
}

/* The units' download has the columns the unit import reads. */
static const sheet_col unit_cols[] = {
	{"类型", "kind", "kind", SC_TEXT, NULL},
	{"代码", "code", "code", SC_TEXT, NULL},
	{"名称", "name", "name", SC_TEXT, NULL},
	{"所在区划", "area_code", "area_code", SC_TEXT, NULL},
};

int api_units_list(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	const char *kind = http_query(r, "kind");
	json_t *items;
	int rc, fmt, en;

	if (kind && strcmp(kind, "department") != 0 && strcmp(kind, "org") != 0 && strcmp(kind, "school") != 0)
		return api_error(r, 422, "validation_failed", "kind must be department, org or school", "kind");
	if (api_sheet_params(r, SHEET_JSON, 1, &fmt, &en))
		return 0;
	items = json_array();
	rc = store_unit_list(c, p->county_code, kind, unit_item, items);
	if (rc) {
		json_decref(items);
		return api_fail(r, rc);
	}
	if (fmt != SHEET_JSON) /* names no person: not audited */
		return api_sheet_items(r, a, p, items, fmt, en, en ? "Units" : "单位", "units", unit_cols,
				       WB_ARRAY_LEN(unit_cols), NULL, NULL, NULL);
	return api_json(r, 200, json_pack("{s:o}", "items", items));
}

typedef struct unit_job {
	unit_rec u;
	int create;
	/* an update: the fields the body gives, applied to the unit as the
	 * writer reads it (two edits at once, a name and a place, keep both) */
	int set_name, set_area;
	unit_rec want;
	audit_entry *e;
} unit_job;

static int unit_fn(store_conn *c, void *arg)
{
	unit_job *j = arg;
	int rc;

	if (j->create) {
		rc = store_unit_insert(c, &j->u, clock_now(), &j->u.id);
	} else {
		rc = store_unit_get(c, j->u.id, &j->u);
		if (rc == WB_OK && j->set_name)
			wb_strlcpy(j->u.name, j->want.name, sizeof(j->u.name));
		if (rc == WB_OK && j->set_area)
			wb_strlcpy(j->u.area_code, j->want.area_code, sizeof(j->u.area_code));
		if (rc == WB_OK)
			rc = store_unit_update(c, &j->u);
	}
	if (rc == WB_OK) {
		wb_snprintf(j->e->object_id, sizeof(j->e->object_id), "%" PRId64, j->u.id);
		/* the unit as written, with its place: a unit moved to another
		 * area (a school to another township) is a change the auditor
		 * reads; "" is none */
		api_audit_detail(j->e, json_pack("{s:s, s:s, s:s, s:s*}", "kind", j->u.kind, "code", j->u.code, "name",
						 j->u.name, "area_code",
						 j->u.area_code[0] || !j->create ? j->u.area_code : NULL));
	}
	return rc;
}

/* The place of a unit, when given: an area of the caller's county. Else
 * answers 422 and returns -1. */
static int unit_place(http_req *r, store_conn *c, const sec_principal *p, const char *code, unit_rec *u)
{
	area_rec ar;

	if (!code)
		return 0;
	if (!code[0]) {
		u->area_code[0] = '\0';
		return 0;
	}
	if (store_area_get(c, code, &ar) != WB_OK || strcmp(ar.county_code, p->county_code) != 0) {
		api_error(r, 422, "validation_failed", "area_code must be an area of this county", "area_code");
		return -1;
	}
	wb_strlcpy(u->area_code, ar.code, sizeof(u->area_code));
	return 0;
}

/* Runs j with the audit entry action and answers the unit as written. */
static int unit_write(http_req *r, app *a, const sec_principal *p, unit_job *j, const char *action, int status)
{
	audit_entry e;
	int rc;

	api_audit_init(r, p, &e);
	audit_entry_set(&e, action, "unit", "", "ok");
	if (!j->create)
		wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, j->u.id);
	j->e = &e;
	api_conn_release(r);
	rc = audit_submit(a->audit, &e, unit_fn, j);
	api_cache_units_changed(); /* committed (or not): cached units are stale */
	if (rc == WB_ECONFLICT)
		return api_error(r, 409, "unit_code_taken", "a unit of this kind has this code already", "code");
	if (rc)
		return api_fail(r, rc);
	return api_json(r, status, unit_json(&j->u)); /* as written: j->u is the whole record */
}

static const api_field unit_fields[] = {
	{"kind", JSON_STRING, 1, 15},
	{"code", JSON_STRING, 1, 31},
	{"name", JSON_STRING, 1, 120},
	{"area_code", JSON_STRING, 0, 15},
	{NULL, 0, 0, 0},
};

/* POST /api/v1/units: a new department, organisation or school. */
/* A unit's name says something: not blanks alone (1 after a 422). */
static int unit_name_bad(http_req *r, const char *name)
{
	if (field_valid_name(name))
		return 0;
	api_error(r, 422, "validation_failed",
		  "name must be non-empty text without control characters or blanks at either end", "name");
	return 1;
}

int api_unit_create(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	json_t *body = NULL;
	unit_job j;

	memset(&j, 0, sizeof(j));
	if (!api_admin_only(r, p, "only an administrator may add units"))
		goto out;
	if (api_body(r, &body) || api_check_fields(r, body, unit_fields))
		goto out;
	if (!unit_kind_ok(api_str(body, "kind"))) {
		api_error(r, 422, "validation_failed", "kind must be department, org or school", "kind");
		goto out;
	}
	if (!unit_code_ok(api_str(body, "code"))) {
		api_error(r, 422, "validation_failed",
			  "code has 2 to 31 lower-case letters, digits or '_' and starts with a letter or digit",
			  "code");
		goto out;
	}
	wb_strlcpy(j.u.county_code, p->county_code, sizeof(j.u.county_code));
	wb_strlcpy(j.u.kind, api_str(body, "kind"), sizeof(j.u.kind));
	wb_strlcpy(j.u.code, api_str(body, "code"), sizeof(j.u.code));
	if (unit_name_bad(r, api_str(body, "name")))
		goto out;
	wb_strlcpy(j.u.name, api_str(body, "name"), sizeof(j.u.name));
	if (unit_place(r, c, p, api_str(body, "area_code"), &j.u))
		goto out;
	j.create = 1;
	unit_write(r, a, p, &j, "unit.create", 201);
out:
	json_decref(body);
	return 0;
}

static const api_field unit_update_fields[] = {
	{"name", JSON_STRING, 1, 120},
	{"area_code", JSON_STRING, 0, 15},
	{NULL, 0, 0, 0},
};

/* PATCH /api/v1/units/{id}: a new name or place; the kind and code stay
 * (the closed loop finds public_security by its code). */
int api_unit_update(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	json_t *body = NULL;
	unit_job j;
	int64_t id;
	int rc;

	memset(&j, 0, sizeof(j));
	if (!api_admin_only(r, p, "only an administrator may change units"))
		goto out;
	if (api_id_param(r, "id", &id))
		goto out;
	rc = store_unit_get(c, id, &j.u);
	if (rc == WB_OK && strcmp(j.u.county_code, p->county_code) != 0)
		rc = WB_ENOTFOUND;
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	if (api_body(r, &body) || api_check_fields_ex(r, body, unit_update_fields, 0))
		goto out;
	if (api_str(body, "name") && unit_name_bad(r, api_str(body, "name")))
		goto out;
	j.set_name = api_str(body, "name") != NULL;
	if (j.set_name)
		wb_strlcpy(j.want.name, api_str(body, "name"), sizeof(j.want.name));
	j.set_area = api_str(body, "area_code") != NULL;
	if (unit_place(r, c, p, api_str(body, "area_code"), &j.want))
		goto out;
	unit_write(r, a, p, &j, "unit.update", 200);
out:
	json_decref(body);
	return 0;
}

typedef struct units_import_job {
	units_csv *csv;
} units_import_job;

static int units_import_fn(store_conn *c, void *arg)
{
	return units_csv_apply(((units_import_job *)arg)->csv, c, clock_now());
}

/* The audit detail of a unit import: how many units were added, renamed
 * (or moved to another area) and left as they were, and which were
 * renamed or moved (kind:code, as many as the entry's detail holds), as an
 * area import names its renamed codes. */
static json_t *units_import_detail(const units_csv *csv)
{
	json_t *codes = json_array();
	size_t room = 320; /* of the detail's 512 bytes, after the counts */

	for (int i = 0; i < csv->n; i++) {
		char kc[64];
		size_t need;

		if (csv->ops[i] != AREAS_CSV_RENAME)
			continue;
		wb_snprintf(kc, sizeof(kc), "%s:%s", csv->rows[i].kind, csv->rows[i].code);
		need = strlen(kc) + 3; /* quotes and a comma */
		if (need > room)
			break;
		room -= need;
		json_array_append_new(codes, json_string(kc));
	}
	return json_pack("{s:i, s:i, s:i, s:o}", "added", csv->added, "renamed", csv->renamed, "unchanged",
			 csv->unchanged, "renamed_codes", codes);
}

/* POST /api/v1/units/import: a list of units as CSV
 * (kind,code,name[,area_code]); all rows or none. */
int api_units_import(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	units_csv csv;
	units_import_job j = {&csv};
	audit_entry e;
	char err[256], msg[320];
	int line = 0, rc;

	if (!api_admin_only(r, p, "only an administrator may import units"))
		return 0;
	if (units_csv_parse(&csv, r->body.data ? r->body.data : "", r->body.len, p->county_code, c, &line, err,
			    sizeof(err)) != WB_OK) {
		units_csv_cleanup(&csv);
		wb_snprintf(msg, sizeof(msg), "row %d: %s", line, err);
		return api_error(r, 422, "invalid_csv", msg, "line");
	}
	api_audit_init(r, p, &e);
	audit_entry_set(&e, "unit.import", "unit", "", "ok");
	api_audit_detail(&e, units_import_detail(&csv));
	api_conn_release(r);
	rc = audit_submit(a->audit, &e, units_import_fn, &j);
	api_cache_units_changed();
	if (rc == WB_ECONFLICT)
		api_error(r, 409, "conflict", "a unit of the file was added meanwhile; import the file again", NULL);
	else if (rc)
		api_fail(r, rc);
	else
		api_json(r, 200,
			 json_pack("{s:i, s:i, s:i}", "imported", csv.added, "renamed", csv.renamed, "unchanged",
				   csv.unchanged));
	units_csv_cleanup(&csv);
	return 0;
}

typedef struct import_job {
	areas_csv *csv;
	int64_t now;
} import_job;

static int import_fn(store_conn *c, void *arg)
{
	import_job *j = arg;

	return areas_csv_apply(j->csv, c, j->now);
}

/* The audit detail of an area import: how many areas were added, renamed
 * and left as they were, and the first renamed codes. */
json_t *areas_import_detail(const areas_csv *csv)
{
	json_t *codes = json_array();

	for (int i = 0; i < csv->n && json_array_size(codes) < 16; i++)
		if (csv->ops[i] == AREAS_CSV_RENAME)
			json_array_append_new(codes, json_string(csv->rows[i].code));
	return json_pack("{s:i, s:i, s:i, s:o}", "added", csv->added, "renamed", csv->renamed, "unchanged",
			 csv->unchanged, "renamed_codes", codes);
}

int api_areas_import(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	areas_csv csv;
	audit_entry e;
	import_job j;
	char err[256];
	int line = 0, rc;

	if (!api_admin_only(r, p, "only an administrator may import areas"))
		return 0;
	if (areas_csv_parse(&csv, r->body.data ? r->body.data : "", r->body.len, p->county_code, c, &line, err,
			    sizeof(err)) != WB_OK) {
		char msg[320];

		wb_snprintf(msg, sizeof(msg), "row %d: %s", line, err);
		areas_csv_cleanup(&csv);
		return api_error(r, 422, "invalid_csv", msg, "line");
	}
	j.csv = &csv;
	j.now = clock_now();
	api_audit_init(r, p, &e);
	audit_entry_set(&e, "area.import", "area", "", "ok");
	api_audit_detail(&e, areas_import_detail(&csv));
	api_conn_release(r); /* parsed: the writer does the rest */
	rc = audit_submit(a->audit, &e, import_fn, &j);
	api_cache_areas_changed();
	if (rc == WB_ECONFLICT) {
		areas_csv_cleanup(&csv);
		return api_error(r, 409, "conflict", "an area of the file was added meanwhile; import the file again",
				 NULL);
	}
	if (rc) {
		areas_csv_cleanup(&csv);
		return api_fail(r, rc);
	}
	{
		json_t *res = json_pack("{s:i, s:i, s:i}", "imported", csv.added, "renamed", csv.renamed, "unchanged",
					csv.unchanged);

		areas_csv_cleanup(&csv);
		return api_json(r, 200, res);
	}
}

/* GET /api/v1/areas/{code}/directors: the child directors of a village
 * (not locked), for assigning one to a child and naming the one assigned.
 * For the roles whose children's scope covers the village: the centre,
 * its township's supervisor and station, its own directors and the grid
 * workers of its grids; 404 for everyone else. */
int api_area_directors(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	const char *code = http_param(r, "code");
	store_stmt *st = NULL;
	json_t *items;
	int rc;

	(void)a;
	if (!area_level_of(code) || strcmp(area_level_of(code), "village") != 0)
		return api_error(r, 404, "not_found", "no such village", NULL);
	if (p->scope.children == SCOPE_GRID ? strncmp(p->scope.grid, code, 12) != 0
					    : !scope_covers_place(&p->scope, code, NULL))
		return api_error(r, 404, "not_found", "no such village", NULL);
	rc = conn_prepare(c,
			  "SELECT u.id, u.username, u.display_name FROM memberships m JOIN users u ON u.id = m.user_id "
			  "WHERE m.role = 'director' AND m.area_code = ? AND u.locked = 0 ORDER BY u.id",
			  &st);
	if (rc == WB_OK)
		rc = stmt_bind_text(c, st, 1, code);
	items = json_array();
	while (rc == WB_OK && (rc = stmt_step(c, st)) == STORE_ROW) {
		json_array_append_new(items,
				      json_pack("{s:I, s:s, s:s}", "id", (json_int_t)stmt_int64(c, st, 0), "username",
						stmt_text(c, st, 1), "display_name", stmt_text(c, st, 2)));
		rc = WB_OK;
	}
	stmt_reset(c, st);
	if (rc < 0) {
		json_decref(items);
		return api_fail(r, rc);
	}
	return api_json(r, 200, json_pack("{s:o}", "items", items));
}
