/* The monthly report's figures by township; see q_report.h. */
#include "q_report.h"

#include "../util/buf.h"
#include "../util/wb.h"
#include "model.h"
#include "q_projects.h"

/* Runs head (grouped by the township expression group) for the county,
 * within the township when the period has one, and hands the rows on. */
static int grouped(store_conn *c, const report_period *r, const char *head, store_args *a, const char *group, int nums,
		   store_group_cb cb, void *arg)
{
	buf sql;
	int rc;

	buf_init(&sql, 1024);
	rc = buf_puts(&sql, head);
	if (rc == WB_OK && r->township) {
		rc = buf_printf(&sql, " AND %s = ?", group);
		args_text(a, r->township);
	}
	if (rc == WB_OK)
		rc = buf_printf(&sql, " GROUP BY %s", group);
	if (rc == WB_OK)
		rc = store_group_rows(c, sql.data, a, 0, nums, cb, arg);
	buf_cleanup(&sql);
	return rc;
}

/* A group callback that hands on its figures times sign: a correction
 * takes from one township what the plain count gave it. */
typedef struct signed_cb_ctx {
	store_group_cb cb;
	void *arg;
	int sign;
} signed_cb_ctx;

static int signed_cb(const char *group, const char *key, const int64_t n[3], void *arg)
{
	signed_cb_ctx *x = arg;
	int64_t m[3];

	for (int i = 0; i < 3; i++)
		m[i] = x->sign * n[i];
	return x->cb(group, key, m, x->arg);
}

/* Runs sql (NULL data: it could not be built) with a, grouped by its first
 * column, handing on the figures times sign. */
static int signed_rows(store_conn *c, const buf *sql, const store_args *a, int nums, int sign, store_group_cb cb,
		       void *arg)
{
	signed_cb_ctx x = {cb, arg, sign};

	if (!sql->data)
		return WB_ENOMEM;
	return store_group_rows(c, sql->data, a, 0, nums, sign == 1 ? cb : signed_cb, sign == 1 ? arg : (void *)&x);
}

/*
 * A child's figures count in the township it lived in at the end of their
 * month, so that a past month's figures stay as they were when a child
 * moves: the old village of its first move (a change of village_code in
 * its history) at or after that time, or today's village. They are
 * counted by today's village, then corrected for the few children moved
 * since: their rows added to their township then and taken from today's.
 * The moves since a time are read from their own index (migration 0043).
 */

/* of each child moved at or after ? (bound after the county): its first
 * move's old village (an erased child's history has none: it counts where
 * it is) */
#define FIRST_MOVES                                                                                         \
	"(SELECT h.child_id, h.old_value FROM child_changes h JOIN (SELECT m.child_id, MIN(m.id) AS first " \
	"FROM child_changes m WHERE m.county_code = ? AND m.field = 'village_code' AND m.at >= ? GROUP BY " \
	"m.child_id) f ON h.id = f.first WHERE h.old_value IS NOT NULL)"
/* the children moved at or after ? (bound after the county) */
#define MOVED_SINCE                                                                                              \
	"(SELECT DISTINCT m.child_id FROM child_changes m WHERE m.county_code = ? AND m.field = 'village_code' " \
	"AND m.at >= ?)"
#define TOWN_TODAY "substr(c.village_code, 1, 9)"

/* Appends text and more (if not NULL) to sql; on failure drops it
 * (signed_rows refuses it then). */
static void sql_add(buf *sql, const char *text, const char *more)
{
	if (sql->data && (buf_puts(sql, text) != WB_OK || (more && buf_puts(sql, more) != WB_OK)))
		buf_cleanup(sql);
}

/* "SELECT <township>, figs FROM from WHERE where" grouped by the township
 * of each child (c) at the month's end, within the township when the
 * period has one. ra binds figs (its first nfig arguments), then where. */
