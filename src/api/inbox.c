/*
 * /api/v1/inbox: every user's in-app messages of the closed loop (a step
 * that concerns them, an overdue alert), with the unread count; and
 * /api/v1/webhooks: the outgoing webhook of an organisation unit (the
 * county, a township, a department or organisation) that SMS or WeChat
 * gateways receive, with its delivery log.
 *
 * A message names the event, the request and the step, never a child:
 * whoever opens the request reads it under their own access rules. The
 * inbox page (?names=true) names the child of a visit concern, read at
 * that time from the child's record under the reader's scope, audited
 * (inbox.list).
 * Webhook secrets are stored encrypted with the master key (they are
 * needed in clear to sign) and never shown again after they are set.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../domain/area.h"
#include "../util/clock.h"
#include "../util/wb.h"
#include "visits_api.h"
#include "loop.h"
#include "sheet.h"

#define LIST_DEFAULT 50
#define LIST_MAX     200

/* ---- the inbox ---- */

static int inbox_item(const inbox_rec *m, void *arg)
{
	json_t *j = json_pack("{s:I, s:s, s:b}", "id", (json_int_t)m->id, "event", m->event, "read", m->read_at != 0);

	json_object_set_new(j, "request_id", m->request_id ? json_integer(m->request_id) : json_null());
	json_object_set_new(j, "referral_id", m->referral_id ? json_integer(m->referral_id) : json_null());
	json_object_set_new(j, "stage", m->stage[0] ? json_string(m->stage) : json_null());
	json_object_set_new(j, "due_at", loop_time(m->due_at));
	json_object_set_new(j, "created_at", json_integer(m->created_at));
	json_object_set_new(j, "read_at", loop_time(m->read_at));
	json_object_set_new(j, "items", m->items ? json_integer(m->items) : json_null());
	json_object_set_new(j, "kind", m->kind[0] ? json_string(m->kind) : json_null());
	json_object_set_new(j, "child_id", m->child_id ? json_integer(m->child_id) : json_null());
	/* a referral's message names the unit referred to: two referrals of
	 * one request at the same stage are told apart */
	json_object_set_new(j, "unit_name", m->unit_name[0] ? json_string(m->unit_name) : json_null());
	/* the membership the message was addressed to (one of the reader's,
	 * unless removed since): the page offers to act in it */
	json_object_set_new(j, "membership_id", m->membership_id ? json_integer(m->membership_id) : json_null());
	api_list_add(arg, j, m->id);
	return WB_OK;
}

typedef struct concern_ctx {
	json_t *items;
	int named;
} concern_ctx;

static int concern_cb(const inbox_concern *x, void *arg)
{
	concern_ctx *k = arg;
	size_t i;
	json_t *it;

	json_array_foreach(k->items, i, it)
	{
		if (json_integer_value(json_object_get(it, "id")) != x->message_id)
			continue;
		json_t *child = json_pack("{s:s, s:s, s:o, s:s?}", "name", x->child_name, "village_name",
					  x->village_name, "flags", visits_flags_json(x->flags), "risk_level",
					  x->risk_level[0] ? x->risk_level : NULL);

		/* the visit was recorded by mistake: what it found is not so */
		if (child && x->voided)
			json_object_set_new(child, "voided", json_true());
		json_object_set_new(it, "child", child);
		k->named++;
		break;
	}
	return WB_OK;
}

/* Names the child of each visit.concern message in items — its name, its
 * village and what the visit recorded at the message's time found — read
 * now from the child's record under the reader's scope, so a message names
 * only a child the reader may see today (one moved out of the scope or
 * archived stays a number), and a corrected name shows; the page's
 * messages in one query. The count named into *named. */
static int name_concerns(store_conn *c, const sec_principal *p, json_t *items, int *named)
{
	size_t i, n = json_array_size(items);
	int64_t *ids;
	concern_ctx k = {items, 0};
	json_t *it;
	int m = 0, rc;

	*named = 0;
	if (n == 0)
		return WB_OK;
	ids = malloc(n * sizeof(*ids));
	if (!ids)
		return WB_ENOMEM;
	json_array_foreach(items, i, it)
	{
		const char *ev = json_string_value(json_object_get(it, "event"));

		if (ev && strcmp(ev, "visit.concern") == 0 && json_integer_value(json_object_get(it, "child_id")) > 0)
			ids[m++] = json_integer_value(json_object_get(it, "id"));
	}
	rc = m ? store_inbox_concerns(c, &p->scope, p->user_id, ids, m, concern_cb, &k) : WB_OK;
	free(ids);
	*named = k.named;
	return rc;
}

