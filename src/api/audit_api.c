/*
 * /api/v1/audit: the auditor reads, exports (a CSV report) and verifies the
 * log. Every read of its entries — a page of the list, a report — is
 * itself an entry (audit.read, audit.export) with the filter asked, and a
 * refused one is too. There is no route that writes or changes it.
 *
 * A read's entry is written after the entries it read, so it is never on
 * its own page; the list pages by sequence number (the cursor is the last
 * seq shown), so the entries an auditor's paging adds are newer than its
 * first page and never shift the pages that follow.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../domain/date.h"
#include "../domain/roles.h"
#include "../util/clock.h"
#include "../util/table.h"
#include "../util/wb.h"
#include "api.h"
#include "audit_words.h"
#include "sheet.h"

/* s as it is stored, or, where its bytes are not UTF-8 (an entry an earlier
 * version cut inside a character, or one altered by hand), with U+FFFD for
 * each byte that is not: such an entry is shown, never left out. out holds
 * n bytes (three for each byte of s, and one). */
static const char *entry_text(const char *s, char *out, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0;

	if (utf8_valid(s, strlen(s)))
		return s;
	while (*p && o + 4 < n) {
		size_t len = *p < 0x80             ? 1
			     : (*p & 0xE0) == 0xC0 ? 2
			     : (*p & 0xF0) == 0xE0 ? 3
			     : (*p & 0xF8) == 0xF0 ? 4
						   : 0;
		size_t have = 0;

		while (have < len && p[have])
			have++;
		if (len && have == len && utf8_valid((const char *)p, len)) {
			memcpy(out + o, p, len);
			o += len;
			p += len;
		} else {
			memcpy(out + o, "\xEF\xBF\xBD", 3);
			o += 3;
			p++;
		}
	}
	out[o] = '\0';
	return out;
}

/* An entry's texts as audit_item and the report show them (entry_text). */
typedef struct shown {
	char username[sizeof(((audit_rec *)0)->username) * 3], role[sizeof(((audit_rec *)0)->role) * 3],
		action[sizeof(((audit_rec *)0)->action) * 3], object_type[sizeof(((audit_rec *)0)->object_type) * 3],
		object_id[sizeof(((audit_rec *)0)->object_id) * 3], outcome[sizeof(((audit_rec *)0)->outcome) * 3],
		client_addr[sizeof(((audit_rec *)0)->client_addr) * 3],
		request_id[sizeof(((audit_rec *)0)->request_id) * 3], detail[sizeof(((audit_rec *)0)->detail) * 3],
		hash[sizeof(((audit_rec *)0)->hash) * 3];
	const char *t[10];
} shown;

enum { T_USER, T_ROLE, T_ACTION, T_TYPE, T_ID, T_OUTCOME, T_ADDR, T_REQUEST, T_DETAIL, T_HASH };

static void shown_of(const audit_rec *ar, shown *x)
{
#define SHOW(i, f) x->t[i] = entry_text(ar->f, x->f, sizeof(x->f))
	SHOW(T_USER, username);
	SHOW(T_ROLE, role);
	SHOW(T_ACTION, action);
	SHOW(T_TYPE, object_type);
	SHOW(T_ID, object_id);
	SHOW(T_OUTCOME, outcome);
	SHOW(T_ADDR, client_addr);
	SHOW(T_REQUEST, request_id);
	SHOW(T_DETAIL, detail);
	SHOW(T_HASH, hash);
#undef SHOW
}

static int audit_item(const audit_rec *ar, void *arg)
{
	shown x;
	json_t *j;

	shown_of(ar, &x);
	j = json_pack("{s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "seq", (json_int_t)ar->seq,
		      "at", (json_int_t)ar->at, "user_id", (json_int_t)ar->user_id, "username", x.t[T_USER], "role",
		      x.t[T_ROLE], "action", x.t[T_ACTION], "object_type", x.t[T_TYPE], "object_id", x.t[T_ID],
		      "outcome", x.t[T_OUTCOME], "client_addr", x.t[T_ADDR], "request_id", x.t[T_REQUEST], "detail",
		      x.t[T_DETAIL], "hash", x.t[T_HASH]);
	/* never a page one entry short: that would end the auditor's paging */
	if (!j || json_array_append_new(arg, j) != 0)
		return WB_ENOMEM;
	return WB_OK;
}

