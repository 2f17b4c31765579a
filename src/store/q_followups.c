/*
 * Follow-up visits of help requests (q_followups.h).
 */
#include "q_followups.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "../domain/date.h"
#include "../util/buf.h"
#include "../util/wb.h"

#define FU_COLS                                                                                                      \
	"f.id, f.request_id, f.child_id, f.created_at, f.created_by, COALESCE(f.visit_id, 0), "                      \
	"COALESCE(f.cancelled_at, 0), f.county_code, f.due_on, f.created_on, COALESCE(f.done_on, ''), f.note, "      \
	"COALESCE(c.name, ''), c.village_code, COALESCE(u.display_name, ''), COALESCE(q.kind, ''), "                 \
	"CASE WHEN q.mandatory <> 0 AND q.reporter_id = f.created_by THEN 1 ELSE 0 END FROM follow_ups "             \
	"f JOIN children c ON c.id = f.child_id LEFT JOIN users u ON u.id = f.created_by LEFT JOIN help_requests q " \
	"ON q.id = f.request_id"

static void fu_row(store_conn *c, store_stmt *st, follow_up_rec *f)
{
	memset(f, 0, sizeof(*f));
	f->id = stmt_int64(c, st, 0);
	f->request_id = stmt_int64(c, st, 1);
	f->child_id = stmt_int64(c, st, 2);
	f->created_at = stmt_int64(c, st, 3);
	f->created_by = stmt_int64(c, st, 4);
	f->visit_id = stmt_int64(c, st, 5);
	f->cancelled_at = stmt_int64(c, st, 6);
	stmt_copy(c, st, 7, f->county_code, sizeof(f->county_code));
	stmt_copy(c, st, 8, f->due_on, sizeof(f->due_on));
	stmt_copy(c, st, 9, f->created_on, sizeof(f->created_on));
	stmt_copy(c, st, 10, f->done_on, sizeof(f->done_on));
	stmt_copy(c, st, 11, f->note, sizeof(f->note));
	stmt_copy(c, st, 12, f->child_name, sizeof(f->child_name));
	stmt_copy(c, st, 13, f->village_code, sizeof(f->village_code));
	stmt_copy(c, st, 14, f->by_name, sizeof(f->by_name));
	stmt_copy(c, st, 15, f->request_kind, sizeof(f->request_kind));
	f->by_reporter = stmt_int64(c, st, 16) != 0;
}

int store_follow_up_insert(store_conn *c, follow_up_rec *f)
{
	store_stmt *st = NULL;
	int rc = conn_query(c, &st,
			    "INSERT INTO follow_ups (county_code, request_id, child_id, due_on, note, created_on, "
			    "created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			    "siisssii", f->county_code, f->request_id, f->child_id, f->due_on, f->note, f->created_on,
			    f->created_at, f->created_by);

	return stmt_result_int64(c, st, rc, WB_ESTORE, &f->id);
}

int store_follow_up_get(store_conn *c, const store_scope *sc, int64_t id, follow_up_rec *out)
{
	store_stmt *st = NULL;
	store_args a = {0};
	buf sql;
	int rc;

	buf_init(&sql, 2048);
	rc = buf_puts(&sql, "SELECT " FU_COLS " WHERE f.id = ? AND f.county_code = ?");
	args_int(&a, id);
	args_text(&a, sc->county_code);
	if (rc == WB_OK)
		rc = scope_children_sql(sc, "c", &sql, &a);
	if (rc == WB_OK)
		rc = conn_query_args(c, &st, sql.data, &a);
	if (rc == STORE_ROW)
		fu_row(c, st, out);
	stmt_reset(c, st);
	buf_cleanup(&sql);
	return rc == STORE_ROW ? WB_OK : rc < 0 ? rc : WB_ENOTFOUND;
}

int store_follow_up_cancel(store_conn *c, int64_t id, int64_t at, int64_t by)
{
	store_stmt *st = NULL;
	int rc =
		conn_query(c, &st,
			   "UPDATE follow_ups SET cancelled_at = ?, cancelled_by = ? WHERE id = ? AND visit_id IS NULL "
			   "AND cancelled_at IS NULL RETURNING id",
			   "iii", at, by, id);

	stmt_reset(c, st);
	return rc == STORE_ROW ? WB_OK : rc < 0 ? rc : WB_ECONFLICT;
}