static int by_child(store_conn *c, const report_period *r, const char *figs, const char *from, const char *where,
		    const store_args *ra, int nfig, int nums, store_group_cb cb, void *arg)
{
	/* today's township; the moved children's then (+) and today (-) */
	static const char *const town[3] = {TOWN_TODAY, "substr(mv.old_value, 1, 9)", TOWN_TODAY};
	int rc = WB_OK;

	for (int pass = 0; pass < 3 && rc == WB_OK; pass++) {
		store_args a = {0};
		buf sql;

		buf_init(&sql, 4096);
		rc = buf_printf(&sql, "SELECT %s, %s FROM %s", town[pass], figs, from);
		if (rc != WB_OK) {
			buf_cleanup(&sql); /* what it took before it failed */
			break;
		}
		args_append_part(&a, ra, 0, nfig);
		if (pass > 0) {
			sql_add(&sql, " JOIN " FIRST_MOVES " mv ON mv.child_id = c.id", NULL);
			args_text(&a, r->county);
			args_int(&a, r->t_to);
		}
		sql_add(&sql, " WHERE ", where);
		args_append_part(&a, ra, nfig, ra->n);
		if (r->township) {
			sql_add(&sql, " AND ", town[pass]);
			sql_add(&sql, " = ?", NULL);
			args_text(&a, r->township);
		}
		sql_add(&sql, " GROUP BY 1", NULL);
		rc = signed_rows(c, &sql, &a, nums, pass == 2 ? -1 : 1, cb, arg);
		buf_cleanup(&sql);
	}
	return rc;
}

/* the township of school u, "" for a school of the county or of no area */
#define TOWN_OF_SCHOOL "CASE WHEN length(u.area_code) >= 9 THEN substr(u.area_code, 1, 9) ELSE '' END"
/* request q has a step of action at a time in [?, ?) */
#define REQUEST_STEP_IN(action)                                                                            \
	"EXISTS (SELECT 1 FROM request_steps s WHERE s.request_id = q.id AND s.action = '" action "' AND " \
	"s.at >= ? AND s.at < ?)"
/* the day a money line counts on: a reversal, its reversed line's (o) */
#define FUND_DAY "COALESCE(o.on_date, f.on_date)"

/* in work at the month's end (?) by today's record: not archived by then */
#define IN_WORK_TODAY "(c.archived_at IS NULL OR c.archived_at >= ?)"
/* the same by the child's history: its last archive or restore before the
 * month's end (?) a restore, or none */
#define IN_WORK_THEN                                                                                               \
	"(COALESCE((SELECT CASE WHEN h.new_value IS NULL THEN 1 ELSE 0 END FROM child_changes h WHERE h.child_id " \
	"= c.id AND h.field = 'archived' AND h.at < ? ORDER BY h.id DESC LIMIT 1), 1) = 1)"
#define UNDER_18 "(c.birth_date IS NULL OR c.birth_date > ?)"

int store_report_children(store_conn *c, const report_period *r, store_group_cb cb, void *arg)
{
	store_args a = {0}, x = {0};
	buf sql;
	int rc;

	args_int(&a, r->t_to);
	args_text(&a, r->born_after);
	args_int(&a, r->t_from);
	args_text(&a, r->county);
	args_int(&a, r->t_to);
	rc = by_child(c, r,
		      "SUM(CASE WHEN " IN_WORK_TODAY " AND " UNDER_18 " THEN 1 ELSE 0 END), SUM(CASE WHEN c.created_at "
		      ">= ? THEN 1 ELSE 0 END)",
		      "children c", "c.county_code = ? AND c.created_at < ?", &a, 3, 2, cb, arg);
	if (rc != WB_OK)
		return rc;
	/* corrected for the few children archived or restored since the
	 * month's end (a restored child was not in work while archived): their
	 * count by their history less the one by today's record, in their
	 * township then */
	buf_init(&sql, 4096);
	rc = buf_puts(&sql,
		      "SELECT substr(COALESCE(mv.old_value, c.village_code), 1, 9), SUM(CASE WHEN " IN_WORK_THEN
		      " AND " UNDER_18 " THEN 1 ELSE 0 END) - SUM(CASE WHEN " IN_WORK_TODAY " AND " UNDER_18
		      " THEN 1 ELSE 0 END) FROM children c JOIN (SELECT DISTINCT x.child_id FROM child_changes x WHERE "
		      "x.county_code = ? AND x.field = 'archived' AND x.at >= ?) ax ON ax.child_id = c.id LEFT "
		      "JOIN " FIRST_MOVES " mv ON mv.child_id = c.id WHERE c.county_code = ? AND c.created_at < ?");
	args_int(&x, r->t_to);
	args_text(&x, r->born_after);
	args_int(&x, r->t_to);
	args_text(&x, r->born_after);
	args_text(&x, r->county);
	args_int(&x, r->t_to);
	args_text(&x, r->county);
	args_int(&x, r->t_to);
	args_text(&x, r->county);
	args_int(&x, r->t_to);
	if (rc == WB_OK && r->township) {
		rc = buf_puts(&sql, " AND substr(COALESCE(mv.old_value, c.village_code), 1, 9) = ?");
		args_text(&x, r->township);
	}
	if (rc == WB_OK)
		rc = buf_puts(&sql, " GROUP BY 1");
	if (rc == WB_OK)
		rc = store_group_rows(c, sql.data, &x, 0, 1, cb, arg);
	buf_cleanup(&sql);
	return rc;
}

