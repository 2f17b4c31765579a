/* Entitlements: policies, versions, receipts; see q_entitlements.h. */
#include "q_entitlements.h"

#include <stdlib.h>
#include <string.h>

#include "../domain/entitlement.h"
#include "../util/wb.h"

#define POLICY_COLS                                                                                            \
	"SELECT p.id, p.department_id, p.created_at, p.created_by, p.county_code, p.code, p.name, p.benefit, " \
	"COALESCE(u.name, '') FROM policies p LEFT JOIN units u ON u.id = p.department_id"

static void policy_row(store_conn *c, store_stmt *st, policy_rec *p)
{
	memset(p, 0, sizeof(*p));
	p->id = stmt_int64(c, st, 0);
	p->department_id = stmt_int64(c, st, 1);
	p->created_at = stmt_int64(c, st, 2);
	p->created_by = stmt_int64(c, st, 3);
	stmt_copy(c, st, 4, p->county_code, sizeof(p->county_code));
	stmt_copy(c, st, 5, p->code, sizeof(p->code));
	stmt_copy(c, st, 6, p->name, sizeof(p->name));
	stmt_copy(c, st, 7, p->benefit, sizeof(p->benefit));
	stmt_copy(c, st, 8, p->department_name, sizeof(p->department_name));
}

int store_policies(store_conn *c, const char *county, policy_cb cb, void *arg)
{
	store_stmt *st = NULL;
	policy_rec p;
	int rc = conn_query(c, &st, POLICY_COLS " WHERE p.county_code = ? ORDER BY p.code", "s", county);

	while (rc == STORE_ROW) {
		policy_row(c, st, &p);
		rc = cb(&p, arg);
		if (rc == WB_OK)
			rc = stmt_step(c, st);
	}
	if (st)
		stmt_reset(c, st);
	return rc < 0 ? rc : WB_OK;
}

int store_policy_get(store_conn *c, const char *county, int64_t id, policy_rec *out)
{
	store_stmt *st = NULL;
	int rc = conn_query(c, &st, POLICY_COLS " WHERE p.county_code = ? AND p.id = ?", "si", county, id);

	if (rc != STORE_ROW)
		return rc < 0 ? rc : WB_ENOTFOUND;
	policy_row(c, st, out);
	stmt_reset(c, st);
	return WB_OK;
}

int store_policy_versions(store_conn *c, const char *county, int64_t policy_id, policy_version_cb cb, void *arg)
{
	store_stmt *st = NULL;
	policy_version_rec *v;
	int rc;

	if (!(v = malloc(sizeof(*v))))
		return WB_ENOMEM;
	rc = conn_query(
		c, &st,
		"SELECT id, policy_id, amount_cents, created_at, created_by, county_code, effective_from, rule, "
		"note, ends FROM policy_versions WHERE county_code = ? AND (? = 0 OR policy_id = ?) ORDER BY "
		"policy_id, effective_from DESC",
		"sii", county, policy_id, policy_id);
	while (rc == STORE_ROW) {
		v->id = stmt_int64(c, st, 0);
		v->policy_id = stmt_int64(c, st, 1);
		v->amount_cents = stmt_int64(c, st, 2);
		v->created_at = stmt_int64(c, st, 3);
		v->created_by = stmt_int64(c, st, 4);
		stmt_copy(c, st, 5, v->county_code, sizeof(v->county_code));
		stmt_copy(c, st, 6, v->effective_from, sizeof(v->effective_from));
		stmt_copy(c, st, 7, v->rule, sizeof(v->rule));
		stmt_copy(c, st, 8, v->note, sizeof(v->note));
		v->ends = (int)stmt_int64(c, st, 9);
		rc = cb(v, arg);
		if (rc == WB_OK)
			rc = stmt_step(c, st);
	}
	if (st)
		stmt_reset(c, st);
	free(v);
	return rc < 0 ? rc : WB_OK;
}

int store_policy_insert(store_conn *c, policy_rec *p, policy_version_rec *v)
{
	store_stmt *st = NULL;
	int rc = conn_query(c, &st,
			    "INSERT INTO policies (county_code, code, name, department_id, benefit, created_at, "
			    "created_by) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
			    "sssisii", p->county_code, p->code, p->name, p->department_id, p->benefit, p->created_at,
			    p->created_by);

	rc = stmt_result_int64(c, st, rc, WB_ESTORE, &p->id);
	if (rc != WB_OK)
		return rc;
	v->policy_id = p->id;
	return store_policy_version_insert(c, v);
}

