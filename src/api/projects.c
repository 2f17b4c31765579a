/*
 * Charity projects (社会参与, SPEC §7):
 *
 *   GET  /api/v1/projects                         the projects the caller may see, with totals
 *   POST /api/v1/projects                         a new project (the centre, or an organisation for itself)
 *   GET  /api/v1/projects/{id}                    one project: children, money, log
 *   PATCH /api/v1/projects/{id}                   its facts and status (the centre, the organisation)
 *   POST /api/v1/projects/{id}/children           a child the project serves (the centre, townships)
 *   POST /api/v1/projects/{id}/children/{child_id}/remove
 *   POST /api/v1/projects/{id}/funds              a donation or a spending (the centre, the organisation)
 *   POST /api/v1/projects/{id}/funds/{fid}/reverse the reversal (冲正) of a line entered by mistake
 *   GET  /api/v1/children/{id}/projects           the projects serving a child
 *
 * Who sees what: the committee and the centre see the county's projects,
 * a township's supervisor and station those of their township (by the
 * project's area or a child it serves there), an organisation its own.
 * The children a project serves are named to the centre, to the
 * organisation running it (name and village, never the file) and to a
 * township for its own children; the committee sees how many. A read that
 * names children is audited.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../domain/area.h"
#include "../domain/date.h"
#include "../domain/project.h"
#include "../store/q_projects.h"
#include "../util/clock.h"
#include "../util/wb.h"
#include "api.h"
#include "sheet.h"

#define NAME_CHARS     64
#define TEXT_CHARS     600
#define NOTE_CHARS     200
#define AMOUNT_MAX     10000000000LL /* 100 million yuan, in fen */
#define PROJECTS_MAX   100000
#define FUND_DAYS_BACK 3660
#define STARTED_MIN    "2000-01-01" /* no project of the county started before it */

enum access { PA_NONE = 0, PA_READ, PA_WRITE };

/* What the caller may do with project pr. */
static enum access access_of(store_conn *c, const sec_principal *p, const project_rec *pr)
{
	if (api_role_is(p, "center"))
		return PA_WRITE;
	if (api_role_is(p, "committee"))
		return PA_READ;
	if (api_role_is(p, "org"))
		return pr->org_id == p->unit_id ? PA_WRITE : PA_NONE;
	if (api_township_desk(p)) {
		if (pr->area_code[0] && strcmp(pr->area_code, p->scope.lo) >= 0 &&
		    strcmp(pr->area_code, p->scope.hi) < 0)
			return PA_READ;
		return store_project_in_area(c, pr->id, p->scope.lo, p->scope.hi) ? PA_READ : PA_NONE;
	}
	return PA_NONE;
}

/* The project id of the path, read and checked: 0, or -1 after the answer
 * (404 when it does not exist or the caller may not see it, 403 when the
 * caller may see it but not do what is asked). */
static int project_load(http_req *r, store_conn *c, const sec_principal *p, enum access need, project_rec *pr,
			enum access *got)
{
	int64_t id;
	int rc;

	if (api_id_param(r, "id", &id))
		return -1;
	rc = store_project_get(c, p->county_code, id, pr);
	if (rc)
		return api_fail(r, rc), -1;
	*got = access_of(c, p, pr);
	if (*got == PA_NONE)
		return api_error(r, 404, "not_found", "no such project", NULL), -1;
	if (*got < need)
		return api_error(r, 403, "forbidden", "the centre and the organisation running it change a project",
				 NULL),
		       -1;
	return 0;
}

/* A hope room or a 1 + N plan without its township (saved before one was
 * required): no township sees it until the centre sets one. */
static int area_missing(const project_rec *pr)
{
	enum project_kind k = PK_SERVICE;

	return !pr->area_code[0] && project_kind_parse(pr->kind, &k) == WB_OK && project_children_max(k);
}

static json_t *project_json(const project_rec *pr)
{
	json_t *j = json_pack(
		"{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s?, s:s?, s:s?, s:I, s:I, s:I, s:I, s:I, "
		"s:I, s:I}",
		"id", (json_int_t)pr->id, "org_id", (json_int_t)pr->org_id, "org_name", pr->org_name, "kind", pr->kind,
		"status", pr->status, "name", pr->name, "description", pr->description, "budget_cents",
		(json_int_t)pr->budget_cents, "donor", pr->donor, "area_code", pr->area_code[0] ? pr->area_code : NULL,
		"started_on", pr->started_on[0] ? pr->started_on : NULL, "finished_on",
		pr->finished_on[0] ? pr->finished_on : NULL, "donated_cents", (json_int_t)pr->donated_cents,
		"spent_cents", (json_int_t)pr->spent_cents, "balance_cents",
		(json_int_t)(pr->donated_cents - pr->spent_cents), "children", (json_int_t)pr->children, "version",
		(json_int_t)pr->version, "created_at", (json_int_t)pr->created_at, "updated_at",
		(json_int_t)pr->updated_at);

	if (j)
		json_object_set_new(j, "area_missing", json_boolean(area_missing(pr)));
	return j;
}

/* ---- the list ---- */

typedef struct list_ctx {
	json_t *items;
	const char *status; /* the items' status, or NULL for all */
	int64_t by_status[PS__COUNT];
	int64_t donated, spent, children;
} list_ctx;

static int list_cb(const project_rec *pr, void *arg)
{
	list_ctx *x = arg;
	enum project_status s;

	if (json_array_size(x->items) >= PROJECTS_MAX)
		return WB_ETOOBIG;
	/* the counts cover every status, the items and totals the one asked */
	if (project_status_parse(pr->status, &s) == WB_OK)
		x->by_status[s]++;
	if (x->status && strcmp(pr->status, x->status) != 0)
		return WB_OK;
	x->donated += pr->donated_cents;
	x->spent += pr->spent_cents;
	if (strcmp(pr->status, "active") == 0)
		x->children += pr->children;
	json_array_append_new(x->items, project_json(pr));
	return WB_OK;
}

static const sheet_word project_kinds[] = {
	{"hope_room", "希望小屋", "Hope room"},
	{"one_plus_n", "“1+N”关爱", "\"1 + N\" care"},
	{"service", "服务项目", "Service programme"},
	{"fundraising", "募捐", "Fundraising"},
	{NULL, NULL, NULL},
};
/* A hope room's file says what its page says (在建, 建成): the status
 * column reads "shown_status", set for the file from the kind. */
