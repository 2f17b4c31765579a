/*
 * /api/v1/requests: help requests of the closed loop (SPEC §4) — filing,
 * lists, the full record with its timeline, every step of the state
 * machine, and attachments.
 *
 * A step is one writer job: the state update with its version check, the
 * timeline row, the referrals it creates or ends, and the notifications,
 * all in the transaction that also appends the audit entry. So two people
 * acting on the same request at once cannot both win (the second gets 409),
 * and a 200 means the step, its audit entry and its notifications are all
 * durable. Whether a step is allowed at all is asked of domain/case.c; a
 * refused step answers 409 (403 for a role that may never take it) with
 * the caller's allowed next steps. A stale version is checked first
 * (version_conflict), and every refusal is audited (loop_audit_refused).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../domain/date.h"
#include "../domain/area.h"
#include "../store/q_followups.h"
#include "../util/clock.h"
#include "../util/log.h"
#include "../util/table.h"
#include "../util/wb.h"
#include "loop.h"
#include "sheet.h"

#define LIST_DEFAULT    50
#define LIST_MAX        200
#define REFER_MAX       10
#define ATTACHMENTS_MAX 20
#define POLICE_FIELDS   "address,id_number,guardians,school"

/* Writes the 409/403 of a refused step: the error with the state and the
 * caller's allowed next steps. */
static int refuse(http_req *r, const loop_viewer *v, const request_rec *q, int status, const char *action)
{
	enum case_action acts[CA_COUNT];
	enum case_state s = CS_NONE;
	case_ctx ctx;
	char msg[200];
	const char *code = NULL;
	json_t *allowed = json_array();
	int n;

	case_state_parse(q->state, &s);
	loop_case_ctx(v, q, &ctx);
	n = case_allowed(s, v->p->role, &ctx, acts, CA_COUNT);
	for (int i = 0; i < n; i++)
		json_array_append_new(allowed, json_string(case_action_name(acts[i])));
	/* the refusals whose cause is not the state, said as they are */
	if (status == 409 && strcmp(action, "withdraw") == 0 && q->mandatory) {
		code = "mandatory_report";
		wb_strlcpy(msg,
			   "a mandatory report is not withdrawn: public security checks it, and the request closes "
			   "with its result",
			   sizeof(msg));
	} else if (status == 409 && strcmp(action, "link_child") == 0 && q->child_id) {
		code = "already_linked";
		wb_strlcpy(msg, "the request is linked to a child already", sizeof(msg));
	} else if (status == 403)
		wb_snprintf(msg, sizeof(msg), "your role may not %s a request", action);
	else
		wb_snprintf(msg, sizeof(msg), "'%s' is not allowed while the request is %s", action, q->state);
	return api_json(r, status,
			json_pack("{s:{s:s, s:s, s:s, s:o}}", "error", "code",
				  code            ? code
				  : status == 403 ? "forbidden"
						  : "invalid_transition",
				  "message", msg, "state", q->state, "allowed", allowed));
}

static int version_conflict(http_req *r)
{
	return api_error(r, 409, "version_conflict",
			 "the request was changed by someone else meanwhile; reload it and try again", "version");
}

static void step_init(step_rec *s, const request_rec *q, const sec_principal *p, const char *action, int64_t at)
{
	memset(s, 0, sizeof(*s));
	wb_strlcpy(s->county_code, q->county_code, sizeof(s->county_code));
	wb_strlcpy(s->township_code, q->township_code, sizeof(s->township_code));
	s->request_id = q->id;
	wb_strlcpy(s->action, action, sizeof(s->action));
	s->actor_id = p ? p->user_id : 0;
	wb_strlcpy(s->actor_role, p ? p->role : "system", sizeof(s->actor_role));
	s->at = at;
}

/* ---- filing ---- */

static const api_field create_fields[] = {
	{"child_id", JSON_INTEGER, 0, 0},
	{"village_code", JSON_STRING, 0, 12},
	{"child_description", JSON_STRING, 0, REQ_DESC_MAX},
	{"kind", JSON_STRING, 1, 24},
	{"urgency", JSON_STRING, 0, 8},
	{"narrative", JSON_STRING, 1, REQ_NARRATIVE_MAX},
	{"mandatory", JSON_TRUE, 0, 0},
	{"source", JSON_STRING, 0, 16},
	{NULL, 0, 0, 0},
};

static const loop_text create_texts[] = {{"narrative", REQ_NARRATIVE_CHARS}, {NULL, 0}};

typedef struct file_job {
	const sec_principal *p;
	request_rec *q;
	referral_rec *police; /* the mandatory report's referral, or NULL */
	int64_t police_unit;
	audit_entry *e;
	int queued;
} file_job;

static int file_fn(store_conn *c, void *arg)
{
	file_job *j = arg;
	request_rec *q = j->q;
	step_rec *s = malloc(sizeof(*s));
	case_ctx ctx = {0};
	enum case_state to = CS_NONE;
	int rc;

	if (!s)
		return WB_ENOMEM;
	rc = store_request_insert(c, q);
	if (rc == WB_OK) {
		wb_snprintf(j->e->object_id, sizeof(j->e->object_id), "%" PRId64, q->id);
		step_init(s, q, j->p, "file", q->created_at);
		wb_strlcpy(s->to_state, q->state, sizeof(s->to_state));
		rc = store_step_add(c, s);
	}
	if (rc == WB_OK && j->police) {
		j->police->request_id = q->id;
		j->police->child_id = q->child_id;
		rc = store_referral_insert(c, j->police);
		if (rc == WB_OK) {
			/* referred to public security at once, beside the centre: a
			 * system step, so that it does not name the reporter */
			step_init(s, q, NULL, "refer", q->created_at);
			wb_strlcpy(s->to_state, "pending", sizeof(s->to_state)); /* the referral's state */
			s->referral_id = j->police->id;
			s->unit_id = j->police->unit_id;
			wb_strlcpy(s->note, LOOP_POLICE_ASK, sizeof(s->note));
			rc = store_step_add(c, s);
		}
	}
	if (rc == WB_OK) {
		case_state_parse(q->state, &to);
		ctx.mandatory = q->mandatory;
		rc = loop_fanout(c, q, case_audience(CA_FILE, CS_NONE, to, &ctx), "request.file", 0, NULL, 0,
				 j->police_unit, q->state, q->step_due_at, q->created_at, j->p->user_id, &j->queued);
	}
	free(s);
	return rc;
}

/* Where a new request belongs: the child's place, or the village given
 * (inside the caller's area). Writes the error and returns -1. */
static int place_request(http_req *r, store_conn *c, const sec_principal *p, json_t *body, request_rec *q)
{
	json_t *cid = json_object_get(body, "child_id");
	const char *village = api_str(body, "village_code");
	area_rec ar;

	if (cid && json_is_integer(cid)) {
		child_rec ch;

		if (store_child_get(c, &p->scope, json_integer_value(cid), &ch) != WB_OK)
			return api_error(r, 422, "validation_failed", "child_id is not a child you can see",
					 "child_id"),
			       -1;
		q->child_id = ch.id;
		wb_strlcpy(q->village_code, ch.village_code, sizeof(q->village_code));
		wb_strlcpy(q->grid_code, ch.grid_code, sizeof(q->grid_code));
	} else {
		const char *lvl = village ? area_level_of(village) : NULL;

		if (!village)
			return api_error(r, 422, "required",
					 "give child_id, or village_code for a child not (yet) registered",
					 "village_code"),
			       -1;
		if (!lvl || strcmp(lvl, "village") != 0 || store_area_get(c, village, &ar) != WB_OK ||
		    strcmp(ar.county_code, p->county_code) != 0)
			return api_error(r, 422, "validation_failed",
					 "village_code must be the code of a village or community of your county",
					 "village_code"),
			       -1;
		wb_strlcpy(q->village_code, village, sizeof(q->village_code));
		if (p->scope.children == SCOPE_GRID) {
			if (strncmp(p->scope.grid, village, 12) != 0)
				return api_error(r, 403, "outside_scope", "the village is outside your grid",
						 "village_code"),
				       -1;
			/* the grid of a mandatory report would point at its reporter */
			if (!json_is_true(json_object_get(body, "mandatory")))
				wb_strlcpy(q->grid_code, p->scope.grid, sizeof(q->grid_code));
		} else if (p->scope.children != SCOPE_SCHOOL && !scope_covers_place(&p->scope, village, NULL)) {
			/* schools report children wherever they live */
			return api_error(r, 403, "outside_scope", "the village is outside your area", "village_code"),
			       -1;
		}
	}
	wb_snprintf(q->township_code, sizeof(q->township_code), "%.9s", q->village_code);
	return 0;
}