int store_policy_version_insert(store_conn *c, policy_version_rec *v)
{
	store_stmt *st = NULL;
	int rc = conn_query(c, &st,
			    "INSERT INTO policy_versions (county_code, policy_id, effective_from, amount_cents, rule, "
			    "note, created_at, created_by, ends) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			    "sisissiii", v->county_code, v->policy_id, v->effective_from, v->amount_cents, v->rule,
			    v->note, v->created_at, v->created_by, (int64_t)(v->ends != 0));

	return stmt_result_int64(c, st, rc, WB_ESTORE, &v->id);
}

int store_policy_version_withdraw(store_conn *c, int64_t policy_id, int64_t version_id, const char *today)
{
	store_stmt *st = NULL;
	int64_t gone = 0;
	int rc = conn_query(c, &st,
			    "DELETE FROM policy_versions WHERE id = ? AND policy_id = ? AND effective_from > ? "
			    "AND EXISTS (SELECT 1 FROM policy_versions o WHERE o.policy_id = ? AND o.id <> ?) "
			    "RETURNING id",
			    "iisii", version_id, policy_id, today, policy_id, version_id);

	return stmt_result_int64(c, st, rc, WB_ECONFLICT, &gone);
}

int store_policy_newest(store_conn *c, int64_t policy_id, char *out, int *ends)
{
	store_stmt *st = NULL;
	int rc = conn_query(c, &st,
			    "SELECT effective_from, ends FROM policy_versions WHERE policy_id = ? ORDER BY "
			    "effective_from DESC LIMIT 1",
			    "i", policy_id);

	out[0] = '\0';
	*ends = 0;
	if (rc == STORE_ROW) {
		stmt_copy(c, st, 0, out, 11);
		*ends = (int)stmt_int64(c, st, 1);
		stmt_reset(c, st);
		rc = WB_OK;
	}
	return rc < 0 ? rc : WB_OK;
}

/* ---- receipts ---- */

#define RECEIPT_COLS                                                                                            \
	"SELECT r.id, r.child_id, r.policy_id, r.created_at, r.created_by, COALESCE(r.ended_at, 0), "           \
	"COALESCE(r.ended_by, 0), r.county_code, r.from_month, COALESCE(r.to_month, ''), "                      \
	"COALESCE(r.end_reason, ''), c.name, c.village_code FROM benefit_receipts r JOIN children c ON c.id = " \
	"r.child_id"

static void receipt_row(store_conn *c, store_stmt *st, receipt_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->id = stmt_int64(c, st, 0);
	r->child_id = stmt_int64(c, st, 1);
	r->policy_id = stmt_int64(c, st, 2);
	r->created_at = stmt_int64(c, st, 3);
	r->created_by = stmt_int64(c, st, 4);
	r->ended_at = stmt_int64(c, st, 5);
	r->ended_by = stmt_int64(c, st, 6);
	stmt_copy(c, st, 7, r->county_code, sizeof(r->county_code));
	stmt_copy(c, st, 8, r->from_month, sizeof(r->from_month));
	stmt_copy(c, st, 9, r->to_month, sizeof(r->to_month));
	stmt_copy(c, st, 10, r->end_reason, sizeof(r->end_reason));
	stmt_copy(c, st, 11, r->name, sizeof(r->name));
	stmt_copy(c, st, 12, r->village_code, sizeof(r->village_code));
}

/* Runs sql (a RECEIPT_COLS query) and hands every row to cb. */
static int receipt_rows(store_conn *c, const char *sql, const store_args *a, receipt_cb cb, void *arg)
{
	store_stmt *st = NULL;
	receipt_rec *r;
	int rc;

	if (!(r = malloc(sizeof(*r))))
		return WB_ENOMEM;
	rc = conn_query_args(c, &st, sql, a);
	while (rc == STORE_ROW) {
		receipt_row(c, st, r);
		rc = cb(r, arg);
		if (rc == WB_OK)
			rc = stmt_step(c, st);
	}
	if (st)
		stmt_reset(c, st);
	free(r);
	return rc < 0 ? rc : WB_OK;
}

