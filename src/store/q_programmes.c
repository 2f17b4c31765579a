/* Supporting programmes; see q_programmes.h. */
#include "q_programmes.h"

#include <stdlib.h>
#include <string.h>

#include "../util/buf.h"
#include "../util/wb.h"

static int log_add(store_conn *c, const programme_rec *p, const char *field, const char *old, const char *now)
{
	int rc = conn_query(c, NULL,
			    "INSERT INTO programme_log (county_code, programme_id, at, user_id, field, old_value, "
			    "new_value) VALUES (?, ?, ?, ?, ?, ?, ?)",
			    "siiisss", p->county_code, p->id, p->updated_at, p->updated_by, field, old, now);

	return rc < 0 ? rc : WB_OK;
}

int store_programme_insert(store_conn *c, programme_rec *p)
{
	store_stmt *st = NULL;
	int rc = conn_query(c, &st,
			    "INSERT INTO programmes (county_code, area_code, kind, name, holder, industry, level, "
			    "status, started_on, jobs, returnees, notes, created_at, created_by, updated_at, "
			    "updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			    "sssssssssiisiiii", p->county_code, p->area_code, p->kind, p->name, p->holder, p->industry,
			    p->level, p->status, p->started_on, p->jobs, p->returnees, p->notes, p->created_at,
			    p->created_by, p->updated_at, p->updated_by);

	rc = stmt_result_int64(c, st, rc, WB_ESTORE, &p->id);
	p->version = 1;
	if (rc == WB_OK)
		rc = log_add(c, p, "level", NULL, p->level);
	return rc;
}

int store_programme_update(store_conn *c, programme_rec *p, const programme_rec *old)
{
	store_stmt *st = NULL;
	int rc =
		conn_query(c, &st,
			   "UPDATE programmes SET name = ?, holder = ?, industry = ?, level = ?, status = ?, jobs = ?, "
			   "returnees = ?, notes = ?, updated_at = ?, updated_by = ?, version = version + 1 WHERE id "
			   "= ? AND county_code = ? AND version = ? RETURNING version",
			   "sssssiisiiisi", p->name, p->holder, p->industry, p->level, p->status, p->jobs, p->returnees,
			   p->notes, p->updated_at, p->updated_by, p->id, p->county_code, old->version);

	/* no row: the programme moved on since old was read */
	rc = stmt_result_int64(c, st, rc, WB_ECONFLICT, &p->version);
	if (rc == WB_OK && strcmp(old->level, p->level) != 0)
		rc = log_add(c, p, "level", old->level, p->level);
	if (rc == WB_OK && strcmp(old->status, p->status) != 0)
		rc = log_add(c, p, "status", old->status, p->status);
	return rc;
}

#define P_COLS                                                                                                \
	"SELECT p.id, p.jobs, p.returnees, p.created_at, p.created_by, p.updated_at, p.updated_by, "          \
	"p.county_code, p.area_code, p.kind, p.name, p.holder, p.industry, p.level, p.status, p.started_on, " \
	"p.notes, (SELECT COUNT(*) FROM programme_returns r WHERE r.programme_id = p.id), (SELECT COUNT(*) "  \
	"FROM programme_returns r WHERE r.programme_id = p.id AND r.left_behind_ended = 1), p.version "       \
	"FROM programmes p"

static void programme_row(store_conn *c, store_stmt *st, programme_rec *p)
{
	memset(p, 0, sizeof(*p));
	p->id = stmt_int64(c, st, 0);
	p->jobs = stmt_int64(c, st, 1);
	p->returnees = stmt_int64(c, st, 2);
	p->created_at = stmt_int64(c, st, 3);
	p->created_by = stmt_int64(c, st, 4);
	p->updated_at = stmt_int64(c, st, 5);
	p->updated_by = stmt_int64(c, st, 6);
	stmt_copy(c, st, 7, p->county_code, sizeof(p->county_code));
	stmt_copy(c, st, 8, p->area_code, sizeof(p->area_code));
	stmt_copy(c, st, 9, p->kind, sizeof(p->kind));
	stmt_copy(c, st, 10, p->name, sizeof(p->name));
	stmt_copy(c, st, 11, p->holder, sizeof(p->holder));
	stmt_copy(c, st, 12, p->industry, sizeof(p->industry));
	stmt_copy(c, st, 13, p->level, sizeof(p->level));
	stmt_copy(c, st, 14, p->status, sizeof(p->status));
	stmt_copy(c, st, 15, p->started_on, sizeof(p->started_on));
	stmt_copy(c, st, 16, p->notes, sizeof(p->notes));
	p->returns = stmt_int64(c, st, 17);
	p->left_behind_ended = stmt_int64(c, st, 18);
	p->version = stmt_int64(c, st, 19);
}