/* After a write, the caller's answer: the request as it is now, with its
 * detail, or else with the caller's allowed steps alone. */
static void answer_request(http_req *r, loop_viewer *v, int64_t id, request_rec *q, int status, int detail)
{
	json_t *out;

	v->c = api_conn(r);
	if (store_request_get(v->c, NULL, 0, id, q) != WB_OK) {
		api_fail(r, WB_ESTORE);
		return;
	}
	out = loop_request_json(v, q, detail);
	if (out && !detail)
		json_object_set_new(out, "allowed_actions", loop_allowed_json(v, q));
	api_json(r, status, out);
}

int api_requests_create(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	json_t *body = NULL;
	request_rec *q = calloc(1, sizeof(*q));
	referral_rec *police = NULL;
	deadline_config *cfg = malloc(sizeof(*cfg));
	loop_viewer v;
	audit_entry e;
	file_job j;
	const char *s;
	int64_t now = clock_now();
	int rc;

	if (!q || !cfg) {
		api_fail(r, WB_ENOMEM);
		goto out;
	}
	if (!case_may_file(p->role)) {
		api_error(r, 403, "forbidden", "your role may not file help requests", NULL);
		goto out;
	}
	if (api_body(r, &body) || api_check_fields(r, body, create_fields) ||
	    loop_texts_check(r, body, create_texts, NULL))
		goto out;
	wb_strlcpy(q->county_code, p->county_code, sizeof(q->county_code));
	if (place_request(r, c, p, body, q))
		goto out;
	s = api_str(body, "kind");
	if (!case_kind_valid(s)) {
		api_error(r, 422, "validation_failed",
			  "kind must be medical, schooling, living_hardship, guardianship, abuse_violence, bullying, "
			  "psychological, legal or other",
			  "kind");
		goto out;
	}
	wb_strlcpy(q->kind, s, sizeof(q->kind));
	s = api_str(body, "urgency");
	if (s && !case_urgency_valid(s)) {
		api_error(r, 422, "validation_failed", "urgency must be normal or urgent", "urgency");
		goto out;
	}
	wb_strlcpy(q->urgency, s ? s : "normal", sizeof(q->urgency));
	if (wb_is_blank(api_str(body, "narrative"))) {
		api_error(r, 422, "required", "narrative must say what happened", "narrative");
		goto out;
	}
	wb_strlcpy(q->narrative, api_str(body, "narrative"), sizeof(q->narrative));
	if ((s = api_str(body, "child_description")))
		wb_strlcpy(q->child_desc, s, sizeof(q->child_desc));
	s = api_str(body, "source");
	if (s && strcmp(s, p->role) != 0 && !(strcmp(s, "hotline") == 0 && strcmp(p->role, "center") == 0)) {
		api_error(r, 422, "validation_failed", "source is your role, or hotline for the centre", "source");
		goto out;
	}
	wb_strlcpy(q->source, s ? s : p->role, sizeof(q->source));
	q->mandatory = json_is_true(json_object_get(body, "mandatory"));
	memset(&j, 0, sizeof(j));
	rc = loop_config_load(c, p->county_code, cfg);
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	if (q->mandatory) {
		unit_rec u;

		if (store_unit_find(c, p->county_code, "department", "public_security", &u) != WB_OK) {
			api_error(r, 422, "no_public_security",
				  "this county has no public-security unit to receive mandatory reports", "mandatory");
			goto out;
		}
		police = calloc(1, sizeof(*police));
		if (!police) {
			api_fail(r, WB_ENOMEM);
			goto out;
		}
		wb_strlcpy(police->county_code, p->county_code, sizeof(police->county_code));
		police->unit_id = u.id;
		wb_strlcpy(police->ask, LOOP_POLICE_ASK, sizeof(police->ask));
		wb_strlcpy(police->fields, POLICE_FIELDS, sizeof(police->fields));
		wb_strlcpy(police->state, "pending", sizeof(police->state));
		police->state_since = now;
		police->step_due_at = loop_referral_due(cfg, RS_PENDING, 0, !strcmp(q->urgency, "urgent"), now);
		police->created_by = p->user_id;
		police->created_at = police->updated_at = now;
		q->police_due_at = deadline_due(cfg, DL_POLICE_FEEDBACK, !strcmp(q->urgency, "urgent"), now);
		j.police = police;
		j.police_unit = u.id;
	}
	{
		enum case_state st = case_initial_state(p->role, q->mandatory);

		wb_strlcpy(q->state, case_state_name(st), sizeof(q->state));
		q->state_since = now;
		q->step_due_at = loop_state_due(cfg, st, !strcmp(q->urgency, "urgent"), now);
		wb_strlcpy(q->handled_by, st == CS_FORWARDED || st == CS_ACCEPTED ? "centre" : "township",
			   sizeof(q->handled_by));
	}
	q->reporter_id = p->user_id;
	wb_strlcpy(q->reporter_role, p->role, sizeof(q->reporter_role));
	q->reporter_unit_id = p->unit_id;
	q->created_at = q->updated_at = now;
	api_audit_init(r, p, &e);
	audit_entry_set(&e, "request.file", "request", "", "ok");
	wb_snprintf(e.detail, sizeof(e.detail),
		    "{\"kind\":\"%s\",\"urgency\":\"%s\",\"mandatory\":%s,\"state\":\"%s\"}", q->kind, q->urgency,
		    q->mandatory ? "true" : "false", q->state);
	j.p = p;
	j.q = q;
	j.e = &e;
	api_conn_release(r); /* the job runs on the writer's connection */
	rc = audit_submit(a->audit, &e, file_fn, &j);
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	if (j.queued)
		loop_webhooks_kick();
	{
		char loc[64];

		wb_snprintf(loc, sizeof(loc), "/api/v1/requests/%" PRId64, q->id);
		http_add_header(r, "Location", loc);
	}
	loop_viewer_init(&v, a, api_conn(r), p);
	answer_request(r, &v, q->id, q, 201, 1);
out:
	json_decref(body);
	free(q);
	free(police);
	free(cfg);
	return 0;
}

/* ---- reading ---- */

int api_request_get(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	request_rec *q = malloc(sizeof(*q));
	loop_viewer v;
	audit_entry e;
	json_t *j = NULL;
	int64_t id;
	int rc;

	if (!q)
		return api_fail(r, WB_ENOMEM);
	if (api_id_param(r, "id", &id))
		goto out;
	loop_viewer_init(&v, a, c, p);
	rc = store_request_get(c, &v.scope, p->user_id, id, q);
	if (rc == WB_OK)
		j = loop_request_json(&v, q, 1);
	api_audit_init(r, p, &e);
	wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, id);
	audit_entry_set(&e, "request.read", "request", e.object_id, rc == WB_OK ? "ok" : "not_found");
	/* Every read is done: give the connection back while the audit entry
	 * commits. The read is acknowledged only once that entry is durable. */
	api_conn_release(r);
	if (audit_submit(a->audit, &e, NULL, NULL) != WB_OK) {
		json_decref(j);
		api_fail(r, WB_ESTORE);
		goto out;
	}
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	api_json(r, 200, j);
out:
	free(q);
	return 0;
}

