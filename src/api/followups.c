/*
 * Follow-up visits (回访) of help requests (SPEC §4: "follow-up visits can
 * be scheduled"). Whoever works with the request's child in the field or at
 * a desk (the centre, a township's supervisor and station, the village's
 * child director and grid worker) asks for a visit to the child by a day,
 * with a note of what to look at. The first visit to the child recorded on
 * or after the day the follow-up was scheduled completes it, in the visit's
 * own transaction (visits.c). Open follow-ups past their day are overdue
 * on the lists of the director and the township.
 *
 *   POST /api/v1/requests/{id}/follow-ups   {due_on, note}
 *   GET  /api/v1/follow-ups?state=open|overdue|done|all&area=&limit=
 *   POST /api/v1/follow-ups/{id}/cancel
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../domain/area.h"
#include "../domain/date.h"
#include "../store/q_followups.h"
#include "../store/q_loop.h"
#include "../util/clock.h"
#include "../util/wb.h"
#include "api.h"
#include "followups_api.h"
#include "loop.h"

#define NOTE_CHARS   200
#define AHEAD_DAYS   366
#define LIST_DEFAULT 200
#define LIST_MAX     1000
#define DONE_WINDOW  30

static const char *const field_roles[] = {"center", "supervisor", "station", "director", "grid", NULL};

static int field_role(http_req *r, const sec_principal *p)
{
	if (api_one_of(p->role, field_roles))
		return 1;
	api_error(r, 403, "forbidden",
		  "follow-up visits are kept by the centre, townships, child directors and grid workers", NULL);
	return 0;
}

static const char *state_of(const follow_up_rec *f, const char *today)
{
	if (f->cancelled_at)
		return "cancelled";
	if (f->visit_id)
		return "done";
	return strcmp(f->due_on, today) < 0 ? "overdue" : "open";
}

/*
 * A follow-up as the viewer reads it, on the list and on its request's
 * page. One the confidential reporter of a mandatory report scheduled does
 * not name them (by and created_by null, by_hidden true) but to the centre
 * and the reporter, as the request's timeline does not (public security,
 * the other reader who knows the reporter, sees no follow-ups).
 */
static json_t *follow_up_json(const follow_up_rec *f, const char *today, int with_child, const sec_principal *viewer)
{
	int hide = f->by_reporter && f->created_by != viewer->user_id && strcmp(viewer->role, "center") != 0;
	json_t *j = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:I, s:s?}", "id", (json_int_t)f->id, "request_id",
			      (json_int_t)f->request_id, "due_on", f->due_on, "note", f->note, "state",
			      state_of(f, today), "created_on", f->created_on, "created_at", (json_int_t)f->created_at,
			      "by", hide ? NULL : f->by_name);

	if (!j)
		return NULL;
	json_object_set_new(j, "created_by", hide ? json_null() : json_integer(f->created_by));
	json_object_set_new(j, "by_hidden", json_boolean(hide));
	json_object_set_new(j, "done_on", f->done_on[0] ? json_string(f->done_on) : json_null());
	json_object_set_new(j, "visit_id", f->visit_id ? json_integer(f->visit_id) : json_null());
	json_object_set_new(j, "request_kind", f->request_kind[0] ? json_string(f->request_kind) : json_null());
	if (with_child)
		json_object_set_new(j, "child",
				    json_pack("{s:I, s:s, s:s}", "id", (json_int_t)f->child_id, "name", f->child_name,
					      "village_code", f->village_code));
	return j;
}

typedef struct list_ctx {
	json_t *items;
	char today[11];
	int with_child;
	const sec_principal *viewer;
} list_ctx;

static int list_cb(const follow_up_rec *f, void *arg)
{
	list_ctx *x = arg;

	json_array_append_new(x->items, follow_up_json(f, x->today, x->with_child, x->viewer));
	return WB_OK;
}

