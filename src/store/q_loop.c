/*
 * Queries of the closed loop (see q_loop.h). SQL is in the subset both
 * dialects accept. PostgreSQL cannot infer the type of a parameter in the
 * select list of INSERT ... SELECT, so those are CAST explicitly; optional
 * numbers are stored as NULL rather than 0.
 */
#include "q_loop.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "../util/wb.h"

/* ---- requests ---- */

#define REQ_COLS                                                                                               \
	"q.id, q.county_code, q.township_code, q.village_code, COALESCE(q.grid_code, ''), "                    \
	"COALESCE(q.child_id, 0), COALESCE(q.child_desc, ''), q.kind, q.urgency, q.narrative, q.mandatory, "   \
	"q.priority, q.source, q.state, q.state_since, COALESCE(q.step_due_at, 0), q.handled_by, "             \
	"q.reporter_id, q.reporter_role, COALESCE(q.reporter_unit_id, 0), COALESCE(q.result, ''), "            \
	"COALESCE(q.feedback, ''), COALESCE(q.feedback_rating, ''), COALESCE(q.feedback_at, 0), "              \
	"COALESCE(q.withdraw_reason, ''), COALESCE(q.police_due_at, 0), COALESCE(q.police_feedback, ''), "     \
	"COALESCE(q.police_feedback_at, 0), q.version, q.created_at, q.updated_at, COALESCE(q.closed_at, 0), " \
	"COALESCE(ch.name, ''), COALESCE(ch.sex, ''), COALESCE(ch.birth_date, ''), "                           \
	"COALESCE(" REFERRALS_DUE_SQL ", 0), COALESCE(ch.village_code, ''), COALESCE(ch.grid_code, ''), "      \
	"COALESCE(ch.school_id, 0)"

#define REQ_FROM " FROM help_requests q LEFT JOIN children ch ON ch.id = q.child_id"

static void request_row(store_conn *c, store_stmt *st, request_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->id = stmt_int64(c, st, 0);
	stmt_copy(c, st, 1, r->county_code, sizeof(r->county_code));
	stmt_copy(c, st, 2, r->township_code, sizeof(r->township_code));
	stmt_copy(c, st, 3, r->village_code, sizeof(r->village_code));
	stmt_copy(c, st, 4, r->grid_code, sizeof(r->grid_code));
	r->child_id = stmt_int64(c, st, 5);
	stmt_copy(c, st, 6, r->child_desc, sizeof(r->child_desc));
	stmt_copy(c, st, 7, r->kind, sizeof(r->kind));
	stmt_copy(c, st, 8, r->urgency, sizeof(r->urgency));
	stmt_copy(c, st, 9, r->narrative, sizeof(r->narrative));
	r->mandatory = (int)stmt_int64(c, st, 10);
	r->priority = (int)stmt_int64(c, st, 11);
	stmt_copy(c, st, 12, r->source, sizeof(r->source));
	stmt_copy(c, st, 13, r->state, sizeof(r->state));
	r->state_since = stmt_int64(c, st, 14);
	r->step_due_at = stmt_int64(c, st, 15);
	stmt_copy(c, st, 16, r->handled_by, sizeof(r->handled_by));
	r->reporter_id = stmt_int64(c, st, 17);
	stmt_copy(c, st, 18, r->reporter_role, sizeof(r->reporter_role));
	r->reporter_unit_id = stmt_int64(c, st, 19);
	stmt_copy(c, st, 20, r->result, sizeof(r->result));
	stmt_copy(c, st, 21, r->feedback, sizeof(r->feedback));
	stmt_copy(c, st, 22, r->feedback_rating, sizeof(r->feedback_rating));
	r->feedback_at = stmt_int64(c, st, 23);
	stmt_copy(c, st, 24, r->withdraw_reason, sizeof(r->withdraw_reason));
	r->police_due_at = stmt_int64(c, st, 25);
	stmt_copy(c, st, 26, r->police_feedback, sizeof(r->police_feedback));
	r->police_feedback_at = stmt_int64(c, st, 27);
	r->version = stmt_int64(c, st, 28);
	r->created_at = stmt_int64(c, st, 29);
	r->updated_at = stmt_int64(c, st, 30);
	r->closed_at = stmt_int64(c, st, 31);
	stmt_copy(c, st, 32, r->child_name, sizeof(r->child_name));
	stmt_copy(c, st, 33, r->child_sex, sizeof(r->child_sex));
	stmt_copy(c, st, 34, r->child_birth, sizeof(r->child_birth));
	r->referrals_due_at = stmt_int64(c, st, 35);
	stmt_copy(c, st, 36, r->child_village, sizeof(r->child_village));
	stmt_copy(c, st, 37, r->child_grid, sizeof(r->child_grid));
	r->child_school_id = stmt_int64(c, st, 38);
}

/* " AND <the scope's own condition on alias>" (without the filer's own
 * requests): a condition each index of help_requests can serve. A request
 * has a child's place columns (county_code, village_code, grid_code), so a
 * county, an area range, a grid and no scope at all are the children's
 * condition; a township or a village, a school and a referral grant are
 * the request's own. */
static int scope_only_sql(const store_scope *sc, const char *alias, buf *sql, store_args *args)
{
	size_t lo = sc->children == SCOPE_AREA ? strlen(sc->lo) : 0;
	int rc;

	if (lo != 9 && lo != 12 && sc->children != SCOPE_SCHOOL && sc->children != SCOPE_REFERRAL)
		return scope_place_sql(sc, alias, sql, args); /* a request has no archive of its own */
	rc = buf_printf(sql, " AND %s.county_code = ?", alias);
	args_text(args, sc->county_code);
	switch (sc->children) {
	case SCOPE_AREA:
		/* a township or a village: the denormalised codes are indexed */
		if (lo == 9)
			rc = rc ? rc : buf_printf(sql, " AND %s.township_code = ?", alias);
		else
			rc = rc ? rc : buf_printf(sql, " AND %s.village_code = ?", alias);
		args_text(args, sc->lo);
		break;
	case SCOPE_SCHOOL:
		rc = rc ? rc : buf_printf(sql, " AND %s.reporter_unit_id = ?", alias);
		args_int(args, sc->unit_id);
		break;
	default: /* SCOPE_REFERRAL */
		rc = rc ? rc
			: buf_printf(sql,
				     " AND EXISTS (SELECT 1 FROM referrals f WHERE f.request_id = %s.id AND "
				     "f.unit_id = ? AND f.state IN ('pending', 'accepted'))",
				     alias);
		args_int(args, sc->unit_id);
		break;
	}
	return rc;
}

int store_request_scope_sql(const store_scope *sc, int64_t user_id, const char *alias, buf *sql, store_args *args)
{
	int rc = buf_printf(sql, " AND (%s.reporter_id = ? OR (1 = 1", alias);

	args_int(args, user_id);
	if (rc == WB_OK)
		rc = scope_only_sql(sc, alias, sql, args);
	return rc ? rc : buf_puts(sql, "))");
}

int store_request_insert(store_conn *c, request_rec *r)
{
	store_args a = {0};
	store_stmt *st = NULL;
	int rc;

	args_text(&a, r->county_code);
	args_text(&a, r->township_code);
	args_text(&a, r->village_code);
	args_opt_text(&a, r->grid_code);
	args_opt_int(&a, r->child_id);
	args_opt_text(&a, r->child_desc);
	args_text(&a, r->kind);
	args_text(&a, r->urgency);
	args_text(&a, r->narrative);
	args_int(&a, r->mandatory);
	args_int(&a, r->priority);
	args_text(&a, r->source);
	args_text(&a, r->state);
	args_int(&a, r->state_since);
	args_opt_int(&a, r->step_due_at);
	args_text(&a, r->handled_by);
	args_int(&a, r->reporter_id);
	args_text(&a, r->reporter_role);
	args_opt_int(&a, r->reporter_unit_id);
	args_opt_int(&a, r->police_due_at);
	args_int(&a, r->created_at);
	args_int(&a, r->updated_at);
	rc = conn_query_args(
		c, &st,
		"INSERT INTO help_requests (county_code, township_code, village_code, grid_code, child_id, "
		"child_desc, kind, urgency, narrative, mandatory, priority, source, state, state_since, step_due_at, "
		"handled_by, reporter_id, reporter_role, reporter_unit_id, police_due_at, created_at, updated_at, "
		"version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) RETURNING id",
		&a);
	rc = stmt_result_int64(c, st, rc, WB_ESTORE, &r->id);
	if (rc == WB_OK)
		r->version = 1;
	return rc;
}

int store_request_get(store_conn *c, const store_scope *sc, int64_t user_id, int64_t id, request_rec *out)
{
	store_args a = {0};
	store_stmt *st = NULL;
	buf sql;
	int rc;

	buf_init(&sql, 4096);
	rc = buf_puts(&sql, "SELECT " REQ_COLS REQ_FROM " WHERE q.id = ?");
	args_int(&a, id);
	if (rc == WB_OK && sc)
		rc = store_request_scope_sql(sc, user_id, "q", &sql, &a);
	if (rc == WB_OK)
		rc = conn_query_args(c, &st, sql.data, &a);
	if (rc == STORE_ROW) {
		request_row(c, st, out);
		stmt_reset(c, st);
		rc = WB_OK;
	} else if (rc == STORE_DONE) {
		rc = WB_ENOTFOUND;
	}
	buf_cleanup(&sql);
	return rc;
}