int store_receipt_insert(store_conn *c, receipt_rec *r)
{
	store_stmt *st = NULL;
	int from = 0, next = 0, last = 0;
	/* the ended receipts of the same policy that paid (a receipt cancelled
	 * before it started ends the month before its first and paid nothing):
	 * a month one of them paid would be paid twice, and a yearly benefit
	 * (a one-off or in-kind one: once) covers the 12 months from the month
	 * it paid, so it is not paid again within them */
	int rc;

	if (month_parse(r->from_month, &from) != WB_OK)
		return WB_EINVAL; /* the caller checks it first */
	rc = conn_query(c, &st,
			"SELECT from_month, to_month FROM benefit_receipts WHERE child_id = ? AND policy_id = ? AND "
			"to_month IS NOT NULL AND to_month >= from_month",
			"ii", r->child_id, r->policy_id);
	while (rc == STORE_ROW) {
		int f = 0, t = 0, paid = 0, until;

		if (month_parse(stmt_text(c, st, 0), &f) == WB_OK && month_parse(stmt_text(c, st, 1), &t) == WB_OK) {
			for (int m = f; m <= t; m = month_add(m, 1))
				if (ent_pays_in((enum ent_benefit)r->benefit, f, t, m))
					paid = m;
			until = r->benefit == EB_MONTHLY ? month_add(t, 1) : month_add(paid, 12);
			if (until < month_add(t, 1))
				until = month_add(t, 1);
			if (until > from && until > next) {
				next = until;
				last = paid;
			}
		}
		rc = stmt_step(c, st);
	}
	if (st)
		stmt_reset(c, st);
	if (rc < 0)
		return rc;
	if (next) {
		month_format(last, r->to_month);
		month_format(next, r->next_month);
		return WB_EINVAL;
	}
	st = NULL;
	rc = conn_query(c, &st,
			"INSERT INTO benefit_receipts (county_code, child_id, policy_id, from_month, created_at, "
			"created_by) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
			"siisii", r->county_code, r->child_id, r->policy_id, r->from_month, r->created_at,
			r->created_by);

	return stmt_result_int64(c, st, rc, WB_ESTORE, &r->id);
}

int store_receipt_get(store_conn *c, const store_scope *sc, int64_t id, receipt_rec *out)
{
	store_stmt *st = NULL;
	store_args a = {0};
	buf sql;
	int rc;

	buf_init(&sql, 1024);
	rc = buf_puts(&sql, RECEIPT_COLS " WHERE r.id = ?");
	args_int(&a, id);
	if (rc == WB_OK)
		rc = scope_children_sql(sc, "c", &sql, &a);
	if (rc == WB_OK)
		rc = conn_query_args(c, &st, sql.data, &a);
	buf_cleanup(&sql);
	if (rc != STORE_ROW)
		return rc < 0 ? rc : WB_ENOTFOUND;
	receipt_row(c, st, out);
	stmt_reset(c, st);
	return WB_OK;
}

int store_receipt_end(store_conn *c, int64_t id, const char *to_month, const char *reason, int64_t at, int64_t by)
{
	store_stmt *st = NULL;
	int64_t n = 0;
	int rc = conn_query(c, &st,
			    "UPDATE benefit_receipts SET to_month = ?, end_reason = ?, ended_at = ?, ended_by = ? "
			    "WHERE id = ? AND to_month IS NULL RETURNING id",
			    "ssiii", to_month, reason, at, by, id);

	rc = stmt_result_int64(c, st, rc, WB_ECONFLICT, &n);
	return rc;
}

int store_child_receipts(store_conn *c, int64_t child_id, receipt_cb cb, void *arg)
{
	store_args a = {0};

	args_int(&a, child_id);
	return receipt_rows(c, RECEIPT_COLS " WHERE r.child_id = ? ORDER BY r.from_month DESC, r.id DESC", &a, cb, arg);
}