static int auditor_only(http_req *r, const sec_principal *p)
{
	if (!p->def->read_audit) {
		api_error(r, 403, "forbidden", "only the auditor may read the audit log", NULL);
		return 0;
	}
	return 1;
}

/* ?from= and ?to= (days, China Standard Time, both included) as times and
 * the range of seq that holds them. 0 once answered (422), else 1. */
static int audit_days(http_req *r, store_conn *c, audit_filter *f)
{
	int ymd_from, ymd_to, rc = WB_OK;

	if (api_query_days(r, &ymd_from, &ymd_to))
		return 0;
	/* the seq bounds a minute wider than the days: the entries of one
	 * batch may be a little out of time order */
	if (ymd_from) {
		f->from_at = date_day_start(ymd_from);
		rc = store_audit_seq_at(c, f->from_at - 60, &f->min_seq);
	}
	if (ymd_to && rc == WB_OK) {
		f->to_at = date_day_start(date_add_days(ymd_to, 1));
		rc = store_audit_seq_at(c, f->to_at + 60, &f->max_seq);
	}
	if (rc)
		return api_fail(r, rc), 0;
	return 1;
}

/* ?username=: the account of the caller's county by that name, as the
 * user id the log is indexed by; a name no account has, as the entries
 * without an account under it (failed logins). 0 once answered (422),
 * else 1. */
static int audit_username(http_req *r, store_conn *c, const sec_principal *p, audit_filter *f)
{
	const char *name = http_query(r, "username");
	user_rec u;
	int rc;

	if (!name || !*name)
		return 1;
	if (f->user_id)
		return api_error(r, 422, "validation_failed", "give either user_id or username, not both", "username");
	if (strlen(name) > 63)
		return api_error(r, 422, "validation_failed", "username is at most 63 characters", "username");
	rc = store_user_by_name(c, name, &u);
	if (rc == WB_ENOTFOUND || (rc == WB_OK && strcmp(u.county_code, p->county_code) != 0)) {
		/* no account by that name here: the attempts to log in under it */
		f->username = name;
		return 1;
	}
	if (rc)
		return api_fail(r, rc), 0;
	f->user_id = u.id;
	return 1;
}

/* The filters the list and the report share: the caller must be the
 * auditor; action, object_type, object_id, user_id or username and the
 * days from and to from the query. 0 once answered (403, 422). */
static int audit_filter_from(http_req *r, store_conn *c, const sec_principal *p, audit_filter *f)
{
	memset(f, 0, sizeof(*f));
	if (!auditor_only(r, p))
		return 0;
	f->action = http_query(r, "action");
	f->object_type = http_query(r, "object_type");
	f->object_id = http_query(r, "object_id");
	return api_query_id(r, "user_id", NULL, &f->user_id) == 0 && audit_username(r, c, p, f) && audit_days(r, c, f);
}

/* The filter of a read of the log, as asked (a user filter by account or
 * by name; none is null, not 0), for its audit entry: codes, record ids,
 * an account and days, never an entry's content. A new reference. */
static json_t *filter_detail(http_req *r, const audit_filter *f)
{
	return json_pack("{s:s?, s:s?, s:s?, s:o, s:s?, s:s?, s:s?}", "action", f->action, "object_type",
			 f->object_type, "object_id", f->object_id, "user_id",
			 f->user_id ? json_integer(f->user_id) : json_null(), "username", http_query(r, "username"),
			 "from", http_query(r, "from"), "to", http_query(r, "to"));
}