static const sheet_word project_statuses[] = {
	{"planned", "计划", "Planned"},
	{"active", "实施中", "Under way"},
	{"done", "已完成", "Completed"},
	{"cancelled", "已取消", "Cancelled"},
	{"building", "在建", "Being built"},
	{"built", "建成", "Built"},
	{NULL, NULL, NULL},
};
static const sheet_col project_cols[] = {
	{"编号", "ID", "id", SC_INT, NULL},
	{"项目名称", "Project", "name", SC_TEXT, NULL},
	{"类型", "Kind", "kind", SC_WORD, project_kinds},
	{"状态", "Status", "shown_status", SC_WORD, project_statuses},
	{"社会组织", "Organisation", "org_name", SC_TEXT, NULL},
	{"捐赠方", "Donor", "donor", SC_TEXT, NULL},
	{"区划代码", "Area code", "area_code", SC_TEXT, NULL},
	{"所在区划", "Area", "area_code", SC_AREA, NULL},
	{"开始日期", "Started on", "started_on", SC_TEXT, NULL},
	{"完成日期", "Finished on", "finished_on", SC_TEXT, NULL},
	{"预算（元）", "Budget (yuan)", "budget_cents", SC_YUAN, NULL},
	{"募集（元）", "Donated (yuan)", "donated_cents", SC_YUAN, NULL},
	{"支出（元）", "Spent (yuan)", "spent_cents", SC_YUAN, NULL},
	{"结余（元）", "Balance (yuan)", "balance_cents", SC_YUAN, NULL},
	{"服务儿童", "Children served", "children", SC_INT, NULL},
};

int api_projects_list(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	const char *status = http_query(r, "status"), *kind = http_query(r, "kind"), *area = http_query(r, "area");
	project_filter f = {status, kind, 0, NULL, NULL, 0};
	enum project_status s;
	enum project_kind k;
	list_ctx x = {0};
	char hi[20];
	json_t *counts;
	int rc, fmt, en;

	if (api_role_is(p, "org")) {
		f.org_id = p->unit_id;
	} else if (api_township_desk(p)) {
		f.lo = p->scope.lo;
		f.hi = p->scope.hi;
	} else if (!api_role_is(p, "center") && !api_role_is(p, "committee")) {
		return api_error(r, 403, "forbidden",
				 "projects are followed by the committee, the centre, townships and organisations",
				 NULL);
	}
	if (api_sheet_params(r, SHEET_JSON, 1, &fmt, &en))
		return 0;
	if (status && project_status_parse(status, &s))
		return api_error(r, 422, "validation_failed", "status must be planned, active, done or cancelled",
				 "status");
	if (kind && project_kind_parse(kind, &k))
		return api_error(r, 422, "validation_failed",
				 "kind must be hope_room, one_plus_n, service or fundraising", "kind");
	if (!api_role_is(p, "org") && api_query_id(r, "org", "org must be an organisation's id", &f.org_id))
		return 0;
	if (area && strcmp(area, "none") == 0) {
		/* the hope rooms and 1 + N plans without a township */
		f.no_area = 1;
	} else if (area) {
		if (!area_level_of(area) || strlen(area) < 9)
			return api_error(r, 422, "validation_failed",
					 "area must be a township or village code, or none", "area");
		if (f.lo && (strcmp(area, f.lo) < 0 || strcmp(area, f.hi) >= 0))
			return api_error(r, 422, "validation_failed", "area must be inside your township", "area");
		wb_snprintf(hi, sizeof(hi), "%s:", area);
		f.lo = area;
		f.hi = hi;
	}
	x.items = json_array();
	x.status = status;
	f.status = NULL;
	rc = store_projects(c, p->county_code, &f, list_cb, &x);
	if (rc) {
		json_decref(x.items);
		return api_fail(r, rc);
	}
	if (fmt != SHEET_JSON) { /* audited: donors may be people */
		size_t i;
		json_t *it;

		json_array_foreach(x.items, i, it)
		{
			const char *st = json_string_value(json_object_get(it, "status"));
			int hope = strcmp(json_string_value(json_object_get(it, "kind")), "hope_room") == 0;

			json_object_set_new(it, "shown_status",
					    json_string(!hope || !st                ? st
							: strcmp(st, "active") == 0 ? "building"
							: strcmp(st, "done") == 0   ? "built"
										    : st));
		}
		return api_sheet_items(r, a, p, x.items, fmt, en, en ? "Projects" : "公益项目", "projects",
				       project_cols, WB_ARRAY_LEN(project_cols), "project.export", "project",
				       json_pack("{s:s?, s:s?, s:s?}", "status", status, "kind", kind, "area", area));
	}
	counts = json_object();
	for (int i = 0; i < PS__COUNT; i++)
		json_object_set_new(counts, project_status_name((enum project_status)i), json_integer(x.by_status[i]));
	return api_json(r, 200,
			json_pack("{s:o, s:o, s:{s:I, s:I, s:I}}", "items", x.items, "counts", counts, "totals",
				  "donated_cents", (json_int_t)x.donated, "spent_cents", (json_int_t)x.spent,
				  "children_served", (json_int_t)x.children));
}

/* ---- one project ---- */

typedef struct detail_ctx {
	const sec_principal *p;
	store_conn *c;
	json_t *children;
	int named; /* children named in the answer */
} detail_ctx;

static json_t *pc_json(const project_child_rec *pc, int with_name)
{
	json_t *j = json_pack("{s:I, s:I, s:s, s:s, s:I, s:o?, s:s?}", "child_id", (json_int_t)pc->child_id,
			      "project_id", (json_int_t)pc->project_id, "village_code", pc->village_code, "services",
			      pc->services, "added_at", (json_int_t)pc->added_at, "removed_at",
			      pc->removed_at ? json_integer(pc->removed_at) : NULL, "removed_reason",
			      pc->removed_at ? pc->removed_reason : NULL);

	if (j && with_name)
		json_object_set_new(j, "name", json_string(pc->name));
	return j;
}

static int detail_child_cb(const project_child_rec *pc, void *arg)
{
	detail_ctx *x = arg;
	const sec_principal *p = x->p;
	char village[128] = "";
	json_t *j;

	/* a township is told of its own children only; the committee, who
	 * sees no child's file, of how many (the project's count) */
	if ((api_township_desk(p) && !scope_covers_place(&p->scope, pc->village_code, NULL)) ||
	    api_role_is(p, "committee"))
		return WB_OK;
	x->named++;
	j = pc_json(pc, 1);
	api_area_name(x->c, pc->village_code, village, sizeof(village));
	json_object_set_new(j, "village_name", json_string(village));
	json_array_append_new(x->children, j);
	return WB_OK;
}

