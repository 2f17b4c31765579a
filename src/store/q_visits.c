/* Visits and the visit plan; see q_visits.h. */
#include "q_visits.h"

#include <stdlib.h>
#include <string.h>

#include "../util/wb.h"
#include "q_followups.h"

int store_visit_insert(store_conn *c, visit_rec *v, char *old_risk, int *risk_set)
{
	store_stmt *st = NULL;
	int64_t later = 0;
	int rc;

	*risk_set = 0;
	rc = conn_query(c, &st, "SELECT risk_level FROM children WHERE id = ? AND county_code = ?", "is", v->child_id,
			v->county_code);
	if (rc != STORE_ROW)
		return rc < 0 ? rc : WB_ENOTFOUND;
	stmt_copy(c, st, 0, old_risk, 8);
	stmt_reset(c, st);
	rc = conn_query(c, &st,
			"INSERT INTO visits (county_code, child_id, kind, visited_on, findings, flags, risk_level, "
			"created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			"sisssssii", v->county_code, v->child_id, v->kind, v->visited_on, v->findings, v->flags,
			store_null_if_empty(v->risk_level), v->created_at, v->created_by);
	rc = stmt_result_int64(c, st, rc, WB_ESTORE, &v->id);
	if (rc != WB_OK || !v->risk_level[0] || strcmp(v->risk_level, old_risk) == 0)
		return rc;
	/* a visit entered late does not overrule the assessment of one made on
	 * a later day that counts: the plan follows the latest assessment */
	st = NULL;
	rc = conn_query(c, &st,
			"SELECT COUNT(*) FROM visits WHERE child_id = ? AND id <> ? AND voided_at IS NULL AND "
			"risk_level IS NOT NULL AND visited_on > ?",
			"iis", v->child_id, v->id, v->visited_on);
	rc = stmt_result_int64(c, st, rc, WB_ESTORE, &later);
	if (rc != WB_OK || later)
		return rc;
	/* the visitor's assessment is the child's risk level from now on */
	*risk_set = 1;
	rc = conn_query(c, NULL,
			"UPDATE children SET risk_level = ?, version = version + 1, updated_at = ?, updated_by = ? "
			"WHERE id = ?",
			"siii", v->risk_level, v->created_at, v->created_by, v->child_id);
	if (rc < 0)
		return rc;
	return store_child_change_add_visit(c, v->county_code, v->child_id, v->created_at, v->created_by, "risk_level",
					    old_risk, v->risk_level, v->id);
}

