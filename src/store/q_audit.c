/* Reading the audit log (writing is the audit writer's job alone). */
#include <stdint.h>
#include <string.h>

#include "../util/wb.h"
#include "model.h"

int store_audit_list_sql(const char *county, const audit_filter *f, buf *sql, store_args *args)
{
	long long request_id = 0;
	int rc;

	buf_init(sql, 4096);
	rc = buf_puts(sql, "SELECT seq, at, COALESCE(user_id, 0), COALESCE(username, ''), COALESCE(role, ''), action, "
			   "COALESCE(object_type, ''), COALESCE(object_id, ''), outcome, COALESCE(client_addr, ''), "
			   "COALESCE(request_id, ''), COALESCE(detail, ''), hash FROM audit_log "
			   /* the county's entries, and the logins under a user name no
			    * county has (they belong to none) */
			   "WHERE county_code IN (?, '')");

	args_text(args, county);
	if (rc == WB_OK && f->before_seq > 0) {
		rc = buf_puts(sql, " AND seq < ?");
		args_int(args, f->before_seq);
	}
	if (rc == WB_OK && f->action) {
		/* the index by action leaves out the reads of a child's file
		 * (migration 0007): the second term lets both databases match it */
		rc = buf_puts(sql, strcmp(f->action, "child.read") == 0 ? " AND action = ?"
									: " AND action = ? AND action <> 'child.read'");
		args_text(args, f->action);
	}
	if (rc == WB_OK && f->object_type && f->object_id && strcmp(f->object_type, "request") == 0 &&
	    wb_parse_int64(f->object_id, 1, INT64_MAX, &request_id) == WB_OK) {
		/* a help request's whole path: its own entries and those of its
		 * referrals (a unit's accept, progress and finish are entries of
		 * the referral) */
		rc = buf_puts(sql, " AND (object_type = 'request' AND object_id = ? OR object_type = 'referral' AND "
				   "object_id IN (SELECT CAST(id AS TEXT) FROM referrals WHERE county_code = ? AND "
				   "request_id = ?))");
		args_text(args, f->object_id);
		args_text(args, county);
		args_int(args, (int64_t)request_id);
	} else {
		if (rc == WB_OK && f->object_type) {
			rc = buf_puts(sql, " AND object_type = ?");
			args_text(args, f->object_type);
		}
		if (rc == WB_OK && f->object_id) {
			rc = buf_puts(sql, " AND object_id = ?");
			args_text(args, f->object_id);
		}
	}
	if (rc == WB_OK && f->user_id) {
		rc = buf_puts(sql, " AND user_id = ?");
		args_int(args, f->user_id);
	}
	if (rc == WB_OK && f->username) {
		rc = buf_puts(sql, " AND user_id = 0 AND username = ?");
		args_text(args, f->username);
	}
	if (rc == WB_OK && f->min_seq) {
		rc = buf_puts(sql, " AND seq >= ?");
		args_int(args, f->min_seq);
	}
	if (rc == WB_OK && f->max_seq) {
		rc = buf_puts(sql, " AND seq < ?");
		args_int(args, f->max_seq);
	}
	if (rc == WB_OK && f->from_at) {
		rc = buf_puts(sql, " AND at >= ?");
		args_int(args, f->from_at);
	}
	if (rc == WB_OK && f->to_at) {
		rc = buf_puts(sql, " AND at < ?");
		args_int(args, f->to_at);
	}
	if (rc == WB_OK)
		rc = buf_puts(sql, " ORDER BY seq DESC LIMIT ?");
	args_int(args, f->limit);
	return rc;
}

int store_audit_list(store_conn *c, const char *county, const audit_filter *f, audit_cb cb, void *arg)
{
	store_stmt *st = NULL;
	store_args a = {0};
	buf sql;
	int rc = store_audit_list_sql(county, f, &sql, &a);

	if (rc == WB_OK)
		rc = conn_prepare_args(c, sql.data, &a, &st);
	while (rc == WB_OK && (rc = stmt_step(c, st)) == STORE_ROW) {
		audit_rec r;

		memset(&r, 0, sizeof(r));
		r.seq = stmt_int64(c, st, 0);
		r.at = stmt_int64(c, st, 1);
		r.user_id = stmt_int64(c, st, 2);
		stmt_copy(c, st, 3, r.username, sizeof(r.username));
		stmt_copy(c, st, 4, r.role, sizeof(r.role));
		stmt_copy(c, st, 5, r.action, sizeof(r.action));
		stmt_copy(c, st, 6, r.object_type, sizeof(r.object_type));
		stmt_copy(c, st, 7, r.object_id, sizeof(r.object_id));
		stmt_copy(c, st, 8, r.outcome, sizeof(r.outcome));
		stmt_copy(c, st, 9, r.client_addr, sizeof(r.client_addr));
		stmt_copy(c, st, 10, r.request_id, sizeof(r.request_id));
		stmt_copy(c, st, 11, r.detail, sizeof(r.detail));
		stmt_copy(c, st, 12, r.hash, sizeof(r.hash));
		rc = cb(&r, arg);
	}
	stmt_reset(c, st);
	buf_cleanup(&sql);
	return rc < 0 ? rc : WB_OK;
}