static int fund_cb(const project_fund_rec *f, void *arg)
{
	json_array_append_new(arg, json_pack("{s:I, s:s, s:I, s:s, s:s, s:s, s:I, s:o, s:o}", "id", (json_int_t)f->id,
					     "kind", f->kind, "amount_cents", (json_int_t)f->amount_cents, "on_date",
					     f->on_date, "party", f->party, "note", f->note, "created_at",
					     (json_int_t)f->created_at, "reverses",
					     f->reverses ? json_integer(f->reverses) : json_null(), "reversed_by",
					     f->reversed_by ? json_integer(f->reversed_by) : json_null()));
	return WB_OK;
}

static int log_cb(const project_log_rec *l, void *arg)
{
	json_array_append_new(arg, json_pack("{s:I, s:s, s:s?, s:s, s:s}", "at", (json_int_t)l->at, "by", l->by_name,
					     "status_from", l->status_from[0] ? l->status_from : NULL, "status_to",
					     l->status_to, "note", l->note));
	return WB_OK;
}

/* Answers project id as the caller may see it (status), auditing the read
 * when it names children. */
static int detail_answer(http_req *r, app *a, const sec_principal *p, int64_t id, int status)
{
	project_rec *pr = malloc(sizeof(*pr));
	store_conn *c = api_conn(r);
	detail_ctx x = {p, c, json_array(), 0};
	json_t *funds = json_array(), *log = json_array(), *j;
	audit_entry e;
	int rc = pr ? store_project_get(c, p->county_code, id, pr) : WB_ENOMEM;

	if (rc == WB_OK)
		rc = store_project_children(c, id, detail_child_cb, &x);
	if (rc == WB_OK)
		rc = store_project_funds(c, id, fund_cb, funds);
	if (rc == WB_OK)
		rc = store_project_log(c, id, log_cb, log);
	if (rc == WB_OK && x.named) {
		api_audit_init(r, p, &e);
		wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, id);
		audit_entry_set(&e, "project.read", "project", e.object_id, "ok");
		api_audit_detail(&e, json_pack("{s:i}", "children_named", x.named));
		if (api_audit_read(r, a, &e) != WB_OK)
			rc = WB_ESTORE;
	}
	if (rc) {
		json_decref(x.children);
		json_decref(funds);
		json_decref(log);
		free(pr);
		return api_fail(r, rc);
	}
	j = project_json(pr);
	json_object_set_new(j, "served", x.children);
	json_object_set_new(j, "funds", funds);
	json_object_set_new(j, "log", log);
	free(pr);
	return api_json(r, status, j);
}

/* ---- one project's tables as a download ---- */

static const sheet_word fund_kinds[] = {
	{"donation", "捐赠", "Donation"},
	{"spending", "支出", "Spending"},
	{NULL, NULL, NULL},
};
/* a line's amount in the column of its kind, a reversal's as it counts
 * (negative): the columns add up to the page's totals */
static const sheet_col fund_cols[] = {
	{"编号", "ID", "id", SC_INT, NULL},
	{"日期", "Date", "on_date", SC_TEXT, NULL},
	{"类型", "Kind", "kind", SC_WORD, fund_kinds},
	{"捐赠（元）", "Donation (yuan)", "donation_cents", SC_YUAN, NULL},
	{"支出（元）", "Spending (yuan)", "spending_cents", SC_YUAN, NULL},
	{"捐赠方或收款方", "Donor or payee", "party", SC_TEXT, NULL},
	{"备注", "Note", "note", SC_TEXT, NULL},
	{"冲正的行", "Reverses line", "reverses", SC_INT, NULL},
	{"被冲正（冲正行）", "Reversed by line", "reversed_by", SC_INT, NULL},
	{"登记时间", "Recorded at", "created_at", SC_TIME, NULL},
};
static const sheet_col served_cols[] = {
	{"儿童姓名", "Child", "name", SC_TEXT, NULL},
	{"村（社区）", "Village or community", "village_name", SC_TEXT, NULL},
	{"区划代码", "Area code", "village_code", SC_TEXT, NULL},
	{"帮扶内容", "Support given", "services", SC_TEXT, NULL},
	{"加入时间", "Added at", "added_at", SC_TIME, NULL},
	{"移出时间", "Removed at", "removed_at", SC_TIME, NULL},
	{"移出原因", "Why removed", "removed_reason", SC_TEXT, NULL},
};

/* GET /projects/{id}?format=csv|xlsx&table=funds|served: the money lines
 * or the children served, as the page shows them to the caller (a
 * township its own children, the committee none), audited as
 * project.export. */
static int project_export(http_req *r, app *a, const sec_principal *p, int64_t id, int fmt, int en)
{
	const char *table = http_query(r, "table");
	store_conn *c = api_conn(r);
	detail_ctx x = {p, c, NULL, 0};
	json_t *items = json_array(), *it;
	char stem[48];
	size_t i;
	int funds = table && strcmp(table, "funds") == 0, rc;

	if (!funds && (!table || strcmp(table, "served") != 0)) {
		json_decref(items);
		return api_error(r, 422, "validation_failed",
				 "table must be funds (the money lines) or served (the children served)", "table");
	}
	x.children = items;
	rc = funds ? store_project_funds(c, id, fund_cb, items) : store_project_children(c, id, detail_child_cb, &x);
	if (rc) {
		json_decref(items);
		return api_fail(r, rc);
	}
	if (funds) {
		json_array_foreach(items, i, it)
		{
			const char *k = json_string_value(json_object_get(it, "kind"));
			json_int_t v = json_integer_value(json_object_get(it, "amount_cents"));

			if (json_is_integer(json_object_get(it, "reverses")))
				v = -v;
			json_object_set_new(it, strcmp(k, "donation") == 0 ? "donation_cents" : "spending_cents",
					    json_integer(v));
		}
	}
	wb_snprintf(stem, sizeof(stem), "project-%" PRId64 "-%s", id, funds ? "funds" : "children");
	return api_sheet_items(
		r, a, p, items, fmt, en, funds ? (en ? "Money" : "收支明细") : (en ? "Children served" : "服务儿童"),
		stem, funds ? fund_cols : served_cols, funds ? WB_ARRAY_LEN(fund_cols) : WB_ARRAY_LEN(served_cols),
		"project.export", "project", json_pack("{s:I, s:s}", "project", (json_int_t)id, "table", table));
}