int store_child_visits(store_conn *c, const store_scope *sc, int64_t child_id, int64_t before_id, int limit,
		       visit_cb cb, void *arg)
{
	store_stmt *st = NULL;
	store_args a = {0};
	visit_rec *v = NULL;
	buf sql;
	int rc;

	buf_init(&sql, 1024);
	/* the child's scope in the same statement: outside it, no visit */
	rc = buf_puts(&sql,
		      "SELECT v.id, v.child_id, v.created_at, v.created_by, v.county_code, v.kind, v.visited_on, "
		      "v.flags, COALESCE(v.risk_level, ''), COALESCE(u.display_name, ''), v.findings, "
		      "COALESCE(v.voided_at, 0), COALESCE(w.display_name, ''), COALESCE(v.void_reason, '') FROM "
		      "visits v JOIN children c ON c.id = v.child_id LEFT JOIN users u ON u.id = v.created_by LEFT "
		      "JOIN users w ON w.id = v.voided_by WHERE v.child_id = ?");
	args_int(&a, child_id);
	if (rc == WB_OK)
		rc = scope_children_sql(sc, "c", &sql, &a);
	/* keyset paging on (visited_on, id), from the cursor's visit */
	if (rc == WB_OK && before_id) {
		rc = buf_puts(&sql,
			      " AND EXISTS (SELECT 1 FROM visits b WHERE b.id = ? AND b.child_id = v.child_id AND "
			      "(v.visited_on < b.visited_on OR (v.visited_on = b.visited_on AND v.id < b.id)))");
		args_int(&a, before_id);
	}
	if (rc == WB_OK)
		rc = buf_puts(&sql, " ORDER BY v.visited_on DESC, v.id DESC LIMIT ?");
	args_int(&a, limit);
	if (rc == WB_OK)
		rc = conn_query_args(c, &st, sql.data, &a);
	if (rc == STORE_ROW && !(v = malloc(sizeof(*v))))
		rc = WB_ENOMEM;
	while (rc == STORE_ROW) {
		v->id = stmt_int64(c, st, 0);
		v->child_id = stmt_int64(c, st, 1);
		v->created_at = stmt_int64(c, st, 2);
		v->created_by = stmt_int64(c, st, 3);
		stmt_copy(c, st, 4, v->county_code, sizeof(v->county_code));
		stmt_copy(c, st, 5, v->kind, sizeof(v->kind));
		stmt_copy(c, st, 6, v->visited_on, sizeof(v->visited_on));
		stmt_copy(c, st, 7, v->flags, sizeof(v->flags));
		stmt_copy(c, st, 8, v->risk_level, sizeof(v->risk_level));
		stmt_copy(c, st, 9, v->visitor, sizeof(v->visitor));
		stmt_copy(c, st, 10, v->findings, sizeof(v->findings));
		v->voided_at = stmt_int64(c, st, 11);
		stmt_copy(c, st, 12, v->voider, sizeof(v->voider));
		stmt_copy(c, st, 13, v->void_reason, sizeof(v->void_reason));
		rc = cb(v, arg);
		if (rc == WB_OK)
			rc = stmt_step(c, st);
	}
	if (st)
		stmt_reset(c, st);
	free(v);
	buf_cleanup(&sql);
	return rc < 0 ? rc : WB_OK;
}

typedef struct visit_left {
	int64_t id, recorded;
	char day[11];
} visit_left;

/*
 * The follow-ups the voided visit (id) did are open again (*open of
 * them): every other visit of the child that counts completes those in
 * its window, as if the voided one had never been recorded. They are
 * offered in the order they were recorded, so each goes to the first
 * visit that would have done it, whichever day it was made. A visit
 * recorded after the voided one came after the follow-ups it did (a visit
 * only does those asked for before it): its second is enough. An earlier
 * visit must be recorded in a later second than the follow-up: one of the
 * same second is not known to come after it. *open gets how many stay open.
 */
static int recomplete(store_conn *c, int64_t child_id, int64_t id, int64_t *open)
{
	visit_left *left = NULL;
	size_t n = 0, cap = 0;
	store_stmt *st = NULL;
	int rc;

	/* only a visit made after the earliest of their days can be in a
	 * window: the child's other visits are read whole first (the
	 * completing writes to the same connection) */
	rc = conn_query(c, &st,
			"SELECT id, visited_on, created_at FROM visits WHERE child_id = ? AND voided_at IS NULL AND "
			"visited_on > (SELECT MIN(created_on) FROM follow_ups WHERE child_id = ? AND visit_id IS NULL "
			"AND cancelled_at IS NULL) ORDER BY id",
			"ii", child_id, child_id);
	while (rc == STORE_ROW) {
		if ((rc = wb_grow(&left, n, &cap, sizeof(*left), 16, SIZE_MAX)) != WB_OK)
			break;
		left[n].id = stmt_int64(c, st, 0);
		stmt_copy(c, st, 1, left[n].day, sizeof(left[n].day));
		left[n].recorded = stmt_int64(c, st, 2);
		n++;
		rc = stmt_step(c, st);
	}
	stmt_reset(c, st);
	rc = rc < 0 ? rc : WB_OK;
	for (size_t i = 0; rc == WB_OK && i<n && * open> 0; i++) {
		int again = 0;

		rc = store_follow_ups_complete(c, child_id, left[i].id, left[i].day,
					       left[i].id > id ? left[i].recorded : left[i].recorded - 1, &again);
		*open -= again;
	}
	free(left);
	if (*open < 0)
		*open = 0;
	return rc;
}