int store_report_categories(store_conn *c, const report_period *r, store_group_cb cb, void *arg)
{
	store_args a = {0};

	args_int(&a, r->t_from);
	args_int(&a, r->t_to);
	args_text(&a, r->day_from);
	args_text(&a, r->day_to);
	args_text(&a, r->county);
	args_int(&a, r->t_from);
	args_text(&a, r->day_from);
	/* confirmed: the rows a person confirmed (ended since or not); a
	 * rejected suggestion keeps its decision's time in confirmed_at too */
	return by_child(
		c, r,
		"SUM(CASE WHEN k.state IN ('confirmed', 'ended') AND k.confirmed_at >= ? AND k.confirmed_at < ? "
		"THEN 1 ELSE 0 END), SUM(CASE WHEN k.state = 'ended' AND k.end_date >= ? AND k.end_date <= ? "
		"THEN 1 ELSE 0 END)",
		"child_categories k JOIN children c ON c.id = k.child_id",
		"k.county_code = ? AND (k.confirmed_at >= ? OR k.end_date >= ?)", &a, 4, 2, cb, arg);
}

int store_report_visits(store_conn *c, const report_period *r, store_group_cb cb, void *arg)
{
	store_args a = {0};

	args_text(&a, r->county);
	args_text(&a, r->day_from);
	args_text(&a, r->day_to);
	/* children visited: each child counts in one township a month, so the
	 * corrections add up */
	return by_child(c, r, "COUNT(*), COUNT(DISTINCT v.child_id)", "visits v JOIN children c ON c.id = v.child_id",
			"v.county_code = ? AND v.visited_on >= ? AND v.visited_on <= ? AND v.voided_at IS NULL", &a, 0,
			2, cb, arg);
}

int store_report_requests(store_conn *c, const report_period *r, store_group_cb cb, void *arg)
{
	store_args a = {0};

	for (int i = 0; i < 3; i++) {
		args_int(&a, r->t_from);
		args_int(&a, r->t_to);
	}
	args_text(&a, r->county);
	args_int(&a, r->t_to);
	/* closed (办结) and answered by the steps taken in the period: a
	 * reopen later keeps them counted in their month, and a withdrawal is
	 * not a closure */
	return grouped(
		c, r,
		"SELECT q.township_code, SUM(CASE WHEN q.created_at >= ? AND q.created_at < ? THEN 1 ELSE 0 "
		"END), SUM(CASE WHEN " REQUEST_STEP_IN("close") " THEN 1 ELSE 0 END), SUM(CASE WHEN " REQUEST_STEP_IN(
			"deliver_feedback") " THEN 1 ELSE 0 END) FROM help_requests q WHERE "
					    "q.county_code = ? AND q.created_at < ?",
		&a, "q.township_code", 3, cb, arg);
}

int store_report_receipts(store_conn *c, const report_period *r, store_group_cb cb, void *arg)
{
	store_args a = {0};

	args_text(&a, r->month);
	args_text(&a, r->month);
	args_text(&a, r->county);
	args_text(&a, r->month);
	args_text(&a, r->month);
	return by_child(c, r,
			"SUM(CASE WHEN b.from_month = ? THEN 1 ELSE 0 END), SUM(CASE WHEN b.to_month = ? AND "
			"b.to_month >= b.from_month THEN 1 ELSE 0 END)",
			"benefit_receipts b JOIN children c ON c.id = b.child_id",
			"b.county_code = ? AND (b.from_month = ? OR b.to_month = ?)", &a, 2, 2, cb, arg);
}