int api_inbox_list(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	const char *s = http_query(r, "unread");
	int unread_only = s && strcmp(s, "true") == 0;
	int64_t before = 0, unread = 0;
	api_list l;
	int limit, rc;
	json_t *j;

	if (api_limit(r, LIST_DEFAULT, LIST_MAX, &limit))
		return 0;
	if (api_query_cursor(r, &before))
		return 0;
	api_list_init(&l);
	rc = store_inbox_unread(c, p->user_id, &unread);
	if (rc == WB_OK)
		rc = store_inbox_list(c, p->user_id, unread_only, before, limit, inbox_item, &l);
	if (rc) {
		api_list_cleanup(&l);
		return api_fail(r, rc);
	}
	/* ?names=true (the inbox page, not the bell's count): a visit concern
	 * names its child, and a page that names children is audited as a
	 * list of children is */
	s = http_query(r, "names");
	if (s && strcmp(s, "true") == 0) {
		int named = 0;

		rc = name_concerns(c, p, l.items, &named);
		if (rc) {
			api_list_cleanup(&l);
			return api_fail(r, rc);
		}
		if (named) {
			audit_entry e;

			api_audit_init(r, p, &e);
			audit_entry_set(&e, "inbox.list", "child", "", "ok");
			api_audit_detail(&e, json_pack("{s:i}", "children_named", named));
			if (api_audit_read(r, a, &e) != WB_OK) {
				api_list_cleanup(&l);
				return api_fail(r, WB_ESTORE);
			}
		}
	}
	j = api_list_page(&l, limit);
	if (j)
		json_object_set_new(j, "unread", json_integer(unread));
	return api_json(r, 200, j);
}

typedef struct mark_job {
	int64_t user_id;
	int64_t id;    /* 0: all */
	int64_t up_to; /* all: those up to this id (0: every one) */
	int64_t now;
	int64_t marked; /* how many were unread */
} mark_job;

static int mark_fn(store_conn *c, void *arg)
{
	mark_job *j = arg;

	if (j->id)
		return store_inbox_mark(c, j->user_id, j->id, j->now, &j->marked);
	return store_inbox_mark_all(c, j->user_id, j->up_to, j->now, &j->marked);
}

static int mark(http_req *r, app *a, const sec_principal *p, int64_t id, int64_t up_to)
{
	mark_job j = {p->user_id, id, up_to, clock_now(), 0};
	int64_t unread = 0;
	int rc;

	api_conn_release(r); /* the job runs on the writer's connection */
	rc = audit_submit(a->audit, NULL, mark_fn, &j);
	if (rc)
		return api_fail(r, rc);
	store_inbox_unread(api_conn(r), p->user_id, &unread);
	return api_json(r, 200, json_pack("{s:I, s:I}", "marked", (json_int_t)j.marked, "unread", (json_int_t)unread));
}

int api_inbox_read(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	int64_t id;

	(void)c;
	if (api_id_param(r, "id", &id))
		return 0;
	return mark(r, a, p, id, 0);
}

/* ?up_to=: the newest message the reader was shown (the page's first), so
 * that one which came in since is not marked read unseen. */
int api_inbox_read_all(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	int64_t up_to = 0;

	(void)c;
	if (api_query_id(r, "up_to", "up_to must be the id of the newest message shown", &up_to))
		return 0;
	return mark(r, a, p, 0, up_to);
}

/* ---- webhooks ---- */

static int may_manage_hooks(http_req *r, const sec_principal *p)
{
	if (strcmp(p->role, "center") == 0 || strcmp(p->role, "admin") == 0)
		return 1;
	api_error(r, 403, "forbidden", "webhooks are set by the centre or the administrator", NULL);
	return 0;
}

/* The owner of a webhook: {kind, area_code or unit_id, name} (name null
 * when unknown). */
