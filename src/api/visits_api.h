/*
 * What the visit plan (visits.c) lends to the county's overview
 * (overview.c): the county's intervals and the day a child grows up.
 */
#ifndef WB_VISITS_API_H
#define WB_VISITS_API_H

#include <jansson.h>

#include "../domain/visits.h"
#include "../store/model.h"
#include "../store/store.h"

/* The county's plan: the defaults with the stored settings over them. */
int visits_config_load(store_conn *c, const char *county, visit_plan_config *cfg);
/* "YYYY-MM-DD" of the day 18 years before today (YYYYMMDD): a child born
 * on or before it is grown up and leaves the plan. */
void visits_adult_cutoff(int today, char out[11]);
/* The same day as YYYYMMDD: born on or before it, 18 on day (under the
 * birthday rule: where a year counts from the day after the birthday, a
 * child is 17 on the 18th birthday). */
int visits_adult_born_by(int day);
/* Where a child stands on today (YYYYMMDD) under cfg: from its risk level
 * (text), confirmed categories (bit 1 << enum category) and newest visit
 * ("YYYY-MM-DD", "" for none). *interval gets visit_interval's days,
 * *due_ymd the due day (visit_plan_state). */
enum visit_state visits_state_of(const visit_plan_config *cfg, const char *risk_level, unsigned cats,
				 const char *last_visit, int today, int *interval, int *due_ymd);
/* A visit's stored flags ("safety,school", comma-separated) as a JSON
 * array of strings. */
json_t *visits_flags_json(const char *flags);
/* The confirmed categories among a child's category rows (bit 1 << enum
 * category). */
unsigned visits_confirmed_cats(const category_rec *k, int nk);

#endif