int store_report_projects(store_conn *c, const report_period *r, store_group_cb cb, void *arg)
{
	store_args a = {0};

	args_text(&a, r->day_from);
	args_text(&a, r->day_to);
	args_text(&a, r->day_from);
	args_text(&a, r->day_to);
	args_text(&a, r->day_from);
	args_text(&a, r->day_to);
	args_text(&a, r->county);
	return grouped(c, r,
		       /* a reversal (冲正) counts against its line in the month of that
			* line (o): the month's figure is corrected, not the reversal's
			* month made negative */
		       "SELECT COALESCE(substr(p.area_code, 1, 9), ''), COALESCE(SUM(CASE WHEN f.kind = 'donation' "
		       "AND " FUND_DAY " >= ? AND " FUND_DAY " <= ? THEN " FUND_SIGNED " ELSE 0 END), 0), "
		       "COALESCE(SUM(CASE WHEN f.kind = 'spending' AND " FUND_DAY " >= ? AND " FUND_DAY
		       " <= ? THEN " FUND_SIGNED " ELSE 0 END), 0), "
		       "COUNT(DISTINCT CASE WHEN p.status = 'done' AND p.finished_on >= ? AND p.finished_on <= ? THEN "
		       "p.id END) FROM projects p LEFT JOIN project_funds f ON f.project_id = p.id LEFT JOIN "
		       "project_funds o ON o.id = f.reverses WHERE p.county_code = ?",
		       &a, "COALESCE(substr(p.area_code, 1, 9), '')", 3, cb, arg);
}

int store_report_talks(store_conn *c, const report_period *r, store_group_cb cb, void *arg)
{
	store_args a = {0};

	args_text(&a, r->county);
	args_text(&a, r->day_from);
	args_text(&a, r->day_to);
	return grouped(
		c, r,
		"SELECT CASE WHEN length(t.area_code) >= 9 THEN substr(t.area_code, 1, 9) ELSE '' END, COUNT(*), "
		"SUM(t.children), SUM(t.adults) FROM talks t WHERE t.county_code = ? AND t.held_on >= ? AND "
		"t.held_on <= ?",
		&a, "CASE WHEN length(t.area_code) >= 9 THEN substr(t.area_code, 1, 9) ELSE '' END", 3, cb, arg);
}

int store_report_counselling(store_conn *c, const report_period *r, store_group_cb cb, void *arg)
{
	store_args a = {0};

	args_text(&a, r->county);
	args_text(&a, r->day_from);
	args_text(&a, r->day_to);
	/* a school of the whole county (or of no area) is the county's own, as
	 * its talks are: "" (the trends count it in the county too) */
	return grouped(c, r,
		       "SELECT " TOWN_OF_SCHOOL ", COUNT(*), SUM(k.pupils) FROM counselling_sessions k JOIN units u ON "
		       "u.id = k.school_id WHERE k.county_code = ? AND k.held_on >= ? AND k.held_on <= ? AND "
		       "k.voided_at IS NULL",
		       &a, TOWN_OF_SCHOOL, 2, cb, arg);
}

int store_report_caring(store_conn *c, const report_period *r, store_group_cb cb, void *arg)
{
	store_args a = {0};

	args_text(&a, r->county);
	args_text(&a, r->day_from);
	args_text(&a, r->day_to);
	return by_child(c, r, "COUNT(*)", "caring_pairs p JOIN children c ON c.id = p.child_id",
			"p.county_code = ? AND p.started_on >= ? AND p.started_on <= ?", &a, 0, 1, cb, arg);
}

int store_report_returns(store_conn *c, const report_period *r, store_group_cb cb, void *arg)
{
	store_args a = {0};

	args_text(&a, r->county);
	args_text(&a, r->day_from);
	args_text(&a, r->day_to);
	return by_child(c, r, "COUNT(*), SUM(x.left_behind_ended)",
			"programme_returns x JOIN children c ON c.id = x.child_id",
			"x.county_code = ? AND x.returned_on >= ? AND x.returned_on <= ?", &a, 0, 2, cb, arg);
}

