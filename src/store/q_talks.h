/*
 * Talks (讲, SPEC §5): publicity and education sessions with their
 * attendance. A talk belongs to a place (the county, a township or a
 * village) and, when a school held it, to the school. No child is named.
 */
#ifndef WB_Q_TALKS_H
#define WB_Q_TALKS_H

#include <stdint.h>

#include "store.h"

#define TALK_TOPIC_MAX 400 /* 100 characters */
#define TALK_NOTES_MAX 2000

typedef struct talk_rec {
	int64_t id, school_id, children, adults, created_at, created_by;
	char county_code[8];
	char area_code[16];
	char held_on[11];
	char kind[16];
	char topic[TALK_TOPIC_MAX];
	char notes[TALK_NOTES_MAX];
	char by_name[128]; /* read only */
} talk_rec;

/* Which talks: of the county, of an area code range [lo, hi), or of a
 * school; held in [from, to] ("YYYY-MM-DD"). */
typedef struct talk_filter {
	const char *county;
	const char *lo, *hi; /* NULL: the county */
	int64_t school_id;   /* 0: any */
	const char *from, *to;
} talk_filter;

int store_talk_insert(store_conn *c, talk_rec *t);
/* Talk id of county: WB_ENOTFOUND if none. */
int store_talk_get(store_conn *c, const char *county, int64_t id, talk_rec *out);
/* Writes t's day, kind, topic, attendance and notes. */
int store_talk_update(store_conn *c, const talk_rec *t);
int store_talk_delete(store_conn *c, const char *county, int64_t id);
typedef int (*talk_cb)(const talk_rec *t, void *arg);
/* The talks of the filter, newest first, at most limit. */
int store_talks(store_conn *c, const talk_filter *f, int limit, talk_cb cb, void *arg);
/* The talks of the filter per village (the talk's area when it is a
 * village): n[0] talks, n[1] children, n[2] adults. */
int store_talks_by_village(store_conn *c, const talk_filter *f, store_group_cb cb, void *arg);

#endif
