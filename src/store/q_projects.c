/* Charity projects; see q_projects.h. */
#include "q_projects.h"

#include <stdlib.h>
#include <string.h>

#include "../util/wb.h"

/* a project's money of one kind: its lines less their reversals */
#define FUND_NET(kind)                                                                                             \
	"COALESCE((SELECT SUM(" FUND_SIGNED ") FROM project_funds f WHERE f.project_id = p.id AND f.kind = '" kind \
	"'), 0)"

#define PROJECT_COLS                                                                                                   \
	"SELECT p.id, p.org_id, p.budget_cents, p.version, p.created_at, p.created_by, p.updated_at, "                 \
	"p.updated_by, p.county_code, p.kind, p.status, p.name, p.donor, COALESCE(p.area_code, ''), "                  \
	"COALESCE(p.started_on, ''), COALESCE(p.finished_on, ''), p.description, COALESCE(u.name, ''), " FUND_NET(     \
		"donation") ", " FUND_NET("spending") ", "                                                             \
						      "(SELECT COUNT(*) FROM project_children pc WHERE pc.project_id " \
						      "= p.id "                                                        \
						      "AND pc.removed_at IS NULL) FROM projects p LEFT JOIN units u "  \
						      "ON u.id = p.org_id"

static void project_row(store_conn *c, store_stmt *st, project_rec *p)
{
	p->id = stmt_int64(c, st, 0);
	p->org_id = stmt_int64(c, st, 1);
	p->budget_cents = stmt_int64(c, st, 2);
	p->version = stmt_int64(c, st, 3);
	p->created_at = stmt_int64(c, st, 4);
	p->created_by = stmt_int64(c, st, 5);
	p->updated_at = stmt_int64(c, st, 6);
	p->updated_by = stmt_int64(c, st, 7);
	stmt_copy(c, st, 8, p->county_code, sizeof(p->county_code));
	stmt_copy(c, st, 9, p->kind, sizeof(p->kind));
	stmt_copy(c, st, 10, p->status, sizeof(p->status));
	stmt_copy(c, st, 11, p->name, sizeof(p->name));
	stmt_copy(c, st, 12, p->donor, sizeof(p->donor));
	stmt_copy(c, st, 13, p->area_code, sizeof(p->area_code));
	stmt_copy(c, st, 14, p->started_on, sizeof(p->started_on));
	stmt_copy(c, st, 15, p->finished_on, sizeof(p->finished_on));
	stmt_copy(c, st, 16, p->description, sizeof(p->description));
	stmt_copy(c, st, 17, p->org_name, sizeof(p->org_name));
	p->donated_cents = stmt_int64(c, st, 18);
	p->spent_cents = stmt_int64(c, st, 19);
	p->children = stmt_int64(c, st, 20);
}

/* Runs a PROJECT_COLS query and hands each row to cb. */
static int project_rows(store_conn *c, const char *sql, const store_args *a, project_cb cb, void *arg)
{
	store_stmt *st = NULL;
	project_rec *p = malloc(sizeof(*p));
	int rc = p ? conn_query_args(c, &st, sql, a) : WB_ENOMEM;

	while (rc == STORE_ROW) {
		project_row(c, st, p);
		rc = cb(p, arg);
		if (rc == WB_OK)
			rc = stmt_step(c, st);
	}
	if (st)
		stmt_reset(c, st);
	free(p);
	return rc < 0 ? rc : WB_OK;
}

int store_projects(store_conn *c, const char *county, const project_filter *f, project_cb cb, void *arg)
{
	store_args a = {0};
	buf sql;
	int rc;

	buf_init(&sql, 2048);
	rc = buf_puts(&sql, PROJECT_COLS " WHERE p.county_code = ?");
	args_text(&a, county);
	if (rc == WB_OK && f->status) {
		rc = buf_puts(&sql, " AND p.status = ?");
		args_text(&a, f->status);
	}
	if (rc == WB_OK && f->kind) {
		rc = buf_puts(&sql, " AND p.kind = ?");
		args_text(&a, f->kind);
	}
	if (rc == WB_OK && f->org_id) {
		rc = buf_puts(&sql, " AND p.org_id = ?");
		args_int(&a, f->org_id);
	}
	if (rc == WB_OK && f->no_area)
		rc = buf_puts(&sql, " AND p.area_code IS NULL AND p.kind IN ('hope_room', 'one_plus_n')");
	if (rc == WB_OK && f->lo) {
		rc = buf_puts(&sql,
			      " AND ((p.area_code >= ? AND p.area_code < ?) OR EXISTS (SELECT 1 FROM "
			      "project_children pc JOIN children c ON c.id = pc.child_id WHERE pc.project_id = p.id "
			      "AND c.village_code >= ? AND c.village_code < ?))");
		args_text(&a, f->lo);
		args_text(&a, f->hi);
		args_text(&a, f->lo);
		args_text(&a, f->hi);
	}
	if (rc == WB_OK)
		rc = buf_puts(&sql, " ORDER BY p.id DESC");
	if (rc == WB_OK)
		rc = project_rows(c, sql.data, &a, cb, arg);
	buf_cleanup(&sql);
	return rc;
}