/* ---- trends: figures by month ---- */

/* "CASE WHEN col < ? THEN 0 WHEN col < ? THEN 1 ... END": the month of a
 * time, with the months' ends bound in order. */
static int bucket_sql(const trend_period *t, const char *col, buf *sql, store_args *a)
{
	int rc = buf_puts(sql, "CASE");

	for (int i = 1; rc == WB_OK && i <= t->n; i++) {
		rc = buf_printf(sql, " WHEN %s < ? THEN %d", col, i - 1);
		args_int(a, t->bounds[i]);
	}
	return rc ? rc : buf_puts(sql, " END");
}

/* The township of child c at the end of the month of col (a day
 * "YYYY-MM-DD" when day, else a time), as the monthly report counts it:
 * the old village of its first move at or after that month's end, or
 * today's village. */
static void town_at_month_end(const trend_period *t, const char *col, int day, buf *sql, store_args *a)
{
	sql_add(sql,
		"substr(COALESCE((SELECT h.old_value FROM child_changes h WHERE h.child_id = c.id AND h.field = "
		"'village_code' AND h.at >= CASE",
		NULL);
	for (int i = 1; i <= t->n; i++) {
		sql_add(sql, " WHEN ", col);
		sql_add(sql, " < ? THEN CAST(? AS BIGINT)", NULL);
		if (day)
			args_text(a, t->days[i]);
		else
			args_int(a, t->bounds[i]);
		args_int(a, t->bounds[i]);
	}
	sql_add(sql, " END ORDER BY h.id LIMIT 1), c.village_code), 1, 9)", NULL);
}

/* "SELECT select FROM from WHERE where" (binding sa, then wa) grouped by
 * its first column, the month, within the township when the period has
 * one: the row's (town_expr), or, NULL, that of child c at the month's end
 * (by today's village, corrected for the children moved since the first
 * month's end, as by_child does; col is the row's day or time). */
static int trend_rows(store_conn *c, const trend_period *t, const char *select, const store_args *sa, const char *from,
		      const char *where, const store_args *wa, const char *col, int day, const char *town_expr,
		      int nums, store_group_cb cb, void *arg)
{
	int passes = t->township && !town_expr ? 3 : 1, rc = WB_OK;

	for (int pass = 0; pass < passes && rc == WB_OK; pass++) {
		store_args a = {0};
		buf sql;

		buf_init(&sql, 16384);
		rc = buf_printf(&sql, "SELECT %s FROM %s", select, from);
		if (rc != WB_OK) {
			buf_cleanup(&sql); /* what it took before it failed */
			break;
		}
		args_append(&a, sa);
		if (pass > 0) {
			sql_add(&sql, " JOIN " MOVED_SINCE " ms ON ms.child_id = c.id", NULL);
			args_text(&a, t->county);
			args_int(&a, t->bounds[1]);
		}
		sql_add(&sql, " WHERE ", where);
		args_append(&a, wa);
		if (t->township) {
			sql_add(&sql, " AND ", NULL);
			if (town_expr)
				sql_add(&sql, town_expr, NULL);
			else if (pass == 1)
				town_at_month_end(t, col, day, &sql, &a);
			else
				sql_add(&sql, TOWN_TODAY, NULL);
			sql_add(&sql, " = ?", NULL);
			args_text(&a, t->township);
		}
		sql_add(&sql, " GROUP BY 1", NULL);
		rc = signed_rows(c, &sql, &a, nums, pass == 2 ? -1 : 1, cb, arg);
		buf_cleanup(&sql);
	}
	return rc;
}

/* count (an aggregate) of from by the month of its time column col, within
 * the period, the county (county_col) and the township (town_expr; NULL:
 * that of child c at the month's end). */