typedef struct list_ctx {
	const loop_viewer *v;
	api_list list;
	int counts_only; /* limit=0: how many, nobody named */
	int64_t counted;
} list_ctx;

static int list_cb(const request_rec *q, void *arg)
{
	list_ctx *l = arg;

	l->counted++;
	if (!l->counts_only)
		api_list_add(&l->list, loop_request_json(l->v, q, 0), q->id);
	return WB_OK;
}

static int bad_query(http_req *r, const char *field, const char *message)
{
	api_error(r, 422, "validation_failed", message, field);
	return -1;
}

static int parse_list(http_req *r, request_filter *f, int64_t now, int *counts_only)
{
	const char *s;

	memset(f, 0, sizeof(f[0]));
	if (api_limit_counts(r, LIST_DEFAULT, LIST_MAX, &f->limit, counts_only))
		return -1;
	if (*counts_only) {
		f->limit = LIST_MAX; /* counted up to the largest page */
		f->counted_only = 1;
	}
	if (api_query_cursor(r, &f->before_id))
		return -1;
	if ((s = http_query(r, "state")) && strcmp(s, "all") != 0) {
		enum case_state st;

		if (strcmp(s, "open") != 0 && case_state_parse(s, &st) != 0)
			return bad_query(r, "state", "state must be a state name, open or all");
		f->state = s;
	}
	if ((s = http_query(r, "township"))) {
		if (strlen(s) != 9 || !area_level_of(s))
			return bad_query(r, "township", "township must be a 9-digit township code");
		f->township = s;
	}
	if ((s = http_query(r, "village"))) {
		if (strlen(s) != 12 || !area_level_of(s))
			return bad_query(r, "village", "village must be a 12-digit village code");
		f->village = s;
	}
	if ((s = http_query(r, "kind"))) {
		if (!case_kind_valid(s))
			return bad_query(r, "kind", "kind is not a request kind");
		f->kind = s;
	}
	if (api_query_id(r, "child_id", NULL, &f->child_id))
		return -1;
	if ((s = http_query(r, "overdue")) && strcmp(s, "true") == 0)
		f->overdue_at = now;
	if ((s = http_query(r, "mandatory")) && strcmp(s, "true") == 0)
		f->mandatory = 1;
	return 0;
}

/* ---- the list downloaded (SPEC §8) ---- */

#define EXPORT_MAX_ROWS 50000

static const sheet_word kind_words[] = {
	{"medical", "医疗", "Medical"},
	{"schooling", "就学", "Schooling"},
	{"living_hardship", "生活困难", "Living hardship"},
	{"guardianship", "监护", "Guardianship"},
	{"abuse_violence", "侵害/暴力", "Abuse / violence"},
	{"bullying", "欺凌", "Bullying"},
	{"psychological", "心理", "Psychological"},
	{"legal", "法律", "Legal"},
	{"other", "其他", "Other"},
	{NULL, NULL, NULL},
};
static const sheet_word urgency_words[] = {
	{"normal", "一般", "Normal"},
	{"urgent", "紧急", "Urgent"},
	{NULL, NULL, NULL},
};
/* a request's states in the loop's order (loop.h) */
const sheet_word loop_state_words[] = {
	{"reported", "待乡镇审核", "Reported"},
	{"township_review", "乡镇审核中", "Township review"},
	{"resolved_locally", "乡镇已办结", "Resolved in the township"},
	{"forwarded", "已转报县中心", "Forwarded to the centre"},
	{"accepted", "县中心已受理", "Accepted by the centre"},
	{"referred", "转办中", "Referred"},
	{"referrals_done", "转办已办结", "Referrals done"},
	{"result_sent", "结果已下达", "Result sent down"},
	{"feedback_delivered", "已反馈", "Feedback recorded"},
	{"closed", "已结案", "Closed"},
	{"withdrawn", "已撤销", "Withdrawn"},
	{NULL, NULL, NULL},
};
static const sheet_word tier_words[] = {
	{"village", "村（社区）", "The village"},
	{"township", "乡镇（街道）", "The township"},
	{"centre", "县中心", "The centre"},
	{"units", "转办单位", "The referred units"},
	{NULL, NULL, NULL},
};
static const sheet_col request_cols[] = {
	{"编号", "ID", "id", SC_INT, NULL},
	{"提交时间", "Filed at", "created_at", SC_TIME, NULL},
	{"类型", "Kind", "kind", SC_WORD, kind_words},
	{"紧急程度", "Urgency", "urgency", SC_WORD, urgency_words},
	{"强制报告", "Mandatory report", "mandatory", SC_BOOL, NULL},
	{"一路绿灯", "Fast-track", "priority", SC_BOOL, NULL},
	{"状态", "State", "state", SC_WORD, loop_state_words},
	{"当前在", "Now with", "holder.tier", SC_WORD, tier_words},
	{"办理方", "Handled by", "holder.name", SC_TEXT, NULL},
	{"本环节期限", "Step due at", "due_at", SC_TIME, NULL},
	{"超期", "Overdue", "overdue", SC_BOOL, NULL},
	{"儿童编号", "Child ID", "child.id", SC_INT, NULL},
	{"儿童姓名", "Child", "child.name", SC_TEXT, NULL},
	{"村（社区）代码", "Village code", "village_code", SC_TEXT, NULL},
	{"结案时间", "Closed at", "closed_at", SC_TIME, NULL},
};

typedef struct export_ctx {
	const loop_viewer *v;
	api_sheet *sh;
	const char *sep; /* between the names of a request's units */
	int64_t last_id;
	int n;
} export_ctx;

static int export_cb(const request_rec *q, void *arg)
{
	export_ctx *x = arg;
	json_t *j = loop_request_json(x->v, q, 0);

	if (!j)
		return WB_ENOMEM;
	loop_request_row_fill(x->v, q, j, x->sep);
	api_sheet_json_row(x->sh, j, request_cols, WB_ARRAY_LEN(request_cols));
	json_decref(j);
	x->last_id = q->id;
	x->n++;
	return x->sh->failed ? WB_EIO : WB_OK;
}

/* The whole list of the filter f (newest first) as a download, audited
 * as request.export. */
static int requests_export(http_req *r, app *a, store_conn *c, const sec_principal *p, loop_viewer *v,
			   request_filter *f, int fmt, int en)
{
	api_sheet sh;
	export_ctx x = {v, &sh, en ? "; " : "\xe3\x80\x81" /* 、 */, 0, 0};
	int rc;

	if (!p->def->export_children)
		return api_error(r, 403, "forbidden", "your role may not export lists of children", "format");
	rc = api_sheet_begin_cols(&sh, r, fmt, en, en ? "Requests" : "求助", request_cols, WB_ARRAY_LEN(request_cols));
	/* a page of 200: a request's texts take up to 43 KB in its record */
	f->limit = 200;
	while (rc == WB_OK && x.n < EXPORT_MAX_ROWS) {
		int before = x.n;

		f->before_id = x.last_id;
		rc = store_request_list(c, &v->scope, p->user_id, f, export_cb, &x);
		if (x.n - before < f->limit)
			break;
	}
	if (rc)
		return api_sheet_fail(&sh, r, rc);
	return api_sheet_audited_end(&sh, r, a, p, "request.export", "request",
				     json_pack("{s:s, s:s?, s:s?, s:s?}", "state", f->state ? f->state : "all",
					       "township", f->township, "village", f->village, "kind", f->kind),
				     "requests", clock_today_ymd());
}