static int project_copy_cb(const project_rec *p, void *arg)
{
	memcpy(arg, p, sizeof(*p));
	return WB_OK;
}

int store_project_get(store_conn *c, const char *county, int64_t id, project_rec *out)
{
	store_args a = {0};
	int rc;

	out->id = 0;
	args_text(&a, county);
	args_int(&a, id);
	rc = project_rows(c, PROJECT_COLS " WHERE p.county_code = ? AND p.id = ?", &a, project_copy_cb, out);
	if (rc == WB_OK && !out->id)
		rc = WB_ENOTFOUND;
	return rc;
}

int store_project_in_area(store_conn *c, int64_t id, const char *lo, const char *hi)
{
	store_stmt *st = NULL;
	int rc = conn_query(c, &st,
			    "SELECT 1 FROM project_children pc JOIN children c ON c.id = pc.child_id WHERE "
			    "pc.project_id = ? AND c.village_code >= ? AND c.village_code < ? LIMIT 1",
			    "iss", id, lo, hi);

	if (rc == STORE_ROW) {
		stmt_reset(c, st);
		return 1;
	}
	return 0;
}

static int log_add(store_conn *c, const project_rec *p, const char *from, const char *note)
{
	int rc = conn_query(c, NULL,
			    "INSERT INTO project_log (county_code, project_id, at, by_user, status_from, status_to, "
			    "note) VALUES (?, ?, ?, ?, ?, ?, ?)",
			    "siiisss", p->county_code, p->id, p->updated_at, p->updated_by, from, p->status,
			    note ? note : "");

	return rc < 0 ? rc : WB_OK;
}

int store_project_insert(store_conn *c, project_rec *p)
{
	store_stmt *st = NULL;
	int rc = conn_query(
		c, &st,
		"INSERT INTO projects (county_code, org_id, kind, name, description, status, budget_cents, "
		"donor, area_code, started_on, finished_on, created_at, created_by, updated_at, updated_by) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
		"sissssissssiiii", p->county_code, p->org_id, p->kind, p->name, p->description, p->status,
		p->budget_cents, p->donor, store_null_if_empty(p->area_code), store_null_if_empty(p->started_on),
		store_null_if_empty(p->finished_on), p->created_at, p->created_by, p->updated_at, p->updated_by);

	rc = stmt_result_int64(c, st, rc, WB_ESTORE, &p->id);
	return rc ? rc : log_add(c, p, NULL, "");
}

int store_project_update(store_conn *c, const project_rec *p, const char *old_status, const char *note)
{
	store_stmt *st = NULL;
	int64_t id;
	int rc = conn_query(
		c, &st,
		"UPDATE projects SET name = ?, description = ?, status = ?, budget_cents = ?, donor = ?, "
		"area_code = ?, started_on = ?, finished_on = ?, version = ?, updated_at = ?, updated_by = ? "
		"WHERE id = ? AND version = ? RETURNING id",
		"sssissssiiiii", p->name, p->description, p->status, p->budget_cents, p->donor,
		store_null_if_empty(p->area_code), store_null_if_empty(p->started_on),
		store_null_if_empty(p->finished_on), p->version, p->updated_at, p->updated_by, p->id, p->version - 1);

	rc = stmt_result_int64(c, st, rc, WB_ECONFLICT, &id);
	if (rc == WB_OK && strcmp(old_status, p->status) != 0)
		rc = log_add(c, p, old_status, note);
	return rc;
}

/* ---- children ---- */