int store_receipts_in(store_conn *c, const store_scope *sc, const char *area, const char *month, int64_t policy_id,
		      int open_only, receipt_cb cb, void *arg)
{
	store_args a = {0};
	buf sql;
	int rc;

	buf_init(&sql, 1024);
	rc = buf_puts(&sql, RECEIPT_COLS " WHERE r.county_code = ?");
	args_text(&a, sc->county_code);
	if (rc == WB_OK && open_only)
		rc = buf_puts(&sql, " AND r.to_month IS NULL");
	if (rc == WB_OK && month) {
		rc = buf_puts(&sql, " AND r.from_month <= ? AND (r.to_month IS NULL OR r.to_month >= ?)");
		args_text(&a, month);
		args_text(&a, month);
	}
	if (rc == WB_OK && policy_id) {
		rc = buf_puts(&sql, " AND r.policy_id = ?");
		args_int(&a, policy_id);
	}
	if (rc == WB_OK)
		rc = scope_children_sql(sc, "c", &sql, &a);
	if (rc == WB_OK)
		rc = area_filter_sql(area, "c", &sql, &a);
	if (rc == WB_OK)
		rc = buf_puts(&sql, " ORDER BY c.village_code, r.child_id, r.policy_id");
	if (rc == WB_OK)
		rc = receipt_rows(c, sql.data, &a, cb, arg);
	buf_cleanup(&sql);
	return rc;
}

/* ---- the matching's children ---- */

int store_ent_children(store_conn *c, const store_scope *sc, const char *area, const char *born_after, int narrow,
		       ent_child_cb cb, void *arg)
{
	store_stmt *st = NULL;
	store_args a = {0};
	ent_child_row row;
	buf sql;
	int rc;

	buf_init(&sql, 1024);
	rc = buf_puts(&sql, "SELECT c.id, c.disability_grade, c.family_poverty, CASE WHEN c.serious_illness IS NULL OR "
			    "c.serious_illness = '' THEN 0 ELSE 1 END, c.name, c.village_code, "
			    "COALESCE(c.birth_date, ''), COALESCE(c.hukou_type, '') FROM children c WHERE "
			    "c.county_code = ? AND (c.birth_date IS NULL OR c.birth_date > ? OR c.id IN (SELECT "
			    "r.child_id FROM benefit_receipts r WHERE r.county_code = ? AND r.to_month IS NULL))");
	args_text(&a, sc->county_code);
	args_text(&a, born_after);
	args_text(&a, sc->county_code);
	if (rc == WB_OK && narrow) {
		/* each set through its own index (children_needs, migration 0010) */
		rc = buf_printf(&sql,
				" AND c.id%sSELECT n.id FROM children n WHERE n.county_code = ? AND "
				"(n.disability_grade > 0 OR n.family_poverty <> 0 OR n.serious_illness <> '') UNION "
				"SELECT k.child_id FROM child_categories k WHERE k.county_code = ? AND k.state = "
				"'confirmed' UNION SELECT r.child_id FROM benefit_receipts r WHERE r.county_code = ? "
				"AND r.to_month IS NULL%s",
				c->drv->id_set_open, c->drv->id_set_close);
		args_text(&a, sc->county_code);
		args_text(&a, sc->county_code);
		args_text(&a, sc->county_code);
	}
	if (rc == WB_OK)
		rc = scope_children_sql(sc, "c", &sql, &a);
	if (rc == WB_OK)
		rc = area_filter_sql(area, "c", &sql, &a);
	if (rc == WB_OK)
		rc = buf_puts(&sql, " ORDER BY c.village_code, c.id");
	if (rc == WB_OK)
		rc = conn_query_args(c, &st, sql.data, &a);
	while (rc == STORE_ROW) {
		memset(&row, 0, sizeof(row));
		row.id = stmt_int64(c, st, 0);
		row.disability_grade = (int)stmt_int64(c, st, 1);
		row.family_poverty = stmt_int64(c, st, 2) != 0;
		row.serious_illness = stmt_int64(c, st, 3) != 0;
		stmt_copy(c, st, 4, row.name, sizeof(row.name));
		stmt_copy(c, st, 5, row.village_code, sizeof(row.village_code));
		stmt_copy(c, st, 6, row.birth_date, sizeof(row.birth_date));
		stmt_copy(c, st, 7, row.hukou_type, sizeof(row.hukou_type));
		rc = cb(&row, arg);
		if (rc == WB_OK)
			rc = stmt_step(c, st);
	}
	if (st)
		stmt_reset(c, st);
	buf_cleanup(&sql);
	return rc < 0 ? rc : WB_OK;
}