int api_requests_list(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	request_filter f;
	loop_viewer v;
	list_ctx l = {0};
	audit_entry e;
	int rc, fmt, en, counts_only;

	loop_viewer_init(&v, a, c, p);
	if (parse_list(r, &f, v.now, &counts_only) || api_sheet_params(r, SHEET_JSON, 1, &fmt, &en))
		return 0;
	/* a unit is told a request's place only by its referral's address
	 * grant: a list filtered by place would tell it whatever the grant */
	if (v.scope.children == SCOPE_REFERRAL && (f.township || f.village)) {
		bad_query(r, f.township ? "township" : "village",
			  "a department or organisation does not filter requests by place");
		return 0;
	}
	if (fmt != SHEET_JSON)
		return requests_export(r, a, c, p, &v, &f, fmt, en);
	l.v = &v;
	l.counts_only = counts_only;
	api_list_init(&l.list);
	rc = store_request_list(c, &v.scope, p->user_id, &f, list_cb, &l);
	if (rc) {
		api_list_cleanup(&l.list);
		return api_fail(r, rc);
	}
	if (counts_only) {
		/* the figure alone (a home page's): nobody named, not audited */
		api_list_cleanup(&l.list);
		return api_json(r, 200,
				json_pack("{s:[], s:n, s:I, s:b}", "items", "next_cursor", "total",
					  (json_int_t)l.counted, "total_capped", l.counted >= LIST_MAX));
	}
	api_audit_init(r, p, &e);
	audit_entry_set(&e, "request.list", "request", "", "ok");
	wb_snprintf(e.detail, sizeof(e.detail), "{\"state\":\"%s\",\"township\":\"%s\",\"returned\":%d}",
		    f.state ? f.state : "all", f.township ? f.township : "", l.list.n);
	return api_list_answer(r, a, &e, &l.list, f.limit);
}

/* ---- steps ---- */

static const api_field action_fields[] = {
	{"action", JSON_STRING, 1, 32},
	{"version", JSON_INTEGER, 1, 0},
	{"note", JSON_STRING, 0, REQ_TEXT_MAX},
	{"result", JSON_STRING, 0, REQ_TEXT_MAX},
	{"reason", JSON_STRING, 0, REQ_REASON_MAX},
	{"feedback", JSON_STRING, 0, REQ_TEXT_MAX},
	{"rating", JSON_STRING, 0, 24},
	{"referrals", JSON_ARRAY, 0, 0},
	{"priority", JSON_TRUE, 0, 0},
	{"child_id", JSON_INTEGER, 0, 0},
	{"police_feedback", JSON_STRING, 0, REQ_TEXT_MAX},
	{NULL, 0, 0, 0},
};

static const loop_text action_texts[] = {
	{"note", REQ_TEXT_CHARS},     {"result", REQ_TEXT_CHARS},          {"reason", REQ_REASON_CHARS},
	{"feedback", REQ_TEXT_CHARS}, {"police_feedback", REQ_TEXT_CHARS}, {NULL, 0},
};

static const api_field referral_fields[] = {
	{"unit_id", JSON_INTEGER, 1, 0},
	{"ask", JSON_STRING, 1, REQ_ASK_MAX},
	{"fields", JSON_ARRAY, 0, 0},
	{"due_date", JSON_STRING, 0, 10},
	{NULL, 0, 0, 0},
};

static const loop_text referral_texts[] = {{"ask", REQ_ASK_CHARS}, {NULL, 0}};

/* "referrals[i].field", as a 422 names a field of one referral */
static const char *referral_field(char *out, size_t n, const char *at, const char *field)
{
	wb_snprintf(out, n, "%s.%s", at, field);
	return out;
}

enum { MOVED_VILLAGE = 1, MOVED_TOWNSHIP = 2 };

typedef struct action_job {
	const sec_principal *p;
	enum case_action action;
	int64_t version;
	request_rec *q; /* the request as it will be */
	step_rec *step;
	referral_rec *refs; /* new referrals (refer) */
	int nrefs;
	const deadline_config *cfg;
	case_ctx ctx;
	enum case_state from, to;
	int64_t now;
	int queued;
	int dup_unit;   /* out: a unit already works on this request */
	int moved;      /* link_child: MOVED_VILLAGE, MOVED_TOWNSHIP (to the child's) */
	audit_entry *e; /* appended after the job: a withdrawal says the follow-ups it cancelled */
} action_job;

typedef struct active_units {
	const referral_rec *refs;
	int nrefs;
	int dup;
} active_units;

static int find_dup(const referral_rec *f, void *arg)
{
	active_units *u = arg;
	enum referral_state s = RS_NONE;

	referral_state_parse(f->state, &s);
	for (int i = 0; referral_is_active(s) && i < u->nrefs; i++)
		if (u->refs[i].unit_id == f->unit_id)
			u->dup = 1;
	return WB_OK;
}

static int action_fn(store_conn *c, void *arg)
{
	action_job *j = arg;
	request_rec *q = j->q;
	char event[48];
	int rc = WB_OK, moved = 0;

	if (j->action == CA_REFER) {
		active_units u = {j->refs, j->nrefs, 0};

		rc = store_referrals_of(c, q->id, find_dup, &u);
		if (rc == WB_OK && u.dup) {
			j->dup_unit = 1;
			return WB_ECONFLICT;
		}
	}
	if (rc == WB_OK)
		rc = store_request_update(c, q, j->version);
	if (rc == WB_OK)
		rc = store_step_add(c, j->step);
	wb_snprintf(event, sizeof(event), "request.%s", case_action_name(j->action));
	if (rc)
		return rc;
	switch (j->action) {
	case CA_REFER: {
		for (int i = 0; rc == WB_OK && i < j->nrefs; i++) {
			step_rec *s = j->step;

			j->refs[i].request_id = q->id;
			j->refs[i].child_id = q->child_id;
			rc = store_referral_insert(c, &j->refs[i]);
			if (rc == WB_OK) {
				/* one row per referral: the department's own timeline starts here */
				step_init(s, q, j->p, "refer", j->now);
				wb_strlcpy(s->to_state, "pending", sizeof(s->to_state));
				s->referral_id = j->refs[i].id;
				s->unit_id = j->refs[i].unit_id;
				wb_strlcpy(s->note, j->refs[i].ask, sizeof(s->note));
				rc = store_step_add(c, s);
			}
		}
		/* each unit is told of its own referral, with the deadline to
		 * accept it by */
		for (int i = 0; rc == WB_OK && i < j->nrefs; i++)
			rc = loop_fanout(c, q, AUD_UNITS, event, j->refs[i].id, &j->refs[i].unit_id, 1, 0,
					 "referral_pending", j->refs[i].step_due_at, j->now, j->p->user_id, &j->queued);
		if (rc == WB_OK)
			rc = loop_referrals_check(c, q, j->cfg, j->now, &moved, &j->queued);
		return rc;
	}
	case CA_WITHDRAW: {
		int cancelled = 0;
		size_t len;

		/* the units hear of it before their referrals end */
		rc = loop_fanout(c, q, case_audience(j->action, j->from, j->to, &j->ctx), event, 0, NULL, 0, 0, NULL, 0,
				 j->now, j->p->user_id, &j->queued);
		if (rc == WB_OK)
			rc = store_referrals_cancel_active(c, q->id, j->now);
		/* nobody is to visit the child for a request withdrawn: its open
		 * follow-ups are cancelled with it, by the one who withdrew it,
		 * and its audit entry says how many */
		if (rc == WB_OK)
			rc = store_follow_ups_cancel_open(c, q->id, 0, j->now, j->p->user_id, &cancelled);
		len = strlen(j->e->detail);
		if (rc == WB_OK && len > 1 && j->e->detail[len - 1] == '}')
			wb_snprintf(j->e->detail + len - 1, sizeof(j->e->detail) - (len - 1),
				    ",\"follow_ups_cancelled\":%d}", cancelled);
		return rc;
	}
	case CA_SET_PRIORITY: rc = loop_referrals_reschedule(c, q, j->cfg); break;
	case CA_LINK_CHILD: rc = store_referrals_set_child(c, q->id, q->child_id); break;
	default: break;
	}
	if (rc == WB_OK) {
		unsigned audience = case_audience(j->action, j->from, j->to, &j->ctx);

		/* a review with a note is the township asking the village back
		 * (请补充…): whoever filed the request reads it in the inbox */
		if (j->action == CA_REVIEW && j->step->note[0] && q->reporter_id != j->p->user_id)
			audience |= AUD_FILER;
		/* linked to a child of another village, the request is that
		 * place's now: whoever holds its step there is told (the place
		 * it left no longer reads it) */
		if (j->action == CA_LINK_CHILD) {
			enum case_tier t = case_holder(j->from, j->ctx.local);

			if (t == TIER_TOWNSHIP && (j->moved & MOVED_TOWNSHIP))
				audience |= AUD_STATION;
			if (t == TIER_VILLAGE && (j->moved & MOVED_VILLAGE))
				audience |= AUD_DIRECTOR;
		}
		rc = loop_fanout(c, q, audience, event, 0, NULL, 0, 0, NULL, q->step_due_at, j->now, j->p->user_id,
				 &j->queued);
	}
	return rc;
}