static int newest_cb(const audit_rec *a, void *arg)
{
	*(audit_rec *)arg = *a;
	return WB_OK;
}

int store_system_status(store_conn *c, const char *county, system_status *out)
{
	store_scope all;
	child_filter none;
	audit_filter backups;
	audit_rec newest;
	store_stmt *st = NULL;
	int rc = WB_OK;

	memset(out, 0, sizeof(*out));
	if (c->drv->size_sql)
		rc = stmt_result_int64(c, st, conn_query(c, &st, c->drv->size_sql, ""), WB_ESTORE,
				       &out->database_bytes);
	if (rc == WB_OK) {
		store_scope_county(&all, county);
		memset(&none, 0, sizeof(none));
		rc = store_child_count(c, &all, &none, &out->children);
	}
	if (rc == WB_OK)
		rc = store_user_count(c, county, &out->accounts);
	if (rc == WB_OK)
		rc = stmt_result_int64(c, st, conn_query(c, &st, "SELECT COALESCE(MAX(seq), 0) FROM audit_log", ""),
				       WB_ESTORE, &out->audit_entries_database);
	/* the county's own: one row the audit writer keeps (a count over
	 * the log would read millions of rows on every call) */
	if (rc == WB_OK)
		rc = stmt_result_int64(
			c, st,
			conn_query(c, &st,
				   "SELECT COALESCE(SUM(entries), 0) FROM county_audit_counts WHERE county_code = ?",
				   "s", county),
			WB_ESTORE, &out->audit_entries);
	if (rc == WB_OK) {
		memset(&backups, 0, sizeof(backups));
		memset(&newest, 0, sizeof(newest));
		backups.action = "database.backup";
		backups.limit = 1;
		rc = store_audit_list(c, county, &backups, newest_cb, &newest);
		out->backup_at = newest.at;
		wb_strlcpy(out->backup_outcome, newest.outcome, sizeof(out->backup_outcome));
		wb_strlcpy(out->backup_detail, newest.detail, sizeof(out->backup_detail));
	}
	return rc;
}

/* the time of the first entry from seq on (seq is gap-free, but a row
 * removed by hand does not stop the search); seq is at most the newest */
static int at_of(store_conn *c, int64_t seq, int64_t *at)
{
	store_stmt *st = NULL;
	int rc = conn_query(c, &st, "SELECT at FROM audit_log WHERE seq >= ? ORDER BY seq LIMIT 1", "i", seq);

	return stmt_result_int64(c, st, rc, WB_ENOTFOUND, at);
}

int store_audit_seq_at(store_conn *c, int64_t t, int64_t *seq_out)
{
	store_stmt *st = NULL;
	int64_t lo = 0, hi = 0, at = 0;
	int rc = conn_query(c, &st, "SELECT COALESCE(MIN(seq), 0), COALESCE(MAX(seq), 0) FROM audit_log", "");

	if (rc == STORE_ROW) {
		lo = stmt_int64(c, st, 0);
		hi = stmt_int64(c, st, 1);
		stmt_reset(c, st);
		rc = WB_OK;
	} else if (rc == STORE_DONE) {
		rc = WB_OK;
	}
	if (rc)
		return rc;
	*seq_out = hi + 1;
	if (!hi)
		return WB_OK;
	/* the first of [lo, hi] at or after t; hi + 1 if none */
	hi++;
	while (lo < hi) {
		int64_t mid = lo + (hi - lo) / 2;

		rc = at_of(c, mid, &at);
		if (rc)
			return rc;
		if (at >= t)
			hi = mid;
		else
			lo = mid + 1;
	}
	*seq_out = lo;
	return WB_OK;
}