int api_project_get(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	project_rec *pr = malloc(sizeof(*pr));
	enum access got;
	int64_t id;
	int fmt, en;

	if (!pr)
		return api_fail(r, WB_ENOMEM);
	if (api_sheet_params(r, SHEET_JSON, 1, &fmt, &en)) {
		free(pr);
		return 0;
	}
	if (project_load(r, c, p, PA_READ, pr, &got) == 0) {
		id = pr->id;
		free(pr);
		if (fmt != SHEET_JSON)
			return project_export(r, a, p, id, fmt, en);
		return detail_answer(r, a, p, id, 200);
	}
	free(pr);
	return 0;
}

/* ---- writing ---- */

static const api_field create_fields[] = {
	{"org_id", JSON_INTEGER, 0, 0},
	{"kind", JSON_STRING, 1, 16},
	{"name", JSON_STRING, 1, NAME_CHARS * 4},
	{"description", JSON_STRING, 0, TEXT_CHARS * 4},
	{"budget_cents", JSON_INTEGER, 0, 0},
	{"donor", JSON_STRING, 0, NAME_CHARS * 4},
	{"area_code", JSON_STRING, 0, 16},
	{"started_on", JSON_STRING, 0, 16},
	{NULL, 0, 0, 0},
};

static const api_field update_fields[] = {
	{"version", JSON_INTEGER, 1, 0},
	{"name", JSON_STRING, 0, NAME_CHARS * 4},
	{"description", JSON_STRING, 0, TEXT_CHARS * 4},
	{"budget_cents", JSON_INTEGER, 0, 0},
	{"donor", JSON_STRING, 0, NAME_CHARS * 4},
	{"area_code", JSON_STRING, 0, 16},
	{"started_on", JSON_STRING, 0, 16},
	{"finished_on", JSON_STRING, 0, 16},
	{"status", JSON_STRING, 0, 16},
	{"note", JSON_STRING, 0, NOTE_CHARS * 4},
	{NULL, 0, 0, 0},
};

/* Applies the facts in body (those present) onto pr; 422 naming the field,
 * -1. */
static int facts_apply(http_req *r, store_conn *c, const sec_principal *p, json_t *body, project_rec *pr)
{
	enum project_kind k = PK_SERVICE;
	const char *s;
	json_t *v;
	int ymd;

	project_kind_parse(pr->kind, &k);

	if ((s = api_str(body, "name"))) {
		if (!*s || api_utf8_chars(s) > NAME_CHARS)
			return api_error(r, 422, "validation_failed", "name must have 1 to 64 characters", "name"), -1;
		wb_strlcpy(pr->name, s, sizeof(pr->name));
	}
	if ((s = api_str(body, "description"))) {
		if (api_utf8_chars(s) > TEXT_CHARS)
			return api_error(r, 422, "validation_failed", "description may have at most 600 characters",
					 "description"),
			       -1;
		wb_strlcpy(pr->description, s, sizeof(pr->description));
	}
	if ((s = api_str(body, "donor"))) {
		if (api_utf8_chars(s) > NAME_CHARS)
			return api_error(r, 422, "validation_failed", "donor may have at most 64 characters", "donor"),
			       -1;
		wb_strlcpy(pr->donor, s, sizeof(pr->donor));
	}
	if ((v = json_object_get(body, "budget_cents"))) {
		if (json_integer_value(v) < 0 || json_integer_value(v) > AMOUNT_MAX)
			return api_error(r, 422, "validation_failed", "budget_cents must be an amount in fen from 0",
					 "budget_cents"),
			       -1;
		pr->budget_cents = json_integer_value(v);
	}
	if ((s = api_str(body, "area_code"))) {
		area_rec ar;

		if (*s && (strlen(s) != 9 && strlen(s) != 12))
			return api_error(r, 422, "validation_failed", "area_code must be a township or village code",
					 "area_code"),
			       -1;
		if (*s && (store_area_get(c, s, &ar) != WB_OK || strcmp(ar.county_code, p->county_code) != 0))
			return api_error(r, 422, "validation_failed", "area_code must be an area of the county",
					 "area_code"),
			       -1;
		wb_strlcpy(pr->area_code, s, sizeof(pr->area_code));
	}
	if ((s = api_str(body, "started_on"))) {
		if (*s && (date_parse(s, &ymd) != WB_OK || ymd > clock_today_ymd() || strcmp(s, STARTED_MIN) < 0))
			return api_error(r, 422, "validation_failed",
					 "started_on must be a date YYYY-MM-DD from " STARTED_MIN " to today",
					 "started_on"),
			       -1;
		if (!*s && pr->started_on[0] && pr->status[0] && strcmp(pr->status, "planned") != 0)
			return api_error(r, 422, "validation_failed", "started_on is kept once the project has started",
					 "started_on"),
			       -1;
		wb_strlcpy(pr->started_on, s, sizeof(pr->started_on));
	}
	if ((s = api_str(body, "finished_on"))) {
		if (*s && (date_parse(s, &ymd) != WB_OK || ymd > clock_today_ymd()))
			return api_error(r, 422, "validation_failed",
					 "finished_on must be a date YYYY-MM-DD, not ahead", "finished_on"),
			       -1;
		wb_strlcpy(pr->finished_on, s, sizeof(pr->finished_on));
	}
	if (project_children_max(k) && !pr->area_code[0] && (!pr->id || api_str(body, "area_code")))
		return api_error(r, 422, "validation_failed",
				 "area_code is required: a hope room or a 1 + N plan is for a child of one township, "
				 "which adds the child",
				 "area_code"),
		       -1;
	return 0;
}

/* The dates of pr (its status set) agree with each other: 422 naming the
 * field, -1. Against its money lines: update_fn. */
static int dates_check(http_req *r, json_t *body, const project_rec *pr)
{
	int ended = strcmp(pr->status, "done") == 0 || strcmp(pr->status, "cancelled") == 0;
	/* a finish and a status checked together when either is written (a
	 * row of an older version that has both out of step can still be
	 * edited otherwise, and the finish cleared) */
	int finish = api_str(body, "finished_on") || api_str(body, "status");
	char msg[120];

	if (finish && pr->finished_on[0] && !ended)
		return api_error(r, 422, "validation_failed",
				 "finished_on is set only on a completed or cancelled project", "finished_on"),
		       -1;
	if (finish && !pr->finished_on[0] && ended)
		return api_error(r, 422, "validation_failed", "a completed or cancelled project keeps its finished_on",
				 "finished_on"),
		       -1;
	if (pr->started_on[0] && pr->finished_on[0] && strcmp(pr->finished_on, pr->started_on) < 0) {
		wb_snprintf(msg, sizeof(msg), "finished_on (%s) may not be before started_on (%s)", pr->finished_on,
			    pr->started_on);
		return api_error(r, 422, "validation_failed", msg,
				 api_str(body, "started_on") && !api_str(body, "finished_on") ? "started_on"
											      : "finished_on"),
		       -1;
	}
	return 0;
}

