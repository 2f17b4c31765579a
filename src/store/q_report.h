/*
 * The monthly report's figures (SPEC §8: "a monthly report per township
 * and for the county"), grouped by township: each query hands its rows to
 * a store_group_cb with the township's code (the first nine digits of the
 * village code) and up to three numbers. Counts and sums only, no record.
 */
#ifndef WB_Q_REPORT_H
#define WB_Q_REPORT_H

#include <stdint.h>

#include "store.h"

typedef struct report_period {
	const char *county;
	const char *township; /* NULL: every township of the county */
	int64_t t_from, t_to; /* [t_from, t_to): the month in seconds (China time) */
	const char *day_from; /* the month's first and last day, "YYYY-MM-DD" */
	const char *day_to;
	const char *month;      /* "YYYY-MM" */
	const char *born_after; /* under 18 at the month's end (today in this month) */
} report_period;

/* n[0] children under 18 registered by the month's end and not archived
 * by then, n[1] every child registered in the month. */
int store_report_children(store_conn *c, const report_period *r, store_group_cb cb, void *arg);
/* n[0] categories confirmed in the month (a rejected suggestion is none),
 * n[1] ended in the month. */
int store_report_categories(store_conn *c, const report_period *r, store_group_cb cb, void *arg);
/* n[0] visits in the month, n[1] children visited. */
int store_report_visits(store_conn *c, const report_period *r, store_group_cb cb, void *arg);
/* n[0] help requests filed in the month, n[1] closed, n[2] results
 * delivered to the child (feedback). */
int store_report_requests(store_conn *c, const report_period *r, store_group_cb cb, void *arg);
/* n[0] receipts of benefits started in the month, n[1] ended with it. */
int store_report_receipts(store_conn *c, const report_period *r, store_group_cb cb, void *arg);
/* By the project's township ("" for a project of the whole county): n[0]
 * donations of the month in fen, n[1] spending, n[2] projects finished. */
int store_report_projects(store_conn *c, const report_period *r, store_group_cb cb, void *arg);

/* n[0] talks held in the month (by the talk's township; "" for the
 * county's own), n[1] children attending, n[2] adults. */
int store_report_talks(store_conn *c, const report_period *r, store_group_cb cb, void *arg);
/* n[0] counselling sessions held in the month (by the school's township;
 * "" for a school of the whole county or of no area), n[1] pupils
 * attending. */
int store_report_counselling(store_conn *c, const report_period *r, store_group_cb cb, void *arg);
/* n[0] caring mothers' pairings started in the month (by the child's
 * township). */
int store_report_caring(store_conn *c, const report_period *r, store_group_cb cb, void *arg);
/* n[0] parents come home to work in supporting programmes in the month
 * (by the child's township), n[1] of them ending a left-behind category. */
int store_report_returns(store_conn *c, const report_period *r, store_group_cb cb, void *arg);

/*
 * Figures by month for the trends: the months are buckets 0..n-1 given by
 * their starts (bounds[0..n], seconds, bounds[n] the end of the last) and
 * days (days[0..n], "YYYY-MM-DD", days[n] the day after the last month).
 * Each hands rows (bucket as text, numbers) to cb; township NULL: the
 * county.
 */
typedef struct trend_period {
	const char *county;
	const char *township;
	int n;
	const int64_t *bounds;
	const char *const *days;
} trend_period;

/* n[0] children registered in the month. */
int store_trend_registered(store_conn *c, const trend_period *t, store_group_cb cb, void *arg);
/* n[0] help requests filed in the month. */
int store_trend_filed(store_conn *c, const trend_period *t, store_group_cb cb, void *arg);
/* n[0] help requests closed in the month. */
int store_trend_closed(store_conn *c, const trend_period *t, store_group_cb cb, void *arg);
/* n[0] visits, n[1] children visited, by month ("YYYY-MM"). */
int store_trend_visits(store_conn *c, const trend_period *t, store_group_cb cb, void *arg);
/* n[0] talks, n[1] people attending, by month ("YYYY-MM"). */
int store_trend_talks(store_conn *c, const trend_period *t, store_group_cb cb, void *arg);
/* n[0] counselling sessions held (by the school's township), by month. */
int store_trend_counselling(store_conn *c, const trend_period *t, store_group_cb cb, void *arg);
/* n[0] parents come home through programmes, n[1] of them ending a
 * left-behind category (by the child's township), by month. */
int store_trend_returns(store_conn *c, const trend_period *t, store_group_cb cb, void *arg);

#endif