#define PC_COLS                                                                                                \
	"SELECT pc.id, pc.project_id, pc.child_id, pc.added_at, pc.added_by, COALESCE(pc.removed_at, 0), "     \
	"pc.services, COALESCE(pc.removed_reason, ''), c.name, c.village_code, p.name, p.kind, p.status, "     \
	"COALESCE(u.name, '') FROM project_children pc JOIN children c ON c.id = pc.child_id JOIN projects p " \
	"ON p.id = pc.project_id LEFT JOIN units u ON u.id = p.org_id"

static int pc_rows(store_conn *c, const char *sql, int64_t id, project_child_cb cb, void *arg)
{
	store_stmt *st = NULL;
	project_child_rec *pc = malloc(sizeof(*pc));
	int rc = pc ? conn_query(c, &st, sql, "i", id) : WB_ENOMEM;

	while (rc == STORE_ROW) {
		memset(pc, 0, sizeof(*pc));
		pc->id = stmt_int64(c, st, 0);
		pc->project_id = stmt_int64(c, st, 1);
		pc->child_id = stmt_int64(c, st, 2);
		pc->added_at = stmt_int64(c, st, 3);
		pc->added_by = stmt_int64(c, st, 4);
		pc->removed_at = stmt_int64(c, st, 5);
		stmt_copy(c, st, 6, pc->services, sizeof(pc->services));
		stmt_copy(c, st, 7, pc->removed_reason, sizeof(pc->removed_reason));
		stmt_copy(c, st, 8, pc->name, sizeof(pc->name));
		stmt_copy(c, st, 9, pc->village_code, sizeof(pc->village_code));
		stmt_copy(c, st, 10, pc->project_name, sizeof(pc->project_name));
		stmt_copy(c, st, 11, pc->project_kind, sizeof(pc->project_kind));
		stmt_copy(c, st, 12, pc->project_status, sizeof(pc->project_status));
		stmt_copy(c, st, 13, pc->org_name, sizeof(pc->org_name));
		rc = cb(pc, arg);
		if (rc == WB_OK)
			rc = stmt_step(c, st);
	}
	if (st)
		stmt_reset(c, st);
	free(pc);
	return rc < 0 ? rc : WB_OK;
}

int store_project_children(store_conn *c, int64_t project_id, project_child_cb cb, void *arg)
{
	return pc_rows(c, PC_COLS " WHERE pc.project_id = ? ORDER BY pc.id", project_id, cb, arg);
}

int store_child_projects(store_conn *c, int64_t child_id, project_child_cb cb, void *arg)
{
	return pc_rows(c, PC_COLS " WHERE pc.child_id = ? ORDER BY pc.id DESC", child_id, cb, arg);
}

int store_project_child_add(store_conn *c, project_child_rec *pc)
{
	store_stmt *st = NULL;
	int rc = conn_query(c, &st,
			    "INSERT INTO project_children (county_code, project_id, child_id, services, added_at, "
			    "added_by) SELECT p.county_code, ?, ?, ?, ?, ? FROM projects p WHERE p.id = ? RETURNING id",
			    "iisiii", pc->project_id, pc->child_id, pc->services, pc->added_at, pc->added_by,
			    pc->project_id);

	return stmt_result_int64(c, st, rc, WB_ENOTFOUND, &pc->id);
}

int store_project_children_active(store_conn *c, int64_t project_id, int64_t *n_out)
{
	store_stmt *st = NULL;
	int rc = conn_query(c, &st, "SELECT COUNT(*) FROM project_children WHERE project_id = ? AND removed_at IS NULL",
			    "i", project_id);

	*n_out = 0;
	return stmt_result_int64(c, st, rc, WB_OK, n_out);
}

int store_project_child_remove(store_conn *c, int64_t project_id, int64_t child_id, const char *reason, int64_t at,
			       int64_t by)
{
	store_stmt *st = NULL;
	int64_t id;
	int rc = conn_query(c, &st,
			    "UPDATE project_children SET removed_at = ?, removed_by = ?, removed_reason = ? WHERE "
			    "project_id = ? AND child_id = ? AND removed_at IS NULL RETURNING id",
			    "iisii", at, by, reason, project_id, child_id);

	return stmt_result_int64(c, st, rc, WB_ENOTFOUND, &id);
}

/* ---- money and log ---- */

