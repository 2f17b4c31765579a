/* The overview's figures by township or by village; see q_overview.h. */
#include "q_overview.h"

#include <string.h>

#include "../util/buf.h"
#include "../util/wb.h"
#include "model.h"
#include "q_loop.h"

/* " AND col in the township's range" when one is given. */
static int township_sql(const char *township, const char *col, buf *sql, store_args *a)
{
	if (!township)
		return WB_OK;
	args_text(a, township);
	args_text(a, township);
	return buf_printf(sql, " AND %s >= ? AND %s < ? || ':'", col, col);
}

/* the group's key: a township's nine digits or a village's twelve */
static int key_digits(int by_village)
{
	return by_village ? 12 : 9;
}

int store_overview_children(store_conn *c, const char *county, const char *township, int by_village,
			    const char *born_after, store_group_cb cb, void *arg)
{
	store_args a = {0};
	buf sql;
	int rc;

	buf_init(&sql, 512);
	/* with a director: the pair (director, village) is a director's
	 * membership of an account not locked (as GET /areas/{code}/directors
	 * names them); one scan of the children, the pairs looked up in a list
	 * the query builds once */
	rc = buf_printf(
		&sql,
		"SELECT substr(c.village_code, 1, %d), COUNT(*), SUM(CASE WHEN (c.director_id, c.village_code) "
		"IN (SELECT m.user_id, m.area_code FROM memberships m JOIN users u ON u.id = m.user_id WHERE "
		"m.county_code = ? AND m.role = 'director' AND u.locked = 0) THEN 1 ELSE 0 END) FROM children c "
		"WHERE c.county_code = ? AND c.archived_at IS NULL AND (c.birth_date IS NULL OR c.birth_date > ?)",
		key_digits(by_village));
	args_text(&a, county);
	args_text(&a, county);
	args_text(&a, born_after);
	if (rc == WB_OK)
		rc = township_sql(township, "c.village_code", &sql, &a);
	if (rc == WB_OK)
		rc = buf_printf(&sql, " GROUP BY substr(c.village_code, 1, %d)", key_digits(by_village));
	if (rc == WB_OK)
		rc = store_group_rows(c, sql.data, &a, 0, 2, cb, arg);
	buf_cleanup(&sql);
	return rc;
}

int store_overview_categories(store_conn *c, const char *county, const char *township, int by_village,
			      const char *born_after, store_group_cb cb, void *arg)
{
	store_args a = {0};
	buf sql;
	int rc;

	buf_init(&sql, 512);
	rc = buf_printf(&sql,
			"SELECT substr(c.village_code, 1, %d), k.category, COUNT(*) FROM child_categories k JOIN "
			"children c ON c.id = k.child_id WHERE k.county_code = ? AND k.state = 'confirmed' AND "
			"c.archived_at IS NULL AND (c.birth_date IS NULL OR c.birth_date > ?)",
			key_digits(by_village));
	args_text(&a, county);
	args_text(&a, born_after);
	if (rc == WB_OK)
		rc = township_sql(township, "c.village_code", &sql, &a);
	if (rc == WB_OK)
		rc = buf_printf(&sql, " GROUP BY substr(c.village_code, 1, %d), k.category", key_digits(by_village));
	if (rc == WB_OK)
		rc = store_group_rows(c, sql.data, &a, 1, 1, cb, arg);
	buf_cleanup(&sql);
	return rc;
}

int store_overview_requests(store_conn *c, const char *county, const char *township, int by_village, int64_t now,
			    int64_t closed_after, store_group_cb cb, void *arg)
{
	const char *key = by_village ? "q.village_code" : "q.township_code";
	store_args a = {0};
	buf sql;
	int rc;

	buf_init(&sql, 1024);
	rc = buf_printf(&sql,
			"SELECT %s, SUM(CASE WHEN q.state NOT IN ('closed', 'withdrawn') THEN 1 ELSE 0 END), "
			"SUM(CASE WHEN q.state NOT IN ('closed', 'withdrawn') AND " REQUEST_OVERDUE_SQL
			" THEN 1 ELSE 0 END), SUM(CASE WHEN EXISTS (SELECT 1 FROM request_steps s WHERE s.request_id = "
			"q.id AND s.action = 'close' AND s.at >= ?) THEN 1 ELSE 0 END) FROM help_requests q WHERE "
			"q.county_code = ?",
			key);
	args_int(&a, now);
	args_int(&a, now);
	args_int(&a, closed_after);
	args_text(&a, county);
	if (rc == WB_OK)
		rc = township_sql(township, "q.township_code", &sql, &a);
	if (rc == WB_OK)
		rc = buf_printf(&sql, " GROUP BY %s", key);
	if (rc == WB_OK)
		rc = store_group_rows(c, sql.data, &a, 0, 3, cb, arg);
	buf_cleanup(&sql);
	return rc;
}

int store_overview_follow_ups(store_conn *c, const char *county, const char *township, int by_village,
			      const char *today, store_group_cb cb, void *arg)
{
	store_args a = {0};
	buf sql;
	int rc;

	buf_init(&sql, 512);
	rc = buf_printf(&sql,
			"SELECT substr(c.village_code, 1, %d), COUNT(*), SUM(CASE WHEN f.due_on < ? THEN 1 ELSE 0 "
			"END) FROM follow_ups f JOIN children c ON c.id = f.child_id WHERE f.county_code = ? AND "
			"f.visit_id IS NULL AND f.cancelled_at IS NULL AND c.archived_at IS NULL",
			key_digits(by_village));
	args_text(&a, today);
	args_text(&a, county);
	if (rc == WB_OK)
		rc = township_sql(township, "c.village_code", &sql, &a);
	if (rc == WB_OK)
		rc = buf_printf(&sql, " GROUP BY substr(c.village_code, 1, %d)", key_digits(by_village));
	if (rc == WB_OK)
		rc = store_group_rows(c, sql.data, &a, 0, 2, cb, arg);
	buf_cleanup(&sql);
	return rc;
}