int store_ent_categories(store_conn *c, const store_scope *sc, const char *area, ent_cat_cb cb, void *arg)
{
	store_stmt *st = NULL;
	store_args a = {0};
	buf sql;
	int rc;

	buf_init(&sql, 1024);
	rc = buf_puts(&sql, "SELECT k.child_id, k.category FROM child_categories k JOIN children c ON c.id = "
			    "k.child_id WHERE k.county_code = ? AND k.state = 'confirmed' AND NOT (k.conflict = 1 AND "
			    "COALESCE(k.end_reason, '') <> '')");
	args_text(&a, sc->county_code);
	if (rc == WB_OK)
		rc = scope_children_sql(sc, "c", &sql, &a);
	if (rc == WB_OK)
		rc = area_filter_sql(area, "c", &sql, &a);
	if (rc == WB_OK)
		rc = buf_puts(&sql, " ORDER BY k.child_id");
	if (rc == WB_OK)
		rc = conn_query_args(c, &st, sql.data, &a);
	while (rc == STORE_ROW) {
		rc = cb(stmt_int64(c, st, 0), stmt_text(c, st, 1), arg);
		if (rc == WB_OK)
			rc = stmt_step(c, st);
	}
	if (st)
		stmt_reset(c, st);
	buf_cleanup(&sql);
	return rc < 0 ? rc : WB_OK;
}

/* ---- the gaps told to the townships ---- */

int store_ent_gaps_known(store_conn *c, const char *county, ent_gap_known_cb cb, void *arg)
{
	store_stmt *st = NULL;
	int rc = conn_query(
		c, &st,
		"SELECT child_id, policy_id, township_code FROM entitlement_gaps WHERE county_code = ? ORDER "
		"BY child_id, policy_id",
		"s", county);

	while (rc == STORE_ROW) {
		rc = cb(stmt_int64(c, st, 0), stmt_int64(c, st, 1), stmt_text(c, st, 2), arg);
		if (rc == WB_OK)
			rc = stmt_step(c, st);
	}
	stmt_reset(c, st);
	return rc < 0 ? rc : WB_OK;
}

int store_ent_gap_add(store_conn *c, const char *county, int64_t child_id, int64_t policy_id, const char *township,
		      int64_t now)
{
	int rc = conn_query(c, NULL,
			    "INSERT INTO entitlement_gaps (county_code, child_id, policy_id, township_code, found_at) "
			    "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
			    "siisi", county, child_id, policy_id, township, now);

	return rc < 0 ? rc : WB_OK;
}

int store_ent_gap_move(store_conn *c, const char *county, int64_t child_id, int64_t policy_id, const char *township,
		       int64_t now)
{
	int rc = conn_query(c, NULL,
			    "UPDATE entitlement_gaps SET township_code = ?, found_at = ? WHERE county_code = ? AND "
			    "child_id = ? AND policy_id = ?",
			    "sisii", township, now, county, child_id, policy_id);

	return rc < 0 ? rc : WB_OK;
}

int store_ent_gap_drop(store_conn *c, const char *county, int64_t child_id, int64_t policy_id)
{
	int rc = conn_query(c, NULL,
			    "DELETE FROM entitlement_gaps WHERE county_code = ? AND child_id = ? AND policy_id = ?",
			    "sii", county, child_id, policy_id);

	return rc < 0 ? rc : WB_OK;
}

int store_gap_check_add(store_conn *c, gap_check_rec *g)
{
	store_stmt *st = NULL;
	int rc = conn_query(c, &st,
			    "INSERT INTO entitlement_gap_checks (county_code, child_id, policy_id, finding, note, "
			    "created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
			    "siissii", g->county_code, g->child_id, g->policy_id, g->finding, g->note, g->created_at,
			    g->created_by);

	return stmt_result_int64(c, st, rc, WB_ESTORE, &g->id);
}

/* the ids of one query: within the bound parameters a query may take */
#define GAP_CHECK_IDS 40

/* A check is of the gap open now only if no receipt of its child and
 * policy was recorded since: a receipt closes the gap, and one open again
 * afterwards (the receipt ended or was cancelled) is a new gap, not
 * checked yet (the benefit_receipts_child index). Times are in seconds: a
 * receipt recorded in the check's second came after it unless it had
 * ended by then too (no gap is checked while a receipt is open). Nor if
 * the gap was closed otherwise since (the child no longer entitled): a
 * check records its gap among those told (entitlement_gaps) from its time
 * at the latest, the daily matching forgets a gap it finds closed and
 * records one open again anew, from its own time; so the gap the check was
 * of is open still while its row is there from before the check (the
 * table's key). */