int store_programme_get(store_conn *c, const char *county, int64_t id, programme_rec *out)
{
	store_stmt *st = NULL;
	int rc = conn_query(c, &st, P_COLS " WHERE p.id = ? AND p.county_code = ?", "is", id, county);

	if (rc != STORE_ROW)
		return rc == STORE_DONE ? WB_ENOTFOUND : rc;
	programme_row(c, st, out);
	stmt_reset(c, st);
	return WB_OK;
}

/* " WHERE ..." of the filter on programmes p. */
static int filter_sql(const programme_filter *f, buf *sql, store_args *a)
{
	int rc = buf_puts(sql, " WHERE p.county_code = ?");

	args_text(a, f->county);
	if (rc == WB_OK && f->lo) {
		rc = buf_puts(sql, " AND p.area_code >= ? AND p.area_code < ?");
		args_text(a, f->lo);
		args_text(a, f->hi);
	}
	if (rc == WB_OK && f->kind) {
		rc = buf_puts(sql, " AND p.kind = ?");
		args_text(a, f->kind);
	}
	if (rc == WB_OK && f->status) {
		rc = buf_puts(sql, " AND p.status = ?");
		args_text(a, f->status);
	}
	return rc;
}

int store_programmes_totals(store_conn *c, const programme_filter *f, int64_t n[4])
{
	store_stmt *st = NULL;
	store_args a = {0};
	buf sql;
	int rc;

	memset(n, 0, 4 * sizeof(n[0]));
	buf_init(&sql, 4096);
	rc = buf_puts(&sql, "SELECT COUNT(*), COALESCE(SUM(p.jobs), 0), COALESCE(SUM(p.returnees), 0), (SELECT "
			    "COUNT(*) FROM programme_returns r JOIN programmes p ON p.id = r.programme_id");
	if (rc == WB_OK)
		rc = filter_sql(f, &sql, &a);
	if (rc == WB_OK)
		rc = buf_puts(&sql, " AND r.left_behind_ended = 1) FROM programmes p");
	if (rc == WB_OK)
		rc = filter_sql(f, &sql, &a);
	if (rc == WB_OK)
		rc = conn_query_args(c, &st, sql.data, &a);
	if (rc == STORE_ROW) {
		for (int i = 0; i < 4; i++)
			n[i] = stmt_int64(c, st, i);
		stmt_reset(c, st);
		rc = WB_OK;
	}
	buf_cleanup(&sql);
	return rc == STORE_DONE ? WB_OK : rc;
}

int store_programmes(store_conn *c, const programme_filter *f, int limit, programme_cb cb, void *arg)
{
	store_stmt *st = NULL;
	store_args a = {0};
	programme_rec *p = malloc(sizeof(*p));
	buf sql;
	int rc;

	if (!p)
		return WB_ENOMEM;
	buf_init(&sql, 8192);
	rc = buf_puts(&sql, P_COLS);
	if (rc == WB_OK)
		rc = filter_sql(f, &sql, &a);
	if (rc == WB_OK)
		rc = buf_puts(&sql, " ORDER BY p.started_on DESC, p.id DESC LIMIT ?");
	args_int(&a, limit);
	if (rc == WB_OK)
		rc = conn_query_args(c, &st, sql.data, &a);
	while (rc == STORE_ROW) {
		programme_row(c, st, p);
		rc = cb(p, arg);
		if (rc != WB_OK)
			break;
		rc = stmt_step(c, st);
	}
	if (st)
		stmt_reset(c, st);
	buf_cleanup(&sql);
	free(p);
	return rc == STORE_DONE ? WB_OK : rc;
}

int store_programme_return_insert(store_conn *c, programme_return_rec *r)
{
	store_stmt *st = NULL;
	int rc =
		conn_query(c, &st,
			   "INSERT INTO programme_returns (county_code, programme_id, child_id, relation, returned_on, "
			   "left_behind_ended, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			   "siissiii", r->county_code, r->programme_id, r->child_id, r->relation, r->returned_on,
			   (int64_t)r->left_behind_ended, r->created_at, r->created_by);

	rc = stmt_result_int64(c, st, rc, WB_ESTORE, &r->id);
	/* the programme moves on (an edit read before the return is stale),
	 * and its returnees count at least its parents come home */
	if (rc == WB_OK)
		rc = conn_query(
			c, NULL,
			"UPDATE programmes SET version = version + 1, returnees = CASE WHEN returnees < (SELECT "
			"COUNT(*) FROM programme_returns r WHERE r.programme_id = programmes.id) THEN (SELECT "
			"COUNT(*) FROM programme_returns r WHERE r.programme_id = programmes.id) ELSE returnees "
			"END WHERE id = ?",
			"i", r->programme_id);
	return rc < 0 ? rc : WB_OK;
}