int api_audit_list(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	audit_filter f;
	audit_entry e;
	json_t *items, *j, *d;
	int64_t cursor;
	int rc;

	if (!audit_filter_from(r, c, p, &f) || api_limit(r, 100, 1000, &f.limit) ||
	    api_query_id(r, "cursor", "cursor is not valid", &f.before_seq))
		return 0;
	cursor = f.before_seq;
	items = json_array();
	rc = store_audit_list(c, p->county_code, &f, audit_item, items);
	if (rc) {
		json_decref(items);
		return api_fail(r, rc);
	}
	/* the read itself, with its filter and its page (where it began, how
	 * many asked and shown); answered once the entry is durable */
	api_audit_init(r, p, &e);
	audit_entry_set(&e, "audit.read", "audit_log", "", "ok");
	d = filter_detail(r, &f);
	if (d) {
		json_object_set_new(d, "cursor", cursor ? json_integer(cursor) : json_null());
		json_object_set_new(d, "limit", json_integer(f.limit));
		json_object_set_new(d, "rows", json_integer((json_int_t)json_array_size(items)));
	}
	api_audit_detail(&e, d);
	if (api_audit_read(r, a, &e) != WB_OK) {
		json_decref(items);
		return api_fail(r, WB_ESTORE);
	}
	j = json_pack("{s:o}", "items", items);
	if (j) {
		size_t n = json_array_size(items);

		json_object_set_new(
			j, "next_cursor",
			n == (size_t)f.limit
				? json_integer(json_integer_value(json_object_get(json_array_get(items, n - 1), "seq")))
				: json_null());
	}
	return api_json(r, 200, j);
}

/* ---- the audit report: the filtered log as CSV ---- */

#define AUDIT_EXPORT_MAX 100000

static const char *const report_cols_zh[] = {
	"序号", "时间 (北京时间)", "用户",   "用户ID", "角色", "操作", "对象类型", "对象",
	"结果", "客户端地址",      "请求ID", "详情",   "哈希"};
static const char *const report_cols_en[] = {
	"No.",     "Time (Beijing time)", "User name",  "User ID", "Role", "Action", "Record type", "Record ID",
	"Outcome", "Client address",      "Request ID", "Detail",  "Hash"};
#define REPORT_NCOLS (sizeof(report_cols_en) / sizeof(report_cols_en[0]))

typedef struct report {
	api_sheet *sh;
	int en; /* the cells' words: English, else Chinese */
	int n;
	int64_t last_seq;
} report;

static int report_row(const audit_rec *ar, void *arg)
{
	report *x = arg;
	char seq[24], at[32], uid[24];
	const char *role;
	shown sh;

	/* a row is at most a few KiB (detail is capped at 511 bytes): stop
	 * before the response's cap rather than leave a row half-written */
	if (x->sh->fmt == SHEET_CSV && x->sh->out->len + 8192 > x->sh->out->max)
		return WB_ETOOBIG;
	time_t t = (time_t)(ar->at + 8 * 3600); /* China Standard Time, whatever the server's zone */
	struct tm tm;

	wb_snprintf(seq, sizeof(seq), "%" PRId64, ar->seq);
	if (gmtime_r(&t, &tm))
		strftime(at, sizeof(at), "%Y-%m-%d %H:%M:%S", &tm);
	else
		at[0] = '\0';
	wb_snprintf(uid, sizeof(uid), "%" PRId64, ar->user_id);
	/* the role, action, record type and outcome in the report's language,
	 * as the auditor's page says them; a code no table knows as it is */
	shown_of(ar, &sh);
	role = x->en ? role_label_en(sh.t[T_ROLE]) : role_label_zh(sh.t[T_ROLE]);
	{
		const char *cells[] = {seq,
				       at,
				       sh.t[T_USER],
				       ar->user_id ? uid : "",
				       role,
				       sheet_word_of(audit_action_words, sh.t[T_ACTION], x->en),
				       sheet_word_of(audit_object_words, sh.t[T_TYPE], x->en),
				       sh.t[T_ID],
				       sheet_word_of(audit_outcome_words, sh.t[T_OUTCOME], x->en),
				       sh.t[T_ADDR],
				       sh.t[T_REQUEST],
				       sh.t[T_DETAIL],
				       sh.t[T_HASH]};

		api_sheet_row(x->sh, cells, REPORT_NCOLS);
	}
	x->n++;
	x->last_seq = ar->seq;
	return WB_OK;
}

