/*
 * The closed loop's engine, shared by its API handlers (requests.c,
 * referrals.c, inbox.c, loop_admin.c), the command line (`weibao
 * deadlines`, the demo's open requests) and the server's background
 * workers (the periodic overdue scan and the webhook deliveries).
 *
 * The rules live in domain/case.h (who may take which step) and
 * domain/deadline.h (when a step is due); the records in store/q_loop.h.
 * What is here glues them: the per-county configuration, the fan-out of a
 * step's notifications to inboxes and webhooks, the overdue scan, and the
 * JSON shapes every loop endpoint shares.
 */
#ifndef WB_LOOP_H
#define WB_LOOP_H

#include <jansson.h>
#include <stdint.h>

#include "../domain/case.h"
#include "../domain/deadline.h"
#include "../store/q_loop.h"
#include "api.h"
#include "sheet.h"

/* ---- configuration (settings row "loop.config" per county) ---- */

/* The county's configuration: defaults overlaid with the stored settings.
 * Cached for a few seconds per county; loop_config_forget drops the cache. */
int loop_config_load(store_conn *c, const char *county, deadline_config *out);
void loop_config_forget(const char *county);
/* The configuration as JSON (what GET /api/v1/loop/config answers). */
json_t *loop_config_json(const deadline_config *cfg);
/*
 * Applies the keys present in j (deadlines, holidays, workdays,
 * alert_repeat_hours) onto cfg. On bad input returns WB_EINVAL with a
 * message in err and the offending key in *field.
 */
int loop_config_apply(json_t *j, deadline_config *cfg, char *err, size_t errlen, const char **field);

/* The deadline step of a request state (-1: the state has none). */
int loop_state_step(enum case_state s);
/* The due time of state s entered at since (0 when it has no deadline). */
int64_t loop_state_due(const deadline_config *cfg, enum case_state s, int short_deadlines, int64_t since);

/*
 * When every referral of q (which is in state referred) has ended, moves q
 * on to referrals_done as a system step and notifies the centre; *moved_out
 * is 1 then (q updated). Runs inside the caller's job.
 */
int loop_referrals_check(store_conn *c, request_rec *q, const deadline_config *cfg, int64_t now, int *moved_out,
			 int *queued_out);
/* Gives q's active referrals the deadlines q's urgency and priority call
 * for (after the priority flag changed). Runs inside the caller's job. */
int loop_referrals_reschedule(store_conn *c, const request_rec *q, const deadline_config *cfg);
/* The step deadline of a referral entering state s at since: accepting
 * (pending) from the configuration, finishing (accepted) by the centre's
 * due date — with short deadlines, whichever comes first. 0 once ended. */
int64_t loop_referral_due(const deadline_config *cfg, enum referral_state s, int64_t due_at, int short_deadlines,
			  int64_t since);

/* A free text of the loop and its limit in characters (code points). */
typedef struct loop_text {
	const char *key;
	size_t chars;
} loop_text;
/* 0 when each text of obj named in limits (ended by a NULL key) has at
 * most its characters; otherwise -1 after a 422 too_long naming the field
 * (path.key inside an array's object, path NULL at the body's top). The
 * body's byte limits (api_field) are 4 bytes a character. */
int loop_texts_check(http_req *r, json_t *obj, const loop_text *limits, const char *path);

/* The words of a request's states, in the loop's order (requests.c):
 * the requests' download and the timeliness figures name them alike. */
extern const sheet_word loop_state_words[];

/* ---- notifications ---- */

/*
 * Notifies audience (AUD_* of case.h) of a step of request q: inbox rows
 * for every member, and a webhook delivery per audience whose organisation
 * unit has a webhook. units/nunits name the units for AUD_UNITS (NULL: the
 * request's active referrals); police_unit the public-security unit for
 * AUD_POLICE. The actor is never notified. Runs inside the caller's job;
 * *queued_out (may be NULL) counts webhook deliveries queued.
 */
int loop_fanout(store_conn *c, const request_rec *q, unsigned audience, const char *event, int64_t referral_id,
		const int64_t *units, int nunits, int64_t police_unit, const char *stage, int64_t due_at, int64_t at,
		int64_t actor, int *queued_out);

