/*
 * Records and queries of the closed loop: help requests, their steps,
 * referrals, attachments, deadline alerts, the inbox, webhooks and their
 * deliveries, and the loop's settings.
 *
 * A caller's view of requests is applied in SQL here, like the children's
 * scope: store_request_scope_sql() turns the caller's store_scope (and user
 * id: everyone sees what they filed) into a WHERE condition, so a request
 * outside it is simply not found.
 *
 * Functions that write run inside the writer's transaction (audit_submit).
 */
#ifndef WB_Q_LOOP_H
#define WB_Q_LOOP_H

#include <stdint.h>

#include "../security/keys.h"
#include "../util/buf.h"
#include "model.h"
#include "store.h"

/* The loop's free texts are limited in characters (code points, as
 * docs/openapi.yaml's maxLength says: a Chinese narrative of 4000
 * characters is 12000 bytes); their buffers hold that many characters of
 * the longest UTF-8 encoding, 4 bytes. */
#define REQ_NARRATIVE_CHARS 4000
#define REQ_TEXT_CHARS      2000 /* a result, feedback, note, comment, police feedback */
#define REQ_REASON_CHARS    500
#define REQ_ASK_CHARS       1000 /* what a referral asks of its unit */
#define REQ_NARRATIVE_MAX   (REQ_NARRATIVE_CHARS * 4)
#define REQ_TEXT_MAX        (REQ_TEXT_CHARS * 4)
#define REQ_REASON_MAX      (REQ_REASON_CHARS * 4)
#define REQ_ASK_MAX         (REQ_ASK_CHARS * 4)
#define REQ_DESC_MAX        600 /* bytes: 200 characters */

/* The earliest deadline among the active referrals of the request q (NULL
 * without one). */
#define REFERRALS_DUE_SQL                                                                                   \
	"(SELECT MIN(f.step_due_at) FROM referrals f WHERE f.request_id = q.id AND f.state IN ('pending', " \
	"'accepted'))"
/* A request is overdue when its own step is past its deadline or one of
 * its active referrals is past its own: what the board's 已超期 and the
 * overview's 超期求助 count. Takes the alias q and binds "now" twice. */
#define REQUEST_OVERDUE_SQL "(q.step_due_at < ? OR " REFERRALS_DUE_SQL " < ?)"

typedef struct request_rec {
	int64_t id;
	char county_code[8];
	char township_code[16];
	char village_code[16];
	char grid_code[16];
	int64_t child_id; /* 0: an unidentified child (linked later) */
	char child_desc[REQ_DESC_MAX + 8];
	char kind[24];
	char urgency[8];
	char narrative[REQ_NARRATIVE_MAX + 8];
	int mandatory;
	int priority;
	char source[16];
	char state[24];
	int64_t state_since;
	int64_t step_due_at; /* 0: the step has no deadline of its own */
	char handled_by[12]; /* "township" until forwarded, then "centre" */
	int64_t reporter_id;
	char reporter_role[16];
	int64_t reporter_unit_id;
	char result[REQ_TEXT_MAX + 8];
	char feedback[REQ_TEXT_MAX + 8];
	char feedback_rating[24];
	int64_t feedback_at;
	char withdraw_reason[REQ_REASON_MAX + 8];
	int64_t police_due_at;
	char police_feedback[REQ_TEXT_MAX + 8];
	int64_t police_feedback_at;
	int64_t version;
	int64_t created_at;
	int64_t updated_at;
	int64_t closed_at;
	/* read only: the linked child's basic facts */
	char child_name[128];
	char child_sex[2];
	char child_birth[11];
	/* read only: the earliest deadline among its active referrals */
	int64_t referrals_due_at;
	/* read only: the linked child's place and school now (who may read
	 * the child: a request's own place can be older, and its filer sees
	 * it wherever the child lives) */
	char child_village[16];
	char child_grid[16];
	int64_t child_school_id;
	/* read only, for a referred unit's list (store_request_list with a
	 * SCOPE_REFERRAL scope): unit_read 1 when the two below were read
	 * with the page, for every row in one statement each */
	int unit_read;
	char unit_fields[256]; /* the field groups the unit's active referrals of it grant ("" none) */
	int child_in_scope;    /* 1: its linked child is inside the scope (the unit may read the child) */
} request_rec;

