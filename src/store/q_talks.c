/* Talks; see q_talks.h. */
#include "q_talks.h"

#include <string.h>

#include "../util/buf.h"
#include "../util/wb.h"
#include "model.h"

int store_talk_insert(store_conn *c, talk_rec *t)
{
	store_stmt *st = NULL;
	store_args a = {0};
	int rc;

	args_text(&a, t->county_code);
	args_text(&a, t->area_code);
	args_opt_int(&a, t->school_id);
	args_text(&a, t->held_on);
	args_text(&a, t->kind);
	args_text(&a, t->topic);
	args_int(&a, t->children);
	args_int(&a, t->adults);
	args_text(&a, t->notes);
	args_int(&a, t->created_at);
	args_int(&a, t->created_by);
	rc = conn_query_args(
		c, &st,
		"INSERT INTO talks (county_code, area_code, school_id, held_on, kind, topic, children, "
		"adults, notes, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
		&a);
	return stmt_result_int64(c, st, rc, WB_ESTORE, &t->id);
}

#define TALK_COLS                                                                                             \
	"SELECT t.id, COALESCE(t.school_id, 0), t.children, t.adults, t.created_at, t.created_by, "           \
	"t.county_code, t.area_code, t.held_on, t.kind, t.topic, t.notes, COALESCE(u.display_name, '') FROM " \
	"talks t LEFT JOIN users u ON u.id = t.created_by"

static void talk_row(store_conn *c, store_stmt *st, talk_rec *t)
{
	memset(t, 0, sizeof(*t));
	t->id = stmt_int64(c, st, 0);
	t->school_id = stmt_int64(c, st, 1);
	t->children = stmt_int64(c, st, 2);
	t->adults = stmt_int64(c, st, 3);
	t->created_at = stmt_int64(c, st, 4);
	t->created_by = stmt_int64(c, st, 5);
	stmt_copy(c, st, 6, t->county_code, sizeof(t->county_code));
	stmt_copy(c, st, 7, t->area_code, sizeof(t->area_code));
	stmt_copy(c, st, 8, t->held_on, sizeof(t->held_on));
	stmt_copy(c, st, 9, t->kind, sizeof(t->kind));
	stmt_copy(c, st, 10, t->topic, sizeof(t->topic));
	stmt_copy(c, st, 11, t->notes, sizeof(t->notes));
	stmt_copy(c, st, 12, t->by_name, sizeof(t->by_name));
}

int store_talk_get(store_conn *c, const char *county, int64_t id, talk_rec *out)
{
	store_stmt *st = NULL;
	int rc = conn_query(c, &st, TALK_COLS " WHERE t.id = ? AND t.county_code = ?", "is", id, county);

	if (rc != STORE_ROW)
		return rc == STORE_DONE ? WB_ENOTFOUND : rc;
	talk_row(c, st, out);
	stmt_reset(c, st);
	return WB_OK;
}

int store_talk_update(store_conn *c, const talk_rec *t)
{
	store_stmt *st = NULL;
	int64_t id;
	int rc = conn_query(c, &st,
			    "UPDATE talks SET held_on = ?, kind = ?, topic = ?, children = ?, adults = ?, notes = ? "
			    "WHERE id = ? AND county_code = ? RETURNING id",
			    "sssiisis", t->held_on, t->kind, t->topic, t->children, t->adults, t->notes, t->id,
			    t->county_code);

	return stmt_result_int64(c, st, rc, WB_ENOTFOUND, &id);
}

int store_talk_delete(store_conn *c, const char *county, int64_t id)
{
	store_stmt *st = NULL;
	int64_t got;
	int rc =
		conn_query(c, &st, "DELETE FROM talks WHERE id = ? AND county_code = ? RETURNING id", "is", id, county);

	return stmt_result_int64(c, st, rc, WB_ENOTFOUND, &got);
}

/* " WHERE ..." of the filter on talks t. */
static int filter_sql(const talk_filter *f, buf *sql, store_args *a)
{
	int rc = buf_puts(sql, " WHERE t.county_code = ? AND t.held_on >= ? AND t.held_on <= ?");

	args_text(a, f->county);
	args_text(a, f->from);
	args_text(a, f->to);
	if (rc == WB_OK && f->lo) {
		rc = buf_puts(sql, " AND t.area_code >= ? AND t.area_code < ?");
		args_text(a, f->lo);
		args_text(a, f->hi);
	}
	if (rc == WB_OK && f->school_id) {
		rc = buf_puts(sql, " AND t.school_id = ?");
		args_int(a, f->school_id);
	}
	return rc;
}

int store_talks(store_conn *c, const talk_filter *f, int limit, talk_cb cb, void *arg)
{
	store_stmt *st = NULL;
	store_args a = {0};
	talk_rec t;
	buf sql;
	int rc;

	buf_init(&sql, 1024);
	rc = buf_puts(&sql, TALK_COLS);
	if (rc == WB_OK)
		rc = filter_sql(f, &sql, &a);
	if (rc == WB_OK)
		rc = buf_puts(&sql, " ORDER BY t.held_on DESC, t.id DESC LIMIT ?");
	args_int(&a, limit);
	if (rc == WB_OK)
		rc = conn_query_args(c, &st, sql.data, &a);
	while (rc == STORE_ROW) {
		talk_row(c, st, &t);
		rc = cb(&t, arg);
		if (rc == WB_OK)
			rc = stmt_step(c, st);
	}
	if (st)
		stmt_reset(c, st);
	buf_cleanup(&sql);
	return rc < 0 ? rc : WB_OK;
}

int store_talks_by_village(store_conn *c, const talk_filter *f, store_group_cb cb, void *arg)
{
	store_args a = {0};
	buf sql;
	int rc;

	buf_init(&sql, 1024);
	rc = buf_puts(&sql, "SELECT t.area_code, COUNT(*), SUM(t.children), SUM(t.adults) FROM talks t");
	if (rc == WB_OK)
		rc = filter_sql(f, &sql, &a);
	if (rc == WB_OK)
		rc = buf_puts(&sql, " GROUP BY t.area_code");
	if (rc == WB_OK)
		rc = store_group_rows(c, sql.data, &a, 0, 3, cb, arg);
	buf_cleanup(&sql);
	return rc;
}