/*
 * The risk level a voided visit set, undone. The child's changes of risk
 * level are read newest first, passing over those of voided visits (this
 * one included) and those earlier voids wrote back: the first other change
 * (an edit, a visit that stands) holds the level that stands, and with none
 * left the level from before the first change does. It comes back, as a
 * change of the child's by whoever voids, when this visit's own change is
 * among those passed over (a level changed again since stays) and the
 * child's level now is the one its newest change set (a level set some
 * other way stays too). So voiding two visits that each assessed the child
 * brings back the level from before both, in either order. Sets restored
 * to the level restored, or "".
 */
static int restore_risk(store_conn *c, int64_t child_id, const char *county, int64_t visit_id, int64_t at, int64_t by,
			char *restored)
{
	store_stmt *st = NULL;
	char now[8] = "", stands[8] = "", newest[8] = "", latest[8] = "";
	int64_t since = 0, latest_at = 0;
	int mine = 0, first = 1, edited = 0;
	int rc = conn_query(c, &st, "SELECT risk_level FROM children WHERE id = ?", "i", child_id);

	if (rc != STORE_ROW)
		return rc < 0 ? rc : WB_OK;
	stmt_copy(c, st, 0, now, sizeof(now));
	stmt_reset(c, st);
	st = NULL;
	/* 2: this visit's change; 1: another voided visit's, or its void's */
	rc = conn_query(c, &st,
			"SELECT COALESCE(h.old_value, ''), COALESCE(h.new_value, ''), CASE WHEN h.visit_id = ? THEN 2 "
			"WHEN EXISTS (SELECT 1 FROM visits v WHERE v.id = h.visit_id AND v.voided_at IS NOT NULL) "
			"THEN 1 ELSE 0 END, h.at FROM child_changes h WHERE h.child_id = ? AND h.field = 'risk_level' "
			"ORDER BY h.id DESC LIMIT 500",
			"ii", visit_id, child_id);
	while (rc == STORE_ROW) {
		int64_t kind = stmt_int64(c, st, 2);

		if (first)
			stmt_copy(c, st, 1, newest, sizeof(newest));
		first = 0;
		since = stmt_int64(c, st, 3);
		if (kind == 0) {
			stmt_copy(c, st, 1, stands, sizeof(stands));
			edited = 1;
			break;
		}
		mine |= kind == 2;
		stmt_copy(c, st, 0, stands, sizeof(stands));
		rc = stmt_step(c, st);
	}
	stmt_reset(c, st);
	if (rc < 0)
		return rc;
	/* a level the history does not end on was set some other way: kept */
	if (!mine || !stands[0] || strcmp(newest, now) != 0)
		return WB_OK;
	/* the level that stands without the voided visits, unless the latest
	 * visit that counts and assessed the child was recorded since: then its
	 * assessment, which the voided visit held back (a visit entered late
	 * does not overrule a newer one, store_visit_insert) or which agreed
	 * with it. A second is all the times tell: one recorded in the second
	 * of a change that is kept (an edit, a visit's) came before it. */
	st = NULL;
	rc = conn_query(c, &st,
			"SELECT risk_level, created_at FROM visits WHERE child_id = ? AND voided_at IS NULL AND "
			"risk_level IS NOT NULL ORDER BY visited_on DESC, id DESC LIMIT 1",
			"i", child_id);
	if (rc == STORE_ROW) {
		stmt_copy(c, st, 0, latest, sizeof(latest));
		latest_at = stmt_int64(c, st, 1);
		stmt_reset(c, st);
	} else if (rc < 0) {
		return rc;
	}
	if (latest[0] && (latest_at > since || (latest_at == since && !edited)))
		wb_strlcpy(stands, latest, sizeof(stands));
	if (strcmp(stands, now) == 0)
		return WB_OK;
	rc = conn_query(c, NULL,
			"UPDATE children SET risk_level = ?, version = version + 1, updated_at = ?, updated_by = ? "
			"WHERE id = ?",
			"siii", stands, at, by, child_id);
	if (rc >= 0)
		rc = store_child_change_add_visit(c, county, child_id, at, by, "risk_level", now, stands, visit_id);
	if (rc == WB_OK)
		wb_strlcpy(restored, stands, 8);
	return rc < 0 ? rc : WB_OK;
}