int store_request_update(store_conn *c, request_rec *r, int64_t expected_version)
{
	store_args a = {0};
	store_stmt *st = NULL;
	int rc;

	args_text(&a, r->township_code);
	args_text(&a, r->village_code);
	args_opt_text(&a, r->grid_code);
	args_opt_int(&a, r->child_id);
	args_int(&a, r->priority);
	args_text(&a, r->state);
	args_int(&a, r->state_since);
	args_opt_int(&a, r->step_due_at);
	args_text(&a, r->handled_by);
	args_opt_text(&a, r->result);
	args_opt_text(&a, r->feedback);
	args_opt_text(&a, r->feedback_rating);
	args_opt_int(&a, r->feedback_at);
	args_opt_text(&a, r->withdraw_reason);
	args_opt_int(&a, r->police_due_at);
	args_opt_text(&a, r->police_feedback);
	args_opt_int(&a, r->police_feedback_at);
	args_int(&a, r->updated_at);
	args_opt_int(&a, r->closed_at);
	args_int(&a, r->id);
	args_int(&a, expected_version);
	rc = conn_query_args(
		c, &st,
		"UPDATE help_requests SET township_code = ?, village_code = ?, grid_code = ?, child_id = ?, "
		"priority = ?, state = ?, state_since = ?, step_due_at = ?, handled_by = ?, result = ?, feedback = ?, "
		"feedback_rating = ?, feedback_at = ?, withdraw_reason = ?, police_due_at = ?, police_feedback = ?, "
		"police_feedback_at = ?, updated_at = ?, closed_at = ?, version = version + 1 "
		"WHERE id = ? AND version = ? RETURNING version",
		&a);
	return stmt_result_int64(c, st, rc, WB_ECONFLICT, &r->version);
}

int store_requests_elsewhere(store_conn *c, int64_t child_id, const char *village, const char *grid, int64_t **ids,
			     size_t *n)
{
	store_stmt *st = NULL;
	size_t cap = 0;
	int rc = conn_query(c, &st,
			    "SELECT id FROM help_requests WHERE child_id = ? AND state NOT IN ('closed', 'withdrawn') "
			    "AND (village_code <> ? OR COALESCE(grid_code, '') <> ?) ORDER BY id",
			    "iss", child_id, village, grid);

	*ids = NULL;
	*n = 0;
	while (rc == STORE_ROW) {
		if ((rc = wb_grow(ids, *n, &cap, sizeof(**ids), 8, SIZE_MAX)) != WB_OK)
			break;
		(*ids)[(*n)++] = stmt_int64(c, st, 0);
		rc = stmt_step(c, st);
	}
	if (st)
		stmt_reset(c, st);
	return rc < 0 ? rc : WB_OK;
}

int store_request_move(store_conn *c, int64_t id, const char *village, const char *grid, int64_t at)
{
	char township[16];
	store_args a = {0};
	int rc;

	wb_snprintf(township, sizeof(township), "%.9s", village);
	args_text(&a, township);
	args_text(&a, village);
	args_opt_text(&a, grid);
	args_int(&a, at);
	args_int(&a, id);
	rc = conn_query_args(
		c, NULL,
		"UPDATE help_requests SET township_code = ?, village_code = ?, grid_code = ?, updated_at = "
		"?, version = version + 1 WHERE id = ?",
		&a);
	return rc < 0 ? rc : WB_OK;
}

int store_request_alert_renew(store_conn *c, const char *county, int64_t id, const char *stage, int64_t since)
{
	int rc =
		conn_query(c, NULL,
			   "UPDATE deadline_alerts SET last_raised_at = 0 WHERE county_code = ? AND request_id = ? AND "
			   "referral_id = 0 AND stage = ? AND stage_since = ?",
			   "sisi", county, id, stage, since);

	return rc < 0 ? rc : WB_OK;
}

/* The list's filters as " AND ..." with their values. */
static int filter_sql(const request_filter *f, buf *sql, store_args *a)
{
	int rc = WB_OK;

	if (f->before_id) {
		rc = buf_puts(sql, " AND q.id < ?");
		args_int(a, f->before_id);
	}
	if (rc == WB_OK && f->state && strcmp(f->state, "open") == 0) {
		rc = buf_puts(sql, " AND q.state NOT IN ('closed', 'withdrawn')");
	} else if (rc == WB_OK && f->state) {
		rc = buf_puts(sql, " AND q.state = ?");
		args_text(a, f->state);
	}
	if (rc == WB_OK && f->township) {
		rc = buf_puts(sql, " AND q.township_code = ?");
		args_text(a, f->township);
	}
	if (rc == WB_OK && f->village) {
		rc = buf_puts(sql, " AND q.village_code = ?");
		args_text(a, f->village);
	}
	if (rc == WB_OK && f->kind) {
		rc = buf_puts(sql, " AND q.kind = ?");
		args_text(a, f->kind);
	}
	if (rc == WB_OK && f->child_id) {
		rc = buf_puts(sql, " AND q.child_id = ?");
		args_int(a, f->child_id);
	}
	if (rc == WB_OK && f->mandatory)
		rc = buf_puts(sql, " AND q.mandatory = 1");
	if (rc == WB_OK && f->overdue_at) {
		rc = buf_puts(sql, " AND " REQUEST_OVERDUE_SQL);
		args_int(a, f->overdue_at);
		args_int(a, f->overdue_at);
	}
	return rc;
}

/*
 * Two branches, each served by an index in id order with its own LIMIT,
 * merged: the scope's requests, and the caller's own filings outside the
 * scope (a grid worker's mandatory report carries no grid; a request may
 * have been linked to a child elsewhere). One condition with OR would make
 * both dialects read every request of the county and sort them.
 */
/* Ids a statement of unit_page_read takes: a power of two, so that a few
 * statement texts (cached per connection) serve every page. */
#define UNIT_PAGE_MAX 256

static void fields_union(char *out, size_t outlen, const char *add);

/* Whose child each of rows[off..off+run) links, without 0 and repeats,
 * into ids; the count. */
static int page_children(const request_rec *rows, int off, int run, int64_t *ids)
{
	int k = 0;

	for (int i = off; i < off + run; i++) {
		int seen = !rows[i].child_id;

		for (int j = 0; !seen && j < k; j++)
			seen = ids[j] == rows[i].child_id;
		if (!seen)
			ids[k++] = rows[i].child_id;
	}
	return k;
}

/*
 * What the referred unit of sc may see of each of rows (n, distinct ids):
 * the field groups its active referrals of the request grant (their
 * union), and whether the request's child is inside sc (a child with an
 * active referral to the unit, not archived). Sets unit_read on each row.
 * Two statements per UNIT_PAGE_MAX rows, padded with their last id.
 */
static int unit_page_read(store_conn *c, const store_scope *sc, request_rec *rows, int n)
{
	int64_t kids[UNIT_PAGE_MAX];
	int rc = WB_OK;

	for (int i = 0; i < n; i++) {
		rows[i].unit_read = 1;
		rows[i].unit_fields[0] = '\0';
		rows[i].child_in_scope = 0;
	}
	for (int done = 0; rc == WB_OK && done < n;) {
		int run = n - done < UNIT_PAGE_MAX ? n - done : UNIT_PAGE_MAX,
		    k = store_chunk_rows_up(run, UNIT_PAGE_MAX);
		int nk = page_children(rows, done, run, kids);
		store_stmt *st = NULL;

		rc = conn_prepare_rows(c,
				       "SELECT request_id, COALESCE(fields, '') FROM referrals WHERE unit_id = ? AND "
				       "state IN ('pending', 'accepted') AND request_id IN (",
				       "?", k, ")", &st);
		if (rc == WB_OK)
			rc = stmt_bind_int64(c, st, 1, sc->unit_id);
		for (int i = 0; rc == WB_OK && i < k; i++)
			rc = stmt_bind_int64(c, st, i + 2, rows[done + (i < run ? i : run - 1)].id);
		while (rc == WB_OK && (rc = stmt_step(c, st)) == STORE_ROW) {
			int64_t id = stmt_int64(c, st, 0);
			const char *f = stmt_text(c, st, 1);

			rc = WB_OK;
			for (int i = done; i < done + run; i++)
				if (rows[i].id == id)
					fields_union(rows[i].unit_fields, sizeof(rows[i].unit_fields), f ? f : "");
		}
		if (st)
			stmt_reset(c, st);
		rc = rc < 0 ? rc : WB_OK;
		if (rc == WB_OK && nk) {
			int kc = store_chunk_rows_up(nk, UNIT_PAGE_MAX);
			store_args a = {0};
			buf tail;

			st = NULL;
			buf_init(&tail, 1024);
			rc = buf_puts(&tail, ")");
			if (rc == WB_OK)
				rc = scope_children_sql(sc, "c", &tail, &a);
			if (rc == WB_OK)
				rc = conn_prepare_rows(c, "SELECT c.id FROM children c WHERE c.id IN (", "?", kc,
						       tail.data, &st);
			buf_cleanup(&tail);
			for (int i = 0; rc == WB_OK && i < kc; i++)
				rc = stmt_bind_int64(c, st, i + 1, kids[i < nk ? i : nk - 1]);
			if (rc == WB_OK)
				rc = stmt_bind_args_at(c, st, kc + 1, &a);
			while (rc == WB_OK && (rc = stmt_step(c, st)) == STORE_ROW) {
				int64_t id = stmt_int64(c, st, 0);

				rc = WB_OK;
				for (int i = done; i < done + run; i++)
					if (rows[i].child_id == id)
						rows[i].child_in_scope = 1;
			}
			if (st)
				stmt_reset(c, st);
			rc = rc < 0 ? rc : WB_OK;
		}
		done += run;
	}
	return rc;
}