/* Reads the referrals of a refer step into j->refs. -1 after an error. */
static int parse_referrals(http_req *r, store_conn *c, const sec_principal *p, json_t *arr, action_job *j,
			   const request_rec *q)
{
	size_t i;
	json_t *it;
	int today = clock_today_ymd();

	if (json_array_size(arr) > REFER_MAX)
		return api_error(r, 422, "validation_failed", "at most 10 referrals at a time", "referrals"), -1;
	j->refs = calloc(json_array_size(arr) + 1, sizeof(*j->refs));
	if (!j->refs)
		return api_fail(r, WB_ENOMEM), -1;
	json_array_foreach(arr, i, it)
	{
		referral_rec *f = &j->refs[j->nrefs];
		unit_rec u;
		json_t *fields;
		const char *due;

		char at[48], name[64]; /* referrals[i], and a field of it */

		wb_snprintf(at, sizeof(at), "referrals[%zu]", i);
		if (!json_is_object(it))
			return api_error(r, 422, "invalid_type", "each referral must be an object", at), -1;
		if (api_check_fields_in(r, it, referral_fields, at) || loop_texts_check(r, it, referral_texts, at))
			return -1; /* the 422 names referrals[i].field */
		if (wb_is_blank(api_str(it, "ask")))
			return api_error(r, 422, "required", "each referral must say what is asked of the unit",
					 referral_field(name, sizeof(name), at, "ask")),
			       -1;
		if (store_unit_get(c, json_integer_value(json_object_get(it, "unit_id")), &u) != WB_OK ||
		    strcmp(u.county_code, p->county_code) != 0 ||
		    (strcmp(u.kind, "department") != 0 && strcmp(u.kind, "org") != 0))
			return api_error(r, 422, "validation_failed",
					 "unit_id must be a department or organisation of your county",
					 referral_field(name, sizeof(name), at, "unit_id")),
			       -1;
		for (int k = 0; k < j->nrefs; k++)
			if (j->refs[k].unit_id == u.id)
				return api_error(r, 422, "validation_failed", "a unit is named twice",
						 referral_field(name, sizeof(name), at, "unit_id")),
				       -1;
		wb_strlcpy(f->county_code, p->county_code, sizeof(f->county_code));
		f->unit_id = u.id;
		wb_strlcpy(f->ask, api_str(it, "ask"), sizeof(f->ask));
		fields = json_object_get(it, "fields");
		if (fields && json_is_array(fields)) {
			size_t k;
			json_t *fv;

			json_array_foreach(fields, k, fv)
			{
				const char *g = json_string_value(fv);
				size_t have = strlen(f->fields);

				if (!case_field_valid(g))
					return api_error(
						       r, 422, "validation_failed",
						       "fields may hold address, id_number, guardians, health, school "
						       "and family",
						       referral_field(name, sizeof(name), at, "fields")),
					       -1;
				if (!strstr(f->fields, g))
					wb_snprintf(f->fields + have, sizeof(f->fields) - have, "%s%s", have ? "," : "",
						    g);
			}
		}
		if ((due = api_str(it, "due_date"))) {
			int ymd;

			if (date_parse(due, &ymd) != WB_OK || ymd < today)
				return api_error(r, 422, "validation_failed",
						 "due_date must be a date (YYYY-MM-DD), today or later",
						 referral_field(name, sizeof(name), at, "due_date")),
				       -1;
			/* a mistyped year would give a referral that is never late */
			if (ymd > date_add_days(today, 366))
				return api_error(r, 422, "validation_failed", "due_date may be at most a year ahead",
						 referral_field(name, sizeof(name), at, "due_date")),
				       -1;
			/* the end of that day, China Standard Time */
			{
				char iso[40];

				wb_snprintf(iso, sizeof(iso), "%sT23:59:59+08:00", due);
				if (deadline_time_parse(iso, &f->due_at) != 0)
					return api_error(r, 422, "validation_failed", "due_date is not a date",
							 referral_field(name, sizeof(name), at, "due_date")),
					       -1;
			}
		}
		wb_strlcpy(f->state, "pending", sizeof(f->state));
		f->state_since = j->now;
		f->step_due_at = loop_referral_due(j->cfg, RS_PENDING, f->due_at,
						   !strcmp(q->urgency, "urgent") || q->priority, j->now);
		f->created_by = p->user_id;
		f->created_at = f->updated_at = j->now;
		j->nrefs++;
	}
	return 0;
}

static int need_text(http_req *r, json_t *body, const char *key, const char *what)
{
	const char *s = api_str(body, key);
	char msg[120];

	if (s && !wb_is_blank(s))
		return 0;
	wb_snprintf(msg, sizeof(msg), "%s needs %s", what, key);
	api_error(r, 422, "required", msg, key);
	return -1;
}

/* Applies action to q (a copy of the stored request) from the body. -1
 * after writing an error. */
