/*
 * /api/v1/referrals: what the centre referred to departments and
 * organisations, and their steps (accept or decline, progress, complete;
 * the centre may cancel). A department or organisation lists and acts on
 * its own referrals only; while one is active it may read the child's file
 * within the granted fields (security/access.c, SCOPE_REFERRAL), and that
 * ends with the referral.
 *
 * When the last active referral of a request ends, the request moves on to
 * referrals_done in the same job (a system step), so "all referrals done"
 * can never be missed or taken twice.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../util/clock.h"
#include "../util/wb.h"
#include "loop.h"

#define LIST_DEFAULT 50
#define LIST_MAX     200

int64_t loop_referral_due(const deadline_config *cfg, enum referral_state s, int64_t due_at, int short_deadlines,
			  int64_t since)
{
	int64_t d;

	switch (s) {
	case RS_PENDING:
		/* a referral to be done by a day is to be accepted by then too */
		d = deadline_due(cfg, DL_REFERRAL_PENDING, short_deadlines, since);
		return due_at && due_at < d ? due_at : d;
	case RS_ACCEPTED:
		d = deadline_due(cfg, DL_REFERRAL_ACCEPTED, short_deadlines, since);
		if (!due_at)
			return d;
		return short_deadlines && d < due_at ? d : due_at;
	default: return 0;
	}
}

int loop_referrals_check(store_conn *c, request_rec *q, const deadline_config *cfg, int64_t now, int *moved_out,
			 int *queued_out)
{
	step_rec *s;
	int total = 0, active = 0, rc;
	int64_t since = q->state_since, due = q->step_due_at;

	*moved_out = 0;
	if (strcmp(q->state, "referred") != 0)
		return WB_OK;
	rc = store_referral_counts(c, q->id, &total, &active);
	if (rc || total == 0 || active > 0)
		return rc;
	wb_strlcpy(q->state, "referrals_done", sizeof(q->state));
	q->state_since = now;
	q->step_due_at = loop_state_due(cfg, CS_REFERRALS_DONE, !strcmp(q->urgency, "urgent") || q->priority, now);
	q->updated_at = now;
	rc = store_request_update(c, q, q->version);
	if (rc)
		return rc;
	s = calloc(1, sizeof(*s));
	if (!s)
		return WB_ENOMEM;
	wb_strlcpy(s->county_code, q->county_code, sizeof(s->county_code));
	wb_strlcpy(s->township_code, q->township_code, sizeof(s->township_code));
	s->request_id = q->id;
	wb_strlcpy(s->action, "referrals_complete", sizeof(s->action));
	wb_strlcpy(s->from_state, "referred", sizeof(s->from_state));
	wb_strlcpy(s->to_state, "referrals_done", sizeof(s->to_state));
	wb_strlcpy(s->actor_role, "system", sizeof(s->actor_role));
	s->stage_started_at = since;
	s->stage_due_at = due;
	s->at = now;
	rc = store_step_add(c, s);
	free(s);
	if (rc == WB_OK)
		rc = loop_fanout(c, q, case_audience(CA_REFERRALS_COMPLETE, CS_REFERRED, CS_REFERRALS_DONE, NULL),
				 "request.referrals_complete", 0, NULL, 0, 0, NULL, q->step_due_at, now, 0, queued_out);
	*moved_out = rc == WB_OK;
	return rc;
}

typedef struct resched {
	store_conn *c;
	const request_rec *q;
	const deadline_config *cfg;
	int rc;
} resched;

static int reschedule_one(const referral_rec *f, void *arg)
{
	resched *x = arg;
	enum referral_state s = RS_NONE;
	referral_rec *n;

	referral_state_parse(f->state, &s);
	if (!referral_is_active(s))
		return WB_OK;
	n = malloc(sizeof(*n));
	if (!n)
		return WB_ENOMEM;
	*n = *f;
	n->step_due_at = loop_referral_due(x->cfg, s, f->due_at, !strcmp(x->q->urgency, "urgent") || x->q->priority,
					   f->state_since);
	x->rc = store_referral_update(x->c, n, f->version);
	free(n);
	return x->rc;
}

int loop_referrals_reschedule(store_conn *c, const request_rec *q, const deadline_config *cfg)
{
	resched x = {c, q, cfg, WB_OK};
	int rc = store_referrals_of(c, q->id, reschedule_one, &x);

	return rc ? rc : x.rc;
}