int store_visit_void(store_conn *c, int64_t child_id, int64_t id, int64_t at, int64_t by, int own_only,
		     const char *reason, int *reopened, char *risk_restored)
{
	store_stmt *st = NULL;
	int64_t voided = 0, done = 0, visit_by;
	char risk[8], county[16];
	int rc = conn_query(c, &st,
			    "SELECT COALESCE(voided_at, 0), created_by, COALESCE(risk_level, ''), "
			    "county_code FROM visits WHERE id = ? AND child_id = ?",
			    "ii", id, child_id);

	risk_restored[0] = '\0';
	if (rc != STORE_ROW)
		return rc < 0 ? rc : WB_ENOTFOUND;
	voided = stmt_int64(c, st, 0);
	visit_by = stmt_int64(c, st, 1);
	stmt_copy(c, st, 2, risk, sizeof(risk));
	stmt_copy(c, st, 3, county, sizeof(county));
	stmt_reset(c, st);
	if (own_only && visit_by != by)
		return WB_EFORBIDDEN;
	if (voided)
		return WB_ECONFLICT;
	done = 0;
	st = NULL;
	rc = conn_query(c, &st,
			"UPDATE visits SET voided_at = ?, voided_by = ?, void_reason = ? WHERE id = ? AND voided_at IS "
			"NULL RETURNING id",
			"iisi", at, by, reason, id);
	rc = stmt_result_int64(c, st, rc, WB_ECONFLICT, &voided);
	if (rc)
		return rc;
	/* the follow-ups it completed are due again */
	st = NULL;
	rc = conn_query(c, &st, "SELECT COUNT(*) FROM follow_ups WHERE visit_id = ?", "i", id);
	rc = stmt_result_int64(c, st, rc, WB_ESTORE, &done);
	if (rc == WB_OK && done)
		rc = conn_query(c, NULL, "UPDATE follow_ups SET visit_id = NULL, done_on = NULL WHERE visit_id = ?",
				"i", id);
	if (rc >= 0 && done)
		rc = recomplete(c, child_id, id, &done);
	if (reopened)
		*reopened = (int)done;
	if (rc >= 0 && risk[0])
		rc = restore_risk(c, child_id, county, id, at, by, risk_restored);
	return rc < 0 ? rc : WB_OK;
}

int store_child_last_visit(store_conn *c, int64_t child_id, char *out)
{
	store_stmt *st = NULL;
	int rc = conn_query(c, &st, "SELECT MAX(visited_on) FROM visits WHERE child_id = ? AND voided_at IS NULL", "i",
			    child_id);

	out[0] = '\0';
	if (rc == STORE_ROW) {
		stmt_copy(c, st, 0, out, 11);
		stmt_reset(c, st);
		rc = WB_OK;
	}
	return rc < 0 ? rc : WB_OK;
}

/* One column per category: 1 if the child has it confirmed. The order is
 * enum category's. */
#define CAT_COL(name)                                                                                          \
	", CASE WHEN EXISTS (SELECT 1 FROM child_categories k WHERE k.child_id = c.id AND k.category = '" name \
	"' AND k.state = 'confirmed') THEN 1 ELSE 0 END"