#define FUND_COLS                                                                                                   \
	"SELECT f.id, f.project_id, f.amount_cents, f.created_at, f.created_by, f.county_code, f.kind, f.on_date, " \
	"f.party, f.note, COALESCE(f.reverses, 0), COALESCE((SELECT r.id FROM project_funds r WHERE r.reverses = "  \
	"f.id), 0) FROM project_funds f WHERE f.project_id = ?"

static void fund_row(store_conn *c, store_stmt *st, project_fund_rec *f)
{
	memset(f, 0, sizeof(*f));
	f->id = stmt_int64(c, st, 0);
	f->project_id = stmt_int64(c, st, 1);
	f->amount_cents = stmt_int64(c, st, 2);
	f->created_at = stmt_int64(c, st, 3);
	f->created_by = stmt_int64(c, st, 4);
	stmt_copy(c, st, 5, f->county_code, sizeof(f->county_code));
	stmt_copy(c, st, 6, f->kind, sizeof(f->kind));
	stmt_copy(c, st, 7, f->on_date, sizeof(f->on_date));
	stmt_copy(c, st, 8, f->party, sizeof(f->party));
	stmt_copy(c, st, 9, f->note, sizeof(f->note));
	f->reverses = stmt_int64(c, st, 10);
	f->reversed_by = stmt_int64(c, st, 11);
}

int store_project_fund_get(store_conn *c, int64_t project_id, int64_t id, project_fund_rec *out)
{
	store_stmt *st = NULL;
	int rc = conn_query(c, &st, FUND_COLS " AND f.id = ?", "ii", project_id, id);

	if (rc != STORE_ROW)
		return rc < 0 ? rc : WB_ENOTFOUND;
	fund_row(c, st, out);
	stmt_reset(c, st);
	return WB_OK;
}

int store_project_funds(store_conn *c, int64_t project_id, project_fund_cb cb, void *arg)
{
	store_stmt *st = NULL;
	project_fund_rec f;
	int rc = conn_query(c, &st, FUND_COLS " ORDER BY f.on_date, f.id", "i", project_id);

	while (rc == STORE_ROW) {
		fund_row(c, st, &f);
		rc = cb(&f, arg);
		if (rc == WB_OK)
			rc = stmt_step(c, st);
	}
	if (st)
		stmt_reset(c, st);
	return rc < 0 ? rc : WB_OK;
}

/* The money a line takes out (a spending, or a donation's reversal) was
 * there on its day: taken in date order, the project's balance of the
 * lines that count (reversed lines and reversals aside: a line entered by
 * mistake is no money) is not below zero at the end of any day from the
 * line's day on (a spending on day D is covered by the donations dated on
 * or before D). A spending counts from its own day; a donation's reversal
 * takes the donation off its day. The first day short and by how much
 * into f (WB_EINVAL). */
static int fund_covered(store_conn *c, project_fund_rec *f)
{
	store_stmt *st = NULL;
	char from[11], day[11];
	int64_t delta = 0, running = 0, gone = f->reverses;
	int applied = 0, rc;

	if (gone) {
		rc = conn_query(c, &st, "SELECT on_date FROM project_funds WHERE id = ? AND project_id = ?", "ii", gone,
				f->project_id);
		if (rc != STORE_ROW)
			return rc < 0 ? rc : WB_ENOTFOUND;
		stmt_copy(c, st, 0, from, sizeof(from));
		stmt_reset(c, st);
		st = NULL;
	} else {
		wb_strlcpy(from, f->on_date, sizeof(from));
		delta = -f->amount_cents;
	}
	rc = conn_query(c, &st,
			"SELECT f.on_date, SUM(CASE WHEN f.kind = 'donation' THEN f.amount_cents ELSE -f.amount_cents "
			"END) FROM project_funds f WHERE f.project_id = ? AND f.reverses IS NULL AND f.id <> ? AND NOT "
			"EXISTS (SELECT 1 FROM project_funds r WHERE r.reverses = f.id) GROUP BY f.on_date ORDER BY "
			"f.on_date",
			"ii", f->project_id, gone);
	while (rc == STORE_ROW) {
		stmt_copy(c, st, 0, day, sizeof(day));
		/* the end of the line's own day when no other line is dated so */
		if (!applied && strcmp(day, from) > 0) {
			applied = 1;
			running += delta;
			if (running < 0)
				break;
		}
		running += stmt_int64(c, st, 1);
		if (!applied && strcmp(day, from) == 0) {
			applied = 1;
			running += delta;
		}
		if (applied && running < 0) {
			wb_strlcpy(from, day, sizeof(from));
			break;
		}
		rc = stmt_step(c, st);
	}
	if (st)
		stmt_reset(c, st);
	if (rc < 0)
		return rc;
	if (!applied)
		running += delta;
	if (running >= 0)
		return WB_OK;
	wb_strlcpy(f->short_on, from, sizeof(f->short_on));
	f->short_cents = -running;
	return WB_EINVAL;
}