typedef struct request_filter {
	const char *state;    /* a state name, "open" (not closed or withdrawn) or NULL (all) */
	const char *township; /* 9-digit code */
	const char *village;  /* 12-digit code */
	const char *kind;
	int64_t child_id;
	int64_t overdue_at; /* >0: only requests overdue at this time (REQUEST_OVERDUE_SQL) */
	int mandatory;      /* 1: only mandatory reports */
	int64_t before_id;  /* cursor: ids below this (0: from the newest) */
	int limit;
	int counted_only; /* 1: the rows are only counted (a unit's grants are not read) */
} request_filter;

/* " AND (<caller may see request alias>)" with its values. user_id: the
 * caller (who always sees what they filed). */
int store_request_scope_sql(const store_scope *sc, int64_t user_id, const char *alias, buf *sql, store_args *args);

/* Inserts r (id and version set on return). */
int store_request_insert(store_conn *c, request_rec *r);
/* Reads request id as the caller (sc, user_id) may see it; sc NULL reads
 * without a scope (the system). WB_ENOTFOUND outside the scope. */
int store_request_get(store_conn *c, const store_scope *sc, int64_t user_id, int64_t id, request_rec *out);

/* What a referral shows of its request: the columns of request_rec that
 * the summary needs, with the same sizes. */
typedef struct request_brief {
	int64_t id;
	char kind[24];
	char urgency[8];
	int priority;
	int mandatory;
	char state[24];
	int64_t child_id;
	char child_name[128];
	char child_sex[2];
	char child_birth[11];
	char child_village[16]; /* the child's place: whether the reader may */
	char child_grid[16];    /* see the child (loop_child_readable) */
	int64_t child_school_id;
} request_brief;
/* Reads the briefs of the requests ids (n distinct ids) of county into out
 * (room for n), in any order; *n_out how many were found (a referral
 * page's requests in one query). */
int store_request_briefs(store_conn *c, const char *county, const int64_t *ids, int n, request_brief *out, int *n_out);

/* Writes every mutable column of r if its version is expected_version,
 * then increments the version (r->version updated). WB_ECONFLICT if the
 * version moved on. */
int store_request_update(store_conn *c, request_rec *r, int64_t expected_version);
/* The open requests (not closed or withdrawn) of child child_id whose
 * place is not the child's now (village, grid: "" for none), into *ids
 * (malloc'ed, freed by the caller; NULL when none) and *n. */
int store_requests_elsewhere(store_conn *c, int64_t child_id, const char *village, const char *grid, int64_t **ids,
			     size_t *n);
/* Moves request id to the place of its child (village, grid: "" for
 * none; the township is the village's), with a new version, at `at`. */
int store_request_move(store_conn *c, int64_t id, const char *village, const char *grid, int64_t at);
/* The request's own step, moved to another township, alerts again at the
 * next scan if it is overdue (its breach's last alert forgotten): the
 * supervisor there was never told, even where alerts are not repeated. */
int store_request_alert_renew(store_conn *c, const char *county, int64_t id, const char *stage, int64_t since);
typedef int (*request_cb)(const request_rec *r, void *arg);
/* Newest first, within the scope, keyset-paged by id. For a referred
 * unit (SCOPE_REFERRAL) each row comes with unit_read set (unless
 * f->counted_only): the unit's grant on it and whether its child is the
 * unit's, read for the page in one statement each rather than one per
 * row. */
int store_request_list(store_conn *c, const store_scope *sc, int64_t user_id, const request_filter *f, request_cb cb,
		       void *arg);

/* ---- steps (the timeline) ---- */
typedef struct step_rec {
	int64_t id;
	char county_code[8];
	char township_code[16];
	int64_t request_id;
	int64_t referral_id; /* 0: a step of the request itself */
	int64_t unit_id;
	char action[24];
	char from_state[24]; /* the stage this step ended ("" for the filing) */
	char to_state[24];
	int64_t actor_id; /* 0: the system */
	char actor_role[16];
	int64_t stage_started_at;
	int64_t stage_due_at;
	int64_t at;
	char note[REQ_TEXT_MAX + 8];
	char rating[24];      /* deliver_feedback: the family's rating ("" otherwise) */
	char actor_name[128]; /* read only */
} step_rec;

