/*
 * The registry's rules applied to stored records: the facts the category
 * engine reads, guardian input and output, and keeping the category rows
 * (suggestions, confirmations, conflicts) in step with the facts.
 */
#ifndef WB_REGISTRY_H
#define WB_REGISTRY_H

#include <jansson.h>

#include "../domain/category.h"
#include "../domain/fields.h"
#include "api.h"

/* The guardians a request body carried (have = 0 when it had none). */
typedef struct guardian_input {
	int have;
	int n;
	guardian_rec g[GUARDIANS_MAX];
} guardian_input;

/* Sets the configuration in force (at start, from the settings). */
void registry_config_set(const category_config *cfg);
/* The configuration in force (provincial incapacity set, birthday rules). */
const category_config *registry_config(void);

/* Facts of a child and its guardians, as the category engine reads them. */
void registry_facts(const child_rec *ch, const guardian_rec *g, int n, child_facts *out);

/*
 * A free text of a child or a guardian: 0, or -1 after a 422 naming field
 * when field_check_text refuses s (the importer judges a cell the same way).
 */
int registry_check_text(http_req *r, const char *field, enum field_text t, const char *s);

/*
 * Applies the registry fields of body (household registration, school
 * grade, health, family, director, risk, notes, guardians) onto ch and gi.
 * Writes a 422 naming the field and returns -1 on bad input.
 */
int registry_apply_fields(http_req *r, const app *a, store_conn *c, const sec_principal *p, json_t *body, child_rec *ch,
			  guardian_input *gi);

/*
 * Brings the category rows of a child in step with facts now (before is
 * NULL only for a child created in this transaction, which has no rows): new suggestions are added, suggestions the
 * facts no longer support are withdrawn, confirmed categories that lost
 * their ground are flagged for review with a proposed end reason — or ended
 * at once when an age limit was reached. Runs inside the caller's
 * transaction. *changed_out (may be NULL) counts rows changed.
 */
int registry_recompute(store_conn *c, const char *county, int64_t child_id, const child_facts *before,
		       const child_facts *now, int today_ymd, int64_t ts, int *changed_out);
/* A decision taken with a change of facts: a confirmed category that ends
 * for this reason ends on day (or the day it began, if later) instead of
 * going to the review list; ended says whether one did. */
typedef struct registry_decision {
	int category;    /* enum category */
	int reason;      /* enum category_reason */
	const char *day; /* "YYYY-MM-DD" */
	int ended;       /* out */
} registry_decision;
/* registry_recompute with a decision (NULL: none). */
int registry_recompute_decided(store_conn *c, const char *county, int64_t child_id, const child_facts *before,
			       const child_facts *now, int today_ymd, int64_t ts, registry_decision *decided,
			       int *changed_out);

/* JSON of the guardians (phones masked unless the role needs them whole). */
json_t *registry_guardians_json(const app *a, const sec_principal *p, const guardian_rec *g, int n);
/* JSON of the category rows; with c, a confirmed row also names who
 * confirmed it (confirmed_by_name, the account's display name). */
json_t *registry_categories_json(store_conn *c, const category_rec *k, int n);
/* Lines of a child's history (field, old, new) for each of the record's
 * own facts that differ from o to n — all but the ID number, whose mask
 * the caller records (masks of different numbers can be equal). */
int registry_record_changes(store_conn *c, const char *county, int64_t child_id, int64_t at, int64_t user_id,
			    const child_rec *o, const child_rec *n);
/* A one-line summary of guardians for the change history. */
void registry_guardians_summary(const guardian_rec *g, int n, char *out, size_t outlen);
/* Lines of a child's history for a change of its guardians from before
 * (nb) to after (na): the summary line ("guardians": who came, went or
 * changed status) and a "guardian" line for each guardian kept whose
 * status date, work place or phone changed (phones masked). A PATCH and
 * an import record them alike. */
int registry_record_guardian_changes(store_conn *c, const char *county, int64_t child_id, int64_t at, int64_t user_id,
				     const guardian_rec *before, int nb, const guardian_rec *after, int na);

#endif

/*
 * The daily age check: every suggested or confirmed category whose age
 * limit (16 for left-behind, 18 for the others) has been reached on today
 * is ended (confirmed: state ended, end reason turned_16/turned_18, end
 * date the birthday the limit was reached on, a line of the child's
 * history) or withdrawn (suggested). Runs inside the caller's transaction.
 */
int registry_age_sweep(store_conn *c, const char *county, int today_ymd, int64_t ts, int *ended_out);
/*
 * Re-derives the categories of every child of the county (after a change of
 * configuration, or to repair). Runs inside the caller's transaction.
 */
int registry_recompute_all(store_conn *c, const char *county, int today_ymd, int64_t ts, long *children_out,
			   int *changed_out);
/*
 * Re-derives the categories of one child of the county from its stored
 * facts as registry_recompute_all does (a restored child: the categories
 * its archiving ended are judged again — ended at an age limit reached
 * meanwhile, flagged when their ground is gone). Inside the caller's
 * transaction.
 */
int registry_rederive(store_conn *c, const char *county, int64_t child_id, int today_ymd, int64_t ts);