static int apply_action(http_req *r, store_conn *c, const sec_principal *p, json_t *body, action_job *j,
			const request_rec *old)
{
	request_rec *q = j->q;
	step_rec *s = j->step;
	const char *act = case_action_name(j->action);
	const char *note = api_str(body, "note");
	int urgent = !strcmp(q->urgency, "urgent");

	switch (j->action) {
	case CA_RESOLVE:
	case CA_SEND_RESULT:
		if (need_text(r, body, "result", act))
			return -1;
		wb_strlcpy(q->result, api_str(body, "result"), sizeof(q->result));
		note = q->result;
		break;
	case CA_WITHDRAW:
		if (need_text(r, body, "reason", act))
			return -1;
		wb_strlcpy(q->withdraw_reason, api_str(body, "reason"), sizeof(q->withdraw_reason));
		note = q->withdraw_reason;
		q->police_due_at = q->police_feedback_at ? q->police_due_at : 0;
		break;
	case CA_SEND_BACK:
	case CA_REOPEN:
		if (need_text(r, body, "reason", act))
			return -1;
		note = api_str(body, "reason");
		break;
	case CA_DELIVER_FEEDBACK:
		if (need_text(r, body, "feedback", act) || need_text(r, body, "rating", act))
			return -1;
		if (!case_rating_valid(api_str(body, "rating")))
			return api_error(r, 422, "validation_failed",
					 "rating must be satisfied, basically_satisfied or dissatisfied", "rating"),
			       -1;
		wb_strlcpy(q->feedback, api_str(body, "feedback"), sizeof(q->feedback));
		wb_strlcpy(q->feedback_rating, api_str(body, "rating"), sizeof(q->feedback_rating));
		q->feedback_at = j->now;
		note = q->feedback;
		/* the step keeps the rating: a reopen asks for the feedback again */
		wb_strlcpy(s->rating, q->feedback_rating, sizeof(s->rating));
		break;
	case CA_REFER: {
		json_t *arr = json_object_get(body, "referrals");
		int total = 0, active = 0, referred = 1;

		if (arr && !json_is_array(arr))
			return api_error(r, 422, "invalid_type", "referrals must be an array", "referrals"), -1;
		if (arr && parse_referrals(r, c, p, arr, j, old))
			return -1;
		if (store_referral_counts(c, q->id, &total, &active) != WB_OK ||
		    (total > active && store_request_was_referred(c, q->id, &referred) != WB_OK))
			return api_fail(r, WB_ESTORE), -1;
		/* without a new referral, only a request accepted with referrals
		 * made before the centre's (a mandatory report's police referral)
		 * moves on: on to referrals_done at once if they have ended
		 * meanwhile, as the police may before the centre accepts.
		 * Anything else would restart the centre's clock for nothing. */
		if (j->nrefs == 0 && (strcmp(old->state, "accepted") != 0 || (active == 0 && (total == 0 || referred))))
			return api_error(r, 422, "required", "refer needs at least one referral", "referrals"), -1;
		break;
	}
	case CA_SET_PRIORITY: {
		json_t *v = json_object_get(body, "priority");

		if (!json_is_boolean(v))
			return api_error(r, 422, "required", "set_priority needs priority (true or false)", "priority"),
			       -1;
		q->priority = json_is_true(v);
		/* the step now held gets the deadline the new flag calls for */
		{
			enum case_state st = CS_NONE;

			case_state_parse(q->state, &st);
			q->step_due_at = loop_state_due(j->cfg, st, urgent || q->priority, q->state_since);
			if (q->police_due_at && !q->police_feedback_at)
				q->police_due_at =
					deadline_due(j->cfg, DL_POLICE_FEEDBACK, urgent || q->priority, q->created_at);
		}
		if (!note)
			note = q->priority ? "priority" : "priority removed";
		break;
	}
	case CA_LINK_CHILD: {
		json_t *v = json_object_get(body, "child_id");
		child_rec ch;

		if (!json_is_integer(v))
			return api_error(r, 422, "required", "link_child needs child_id", "child_id"), -1;
		if (store_child_get(c, &p->scope, json_integer_value(v), &ch) != WB_OK)
			return api_error(r, 422, "validation_failed", "child_id is not a child you can see",
					 "child_id"),
			       -1;
		q->child_id = ch.id;
		j->moved = (strcmp(old->village_code, ch.village_code) != 0 ? MOVED_VILLAGE : 0) |
			   (strncmp(old->township_code, ch.village_code, 9) != 0 ? MOVED_TOWNSHIP : 0);
		wb_strlcpy(q->village_code, ch.village_code, sizeof(q->village_code));
		wb_strlcpy(q->grid_code, ch.grid_code, sizeof(q->grid_code));
		wb_snprintf(q->township_code, sizeof(q->township_code), "%.9s", ch.village_code);
		break;
	}
	case CA_POLICE_FEEDBACK:
		if (need_text(r, body, "police_feedback", act))
			return -1;
		wb_strlcpy(q->police_feedback, api_str(body, "police_feedback"), sizeof(q->police_feedback));
		q->police_feedback_at = j->now;
		note = q->police_feedback;
		/* the police step of the timeline: from the report to now */
		s->stage_started_at = q->created_at;
		s->stage_due_at = q->police_due_at;
		wb_strlcpy(s->from_state, "police_feedback", sizeof(s->from_state));
		s->unit_id = p->unit_id;
		break;
	default: break;
	}
	if (j->to != j->from) {
		q->state_since = j->now;
		wb_strlcpy(q->state, case_state_name(j->to), sizeof(q->state));
		q->step_due_at = loop_state_due(j->cfg, j->to, urgent || q->priority, j->now);
		if (j->to == CS_FORWARDED || j->to == CS_ACCEPTED)
			wb_strlcpy(q->handled_by, "centre", sizeof(q->handled_by));
		if (j->to == CS_CLOSED || j->to == CS_WITHDRAWN)
			q->closed_at = j->now;
		if (j->action == CA_REOPEN) {
			/* worked on again: a new result, delivered and rated
			 * again; the earlier ones stay on their steps */
			q->closed_at = 0;
			q->feedback_at = 0;
			q->result[0] = q->feedback[0] = q->feedback_rating[0] = '\0';
		}
		/* the stage this step ends */
		wb_strlcpy(s->from_state, old->state, sizeof(s->from_state));
		s->stage_started_at = old->state_since;
		s->stage_due_at = old->step_due_at;
	}
	q->updated_at = j->now;
	wb_strlcpy(s->to_state, q->state, sizeof(s->to_state));
	if (note)
		wb_strlcpy(s->note, note, sizeof(s->note));
	return 0;
}

int api_request_action(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	json_t *body = NULL;
	request_rec *old = malloc(sizeof(*old)), *q = malloc(sizeof(*q));
	step_rec *step = malloc(sizeof(*step));
	deadline_config *cfg = malloc(sizeof(*cfg));
	action_job j;
	loop_viewer v;
	audit_entry e;
	int64_t id;
	int rc;

	memset(&j, 0, sizeof(j));
	if (!old || !q || !step || !cfg) {
		api_fail(r, WB_ENOMEM);
		goto out;
	}
	if (api_id_param(r, "id", &id) || api_body(r, &body) || api_check_fields(r, body, action_fields) ||
	    loop_texts_check(r, body, action_texts, NULL))
		goto out;
	if (case_action_parse(api_str(body, "action"), &j.action) != 0 || j.action == CA_FILE ||
	    j.action == CA_REFERRALS_COMPLETE) {
		api_error(r, 422, "validation_failed", "action is not a step of a request", "action");
		goto out;
	}
	loop_viewer_init(&v, a, c, p);
	rc = store_request_get(c, &v.scope, p->user_id, id, old);
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	/* the version first: a step taken meanwhile by someone else is that,
	 * whatever the state it left (two at once: the loser is told so on
	 * both drivers, read before or after the winner's commit) */
	j.version = json_integer_value(json_object_get(body, "version"));
	if (j.version != old->version) {
		loop_audit_refused(r, a, p, "request", case_action_name(j.action), id, old->state, j.version,
				   "conflict");
		version_conflict(r);
		goto out;
	}
	loop_case_ctx(&v, old, &j.ctx);
	case_state_parse(old->state, &j.from);
	rc = case_transition(j.from, j.action, p->role, &j.ctx, &j.to);
	if (rc) {
		loop_audit_refused(r, a, p, "request", case_action_name(j.action), id, old->state, j.version,
				   rc == WB_EFORBIDDEN ? "denied" : "conflict");
		refuse(r, &v, old, rc == WB_EFORBIDDEN ? 403 : 409, case_action_name(j.action));
		goto out;
	}
	rc = loop_config_load(c, old->county_code, cfg);
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	*q = *old;
	j.p = p;
	j.q = q;
	j.step = step;
	j.cfg = cfg;
	j.now = clock_now();
	step_init(step, q, p, case_action_name(j.action), j.now);
	if (apply_action(r, c, p, body, &j, old))
		goto out;
	api_audit_init(r, p, &e);
	wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, id);
	wb_snprintf(e.action, sizeof(e.action), "request.%s", case_action_name(j.action));
	audit_entry_set(&e, e.action, "request", e.object_id, "ok");
	wb_snprintf(e.detail, sizeof(e.detail),
		    "{\"from\":\"%s\",\"to\":\"%s\",\"version\":%" PRId64 ",\"referrals\":%d}", old->state, q->state,
		    old->version, j.nrefs);
	j.e = &e;
	api_conn_release(r); /* the job runs on the writer's connection */
	rc = audit_submit(a->audit, &e, action_fn, &j);
	if (rc == WB_ECONFLICT && j.dup_unit) {
		api_error(r, 409, "duplicate_referral", "a unit named already has an active referral of this request",
			  "referrals");
		goto out;
	}
	if (rc == WB_ECONFLICT) {
		version_conflict(r);
		goto out;
	}
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	if (j.queued)
		loop_webhooks_kick();
	answer_request(r, &v, id, q, 200, 0);
out:
	json_decref(body);
	free(old);
	free(q);
	free(step);
	free(cfg);
	free(j.refs);
	return 0;
}

/* ---- comments ---- */

/* A comment is a question or an answer between the parties of the loop
 * (请补充… / 父母在上海务工) that is not a step of the state machine: a
 * timeline row without a stage (the metrics skip it), an audit entry that
 * names the request and its state (never the text), and a message to the
 * other side of the request's current step. */