static json_t *owner_json(store_conn *c, const char *owner)
{
	json_t *j;
	char name[128] = "";

	if (strncmp(owner, "unit:", 5) == 0) {
		long long id = 0;
		unit_rec u;

		wb_parse_int64(owner + 5, 1, INT64_MAX, &id);
		j = json_pack("{s:s, s:I}", "kind", "unit", "unit_id", (json_int_t)id);
		if (api_unit_get(c, id, &u) == WB_OK)
			wb_strlcpy(name, u.name, sizeof(name));
	} else {
		j = json_pack("{s:s, s:s}", "kind", "area", "area_code", owner + 5);
		if (api_area_name(c, owner + 5, name, sizeof(name)) != WB_OK)
			name[0] = '\0';
	}
	json_object_set_new(j, "name", name[0] ? json_string(name) : json_null());
	return j;
}

static json_t *webhook_json(store_conn *c, const webhook_rec *w)
{
	return json_pack("{s:I, s:o, s:s, s:b, s:b, s:I, s:I}", "id", (json_int_t)w->id, "owner",
			 owner_json(c, w->owner), "url", w->url, "enabled", w->enabled, "secret_set",
			 w->secret_enc[0] != 0, "created_at", (json_int_t)w->created_at, "updated_at",
			 (json_int_t)w->updated_at);
}

/* The county's webhooks, copied while the list's statement runs: their
 * owners' names are read after it. */
typedef struct hook_list {
	webhook_rec *w;
	size_t n, cap;
} hook_list;

static int hook_cb(const webhook_rec *w, void *arg)
{
	hook_list *l = arg;
	int rc = wb_grow(&l->w, l->n, &l->cap, sizeof(*l->w), 8, 4096);

	if (rc == WB_OK)
		l->w[l->n++] = *w;
	return rc;
}

static const sheet_word owner_kinds[] = {
	{"area", "地区", "Area"},
	{"unit", "单位", "Unit"},
	{NULL, NULL, NULL},
};
static const sheet_col hook_cols[] = {
	{"编号", "ID", "id", SC_INT, NULL},
	{"接收方类型", "Owner kind", "owner.kind", SC_WORD, owner_kinds},
	{"地区代码", "Area code", "owner.area_code", SC_TEXT, NULL},
	{"单位编号", "Unit ID", "owner.unit_id", SC_INT, NULL},
	{"接收方", "Owner", "owner.name", SC_TEXT, NULL},
	{"地址", "URL", "url", SC_TEXT, NULL},
	{"启用", "Enabled", "enabled", SC_BOOL, NULL},
	{"已设密钥", "Secret set", "secret_set", SC_BOOL, NULL},
	{"更新时间", "Updated at", "updated_at", SC_TIME, NULL},
};

int api_webhooks_list(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	hook_list l = {NULL, 0, 0};
	json_t *items;
	int rc, fmt, en;

	if (!may_manage_hooks(r, p) || api_sheet_params(r, SHEET_JSON, 1, &fmt, &en))
		return 0;
	rc = store_webhook_list(c, p->county_code, hook_cb, &l);
	if (rc) {
		free(l.w);
		return api_fail(r, rc);
	}
	items = json_array();
	for (size_t i = 0; i < l.n; i++)
		json_array_append_new(items, webhook_json(c, &l.w[i]));
	free(l.w);
	if (fmt != SHEET_JSON)
		return api_sheet_items(r, a, p, items, fmt, en, en ? "Webhooks" : "消息推送", "webhooks", hook_cols,
				       WB_ARRAY_LEN(hook_cols), NULL, NULL, NULL);
	return api_json(r, 200, json_pack("{s:o}", "items", items));
}

static const api_field hook_fields[] = {
	{"unit_id", JSON_INTEGER, 0, 0}, {"area_code", JSON_STRING, 0, 32}, {"url", JSON_STRING, 1, 500},
	{"secret", JSON_STRING, 0, 64},  {"enabled", JSON_TRUE, 0, 0},      {NULL, 0, 0, 0},
};

typedef struct hook_job {
	webhook_rec *w;
	int created;
} hook_job;