int store_follow_ups_cancel_open(store_conn *c, int64_t request_id, int64_t child_id, int64_t at, int64_t by, int *n)
{
	store_stmt *st = NULL;
	store_args a = {0};
	int rc, count = 0;

	args_int(&a, at);
	args_opt_int(&a, by);
	args_int(&a, request_id ? request_id : child_id);
	rc = conn_query_args(c, &st,
			     request_id
				     ? "UPDATE follow_ups SET cancelled_at = ?, cancelled_by = ? WHERE request_id = ? "
				       "AND visit_id IS NULL AND cancelled_at IS NULL RETURNING id"
				     : "UPDATE follow_ups SET cancelled_at = ?, cancelled_by = ? WHERE child_id = ? "
				       "AND visit_id IS NULL AND cancelled_at IS NULL RETURNING id",
			     &a);
	while (rc == STORE_ROW) {
		count++;
		rc = stmt_step(c, st);
	}
	if (st)
		stmt_reset(c, st);
	if (n)
		*n = count;
	return rc < 0 ? rc : WB_OK;
}

int store_follow_ups_complete(store_conn *c, int64_t child_id, int64_t visit_id, const char *visited_on,
			      int64_t recorded_at, int *done)
{
	store_stmt *st = NULL;
	char window[11];
	int day = date_ymd(visited_on), rc;

	*done = 0;
	if (!day)
		return WB_EINVAL;
	/* the follow-ups whose window the visit is in: due within the week
	 * after it (or overdue), scheduled before its day */
	date_format(date_add_days(day, FOLLOW_UP_WINDOW_DAYS), window);
	rc = conn_query(c, &st,
			"UPDATE follow_ups SET visit_id = ?, done_on = ? WHERE child_id = ? AND visit_id IS NULL "
			"AND cancelled_at IS NULL AND created_on < ? AND due_on <= ? AND created_at <= ? RETURNING id",
			"isissi", visit_id, visited_on, child_id, visited_on, window, recorded_at);
	while (rc == STORE_ROW) {
		(*done)++;
		rc = stmt_step(c, st);
	}
	stmt_reset(c, st);
	return rc < 0 ? rc : WB_OK;
}

static int each_row(store_conn *c, store_stmt *st, int rc, follow_up_cb cb, void *arg)
{
	follow_up_rec f;

	while (rc == STORE_ROW) {
		fu_row(c, st, &f);
		rc = cb(&f, arg);
		if (rc == WB_OK)
			rc = stmt_step(c, st);
	}
	stmt_reset(c, st);
	return rc < 0 ? rc : WB_OK;
}

int store_follow_ups_of(store_conn *c, int64_t request_id, follow_up_cb cb, void *arg)
{
	store_stmt *st = NULL;
	int rc = conn_query(c, &st, "SELECT " FU_COLS " WHERE f.request_id = ? ORDER BY f.id", "i", request_id);

	return each_row(c, st, rc, cb, arg);
}

int store_follow_ups(store_conn *c, const store_scope *sc, const follow_up_filter *f, follow_up_cb cb, void *arg)
{
	store_stmt *st = NULL;
	store_args a = {0};
	int open = strcmp(f->state, "open") == 0 || strcmp(f->state, "overdue") == 0;
	buf sql;
	int rc;

	buf_init(&sql, 4096);
	rc = buf_puts(&sql, "SELECT " FU_COLS " WHERE f.county_code = ?");
	args_text(&a, sc->county_code);
	if (rc == WB_OK && open)
		rc = buf_puts(&sql, " AND f.visit_id IS NULL AND f.cancelled_at IS NULL");
	if (rc == WB_OK && strcmp(f->state, "overdue") == 0) {
		rc = buf_puts(&sql, " AND f.due_on < ?");
		args_text(&a, f->today);
	}
	if (rc == WB_OK && strcmp(f->state, "done") == 0)
		rc = buf_puts(&sql, " AND f.visit_id IS NOT NULL");
	if (rc == WB_OK)
		rc = scope_children_sql(sc, "c", &sql, &a);
	if (rc == WB_OK)
		rc = area_filter_sql(f->area, "c", &sql, &a);
	if (rc == WB_OK)
		rc = buf_printf(&sql, open ? " ORDER BY f.due_on, f.id LIMIT %d" : " ORDER BY f.id DESC LIMIT %d",
				f->limit);
	if (rc == WB_OK)
		rc = conn_query_args(c, &st, sql.data, &a);
	rc = each_row(c, st, rc, cb, arg);
	buf_cleanup(&sql);
	return rc;
}