int store_visit_plan(store_conn *c, const store_scope *sc, const char *born_after, const char *area, visit_plan_cb cb,
		     void *arg)
{
	store_stmt *st = NULL;
	store_args a = {0};
	visit_plan_row row;
	buf sql;
	int rc;

	buf_init(&sql, 4096);
	rc = buf_puts(&sql,
		      "SELECT c.id, COALESCE(c.director_id, 0), c.name, c.village_code, COALESCE(c.grid_code, ''), "
		      "c.risk_level, COALESCE(c.birth_date, ''), "
		      "COALESCE((SELECT MAX(v.visited_on) FROM visits v WHERE v.child_id = c.id AND v.voided_at IS "
		      "NULL), '')" CAT_COL("orphan") CAT_COL("de_facto_unsupported") CAT_COL("left_behind")
			      CAT_COL("in_difficulty") ", COALESCE((SELECT u.display_name FROM users u WHERE u.id = "
						       "c.director_id), '') FROM children c WHERE c.id");
	if (rc == WB_OK)
		rc = buf_printf(&sql,
				"%sSELECT k.child_id FROM child_categories k WHERE k.county_code = ? AND k.state = "
				"'confirmed' UNION SELECT r.id FROM children r WHERE r.county_code = ? AND "
				"r.risk_level <> 'low'%s AND (c.birth_date IS NULL OR c.birth_date > ?)",
				c->drv->id_set_open, c->drv->id_set_close);
	args_text(&a, sc->county_code);
	args_text(&a, sc->county_code);
	args_text(&a, born_after);
	if (rc == WB_OK)
		rc = scope_children_sql(sc, "c", &sql, &a);
	if (rc == WB_OK)
		rc = area_filter_sql(area, "c", &sql, &a);
	if (rc == WB_OK)
		rc = buf_puts(&sql, " ORDER BY c.id");
	if (rc == WB_OK)
		rc = conn_query_args(c, &st, sql.data, &a);
	while (rc == STORE_ROW) {
		memset(&row, 0, sizeof(row));
		row.child_id = stmt_int64(c, st, 0);
		row.director_id = stmt_int64(c, st, 1);
		stmt_copy(c, st, 2, row.name, sizeof(row.name));
		stmt_copy(c, st, 3, row.village_code, sizeof(row.village_code));
		stmt_copy(c, st, 4, row.grid_code, sizeof(row.grid_code));
		stmt_copy(c, st, 5, row.risk_level, sizeof(row.risk_level));
		stmt_copy(c, st, 6, row.birth_date, sizeof(row.birth_date));
		stmt_copy(c, st, 7, row.last_visit, sizeof(row.last_visit));
		for (int i = 0; i < 4; i++)
			if (stmt_int64(c, st, 8 + i))
				row.cats |= 1u << i;
		stmt_copy(c, st, 12, row.director_name, sizeof(row.director_name));
		rc = cb(&row, arg);
		if (rc == WB_OK)
			rc = stmt_step(c, st);
	}
	if (st)
		stmt_reset(c, st);
	buf_cleanup(&sql);
	return rc < 0 ? rc : WB_OK;
}

/* The caller's villages for a column of village codes: the county, and the
 * area range of a township or village scope (the only scopes that have a
 * scorecard). */
static int village_scope_sql(const store_scope *sc, const char *col, buf *sql, store_args *a)
{
	args_text(a, sc->county_code);
	if (sc->children != SCOPE_AREA)
		return sc->children == SCOPE_COUNTY ? WB_OK : buf_puts(sql, " AND 1 = 0");
	args_text(a, sc->lo);
	args_text(a, sc->hi);
	return buf_printf(sql, " AND %s >= ? AND %s < ?", col, col);
}

/* The village a visit v of child ch counts in: the one the child lived in
 * when it was recorded — the old village of the child's first move since
 * (from the same second on: a second is all the times tell), or today's. */