static int hook_fn(store_conn *c, void *arg)
{
	hook_job *j = arg;

	return store_webhook_upsert(c, j->w, &j->created);
}

static int url_ok(const char *u)
{
	size_t n = strlen(u);

	if (strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)u[i] <= 0x20 || (unsigned char)u[i] >= 0x7F)
			return 0;
	return n > 8;
}

int api_webhooks_set(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	json_t *body = NULL, *unit = NULL, *en, *out;
	const char *area, *secret;
	webhook_rec w, old;
	hook_job j = {&w, 0};
	char generated[SEC_TOKEN_LEN] = "";
	audit_entry e;
	int have_old, rc;

	if (!may_manage_hooks(r, p))
		return 0;
	if (api_body(r, &body) || api_check_fields(r, body, hook_fields))
		goto out;
	memset(&w, 0, sizeof(w));
	wb_strlcpy(w.county_code, p->county_code, sizeof(w.county_code));
	unit = json_object_get(body, "unit_id");
	area = api_str(body, "area_code");
	if ((unit && json_is_integer(unit)) == (area != NULL)) {
		api_error(r, 422, "required", "give either unit_id or area_code (the county or a township)", "unit_id");
		goto out;
	}
	if (area) {
		area_rec ar;

		if ((strlen(area) != 6 && strlen(area) != 9) || store_area_get(c, area, &ar) != WB_OK ||
		    strcmp(ar.county_code, p->county_code) != 0) {
			api_error(r, 422, "validation_failed", "area_code must be your county or one of its townships",
				  "area_code");
			goto out;
		}
		wb_snprintf(w.owner, sizeof(w.owner), "area:%s", area);
	} else {
		unit_rec u;

		if (store_unit_get(c, json_integer_value(unit), &u) != WB_OK ||
		    strcmp(u.county_code, p->county_code) != 0) {
			api_error(r, 422, "validation_failed", "unit_id must be a unit of your county", "unit_id");
			goto out;
		}
		wb_snprintf(w.owner, sizeof(w.owner), "unit:%" PRId64, u.id);
	}
	if (!url_ok(api_str(body, "url"))) {
		api_error(r, 422, "validation_failed", "url must be an http:// or https:// address", "url");
		goto out;
	}
	wb_strlcpy(w.url, api_str(body, "url"), sizeof(w.url));
	en = json_object_get(body, "enabled");
	w.enabled = !en || json_is_null(en) || json_is_true(en);
	have_old = store_webhook_find(c, p->county_code, w.owner, &old) == WB_OK;
	secret = api_str(body, "secret");
	if (secret && (strlen(secret) < 16 || strspn(secret, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
							     "0123456789-_.~+/=") != strlen(secret))) {
		api_error(r, 422, "validation_failed",
			  "secret must have 16 to 64 letters, digits or -_.~+/=", "secret");
		goto out;
	}
	if (!secret && have_old) {
		wb_strlcpy(w.secret_enc, old.secret_enc, sizeof(w.secret_enc));
	} else {
		if (!secret) {
			sec_token_new(generated);
			secret = generated;
		}
		if (sec_encrypt_field(&a->keys, secret, w.secret_enc) != WB_OK) {
			api_fail(r, WB_ECRYPTO);
			goto out;
		}
	}
	w.updated_at = clock_now();
	api_audit_init(r, p, &e);
	audit_entry_set(&e, "webhook.set", "webhook", w.owner, "ok");
	{
		/* where the messages go, without credentials or the query (they
		 * may hold a gateway's token): a redirected endpoint leaves a trace */
		char where[256];
		const char *host = strstr(w.url, "://"), *at;
		size_t scheme = host ? (size_t)(host - w.url) + 3 : 0;

		host = w.url + scheme;
		at = strchr(host, '@');
		if (at && at < host + strcspn(host, "/?#"))
			host = at + 1;
		wb_snprintf(where, sizeof(where), "%.*s%.*s", (int)scheme, w.url, (int)strcspn(host, "?#"), host);
		api_audit_detail(&e, json_pack("{s:b, s:b, s:s}", "enabled", w.enabled, "secret_changed",
					       !have_old || api_str(body, "secret"), "url", where));
	}
	rc = audit_submit(a->audit, &e, hook_fn, &j);
	loop_webhooks_forget(p->county_code);
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	out = webhook_json(c, &w);
	/* a secret the server made is shown once, now */
	if (out && generated[0])
		json_object_set_new(out, "secret", json_string(generated));
	api_json(r, j.created ? 201 : 200, out);
out:
	json_decref(body);
	return 0;
}