int store_step_add(store_conn *c, const step_rec *s);
typedef int (*step_cb)(const step_rec *s, void *arg);
/* Every step of a request, oldest first (at most 2000). */
int store_steps_of(store_conn *c, int64_t request_id, step_cb cb, void *arg);

/* ---- referrals ---- */
typedef struct referral_rec {
	int64_t id;
	char county_code[8];
	int64_t request_id;
	int64_t child_id;
	int64_t unit_id;
	char ask[REQ_ASK_MAX + 8];
	char fields[128]; /* granted field groups, comma-separated */
	int64_t due_at;   /* set by the centre (0: the default) */
	char state[16];
	int64_t state_since;
	int64_t step_due_at;
	char decline_reason[REQ_REASON_MAX + 8];
	char result[REQ_TEXT_MAX + 8];
	int64_t version;
	int64_t created_by;
	int64_t created_at;
	int64_t updated_at;
	int64_t ended_at;
	/* read only: the unit */
	char unit_code[32];
	char unit_name[128];
	char unit_kind[12];
	int mandatory;       /* read only: the request is a mandatory report */
	int police_answered; /* read only: its police feedback is recorded */
} referral_rec;

/* 1 if f is public security's referral of a mandatory report: the police
 * do not decline it (Minor Protection Law art. 11). */
int referral_is_mandatory_police(const referral_rec *f);
/* 1 if f is that referral and the police have not yet given the reporter
 * their feedback: it is not completed before, since completing it ends
 * the police's access to the request, and with it their feedback step. */
int referral_awaits_police_feedback(const referral_rec *f);

typedef struct referral_filter {
	int64_t unit_id;    /* 0: every unit */
	int64_t request_id; /* 0: every request */
	const char *state;  /* a state name, "active" (pending or accepted) or NULL */
	int64_t before_id;
	int limit;
} referral_filter;

int store_referral_insert(store_conn *c, referral_rec *f);
int store_referral_get(store_conn *c, int64_t id, referral_rec *out);
/* As store_request_update, for a referral. */
int store_referral_update(store_conn *c, referral_rec *f, int64_t expected_version);
typedef int (*referral_cb)(const referral_rec *f, void *arg);
/* Referrals of a county, newest first, keyset-paged. */
int store_referral_list(store_conn *c, const char *county, const referral_filter *f, referral_cb cb, void *arg);
/* Referrals of one request, oldest first. */
int store_referrals_of(store_conn *c, int64_t request_id, referral_cb cb, void *arg);
/* How many referrals a request has, and how many of them are active. */
int store_referral_counts(store_conn *c, int64_t request_id, int *total_out, int *active_out);
/* *out: 1 if the request was ever referred by the centre (a step that
 * led it to `referred`), 0 if not. */
int store_request_was_referred(store_conn *c, int64_t request_id, int *out);
/* The field groups granted to unit for child by its active referrals
 * (comma-separated union into out). *any_out: 1 if there is one at all. */
int store_referral_grant(store_conn *c, const char *county, int64_t unit_id, int64_t child_id, char *out, size_t outlen,
			 int *any_out);
/* The field groups granted to unit by its active referrals of request_id
 * (comma-separated union into out; "" without one). */
int store_referral_fields_of(store_conn *c, int64_t request_id, int64_t unit_id, char *out, size_t outlen);
/* Cancels every active referral of a request (it was withdrawn). */
int store_referrals_cancel_active(store_conn *c, int64_t request_id, int64_t now);
/* Copies a request's (new) child to its referrals. */
int store_referrals_set_child(store_conn *c, int64_t request_id, int64_t child_id);