int store_programme_returns(store_conn *c, int64_t id, const store_scope *sc, programme_return_cb cb, void *arg)
{
	store_stmt *st = NULL;
	store_args a = {0};
	programme_return_rec r;
	buf sql;
	int rc;

	buf_init(&sql, 8192);
	/* every return is listed, as the programme's counts count it; column
	 * 12 says whether its child may be named to the caller (a child who
	 * moved away or was archived stays a return of the programme) */
	rc = buf_puts(&sql,
		      "SELECT r.id, r.programme_id, r.child_id, r.created_at, r.created_by, r.left_behind_ended, "
		      "r.county_code, r.relation, r.returned_on, c.name, c.village_code, COALESCE(u.display_name, "
		      "''), ");
	if (rc == WB_OK)
		rc = scope_child_named_sql(sc, "c", "1 = 1", "0", &sql, &a);
	if (rc == WB_OK)
		rc = buf_puts(&sql, " FROM programme_returns r JOIN children c ON c.id = r.child_id LEFT JOIN users u "
				    "ON u.id = r.created_by WHERE r.programme_id = ?");
	args_int(&a, id);
	if (rc == WB_OK)
		rc = buf_puts(&sql, " ORDER BY r.returned_on DESC, r.id DESC LIMIT 500");
	if (rc == WB_OK)
		rc = conn_query_args(c, &st, sql.data, &a);
	while (rc == STORE_ROW) {
		memset(&r, 0, sizeof(r));
		r.id = stmt_int64(c, st, 0);
		r.programme_id = stmt_int64(c, st, 1);
		r.child_id = stmt_int64(c, st, 2);
		r.created_at = stmt_int64(c, st, 3);
		r.created_by = stmt_int64(c, st, 4);
		r.left_behind_ended = (int)stmt_int64(c, st, 5);
		stmt_copy(c, st, 6, r.county_code, sizeof(r.county_code));
		stmt_copy(c, st, 7, r.relation, sizeof(r.relation));
		stmt_copy(c, st, 8, r.returned_on, sizeof(r.returned_on));
		if (stmt_int64(c, st, 12)) {
			stmt_copy(c, st, 9, r.child_name, sizeof(r.child_name));
			stmt_copy(c, st, 10, r.child_village, sizeof(r.child_village));
		} else {
			r.child_id = 0; /* not named to the caller */
		}
		stmt_copy(c, st, 11, r.by_name, sizeof(r.by_name));
		rc = cb(&r, arg);
		if (rc != WB_OK)
			break;
		rc = stmt_step(c, st);
	}
	if (st)
		stmt_reset(c, st);
	buf_cleanup(&sql);
	return rc == STORE_DONE ? WB_OK : rc;
}

int store_programme_log(store_conn *c, int64_t id, programme_log_cb cb, void *arg)
{
	store_stmt *st = NULL;
	programme_log_rec l;
	int rc = conn_query(c, &st,
			    "SELECT l.at, l.user_id, l.field, COALESCE(l.old_value, ''), l.new_value, "
			    "COALESCE(u.display_name, '') FROM programme_log l LEFT JOIN users u ON u.id = l.user_id "
			    "WHERE l.programme_id = ? ORDER BY l.id",
			    "i", id);

	while (rc == STORE_ROW) {
		memset(&l, 0, sizeof(l));
		l.at = stmt_int64(c, st, 0);
		l.user_id = stmt_int64(c, st, 1);
		stmt_copy(c, st, 2, l.field, sizeof(l.field));
		stmt_copy(c, st, 3, l.old_value, sizeof(l.old_value));
		stmt_copy(c, st, 4, l.new_value, sizeof(l.new_value));
		stmt_copy(c, st, 5, l.by_name, sizeof(l.by_name));
		rc = cb(&l, arg);
		if (rc != WB_OK)
			break;
		rc = stmt_step(c, st);
	}
	if (st)
		stmt_reset(c, st);
	return rc == STORE_DONE ? WB_OK : rc;
}

int store_guardian_returned(store_conn *c, int64_t child_id, int64_t gid, const char *day, int64_t at, int64_t by)
{
	int rc =
		conn_query(c, NULL,
			   "UPDATE guardians SET status = 'present', status_since = ?, work_place = NULL, updated_at = "
			   "? WHERE id = ? AND child_id = ?",
			   "siii", day, at, gid, child_id);

	if (rc >= 0)
		rc = conn_query(
			c, NULL,
			"UPDATE children SET version = version + 1, updated_at = ?, updated_by = ? WHERE id = ?", "iii",
			at, by, child_id);
	return rc < 0 ? rc : WB_OK;
}
