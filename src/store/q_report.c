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

#define TOWN_OF_CHILD "substr(c.village_code, 1, 9)"
/* the township of school u, "" for a school of the county or of no area */
#define TOWN_OF_SCHOOL "CASE WHEN length(u.area_code) >= 9 THEN substr(u.area_code, 1, 9) ELSE '' END"
/* request q has a step of action at a time in [?, ?) */
#define REQUEST_STEP_IN(action)                                                                            \
	"EXISTS (SELECT 1 FROM request_steps s WHERE s.request_id = q.id AND s.action = '" action "' AND " \
	"s.at >= ? AND s.at < ?)"
/* the day a money line counts on: a reversal, its reversed line's (o) */
#define FUND_DAY "COALESCE(o.on_date, f.on_date)"

int store_report_children(store_conn *c, const report_period *r, store_group_cb cb, void *arg)
{
	store_args a = {0};

	args_int(&a, r->t_to);
	args_text(&a, r->born_after);
	args_int(&a, r->t_from);
	args_text(&a, r->county);
	args_int(&a, r->t_to);
	return grouped(c, r,
		       "SELECT " TOWN_OF_CHILD ", SUM(CASE WHEN (c.archived_at IS NULL OR c.archived_at >= ?) AND "
		       "(c.birth_date IS NULL OR c.birth_date > ?) THEN 1 ELSE 0 END), SUM(CASE WHEN c.created_at >= ? "
		       "THEN 1 ELSE 0 END) FROM children c WHERE c.county_code = ? AND c.created_at < ?",
		       &a, TOWN_OF_CHILD, 2, cb, arg);
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
	return grouped(
		c, r,
		"SELECT " TOWN_OF_CHILD ", SUM(CASE WHEN k.state IN ('confirmed', 'ended') AND k.confirmed_at >= "
		"? AND k.confirmed_at < ? THEN 1 ELSE 0 END), SUM(CASE WHEN k.state = 'ended' AND k.end_date >= ? "
		"AND k.end_date <= ? THEN 1 ELSE 0 END) FROM child_categories k JOIN children c ON c.id = "
		"k.child_id WHERE k.county_code = ? AND (k.confirmed_at >= ? OR k.end_date >= ?)",
		&a, TOWN_OF_CHILD, 2, cb, arg);
}

int store_report_visits(store_conn *c, const report_period *r, store_group_cb cb, void *arg)
{
	store_args a = {0};

	args_text(&a, r->county);
	args_text(&a, r->day_from);
	args_text(&a, r->day_to);
	return grouped(c, r,
		       "SELECT " TOWN_OF_CHILD
		       ", COUNT(*), COUNT(DISTINCT v.child_id) FROM visits v JOIN children c ON "
		       "c.id = v.child_id WHERE v.county_code = ? AND v.visited_on >= ? AND v.visited_on <= ? AND "
		       "v.voided_at IS NULL",
		       &a, TOWN_OF_CHILD, 2, cb, arg);
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
	return grouped(c, r,
		       "SELECT " TOWN_OF_CHILD ", SUM(CASE WHEN b.from_month = ? THEN 1 ELSE 0 END), SUM(CASE WHEN "
		       "b.to_month = ? AND b.to_month >= b.from_month THEN 1 ELSE 0 END) FROM benefit_receipts b JOIN "
		       "children c ON c.id = b.child_id "
		       "WHERE b.county_code = ? AND (b.from_month = ? OR b.to_month = ?)",
		       &a, TOWN_OF_CHILD, 2, cb, arg);
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
	return grouped(c, r,
		       "SELECT " TOWN_OF_CHILD ", COUNT(*) FROM caring_pairs p JOIN children c ON c.id = p.child_id "
		       "WHERE p.county_code = ? AND p.started_on >= ? AND p.started_on <= ?",
		       &a, TOWN_OF_CHILD, 1, cb, arg);
}