typedef struct project_job {
	project_rec *pr;
	const char *old_status, *note;
	audit_entry *e; /* project.create's: appended after the insert, it gets the new id */
	/* an update: the dates before it; the start set by the move to
	 * active (moved back to its first spending); the money line's day
	 * that refused the new dates (WB_EINVAL), and the field */
	char old_started[11], old_finished[11];
	int auto_start;
	/* a hope room or 1 + N plan started or finished: its child is read
	 * again in the writer's transaction (taken off meanwhile: WB_EINVAL,
	 * bad_field "status") */
	int needs_child;
	char bad_day[11];
	const char *bad_field;
} project_job;

static int insert_fn(store_conn *c, void *arg)
{
	project_job *j = arg;
	int rc = store_project_insert(c, j->pr);

	if (rc == WB_OK)
		wb_snprintf(j->e->object_id, sizeof(j->e->object_id), "%" PRId64, j->pr->id);
	return rc;
}

static int update_fn(store_conn *c, void *arg)
{
	project_job *j = arg;
	project_rec *pr = j->pr;
	char first[11], last[11];
	int rc;

	if (j->needs_child) {
		int64_t active = 0;

		rc = store_project_children_active(c, pr->id, &active);
		if (rc)
			return rc;
		if (!active) {
			j->bad_field = "status";
			return WB_EINVAL;
		}
	}
	/* the dates changed agree with the money lines, read in the writer's
	 * transaction: no spending before the start, no line after the finish */
	if (j->auto_start || strcmp(pr->started_on, j->old_started) != 0 ||
	    strcmp(pr->finished_on, j->old_finished) != 0) {
		rc = store_project_fund_span(c, pr->id, first, last);
		if (rc)
			return rc;
		/* a planned project that spent already started when it spent */
		if (j->auto_start && first[0] && strcmp(first, pr->started_on) < 0)
			wb_strlcpy(pr->started_on, first, sizeof(pr->started_on));
		if (pr->started_on[0] && first[0] && strcmp(first, pr->started_on) < 0) {
			j->bad_field = "started_on";
			wb_strlcpy(j->bad_day, first, sizeof(j->bad_day));
			return WB_EINVAL;
		}
		if (pr->finished_on[0] && last[0] && strcmp(last, pr->finished_on) > 0) {
			j->bad_field = "finished_on";
			wb_strlcpy(j->bad_day, last, sizeof(j->bad_day));
			return WB_EINVAL;
		}
	}
	return store_project_update(c, pr, j->old_status, j->note);
}

int api_project_create(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	project_rec *pr = calloc(1, sizeof(*pr));
	audit_entry e;
	project_job job = {.pr = pr, .e = &e};
	json_t *body = NULL;
	enum project_kind k;
	unit_rec u;
	int rc;

	if (!pr)
		return api_fail(r, WB_ENOMEM);
	if (!api_role_is(p, "center") && !api_role_is(p, "org")) {
		api_error(r, 403, "forbidden", "projects are registered by the centre or the organisation running them",
			  NULL);
		goto out;
	}
	if (api_body(r, &body) || api_check_fields(r, body, create_fields))
		goto out;
	pr->org_id = api_role_is(p, "org") ? p->unit_id : json_integer_value(json_object_get(body, "org_id"));
	if (api_role_is(p, "org") && json_object_get(body, "org_id") &&
	    json_integer_value(json_object_get(body, "org_id")) != p->unit_id) {
		api_error(r, 422, "validation_failed", "an organisation registers its own projects", "org_id");
		goto out;
	}
	if (pr->org_id <= 0 || api_unit_get(c, pr->org_id, &u) != WB_OK || strcmp(u.kind, "org") != 0 ||
	    strcmp(u.county_code, p->county_code) != 0) {
		api_error(r, 422, "validation_failed", "org_id must be an organisation of the county", "org_id");
		goto out;
	}
	if (project_kind_parse(api_str(body, "kind"), &k)) {
		api_error(r, 422, "validation_failed", "kind must be hope_room, one_plus_n, service or fundraising",
			  "kind");
		goto out;
	}
	wb_strlcpy(pr->kind, project_kind_name(k), sizeof(pr->kind));
	if (facts_apply(r, c, p, body, pr))
		goto out;
	wb_strlcpy(pr->county_code, p->county_code, sizeof(pr->county_code));
	wb_strlcpy(pr->status, "planned", sizeof(pr->status));
	pr->version = 1;
	pr->created_at = pr->updated_at = clock_now();
	pr->created_by = pr->updated_by = p->user_id;
	api_audit_init(r, p, &e);
	audit_entry_set(&e, "project.create", "project", "", "ok"); /* the id: insert_fn's */
	/* a project's name is no one's personal data */
	api_audit_detail(
		&e, json_pack("{s:s, s:I, s:s}", "kind", pr->kind, "org_id", (json_int_t)pr->org_id, "name", pr->name));
	api_conn_release(r);
	rc = audit_submit(a->audit, &e, insert_fn, &job);
	if (rc)
		api_fail(r, rc);
	else
		detail_answer(r, a, p, pr->id, 201);
out:
	json_decref(body);
	free(pr);
	return 0;
}