/* ---- attachments ---- */
typedef struct attachment_rec {
	int64_t id;
	char county_code[8];
	int64_t request_id;
	char sha256[65];
	int64_t size;
	char content_type[32];
	char file_name[128];
	int64_t uploaded_by;
	int64_t unit_id; /* the unit the uploader acted for (their session's membership; 0: none) */
	int64_t created_at;
	/* read only: unit_id if the request was referred to that unit (0
	 * otherwise: a file of the loop's staff, or of a unit not at work on it) */
	int64_t uploader_unit_id;
} attachment_rec;

int store_attachment_insert(store_conn *c, attachment_rec *a);
int store_attachment_get(store_conn *c, int64_t request_id, int64_t id, attachment_rec *out);
typedef int (*attachment_cb)(const attachment_rec *a, void *arg);
int store_attachments_of(store_conn *c, int64_t request_id, attachment_cb cb, void *arg);
int store_attachment_count(store_conn *c, int64_t request_id, int64_t *out);

/* ---- notifications: the inbox and the webhook queue ---- */

/* Who receives a notification: the members of role at area_code (role and
 * area), of a unit (unit_id), or one user. webhook_owner (may be NULL)
 * names the webhook that receives it too ("area:370831001", "unit:12"). */
typedef struct notify_target {
	const char *role;
	const char *area_code;
	int64_t unit_id;
	int64_t user_id;
	const char *webhook_owner;
	/* the role targets (role and area_code set) told of the same event
	 * before this one: a user who holds one of them too already has the
	 * message and is not given a second (a supervisor who is also the
	 * township's station worker, a centre leader on the committee) */
	const struct notify_target *told;
	int ntold;
} notify_target;

typedef struct notify_event {
	const char *county;
	const char *event; /* "request.forward", "deadline.overdue", ... */
	int64_t request_id;
	int64_t referral_id;
	const char *stage;
	int64_t due_at;
	int64_t at;
	int64_t exclude_user; /* the actor: not notified of their own step */
	const char *payload;  /* the webhook's JSON (no personal data) */
	int64_t items;        /* how many (a digest: the new entitlement gaps), or 0 */
	int64_t child_id;     /* the child a message is about (a visit's concern), or 0 */
} notify_event;

/* Adds inbox rows for the target's users (but those who hold one of
 * t->told) and queues a delivery to its webhook if one is enabled.
 * *queued_out (may be NULL) += deliveries. */
int store_notify(store_conn *c, const notify_target *t, const notify_event *e, int *queued_out);
/* *found = 1 if user_id holds a membership of the county with the role
 * at the area of one of the n targets (role and area_code set): the filer
 * of a request already reached as one of its village's directors. */
int store_member_of_any(store_conn *c, int64_t user_id, const char *county, const notify_target *targets, int n,
			int *found);

typedef struct inbox_rec {
	int64_t id;
	char event[48];
	int64_t request_id;
	int64_t referral_id;
	char stage[24];
	int64_t due_at;
	int64_t created_at;
	int64_t read_at;
	int64_t items;         /* a digest's number, 0 for a step's message */
	char kind[24];         /* the request's kind (medical, ...), "" without one */
	int64_t child_id;      /* the child a message is about, 0 if none */
	char unit_name[128];   /* a referral's message: the unit referred to, "" else */
	int64_t membership_id; /* the membership told (a role at an area, a unit), 0 if none */
} inbox_rec;

typedef int (*inbox_cb)(const inbox_rec *m, void *arg);
int store_inbox_list(store_conn *c, int64_t user_id, int unread_only, int64_t before_id, int limit, inbox_cb cb,
		     void *arg);
int store_inbox_unread(store_conn *c, int64_t user_id, int64_t *out);

/* The child of a visit.concern message as its reader may see it now. */
typedef struct inbox_concern {
	int64_t message_id;
	char child_name[128];
	char village_name[128]; /* the child's village, "" if unknown */
	char flags[96];         /* of the visit recorded at the message's time ("" if none) */
	char risk_level[8];
	int voided; /* that visit was voided since (recorded by mistake) */
} inbox_concern;
typedef int (*inbox_concern_cb)(const inbox_concern *x, void *arg);
/*
 * For the visit.concern messages among ids (n of user's messages, a page)
 * whose child is within sc (the children's scope: one moved out of it or
 * archived is left out): the child's name and village, and what the visit
 * recorded at the message's time found, in one query; once a message.
 */