#define GAP_CHECK_CURRENT                                                                                     \
	" AND NOT EXISTS (SELECT 1 FROM benefit_receipts r WHERE r.child_id = g.child_id AND r.policy_id = "  \
	"g.policy_id AND r.created_at >= g.created_at AND (r.ended_at IS NULL OR r.ended_at > g.created_at))" \
	" AND EXISTS (SELECT 1 FROM entitlement_gaps t WHERE t.county_code = g.county_code AND t.child_id = " \
	"g.child_id AND t.policy_id = g.policy_id AND t.found_at <= g.created_at)"

static int gap_checks_chunk(store_conn *c, const char *county, const int64_t *ids, size_t n, gap_check_cb cb, void *arg)
{
	store_stmt *st = NULL;
	store_args a = {0};
	gap_check_rec g;
	buf sql;
	int rc;

	buf_init(&sql, 1024 + n * 3);
	rc = buf_puts(&sql,
		      "SELECT g.id, g.child_id, g.policy_id, g.created_at, g.created_by, g.county_code, g.finding, "
		      "g.note, COALESCE(u.display_name, '') FROM entitlement_gap_checks g LEFT JOIN users u ON "
		      "u.id = g.created_by WHERE g.county_code = ? AND g.child_id IN (");
	args_text(&a, county);
	for (size_t i = 0; rc == WB_OK && i < n; i++) {
		rc = buf_puts(&sql, i ? ", ?" : "?");
		args_int(&a, ids[i]);
	}
	if (rc == WB_OK)
		rc = buf_puts(&sql, ")" GAP_CHECK_CURRENT " ORDER BY g.id");
	if (rc == WB_OK)
		rc = conn_query_args(c, &st, sql.data, &a);
	while (rc == STORE_ROW) {
		memset(&g, 0, sizeof(g));
		g.id = stmt_int64(c, st, 0);
		g.child_id = stmt_int64(c, st, 1);
		g.policy_id = stmt_int64(c, st, 2);
		g.created_at = stmt_int64(c, st, 3);
		g.created_by = stmt_int64(c, st, 4);
		stmt_copy(c, st, 5, g.county_code, sizeof(g.county_code));
		stmt_copy(c, st, 6, g.finding, sizeof(g.finding));
		stmt_copy(c, st, 7, g.note, sizeof(g.note));
		stmt_copy(c, st, 8, g.by_name, sizeof(g.by_name));
		rc = cb(&g, arg);
		if (rc == WB_OK)
			rc = stmt_step(c, st);
	}
	if (st)
		stmt_reset(c, st);
	buf_cleanup(&sql);
	return rc < 0 ? rc : WB_OK;
}

int store_gap_checks_of(store_conn *c, const char *county, const int64_t *ids, size_t n, gap_check_cb cb, void *arg)
{
	int rc = WB_OK;

	for (size_t i = 0; rc == WB_OK && i < n; i += GAP_CHECK_IDS)
		rc = gap_checks_chunk(c, county, ids + i, n - i < GAP_CHECK_IDS ? n - i : GAP_CHECK_IDS, cb, arg);
	return rc;
}

int store_gap_findings(store_conn *c, const char *county, gap_finding_cb cb, void *arg)
{
	store_stmt *st = NULL;
	char finding[12];
	int rc = conn_query(c, &st,
			    "SELECT g.child_id, g.policy_id, g.finding FROM entitlement_gap_checks g WHERE "
			    "g.county_code = ?" GAP_CHECK_CURRENT " ORDER BY g.child_id, g.policy_id, g.id",
			    "s", county);

	while (rc == STORE_ROW) {
		stmt_copy(c, st, 2, finding, sizeof(finding));
		rc = cb(stmt_int64(c, st, 0), stmt_int64(c, st, 1), finding, arg);
		if (rc == WB_OK)
			rc = stmt_step(c, st);
	}
	if (st)
		stmt_reset(c, st);
	return rc < 0 ? rc : WB_OK;
}