int api_project_update(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	project_rec *pr = malloc(sizeof(*pr));
	json_t *body = NULL;
	project_job job = {0};
	enum project_status from, to;
	enum access got;
	audit_entry e;
	char old_status[12];
	const char *st;
	int64_t active = 0;
	int rc, today = clock_today_ymd();

	if (!pr)
		return api_fail(r, WB_ENOMEM);
	if (project_load(r, c, p, PA_WRITE, pr, &got) || api_body(r, &body) || api_check_fields(r, body, update_fields))
		goto out;
	if (json_integer_value(json_object_get(body, "version")) != pr->version) {
		api_error(r, 409, "conflict", "the project was changed since you read it", "version");
		goto out;
	}
	wb_strlcpy(old_status, pr->status, sizeof(old_status));
	wb_strlcpy(job.old_started, pr->started_on, sizeof(job.old_started));
	wb_strlcpy(job.old_finished, pr->finished_on, sizeof(job.old_finished));
	if (api_str(body, "note") && api_utf8_chars(api_str(body, "note")) > NOTE_CHARS) {
		api_error(r, 422, "validation_failed", "note may have at most 200 characters", "note");
		goto out;
	}
	if (facts_apply(r, c, p, body, pr))
		goto out;
	if ((st = api_str(body, "status")) && strcmp(st, pr->status) != 0) {
		enum project_kind k = PK_SERVICE;

		project_kind_parse(pr->kind, &k);
		if (project_status_parse(st, &to)) {
			api_error(r, 422, "validation_failed", "status must be planned, active, done or cancelled",
				  "status");
			goto out;
		}
		project_status_parse(pr->status, &from);
		if (!project_move_ok(from, to)) {
			api_error(r, 422, "validation_failed",
				  "a project moves from planned to active to done, or is cancelled before it is done",
				  "status");
			goto out;
		}
		rc = store_project_children_active(c, pr->id, &active);
		if (rc) {
			api_fail(r, rc);
			goto out;
		}
		if (to == PS_ACTIVE && project_children_max(k) && active == 0) {
			api_error(r, 422, "validation_failed",
				  "a hope room or a 1 + N plan is for one child: add the child before it starts",
				  "status");
			goto out;
		}
		/* nor is it finished for nobody (its child taken off meanwhile) */
		if (to == PS_DONE && project_children_max(k) && active == 0) {
			api_error(r, 422, "validation_failed",
				  "a hope room or a 1 + N plan is for one child: it is not finished without its child",
				  "status");
			goto out;
		}
		job.needs_child = (to == PS_ACTIVE || to == PS_DONE) && project_children_max(k);
		/* started today, or on its first spending if earlier (update_fn) */
		job.auto_start = to == PS_ACTIVE && !pr->started_on[0];
		if (job.auto_start)
			date_format(today, pr->started_on);
		if ((to == PS_DONE || to == PS_CANCELLED) && !pr->finished_on[0])
			date_format(today, pr->finished_on);
		wb_strlcpy(pr->status, project_status_name(to), sizeof(pr->status));
	}
	if (dates_check(r, body, pr))
		goto out;
	pr->version++;
	pr->updated_at = clock_now();
	pr->updated_by = p->user_id;
	job.pr = pr;
	job.old_status = old_status;
	job.note = api_str(body, "note");
	api_audit_init(r, p, &e);
	wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, pr->id);
	audit_entry_set(&e, "project.update", "project", e.object_id, "ok");
	api_audit_detail(&e, json_pack("{s:s, s:s}", "status_from", old_status, "status", pr->status));
	api_conn_release(r);
	rc = audit_submit(a->audit, &e, update_fn, &job);
	if (rc == WB_ECONFLICT) {
		api_error(r, 409, "conflict", "the project was changed since you read it", "version");
	} else if (rc == WB_EINVAL && strcmp(job.bad_field, "status") == 0) {
		api_error(r, 422, "validation_failed",
			  "a hope room or a 1 + N plan is for one child: its child was taken off meanwhile", "status");
	} else if (rc == WB_EINVAL) {
		char msg[160];
		int start = strcmp(job.bad_field, "started_on") == 0;

		wb_snprintf(msg, sizeof(msg), "%s may not be %s the project's %s (%s)", job.bad_field,
			    start ? "after" : "before", start ? "first spending" : "last money line", job.bad_day);
		api_error(r, 422, "validation_failed", msg, job.bad_field);
	} else if (rc) {
		api_fail(r, rc);
	} else {
		detail_answer(r, a, p, pr->id, 200);
	}
out:
	json_decref(body);
	free(pr);
	return 0;
}

/* ---- children ---- */

static const api_field child_fields[] = {
	{"child_id", JSON_INTEGER, 1, 0},
	{"services", JSON_STRING, 0, TEXT_CHARS * 4},
	{NULL, 0, 0, 0},
};

typedef struct child_job {
	project_child_rec *pc;
	int max;
	const char *reason;
} child_job;

static int child_add_fn(store_conn *c, void *arg)
{
	child_job *j = arg;
	int64_t n = 0;
	int rc = store_project_children_active(c, j->pc->project_id, &n);

	/* checked again inside the write: two at once cannot both be the one */
	if (rc == WB_OK && j->max && n >= j->max)
		return WB_ETOOBIG;
	return rc ? rc : store_project_child_add(c, j->pc);
}

/* The centre or a township, for a child of its scope: 1, or 0 after 403. */
static int may_place_children(http_req *r, const sec_principal *p)
{
	if (api_role_is(p, "center") || api_township_desk(p))
		return 1;
	api_error(r, 403, "forbidden", "the centre and townships choose the children a project serves", NULL);
	return 0;
}

int api_project_child_add(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	project_rec *pr = malloc(sizeof(*pr));
	project_child_rec *pc = calloc(1, sizeof(*pc));
	child_job job = {pc, 0, NULL};
	json_t *body = NULL;
	enum project_kind k = PK_SERVICE;
	enum access got;
	audit_entry e;
	child_rec ch;
	const char *services;
	int rc;

	if (!pr || !pc) {
		api_fail(r, WB_ENOMEM);
		goto out;
	}
	if (!may_place_children(r, p) || project_load(r, c, p, PA_READ, pr, &got) || api_body(r, &body) ||
	    api_check_fields(r, body, child_fields))
		goto out;
	if (strcmp(pr->status, "planned") != 0 && strcmp(pr->status, "active") != 0) {
		api_error(r, 409, "conflict", "the project has ended", NULL);
		goto out;
	}
	if (api_body_child(r, c, p, body, "child_id must be a child of your area", &ch))
		goto out;
	project_kind_parse(pr->kind, &k);
	services = api_str(body, "services");
	if (services && api_utf8_chars(services) > TEXT_CHARS) {
		api_error(r, 422, "validation_failed", "services may have at most 600 characters", "services");
		goto out;
	}
	while (services && (*services == ' ' || *services == '\t' || *services == '\n'))
		services++;
	if (k == PK_ONE_PLUS_N && (!services || !*services)) {
		api_error(r, 422, "validation_failed", "a 1 + N plan names the services paired with the child",
			  "services");
		goto out;
	}
	pc->project_id = pr->id;
	pc->child_id = ch.id;
	wb_strlcpy(pc->services, services ? services : "", sizeof(pc->services));
	pc->added_at = clock_now();
	pc->added_by = p->user_id;
	job.max = project_children_max(k);
	api_audit_init(r, p, &e);
	wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, ch.id);
	audit_entry_set(&e, "project.child_add", "child", e.object_id, "ok");
	api_audit_detail(&e, json_pack("{s:I}", "project", (json_int_t)pr->id));
	api_conn_release(r);
	rc = audit_submit(a->audit, &e, child_add_fn, &job);
	if (rc == WB_ECONFLICT)
		api_error(r, 409, "conflict", "the project serves this child already", "child_id");
	else if (rc == WB_ETOOBIG)
		api_error(r, 409, "conflict", "a hope room or a 1 + N plan is for one child", "child_id");
	else if (rc)
		api_fail(r, rc);
	else
		detail_answer(r, a, p, pr->id, 201);