#define VISIT_VILLAGE_SQL(v, ch)                                                                              \
	"COALESCE((SELECT h.old_value FROM child_changes h WHERE h.child_id = " v ".child_id AND h.field = "  \
	"'village_code' AND h.at >= " v ".created_at AND h.old_value IS NOT NULL ORDER BY h.id LIMIT 1), " ch \
	".village_code)"

/* The area code prefix range of area (township or village) on col. */
static int area_prefix_sql(const char *area, const char *col, buf *sql, store_args *a)
{
	if (!area || !area[0] || strlen(area) == 15 || strlen(area) == 6)
		return WB_OK;
	args_text(a, area);
	args_text(a, area);
	return buf_printf(sql, " AND %s >= ? AND %s < ? || ':'", col, col);
}

int store_village_visits(store_conn *c, const store_scope *sc, const char *from, const char *to, const char *area,
			 store_group_cb cb, void *arg)
{
	store_args a = {0};
	buf sql;
	int rc;

	buf_init(&sql, 1024);
	/* a visit counts in the village the child lived in when it was
	 * recorded (the village's own director made it): the old village of
	 * the child's first move since (from the same second on: a second is
	 * all the times tell), or today's village; the visits
	 * made stay counted when their child is archived since (the place, not
	 * the active children) */
	rc = buf_puts(&sql, "SELECT x.village_code, COUNT(*), COUNT(DISTINCT x.child_id) FROM (SELECT "
			    "v.county_code, v.child_id, ");
	if (rc == WB_OK)
		rc = buf_puts(&sql, VISIT_VILLAGE_SQL("v", "c"));
	if (rc == WB_OK)
		rc = buf_puts(&sql, " AS village_code FROM visits v JOIN children c ON c.id = v.child_id WHERE "
				    "v.county_code = ? AND v.visited_on >= ? AND v.visited_on <= ? AND v.voided_at IS "
				    "NULL) x WHERE 1 = 1");
	args_text(&a, sc->county_code);
	args_text(&a, from);
	args_text(&a, to);
	if (rc == WB_OK)
		rc = scope_place_sql(sc, "x", &sql, &a);
	if (rc == WB_OK)
		rc = area_filter_sql(area, "x", &sql, &a);
	if (rc == WB_OK)
		rc = buf_puts(&sql, " GROUP BY x.village_code");
	if (rc == WB_OK)
		rc = store_group_rows(c, sql.data, &a, 0, 2, cb, arg);
	buf_cleanup(&sql);
	return rc;
}

int store_village_requests(store_conn *c, const store_scope *sc, int64_t t_from, int64_t t_to, const char *area,
			   store_group_cb cb, void *arg)
{
	store_args a = {0};
	buf sql;
	int rc;

	buf_init(&sql, 1024);
	/* filed: the village's own reports (报), by its child directors and
	 * grid workers, not a school's or the centre's about a child there,
	 * and no mandatory report (强制报告), whose reporter stays unknown to
	 * those who read the scorecard;
	 * the feedback delivered after its step's deadline: the village's own
	 * step of the loop, the timeliness of its requests */
	rc = buf_puts(&sql, "SELECT q.village_code, SUM(CASE WHEN q.created_at >= ? AND q.created_at < ? AND "
			    "q.reporter_role IN ('director', 'grid') AND q.mandatory = 0 THEN 1 ELSE 0 END), "
			    "SUM(CASE WHEN EXISTS (SELECT 1 FROM request_steps s WHERE s.request_id = q.id AND "
			    "s.action = 'deliver_feedback' AND s.at >= ? AND s.at < ?) THEN 1 ELSE 0 END), "
			    "SUM(CASE WHEN EXISTS (SELECT 1 FROM "
			    "request_steps s WHERE s.request_id = q.id AND s.action = 'deliver_feedback' AND s.at >= ? "
			    "AND s.at < ? AND s.stage_due_at IS NOT NULL AND s.at > s.stage_due_at) THEN 1 ELSE 0 END) "
			    "FROM help_requests q WHERE q.county_code = ?");
	/* delivered: by the steps of the period, which a reopen keeps */
	for (int i = 0; i < 3; i++) {
		args_int(&a, t_from);
		args_int(&a, t_to);
	}
	if (rc == WB_OK)
		rc = village_scope_sql(sc, "q.village_code", &sql, &a);
	if (rc == WB_OK)
		rc = area_prefix_sql(area, "q.village_code", &sql, &a);
	if (rc == WB_OK)
		rc = buf_puts(&sql, " AND (q.created_at >= ? OR EXISTS (SELECT 1 FROM request_steps s WHERE "
				    "s.request_id = q.id AND s.action = 'deliver_feedback' AND s.at >= ?)) GROUP BY "
				    "q.village_code");
	args_int(&a, t_from);
	args_int(&a, t_from);
	if (rc == WB_OK)
		rc = store_group_rows(c, sql.data, &a, 0, 3, cb, arg);
	buf_cleanup(&sql);
	return rc;
}