/*
 * A child now lives in village (grid: "" for none): its open requests
 * (not closed or withdrawn) follow it, as the responsible director and
 * township follow the child. Each one in another place moves there (a new
 * version: a step taken meanwhile from the old page is refused as stale);
 * moved to another village it gets a timeline row (action child_moved,
 * no stage, by actor) and the new village's directors are told (event
 * request.child_moved), the new township's station too when the township
 * changed and it holds the step. Its follow-ups follow the child already
 * (they are the child's). Runs inside the child's update; *moved_out (may
 * be NULL) counts the requests moved, *queued_out webhook deliveries.
 */
int loop_child_moved(store_conn *c, int64_t child_id, const char *village, const char *grid, int64_t actor_id,
		     const char *actor_role, int64_t at, int *moved_out, int *queued_out);

/* Forgets the cached "does this county have webhooks" (after one is set). */
void loop_webhooks_forget(const char *county);

/* ---- the overdue scan ---- */

typedef struct loop_scan_result {
	int requests;   /* alerts for the requests' own steps */
	int referrals;  /* for referrals */
	int police;     /* for the police's feedback to a reporter */
	int follow_ups; /* for follow-up visits past their day */
	int repeats;    /* how many of these were repeats of an earlier alert */
	int queued;     /* webhook deliveries queued */
} loop_scan_result;

/*
 * Raises an alert for every step of county overdue at now that has not
 * been alerted (or whose last alert is older than the county's repeat
 * interval): an alert row per breach, inbox messages to the supervisor or
 * the centre and the committee, and webhook deliveries; and likewise for
 * every open follow-up visit past its day (to the village's child directors
 * and the township's supervisor). Runs inside a writer job.
 */
int loop_scan(store_conn *c, const char *county, int64_t now, loop_scan_result *out);
/* 1 if anything of county is overdue at now and due for an alert (a cheap
 * read before taking the writer). */
int loop_scan_needed(store_conn *c, const char *county, int64_t now);
/* Runs the scan of every county that needs it, each as one audited job
 * ("loop.deadline_scan"); out sums them up. */
int loop_scan_submit(audit *au, store *db, int64_t now, loop_scan_result *out);

/* ---- the workers of `weibao serve` ---- */

typedef struct loop_options {
	int64_t scan_interval_s;    /* 0: no periodic scan */
	int64_t webhook_backoff_ms; /* first retry after this, doubling */
	int64_t webhook_max_attempts;
	int64_t webhook_timeout_s;
} loop_options;

typedef struct loop_workers loop_workers;
/* Starts the overdue scan and the webhook delivery threads. */
int loop_workers_start(app *a, const loop_options *o, loop_workers **out);
/* Stops them (waits for an attempt in flight). */
void loop_workers_stop(loop_workers *w);
/* Wakes the delivery thread (new deliveries were queued). */
void loop_webhooks_kick(void);

/* ---- JSON shared by the loop endpoints ---- */

/* What the caller may see of requests, with the facts the JSON needs. */
typedef struct loop_viewer {
	const app *a;
	const sec_principal *p;
	store_conn *c;
	store_scope scope; /* of requests (sec_request_scope) */
	int meta_only;     /* the committee: no narrative, no child, no texts */
	int is_police;     /* a department user of the public-security unit */
	int64_t now;
} loop_viewer;

/* Fills v for the caller p. */
int loop_viewer_init(loop_viewer *v, const app *a, store_conn *c, const sec_principal *p);
/* The request as v may see it; with detail, also its referrals,
 * attachments, timeline and the caller's allowed actions. */
json_t *loop_request_json(const loop_viewer *v, const request_rec *q, int detail);
/* For a row of a list's download (j: loop_request_json without detail):
 * names who holds the request (holder.name: the area, or the units of its
 * active referrals that v may see, joined by sep), and while it waits on
 * units, its step's deadline and lateness are the referrals'. */
