/*
 * /api/v1/areas and /api/v1/units: browse the area tree and the units
 * (departments, organisations, schools); import an area tree from CSV.
 * Area names and codes are public administrative facts, readable by every
 * signed-in user.
 */
#include <stdlib.h>
#include <string.h>

#include "../domain/area.h"
#include "../util/clock.h"
#include "../util/wb.h"
#include "api.h"
#include "areas_csv.h"

static int area_item(const area_rec *ar, void *arg)
{
	json_array_append_new(arg, json_pack("{s:s, s:s, s:s, s:s, s:s?, s:I}", "code", ar->code, "name", ar->name,
					     "level", ar->level, "kind", ar->kind, "parent_code",
					     ar->parent_code[0] ? ar->parent_code : NULL, "children",
					     (json_int_t)ar->children));
	return WB_OK;
}

int api_areas_list(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	const char *parent = http_query(r, "parent");
	const char *cursor = http_query(r, "cursor");
	json_t *items, *j;
	int limit, rc;

	(void)a;
	(void)p;
	if (api_limit(r, 500, 1000, &limit))
		return 0;
	if (parent && !area_level_of(parent))
		return api_error(r, 422, "validation_failed", "parent must be an area code", "parent");
	if (cursor && !area_level_of(cursor))
		return api_error(r, 422, "validation_failed", "cursor is not valid", "cursor");
	items = json_array();
	rc = store_area_list(c, parent, cursor, limit, area_item, items);
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
	json_t *j;
	int rc;

	(void)a;
	(void)p;
	if (!area_level_of(code))
		return api_error(r, 404, "not_found", "no such area", NULL);
	rc = store_area_get(c, code, &ar);
	if (rc)
		return api_fail(r, rc);
	j = json_array();
	area_item(&ar, j);
	rc = api_json(r, 200, json_incref(json_array_get(j, 0)));
	json_decref(j);
	return rc;
}

static int unit_item(const unit_rec *u, void *arg)
{
	json_array_append_new(arg,
			      json_pack("{s:I, s:s, s:s, s:s, s:s?}", "id", (json_int_t)u->id, "kind", u->kind, "code",
					u->code, "name", u->name, "area_code", u->area_code[0] ? u->area_code : NULL));
	return WB_OK;
}

int api_units_list(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	const char *kind = http_query(r, "kind");
	json_t *items;
	int rc;

	(void)a;
	if (kind && strcmp(kind, "department") != 0 && strcmp(kind, "org") != 0 && strcmp(kind, "school") != 0)
		return api_error(r, 422, "validation_failed", "kind must be department, org or school", "kind");
	items = json_array();
	rc = store_unit_list(c, p->county_code, kind, unit_item, items);
	if (rc) {
		json_decref(items);
		return api_fail(r, rc);
	}
	return api_json(r, 200, json_pack("{s:o}", "items", items));
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

	if (!p->def->manage_users)
		return api_error(r, 403, "forbidden", "only an administrator may import areas", NULL);
	if (areas_csv_parse(&csv, r->body.data ? r->body.data : "", r->body.len, p->county_code, c, &line, err,
			    sizeof(err)) != WB_OK) {
		char msg[320];

		wb_snprintf(msg, sizeof(msg), "line %d: %s", line, err);
		areas_csv_cleanup(&csv);
		return api_error(r, 422, "invalid_csv", msg, "line");
	}
	j.csv = &csv;
	j.now = clock_now();
	api_audit_init(r, p, &e);
	audit_entry_set(&e, "area.import", "area", "", "ok");
	api_audit_detail(&e, areas_import_detail(&csv));
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

/* GET /api/v1/areas/{code}/directors: the child directors of a village,
 * for assigning one to a child. Only for roles that register children in
 * that village. */
int api_area_directors(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	const char *code = http_param(r, "code");
	store_stmt *st = NULL;
	json_t *items;
	int rc;

	(void)a;
	if (!area_level_of(code) || strcmp(area_level_of(code), "village") != 0)
		return api_error(r, 404, "not_found", "no such village", NULL);
	if (!p->def->write_children || !scope_covers_place(&p->scope, code, NULL))
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