int store_request_list(store_conn *c, const store_scope *sc, int64_t user_id, const request_filter *f, request_cb cb,
		       void *arg)
{
	store_args a = {0}, scope = {0}, filt = {0};
	store_stmt *st = NULL;
	request_rec *rows = NULL;
	size_t n = 0, cap = 0;
	buf sql, ssql, fsql;
	int rc;

	buf_init(&sql, 8192);
	buf_init(&ssql, 1024);
	buf_init(&fsql, 1024);
	rc = scope_only_sql(sc, "q", &ssql, &scope);
	if (rc == WB_OK)
		rc = filter_sql(f, &fsql, &filt);
	if (rc == WB_OK)
		rc = buf_printf(&sql,
				"SELECT * FROM (SELECT " REQ_COLS REQ_FROM
				" WHERE 1 = 1%s%s ORDER BY q.id DESC LIMIT ?) a "
				"UNION ALL SELECT * FROM (SELECT " REQ_COLS REQ_FROM
				" WHERE q.county_code = ? AND q.reporter_id = ? AND NOT COALESCE((1 = 1%s), FALSE)%s "
				"ORDER BY q.id DESC LIMIT ?) b ORDER BY 1 DESC LIMIT ?",
				ssql.data ? ssql.data : "", fsql.data ? fsql.data : "", ssql.data ? ssql.data : "",
				fsql.data ? fsql.data : "");
	args_append(&a, &scope);
	args_append(&a, &filt);
	args_int(&a, f->limit);
	args_text(&a, sc->county_code);
	args_int(&a, user_id);
	args_append(&a, &scope);
	args_append(&a, &filt);
	args_int(&a, f->limit);
	args_int(&a, f->limit);
	if (rc == WB_OK)
		rc = conn_prepare_args(c, sql.data, &a, &st);
	/* the page is read whole first: a unit's rows then take what it may
	 * see of each from two statements for the page */
	while (rc == WB_OK && (rc = stmt_step(c, st)) == STORE_ROW) {
		if ((rc = wb_grow(&rows, n, &cap, sizeof(*rows), 16, SIZE_MAX)) != WB_OK)
			break;
		request_row(c, st, &rows[n++]);
		rc = WB_OK;
	}
	if (st)
		stmt_reset(c, st);
	buf_cleanup(&sql);
	buf_cleanup(&ssql);
	buf_cleanup(&fsql);
	if (rc == WB_OK && n && sc->children == SCOPE_REFERRAL && !f->counted_only)
		rc = unit_page_read(c, sc, rows, (int)n);
	for (size_t i = 0; rc == WB_OK && i < n; i++)
		rc = cb(&rows[i], arg);
	free(rows);
	return rc < 0 ? rc : WB_OK;
}

/* ---- steps ---- */