json_t *follow_ups_json_of(store_conn *c, int64_t request_id, const sec_principal *viewer)
{
	list_ctx x = {json_array(), "", 0, viewer};

	date_format(clock_today_ymd(), x.today);
	if (store_follow_ups_of(c, request_id, list_cb, &x) != WB_OK) {
		json_decref(x.items);
		return NULL;
	}
	return x.items;
}

/* ---- scheduling ---- */

static const api_field create_fields[] = {
	{"due_on", JSON_STRING, 1, 16},
	{"note", JSON_STRING, 0, NOTE_CHARS * 4},
	{NULL, 0, 0, 0},
};

static int insert_fn(store_conn *c, void *arg)
{
	return store_follow_up_insert(c, arg);
}

int api_request_follow_up_create(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	follow_up_rec *f = calloc(1, sizeof(*f));
	request_rec *q = malloc(sizeof(*q));
	json_t *body = NULL;
	loop_viewer v;
	audit_entry e;
	child_rec ch;
	const char *due, *note;
	int64_t id;
	int today = clock_today_ymd(), ymd, rc;

	if (!f || !q) {
		api_fail(r, WB_ENOMEM);
		goto out;
	}
	if (api_id_param(r, "id", &id) || !field_role(r, p) || api_body(r, &body) ||
	    api_check_fields(r, body, create_fields))
		goto out;
	loop_viewer_init(&v, a, c, p);
	rc = store_request_get(c, &v.scope, p->user_id, id, q);
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	if (!q->child_id) {
		api_error(r, 409, "no_child", "link the request to a registered child before scheduling a follow-up",
			  NULL);
		goto out;
	}
	if (strcmp(q->state, "withdrawn") == 0) {
		api_error(r, 409, "withdrawn", "the request was withdrawn", NULL);
		goto out;
	}
	rc = store_child_get(c, &p->scope, q->child_id, &ch);
	if (rc) {
		/* the request is visible but its child is not the caller's to visit */
		api_error(r, 403, "forbidden", "the child is outside your area", NULL);
		goto out;
	}
	due = api_str(body, "due_on");
	if (date_parse(due, &ymd) != WB_OK || ymd > date_add_days(today, AHEAD_DAYS)) {
		api_error(r, 422, "validation_failed", "due_on must be a date up to a year ahead", "due_on");
		goto out;
	}
	/* a visit completes a follow-up only after the day it was scheduled
	 * (store_follow_ups_complete): one due today could only be done late */
	if (ymd <= today) {
		api_error(r, 422, "validation_failed", "a follow-up is due tomorrow at the earliest", "due_on");
		goto out;
	}
	note = api_str(body, "note");
	if (note && api_utf8_chars(note) > NOTE_CHARS) {
		api_error(r, 422, "validation_failed", "note may have at most 200 characters", "note");
		goto out;
	}
	wb_strlcpy(f->county_code, p->county_code, sizeof(f->county_code));
	f->request_id = id;
	f->child_id = q->child_id;
	date_format(ymd, f->due_on);
	date_format(today, f->created_on);
	wb_strlcpy(f->note, note ? note : "", sizeof(f->note));
	f->created_at = clock_now();
	f->created_by = p->user_id;
	api_audit_init(r, p, &e);
	wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, id);
	audit_entry_set(&e, "follow_up.create", "request", e.object_id, "ok");
	api_audit_detail(&e, json_pack("{s:I, s:s}", "child_id", (json_int_t)f->child_id, "due_on", f->due_on));
	api_conn_release(r); /* the job runs on the writer's connection */
	rc = audit_submit(a->audit, &e, insert_fn, f);
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	wb_strlcpy(f->child_name, ch.name, sizeof(f->child_name));
	wb_strlcpy(f->village_code, ch.village_code, sizeof(f->village_code));
	wb_strlcpy(f->by_name, p->display_name, sizeof(f->by_name));
	{
		char day[11];

		date_format(today, day);
		api_json(r, 201, follow_up_json(f, day, 1, p));
	}
out:
	json_decref(body);
	free(q);
	free(f);
	return 0;
}