int store_follow_up_counts(store_conn *c, const store_scope *sc, const char *area, const char *today, const char *since,
			   int64_t n[3])
{
	store_stmt *st = NULL;
	store_args a = {0};
	buf sql;
	int rc;

	buf_init(&sql, 2048);
	rc = buf_puts(
		&sql,
		"SELECT COALESCE(SUM(CASE WHEN f.visit_id IS NULL AND f.cancelled_at IS NULL THEN 1 ELSE 0 END), 0), "
		"COALESCE(SUM(CASE WHEN f.visit_id IS NULL AND f.cancelled_at IS NULL AND f.due_on < ? THEN 1 "
		"ELSE 0 END), 0), COALESCE(SUM(CASE WHEN f.done_on >= ? THEN 1 ELSE 0 END), 0) FROM follow_ups f "
		"JOIN children c ON c.id = f.child_id WHERE f.county_code = ?");
	args_text(&a, today);
	args_text(&a, since);
	args_text(&a, sc->county_code);
	if (rc == WB_OK)
		rc = scope_children_sql(sc, "c", &sql, &a);
	if (rc == WB_OK && area)
		rc = area_filter_sql(area, "c", &sql, &a);
	if (rc == WB_OK)
		rc = conn_query_args(c, &st, sql.data, &a);
	if (rc == STORE_ROW)
		for (int i = 0; i < 3; i++)
			n[i] = stmt_int64(c, st, i);
	stmt_reset(c, st);
	buf_cleanup(&sql);
	return rc < 0 ? rc : WB_OK;
}

/* ---- overdue alerts ---- */

int store_follow_ups_to_alert(store_conn *c, const char *county, const char *today, int64_t repeat_before, int limit,
			      follow_up_due_cb cb, void *arg)
{
	store_stmt *st = NULL;
	follow_up_due *rows = NULL;
	int n = 0;
	size_t cap = 0;
	int rc =
		conn_query(c, &st,
			   "SELECT f.id, f.request_id, f.due_on, f.alerts FROM follow_ups f "
			   "JOIN children c ON c.id = f.child_id AND c.archived_at IS NULL "
			   "WHERE f.county_code = ? AND f.visit_id IS NULL AND f.cancelled_at IS NULL AND f.due_on < ? "
			   "AND (f.alerted_at IS NULL OR f.alerted_at <= ?) ORDER BY f.due_on, f.id LIMIT ?",
			   "ssii", county, today, repeat_before > 0 ? repeat_before : (int64_t)0, (int64_t)limit);

	/* collected first: the callback writes to the table being read */
	while (rc == STORE_ROW) {
		if ((rc = wb_grow(&rows, (size_t)n, &cap, sizeof(*rows), 32, INT_MAX)) != WB_OK)
			break;
		rows[n].id = stmt_int64(c, st, 0);
		rows[n].request_id = stmt_int64(c, st, 1);
		stmt_copy(c, st, 2, rows[n].due_on, sizeof(rows[n].due_on));
		rows[n].alerts = (int)stmt_int64(c, st, 3);
		n++;
		rc = stmt_step(c, st);
	}
	stmt_reset(c, st);
	if (rc == STORE_DONE)
		rc = WB_OK;
	for (int i = 0; rc == WB_OK && i < n; i++)
		rc = cb(&rows[i], arg);
	free(rows);
	return rc < 0 ? rc : WB_OK;
}

int store_follow_up_alerted(store_conn *c, int64_t id, int64_t at)
{
	int rc = conn_query(c, NULL, "UPDATE follow_ups SET alerted_at = ?, alerts = alerts + 1 WHERE id = ?", "ii", at,
			    id);

	return rc < 0 ? rc : WB_OK;
}
