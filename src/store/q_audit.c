/* Reading the audit log (writing is the audit writer's job alone). */
#include <string.h>

#include "../util/wb.h"
#include "model.h"

int store_audit_list(store_conn *c, const char *county, const audit_filter *f, audit_cb cb, void *arg)
{
	store_stmt *st = NULL;
	store_args a = {0};
	buf sql;
	int rc;

	buf_init(&sql, 4096);
	rc = buf_puts(&sql,
		      "SELECT seq, at, COALESCE(user_id, 0), COALESCE(username, ''), COALESCE(role, ''), action, "
		      "COALESCE(object_type, ''), COALESCE(object_id, ''), outcome, COALESCE(client_addr, ''), "
		      "COALESCE(request_id, ''), COALESCE(detail, ''), hash FROM audit_log WHERE county_code = ?");
	args_text(&a, county);
	if (rc == WB_OK && f->before_seq > 0) {
		rc = buf_puts(&sql, " AND seq < ?");
		args_int(&a, f->before_seq);
	}
	if (rc == WB_OK && f->action) {
		/* the index by action leaves out the reads of a child's file
		 * (migration 0007): the second term lets both databases match it */
		rc = buf_puts(&sql, strcmp(f->action, "child.read") == 0
					    ? " AND action = ?"
					    : " AND action = ? AND action <> 'child.read'");
		args_text(&a, f->action);
	}
	if (rc == WB_OK && f->object_type) {
		rc = buf_puts(&sql, " AND object_type = ?");
		args_text(&a, f->object_type);
	}
	if (rc == WB_OK && f->object_id) {
		rc = buf_puts(&sql, " AND object_id = ?");
		args_text(&a, f->object_id);
	}
	if (rc == WB_OK && f->user_id) {
		rc = buf_puts(&sql, " AND user_id = ?");
		args_int(&a, f->user_id);
	}
	if (rc == WB_OK)
		rc = buf_puts(&sql, " ORDER BY seq DESC LIMIT ?");
	args_int(&a, f->limit);
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

static int64_t one_int(store_conn *c, const char *sql, const char *county, int *rc)
{
	store_stmt *st = NULL;
	int64_t v = 0;
	int r = county ? conn_query(c, &st, sql, "s", county) : conn_query(c, &st, sql, "");

	if (r == STORE_ROW) {
		v = stmt_int64(c, st, 0);
		stmt_reset(c, st);
	} else if (r < 0) {
		*rc = r;
	}
	return v;
}

int store_system_status(store_conn *c, const char *county, system_status *out)
{
	store_stmt *st = NULL;
	int rc = WB_OK, r;

	memset(out, 0, sizeof(*out));
	if (c->drv->size_sql)
		out->database_bytes = one_int(c, c->drv->size_sql, NULL, &rc);
	out->children = one_int(c, "SELECT COUNT(*) FROM children WHERE county_code = ?", county, &rc);
	out->accounts = one_int(c, "SELECT COUNT(*) FROM users WHERE county_code = ?", county, &rc);
	out->audit_entries = one_int(c, "SELECT COALESCE(MAX(seq), 0) FROM audit_log", NULL, &rc);
	/* the repeated condition lets both databases use the index by action */
	r = conn_query(c, &st,
		       "SELECT at, outcome, COALESCE(detail, '') FROM audit_log WHERE action = 'database.backup' "
		       "AND action <> 'child.read' ORDER BY seq DESC LIMIT 1",
		       "");
	if (r == STORE_ROW) {
		out->backup_at = stmt_int64(c, st, 0);
		stmt_copy(c, st, 1, out->backup_outcome, sizeof(out->backup_outcome));
		stmt_copy(c, st, 2, out->backup_detail, sizeof(out->backup_detail));
		stmt_reset(c, st);
	} else if (r < 0) {
		rc = r;
	}
	return rc;
}
