/*
 * Supporting programmes (SPEC §7): returning-entrepreneur projects and
 * rural-revitalisation partners, the parents who came home to work in
 * them, and the log of their level and status. Functions that write run
 * inside the writer's transaction (audit_submit).
 */
#ifndef WB_Q_PROGRAMMES_H
#define WB_Q_PROGRAMMES_H

#include <stdint.h>

#include "model.h"
#include "store.h"

#define PROGRAMME_NAME_MAX  256 /* 64 characters */
#define PROGRAMME_NOTES_MAX 2400

typedef struct programme_rec {
	int64_t id, jobs, returnees, created_at, created_by, updated_at, updated_by;
	int64_t version; /* moved on by every edit and every return */
	char county_code[8];
	char area_code[16];
	char kind[24];
	char name[PROGRAMME_NAME_MAX];
	char holder[128];
	char industry[128];
	char level[8];
	char status[8];
	char started_on[11];
	char notes[PROGRAMME_NOTES_MAX];
	/* read only */
	int64_t returns, left_behind_ended;
} programme_rec;

typedef struct programme_filter {
	const char *county;
	const char *lo, *hi; /* the programme's area in [lo, hi); NULL: the county */
	const char *kind;    /* NULL: any */
	const char *status;  /* NULL: any */
} programme_filter;

int store_programme_insert(store_conn *c, programme_rec *p);
/* Writes p's facts, with a line of log for a changed level or status
 * (old: the record before), if the programme is still at old->version:
 * WB_ECONFLICT when it has moved on (an edit or a return meanwhile); p's
 * version becomes the new one. */
int store_programme_update(store_conn *c, programme_rec *p, const programme_rec *old);
int store_programme_get(store_conn *c, const char *county, int64_t id, programme_rec *out);
typedef int (*programme_cb)(const programme_rec *p, void *arg);
/* The programmes of the filter, newest first, at most limit. */
int store_programmes(store_conn *c, const programme_filter *f, int limit, programme_cb cb, void *arg);
/* Over every programme of the filter (not only a page): n[0] programmes,
 * n[1] jobs, n[2] returnees, n[3] left-behind categories ended by returns. */
int store_programmes_totals(store_conn *c, const programme_filter *f, int64_t n[4]);

typedef struct programme_return_rec {
	int64_t id, programme_id, child_id, created_at, created_by;
	int left_behind_ended;
	char county_code[8];
	char relation[8];
	char returned_on[11];
	/* read only */
	char child_name[128];
	char child_village[16];
	char by_name[128];
	/* out, on a refusal: since when the parent was away (the return was
	 * dated before it) */
	char away_since[11];
} programme_return_rec;

/* Inserts r; its programme's version moves on, and its returnees count
 * at least its returns. */
int store_programme_return_insert(store_conn *c, programme_return_rec *r);
typedef int (*programme_return_cb)(const programme_return_rec *r, void *arg);
/* Every return of programme id, newest first; its child named (child_id,
 * name, village) only when within sc (sc NULL: none named). */
int store_programme_returns(store_conn *c, int64_t id, const store_scope *sc, programme_return_cb cb, void *arg);

typedef struct programme_log_rec {
	int64_t at, user_id;
	char field[8];
	char old_value[16];
	char new_value[16];
	char by_name[128];
} programme_log_rec;
typedef int (*programme_log_cb)(const programme_log_rec *l, void *arg);
int store_programme_log(store_conn *c, int64_t id, programme_log_cb cb, void *arg);

/* A parent's return: guardian gid of child becomes present since day,
 * without a work place away; the child's version moves on. */
int store_guardian_returned(store_conn *c, int64_t child_id, int64_t gid, const char *day, int64_t at, int64_t by);

#endif
