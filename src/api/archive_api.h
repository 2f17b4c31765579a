/*
 * What archiving (archive.c) lends to the daily job and the command line:
 * the county's periods and the sweep.
 */
#ifndef WB_ARCHIVE_API_H
#define WB_ARCHIVE_API_H

#include <stdint.h>

#include "../store/store.h"

typedef struct archive_config {
	int adult_grace_days; /* days after the 18th birthday before the record is archived */
	int retention_years;  /* years an archived record keeps its personal data */
} archive_config;

/* The county's periods: the defaults (90 days, 10 years) with the stored
 * setting over them. */
int archive_config_load(store_conn *c, const char *county, archive_config *cfg);
/* Sets *due when a child born on birth_ymd would be archived by the sweep
 * of today (past 18 and the grace days). */
int archive_due(store_conn *c, const char *county, int birth_ymd, int today, int *due);
/* The last birth day (YYYYMMDD) that archive_due takes on today: for a
 * caller that asks about many birth dates (an import). */
int archive_adult_before(store_conn *c, const char *county, int today, int *before_ymd);
/* At most this many records archived and erased per transaction. */
#define ARCHIVE_SWEEP_BATCH 200
/* Archives the county's children past 18 and the grace days, and erases
 * the personal data of those archived longer than the retention, on
 * today (YYYYMMDD) at now: at most ARCHIVE_SWEEP_BATCH of each (call it
 * again, in a new transaction, while a count reaches it). Counts into
 * *archived and *erased. */
int archive_sweep(store_conn *c, const char *county, int today, int64_t now, int *archived, int *erased);
/* The erasure's cutoff on today (YYYYMMDD) for a retention of years: the
 * first second (China time) of the day after the last archiving day whose
 * retention is over — a record archived on a day is erased on the same
 * day years later (archived on 29 February: on 28 February in a common
 * year), not before. Records archived before it are erased. Pure. */
int64_t archive_erase_before(int today, int years);
/* Removes from the files directory dir the attachment files no help
 * request refers to any more (those of erased records), once untouched
 * for an hour (an upload writes its file before its row commits), and
 * upload leftovers older than a day. Counts into *removed. Reads under
 * the writer (audit_submit), so no reference commits meanwhile. */
int archive_files_sweep(store_conn *c, const char *dir, int64_t now, int *removed);

#endif