int store_inbox_concerns(store_conn *c, const store_scope *sc, int64_t user_id, const int64_t *ids, int n,
			 inbox_concern_cb cb, void *arg);
/* Marks one message of user read (WB_ENOTFOUND if not theirs); *marked 1
 * if it was unread, 0 if read already. */
int store_inbox_mark(store_conn *c, int64_t user_id, int64_t id, int64_t now, int64_t *marked);
/* Marks user's unread messages read, those up to id up_to only when it is
 * above 0 (the newest the reader was shown: one that came after it stays
 * unread). *n_out: how many. */
int store_inbox_mark_all(store_conn *c, int64_t user_id, int64_t up_to, int64_t now, int64_t *n_out);

typedef struct webhook_rec {
	int64_t id;
	char county_code[8];
	char owner[40];
	char url[520];
	char secret_enc[SEC_ENC_MAX];
	int enabled;
	int64_t created_at;
	int64_t updated_at;
} webhook_rec;

/* Creates or replaces the webhook of (county, owner); *created_out 1 when new. */
int store_webhook_upsert(store_conn *c, webhook_rec *w, int *created_out);
/* The webhook of (county, owner); WB_ENOTFOUND if none. */
int store_webhook_find(store_conn *c, const char *county, const char *owner, webhook_rec *out);
typedef int (*webhook_cb)(const webhook_rec *w, void *arg);
int store_webhook_list(store_conn *c, const char *county, webhook_cb cb, void *arg);

typedef struct delivery_rec {
	int64_t id;
	char county_code[8];
	int64_t webhook_id;
	char event[48];
	char payload[1024];
	char state[12];
	int attempts;
	int64_t next_attempt_ms;
	int last_status;
	char last_error[256];
	int64_t created_at;
	int64_t delivered_at;
	/* joined from the webhook, for sending */
	char url[520];
	char secret_enc[SEC_ENC_MAX];
} delivery_rec;

typedef int (*delivery_cb)(const delivery_rec *d, void *arg);
/* Pending deliveries due at now_ms (of enabled webhooks), oldest first. */
int store_deliveries_due(store_conn *c, int64_t now_ms, int limit, delivery_cb cb, void *arg);
/* The earliest next attempt of any pending delivery (0: none). */
int store_deliveries_next(store_conn *c, int64_t *ms_out);
/* Records an attempt's outcome. */
int store_delivery_result(store_conn *c, int64_t id, const char *state, int attempts, int64_t next_ms, int status,
			  const char *error, int64_t delivered_at);
int store_deliveries_list(store_conn *c, const char *county, int64_t webhook_id, const char *state, int64_t before_id,
			  int limit, delivery_cb cb, void *arg);

/* ---- deadline alerts ---- */

/* A step past its deadline that may need an alert. */
typedef struct overdue_rec {
	char county_code[8];
	char township_code[16];
	int64_t request_id;
	int64_t referral_id; /* 0 for the request's own step and the police step */
	int64_t unit_id;
	char stage[24]; /* request state, "referral_pending"/"referral_accepted", or "police_feedback" */
	int64_t stage_since;
	int64_t due_at;
	char handled_by[12];
	int alerted; /* an alert row exists (then it is due for a repeat) */
} overdue_rec;

typedef int (*overdue_cb)(const overdue_rec *o, void *arg);
/* Steps of county due before now with no alert, or whose last alert is at
 * or before repeat_before (0: never repeat). At most limit of each kind. */
int store_overdue(store_conn *c, const char *county, int64_t now, int64_t repeat_before, int limit, overdue_cb cb,
		  void *arg);
/* Records an alert for a breach (first or repeated). */
int store_alert_raise(store_conn *c, const overdue_rec *o, int64_t now);

/* ---- settings (per county, name -> text) ---- */
/* *out_value is malloc'd (caller frees); WB_ENOTFOUND if unset. */
int store_setting_get(store_conn *c, const char *county, const char *name, char **out_value);
int store_setting_put(store_conn *c, const char *county, const char *name, const char *value);

#endif
