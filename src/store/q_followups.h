/*
 * Follow-up visits (回访) of help requests (SPEC §4): a request's child is
 * to be visited again by a day. The first visit to the child recorded on or
 * after the day the follow-up was scheduled completes it (in the visit's
 * own transaction); a follow-up can also be cancelled.
 */
#ifndef WB_Q_FOLLOWUPS_H
#define WB_Q_FOLLOWUPS_H

#include <stdint.h>

#include "model.h"
#include "store.h"

#define FOLLOW_UP_NOTE_MAX 800 /* 200 characters */

typedef struct follow_up_rec {
	int64_t id, request_id, child_id, created_at, created_by, visit_id, cancelled_at;
	char county_code[8];
	char due_on[11];
	char created_on[11];
	char done_on[11]; /* "" while open */
	char note[FOLLOW_UP_NOTE_MAX];
	/* read only */
	char child_name[128];
	char village_code[16];
	char by_name[128];
	char request_kind[24]; /* the help request's kind (medical, ...) */
	/* scheduled by the confidential reporter of its mandatory report */
	int by_reporter;
} follow_up_rec;

int store_follow_up_insert(store_conn *c, follow_up_rec *f);
/* The follow-up id of the county, its child within the scope: WB_ENOTFOUND
 * otherwise. */
int store_follow_up_get(store_conn *c, const store_scope *sc, int64_t id, follow_up_rec *out);
/* Cancels an open follow-up: WB_ECONFLICT when it is no longer open. */
int store_follow_up_cancel(store_conn *c, int64_t id, int64_t at, int64_t by);
/* Cancels, at `at` by `by` (0: the system), the open follow-ups of
 * request request_id, or with request_id 0 those of every request of
 * child child_id: a withdrawn request's, an archived child's. *n (may be
 * NULL) gets how many. */
int store_follow_ups_cancel_open(store_conn *c, int64_t request_id, int64_t child_id, int64_t at, int64_t by, int *n);
/* How many days before its due day a visit completes a follow-up. */
#define FOLLOW_UP_WINDOW_DAYS 7
/* Completes with the visit (made on visited_on, "YYYY-MM-DD") the child's
 * open follow-ups in whose window it is: scheduled before visited_on (a
 * visit on the day a follow-up was asked for, or before, does not answer
 * it), due at most FOLLOW_UP_WINDOW_DAYS after it (the week before the due
 * day, the day, or any day after: an overdue one), and asked for before
 * the visit was recorded (recorded_at). *done gets how many. */
int store_follow_ups_complete(store_conn *c, int64_t child_id, int64_t visit_id, const char *visited_on,
			      int64_t recorded_at, int *done);

typedef int (*follow_up_cb)(const follow_up_rec *f, void *arg);
/* The follow-ups of a request, oldest first (the request's viewer has been
 * checked; no scope here). */
int store_follow_ups_of(store_conn *c, int64_t request_id, follow_up_cb cb, void *arg);

/* Which follow-ups: open (not done, not cancelled), overdue (open, due
 * before today), done, or all; of the children in the scope, inside area. */
typedef struct follow_up_filter {
	const char *state; /* open, overdue, done, all */
	const char *today; /* YYYY-MM-DD */
	const char *area;
	int limit;
} follow_up_filter;
/* Open ones by due day, others newest first. */
int store_follow_ups(store_conn *c, const store_scope *sc, const follow_up_filter *f, follow_up_cb cb, void *arg);
/* Counts of the scope's follow-ups: open, overdue (of the open), done in
 * the last 30 days (done_on >= since). */
int store_follow_up_counts(store_conn *c, const store_scope *sc, const char *area, const char *today, const char *since,
			   int64_t n[3]);

/* ---- overdue alerts (the closed loop's minute scan) ---- */

typedef struct follow_up_due {
	int64_t id, request_id;
	char due_on[11];
	int alerts; /* sent before this one */
} follow_up_due;
typedef int (*follow_up_due_cb)(const follow_up_due *f, void *arg);
/* Open follow-ups of county past their day (due_on before today), of
 * children still in active work, due for an alert: never alerted, or last
 * alerted at or before repeat_before (0: alerts do not repeat). At most
 * limit, oldest day first; collected before cb runs, so cb may write. */
int store_follow_ups_to_alert(store_conn *c, const char *county, const char *today, int64_t repeat_before, int limit,
			      follow_up_due_cb cb, void *arg);
/* Records that follow-up id was alerted at. */
int store_follow_up_alerted(store_conn *c, int64_t id, int64_t at);

#endif