static const api_field comment_fields[] = {
	{"text", JSON_STRING, 1, REQ_TEXT_MAX},
	{NULL, 0, 0, 0},
};

static const loop_text comment_texts[] = {{"text", REQ_TEXT_CHARS}, {NULL, 0}};

typedef struct comment_job {
	const request_rec *q;
	step_rec *step;
	unsigned audience;
	int64_t actor;
	int queued;
} comment_job;

static int comment_fn(store_conn *c, void *arg)
{
	comment_job *j = arg;
	int rc = store_step_add(c, j->step);

	if (rc == WB_OK)
		rc = loop_fanout(c, j->q, j->audience, "request.comment", 0, NULL, 0, 0, NULL, j->q->step_due_at,
				 j->step->at, j->actor, &j->queued);
	return rc;
}

/* Who hears of a comment: the other side of the loop from the commenter.
 * The township's desk tells the filer and the village; the centre tells
 * the filer, the township and the units at work; a unit tells the centre;
 * the village side (a director, a grid worker, any other filer) tells the
 * township, and the centre once the request went up. */
static unsigned comment_audience(const sec_principal *p, const request_rec *q)
{
	int centre = strcmp(q->handled_by, "township") != 0;

	if (strcmp(p->role, "station") == 0 || strcmp(p->role, "supervisor") == 0)
		return AUD_FILER | AUD_DIRECTOR | (centre ? AUD_CENTER : 0);
	if (strcmp(p->role, "center") == 0)
		return AUD_FILER | AUD_STATION | AUD_UNITS;
	if (p->def->unit_kind && p->scope.children == SCOPE_REFERRAL && q->reporter_id != p->user_id)
		return AUD_CENTER;
	return AUD_STATION | (centre ? AUD_CENTER : 0);
}

int api_request_comment(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	json_t *body = NULL;
	request_rec *q = malloc(sizeof(*q));
	step_rec *step = malloc(sizeof(*step));
	comment_job j;
	loop_viewer v;
	audit_entry e;
	const char *text;
	int64_t id;
	int rc;

	if (!q || !step) {
		api_fail(r, WB_ENOMEM);
		goto out;
	}
	if (api_id_param(r, "id", &id) || api_body(r, &body) || api_check_fields(r, body, comment_fields) ||
	    loop_texts_check(r, body, comment_texts, NULL))
		goto out;
	text = api_str(body, "text");
	if (!text || wb_is_blank(text)) {
		api_error(r, 422, "required", "a comment needs text", "text");
		goto out;
	}
	loop_viewer_init(&v, a, c, p);
	rc = store_request_get(c, &v.scope, p->user_id, id, q);
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	/* the leaders follow the loop without its texts: they do not write in it */
	if (v.meta_only) {
		api_error(r, 403, "forbidden", "your role may not comment on a request", NULL);
		goto out;
	}
	memset(&j, 0, sizeof(j));
	j.q = q;
	j.step = step;
	j.actor = p->user_id;
	j.audience = comment_audience(p, q);
	step_init(step, q, p, "comment", clock_now());
	wb_strlcpy(step->to_state, q->state, sizeof(step->to_state));
	wb_strlcpy(step->note, text, sizeof(step->note));
	if (p->def->unit_kind)
		step->unit_id = p->unit_id;
	api_audit_init(r, p, &e);
	wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, id);
	audit_entry_set(&e, "request.comment", "request", e.object_id, "ok");
	wb_snprintf(e.detail, sizeof(e.detail), "{\"state\":\"%s\",\"version\":%" PRId64 "}", q->state, q->version);
	api_conn_release(r); /* the job runs on the writer's connection */
	rc = audit_submit(a->audit, &e, comment_fn, &j);
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	if (j.queued)
		loop_webhooks_kick();
	answer_request(r, &v, id, q, 201, 1);
out:
	json_decref(body);
	free(q);
	free(step);
	return 0;
}

/* ---- attachments ---- */

#define ATTACH_MAX (10u << 20)

static const char *sniff(const unsigned char *d, size_t n, const char **ext)
{
	if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF) {
		*ext = "jpg";
		return "image/jpeg";
	}
	if (n >= 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0) {
		*ext = "png";
		return "image/png";
	}
	if (n >= 5 && memcmp(d, "%PDF-", 5) == 0) {
		*ext = "pdf";
		return "application/pdf";
	}
	return NULL;
}

static void sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, data, len);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

/* Stores the bytes under dir/<sha256>, written whole before the name
 * appears (temp file, fsync, rename): content-addressed, so a file that
 * exists already holds these bytes. */
static int file_put(const char *dir, const char *sha, const void *data, size_t len)
{
	char path[1100], tmp[1100];
	const char *p = data;
	int fd, rc = WB_OK;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return WB_EIO;
	if (wb_snprintf(path, sizeof(path), "%s/%s", dir, sha) != WB_OK ||
	    wb_snprintf(tmp, sizeof(tmp), "%s/.upload-XXXXXX", dir) != WB_OK)
		return WB_ETOOBIG;
	if (access(path, F_OK) == 0) {
		/* the same bytes again: touched, so that the daily sweep of
		 * files no request refers to leaves it for its hour of grace */
		utimensat(AT_FDCWD, path, NULL, 0);
		return WB_OK;
	}
	fd = mkstemp(tmp);
	if (fd < 0)
		return WB_EIO;
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = WB_EIO;
			break;
		}
		p += w;
		len -= (size_t)w;
	}
	if (rc == WB_OK && fsync(fd) != 0)
		rc = WB_EIO;
	if (close(fd) != 0)
		rc = WB_EIO;
	if (rc == WB_OK && rename(tmp, path) != 0)
		rc = WB_EIO;
	if (rc)
		unlink(tmp);
	return rc;
}

typedef struct attach_job {
	attachment_rec *at;
	audit_entry *e;
	const request_rec *q;
	unsigned audience; /* told of the new file: as of a comment */
	int64_t actor;
	int queued;
} attach_job;

static int attach_fn(store_conn *c, void *arg)
{
	attach_job *j = arg;
	int64_t n = 0;
	int rc = store_attachment_count(c, j->at->request_id, &n);

	if (rc == WB_OK && n >= ATTACHMENTS_MAX)
		return WB_ETOOBIG;
	if (rc == WB_OK)
		rc = store_attachment_insert(c, j->at);
	/* a file added (a certificate the township asked for) is news for the
	 * other side of the loop, as a comment is */
	if (rc == WB_OK)
		rc = loop_fanout(c, j->q, j->audience, "request.attachment", 0, NULL, 0, 0, NULL, j->q->step_due_at,
				 j->at->created_at, j->actor, &j->queued);
	return rc;
}

#define ATTACH_NAME_MAX 100 /* bytes of a file's name, its extension in them */

const char *api_attachment_ext(const char *content_type)
{
	return strcmp(content_type, "application/pdf") == 0 ? "pdf"
	       : strcmp(content_type, "image/png") == 0     ? "png"
							    : "jpg";
}

void api_attachment_name(const attachment_rec *at, char *out, size_t outlen)
{
	wb_file_name(at->file_name, api_attachment_ext(at->content_type), ATTACH_NAME_MAX, out, outlen);
}

/* Content-Disposition for a stored name: an ASCII fallback and the name
 * itself percent-encoded (RFC 6266 / 5987). */
static void disposition(const char *name, const char *ext, char *out, size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	char enc[320];
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)name; *p && o + 4 < sizeof(enc); p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~", *p)) {
			enc[o++] = (char)*p;
		} else {
			enc[o++] = '%';
			enc[o++] = hex[*p >> 4];
			enc[o++] = hex[*p & 15];
		}
	}
	enc[o] = '\0';
	if (name[0])
		wb_snprintf(out, outlen, "attachment; filename=\"attachment.%s\"; filename*=UTF-8''%s", ext, enc);
	else
		wb_snprintf(out, outlen, "attachment; filename=\"attachment.%s\"", ext);
}

