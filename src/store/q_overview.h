/*
 * The county's figures for the overview (SPEC §8), grouped by township or
 * village:
 * children (and those with a child director), confirmed categories and
 * help requests. Counts only, no record; every query is bounded by the
 * county and, for a township's staff, the township's code range.
 */
#ifndef WB_Q_OVERVIEW_H
#define WB_Q_OVERVIEW_H

#include <stdint.h>

#include "store.h"

/* Each hands its rows to cb (store_group_rows) by township, or with
 * by_village by village (the twelve digits of its code); township NULL:
 * every township of the county, else only that township's. */
/* Children under 18 (born after born_after, or without a birth date):
 * n[0]; n[1] of them with a child director: children.director_id an
 * account not locked that holds a director membership of the child's
 * village. */
int store_overview_children(store_conn *c, const char *county, const char *township, int by_village,
			    const char *born_after, store_group_cb cb, void *arg);
/* Confirmed categories per group and category: n[0] children, of those
 * born after born_after (under 18, as the children's count: a child whose
 * 18th birthday has come is no longer counted before the daily job ends
 * its categories). */
int store_overview_categories(store_conn *c, const char *county, const char *township, int by_village,
			      const char *born_after, store_group_cb cb, void *arg);
/* Help requests: n[0] open, n[1] open and overdue at now
 * (REQUEST_OVERDUE_SQL: its step or an active referral late), n[2] closed
 * since closed_after. */
int store_overview_requests(store_conn *c, const char *county, const char *township, int by_village, int64_t now,
			    int64_t closed_after, store_group_cb cb, void *arg);
/* Open follow-up visits (key ""): n[0] open, n[1] overdue (due before
 * today, YYYY-MM-DD), of children in active work. */
int store_overview_follow_ups(store_conn *c, const char *county, const char *township, int by_village,
			      const char *today, store_group_cb cb, void *arg);

#endif
