/*
 * Records and queries of entitlements (应享尽享, SPEC §6): policies and
 * their versions, receipts (a child receives a policy from a month), and
 * the children's facts the matching evaluates. Queries of children and
 * receipts take the caller's scope through the child; the writes run
 * inside the writer's transaction (audit_submit).
 */
#ifndef WB_Q_ENTITLEMENTS_H
#define WB_Q_ENTITLEMENTS_H

#include <stdint.h>

#include "model.h"
#include "store.h"

#define POLICY_RULE_MAX 1024 /* the rule as compact JSON */
#define POLICY_NOTE_MAX 800  /* 200 characters */

typedef struct policy_rec {
	int64_t id;
	int64_t department_id;
	int64_t created_at;
	int64_t created_by;
	char county_code[8];
	char code[32];
	char name[260];
	char benefit[24];
	char department_name[128]; /* read only */
} policy_rec;

typedef struct policy_version_rec {
	int64_t id;
	int64_t policy_id;
	int64_t amount_cents;
	int64_t created_at;
	int64_t created_by;
	char county_code[8];
	char effective_from[11];
	char rule[POLICY_RULE_MAX];
	char note[POLICY_NOTE_MAX];
	int ends; /* the policy stops from effective_from (migration 0025): no amount, no rule; note says why */
} policy_version_rec;

typedef int (*policy_cb)(const policy_rec *p, void *arg);
typedef int (*policy_version_cb)(const policy_version_rec *v, void *arg);
/* The county's policies, by code. */
int store_policies(store_conn *c, const char *county, policy_cb cb, void *arg);
/* One policy of the county: WB_OK or WB_ENOTFOUND. */
int store_policy_get(store_conn *c, const char *county, int64_t id, policy_rec *out);
/* The versions of the county's policies (of policy_id alone when it is not
 * 0), by policy, newest first. */
int store_policy_versions(store_conn *c, const char *county, int64_t policy_id, policy_version_cb cb, void *arg);
/* Adds p and its first version v (their ids are set). WB_ECONFLICT when the
 * county has a policy of that code. */
int store_policy_insert(store_conn *c, policy_rec *p, policy_version_rec *v);
/* Adds a version (its id is set). WB_ECONFLICT when the policy has one from
 * that day. */
int store_policy_version_insert(store_conn *c, policy_version_rec *v);
/* Withdraws a version not yet in force (effective_from after today,
 * "YYYY-MM-DD") while the policy keeps another: WB_OK, or WB_ECONFLICT
 * when there is no such version any more. */
int store_policy_version_withdraw(store_conn *c, int64_t policy_id, int64_t version_id, const char *today);
/* The newest version's effective_from of a policy ("" if none) into out
 * (11), and whether that version ends the policy. */
int store_policy_newest(store_conn *c, int64_t policy_id, char *out, int *ends);

typedef struct receipt_rec {
	int64_t id;
	int64_t child_id;
	int64_t policy_id;
	int64_t created_at;
	int64_t created_by;
	int64_t ended_at;
	int64_t ended_by;
	char county_code[8];
	char from_month[8];
	char to_month[8]; /* "" while it is open */
	char end_reason[POLICY_NOTE_MAX];
	/* insert only: the policy's benefit (enum ent_benefit), and when it is
	 * refused the first month the receipt may start */
	int benefit;
	char next_month[8];
	/* read only: the child's, for lists */
	char name[128];
	char village_code[16];
} receipt_rec;

typedef int (*receipt_cb)(const receipt_rec *r, void *arg);
/* Adds r (its id is set). WB_ECONFLICT when the child has an open receipt
 * of that policy; WB_EINVAL when an ended one that paid would pay again:
 * it reaches from_month, or (a yearly, one-off or in-kind benefit,
 * r->benefit) it paid within the 12 months before from_month. Then the
 * month it paid last is in r->to_month and the first month the new receipt
 * may start in r->next_month. */
int store_receipt_insert(store_conn *c, receipt_rec *r);
/* A receipt of a child in the caller's scope: WB_OK or WB_ENOTFOUND. */
int store_receipt_get(store_conn *c, const store_scope *sc, int64_t id, receipt_rec *out);
/* Ends an open receipt with its last month and the reason. WB_ECONFLICT if
 * it is not open (any more). */
