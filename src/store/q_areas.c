/* Queries over areas and units (departments, organisations, schools). */
#include <string.h>

#include "../util/wb.h"
#include "model.h"

#define AREA_COLS "a.code, a.county_code, COALESCE(a.parent_code, ''), a.level, a.kind, a.name"

static void area_row(store_conn *c, store_stmt *st, area_rec *a)
{
	memset(a, 0, sizeof(*a));
	stmt_copy(c, st, 0, a->code, sizeof(a->code));
	stmt_copy(c, st, 1, a->county_code, sizeof(a->county_code));
	stmt_copy(c, st, 2, a->parent_code, sizeof(a->parent_code));
	stmt_copy(c, st, 3, a->level, sizeof(a->level));
	stmt_copy(c, st, 4, a->kind, sizeof(a->kind));
	stmt_copy(c, st, 5, a->name, sizeof(a->name));
}

int store_area_get(store_conn *c, const char *code, area_rec *out)
{
	store_stmt *st = NULL;
	int rc = conn_query(c, &st,
			    "SELECT " AREA_COLS ", (SELECT COUNT(*) FROM areas b WHERE b.parent_code = a.code) "
			    "FROM areas a WHERE a.code = ?",
			    "s", code);

	if (rc != STORE_ROW)
		return rc < 0 ? rc : WB_ENOTFOUND;
	area_row(c, st, out);
	out->children = stmt_int64(c, st, 6);
	stmt_reset(c, st);
	return WB_OK;
}

int store_area_list(store_conn *c, const char *parent, const char *after, int limit, area_cb cb, void *arg)
{
	store_stmt *st = NULL;
	int rc;

	rc = conn_prepare(c,
			  parent ? "SELECT " AREA_COLS ", (SELECT COUNT(*) FROM areas b WHERE b.parent_code = a.code) "
				   "FROM areas a WHERE a.parent_code = ? AND a.code > ? ORDER BY a.code LIMIT ?"
				 : "SELECT " AREA_COLS ", (SELECT COUNT(*) FROM areas b WHERE b.parent_code = a.code) "
				   "FROM areas a WHERE a.parent_code IS NULL AND a.code > ? ORDER BY a.code LIMIT ?",
			  &st);
	if (rc)
		return rc;
	{
		int idx = 1;

		if (parent)
			rc = stmt_bind_text(c, st, idx++, parent);
		if (rc == WB_OK)
			rc = stmt_bind_text(c, st, idx++, after ? after : "");
		if (rc == WB_OK)
			rc = stmt_bind_int64(c, st, idx, limit);
	}
	while (rc == WB_OK && (rc = stmt_step(c, st)) == STORE_ROW) {
		area_rec a;

		area_row(c, st, &a);
		a.children = stmt_int64(c, st, 6);
		rc = cb(&a, arg);
	}
	stmt_reset(c, st);
	return rc < 0 ? rc : WB_OK;
}

int store_area_subtree(store_conn *c, const char *code, area_cb cb, void *arg)
{
	store_stmt *st = NULL;
	int rc = conn_query(
		c, &st, "SELECT " AREA_COLS ", 0 FROM areas a WHERE a.code >= ? AND a.code < ? || ':' ORDER BY a.code",
		"ss", code, code);

	while (rc == STORE_ROW) {
		area_rec a;

		area_row(c, st, &a);
		rc = cb(&a, arg);
		if (rc == WB_OK)
			rc = stmt_step(c, st);
	}
	stmt_reset(c, st);
	return rc < 0 ? rc : WB_OK;
}

int store_area_insert(store_conn *c, const area_rec *a, int64_t now)
{
	int rc = conn_query(c, NULL,
			    "INSERT INTO areas (code, county_code, parent_code, level, kind, name, created_at) "
			    "VALUES (?, ?, ?, ?, ?, ?, ?)",
			    "ssssssi", a->code, a->county_code, store_null_if_empty(a->parent_code), a->level, a->kind,
			    a->name, now);

	return rc < 0 ? rc : WB_OK;
}

