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

/* What the daily notice of gaps did in a county. */
typedef struct ent_gap_sweep {
	int64_t open;   /* gaps now (entitled, no open receipt) */
	int64_t added;  /* new since the last run: told to their townships */
	int64_t closed; /* told before and closed since: forgotten */
	int townships;  /* townships told */
	int queued;     /* webhook deliveries queued */
} ent_gap_sweep;
/* Runs county's matching (every child, policies in force today), records
 * the gaps not seen before and forgets those closed, and tells each
 * township's station and supervisor how many of its gaps are new (an
 * inbox message, event "entitlement.gaps", with the number; a delivery to
 * the township's webhook). Runs in the caller's transaction. */
int entitlements_gap_sweep(store_conn *c, const char *county, int64_t now, ent_gap_sweep *out);

/* The sweep in two steps, so that the long one needs no writer: the
 * county's gaps today, found on any connection (a read snapshot), then
 * applied in the writer's transaction — the same as entitlements_gap_sweep
 * but for changes made between the two, which the next day's run sees. */
typedef struct ent_gaps ent_gaps;
int entitlements_gap_find(store_conn *c, const char *county, ent_gaps **out);
int entitlements_gap_apply(store_conn *c, const char *county, const ent_gaps *found, int64_t now, ent_gap_sweep *out);
void entitlements_gaps_free(ent_gaps *found);

#endif
