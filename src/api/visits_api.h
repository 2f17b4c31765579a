/*
 * What the visit plan (visits.c) lends to the county's overview
 * (overview.c): the county's intervals and the day a child grows up.
 */
#ifndef WB_VISITS_API_H
#define WB_VISITS_API_H

#include "../domain/visits.h"
#include "../store/store.h"

/* The county's plan: the defaults with the stored settings over them. */
int visits_config_load(store_conn *c, const char *county, visit_plan_config *cfg);
/* "YYYY-MM-DD" of the day 18 years before today (YYYYMMDD): a child born
 * on or before it is grown up and leaves the plan. */
void visits_adult_cutoff(int today, char out[11]);

#endif