int store_project_fund_add(store_conn *c, project_fund_rec *f)
{
	store_stmt *st = NULL;
	int spends = strcmp(f->kind, "spending") == 0 ? !f->reverses : f->reverses != 0;
	int rc;

	/* what takes money out may not take more than the project holds, nor
	 * more than it held on the line's day and every day after; checked
	 * here, in the writer's transaction */
	f->short_on[0] = '\0';
	f->short_cents = 0;
	if (spends) {
		rc = conn_query(c, &st,
				"SELECT COALESCE(SUM(CASE WHEN kind = 'donation' THEN 1 ELSE -1 END * CASE WHEN "
				"reverses IS NULL THEN amount_cents ELSE -amount_cents END), 0) FROM project_funds "
				"WHERE project_id = ?",
				"i", f->project_id);
		rc = stmt_result_int64(c, st, rc, WB_ESTORE, &f->balance_cents);
		if (rc)
			return rc;
		if (f->amount_cents > f->balance_cents)
			return WB_EINVAL;
		rc = fund_covered(c, f);
		if (rc)
			return rc;
		st = NULL;
	}
	rc = conn_query(
		c, &st,
		"INSERT INTO project_funds (county_code, project_id, kind, amount_cents, on_date, party, note, "
		"created_at, created_by, reverses) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULLIF(CAST(? AS BIGINT), "
		"0)) RETURNING id",
		"sisisssiii", f->county_code, f->project_id, f->kind, f->amount_cents, f->on_date, f->party, f->note,
		f->created_at, f->created_by, f->reverses);
	return stmt_result_int64(c, st, rc, WB_ESTORE, &f->id);
}

int store_project_fund_span(store_conn *c, int64_t project_id, char first_spending[11], char last_line[11])
{
	store_stmt *st = NULL;
	int rc = conn_query(c, &st,
			    "SELECT COALESCE(MIN(CASE WHEN f.kind = 'spending' THEN f.on_date END), ''), "
			    "COALESCE(MAX(f.on_date), '') FROM project_funds f WHERE f.project_id = ? AND f.reverses "
			    "IS NULL AND NOT EXISTS (SELECT 1 FROM project_funds r WHERE r.reverses = f.id)",
			    "i", project_id);

	first_spending[0] = last_line[0] = '\0';
	if (rc != STORE_ROW)
		return rc < 0 ? rc : WB_ESTORE;
	stmt_copy(c, st, 0, first_spending, 11);
	stmt_copy(c, st, 1, last_line, 11);
	stmt_reset(c, st);
	return WB_OK;
}

int store_project_log(store_conn *c, int64_t project_id, project_log_cb cb, void *arg)
{
	store_stmt *st = NULL;
	project_log_rec l;
	int rc = conn_query(
		c, &st,
		"SELECT g.at, g.by_user, COALESCE(g.status_from, ''), g.status_to, COALESCE(u.display_name, "
		"''), g.note FROM project_log g LEFT JOIN users u ON u.id = g.by_user WHERE g.project_id = ? "
		"ORDER BY g.at, g.id",
		"i", project_id);

	while (rc == STORE_ROW) {
		memset(&l, 0, sizeof(l));
		l.at = stmt_int64(c, st, 0);
		l.by_user = stmt_int64(c, st, 1);
		stmt_copy(c, st, 2, l.status_from, sizeof(l.status_from));
		stmt_copy(c, st, 3, l.status_to, sizeof(l.status_to));
		stmt_copy(c, st, 4, l.by_name, sizeof(l.by_name));
		stmt_copy(c, st, 5, l.note, sizeof(l.note));
		rc = cb(&l, arg);
		if (rc == WB_OK)
			rc = stmt_step(c, st);
	}
	if (st)
		stmt_reset(c, st);
	return rc < 0 ? rc : WB_OK;
}