void loop_request_row_fill(const loop_viewer *v, const request_rec *q, json_t *j, const char *sep);
/*
 * Whether v may read the child child_id (living in village and grid, at
 * school school_id) wherever a request, a referral or a message names it:
 * the child's own place (or school, or referral grant) within v's
 * children's scope, as GET /children/{id} asks. A request is seen by more
 * than that (its filer always, a request whose child has moved), so its
 * child is named by this, never by seeing the request; where it says no,
 * a list says that a child was linked ({id, withheld: true}), not who.
 */
int loop_child_readable(const loop_viewer *v, int64_t child_id, const char *village, const char *grid,
			int64_t school_id);
/* 1 if v is a unit's reader (SCOPE_REFERRAL) and unit_id another referred
 * unit: what that unit wrote or added to a request (its steps, comments
 * and files) is for the loop's staff and that unit alone. */
int loop_unit_hides(const loop_viewer *v, int64_t unit_id);
/* The referral; with_request adds a summary of its request (and the child
 * while the referral is active). */
json_t *loop_referral_json(const loop_viewer *v, const referral_rec *f, int with_request);
/* Adds to each referral of items (loop_referral_json without its request)
 * what with_request adds, reading the page's requests in one query. */
int loop_referrals_add_requests(const loop_viewer *v, json_t *items);
/* The steps the caller may take on q now, as a JSON array of names. */
json_t *loop_allowed_json(const loop_viewer *v, const request_rec *q);
/* The caller's case context for q. */
void loop_case_ctx(const loop_viewer *v, const request_rec *q, case_ctx *out);
/* Audits a step refused before it was tried (a stale version: "conflict";
 * a step the state does not allow: "conflict"; one the role may never
 * take: "denied"), as `kind.action` on the request or referral id, with
 * the state it was refused in. */
void loop_audit_refused(http_req *r, app *a, const sec_principal *p, const char *kind, const char *action, int64_t id,
			const char *state, int64_t version, const char *outcome);
/* Seconds-since-epoch as JSON, or null for 0. */
json_t *loop_time(int64_t t);

/* What the server itself asks of public security on a mandatory report: the
 * police referral's ask and the note of the system's refer step. Stored as
 * it always was (in Chinese); the JSON names it by a key as well
 * (ask_key / note_key "mandatory_report"), so that the web says it in the
 * reader's language. */
#define LOOP_POLICE_ASK "强制报告：请依法核查处置，并向报告人反馈。"

/*
 * For department and org users (SCOPE_REFERRAL): cuts a child's JSON
 * (consumed) down to the basic facts (id, name, sex, birth date, age) and
 * the field groups their active referrals grant. Others: returned as is.
 */
json_t *loop_child_restrict(store_conn *c, const sec_principal *p, int64_t child_id, json_t *full);
/* The same for the granted field groups already read (comma list). */
json_t *loop_child_granted(const char *fields, json_t *full);
/* 1 if the comma list of granted field groups holds group ("id_number",
 * "guardians", ...). */
int loop_fields_have(const char *fields, const char *group);

/* Resource handlers. */
int api_requests_create(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_requests_list(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_request_get(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_request_action(http_req *r, app *a, store_conn *c, const sec_principal *p);
/* POST /api/v1/requests/{id}/comments {text}: a comment on the timeline. */
int api_request_comment(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_request_attach(http_req *r, app *a, store_conn *c, const sec_principal *p);
/* The extension of an attachment's type (jpg, png or pdf). */
const char *api_attachment_ext(const char *content_type);
/* The name an attachment is shown and saved under: its stored name (an
 * older one may predate the rule) made a safe file name ending in its
 * type's extension (wb_file_name); empty when it has none. */
void api_attachment_name(const attachment_rec *at, char *out, size_t outlen);
int api_request_attachment(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_referrals_list(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_referral_action(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_inbox_list(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_inbox_read(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_inbox_read_all(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_webhooks_list(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_webhooks_set(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_webhook_deliveries(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_loop_config_get(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_loop_config_put(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_loop_metrics(http_req *r, app *a, store_conn *c, const sec_principal *p);

#endif
