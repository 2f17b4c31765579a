/*
 * What the entitlements (entitlements.c) lend to the county's overview
 * (overview.c): the matching and this month's payments, counted by the
 * child's village.
 */
#ifndef WB_ENTITLEMENTS_API_H
#define WB_ENTITLEMENTS_API_H

#include <stdint.h>

#include "../store/model.h"
#include "../store/store.h"

/* One (child, policy) of the matching — group 0 gap, 1 to stop, 2
 * received — or, with group -1, one payment of this month of cents; by the
 * child's village code. */
typedef int (*ent_tally_fn)(const char *village_code, int group, int64_t cents, void *arg);
/* Runs the matching of the children of sc in county and this month's
 * ledger, telling fn of each. */
int entitlements_tally(store_conn *c, const store_scope *sc, const char *county, ent_tally_fn fn, void *arg);

/* The payments of month ym (YYYYMM) of the children of sc in county, as
 * the ledger counts them, each told to fn with group -1. */
int entitlements_paid(store_conn *c, const store_scope *sc, const char *county, int ym, ent_tally_fn fn, void *arg);

#endif