int api_request_attach(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	request_rec *q = malloc(sizeof(*q));
	attachment_rec at;
	attach_job j = {&at, NULL, NULL, 0, 0, 0};
	loop_viewer v;
	audit_entry e;
	const char *type, *ext = "";
	int64_t id;
	int rc;

	if (!q)
		return api_fail(r, WB_ENOMEM);
	if (api_id_param(r, "id", &id))
		goto out;
	loop_viewer_init(&v, a, c, p);
	rc = store_request_get(c, &v.scope, p->user_id, id, q);
	if (rc || v.meta_only) {
		api_fail(r, rc ? rc : WB_ENOTFOUND);
		goto out;
	}
	if (strcmp(q->state, "closed") == 0 || strcmp(q->state, "withdrawn") == 0) {
		/* what was settled stays as it was when it was settled */
		api_error(r, 409, "request_closed", "a closed or withdrawn request takes no more attachments", NULL);
		goto out;
	}
	if (r->body.len == 0) {
		api_error(r, 422, "required", "send the file's bytes as the request body", NULL);
		goto out;
	}
	if (r->body.len > ATTACH_MAX) {
		api_error(r, 413, "too_large", "an attachment may have at most 10 MiB", NULL);
		goto out;
	}
	type = sniff((const unsigned char *)r->body.data, r->body.len, &ext);
	if (!type) {
		api_error(r, 415, "unsupported_type", "attachments may be JPEG, PNG or PDF files", NULL);
		goto out;
	}
	memset(&at, 0, sizeof(at));
	wb_strlcpy(at.county_code, q->county_code, sizeof(at.county_code));
	at.request_id = id;
	sha256_hex(r->body.data, r->body.len, at.sha256);
	at.size = (int64_t)r->body.len;
	wb_strlcpy(at.content_type, type, sizeof(at.content_type));
	/* the name as the uploader gave it, but for its extension: that is the
	 * type the bytes are (诊断证明.html that is a PNG is 诊断证明.png), so
	 * that the file opens as what it is, never as a page that runs script */
	wb_file_name(http_query(r, "name"), ext, ATTACH_NAME_MAX, at.file_name, sizeof(at.file_name));
	at.uploaded_by = p->user_id;
	at.unit_id = p->unit_id; /* the unit acted for, as a step records it */
	at.created_at = clock_now();
	rc = file_put(a->cfg.files_dir, at.sha256, r->body.data, r->body.len);
	if (rc) {
		log_error("attachments: cannot write to the files directory (%s)", wb_strerror(rc));
		api_fail(r, WB_EIO);
		goto out;
	}
	api_audit_init(r, p, &e);
	wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, id);
	audit_entry_set(&e, "request.attachment.add", "request", e.object_id, "ok");
	wb_snprintf(e.detail, sizeof(e.detail), "{\"sha256\":\"%s\",\"size\":%" PRId64 ",\"type\":\"%s\"}", at.sha256,
		    at.size, type);
	j.e = &e;
	j.q = q;
	j.audience = comment_audience(p, q);
	j.actor = p->user_id;
	api_conn_release(r); /* the job runs on the writer's connection */
	rc = audit_submit(a->audit, &e, attach_fn, &j);
	if (rc == WB_ETOOBIG) {
		api_error(r, 409, "too_many_attachments", "a request may have at most 20 attachments", NULL);
		goto out;
	}
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	if (j.queued)
		loop_webhooks_kick();
	api_json(r, 201,
		 json_pack("{s:I, s:I, s:s?, s:s, s:I, s:s, s:I, s:I}", "id", (json_int_t)at.id, "request_id",
			   (json_int_t)id, "file_name", at.file_name[0] ? at.file_name : NULL, "content_type",
			   at.content_type, "size", (json_int_t)at.size, "sha256", at.sha256, "uploaded_by",
			   (json_int_t)at.uploaded_by, "created_at", (json_int_t)at.created_at));
out:
	free(q);
	return 0;
}

/* Reads dir/<sha> whole into out (at most max bytes). */
static int file_get(const char *dir, const char *sha, buf *out, size_t max)
{
	char path[1100], chunk[65536];
	FILE *f;
	size_t n;
	int rc = WB_OK;

	if (wb_snprintf(path, sizeof(path), "%s/%s", dir, sha) != WB_OK)
		return WB_ETOOBIG;
	f = fopen(path, "rb");
	if (!f)
		return WB_EIO;
	while (rc == WB_OK && (n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (out->len + n > max)
			rc = WB_ETOOBIG;
		else
			rc = buf_append(out, chunk, n);
	}
	if (ferror(f))
		rc = WB_EIO;
	fclose(f);
	return rc;
}

int api_request_attachment(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	request_rec *q = malloc(sizeof(*q));
	attachment_rec at;
	loop_viewer v;
	audit_entry e;
	int64_t id, aid;
	char sha[65], disp[400], name[sizeof(at.file_name)];
	int rc, refused = 0;

	if (!q)
		return api_fail(r, WB_ENOMEM);
	if (api_id_param(r, "id", &id) || api_id_param(r, "aid", &aid))
		goto out;
	loop_viewer_init(&v, a, c, p);
	rc = store_request_get(c, &v.scope, p->user_id, id, q);
	if (rc == WB_OK && v.meta_only)
		rc = WB_ENOTFOUND;
	if (rc == WB_OK)
		rc = store_attachment_get(c, id, aid, &at);
	/* another referred unit's file: not found for this unit, as in the
	 * request's list of files, and audited as a refused read */
	if (rc == WB_OK && loop_unit_hides(&v, at.uploader_unit_id)) {
		rc = WB_ENOTFOUND;
		refused = 1;
	}
	api_audit_init(r, p, &e);
	wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, id);
	audit_entry_set(&e, "request.attachment.read", "request", e.object_id,
			rc == WB_OK ? "ok"
			: refused   ? "denied"
				    : "not_found");
	wb_snprintf(e.detail, sizeof(e.detail), "{\"attachment_id\":%" PRId64 "}", aid);
	if (rc == WB_OK) {
		buf_reset(&r->out);
		rc = file_get(a->cfg.files_dir, at.sha256, &r->out, ATTACH_MAX);
		if (rc == WB_OK) {
			sha256_hex(r->out.data, r->out.len, sha);
			if (strcmp(sha, at.sha256) != 0 || (int64_t)r->out.len != at.size)
				rc = WB_ECRYPTO;
		}
		if (rc) {
			/* never serve bytes that are not what was uploaded */
			log_error("attachments: attachment %" PRId64 " of request %" PRId64 " is %s", aid, id,
				  rc == WB_ECRYPTO ? "corrupt (checksum mismatch)" : "missing or unreadable");
			wb_strlcpy(e.outcome, rc == WB_ECRYPTO ? "corrupt" : "missing", sizeof(e.outcome));
		}
	}
	api_conn_release(r); /* every read is done: wait for the audit entry without it */
	if (audit_submit(a->audit, &e, NULL, NULL) != WB_OK) {
		buf_reset(&r->out);
		api_fail(r, WB_ESTORE);
		goto out;
	}
	if (rc == WB_ECRYPTO || rc == WB_EIO || rc == WB_ETOOBIG) {
		buf_reset(&r->out);
		api_error(r, 500, "attachment_corrupt",
			  "the stored file does not match its checksum; it is not served (see the server log)", NULL);
		goto out;
	}
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	r->status = 200;
	r->content_type = strcmp(at.content_type, "application/pdf") == 0 ? "application/pdf"
			  : strcmp(at.content_type, "image/png") == 0     ? "image/png"
									  : "image/jpeg";
	api_attachment_name(&at, name, sizeof(name));
	disposition(name, api_attachment_ext(at.content_type), disp, sizeof(disp));
	http_add_header(r, "Content-Disposition", disp);
	http_add_header(r, "X-Content-SHA256", at.sha256);
out:
	free(q);
	return 0;
}