static int by_time(store_conn *c, const trend_period *t, const char *count, const char *from, const char *col,
		   const char *county_col, const char *town_expr, store_group_cb cb, void *arg)
{
	store_args sa = {0}, wa = {0};
	buf select, where;
	int rc;

	buf_init(&select, 4096);
	buf_init(&where, 512);
	rc = bucket_sql(t, col, &select, &sa);
	if (rc == WB_OK)
		rc = buf_printf(&select, ", %s", count);
	if (rc == WB_OK)
		rc = buf_printf(&where, "%s = ? AND %s >= ? AND %s < ?", county_col, col, col);
	args_text(&wa, t->county);
	args_int(&wa, t->bounds[0]);
	args_int(&wa, t->bounds[t->n]);
	if (rc == WB_OK)
		rc = trend_rows(c, t, select.data, &sa, from, where.data, &wa, col, 0, town_expr, 1, cb, arg);
	buf_cleanup(&where);
	buf_cleanup(&select);
	return rc;
}

int store_trend_registered(store_conn *c, const trend_period *t, store_group_cb cb, void *arg)
{
	return by_time(c, t, "COUNT(*)", "children c", "c.created_at", "c.county_code", NULL, cb, arg);
}

int store_trend_filed(store_conn *c, const trend_period *t, store_group_cb cb, void *arg)
{
	return by_time(c, t, "COUNT(*)", "help_requests q", "q.created_at", "q.county_code", "q.township_code", cb,
		       arg);
}

int store_trend_closed(store_conn *c, const trend_period *t, store_group_cb cb, void *arg)
{
	/* the requests closed (办结) in each month by their close steps: a
	 * reopen later keeps them in their month, a withdrawal is no closure */
	return by_time(c, t, "COUNT(DISTINCT q.id)",
		       "request_steps s JOIN help_requests q ON q.id = s.request_id AND s.action = 'close'", "s.at",
		       "s.county_code", "q.township_code", cb, arg);
}

/* "SELECT substr(day, 1, 7), figs FROM from WHERE <day in the period>
 * AND more" (more binds the county first, then the period's first and
 * last day) by the month of the text day column day; town_expr as
 * trend_rows. */
static int by_day(store_conn *c, const trend_period *t, const char *figs, const char *from, const char *day,
		  const char *more, const char *town_expr, int nums, store_group_cb cb, void *arg)
{
	store_args sa = {0}, wa = {0};
	buf select, where;
	int rc;

	buf_init(&select, 1024);
	buf_init(&where, 1024);
	rc = buf_printf(&select, "substr(%s, 1, 7), %s", day, figs);
	if (rc == WB_OK)
		rc = buf_printf(&where, "%s AND %s >= ? AND %s < ?", more, day, day);
	args_text(&wa, t->county);
	args_text(&wa, t->days[0]);
	args_text(&wa, t->days[t->n]);
	if (rc == WB_OK)
		rc = trend_rows(c, t, select.data, &sa, from, where.data, &wa, day, 1, town_expr, nums, cb, arg);
	buf_cleanup(&where);
	buf_cleanup(&select);
	return rc;
}

int store_trend_visits(store_conn *c, const trend_period *t, store_group_cb cb, void *arg)
{
	return by_day(c, t, "COUNT(*), COUNT(DISTINCT v.child_id)", "visits v JOIN children c ON c.id = v.child_id",
		      "v.visited_on", "v.county_code = ? AND v.voided_at IS NULL", NULL, 2, cb, arg);
}

int store_trend_talks(store_conn *c, const trend_period *t, store_group_cb cb, void *arg)
{
	return by_day(c, t, "COUNT(*), SUM(t.children + t.adults)", "talks t", "t.held_on", "t.county_code = ?",
		      "substr(t.area_code, 1, 9)", 2, cb, arg);
}

int store_trend_counselling(store_conn *c, const trend_period *t, store_group_cb cb, void *arg)
{
	return by_day(c, t, "COUNT(*)", "counselling_sessions k JOIN units u ON u.id = k.school_id", "k.held_on",
		      "k.county_code = ? AND k.voided_at IS NULL", "substr(u.area_code, 1, 9)", 1, cb, arg);
}

int store_trend_returns(store_conn *c, const trend_period *t, store_group_cb cb, void *arg)
{
	return by_day(c, t, "COUNT(*), SUM(x.left_behind_ended)",
		      "programme_returns x JOIN children c ON c.id = x.child_id", "x.returned_on", "x.county_code = ?",
		      NULL, 2, cb, arg);
}