int store_step_add(store_conn *c, const step_rec *s)
{
	store_args a = {0};
	int rc;

	args_text(&a, s->county_code);
	args_text(&a, s->township_code);
	args_int(&a, s->request_id);
	args_opt_int(&a, s->referral_id);
	args_opt_int(&a, s->unit_id);
	args_text(&a, s->action);
	args_opt_text(&a, s->from_state);
	args_text(&a, s->to_state);
	args_opt_int(&a, s->actor_id);
	args_opt_text(&a, s->actor_role);
	args_opt_int(&a, s->stage_started_at);
	args_opt_int(&a, s->stage_due_at);
	args_int(&a, s->at);
	args_opt_text(&a, s->note);
	args_opt_text(&a, s->rating);
	rc = conn_query_args(
		c, NULL,
		"INSERT INTO request_steps (county_code, township_code, request_id, referral_id, unit_id, action, "
		"from_state, to_state, actor_id, actor_role, stage_started_at, stage_due_at, at, note, rating) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		&a);
	return rc < 0 ? rc : WB_OK;
}

int store_steps_of(store_conn *c, int64_t request_id, step_cb cb, void *arg)
{
	store_stmt *st = NULL;
	int rc = conn_prepare(c,
			      "SELECT s.id, s.county_code, s.township_code, s.request_id, COALESCE(s.referral_id, 0), "
			      "COALESCE(s.unit_id, 0), s.action, COALESCE(s.from_state, ''), s.to_state, "
			      "COALESCE(s.actor_id, 0), COALESCE(s.actor_role, ''), COALESCE(s.stage_started_at, 0), "
			      "COALESCE(s.stage_due_at, 0), s.at, COALESCE(s.note, ''), COALESCE(u.display_name, ''), "
			      "COALESCE(s.rating, '') FROM request_steps s LEFT JOIN users u ON u.id = s.actor_id "
			      "WHERE s.request_id = ? "
			      "ORDER BY s.id LIMIT 2000",
			      &st);

	if (rc == WB_OK)
		rc = stmt_bind_int64(c, st, 1, request_id);
	while (rc == WB_OK && (rc = stmt_step(c, st)) == STORE_ROW) {
		step_rec *s = malloc(sizeof(*s));

		if (!s) {
			rc = WB_ENOMEM;
			break;
		}
		memset(s, 0, sizeof(*s));
		s->id = stmt_int64(c, st, 0);
		stmt_copy(c, st, 1, s->county_code, sizeof(s->county_code));
		stmt_copy(c, st, 2, s->township_code, sizeof(s->township_code));
		s->request_id = stmt_int64(c, st, 3);
		s->referral_id = stmt_int64(c, st, 4);
		s->unit_id = stmt_int64(c, st, 5);
		stmt_copy(c, st, 6, s->action, sizeof(s->action));
		stmt_copy(c, st, 7, s->from_state, sizeof(s->from_state));
		stmt_copy(c, st, 8, s->to_state, sizeof(s->to_state));
		s->actor_id = stmt_int64(c, st, 9);
		stmt_copy(c, st, 10, s->actor_role, sizeof(s->actor_role));
		s->stage_started_at = stmt_int64(c, st, 11);
		s->stage_due_at = stmt_int64(c, st, 12);
		s->at = stmt_int64(c, st, 13);
		stmt_copy(c, st, 14, s->note, sizeof(s->note));
		stmt_copy(c, st, 15, s->actor_name, sizeof(s->actor_name));
		stmt_copy(c, st, 16, s->rating, sizeof(s->rating));
		rc = cb(s, arg);
		free(s);
	}
	stmt_reset(c, st);
	return rc < 0 ? rc : WB_OK;
}

/* ---- referrals ---- */

#define REF_COLS                                                                                          \
	"f.id, f.county_code, f.request_id, COALESCE(f.child_id, 0), f.unit_id, f.ask, f.fields, "        \
	"COALESCE(f.due_at, 0), f.state, f.state_since, COALESCE(f.step_due_at, 0), "                     \
	"COALESCE(f.decline_reason, ''), COALESCE(f.result, ''), f.version, f.created_by, f.created_at, " \
	"f.updated_at, COALESCE(f.ended_at, 0), u.code, u.name, u.kind, "                                 \
	"(SELECT q.mandatory FROM help_requests q WHERE q.id = f.request_id), "                           \
	"(SELECT CASE WHEN q.police_feedback_at IS NULL THEN 0 ELSE 1 END FROM help_requests q "          \
	"WHERE q.id = f.request_id)"

int referral_is_mandatory_police(const referral_rec *f)
{
	return f->mandatory && strcmp(f->unit_kind, "department") == 0 && strcmp(f->unit_code, "public_security") == 0;
}

int referral_awaits_police_feedback(const referral_rec *f)
{
	return referral_is_mandatory_police(f) && !f->police_answered;
}

static void referral_row(store_conn *c, store_stmt *st, referral_rec *f)
{
	memset(f, 0, sizeof(*f));
	f->id = stmt_int64(c, st, 0);
	stmt_copy(c, st, 1, f->county_code, sizeof(f->county_code));
	f->request_id = stmt_int64(c, st, 2);
	f->child_id = stmt_int64(c, st, 3);
	f->unit_id = stmt_int64(c, st, 4);
	stmt_copy(c, st, 5, f->ask, sizeof(f->ask));
	stmt_copy(c, st, 6, f->fields, sizeof(f->fields));
	f->due_at = stmt_int64(c, st, 7);
	stmt_copy(c, st, 8, f->state, sizeof(f->state));
	f->state_since = stmt_int64(c, st, 9);
	f->step_due_at = stmt_int64(c, st, 10);
	stmt_copy(c, st, 11, f->decline_reason, sizeof(f->decline_reason));
	stmt_copy(c, st, 12, f->result, sizeof(f->result));
	f->version = stmt_int64(c, st, 13);
	f->created_by = stmt_int64(c, st, 14);
	f->created_at = stmt_int64(c, st, 15);
	f->updated_at = stmt_int64(c, st, 16);
	f->ended_at = stmt_int64(c, st, 17);
	stmt_copy(c, st, 18, f->unit_code, sizeof(f->unit_code));
	stmt_copy(c, st, 19, f->unit_name, sizeof(f->unit_name));
	stmt_copy(c, st, 20, f->unit_kind, sizeof(f->unit_kind));
	f->mandatory = stmt_int64(c, st, 21) != 0;
	f->police_answered = stmt_int64(c, st, 22) != 0;
}

int store_referral_insert(store_conn *c, referral_rec *f)
{
	store_args a = {0};
	store_stmt *st = NULL;
	int rc;

	args_text(&a, f->county_code);
	args_int(&a, f->request_id);
	args_opt_int(&a, f->child_id);
	args_int(&a, f->unit_id);
	args_text(&a, f->ask);
	args_text(&a, f->fields);
	args_opt_int(&a, f->due_at);
	args_text(&a, f->state);
	args_int(&a, f->state_since);
	args_opt_int(&a, f->step_due_at);
	args_int(&a, f->created_by);
	args_int(&a, f->created_at);
	args_int(&a, f->updated_at);
	rc = conn_query_args(
		c, &st,
		"INSERT INTO referrals (county_code, request_id, child_id, unit_id, ask, fields, due_at, state, "
		"state_since, step_due_at, created_by, created_at, updated_at, version) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) RETURNING id",
		&a);
	rc = stmt_result_int64(c, st, rc, WB_ESTORE, &f->id);
	if (rc == WB_OK)
		f->version = 1;
	return rc;
}

int store_referral_get(store_conn *c, int64_t id, referral_rec *out)
{
	store_stmt *st = NULL;
	int rc = conn_query(c, &st,
			    "SELECT " REF_COLS " FROM referrals f JOIN units u ON u.id = f.unit_id WHERE f.id = ?", "i",
			    id);

	if (rc == STORE_ROW) {
		referral_row(c, st, out);
		stmt_reset(c, st);
		return WB_OK;
	}
	return rc == STORE_DONE ? WB_ENOTFOUND : rc;
}

int store_referral_update(store_conn *c, referral_rec *f, int64_t expected_version)
{
	store_args a = {0};
	store_stmt *st = NULL;
	int rc;

	args_opt_int(&a, f->child_id);
	args_text(&a, f->state);
	args_int(&a, f->state_since);
	args_opt_int(&a, f->step_due_at);
	args_opt_int(&a, f->due_at);
	args_opt_text(&a, f->decline_reason);
	args_opt_text(&a, f->result);
	args_int(&a, f->updated_at);
	args_opt_int(&a, f->ended_at);
	args_int(&a, f->id);
	args_int(&a, expected_version);
	rc = conn_query_args(
		c, &st,
		"UPDATE referrals SET child_id = ?, state = ?, state_since = ?, step_due_at = ?, due_at = ?, "
		"decline_reason = ?, result = ?, updated_at = ?, ended_at = ?, version = version + 1 "
		"WHERE id = ? AND version = ? RETURNING version",
		&a);
	return stmt_result_int64(c, st, rc, WB_ECONFLICT, &f->version);
}

static int referral_each(store_conn *c, const char *sql, const store_args *a, referral_cb cb, void *arg)
{
	store_stmt *st = NULL;
	int rc = conn_prepare_args(c, sql, a, &st);

	while (rc == WB_OK && (rc = stmt_step(c, st)) == STORE_ROW) {
		referral_rec *f = malloc(sizeof(*f));

		if (!f) {
			rc = WB_ENOMEM;
			break;
		}
		referral_row(c, st, f);
		rc = cb(f, arg);
		free(f);
	}
	stmt_reset(c, st);
	return rc < 0 ? rc : WB_OK;
}

int store_referral_list(store_conn *c, const char *county, const referral_filter *f, referral_cb cb, void *arg)
{
	store_args a = {0};
	buf sql;
	int rc;

	buf_init(&sql, 2048);
	rc = buf_puts(&sql, "SELECT " REF_COLS " FROM referrals f JOIN units u ON u.id = f.unit_id "
			    "WHERE f.county_code = ?");
	args_text(&a, county);
	if (rc == WB_OK && f->unit_id) {
		rc = buf_puts(&sql, " AND f.unit_id = ?");
		args_int(&a, f->unit_id);
	}
	if (rc == WB_OK && f->request_id) {
		rc = buf_puts(&sql, " AND f.request_id = ?");
		args_int(&a, f->request_id);
	}
	if (rc == WB_OK && f->state && strcmp(f->state, "active") == 0) {
		rc = buf_puts(&sql, " AND f.state IN ('pending', 'accepted')");
	} else if (rc == WB_OK && f->state) {
		rc = buf_puts(&sql, " AND f.state = ?");
		args_text(&a, f->state);
	}
	if (rc == WB_OK && f->before_id) {
		rc = buf_puts(&sql, " AND f.id < ?");
		args_int(&a, f->before_id);
	}
	if (rc == WB_OK)
		rc = buf_puts(&sql, " ORDER BY f.id DESC LIMIT ?");
	args_int(&a, f->limit);
	if (rc == WB_OK)
		rc = referral_each(c, sql.data, &a, cb, arg);
	buf_cleanup(&sql);
	return rc;
}

int store_referrals_of(store_conn *c, int64_t request_id, referral_cb cb, void *arg)
{
	store_args a = {0};

	args_int(&a, request_id);
	return referral_each(c,
			     "SELECT " REF_COLS " FROM referrals f JOIN units u ON u.id = f.unit_id "
			     "WHERE f.request_id = ? ORDER BY f.id LIMIT 200",
			     &a, cb, arg);
}

int store_referral_counts(store_conn *c, int64_t request_id, int *total_out, int *active_out)
{
	store_stmt *st = NULL;
	int rc = conn_query(c, &st,
			    "SELECT COUNT(*), COALESCE(SUM(CASE WHEN state IN ('pending', 'accepted') THEN 1 ELSE 0 "
			    "END), 0) FROM referrals WHERE request_id = ?",
			    "i", request_id);

	*total_out = *active_out = 0;
	if (rc == STORE_ROW) {
		*total_out = (int)stmt_int64(c, st, 0);
		*active_out = (int)stmt_int64(c, st, 1);
		stmt_reset(c, st);
		return WB_OK;
	}
	return rc < 0 ? rc : WB_OK;
}

int store_request_was_referred(store_conn *c, int64_t request_id, int *out)
{
	store_stmt *st = NULL;
	int rc =
		conn_query(c, &st, "SELECT 1 FROM request_steps WHERE request_id = ? AND to_state = 'referred' LIMIT 1",
			   "i", request_id);

	*out = rc == STORE_ROW;
	if (rc == STORE_ROW)
		stmt_reset(c, st);
	return rc < 0 ? rc : WB_OK;
}

/* Adds each comma-separated group of add to the list in out once. */
static void fields_union(char *out, size_t outlen, const char *add)
{
	char one[32];
	const char *p = add;

	while (*p) {
		size_t n = strcspn(p, ",");

		if (n > 0 && n < sizeof(one)) {
			size_t have = strlen(out);
			int dup = 0;

			memcpy(one, p, n);
			one[n] = '\0';
			for (const char *q = out; *q;) {
				size_t m = strcspn(q, ",");

				if (m == n && strncmp(q, one, n) == 0)
					dup = 1;
				q += m + (q[m] == ',');
			}
			if (!dup && have + n + 2 <= outlen) {
				if (have)
					out[have++] = ',';
				memcpy(out + have, one, n + 1);
			}
		}
		p += n + (p[n] == ',');
	}
}

/* The union of the field groups of the rows of st (bound, or rc the
 * binding's failure); *any_out: whether there was a row. */
static int fields_of_rows(store_conn *c, store_stmt *st, int rc, char *out, size_t outlen, int *any_out)
{
	out[0] = '\0';
	*any_out = 0;
	while (rc == WB_OK && (rc = stmt_step(c, st)) == STORE_ROW) {
		const char *f = stmt_text(c, st, 0);

		*any_out = 1;
		fields_union(out, outlen, f ? f : "");
		rc = WB_OK;
	}
	if (st)
		stmt_reset(c, st);
	return rc < 0 ? rc : WB_OK;
}

int store_referral_grant(store_conn *c, const char *county, int64_t unit_id, int64_t child_id, char *out, size_t outlen,
			 int *any_out)
{
	store_stmt *st = NULL;
	int rc = conn_prepare(c,
			      "SELECT fields FROM referrals WHERE county_code = ? AND unit_id = ? AND child_id = ? AND "
			      "state IN ('pending', 'accepted') LIMIT 100",
			      &st);

	if (rc == WB_OK)
		rc = stmt_bind_text(c, st, 1, county);
	if (rc == WB_OK)
		rc = stmt_bind_int64(c, st, 2, unit_id);
	if (rc == WB_OK)
		rc = stmt_bind_int64(c, st, 3, child_id);
	return fields_of_rows(c, st, rc, out, outlen, any_out);
}

int store_referral_fields_of(store_conn *c, int64_t request_id, int64_t unit_id, char *out, size_t outlen)
{
	store_stmt *st = NULL;
	int rc = conn_prepare(c,
			      "SELECT fields FROM referrals WHERE request_id = ? AND unit_id = ? AND "
			      "state IN ('pending', 'accepted') LIMIT 100",
			      &st);
	int any;

	if (rc == WB_OK)
		rc = stmt_bind_int64(c, st, 1, request_id);
	if (rc == WB_OK)
		rc = stmt_bind_int64(c, st, 2, unit_id);
	return fields_of_rows(c, st, rc, out, outlen, &any);
}

int store_referrals_cancel_active(store_conn *c, int64_t request_id, int64_t now)
{
	int rc = conn_query(
		c, NULL,
		"UPDATE referrals SET state = 'cancelled', state_since = ?, step_due_at = NULL, ended_at = ?, "
		"updated_at = ?, version = version + 1 WHERE request_id = ? AND state IN ('pending', "
		"'accepted')",
		"iiii", now, now, now, request_id);

	return rc < 0 ? rc : WB_OK;
}

int store_referrals_set_child(store_conn *c, int64_t request_id, int64_t child_id)
{
	int rc = conn_query(c, NULL, "UPDATE referrals SET child_id = ? WHERE request_id = ?", "ii", child_id,
			    request_id);

	return rc < 0 ? rc : WB_OK;
}

/* ---- attachments ---- */

/* The last two columns: the unit the uploader acted for (0: none), and
 * that unit if the request was referred to it (0 otherwise). */
#define ATT_COLS                                                                                           \
	"a.id, a.county_code, a.request_id, a.sha256, a.size, a.content_type, COALESCE(a.file_name, ''), " \
	"a.uploaded_by, a.created_at, COALESCE(a.unit_id, 0), CASE WHEN a.unit_id IN (SELECT f.unit_id "   \
	"FROM referrals f WHERE f.request_id = a.request_id) THEN a.unit_id ELSE 0 END"

static void attachment_row(store_conn *c, store_stmt *st, attachment_rec *a)
{
	memset(a, 0, sizeof(*a));
	a->id = stmt_int64(c, st, 0);
	stmt_copy(c, st, 1, a->county_code, sizeof(a->county_code));
	a->request_id = stmt_int64(c, st, 2);
	stmt_copy(c, st, 3, a->sha256, sizeof(a->sha256));
	a->size = stmt_int64(c, st, 4);
	stmt_copy(c, st, 5, a->content_type, sizeof(a->content_type));
	stmt_copy(c, st, 6, a->file_name, sizeof(a->file_name));
	a->uploaded_by = stmt_int64(c, st, 7);
	a->created_at = stmt_int64(c, st, 8);
	a->unit_id = stmt_int64(c, st, 9);
	a->uploader_unit_id = stmt_int64(c, st, 10);
}

int store_attachment_insert(store_conn *c, attachment_rec *a)
{
	store_stmt *st = NULL;
	store_args x = {0};
	int rc;

	args_text(&x, a->county_code);
	args_int(&x, a->request_id);
	args_text(&x, a->sha256);
	args_int(&x, a->size);
	args_text(&x, a->content_type);
	args_opt_text(&x, a->file_name);
	args_int(&x, a->uploaded_by);
	args_opt_int(&x, a->unit_id);
	args_int(&x, a->created_at);
	rc = conn_query_args(
		c, &st,
		"INSERT INTO request_attachments (county_code, request_id, sha256, size, content_type, "
		"file_name, uploaded_by, unit_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
		&x);
	return stmt_result_int64(c, st, rc, WB_ESTORE, &a->id);
}

int store_attachment_get(store_conn *c, int64_t request_id, int64_t id, attachment_rec *out)
{
	store_stmt *st = NULL;
	int rc =
		conn_query(c, &st, "SELECT " ATT_COLS " FROM request_attachments a WHERE a.request_id = ? AND a.id = ?",
			   "ii", request_id, id);

	if (rc == STORE_ROW) {
		attachment_row(c, st, out);
		stmt_reset(c, st);
		return WB_OK;
	}
	return rc == STORE_DONE ? WB_ENOTFOUND : rc;
}

int store_attachments_of(store_conn *c, int64_t request_id, attachment_cb cb, void *arg)
{
	store_stmt *st = NULL;
	int rc = conn_prepare(
		c, "SELECT " ATT_COLS " FROM request_attachments a WHERE a.request_id = ? ORDER BY a.id LIMIT 200",
		&st);

	if (rc == WB_OK)
		rc = stmt_bind_int64(c, st, 1, request_id);
	while (rc == WB_OK && (rc = stmt_step(c, st)) == STORE_ROW) {
		attachment_rec a;

		attachment_row(c, st, &a);
		rc = cb(&a, arg);
	}
	stmt_reset(c, st);
	return rc < 0 ? rc : WB_OK;
}

int store_attachment_count(store_conn *c, int64_t request_id, int64_t *out)
{
	store_stmt *st = NULL;
	int rc = conn_query(c, &st, "SELECT COUNT(*) FROM request_attachments WHERE request_id = ?", "i", request_id);

	*out = 0;
	return stmt_result_int64(c, st, rc, WB_OK, out);
}

/* ---- notifications ---- */

#define INBOX_INSERT                                                                                                  \
	"INSERT INTO inbox (county_code, user_id, event, request_id, referral_id, stage, due_at, created_at, items, " \
	"child_id, membership_id) "

static void event_args(store_args *a, const notify_event *e)
{
	args_text(a, e->event);
	args_opt_int(a, e->request_id);
	args_opt_int(a, e->referral_id);
	args_opt_text(a, e->stage);
	args_opt_int(a, e->due_at);
	args_int(a, e->at);
	args_opt_int(a, e->items);
	args_opt_int(a, e->child_id);
}

int store_notify(store_conn *c, const notify_target *t, const notify_event *e, int *queued_out)
{
	store_args a = {0};
	store_stmt *st = NULL;
	int rc;

	if (t->user_id) {
		if (t->user_id == e->exclude_user)
			return WB_OK;
		args_text(&a, e->county);
		args_int(&a, t->user_id);
		event_args(&a, e);
		/* a user told as themselves (a request's filer): no membership */
		rc = conn_query_args(c, NULL, INBOX_INSERT "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)", &a);
	} else {
		/* one message a user, addressed to the membership it is for (the
		 * inbox is the person's; the page offers to act in that role) */
		const char *sel =
			"SELECT CAST(? AS TEXT), m.user_id, CAST(? AS TEXT), CAST(? AS BIGINT), "
			"CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), "
			"CAST(? AS BIGINT), MIN(m.id) FROM memberships m WHERE ";
		buf sql;

		buf_init(&sql, 1024);
		args_text(&a, e->county);
		event_args(&a, e);
		rc = buf_puts(&sql, INBOX_INSERT);
		if (rc == WB_OK)
			rc = buf_puts(&sql, sel);
		if (t->unit_id) {
			if (rc == WB_OK)
				rc = buf_puts(&sql, "m.unit_id = ? AND m.user_id <> ?");
			args_int(&a, t->unit_id);
		} else {
			if (rc == WB_OK)
				rc = buf_puts(
					&sql,
					"m.county_code = ? AND m.role = ? AND m.area_code = ? AND m.user_id <> ?");
			args_text(&a, e->county);
			args_text(&a, t->role);
			args_text(&a, t->area_code);
		}
		args_int(&a, e->exclude_user);
		/* one message a person an event: not again to one told already
		 * in another of their memberships */
		if (rc == WB_OK && t->ntold > 0) {
			rc = buf_puts(&sql,
				      " AND NOT EXISTS (SELECT 1 FROM memberships m2 WHERE m2.user_id = m.user_id "
				      "AND m2.county_code = ? AND (");
			args_text(&a, e->county);
			for (int i = 0; rc == WB_OK && i < t->ntold; i++) {
				rc = buf_puts(&sql, i ? " OR (m2.role = ? AND m2.area_code = ?)"
						      : "(m2.role = ? AND m2.area_code = ?)");
				args_text(&a, t->told[i].role);
				args_text(&a, t->told[i].area_code);
			}
			if (rc == WB_OK)
				rc = buf_puts(&sql, "))");
		}
		if (rc == WB_OK)
			rc = buf_puts(&sql, " GROUP BY m.user_id");
		if (rc == WB_OK)
			rc = conn_query_args(c, NULL, sql.data, &a);
		buf_cleanup(&sql);
	}
	if (rc < 0)
		return rc;
	if (!t->webhook_owner || !e->payload)
		return WB_OK;
	memset(&a, 0, sizeof(a));
	args_text(&a, e->event);
	args_text(&a, e->payload);
	args_int(&a, e->at * 1000);
	args_int(&a, e->at);
	args_text(&a, e->county);
	args_text(&a, t->webhook_owner);
	rc = conn_query_args(
		c, &st,
		"INSERT INTO webhook_deliveries (county_code, webhook_id, event, payload, state, attempts, "
		"next_attempt_ms, created_at) SELECT w.county_code, w.id, CAST(? AS TEXT), CAST(? AS TEXT), "
		"'pending', 0, CAST(? AS BIGINT), CAST(? AS BIGINT) FROM webhooks w WHERE w.county_code = ? AND "
		"w.owner = ? AND w.enabled = 1 RETURNING id",
		&a);
	while (rc == STORE_ROW) {
		if (queued_out)
			(*queued_out)++;
		rc = stmt_step(c, st);
	}
	stmt_reset(c, st);
	return rc < 0 ? rc : WB_OK;
}

int store_member_of_any(store_conn *c, int64_t user_id, const char *county, const notify_target *targets, int n,
			int *found)
{
	store_args a = {0};
	store_stmt *st = NULL;
	int64_t one = 0;
	buf sql;
	int rc;

	*found = 0;
	if (n <= 0 || !user_id)
		return WB_OK;
	buf_init(&sql, 1024);
	rc = buf_puts(&sql, "SELECT 1 FROM memberships m WHERE m.user_id = ? AND m.county_code = ? AND (");
	args_int(&a, user_id);
	args_text(&a, county);
	for (int i = 0; rc == WB_OK && i < n; i++) {
		rc = buf_puts(&sql, i ? " OR (m.role = ? AND m.area_code = ?)" : "(m.role = ? AND m.area_code = ?)");
		args_text(&a, targets[i].role);
		args_text(&a, targets[i].area_code);
	}
	if (rc == WB_OK)
		rc = buf_puts(&sql, ") LIMIT 1");
	if (rc == WB_OK)
		rc = conn_query_args(c, &st, sql.data, &a);
	rc = stmt_result_int64(c, st, rc, WB_ENOTFOUND, &one);
	if (rc == WB_OK)
		*found = 1;
	else if (rc == WB_ENOTFOUND)
		rc = WB_OK;
	buf_cleanup(&sql);
	return rc;
}

int store_inbox_list(store_conn *c, int64_t user_id, int unread_only, int64_t before_id, int limit, inbox_cb cb,
		     void *arg)
{
	store_args a = {0};
	store_stmt *st = NULL;
	buf sql;
	int rc;

	buf_init(&sql, 1024);
	rc = buf_puts(&sql,
		      "SELECT id, event, COALESCE(request_id, 0), COALESCE(referral_id, 0), COALESCE(stage, ''), "
		      "COALESCE(due_at, 0), created_at, COALESCE(read_at, 0), COALESCE(items, 0), "
		      "COALESCE((SELECT q.kind FROM help_requests q WHERE q.id = inbox.request_id), ''), "
		      "COALESCE(child_id, 0), "
		      "COALESCE((SELECT u.name FROM referrals f JOIN units u ON u.id = f.unit_id "
		      "WHERE f.id = inbox.referral_id), ''), COALESCE(membership_id, 0) FROM inbox WHERE user_id = ?");
	args_int(&a, user_id);
	if (rc == WB_OK && unread_only)
		rc = buf_puts(&sql, " AND read_at IS NULL");
	if (rc == WB_OK && before_id) {
		rc = buf_puts(&sql, " AND id < ?");
		args_int(&a, before_id);
	}
	if (rc == WB_OK)
		rc = buf_puts(&sql, " ORDER BY id DESC LIMIT ?");
	args_int(&a, limit);
	if (rc == WB_OK)
		rc = conn_prepare_args(c, sql.data, &a, &st);
	while (rc == WB_OK && (rc = stmt_step(c, st)) == STORE_ROW) {
		inbox_rec m;

		memset(&m, 0, sizeof(m));
		m.id = stmt_int64(c, st, 0);
		stmt_copy(c, st, 1, m.event, sizeof(m.event));
		m.request_id = stmt_int64(c, st, 2);
		m.referral_id = stmt_int64(c, st, 3);
		stmt_copy(c, st, 4, m.stage, sizeof(m.stage));
		m.due_at = stmt_int64(c, st, 5);
		m.created_at = stmt_int64(c, st, 6);
		m.read_at = stmt_int64(c, st, 7);
		m.items = stmt_int64(c, st, 8);
		stmt_copy(c, st, 9, m.kind, sizeof(m.kind));
		m.child_id = stmt_int64(c, st, 10);
		stmt_copy(c, st, 11, m.unit_name, sizeof(m.unit_name));
		m.membership_id = stmt_int64(c, st, 12);
		rc = cb(&m, arg);
	}
	stmt_reset(c, st);
	buf_cleanup(&sql);
	return rc < 0 ? rc : WB_OK;
}

#define CONCERNS_MAX 256 /* message ids a query (a page has at most 200) */

int store_inbox_concerns(store_conn *c, const store_scope *sc, int64_t user_id, const int64_t *ids, int n,
			 inbox_concern_cb cb, void *arg)
{
	int rc = WB_OK;

	for (int done = 0; rc == WB_OK && done < n;) {
		int run = n - done < CONCERNS_MAX ? n - done : CONCERNS_MAX, k = store_chunk_rows_up(run, CONCERNS_MAX);
		int64_t last = 0;
		store_stmt *st = NULL;
		store_args a = {0};
		buf sql;

		buf_init(&sql, 4096);
		/* the visit recorded at the message's time: the newest first if
		 * there were two in the same second */
		rc = buf_puts(&sql, "SELECT m.id, COALESCE(c.name, ''), COALESCE(ar.name, ''), COALESCE(v.flags, ''), "
				    "COALESCE(v.risk_level, ''), COALESCE(v.voided_at, 0) FROM inbox m JOIN children c "
				    "ON c.id = m.child_id "
				    "LEFT JOIN areas ar ON ar.code = c.village_code LEFT JOIN visits v ON "
				    "v.child_id = m.child_id AND v.created_at = m.created_at WHERE m.user_id = ? AND "
				    "m.event = 'visit.concern' AND m.id IN (");
		for (int i = 0; rc == WB_OK && i < k; i++)
			rc = buf_puts(&sql, i ? ", ?" : "?");
		if (rc == WB_OK)
			rc = buf_puts(&sql, ")");
		if (rc == WB_OK)
			rc = scope_children_sql(sc, "c", &sql, &a);
		if (rc == WB_OK)
			rc = buf_puts(&sql, " ORDER BY m.id, v.visited_on DESC, v.id DESC");
		if (rc == WB_OK)
			rc = conn_prepare(c, sql.data, &st);
		buf_cleanup(&sql);
		if (rc == WB_OK)
			rc = stmt_bind_int64(c, st, 1, user_id);
		for (int i = 0; rc == WB_OK && i < k; i++)
			rc = stmt_bind_int64(c, st, i + 2, ids[done + (i < run ? i : run - 1)]);
		if (rc == WB_OK)
			rc = stmt_bind_args_at(c, st, k + 2, &a);
		while (rc == WB_OK && (rc = stmt_step(c, st)) == STORE_ROW) {
			inbox_concern x;

			rc = WB_OK;
			memset(&x, 0, sizeof(x));
			x.message_id = stmt_int64(c, st, 0);
			if (x.message_id == last)
				continue; /* a second visit of the same second */
			last = x.message_id;
			stmt_copy(c, st, 1, x.child_name, sizeof(x.child_name));
			stmt_copy(c, st, 2, x.village_name, sizeof(x.village_name));
			stmt_copy(c, st, 3, x.flags, sizeof(x.flags));
			stmt_copy(c, st, 4, x.risk_level, sizeof(x.risk_level));
			x.voided = stmt_int64(c, st, 5) != 0;
			rc = cb(&x, arg);
		}
		if (st)
			stmt_reset(c, st);
		rc = rc < 0 ? rc : WB_OK;
		done += run;
	}
	return rc;
}

int store_inbox_unread(store_conn *c, int64_t user_id, int64_t *out)
{
	store_stmt *st = NULL;
	int rc = conn_query(c, &st, "SELECT COUNT(*) FROM inbox WHERE user_id = ? AND read_at IS NULL", "i", user_id);

	*out = 0;
	return stmt_result_int64(c, st, rc, WB_OK, out);
}

int store_inbox_mark(store_conn *c, int64_t user_id, int64_t id, int64_t now, int64_t *marked)
{
	store_stmt *st = NULL;
	int64_t read_at = 0;
	int rc = conn_query(c, &st, "SELECT COALESCE(read_at, 0) FROM inbox WHERE id = ? AND user_id = ?", "ii", id,
			    user_id);

	*marked = 0;
	rc = stmt_result_int64(c, st, rc, WB_ENOTFOUND, &read_at);
	if (rc || read_at)
		return rc; /* not theirs, or read already: nothing marked */
	rc = conn_query(c, NULL, "UPDATE inbox SET read_at = ? WHERE id = ? AND user_id = ? AND read_at IS NULL", "iii",
			now, id, user_id);
	if (rc < 0)
		return rc;
	*marked = 1;
	return WB_OK;
}

int store_inbox_mark_all(store_conn *c, int64_t user_id, int64_t up_to, int64_t now, int64_t *n_out)
{
	store_stmt *st = NULL;
	int rc = conn_query(
		c, &st, "UPDATE inbox SET read_at = ? WHERE user_id = ? AND read_at IS NULL AND id <= ? RETURNING id",
		"iii", now, user_id, up_to > 0 ? up_to : INT64_MAX);

	*n_out = 0;
	while (rc == STORE_ROW) {
		(*n_out)++;
		rc = stmt_step(c, st);
	}
	stmt_reset(c, st);
	return rc < 0 ? rc : WB_OK;
}

/* ---- webhooks ---- */

int store_webhook_upsert(store_conn *c, webhook_rec *w, int *created_out)
{
	store_stmt *st = NULL;
	int rc = conn_query(c, &st, "SELECT id, created_at FROM webhooks WHERE county_code = ? AND owner = ?", "ss",
			    w->county_code, w->owner);

	*created_out = rc == STORE_DONE;
	if (rc == STORE_ROW) {
		w->id = stmt_int64(c, st, 0);
		w->created_at = stmt_int64(c, st, 1);
		stmt_reset(c, st);
		rc = conn_query(c, NULL,
				"UPDATE webhooks SET url = ?, secret_enc = ?, enabled = ?, updated_at = ? WHERE id = ?",
				"ssiii", w->url, w->secret_enc, (int64_t)w->enabled, w->updated_at, w->id);
		if (rc >= 0 && !w->enabled)
			rc = conn_query(
				c, NULL,
				"UPDATE webhook_deliveries SET state = 'failed', last_error = 'webhook disabled' "
				"WHERE webhook_id = ? AND state = 'pending'",
				"i", w->id);
		return rc < 0 ? rc : WB_OK;
	}
	if (rc != STORE_DONE)
		return rc;
	w->created_at = w->updated_at;
	rc = conn_query(c, &st,
			"INSERT INTO webhooks (county_code, owner, url, secret_enc, enabled, created_at, updated_at) "
			"VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
			"ssssiii", w->county_code, w->owner, w->url, w->secret_enc, (int64_t)w->enabled, w->created_at,
			w->updated_at);
	return stmt_result_int64(c, st, rc, WB_ESTORE, &w->id);
}

static void webhook_row(store_conn *c, store_stmt *st, webhook_rec *w)
{
	memset(w, 0, sizeof(*w));
	w->id = stmt_int64(c, st, 0);
	stmt_copy(c, st, 1, w->county_code, sizeof(w->county_code));
	stmt_copy(c, st, 2, w->owner, sizeof(w->owner));
	stmt_copy(c, st, 3, w->url, sizeof(w->url));
	stmt_copy(c, st, 4, w->secret_enc, sizeof(w->secret_enc));
	w->enabled = (int)stmt_int64(c, st, 5);
	w->created_at = stmt_int64(c, st, 6);
	w->updated_at = stmt_int64(c, st, 7);
}

#define HOOK_COLS "id, county_code, owner, url, secret_enc, enabled, created_at, updated_at"

int store_webhook_find(store_conn *c, const char *county, const char *owner, webhook_rec *out)
{
	store_stmt *st = NULL;
	int rc = conn_query(c, &st, "SELECT " HOOK_COLS " FROM webhooks WHERE county_code = ? AND owner = ?", "ss",
			    county, owner);

	if (rc == STORE_ROW) {
		webhook_row(c, st, out);
		stmt_reset(c, st);
		return WB_OK;
	}
	return rc == STORE_DONE ? WB_ENOTFOUND : rc;
}

int store_webhook_list(store_conn *c, const char *county, webhook_cb cb, void *arg)
{
	store_stmt *st = NULL;
	int rc =
		conn_prepare(c, "SELECT " HOOK_COLS " FROM webhooks WHERE county_code = ? ORDER BY id LIMIT 1000", &st);

	if (rc == WB_OK)
		rc = stmt_bind_text(c, st, 1, county);
	while (rc == WB_OK && (rc = stmt_step(c, st)) == STORE_ROW) {
		webhook_rec w;

		webhook_row(c, st, &w);
		rc = cb(&w, arg);
	}
	stmt_reset(c, st);
	return rc < 0 ? rc : WB_OK;
}

#define DLV_COLS                                                                                              \
	"d.id, d.county_code, d.webhook_id, d.event, d.payload, d.state, d.attempts, d.next_attempt_ms, "     \
	"COALESCE(d.last_status, 0), COALESCE(d.last_error, ''), d.created_at, COALESCE(d.delivered_at, 0), " \
	"w.url, w.secret_enc"

static int delivery_each(store_conn *c, const char *sql, const store_args *a, delivery_cb cb, void *arg)
{
	store_stmt *st = NULL;
	int rc = conn_prepare_args(c, sql, a, &st);

	while (rc == WB_OK && (rc = stmt_step(c, st)) == STORE_ROW) {
		delivery_rec *d = malloc(sizeof(*d));

		if (!d) {
			rc = WB_ENOMEM;
			break;
		}
		memset(d, 0, sizeof(*d));
		d->id = stmt_int64(c, st, 0);
		stmt_copy(c, st, 1, d->county_code, sizeof(d->county_code));
		d->webhook_id = stmt_int64(c, st, 2);
		stmt_copy(c, st, 3, d->event, sizeof(d->event));
		stmt_copy(c, st, 4, d->payload, sizeof(d->payload));
		stmt_copy(c, st, 5, d->state, sizeof(d->state));
		d->attempts = (int)stmt_int64(c, st, 6);
		d->next_attempt_ms = stmt_int64(c, st, 7);
		d->last_status = (int)stmt_int64(c, st, 8);
		stmt_copy(c, st, 9, d->last_error, sizeof(d->last_error));
		d->created_at = stmt_int64(c, st, 10);
		d->delivered_at = stmt_int64(c, st, 11);
		stmt_copy(c, st, 12, d->url, sizeof(d->url));
		stmt_copy(c, st, 13, d->secret_enc, sizeof(d->secret_enc));
		rc = cb(d, arg);
		free(d);
	}
	stmt_reset(c, st);
	return rc < 0 ? rc : WB_OK;
}

int store_deliveries_due(store_conn *c, int64_t now_ms, int limit, delivery_cb cb, void *arg)
{
	store_args a = {0};

	args_int(&a, now_ms);
	args_int(&a, limit);
	return delivery_each(c,
			     "SELECT " DLV_COLS " FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id "
			     "WHERE d.state = 'pending' AND d.next_attempt_ms <= ? AND w.enabled = 1 "
			     "ORDER BY d.next_attempt_ms, d.id LIMIT ?",
			     &a, cb, arg);
}

int store_deliveries_next(store_conn *c, int64_t *ms_out)
{
	store_stmt *st = NULL;
	int rc = conn_query(
		c, &st, "SELECT COALESCE(MIN(next_attempt_ms), 0) FROM webhook_deliveries WHERE state = 'pending'", "");

	*ms_out = 0;
	return stmt_result_int64(c, st, rc, WB_OK, ms_out);
}

int store_delivery_result(store_conn *c, int64_t id, const char *state, int attempts, int64_t next_ms, int status,
			  const char *error, int64_t delivered_at)
{
	store_args a = {0};
	int rc;

	args_text(&a, state);
	args_int(&a, attempts);
	args_int(&a, next_ms);
	args_opt_int(&a, status);
	args_opt_text(&a, error);
	args_opt_int(&a, delivered_at);
	args_int(&a, id);
	rc = conn_query_args(
		c, NULL,
		"UPDATE webhook_deliveries SET state = ?, attempts = ?, next_attempt_ms = ?, last_status = ?, "
		"last_error = ?, delivered_at = ? WHERE id = ?",
		&a);
	return rc < 0 ? rc : WB_OK;
}

int store_deliveries_list(store_conn *c, const char *county, int64_t webhook_id, const char *state, int64_t before_id,
			  int limit, delivery_cb cb, void *arg)
{
	store_args a = {0};
	buf sql;
	int rc;

	buf_init(&sql, 2048);
	rc = buf_puts(&sql, "SELECT " DLV_COLS " FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id "
			    "WHERE d.county_code = ?");
	args_text(&a, county);
	if (rc == WB_OK && webhook_id) {
		rc = buf_puts(&sql, " AND d.webhook_id = ?");
		args_int(&a, webhook_id);
	}
	if (rc == WB_OK && state) {
		rc = buf_puts(&sql, " AND d.state = ?");
		args_text(&a, state);
	}
	if (rc == WB_OK && before_id) {
		rc = buf_puts(&sql, " AND d.id < ?");
		args_int(&a, before_id);
	}
	if (rc == WB_OK)
		rc = buf_puts(&sql, " ORDER BY d.id DESC LIMIT ?");
	args_int(&a, limit);
	if (rc == WB_OK)
		rc = delivery_each(c, sql.data, &a, cb, arg);
	buf_cleanup(&sql);
	return rc;
}

/* ---- deadline alerts ---- */

static int overdue_each(store_conn *c, const char *sql, const store_args *a, overdue_cb cb, void *arg)
{
	store_stmt *st = NULL;
	overdue_rec *rows = NULL;
	int n = 0, rc = conn_prepare_args(c, sql, a, &st);
	size_t cap = 0;

	/* collected first: the callback writes to the tables being read */
	while (rc == WB_OK && (rc = stmt_step(c, st)) == STORE_ROW) {
		overdue_rec *o;

		if ((rc = wb_grow(&rows, (size_t)n, &cap, sizeof(*rows), 64, INT_MAX)) != WB_OK)
			break;
		o = &rows[n++];
		memset(o, 0, sizeof(*o));
		stmt_copy(c, st, 0, o->county_code, sizeof(o->county_code));
		stmt_copy(c, st, 1, o->township_code, sizeof(o->township_code));
		o->request_id = stmt_int64(c, st, 2);
		o->referral_id = stmt_int64(c, st, 3);
		o->unit_id = stmt_int64(c, st, 4);
		stmt_copy(c, st, 5, o->stage, sizeof(o->stage));
		o->stage_since = stmt_int64(c, st, 6);
		o->due_at = stmt_int64(c, st, 7);
		stmt_copy(c, st, 8, o->handled_by, sizeof(o->handled_by));
		o->alerted = (int)stmt_int64(c, st, 9);
		rc = WB_OK;
	}
	stmt_reset(c, st);
	for (int i = 0; rc >= 0 && i < n; i++)
		rc = cb(&rows[i], arg);
	free(rows);
	return rc < 0 ? rc : WB_OK;
}

/*
 * The last alert of a breach is looked up row by row in the unique index
 * (a correlated subquery), not joined: without statistics (a young
 * database, autovacuum not yet run) PostgreSQL planned the join as a
 * nested loop over every alert for every overdue step — seconds for 10,000.
 */
#define LAST_ALERT(req, ref, stage, since)                                                                      \
	"COALESCE((SELECT a.last_raised_at FROM deadline_alerts a WHERE a.county_code = q.county_code AND "     \
	"a.request_id = " req " AND a.referral_id = " ref " AND a.stage = " stage " AND a.stage_since = " since \
	"), 0)"

#define LAST_OF_REQUEST  LAST_ALERT("q.id", "0", "q.state", "q.state_since")
#define LAST_OF_REFERRAL LAST_ALERT("f.request_id", "f.id", "'referral_' || f.state", "f.state_since")
#define LAST_OF_POLICE   LAST_ALERT("q.id", "0", "'police_feedback'", "q.created_at")

/* the request's own step */
static const char overdue_requests[] =
	"SELECT q.county_code, q.township_code, q.id, 0, 0, q.state, q.state_since, q.step_due_at, q.handled_by, "
	"CASE WHEN " LAST_OF_REQUEST " > 0 THEN 1 ELSE 0 END FROM help_requests q "
	"WHERE q.county_code = ? AND q.step_due_at IS NOT NULL AND q.step_due_at < ? AND " LAST_OF_REQUEST " <= ? "
	"ORDER BY q.step_due_at, q.id LIMIT ?";

/* the referrals' steps: accepting, then finishing */
static const char overdue_referrals[] =
	"SELECT f.county_code, q.township_code, f.request_id, f.id, f.unit_id, 'referral_' || f.state, "
	"f.state_since, f.step_due_at, q.handled_by, CASE WHEN " LAST_OF_REFERRAL " > 0 THEN 1 ELSE 0 END "
	"FROM referrals f JOIN help_requests q ON q.id = f.request_id "
	"WHERE f.county_code = ? AND f.step_due_at IS NOT NULL AND f.step_due_at < ? AND "
	"f.state IN ('pending', 'accepted') AND " LAST_OF_REFERRAL " <= ? ORDER BY f.step_due_at, f.id LIMIT ?";

/* the police's feedback to the reporter of a mandatory report */
static const char overdue_police[] =
	"SELECT q.county_code, q.township_code, q.id, 0, 0, 'police_feedback', q.created_at, q.police_due_at, "
	"q.handled_by, CASE WHEN " LAST_OF_POLICE " > 0 THEN 1 ELSE 0 END FROM help_requests q "
	"WHERE q.county_code = ? AND q.police_due_at IS NOT NULL AND q.police_feedback_at IS NULL AND "
	"q.police_due_at < ? AND " LAST_OF_POLICE " <= ? ORDER BY q.police_due_at, q.id LIMIT ?";

int store_overdue(store_conn *c, const char *county, int64_t now, int64_t repeat_before, int limit, overdue_cb cb,
		  void *arg)
{
	store_args a;
	int rc;

	/* due for an alert: never alerted (last 0), or last alerted at or
	 * before repeat_before (0 when alerts do not repeat) */
	memset(&a, 0, sizeof(a));
	args_text(&a, county);
	args_int(&a, now);
	args_int(&a, repeat_before > 0 ? repeat_before : 0);
	args_int(&a, limit);
	rc = overdue_each(c, overdue_requests, &a, cb, arg);
	if (rc == WB_OK)
		rc = overdue_each(c, overdue_referrals, &a, cb, arg);
	if (rc == WB_OK)
		rc = overdue_each(c, overdue_police, &a, cb, arg);
	return rc;
}

int store_alert_raise(store_conn *c, const overdue_rec *o, int64_t now)
{
	int rc = conn_query(
		c, NULL,
		"INSERT INTO deadline_alerts (county_code, request_id, referral_id, stage, stage_since, due_at, "
		"first_raised_at, last_raised_at, times) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1) "
		"ON CONFLICT (county_code, request_id, referral_id, stage, stage_since) DO UPDATE SET "
		"last_raised_at = excluded.last_raised_at, times = deadline_alerts.times + 1",
		"siisiiii", o->county_code, o->request_id, o->referral_id, o->stage, o->stage_since, o->due_at, now,
		now);

	return rc < 0 ? rc : WB_OK;
}

/* ---- settings ---- */

int store_setting_get(store_conn *c, const char *county, const char *name, char **out_value)
{
	store_stmt *st = NULL;
	int rc =
		conn_query(c, &st, "SELECT value FROM settings WHERE county_code = ? AND name = ?", "ss", county, name);

	*out_value = NULL;
	if (rc == STORE_ROW) {
		const char *v = stmt_text(c, st, 0);

		*out_value = strdup(v ? v : "");
		stmt_reset(c, st);
		return *out_value ? WB_OK : WB_ENOMEM;
	}
	return rc == STORE_DONE ? WB_ENOTFOUND : rc;
}

int store_setting_put(store_conn *c, const char *county, const char *name, const char *value)
{
	int rc = conn_query(c, NULL,
			    "INSERT INTO settings (county_code, name, value) VALUES (?, ?, ?) "
			    "ON CONFLICT (county_code, name) DO UPDATE SET value = excluded.value",
			    "sss", county, name, value);

	return rc < 0 ? rc : WB_OK;
}

/* Requests read by one statement: a power of two, so that a few statement
 * texts (cached per connection) serve every page; a page's ids fit one. */
#define BRIEFS_MAX 256

/*
 * Reads the briefs of the requests ids (n distinct ids) of county into out
 * (room for n), in any order; *n_out how many were found. One query per
 * BRIEFS_MAX ids: a short run is padded with its last id to the statement's
 * size.
 */
int store_request_briefs(store_conn *c, const char *county, const int64_t *ids, int n, request_brief *out, int *n_out)
{
	int rc = WB_OK;

	*n_out = 0;
	for (int done = 0; rc == WB_OK && done < n;) {
		int run = n - done < BRIEFS_MAX ? n - done : BRIEFS_MAX, k = store_chunk_rows_up(run, BRIEFS_MAX);
		store_stmt *st = NULL;

		rc = conn_prepare_rows(
			c,
			"SELECT q.id, q.kind, q.urgency, q.priority, q.mandatory, q.state, "
			"COALESCE(q.child_id, 0), COALESCE(ch.name, ''), COALESCE(ch.sex, ''), "
			"COALESCE(ch.birth_date, ''), COALESCE(ch.village_code, ''), COALESCE(ch.grid_code, ''), "
			"COALESCE(ch.school_id, 0) FROM help_requests q LEFT JOIN children ch ON ch.id = "
			"q.child_id WHERE q.county_code = ? AND q.id IN (",
			"?", k, ")", &st);
		if (rc == WB_OK)
			rc = stmt_bind_text(c, st, 1, county);
		for (int i = 0; rc == WB_OK && i < k; i++)
			rc = stmt_bind_int64(c, st, i + 2, ids[done + (i < run ? i : run - 1)]);
		while (rc == WB_OK && (rc = stmt_step(c, st)) == STORE_ROW) {
			request_brief *b = &out[*n_out];

			rc = WB_OK;
			if (*n_out == n)
				continue;
			b->id = stmt_int64(c, st, 0);
			stmt_copy(c, st, 1, b->kind, sizeof(b->kind));
			stmt_copy(c, st, 2, b->urgency, sizeof(b->urgency));
			b->priority = (int)stmt_int64(c, st, 3);
			b->mandatory = (int)stmt_int64(c, st, 4);
			stmt_copy(c, st, 5, b->state, sizeof(b->state));
			b->child_id = stmt_int64(c, st, 6);
			stmt_copy(c, st, 7, b->child_name, sizeof(b->child_name));
			stmt_copy(c, st, 8, b->child_sex, sizeof(b->child_sex));
			stmt_copy(c, st, 9, b->child_birth, sizeof(b->child_birth));
			stmt_copy(c, st, 10, b->child_village, sizeof(b->child_village));
			stmt_copy(c, st, 11, b->child_grid, sizeof(b->child_grid));
			b->child_school_id = stmt_int64(c, st, 12);
			(*n_out)++;
		}
		if (st)
			stmt_reset(c, st);
		rc = rc < 0 ? rc : WB_OK;
		done += run;
	}
	return rc;
}
