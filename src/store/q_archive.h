/*
 * Archiving and retention of children's records (SPEC §9); the writes run
 * inside the writer's transaction. An archived child is out of every
 * query that takes a scope (scope_children_sql) unless the scope asks for
 * archived children too; an erased one keeps its row and figures but no
 * personal data.
 */
#ifndef WB_Q_ARCHIVE_H
#define WB_Q_ARCHIVE_H

#include <stdint.h>

#include "model.h"
#include "store.h"

/* The end reason of a category the archiving ended (and a restore gives
 * back). */
#define CATEGORY_END_ARCHIVED "archived"

/* Archives child id for reason (with note, NULL for none) at `at` by `by`
 * (0: the daily job) on day ("YYYY-MM-DD"): its confirmed categories end
 * on day (CATEGORY_END_ARCHIVED), its open benefits end with day's month
 * (or their first month if later), its places in projects and its caring
 * mother's pairing end, lines of history (the reason, the note, each
 * category ended). Its requests' open follow-up
 * visits are cancelled (a restore does not bring them back). WB_ECONFLICT
 * if it is archived already. */
int store_child_archive(store_conn *c, int64_t id, const char *reason, const char *note, const char *day, int64_t at,
			int64_t by);
/* Brings an archived, not erased child back into active work, with a line
 * of history (and one of the note, when given); the categories the
 * archiving ended are confirmed again, each with its line of history.
 * WB_ECONFLICT if it is not archived or was erased. */
int store_child_restore(store_conn *c, int64_t id, const char *note, int64_t at, int64_t by);
/* Erases the personal data of child id (its name, ID number, birth date,
 * sex, school, grid, household registration, notes, health, disability and
 * family facts; its guardians, their relation and status with their names,
 * phones and work places — the village, risk level, director and
 * categories stay for the figures;
 * the name index; its visits' findings; the values of its history; the
 * texts of its help requests and the list of their attachments, whose
 * files the daily job then removes; the notes of its counselling
 * sessions). */
int store_child_erase(store_conn *c, int64_t id, int64_t at);
/* Which archived children: within an area (NULL: any), archived for a
 * reason (NULL: any), whose name contains a text (NULL: any; erased
 * records have none). */
typedef struct archived_filter {
	const char *area, *reason, *name;
} archived_filter;
/* The archived children of the scope and filter, newest archive first:
 * at most limit, after the one with id after_id (0: the first page). */
int store_children_archived(store_conn *c, const store_scope *sc, const archived_filter *f, int64_t after_id, int limit,
			    int (*cb)(const child_rec *ch, void *arg), void *arg);
/* The daily job: archives the children of county born on or before
 * adult_before ("YYYY-MM-DD") and erases the children archived before
 * erase_before (seconds), at most limit of each (the caller repeats, one
 * transaction at a time, while a count reaches limit: a large first run
 * does not hold every changed page of the county in one transaction).
 * Counts into *archived and *erased. */
int store_archive_sweep(store_conn *c, const char *county, const char *adult_before, int64_t erase_before,
			const char *day, int64_t at, int limit, int *archived, int *erased);
/* Every attachment file name (SHA-256 hex) some help request still
 * refers to, in order, of every county. */
int store_attachment_hashes(store_conn *c, int (*cb)(const char *sha, void *arg), void *arg);

#endif
