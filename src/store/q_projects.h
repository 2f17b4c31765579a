/*
 * Records and queries of charity projects (社会参与, SPEC §7): projects,
 * the children they serve, their money and their log. The writes run
 * inside the writer's transaction (audit_submit). Who may see a project is
 * decided by the caller (api/projects.c) from the list's filter: an
 * organisation's own projects, a township's, the county's.
 */
#ifndef WB_Q_PROJECTS_H
#define WB_Q_PROJECTS_H

#include <stdint.h>

#include "model.h"
#include "store.h"

#define PROJECT_TEXT_MAX 2400 /* 600 characters */

typedef struct project_rec {
	int64_t id;
	int64_t org_id;
	int64_t budget_cents;
	int64_t version;
	int64_t created_at, created_by, updated_at, updated_by;
	char county_code[8];
	char kind[16];
	char status[12];
	char name[260];
	char donor[260];
	char area_code[16];
	char started_on[11];
	char finished_on[11];
	char description[PROJECT_TEXT_MAX];
	/* read only */
	char org_name[128];
	int64_t donated_cents, spent_cents, children;
} project_rec;

typedef struct project_filter {
	const char *status;
	const char *kind;
	int64_t org_id; /* 0: any */
	/* a township's or village's projects: area_code in [lo, hi), or
	 * serving a child living there (NULL: the county) */
	const char *lo, *hi;
	/* the hope rooms and 1 + N plans without a township (saved before one
	 * was required): the centre sets it */
	int no_area;
} project_filter;

typedef int (*project_cb)(const project_rec *p, void *arg);
/* The county's projects of the filter, newest first, with their totals. */
int store_projects(store_conn *c, const char *county, const project_filter *f, project_cb cb, void *arg);
/* One project of the county with its totals: WB_OK or WB_ENOTFOUND. */
int store_project_get(store_conn *c, const char *county, int64_t id, project_rec *out);
/* 1 if the project serves (or served) a child whose village is in [lo, hi). */
int store_project_in_area(store_conn *c, int64_t id, const char *lo, const char *hi);
/* Adds p (its id is set) with the first line of its log. */
int store_project_insert(store_conn *c, project_rec *p);
/* Writes p's fields over the project if its version is still
 * p->version - 1 (WB_ECONFLICT otherwise); a change of status (from
 * old_status) gets a line of the log with note. */
int store_project_update(store_conn *c, const project_rec *p, const char *old_status, const char *note);

typedef struct project_child_rec {
	int64_t id, project_id, child_id;
	int64_t added_at, added_by, removed_at;
	char services[PROJECT_TEXT_MAX];
	char removed_reason[800];
	/* read only */
	char name[128];
	char village_code[16];
	char project_name[260];
	char project_kind[16];
	char project_status[12];
	char org_name[128];
} project_child_rec;

typedef int (*project_child_cb)(const project_child_rec *pc, void *arg);
/* The children of a project (those removed too), in the order added. */
int store_project_children(store_conn *c, int64_t project_id, project_child_cb cb, void *arg);
/* The projects a child is or was served by, newest first. */
int store_child_projects(store_conn *c, int64_t child_id, project_child_cb cb, void *arg);
/* Adds pc (its id is set). WB_ECONFLICT if the child is already served. */
int store_project_child_add(store_conn *c, project_child_rec *pc);
/* The children a project serves now. */
int store_project_children_active(store_conn *c, int64_t project_id, int64_t *n_out);
/* Ends the child's place in the project. WB_ENOTFOUND if it has none. */
int store_project_child_remove(store_conn *c, int64_t project_id, int64_t child_id, const char *reason, int64_t at,
			       int64_t by);

/* a money line of project_funds f as it counts: a reversal (冲正)
 * against the line it reverses */
#define FUND_SIGNED "(CASE WHEN f.reverses IS NULL THEN f.amount_cents ELSE -f.amount_cents END)"

/* The days a project's money lines bound its dates, reversed lines and
 * reversals aside (a line entered by mistake is no money): its first
 * spending (a project spends from its start) and its last line of either
 * kind (none after its finish); "" when there is none. */
int store_project_fund_span(store_conn *c, int64_t project_id, char first_spending[11], char last_line[11]);

typedef struct project_fund_rec {
	int64_t id, project_id, amount_cents, created_at, created_by;
	int64_t reverses;      /* a reversal (冲正): the line it counts against; 0: none */
	int64_t reversed_by;   /* read only: the reversal of this line; 0: none */
	int64_t balance_cents; /* out of store_project_fund_add when refused */
	/* out of store_project_fund_add when refused because the money was
	 * not there yet: the first day the project would be short, and by how
	 * much ("" when the whole balance was short) */
	int64_t short_cents;
	char short_on[11];
	char county_code[8];
	char kind[12];
	char on_date[11];
	char party[260];
	char note[800];
} project_fund_rec;

typedef int (*project_fund_cb)(const project_fund_rec *f, void *arg);
/* The money of a project, by day. */
int store_project_funds(store_conn *c, int64_t project_id, project_fund_cb cb, void *arg);
/* Adds f (its id is set): a donation, a spending, or the reversal of a
 * line (f->reverses: same kind and amount, counted against it).
 * WB_EINVAL when the line would take the project's balance below zero (a
 * spending, or a donation's reversal; the balance into f->balance_cents),
 * or below zero as of a day, the lines taken in date order from the
 * line's day on (a spending's own day; a donation's reversal takes the
 * donation off its day): a spending is covered by the donations dated on
 * or before it (the day and the shortfall into f->short_on and
 * f->short_cents);
 * WB_ECONFLICT when the line was reversed already. */
int store_project_fund_add(store_conn *c, project_fund_rec *f);
/* One line of the project's money: WB_OK or WB_ENOTFOUND. */
int store_project_fund_get(store_conn *c, int64_t project_id, int64_t id, project_fund_rec *out);

typedef struct project_log_rec {
	int64_t at, by_user;
	char status_from[12], status_to[12];
	char by_name[128];
	char note[800];
} project_log_rec;

typedef int (*project_log_cb)(const project_log_rec *l, void *arg);
/* The log of a project, oldest first. */
int store_project_log(store_conn *c, int64_t project_id, project_log_cb cb, void *arg);

#endif