/* ---- the lists ---- */

int api_follow_ups_list(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	const char *state = http_query(r, "state"), *area = http_query(r, "area");
	static const char *const states[] = {"open", "overdue", "done", "all", NULL};
	follow_up_filter f;
	list_ctx x = {NULL, "", 1, p};
	audit_entry e;
	char since[11];
	int64_t n[3] = {0, 0, 0};
	int limit, rc, today = clock_today_ymd(), counts_only;

	if (!field_role(r, p) || api_limit_counts(r, LIST_DEFAULT, LIST_MAX, &limit, &counts_only))
		return 0;
	if (state && !api_one_of(state, states))
		return api_error(r, 422, "validation_failed", "state must be open, overdue, done or all", "state");
	if (area && !area_level_of(area))
		return api_error(r, 422, "validation_failed", "area must be an area code", "area");
	if (api_area_own(r, p, area))
		return 0;
	date_format(today, x.today);
	date_format(date_add_days(today, -DONE_WINDOW), since);
	f = (follow_up_filter){state ? state : "open", x.today, area, limit};
	x.items = json_array();
	rc = counts_only ? WB_OK : store_follow_ups(c, &p->scope, &f, list_cb, &x);
	if (rc == WB_OK)
		rc = store_follow_up_counts(c, &p->scope, area, x.today, since, n);
	if (rc) {
		json_decref(x.items);
		return api_fail(r, rc);
	}
	api_audit_init(r, p, &e);
	audit_entry_set(&e, "follow_up.list", "child", "", "ok");
	api_audit_detail(&e, json_pack("{s:s, s:s?, s:I}", "state", f.state, "area", area, "returned",
				       (json_int_t)json_array_size(x.items)));
	if (!counts_only && api_audit_read(r, a, &e) != WB_OK) {
		json_decref(x.items);
		return api_fail(r, WB_ESTORE);
	}
	return api_json(r, 200,
			json_pack("{s:o, s:s, s:{s:I, s:I, s:I}}", "items", x.items, "today", x.today, "counts", "open",
				  (json_int_t)n[0], "overdue", (json_int_t)n[1], "done_30d", (json_int_t)n[2]));
}

/* ---- cancelling ---- */

typedef struct cancel_job {
	int64_t id, at, by;
} cancel_job;

static int cancel_fn(store_conn *c, void *arg)
{
	cancel_job *j = arg;

	return store_follow_up_cancel(c, j->id, j->at, j->by);
}

int api_follow_up_cancel(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	follow_up_rec f;
	cancel_job job;
	audit_entry e;
	int64_t id;
	int rc;

	if (api_id_param(r, "id", &id) || !field_role(r, p))
		return 0;
	rc = store_follow_up_get(c, &p->scope, id, &f);
	if (rc)
		return api_fail(r, rc);
	if (f.created_by != p->user_id && !api_role_is(p, "center") && !api_township_desk(p))
		return api_error(r, 403, "forbidden",
				 "a follow-up is cancelled by whoever scheduled it, the township or the centre", NULL);
	if (f.visit_id || f.cancelled_at)
		return api_error(r, 409, "not_open", "the follow-up is already done or cancelled", NULL);
	job = (cancel_job){id, clock_now(), p->user_id};
	api_audit_init(r, p, &e);
	wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, f.request_id);
	audit_entry_set(&e, "follow_up.cancel", "request", e.object_id, "ok");
	api_audit_detail(&e, json_pack("{s:I, s:s}", "follow_up_id", (json_int_t)id, "due_on", f.due_on));
	api_conn_release(r);
	rc = audit_submit(a->audit, &e, cancel_fn, &job);
	if (rc)
		return api_fail(r, rc == WB_ECONFLICT ? WB_ECONFLICT : rc);
	f.cancelled_at = job.at;
	{
		char day[11];

		date_format(clock_today_ymd(), day);
		return api_json(r, 200, follow_up_json(&f, day, 1, p));
	}
}