out:
	json_decref(body);
	free(pr);
	free(pc);
	return 0;
}

static int child_remove_fn(store_conn *c, void *arg)
{
	child_job *j = arg;

	return store_project_child_remove(c, j->pc->project_id, j->pc->child_id, j->reason, j->pc->added_at,
					  j->pc->added_by);
}

static const api_field remove_fields[] = {
	{"reason", JSON_STRING, 1, NOTE_CHARS * 4},
	{NULL, 0, 0, 0},
};

int api_project_child_remove(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	project_rec *pr = malloc(sizeof(*pr));
	project_child_rec pc;
	child_job job = {&pc, 0, NULL};
	json_t *body = NULL;
	enum access got;
	audit_entry e;
	child_rec ch;
	int64_t child_id;
	int rc;

	if (!pr)
		return api_fail(r, WB_ENOMEM);
	if (!may_place_children(r, p) || project_load(r, c, p, PA_READ, pr, &got) ||
	    api_id_param(r, "child_id", &child_id) || api_body(r, &body) || api_check_fields(r, body, remove_fields))
		goto out;
	rc = store_child_get(c, &p->scope, child_id, &ch);
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	if (api_reason(r, body, NOTE_CHARS, &job.reason))
		goto out;
	/* the children an ended project served are its record */
	if (strcmp(pr->status, "planned") != 0 && strcmp(pr->status, "active") != 0) {
		api_error(r, 409, "conflict", "the project has ended", NULL);
		goto out;
	}
	memset(&pc, 0, sizeof(pc));
	pc.project_id = pr->id;
	pc.child_id = child_id;
	pc.added_at = clock_now(); /* the removal's time and author */
	pc.added_by = p->user_id;
	api_audit_init(r, p, &e);
	wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, child_id);
	audit_entry_set(&e, "project.child_remove", "child", e.object_id, "ok");
	api_audit_detail(&e, json_pack("{s:I}", "project", (json_int_t)pr->id));
	api_conn_release(r);
	rc = audit_submit(a->audit, &e, child_remove_fn, &job);
	if (rc == WB_ENOTFOUND)
		api_error(r, 404, "not_found", "the project does not serve this child", NULL);
	else if (rc)
		api_fail(r, rc);
	else
		detail_answer(r, a, p, pr->id, 200);
out:
	json_decref(body);
	free(pr);
	return 0;
}

/* ---- money ---- */

static const api_field fund_fields[] = {
	{"kind", JSON_STRING, 1, 16},
	{"amount_cents", JSON_INTEGER, 1, 0},
	{"on_date", JSON_STRING, 1, 16},
	{"party", JSON_STRING, 0, NAME_CHARS * 4},
	{"note", JSON_STRING, 0, NOTE_CHARS * 4},
	{NULL, 0, 0, 0},
};

static int fund_fn(store_conn *c, void *arg)
{
	return store_project_fund_add(c, arg);
}

int api_project_fund_add(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	project_rec *pr = malloc(sizeof(*pr));
	project_fund_rec f;
	json_t *body = NULL;
	enum access got;
	audit_entry e;
	const char *kind, *day, *party, *note;
	json_int_t amount;
	int ymd, today = clock_today_ymd(), rc;

	if (!pr)
		return api_fail(r, WB_ENOMEM);
	if (project_load(r, c, p, PA_WRITE, pr, &got) || api_body(r, &body) || api_check_fields(r, body, fund_fields))
		goto out;
	if (strcmp(pr->status, "cancelled") == 0) {
		api_error(r, 409, "conflict", "the project was cancelled: it takes no more money", NULL);
		goto out;
	}
	kind = api_str(body, "kind");
	day = api_str(body, "on_date");
	party = api_str(body, "party");
	note = api_str(body, "note");
	amount = json_integer_value(json_object_get(body, "amount_cents"));
	if (strcmp(kind, "donation") != 0 && strcmp(kind, "spending") != 0) {
		api_error(r, 422, "validation_failed", "kind must be donation or spending", "kind");
		goto out;
	}
	if (amount <= 0 || amount > AMOUNT_MAX) {
		api_error(r, 422, "validation_failed", "amount_cents must be an amount in fen from 1 to 10000000000",
			  "amount_cents");
		goto out;
	}
	if (date_parse(day, &ymd) != WB_OK || ymd > today || date_days(today) - date_days(ymd) > FUND_DAYS_BACK) {
		api_error(r, 422, "validation_failed", "on_date must be a date YYYY-MM-DD of the last ten years",
			  "on_date");
		goto out;
	}
	/* nor come in or go out after it finished */
	if (pr->finished_on[0] && strcmp(day, pr->finished_on) > 0) {
		char msg[120];

		wb_snprintf(msg, sizeof(msg), "on_date may not be after the project finished (%s)", pr->finished_on);
		api_error(r, 422, "validation_failed", msg, "on_date");
		goto out;
	}
	/* money may be raised before a project starts, not spent */
	if (strcmp(kind, "spending") == 0 && pr->started_on[0] && strcmp(day, pr->started_on) < 0) {
		char msg[120];

		wb_snprintf(msg, sizeof(msg), "on_date of a spending may not be before the project started (%s)",
			    pr->started_on);
		api_error(r, 422, "validation_failed", msg, "on_date");
		goto out;
	}
	if ((party && api_utf8_chars(party) > NAME_CHARS) || (note && api_utf8_chars(note) > NOTE_CHARS)) {
		api_error(r, 422, "validation_failed", "party may have 64 characters, note 200",
			  party && api_utf8_chars(party) > NAME_CHARS ? "party" : "note");
		goto out;
	}
	memset(&f, 0, sizeof(f));
	f.project_id = pr->id;
	f.amount_cents = amount;
	wb_strlcpy(f.county_code, p->county_code, sizeof(f.county_code));
	wb_strlcpy(f.kind, kind, sizeof(f.kind));
	wb_strlcpy(f.on_date, day, sizeof(f.on_date));
	wb_strlcpy(f.party, party ? party : "", sizeof(f.party));
	wb_strlcpy(f.note, note ? note : "", sizeof(f.note));
	f.created_at = clock_now();
	f.created_by = p->user_id;
	api_audit_init(r, p, &e);
	wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, pr->id);
	audit_entry_set(&e, "project.fund", "project", e.object_id, "ok");
	api_audit_detail(&e, json_pack("{s:s, s:I, s:s}", "kind", kind, "amount_cents", amount, "on_date", day));
	api_conn_release(r);
	rc = audit_submit(a->audit, &e, fund_fn, &f);
	if (rc == WB_EINVAL && f.short_on[0]) {
		char msg[240];

		/* the project holds enough now, not on the spending's day: the
		 * donations that cover it came later */
		wb_snprintf(msg, sizeof(msg),
			    "a spending is covered by the donations dated on or before it: on %s the project "
			    "would be %" PRId64 " fen short (donations less spending to that day)",
			    f.short_on, f.short_cents);
		api_error(r, 422, "over_balance", msg, "on_date");
	} else if (rc == WB_EINVAL) {
		char msg[160];

		wb_snprintf(msg, sizeof(msg),
			    "amount_cents is more than the project holds: its balance is %" PRId64
			    " fen (donations less spending)",
			    f.balance_cents);
		api_error(r, 422, "over_balance", msg, "amount_cents");
	} else if (rc)
		api_fail(r, rc);
	else
		detail_answer(r, a, p, pr->id, 201);