static int dlv_cb(const delivery_rec *d, void *arg)
{
	json_t *j = json_pack("{s:I, s:I, s:s, s:s, s:i, s:I}", "id", (json_int_t)d->id, "webhook_id",
			      (json_int_t)d->webhook_id, "event", d->event, "state", d->state, "attempts", d->attempts,
			      "created_at", (json_int_t)d->created_at);
	json_t *payload = json_loads(d->payload, 0, NULL);

	json_object_set_new(j, "payload", payload ? payload : json_null());
	json_object_set_new(j, "last_status", d->last_status ? json_integer(d->last_status) : json_null());
	json_object_set_new(j, "last_error", d->last_error[0] ? json_string(d->last_error) : json_null());
	json_object_set_new(j, "next_attempt_at",
			    strcmp(d->state, "pending") == 0 ? json_integer(d->next_attempt_ms / 1000) : json_null());
	json_object_set_new(j, "delivered_at", loop_time(d->delivered_at));
	api_list_add(arg, j, d->id);
	return WB_OK;
}

static const sheet_word delivery_states[] = {
	{"pending", "待发送", "Pending"},
	{"delivered", "已送达", "Delivered"},
	{"failed", "失败", "Failed"},
	{NULL, NULL, NULL},
};
static const sheet_col delivery_cols[] = {
	{"编号", "ID", "id", SC_INT, NULL},
	{"推送编号", "Webhook ID", "webhook_id", SC_INT, NULL},
	{"事件", "Event", "event", SC_TEXT, NULL},
	{"求助编号", "Request ID", "payload.request_id", SC_INT, NULL},
	{"状态", "State", "state", SC_WORD, delivery_states},
	{"尝试次数", "Attempts", "attempts", SC_INT, NULL},
	{"最后响应码", "Last status", "last_status", SC_INT, NULL},
	{"最后错误", "Last error", "last_error", SC_TEXT, NULL},
	{"创建时间", "Created at", "created_at", SC_TIME, NULL},
	{"下次尝试", "Next attempt", "next_attempt_at", SC_TIME, NULL},
	{"送达时间", "Delivered at", "delivered_at", SC_TIME, NULL},
};
#define DELIVERIES_EXPORT_MAX 20000

int api_webhook_deliveries(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	const char *state = NULL;
	int64_t hook = 0, before = 0;
	api_list l;
	int limit, rc, fmt, en;

	if (!may_manage_hooks(r, p) || api_limit(r, LIST_DEFAULT, LIST_MAX, &limit) ||
	    api_sheet_params(r, SHEET_JSON, 1, &fmt, &en))
		return 0;
	if (fmt != SHEET_JSON)
		limit = DELIVERIES_EXPORT_MAX; /* the whole filtered log, not a page */
	if (api_query_id(r, "webhook_id", NULL, &hook) || api_query_cursor(r, &before))
		return 0;
	if ((state = http_query(r, "state")) && strcmp(state, "pending") != 0 && strcmp(state, "delivered") != 0 &&
	    strcmp(state, "failed") != 0)
		return api_error(r, 422, "validation_failed", "state must be pending, delivered or failed", "state");
	api_list_init(&l);
	rc = store_deliveries_list(c, p->county_code, hook, state, before, limit, dlv_cb, &l);
	if (rc) {
		api_list_cleanup(&l);
		return api_fail(r, rc);
	}
	if (fmt != SHEET_JSON) {
		json_t *page = api_list_page(&l, limit), *items = json_incref(json_object_get(page, "items"));

		json_decref(page);
		return api_sheet_items(r, a, p, items, fmt, en, en ? "Deliveries" : "推送记录", "webhook-deliveries",
				       delivery_cols, WB_ARRAY_LEN(delivery_cols), NULL, NULL, NULL);
	}
	return api_json(r, 200, api_list_page(&l, limit));
}