/* ---- the list ---- */

typedef struct list_ctx {
	const loop_viewer *v;
	api_list list;
} list_ctx;

static int list_cb(const referral_rec *f, void *arg)
{
	list_ctx *l = arg;

	api_list_add(&l->list, loop_referral_json(l->v, f, 0), f->id);
	return WB_OK;
}

static int is_unit_role(const sec_principal *p)
{
	return strcmp(p->role, "department") == 0 || strcmp(p->role, "org") == 0;
}

int api_referrals_list(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	referral_filter f;
	loop_viewer v;
	list_ctx l;
	audit_entry e;
	const char *s;
	int rc;

	if (!is_unit_role(p) && strcmp(p->role, "center") != 0)
		return api_error(r, 403, "forbidden", "referrals are listed for the centre and the units they go to",
				 NULL);
	memset(&f, 0, sizeof(f));
	if (api_limit(r, LIST_DEFAULT, LIST_MAX, &f.limit))
		return 0;
	if (api_query_cursor(r, &f.before_id))
		return 0;
	if ((s = http_query(r, "state")) && strcmp(s, "all") != 0) {
		enum referral_state st;

		if (strcmp(s, "active") != 0 && referral_state_parse(s, &st) != 0)
			return api_error(r, 422, "validation_failed",
					 "state must be pending, accepted, declined, done, cancelled, active or all",
					 "state");
		f.state = s;
	}
	if (api_query_id(r, "request_id", NULL, &f.request_id) || api_query_id(r, "unit_id", NULL, &f.unit_id))
		return 0;
	/* a unit sees its own referrals only: its own filter narrows them, and
	 * a filter on another unit finds none (no unit has id -1) */
	if (is_unit_role(p))
		f.unit_id = f.unit_id && f.unit_id != p->unit_id ? -1 : p->unit_id;
	loop_viewer_init(&v, a, c, p);
	l.v = &v;
	api_list_init(&l.list);
	rc = store_referral_list(c, p->county_code, &f, list_cb, &l);
	/* each referral names its request: the page's requests in one query */
	if (rc == WB_OK)
		rc = loop_referrals_add_requests(&v, l.list.items);
	if (rc) {
		api_list_cleanup(&l.list);
		return api_fail(r, rc);
	}
	api_audit_init(r, p, &e);
	audit_entry_set(&e, "referral.list", "referral", "", "ok");
	wb_snprintf(e.detail, sizeof(e.detail), "{\"unit_id\":%" PRId64 ",\"state\":\"%s\",\"returned\":%d}", f.unit_id,
		    f.state ? f.state : "all", l.list.n);
	return api_list_answer(r, a, &e, &l.list, f.limit);
}

/* ---- steps ---- */

static const api_field action_fields[] = {
	{"action", JSON_STRING, 1, 32},           {"version", JSON_INTEGER, 1, 0},
	{"note", JSON_STRING, 0, REQ_TEXT_MAX},   {"reason", JSON_STRING, 0, REQ_REASON_MAX},
	{"result", JSON_STRING, 0, REQ_TEXT_MAX}, {NULL, 0, 0, 0},
};

static const loop_text action_texts[] = {
	{"note", REQ_TEXT_CHARS},
	{"reason", REQ_REASON_CHARS},
	{"result", REQ_TEXT_CHARS},
	{NULL, 0},
};

typedef struct ref_job {
	const sec_principal *p;
	referral_rec *f;
	int64_t version;
	enum referral_action action;
	enum referral_state from, to;
	int64_t from_since, from_due; /* the stage this step ends */
	const char *note;
	const deadline_config *cfg;
	int64_t now;
	int queued;
	int moved; /* out: the request moved on to referrals_done */
} ref_job;