out:
	json_decref(body);
	free(pr);
	return 0;
}

static const api_field reverse_fields[] = {
	{"reason", JSON_STRING, 1, NOTE_CHARS * 4},
	{NULL, 0, 0, 0},
};

/* POST /api/v1/projects/{id}/funds/{fid}/reverse: a line entered by
 * mistake is corrected by its reversal (冲正), dated today, with the
 * reason; nothing is deleted or edited. */
int api_project_fund_reverse(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	project_rec *pr = malloc(sizeof(*pr));
	project_fund_rec *old = malloc(sizeof(*old)), *f = malloc(sizeof(*f));
	json_t *body = NULL;
	enum access got;
	audit_entry e;
	const char *reason;
	int64_t fid;
	int rc;

	if (!pr || !old || !f) {
		api_fail(r, WB_ENOMEM);
		goto out;
	}
	if (project_load(r, c, p, PA_WRITE, pr, &got) || api_id_param(r, "fid", &fid) || api_body(r, &body) ||
	    api_check_fields(r, body, reverse_fields))
		goto out;
	rc = store_project_fund_get(c, pr->id, fid, old);
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	if (old->reverses || old->reversed_by) {
		api_error(r, 409, "conflict",
			  old->reverses ? "a reversal is not reversed" : "the line was reversed already", NULL);
		goto out;
	}
	if (api_reason(r, body, NOTE_CHARS, &reason))
		goto out;
	*f = *old;
	f->id = 0;
	f->reversed_by = 0;
	f->reverses = old->id;
	date_format(clock_today_ymd(), f->on_date);
	wb_strlcpy(f->note, reason, sizeof(f->note));
	f->created_at = clock_now();
	f->created_by = p->user_id;
	api_audit_init(r, p, &e);
	wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, pr->id);
	audit_entry_set(&e, "project.fund_reverse", "project", e.object_id, "ok");
	api_audit_detail_reason(&e,
				json_pack("{s:I, s:s, s:I}", "fund", (json_int_t)old->id, "kind", old->kind,
					  "amount_cents", (json_int_t)old->amount_cents),
				reason);
	api_conn_release(r);
	rc = audit_submit(a->audit, &e, fund_fn, f);
	if (rc == WB_EINVAL && f->short_on[0]) {
		char msg[240];

		/* a spending dated before a later donation was covered by this one */
		wb_snprintf(msg, sizeof(msg),
			    "reversing this donation would leave the project spending more than it received: on %s "
			    "it would be %" PRId64 " fen short; reverse the spending first",
			    f->short_on, f->short_cents);
		api_error(r, 409, "over_balance", msg, NULL);
	} else if (rc == WB_EINVAL)
		api_error(r, 409, "over_balance",
			  "reversing this donation would leave the project spending more than it received: reverse "
			  "the spending first",
			  NULL);
	else if (rc == WB_ECONFLICT)
		api_error(r, 409, "conflict", "the line was reversed already", NULL);
	else if (rc)
		api_fail(r, rc);
	else
		detail_answer(r, a, p, pr->id, 201);
out:
	json_decref(body);
	free(pr);
	free(old);
	free(f);
	return 0;
}

/* ---- a child's projects ---- */

static int child_project_cb(const project_child_rec *pc, void *arg)
{
	json_t *j = pc_json(pc, 0);

	json_object_set_new(j, "project_name", json_string(pc->project_name));
	json_object_set_new(j, "kind", json_string(pc->project_kind));
	json_object_set_new(j, "status", json_string(pc->project_status));
	json_object_set_new(j, "org_name", json_string(pc->org_name));
	json_array_append_new(arg, j);
	return WB_OK;
}

int api_child_projects(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	child_rec ch;
	json_t *items;
	int64_t id;
	int rc;

	if (api_id_param(r, "id", &id))
		return 0;
	if (p->scope.children == SCOPE_NONE || p->scope.children == SCOPE_REFERRAL)
		return api_error(r, 403, "forbidden", "a child's projects are read with the child's file", NULL);
	rc = store_child_get(c, &p->scope, id, &ch);
	if (rc)
		return api_child_fail(r, a, p, id, "child.projects", rc);
	items = json_array();
	rc = store_child_projects(c, id, child_project_cb, items);
	if (rc == WB_OK) {
		if (api_audit_child_read(r, a, p, id, "child.projects") != WB_OK)
			rc = WB_ESTORE;
	}
	if (rc) {
		json_decref(items);
		return api_fail(r, rc);
	}
	return api_json(r, 200, json_pack("{s:I, s:o}", "child_id", (json_int_t)id, "items", items));
}
