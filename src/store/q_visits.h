/*
 * Records and queries of visits (走访) and the visit plan. Every query of a
 * child's visits takes the caller's scope through the child (a visit is
 * part of the child's file); the writes run inside the writer's
 * transaction (audit_submit).
 */
#ifndef WB_Q_VISITS_H
#define WB_Q_VISITS_H

#include <stdint.h>

#include "model.h"
#include "store.h"

#define VISIT_FINDINGS_CHARS    2000                       /* characters (code points) */
#define VISIT_FINDINGS_MAX      (VISIT_FINDINGS_CHARS * 4) /* bytes: UTF-8 takes at most 4 a character */
#define VISIT_VOID_REASON_CHARS 200
#define VISIT_VOID_REASON_MAX   (VISIT_VOID_REASON_CHARS * 4)

typedef struct visit_rec {
	int64_t id;
	int64_t child_id;
	int64_t created_at;
	int64_t created_by;
	char county_code[8];
	char kind[8];
	char visited_on[11];
	char flags[96];     /* comma-separated flag names, "" for none */
	char risk_level[8]; /* the visitor's assessment, "" if none */
	char visitor[128];  /* the visitor's display name (read only) */
	char findings[VISIT_FINDINGS_MAX + 1];
	/* read only: voided (作废) by mistake, when, by whom and why (0: counts) */
	int64_t voided_at;
	char voider[128];
	char void_reason[VISIT_VOID_REASON_MAX + 1];
} visit_rec;

/* Voids the child's visit id (recorded by mistake) at by with the reason,
 * and opens again the follow-ups it had completed, unless another visit of
 * the child that counts is in their window: the first one recorded
 * completes them (*reopened: how many stay open). The risk level the visit
 * set is undone unless it was changed again since: the level from before
 * it, or the assessment of the latest visit that counts when that one was
 * recorded since (one entered late that the voided visit held back);
 * risk_restored (8 bytes) gets the level the child has again, or "".
 * WB_ENOTFOUND: no such visit of the child; WB_EFORBIDDEN: own_only and
 * by did not record it; WB_ECONFLICT: voided already. */
int store_visit_void(store_conn *c, int64_t child_id, int64_t id, int64_t at, int64_t by, int own_only,
		     const char *reason, int *reopened, char *risk_restored);

/* Adds v (its id is set) and, when v->risk_level is set and differs from
 * the child's, changes the child's risk level with a line of history at
 * v->created_at by v->created_by — unless a visit of the child that counts,
 * made on a later day, assessed it (a visit entered late does not overrule
 * a newer assessment). *old_risk gets the child's risk level before (its
 * size at least 8), *risk_set 1 when the level was changed. */
int store_visit_insert(store_conn *c, visit_rec *v, char *old_risk, int *risk_set);

typedef int (*visit_cb)(const visit_rec *v, void *arg);
/* The visits of a child the caller's scope covers (none outside it: the
 * caller tells a child it may not see by store_child_get), newest first
 * (by day, then by id), at most limit, those before before_id when it is
 * set. */
int store_child_visits(store_conn *c, const store_scope *sc, int64_t child_id, int64_t before_id, int limit,
		       visit_cb cb, void *arg);
/* The day of the newest visit of a child ("" if none) into out (11). */
int store_child_last_visit(store_conn *c, int64_t child_id, char *out);

/* A child the visit plan covers. */
typedef struct visit_plan_row {
	int64_t child_id;
	int64_t director_id;
	unsigned cats; /* confirmed categories, bit 1 << enum category */
	char name[128];
	char village_code[16];
	char grid_code[24];
	char risk_level[8];
	char birth_date[11];
	char last_visit[11];     /* "" if never visited */
	char director_name[128]; /* the assigned director's display name, "" if none */
} visit_plan_row;

typedef int (*visit_plan_cb)(const visit_plan_row *row, void *arg);
/* The children in the caller's scope that have a confirmed category or a
 * raised risk level and were born after born_after ("YYYY-MM-DD": the
 * plan ends at 18), in id order, with their newest visit; within the area
 * code prefix area when it is not NULL. */
int store_visit_plan(store_conn *c, const store_scope *sc, const char *born_after, const char *area, visit_plan_cb cb,
		     void *arg);

/* ---- the villages' scorecard (考核): figures per village ---- */

/* Visits with visited_on in [from, to] ("YYYY-MM-DD") of the children in
 * the caller's scope (and area), per village of the child: n[0] visits, n[1]
 * children visited. */
int store_village_visits(store_conn *c, const store_scope *sc, const char *from, const char *to, const char *area,
			 store_group_cb cb, void *arg);
/* Help requests per village in the caller's area scope (county or area
 * range; and area): n[0] filed in [t_from, t_to), n[1] whose result was
 * delivered to the child (feedback) in that time, n[2] of those delivered
 * after the step's deadline. */
int store_village_requests(store_conn *c, const store_scope *sc, int64_t t_from, int64_t t_to, const char *area,
			   store_group_cb cb, void *arg);
typedef int (*village_cb)(const char *code, const char *name, void *arg);
/* The villages and communities in the caller's scope (and area), by code. */
int store_scope_villages(store_conn *c, const store_scope *sc, const char *area, village_cb cb, void *arg);
/* A director's review (考核评价) for a period, "" rating when none. */
typedef struct director_review {
	int64_t director_id, reviewer_id, created_at, updated_at;
	char county_code[8];
	char village_code[16];
	char period[8];  /* YYYY or YYYY-Qn */
	char rating[16]; /* excellent, competent, basic, incompetent */
	char comment[2048];
	char reviewer_name[128]; /* read only */
} director_review;
/* A director's own work in the scorecard's period: the visits recorded
 * (voided ones left out) and the help requests filed. */
typedef struct director_work {
	int64_t visits, filed;
} director_work;
typedef int (*village_director_cb)(const char *village_code, int64_t user_id, const char *name,
				   const director_work *work, const director_review *review, void *arg);
/* The child directors (accounts not locked) of the scope's villages (and
 * area), by village, each with their own visits of [from, to]
 * ("YYYY-MM-DD") and requests filed in [t_from, t_to), and the review of
 * period (NULL: none asked; then review is NULL; a rating of "" when the
 * director has none). */
int store_village_directors(store_conn *c, const store_scope *sc, const char *area, const char *from, const char *to,
			    int64_t t_from, int64_t t_to, const char *period, village_director_cb cb, void *arg);
/* The village of county where user_id is a child director, within
 * [lo, hi) (a township's range): WB_ENOTFOUND if none. */
int store_director_village(store_conn *c, const char *county, int64_t user_id, const char *lo, const char *hi,
			   char *village, size_t n);
/* Writes the review of r's director and period (a new one or a change);
 * r->created_at gets when it was first written. */
int store_director_review_put(store_conn *c, director_review *r);

#endif