static int ref_fn(store_conn *c, void *arg)
{
	ref_job *j = arg;
	referral_rec *f = j->f;
	request_rec *q = malloc(sizeof(*q));
	step_rec *s = calloc(1, sizeof(*s));
	char event[48];
	int rc;

	if (!q || !s) {
		rc = WB_ENOMEM;
		goto out;
	}
	rc = store_referral_update(c, f, j->version);
	if (rc == WB_OK)
		rc = store_request_get(c, NULL, 0, f->request_id, q);
	if (rc)
		goto out;
	wb_strlcpy(s->county_code, q->county_code, sizeof(s->county_code));
	wb_strlcpy(s->township_code, q->township_code, sizeof(s->township_code));
	s->request_id = q->id;
	s->referral_id = f->id;
	s->unit_id = f->unit_id;
	wb_snprintf(s->action, sizeof(s->action), "referral_%s", referral_action_name(j->action));
	wb_strlcpy(s->to_state, f->state, sizeof(s->to_state));
	s->actor_id = j->p->user_id;
	wb_strlcpy(s->actor_role, j->p->role, sizeof(s->actor_role));
	if (j->to != j->from) {
		/* the referral's stage this step ends */
		wb_snprintf(s->from_state, sizeof(s->from_state), "referral_%s", referral_state_name(j->from));
		s->stage_started_at = j->from_since;
		s->stage_due_at = j->from_due;
	}
	s->at = j->now;
	if (j->note)
		wb_strlcpy(s->note, j->note, sizeof(s->note));
	rc = store_step_add(c, s);
	wb_snprintf(event, sizeof(event), "referral.%s", referral_action_name(j->action));
	if (rc == WB_OK)
		rc = loop_fanout(c, q, referral_audience(j->action), event, f->id, &f->unit_id, 1, 0, NULL,
				 f->step_due_at, j->now, j->p->user_id, &j->queued);
	if (rc == WB_OK && !referral_is_active(j->to))
		rc = loop_referrals_check(c, q, j->cfg, j->now, &j->moved, &j->queued);
out:
	free(q);
	free(s);
	return rc;
}

static int refuse(http_req *r, const loop_viewer *v, const referral_rec *f, int status, const char *action)
{
	json_t *j = loop_referral_json(v, f, 0);
	json_t *allowed = json_incref(json_object_get(j, "allowed_actions"));
	char msg[160];

	json_decref(j);
	if (status == 403)
		wb_snprintf(msg, sizeof(msg), "you may not %s this referral", action);
	else
		wb_snprintf(msg, sizeof(msg), "'%s' is not allowed while the referral is %s", action, f->state);
	return api_json(r, status,
			json_pack("{s:{s:s, s:s, s:s, s:o}}", "error", "code",
				  status == 403 ? "forbidden" : "invalid_transition", "message", msg, "state", f->state,
				  "allowed", allowed ? allowed : json_array()));
}