int store_receipt_end(store_conn *c, int64_t id, const char *to_month, const char *reason, int64_t at, int64_t by);
/* ---- what the township found when it checked a gap (migration 0024) ---- */
typedef struct gap_check_rec {
	int64_t id, child_id, policy_id, created_at, created_by;
	char county_code[8];
	char finding[12]; /* applied, declined, elsewhere, other */
	char note[POLICY_NOTE_MAX];
	char by_name[128]; /* read only */
} gap_check_rec;
/* Adds c (its id is set). */
int store_gap_check_add(store_conn *c, gap_check_rec *g);
typedef int (*gap_check_cb)(const gap_check_rec *g, void *arg);
/* The checks of the county's children ids[0..n), oldest first (so the
 * last one seen of a child and policy is its newest); only those of the
 * gap open now: not one made before a receipt of the child and policy was
 * recorded (it closed the gap it checked). */
int store_gap_checks_of(store_conn *c, const char *county, const int64_t *ids, size_t n, gap_check_cb cb, void *arg);
typedef int (*gap_finding_cb)(int64_t child_id, int64_t policy_id, const char *finding, void *arg);
/* Every check of the county's gaps, by child, policy, then oldest first
 * (the last one seen of a child and policy is its newest), for the
 * matching to tell the gaps by what was found; those of the gaps open
 * now only, as store_gap_checks_of. */
int store_gap_findings(store_conn *c, const char *county, gap_finding_cb cb, void *arg);

/* A child's receipts, newest first (the caller checked the child's scope). */
int store_child_receipts(store_conn *c, int64_t child_id, receipt_cb cb, void *arg);
/*
 * The receipts of the children in the caller's scope (and area) that
 * cover month ("YYYY-MM": from_month <= month and to_month open or later),
 * with the child's name and village; of one policy when policy_id is not
 * 0; open ones only when open_only. By village, child, then policy.
 */
int store_receipts_in(store_conn *c, const store_scope *sc, const char *area, const char *month, int64_t policy_id,
		      int open_only, receipt_cb cb, void *arg);

/* A child's facts for the matching. */
typedef struct ent_child_row {
	int64_t id;
	int disability_grade;
	int family_poverty;
	int serious_illness;
	char name[128];
	char village_code[16];
	char birth_date[11];
	char hukou_type[8];
} ent_child_row;

typedef int (*ent_child_cb)(const ent_child_row *row, void *arg);
/* The children in the caller's scope (and area) born after born_after
 * (under 18) or with an open receipt, by village, then id. With narrow,
 * only those with a disability, family poverty, a serious illness, a
 * confirmed category or an open receipt: when every rule asks for one of
 * these, no other child can be entitled. */
int store_ent_children(store_conn *c, const store_scope *sc, const char *area, const char *born_after, int narrow,
		       ent_child_cb cb, void *arg);
typedef int (*ent_cat_cb)(int64_t child_id, const char *category, void *arg);
/* The confirmed categories of the children in the caller's scope (and
 * area), by child, that count for benefits: not one flagged for review
 * with a proposed end (the facts no longer support it). */
int store_ent_categories(store_conn *c, const store_scope *sc, const char *area, ent_cat_cb cb, void *arg);

/* ---- the gaps told to the townships (migration 0019) ---- */
typedef int (*ent_gap_known_cb)(int64_t child_id, int64_t policy_id, const char *township, void *arg);
/* The gaps of county already told (and the township told), by child then
 * policy. */
int store_ent_gaps_known(store_conn *c, const char *county, ent_gap_known_cb cb, void *arg);
/* Records a gap told now (in township); one recorded already (a run at the
 * same time) is left as it is. */
int store_ent_gap_add(store_conn *c, const char *county, int64_t child_id, int64_t policy_id, const char *township,
		      int64_t now);
/* Records that a gap told already is now township's (the child moved). */
int store_ent_gap_move(store_conn *c, const char *county, int64_t child_id, int64_t policy_id, const char *township,
		       int64_t now);
/* Forgets a gap that is closed. */
int store_ent_gap_drop(store_conn *c, const char *county, int64_t child_id, int64_t policy_id);

#endif