int store_village_directors(store_conn *c, const store_scope *sc, const char *area, const char *from, const char *to,
			    int64_t t_from, int64_t t_to, const char *period, village_director_cb cb, void *arg)
{
	director_work work;
	store_stmt *st = NULL;
	store_args a = {0};
	director_review *rv = period ? calloc(1, sizeof(*rv)) : NULL;
	buf sql;
	int rc;

	if (period && !rv)
		return WB_ENOMEM;
	buf_init(&sql, 2048);
	/* a director's own work in the village of the membership: the visits
	 * that count there (as the village's row counts them) and the reports
	 * filed there as its director, so that one who is the director of two
	 * villages shows each village's work in its row, not all of it twice */
	rc = buf_puts(&sql,
		      "SELECT m.area_code, u.id, u.display_name, COALESCE(r.rating, ''), COALESCE(r.comment, ''), "
		      "COALESCE(r.reviewer_id, 0), COALESCE(v.display_name, ''), COALESCE(r.created_at, 0), "
		      "COALESCE(r.updated_at, 0), (SELECT COUNT(*) FROM visits w JOIN children wc ON wc.id = "
		      "w.child_id WHERE w.created_by = u.id AND w.county_code = m.county_code AND w.visited_on >= ? "
		      "AND w.visited_on <= ? AND w.voided_at IS NULL AND ");
	if (rc == WB_OK)
		rc = buf_puts(&sql, VISIT_VILLAGE_SQL("w", "wc"));
	if (rc == WB_OK)
		rc = buf_puts(&sql,
			      " = m.area_code), (SELECT COUNT(*) FROM help_requests q WHERE q.reporter_id = "
			      "u.id AND q.county_code = m.county_code AND q.village_code = m.area_code AND "
			      "q.reporter_role = 'director' AND q.mandatory = 0 AND q.created_at >= ? AND "
			      "q.created_at < ?) FROM memberships m JOIN users u ON u.id = m.user_id LEFT JOIN "
			      "director_reviews r ON r.county_code = m.county_code AND r.director_id = u.id AND "
			      "r.period = ? LEFT JOIN users v ON v.id = r.reviewer_id WHERE m.role = 'director' AND "
			      "u.locked = 0 AND m.county_code = ?");
	args_text(&a, from);
	args_text(&a, to);
	args_int(&a, t_from);
	args_int(&a, t_to);
	args_text(&a, period ? period : "");
	if (rc == WB_OK)
		rc = village_scope_sql(sc, "m.area_code", &sql, &a);
	if (rc == WB_OK)
		rc = area_prefix_sql(area, "m.area_code", &sql, &a);
	if (rc == WB_OK)
		rc = buf_puts(&sql, " ORDER BY m.area_code, u.id");
	if (rc == WB_OK)
		rc = conn_query_args(c, &st, sql.data, &a);
	while (rc == STORE_ROW) {
		if (rv) {
			memset(rv, 0, sizeof(*rv));
			wb_strlcpy(rv->county_code, sc->county_code, sizeof(rv->county_code));
			stmt_copy(c, st, 0, rv->village_code, sizeof(rv->village_code));
			rv->director_id = stmt_int64(c, st, 1);
			wb_strlcpy(rv->period, period, sizeof(rv->period));
			stmt_copy(c, st, 3, rv->rating, sizeof(rv->rating));
			stmt_copy(c, st, 4, rv->comment, sizeof(rv->comment));
			rv->reviewer_id = stmt_int64(c, st, 5);
			stmt_copy(c, st, 6, rv->reviewer_name, sizeof(rv->reviewer_name));
			rv->created_at = stmt_int64(c, st, 7);
			rv->updated_at = stmt_int64(c, st, 8);
		}
		work.visits = stmt_int64(c, st, 9);
		work.filed = stmt_int64(c, st, 10);
		rc = cb(stmt_text(c, st, 0), stmt_int64(c, st, 1), stmt_text(c, st, 2), &work, rv, arg);
		if (rc == WB_OK)
			rc = stmt_step(c, st);
	}
	if (st)
		stmt_reset(c, st);
	buf_cleanup(&sql);
	free(rv);
	return rc < 0 ? rc : WB_OK;
}