int api_referral_action(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	json_t *body = NULL;
	referral_rec *old = malloc(sizeof(*old)), *f = malloc(sizeof(*f));
	deadline_config *cfg = malloc(sizeof(*cfg));
	request_rec *q = malloc(sizeof(*q));
	ref_job j;
	loop_viewer v;
	audit_entry e;
	int64_t id;
	int own, rc;

	memset(&j, 0, sizeof(j));
	if (!old || !f || !cfg || !q) {
		api_fail(r, WB_ENOMEM);
		goto out;
	}
	if (api_id_param(r, "id", &id) || api_body(r, &body) || api_check_fields(r, body, action_fields) ||
	    loop_texts_check(r, body, action_texts, NULL))
		goto out;
	if (referral_action_parse(api_str(body, "action"), &j.action) != 0) {
		api_error(r, 422, "validation_failed", "action must be accept, decline, progress, complete or cancel",
			  "action");
		goto out;
	}
	rc = store_referral_get(c, id, old);
	own = is_unit_role(p) && old->unit_id == p->unit_id;
	/* a referral is found by its unit and the centre of its county only */
	if (rc == WB_OK && (strcmp(old->county_code, p->county_code) != 0 || (!own && strcmp(p->role, "center") != 0)))
		rc = WB_ENOTFOUND;
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	loop_viewer_init(&v, a, c, p);
	/* the version first, as for a request's steps */
	j.version = json_integer_value(json_object_get(body, "version"));
	if (j.version != old->version) {
		loop_audit_refused(r, a, p, "referral", referral_action_name(j.action), id, old->state, j.version,
				   "conflict");
		api_error(r, 409, "version_conflict", "the referral was changed meanwhile; reload it and try again",
			  "version");
		goto out;
	}
	referral_state_parse(old->state, &j.from);
	rc = referral_transition(j.from, j.action, p->role, own, &j.to);
	if (rc) {
		loop_audit_refused(r, a, p, "referral", referral_action_name(j.action), id, old->state, j.version,
				   rc == WB_EFORBIDDEN ? "denied" : "conflict");
		refuse(r, &v, old, rc == WB_EFORBIDDEN ? 403 : 409, referral_action_name(j.action));
		goto out;
	}
	rc = store_request_get(c, NULL, 0, old->request_id, q);
	if (rc == WB_OK)
		rc = loop_config_load(c, old->county_code, cfg);
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	*f = *old;
	j.now = clock_now();
	j.from_since = old->state_since;
	j.from_due = old->step_due_at;
	j.note = api_str(body, "note");
	if ((j.action == RA_DECLINE || j.action == RA_CANCEL) && referral_is_mandatory_police(old)) {
		/* Minor Protection Law art. 11: a mandatory report is the
		 * police's to check; they record progress and answer the
		 * reporter; they do not hand it back, nor does the centre take
		 * it from them */
		api_error(r, 409, "mandatory_report",
			  "public security's referral of a mandatory report is neither declined nor cancelled: it "
			  "records progress, completes with the result and gives the reporter feedback",
			  NULL);
		goto out;
	}
	if (j.action == RA_COMPLETE && referral_awaits_police_feedback(old)) {
		/* completing ends the police's access to the request, and with it
		 * the step that gives the reporter their feedback */
		loop_audit_refused(r, a, p, "referral", referral_action_name(j.action), id, old->state, j.version,
				   "conflict");
		api_error(r, 409, "police_feedback_first",
			  "give the reporter of the mandatory report the police's feedback (the request's "
			  "police_feedback step) before completing the referral",
			  "action");
		goto out;
	}
	switch (j.action) {
	case RA_DECLINE:
	case RA_CANCEL:
		if (!api_str(body, "reason") || wb_is_blank(api_str(body, "reason"))) {
			api_error(r, 422, "required", "give the reason", "reason");
			goto out;
		}
		wb_strlcpy(f->decline_reason, api_str(body, "reason"), sizeof(f->decline_reason));
		j.note = f->decline_reason;
		break;
	case RA_COMPLETE:
		if (!api_str(body, "result") || wb_is_blank(api_str(body, "result"))) {
			api_error(r, 422, "required", "complete needs the result", "result");
			goto out;
		}
		wb_strlcpy(f->result, api_str(body, "result"), sizeof(f->result));
		j.note = f->result;
		break;
	case RA_PROGRESS:
		if (!j.note || wb_is_blank(j.note)) {
			api_error(r, 422, "required", "progress needs a note", "note");
			goto out;
		}
		break;
	default: break;
	}
	if (j.to != j.from) {
		wb_strlcpy(f->state, referral_state_name(j.to), sizeof(f->state));
		f->state_since = j.now;
		f->step_due_at =
			loop_referral_due(cfg, j.to, f->due_at, !strcmp(q->urgency, "urgent") || q->priority, j.now);
		if (!referral_is_active(j.to))
			f->ended_at = j.now;
	}
	f->updated_at = j.now;
	j.p = p;
	j.f = f;
	j.cfg = cfg;
	api_audit_init(r, p, &e);
	wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, id);
	wb_snprintf(e.action, sizeof(e.action), "referral.%s", referral_action_name(j.action));
	audit_entry_set(&e, e.action, "referral", e.object_id, "ok");
	wb_snprintf(e.detail, sizeof(e.detail),
		    "{\"request_id\":%" PRId64 ",\"unit_id\":%" PRId64 ",\"from\":\"%s\",\"to\":\"%s\"}", f->request_id,
		    f->unit_id, old->state, f->state);
	api_conn_release(r); /* the job runs on the writer's connection */
	rc = audit_submit(a->audit, &e, ref_fn, &j);
	if (rc == WB_ECONFLICT) {
		api_error(r, 409, "version_conflict", "the referral or its request was changed meanwhile; reload it",
			  "version");
		goto out;
	}
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	if (j.queued)
		loop_webhooks_kick();
	v.c = c = api_conn(r);
	if (store_referral_get(c, id, f) != WB_OK) {
		api_fail(r, WB_ESTORE);
		goto out;
	}
	api_json(r, 200, loop_referral_json(&v, f, 1));
out:
	json_decref(body);
	free(old);
	free(f);
	free(cfg);
	free(q);
	return 0;
}