int api_audit_export(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	api_sheet sh;
	audit_filter f;
	report x = {&sh, 0, 0, 0};
	int fmt, en, rc;

	if (!audit_filter_from(r, c, p, &f) || api_sheet_params(r, SHEET_CSV, 0, &fmt, &en))
		return 0;
	x.en = en;
	rc = api_sheet_begin(&sh, r, fmt, en, en ? "Audit" : "审计日志", report_cols_zh, report_cols_en, REPORT_NCOLS);
	if (rc)
		return api_fail(r, rc);
	/* newest first, a page at a time; one entry more than allowed says the
	 * filter is too wide (a report cut short would mislead) */
	while (rc == WB_OK && x.n <= AUDIT_EXPORT_MAX) {
		int before = x.n;

		f.before_seq = x.last_seq;
		f.limit = 1000;
		rc = store_audit_list(c, p->county_code, &f, report_row, &x);
		if (x.n - before < 1000)
			break;
	}
	if (rc || x.n > AUDIT_EXPORT_MAX) {
		api_sheet_drop(&sh);
		buf_reset(&r->out);
	}
	if (rc == WB_ETOOBIG || x.n > AUDIT_EXPORT_MAX) {
		return api_error(
			r, 422, "too_many_entries",
			rc ? "the report would be larger than a response may be: narrow it by action, record or user"
			   : "more than 100,000 entries match: narrow the report by action, record or user",
			NULL);
	}
	if (rc)
		return api_fail(r, rc);
	/* the report's whole filter, as asked */
	api_sheet_audited_end(&sh, r, a, p, "audit.export", "audit_log", filter_detail(r, &f), "audit",
			      clock_today_ymd());
	return 0;
}

int api_audit_verify(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	int64_t count = 0, bad = 0;
	const char *reason = NULL;
	int rc;

	if (!auditor_only(r, p))
		return 0;
	rc = audit_verify(c, &a->keys, &count, &bad, &reason);
	/* one chain holds every county's entries: entries is the database's,
	 * labelled so */
	if (rc == WB_OK)
		return api_json(
			r, 200,
			json_pack("{s:b, s:I, s:s}", "ok", 1, "entries", (json_int_t)count, "scope", "database"));
	if (rc == WB_ECONFLICT && bad == 0) /* no entry at fault: the head's record is gone */
		return api_json(r, 200,
				json_pack("{s:b, s:I, s:s, s:n, s:s}", "ok", 0, "entries", (json_int_t)count, "scope",
					  "database", "first_bad_seq", "reason", reason));
	if (rc == WB_ECONFLICT)
		return api_json(r, 200,
				json_pack("{s:b, s:I, s:s, s:I, s:s}", "ok", 0, "entries", (json_int_t)count, "scope",
					  "database", "first_bad_seq", (json_int_t)bad, "reason", reason));
	return api_fail(r, rc);
}

int api_healthz(http_req *r, void *ctx)
{
	(void)ctx;
	r->status = 200;
	r->content_type = "application/json";
	buf_puts(&r->out, "{\"status\":\"ok\"}");
	return 0;
}

/* GET /api/v1/system: the administrator's status card. Counts and sizes
 * only, and the newest backup recorded in the audit log. */
int api_system_status(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	system_status st;
	json_t *j, *backup = json_null();
	int rc;

	if (!api_admin_only(r, p, "only an administrator may see the system's status"))
		return 0;
	rc = store_system_status(c, p->county_code, &st);
	if (rc)
		return api_fail(r, rc);
	if (st.backup_at) {
		json_t *d = json_loads(st.backup_detail, 0, NULL);

		backup = json_pack("{s:I, s:s, s:I}", "at", (json_int_t)st.backup_at, "outcome", st.backup_outcome,
				   "bytes", (json_int_t)json_integer_value(json_object_get(d, "bytes")));
		json_decref(d);
	}
	j = json_pack("{s:s, s:i, s:s, s:I, s:I, s:I, s:I, s:I, s:o}", "version", WEIBAO_VERSION, "schema",
		      store_latest_version(), "driver", store_driver_name(a->db), "database_bytes",
		      (json_int_t)st.database_bytes, "children", (json_int_t)st.children, "accounts",
		      (json_int_t)st.accounts, "audit_entries", (json_int_t)st.audit_entries, "audit_entries_database",
		      (json_int_t)st.audit_entries_database, "last_backup", backup);
	return api_json(r, 200, j);
}
