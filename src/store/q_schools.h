/*
 * Schools (SPEC §5): each school's activity station and counselling room,
 * the counselling sessions it logs, and the volunteer caring mothers
 * (爱心妈妈) paired with children. Functions that write run inside the
 * writer's transaction (audit_submit). Queries that name children take the
 * caller's scope.
 */
#ifndef WB_Q_SCHOOLS_H
#define WB_Q_SCHOOLS_H

#include <stdint.h>

#include "model.h"
#include "store.h"

#define COUNSEL_NOTES_ENC_MAX 3200 /* 500 characters, encrypted, as base64 */
#define CARING_NOTES_MAX      800  /* 200 characters */
#define CARING_NOTE_MAX       400  /* the note when a pairing ends: 100 characters */

/* ---- schools and their rooms ---- */

typedef struct school_row {
	int64_t id, counsellors, rooms_updated_at;
	int activity_station, counselling_room;
	char code[32];
	char name[128];
	char area_code[16];
	char opened_on[11];
	/* figures */
	int64_t pupils;                                   /* children in active work registered at the school */
	int64_t sessions, individual, attended, referred; /* counselling in the period */
	int64_t paired;                                   /* pupils with a caring mother now */
} school_row;

/* Which schools: of the county, of an area code range [lo, hi), or one;
 * the counselling figures count sessions held in [from, to]. */
typedef struct school_filter {
	const char *county;
	const char *lo, *hi; /* NULL: the county */
	int64_t school_id;   /* 0: any */
	const char *from, *to;
} school_filter;

typedef int (*school_cb)(const school_row *s, void *arg);
/* The schools of the filter with their rooms and figures, by code. */
int store_schools(store_conn *c, const school_filter *f, school_cb cb, void *arg);
/* Sets school s->id's rooms (insert or update). */
int store_school_rooms_put(store_conn *c, const char *county, const school_row *s, int64_t at, int64_t by);

/* ---- counselling sessions ---- */

#define COUNSEL_VOID_REASON_CHARS 200
#define COUNSEL_VOID_REASON_MAX   (COUNSEL_VOID_REASON_CHARS * 4)

typedef struct counselling_rec {
	int64_t id, school_id, child_id, pupils, created_at, created_by;
	char county_code[8];
	char held_on[11];
	char mode[12];   /* individual, group */
	char topic[12];  /* emotion, study, family, peers, bullying, safety, other */
	char concern[8]; /* none, watch, refer */
	char notes_enc[COUNSEL_NOTES_ENC_MAX];
	/* read only */
	char child_name[128];
	char child_village[16];
	char school_name[128];
	char by_name[128];
	int hidden;        /* an individual session whose pupil is outside the caller's scope */
	int64_t voided_at; /* voided (作废) by mistake: when, by whom, why (0: counts) */
	char voider[128];
	char void_reason[COUNSEL_VOID_REASON_MAX + 1];
} counselling_rec;

typedef struct counselling_filter {
	const char *county;
	int64_t school_id;     /* 0: any */
	int64_t child_id;      /* 0: any */
	const char *from, *to; /* NULL: any day */
	const char *concern;   /* NULL: any */
} counselling_filter;

int store_counselling_insert(store_conn *c, counselling_rec *s);
/* Voids the school's session id with the reason: WB_ENOTFOUND (no such
 * session of the school) or WB_ECONFLICT (voided already). */
int store_counselling_void(store_conn *c, int64_t school_id, int64_t id, int64_t at, int64_t by, const char *reason);
typedef int (*counselling_cb)(const counselling_rec *s, void *arg);
/* The sessions of the filter, newest first, at most limit. An individual
 * session whose child is outside sc comes without the child (hidden set;
 * sc NULL: no scope, for a caller who checked the child). */
/* The sessions the filter takes, voided ones left out, whatever a list's
 * limit: out = sessions, individual ones, pupils attending, to refer. */
int store_counselling_totals(store_conn *c, const counselling_filter *f, int64_t out[4]);
int store_counselling(store_conn *c, const counselling_filter *f, const store_scope *sc, int limit, counselling_cb cb,
		      void *arg);

/* ---- caring mothers ---- */

typedef struct caring_mother_rec {
	int64_t id, school_id, created_at, created_by, updated_at;
	int active;
	char county_code[8];
	char area_code[16];
	char name[128];
	char phone_enc[160];
	char phone_mask[20];
	char joined_on[11];
	char notes[CARING_NOTES_MAX];
	int64_t open_pairs; /* read only */
} caring_mother_rec;

/* Which mothers: of the county, of an area code range [lo, hi) (the
 * mother's own area), or of a school. */
typedef struct caring_filter {
	const char *county;
	const char *lo, *hi;
	int64_t school_id;
	int active_only;
} caring_filter;

int store_caring_mother_insert(store_conn *c, caring_mother_rec *m);
/* Sets name, phone, notes and active of m->id: WB_ECONFLICT if she would
 * leave (active 0) while a pairing of hers is open. */
int store_caring_mother_update(store_conn *c, const caring_mother_rec *m);
int store_caring_mother_get(store_conn *c, const char *county, int64_t id, caring_mother_rec *out);
typedef int (*caring_mother_cb)(const caring_mother_rec *m, void *arg);
int store_caring_mothers(store_conn *c, const caring_filter *f, int limit, caring_mother_cb cb, void *arg);
/* Over every mother of the filter (not only a page): n[0] mothers, n[1]
 * active, n[2] open pairings. */
int store_caring_totals(store_conn *c, const caring_filter *f, int64_t n[3]);

typedef struct caring_pair_rec {
	int64_t id, mother_id, child_id, created_at, created_by;
	char county_code[8];
	char started_on[11];
	char ended_on[11]; /* "" while open */
	char end_note[CARING_NOTE_MAX];
	/* read only */
	char child_name[128];
	char child_village[16];
	char mother_name[128];
	char mother_area[16];
	int child_hidden; /* the child is outside the scope read with: no name, no village */
} caring_pair_rec;

/* Pairs m with a child: WB_ECONFLICT if the child has an open pairing,
 * WB_ENOTFOUND if she is no longer active. */
int store_caring_pair_insert(store_conn *c, caring_pair_rec *p);
/* Ends open pairing id (of county) on day with note: WB_ENOTFOUND if there
 * is no such open pairing; started_on is filled from it. */
int store_caring_pair_end(store_conn *c, const char *county, int64_t id, const char *day, const char *note, int64_t by,
			  caring_pair_rec *out);
typedef int (*caring_pair_cb)(const caring_pair_rec *p, void *arg);
/* The pairings of a mother (mother_id), every one of sc's county, those
 * whose child is outside sc (moved away, archived, of another place) with
 * child_hidden and no child name or village, so that her keeper sees and
 * ends them; or of a child (child_id), those whose child is outside sc
 * left out. Newest first. */
int store_caring_pairs(store_conn *c, const store_scope *sc, int64_t mother_id, int64_t child_id, caring_pair_cb cb,
		       void *arg);
/* Pairing id of sc's county (child_hidden if its child is outside sc):
 * WB_ENOTFOUND if there is none. The caller checks that the mother is in
 * its place. */
int store_caring_pair_get(store_conn *c, const store_scope *sc, int64_t id, caring_pair_rec *out);

#endif
