/*
 * /api/v1/audit: the auditor reads and verifies the log. There is no route
 * that writes or changes it.
 */
#include <inttypes.h>
#include <string.h>

#include "../util/wb.h"
#include "api.h"

static int audit_item(const audit_rec *ar, void *arg)
{
	json_array_append_new(arg, json_pack("{s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "seq",
					     (json_int_t)ar->seq, "at", (json_int_t)ar->at, "user_id",
					     (json_int_t)ar->user_id, "username", ar->username, "role", ar->role,
					     "action", ar->action, "object_type", ar->object_type, "object_id",
					     ar->object_id, "outcome", ar->outcome, "client_addr", ar->client_addr,
					     "request_id", ar->request_id, "detail", ar->detail, "hash", ar->hash));
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

int api_audit_list(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	audit_filter f;
	json_t *items, *j;
	int rc;

	(void)a;
	if (!auditor_only(r, p))
		return 0;
	memset(&f, 0, sizeof(f));
	if (api_limit(r, 100, 1000, &f.limit))
		return 0;
	f.action = http_query(r, "action");
	f.object_type = http_query(r, "object_type");
	f.object_id = http_query(r, "object_id");
	if (api_query_id(r, "user_id", NULL, &f.user_id) ||
	    api_query_id(r, "cursor", "cursor is not valid", &f.before_seq))
		return 0;
	items = json_array();
	rc = store_audit_list(c, p->county_code, &f, audit_item, items);
	if (rc) {
		json_decref(items);
		return api_fail(r, rc);
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

int api_audit_verify(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	int64_t count = 0, bad = 0;
	const char *reason = NULL;
	int rc;

	if (!auditor_only(r, p))
		return 0;
	rc = audit_verify(c, &a->keys, &count, &bad, &reason);
	if (rc == WB_OK)
		return api_json(r, 200, json_pack("{s:b, s:I}", "ok", 1, "entries", (json_int_t)count));
	if (rc == WB_ECONFLICT)
		return api_json(r, 200,
				json_pack("{s:b, s:I, s:I, s:s}", "ok", 0, "entries", (json_int_t)count,
					  "first_bad_seq", (json_int_t)bad, "reason", reason));
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

static int user_item(const user_rec *u, void *arg)
{
	json_array_append_new(arg, json_pack("{s:I, s:s, s:s, s:b, s:I}", "id", (json_int_t)u->id, "username",
					     u->username, "display_name", u->display_name, "locked", u->locked,
					     "created_at", (json_int_t)u->created_at));
	return WB_OK;
}

int api_users_list(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	json_t *items;
	int rc;

	(void)a;
	if (!p->def->manage_users)
		return api_error(r, 403, "forbidden", "only an administrator may list accounts", NULL);
	items = json_array();
	rc = store_user_list(c, user_item, items);
	if (rc) {
		json_decref(items);
		return api_fail(r, rc);
	}
	return api_json(r, 200, json_pack("{s:o}", "items", items));
}