int store_area_rename(store_conn *c, const area_rec *a)
{
	int rc = conn_query(c, NULL, "UPDATE areas SET name = ?, kind = ? WHERE code = ?", "sss", a->name, a->kind,
			    a->code);

	return rc < 0 ? rc : WB_OK;
}

int store_area_count(store_conn *c, const char *county, int64_t *out)
{
	store_stmt *st = NULL;
	int rc = conn_query(c, &st, "SELECT COUNT(*) FROM areas WHERE county_code = ?", "s", county);

	*out = 0;
	return stmt_result_int64(c, st, rc, WB_OK, out);
}

#define UNIT_COLS "id, county_code, kind, code, name, COALESCE(area_code, '')"

static void unit_row(store_conn *c, store_stmt *st, unit_rec *u)
{
	memset(u, 0, sizeof(*u));
	u->id = stmt_int64(c, st, 0);
	stmt_copy(c, st, 1, u->county_code, sizeof(u->county_code));
	stmt_copy(c, st, 2, u->kind, sizeof(u->kind));
	stmt_copy(c, st, 3, u->code, sizeof(u->code));
	stmt_copy(c, st, 4, u->name, sizeof(u->name));
	stmt_copy(c, st, 5, u->area_code, sizeof(u->area_code));
}

int store_unit_insert(store_conn *c, const unit_rec *u, int64_t now, int64_t *id_out)
{
	store_stmt *st = NULL;
	int rc =
		conn_query(c, &st,
			   "INSERT INTO units (county_code, kind, code, name, area_code, created_at) "
			   "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
			   "sssssi", u->county_code, u->kind, u->code, u->name, store_null_if_empty(u->area_code), now);

	return stmt_result_int64(c, st, rc, WB_ESTORE, id_out);
}

int store_unit_update(store_conn *c, const unit_rec *u)
{
	int rc = conn_query(c, NULL, "UPDATE units SET name = ?, area_code = ? WHERE id = ?", "ssi", u->name,
			    store_null_if_empty(u->area_code), u->id);

	return rc < 0 ? rc : WB_OK;
}

int store_unit_get(store_conn *c, int64_t id, unit_rec *out)
{
	store_stmt *st = NULL;
	int rc = conn_query(c, &st, "SELECT " UNIT_COLS " FROM units WHERE id = ?", "i", id);

	if (rc != STORE_ROW)
		return rc < 0 ? rc : WB_ENOTFOUND;
	unit_row(c, st, out);
	stmt_reset(c, st);
	return WB_OK;
}

int store_unit_find(store_conn *c, const char *county, const char *kind, const char *code, unit_rec *out)
{
	store_stmt *st = NULL;
	int rc = conn_query(c, &st, "SELECT " UNIT_COLS " FROM units WHERE county_code = ? AND kind = ? AND code = ?",
			    "sss", county, kind, code);

	if (rc != STORE_ROW)
		return rc < 0 ? rc : WB_ENOTFOUND;
	unit_row(c, st, out);
	stmt_reset(c, st);
	return WB_OK;
}

int store_unit_list(store_conn *c, const char *county, const char *kind, unit_cb cb, void *arg)
{
	store_stmt *st = NULL;
	int rc = conn_prepare(c,
			      "SELECT " UNIT_COLS " FROM units WHERE county_code = ? AND (? = '' OR kind = ?) "
			      "ORDER BY kind, code",
			      &st);

	if (rc)
		return rc;
	rc = stmt_bind_text(c, st, 1, county);
	if (rc == WB_OK)
		rc = stmt_bind_text(c, st, 2, kind ? kind : "");
	if (rc == WB_OK)
		rc = stmt_bind_text(c, st, 3, kind ? kind : "");
	while (rc == WB_OK && (rc = stmt_step(c, st)) == STORE_ROW) {
		unit_rec u;

		unit_row(c, st, &u);
		rc = cb(&u, arg);
	}
	stmt_reset(c, st);
	return rc < 0 ? rc : WB_OK;
}