int store_report_returns(store_conn *c, const report_period *r, store_group_cb cb, void *arg)
{
	store_args a = {0};

	args_text(&a, r->county);
	args_text(&a, r->day_from);
	args_text(&a, r->day_to);
	return grouped(c, r,
		       "SELECT " TOWN_OF_CHILD ", COUNT(*), SUM(x.left_behind_ended) FROM programme_returns x JOIN "
		       "children c ON c.id = x.child_id WHERE x.county_code = ? AND x.returned_on >= ? AND "
		       "x.returned_on <= ?",
		       &a, TOWN_OF_CHILD, 2, cb, arg);
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

/* count (an aggregate) of from by the month of its time column col, within
 * the period, the county (county_col) and the township (town_expr). */
static int by_time(store_conn *c, const trend_period *t, const char *count, const char *from, const char *col,
		   const char *county_col, const char *town_expr, store_group_cb cb, void *arg)
{
	store_args a = {0};
	buf sql, bucket;
	int rc;

	buf_init(&sql, 2048);
	buf_init(&bucket, 1024);
	rc = bucket_sql(t, col, &bucket, &a);
	if (rc == WB_OK)
		rc = buf_printf(&sql, "SELECT %s, %s FROM %s WHERE %s = ? AND %s >= ? AND %s < ?", bucket.data, count,
				from, county_col, col, col);
	args_text(&a, t->county);
	args_int(&a, t->bounds[0]);
	args_int(&a, t->bounds[t->n]);
	if (rc == WB_OK && t->township) {
		rc = buf_printf(&sql, " AND %s = ?", town_expr);
		args_text(&a, t->township);
	}
	if (rc == WB_OK)
		rc = buf_puts(&sql, " GROUP BY 1");
	if (rc == WB_OK)
		rc = store_group_rows(c, sql.data, &a, 0, 1, cb, arg);
	buf_cleanup(&bucket);
	buf_cleanup(&sql);
	return rc;
}

int store_trend_registered(store_conn *c, const trend_period *t, store_group_cb cb, void *arg)
{
	return by_time(c, t, "COUNT(*)", "children c", "c.created_at", "c.county_code", "substr(c.village_code, 1, 9)",
		       cb, arg);
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

/* By the month of a text day column: substr(day, 1, 7). */
static int by_day(store_conn *c, const trend_period *t, const char *head, const char *town_expr, int nums,
		  store_group_cb cb, void *arg)
{
	store_args a = {0};
	buf sql;
	int rc;

	buf_init(&sql, 1024);
	rc = buf_puts(&sql, head);
	args_text(&a, t->county);
	args_text(&a, t->days[0]);
	args_text(&a, t->days[t->n]);
	if (rc == WB_OK && t->township) {
		rc = buf_printf(&sql, " AND %s = ?", town_expr);
		args_text(&a, t->township);
	}
	if (rc == WB_OK)
		rc = buf_puts(&sql, " GROUP BY 1");
	if (rc == WB_OK)
		rc = store_group_rows(c, sql.data, &a, 0, nums, cb, arg);
	buf_cleanup(&sql);
	return rc;
}

int store_trend_visits(store_conn *c, const trend_period *t, store_group_cb cb, void *arg)
{
	return by_day(
		c, t,
		"SELECT substr(v.visited_on, 1, 7), COUNT(*), COUNT(DISTINCT v.child_id) FROM visits v JOIN "
		"children c ON c.id = v.child_id WHERE v.county_code = ? AND v.visited_on >= ? AND v.visited_on < ? "
		"AND v.voided_at IS NULL",
		"substr(c.village_code, 1, 9)", 2, cb, arg);
}

int store_trend_talks(store_conn *c, const trend_period *t, store_group_cb cb, void *arg)
{
	return by_day(c, t,
		      "SELECT substr(t.held_on, 1, 7), COUNT(*), SUM(t.children + t.adults) FROM talks t WHERE "
		      "t.county_code = ? AND t.held_on >= ? AND t.held_on < ?",
		      "substr(t.area_code, 1, 9)", 2, cb, arg);
}

int store_trend_counselling(store_conn *c, const trend_period *t, store_group_cb cb, void *arg)
{
	return by_day(
		c, t,
		"SELECT substr(k.held_on, 1, 7), COUNT(*) FROM counselling_sessions k JOIN units u ON u.id = "
		"k.school_id WHERE k.county_code = ? AND k.held_on >= ? AND k.held_on < ? AND k.voided_at IS NULL",
		"substr(u.area_code, 1, 9)", 1, cb, arg);
}

int store_trend_returns(store_conn *c, const trend_period *t, store_group_cb cb, void *arg)
{
	return by_day(c, t,
		      "SELECT substr(x.returned_on, 1, 7), COUNT(*), SUM(x.left_behind_ended) FROM programme_returns x "
		      "JOIN children c ON c.id = x.child_id WHERE x.county_code = ? AND x.returned_on >= ? AND "
		      "x.returned_on < ?",
		      "substr(c.village_code, 1, 9)", 2, cb, arg);
}