int store_director_village(store_conn *c, const char *county, int64_t user_id, const char *lo, const char *hi,
			   char *village, size_t n)
{
	store_stmt *st = NULL;
	int rc =
		conn_query(c, &st,
			   "SELECT m.area_code FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.user_id = ? "
			   "AND m.role = 'director' AND m.county_code = ? AND m.area_code >= ? AND m.area_code < ? "
			   "ORDER BY m.area_code LIMIT 1",
			   "isss", user_id, county, lo, hi);

	if (rc == STORE_ROW) {
		stmt_copy(c, st, 0, village, n);
		stmt_reset(c, st);
		return WB_OK;
	}
	return rc == STORE_DONE ? WB_ENOTFOUND : rc;
}

int store_director_review_put(store_conn *c, director_review *r)
{
	store_stmt *st = NULL;
	int rc = conn_query(
		c, &st,
		"INSERT INTO director_reviews (county_code, village_code, director_id, period, rating, comment, "
		"reviewer_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT "
		"(county_code, director_id, period) DO UPDATE SET village_code = excluded.village_code, "
		"rating = excluded.rating, comment = excluded.comment, reviewer_id = excluded.reviewer_id, "
		"updated_at = excluded.updated_at RETURNING created_at",
		"ssisssiii", r->county_code, r->village_code, r->director_id, r->period, r->rating, r->comment,
		r->reviewer_id, r->created_at, r->updated_at);

	/* a change keeps when the review was first written */
	return stmt_result_int64(c, st, rc, WB_ESTORE, &r->created_at);
}

int store_scope_villages(store_conn *c, const store_scope *sc, const char *area, village_cb cb, void *arg)
{
	store_stmt *st = NULL;
	store_args a = {0};
	buf sql;
	int rc;

	buf_init(&sql, 512);
	rc = buf_puts(&sql, "SELECT s.code, s.name FROM areas s WHERE s.level = 'village' AND s.county_code = ?");
	if (rc == WB_OK)
		rc = village_scope_sql(sc, "s.code", &sql, &a);
	if (rc == WB_OK)
		rc = area_prefix_sql(area, "s.code", &sql, &a);
	if (rc == WB_OK)
		rc = buf_puts(&sql, " ORDER BY s.code");
	if (rc == WB_OK)
		rc = conn_query_args(c, &st, sql.data, &a);
	while (rc == STORE_ROW) {
		rc = cb(stmt_text(c, st, 0), stmt_text(c, st, 1), arg);
		if (rc == WB_OK)
			rc = stmt_step(c, st);
	}
	if (st)
		stmt_reset(c, st);
	buf_cleanup(&sql);
	return rc < 0 ? rc : WB_OK;
}
