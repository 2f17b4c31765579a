/*
 * Records and the queries over them. Every query that touches personal data
 * takes a store_scope and adds it to its WHERE clause itself, so no caller
 * can forget it. A record outside the scope is simply not found.
 */
#ifndef WB_MODEL_H
#define WB_MODEL_H

#include <stdint.h>

#include "../util/buf.h"
#include "store.h"

/* Which children a caller may see. */
enum scope_children {
	SCOPE_NONE = 0, /* no child at all (admin, auditor, committee, department without grant) */
	SCOPE_COUNTY,   /* every child of county_code */
	SCOPE_AREA,     /* village_code in [lo, hi) */
	SCOPE_GRID,     /* grid_code = grid */
	SCOPE_SCHOOL,   /* school_id = unit_id */
	SCOPE_REFERRAL, /* children with an active referral to unit_id (department, org) */
};

typedef struct store_scope {
	char county_code[8];
	enum scope_children children;
	char lo[16];
	char hi[17];
	char grid[16];
	int64_t unit_id;
	int with_archived; /* archived children too (a desk role's read of one child, the archive's list) */
} store_scope;

/* Appends " AND <scope condition on alias>" to sql and its values to args
 * (pointers into sc: sc must outlive the query). Archived children are
 * left out unless sc->with_archived. */
int scope_children_sql(const store_scope *sc, const char *alias, buf *sql, store_args *args);
/* A column saying whether a row's child (alias) may be named to the caller:
 * "CASE WHEN when <within sc> THEN 1 ELSE 0 END", or the constant
 * otherwise when sc is NULL (the caller checked, or no one is). */
int scope_child_named_sql(const store_scope *sc, const char *alias, const char *when, const char *otherwise, buf *sql,
			  store_args *args);
/* The same condition on the place alone (county, area, grid, school,
 * referral), for a table that has a child's place columns but no archive
 * of its own (help requests). */
int scope_place_sql(const store_scope *sc, const char *alias, buf *sql, store_args *args);
/* Appends " AND <alias is inside area>" for an area code (6-digit county,
 * 9-digit township, 12-digit village, 15-digit grid); nothing for NULL or
 * "". The caller has checked the code's form. */
int area_filter_sql(const char *area, const char *alias, buf *sql, store_args *args);
/* Appends " AND <alias>.name contains name", ignoring the case of ASCII
 * letters (% and _ are characters, not wildcards; the escaped text is kept
 * in args->scratch2); nothing for NULL or "". */
int name_filter_sql(const store_conn *c, const char *name, const char *alias, buf *sql, store_args *args);
/* The scope of the whole county (the importer, the daily sweep, counts). */
void store_scope_county(store_scope *sc, const char *county);
/* 1 if a child living in village/grid would be inside the scope. */
int scope_covers_place(const store_scope *sc, const char *village_code, const char *grid_code);

/* ---- areas ---- */
typedef struct area_rec {
	char code[16];
	char county_code[8];
	char parent_code[16];
	char level[12];
	char kind[16];
	char name[96];
	int64_t children;
} area_rec;

int store_area_get(store_conn *c, const char *code, area_rec *out);
/* Lists the direct children of parent (NULL: the counties), up to limit. */
typedef int (*area_cb)(const area_rec *a, void *arg);
int store_area_list(store_conn *c, const char *parent, const char *after, int limit, area_cb cb, void *arg);
/* The area code and every area under it, each before the areas under it:
 * codes extend their parent's, so code order is the tree's depth-first
 * order (one range query). */
int store_area_subtree(store_conn *c, const char *code, area_cb cb, void *arg);
int store_area_insert(store_conn *c, const area_rec *a, int64_t now);
/* Sets the name and kind of the area a->code. */
int store_area_rename(store_conn *c, const area_rec *a);
int store_area_count(store_conn *c, const char *county, int64_t *out);

/* ---- units (departments, organisations, schools) ---- */
typedef struct unit_rec {
	int64_t id;
	char county_code[8];
	char kind[12];
	char code[32];
	char name[128];
	char area_code[16];
} unit_rec;

int store_unit_insert(store_conn *c, const unit_rec *u, int64_t now, int64_t *id_out);
int store_unit_get(store_conn *c, int64_t id, unit_rec *out);
/* Sets the name and area of unit u->id. */
int store_unit_update(store_conn *c, const unit_rec *u);
int store_unit_find(store_conn *c, const char *county, const char *kind, const char *code, unit_rec *out);
typedef int (*unit_cb)(const unit_rec *u, void *arg);
int store_unit_list(store_conn *c, const char *county, const char *kind, unit_cb cb, void *arg);

/* ---- users, memberships, sessions ---- */
typedef struct user_rec {
	int64_t id;
	char county_code[8];
	char username[64];
	char display_name[128];
	char password_hash[128];
	int locked;
	int must_change_password;
	int64_t created_at;
	int64_t last_login_at; /* 0: never */
} user_rec;

typedef struct membership_rec {
	int64_t id;
	int64_t user_id;
	char county_code[8];
	char role[16];
	char area_code[16];
	int64_t unit_id;
} membership_rec;

/* WB_ECONFLICT when the name is taken, in any case of its letters. */
int store_user_insert(store_conn *c, const user_rec *u, int64_t now, int64_t *id_out);
int store_user_by_name(store_conn *c, const char *username, user_rec *out);
/* The account whose name differs from username at most in the case of its
 * letters ("ADMIN" for "admin"): a name that looks taken is taken. */
int store_user_by_name_nocase(store_conn *c, const char *username, user_rec *out);
int store_user_get(store_conn *c, int64_t id, user_rec *out);
int store_user_set_password(store_conn *c, int64_t id, const char *hash, int must_change, int64_t now);
int store_user_set_locked(store_conn *c, int64_t id, int locked, int64_t now);
int store_user_set_last_login(store_conn *c, int64_t id, int64_t now);
int store_user_set_display_name(store_conn *c, int64_t id, const char *name);
typedef int (*user_cb)(const user_rec *u, void *arg);
/* The accounts of county (NULL: every county), by user name. */
int store_user_list(store_conn *c, const char *county, user_cb cb, void *arg);
/* The county's accounts. */
int store_user_count(store_conn *c, const char *county, int64_t *out);

int store_membership_insert(store_conn *c, const membership_rec *m, int64_t now, int64_t *id_out);
typedef int (*membership_cb)(const membership_rec *m, void *arg);
int store_membership_list(store_conn *c, int64_t user_id, membership_cb cb, void *arg);
int store_membership_get(store_conn *c, int64_t id, membership_rec *out);
/* The memberships of county's accounts, by user id then membership id. */
int store_membership_list_county(store_conn *c, const char *county, membership_cb cb, void *arg);
/* How many memberships the account has. */
int store_membership_count(store_conn *c, int64_t user_id, int64_t *out);
/* Deletes a membership and the sessions that use it. */
int store_membership_delete(store_conn *c, int64_t id);

int store_login_failure_add(store_conn *c, const char *county, int64_t user_id, int64_t now);
int store_login_failures_since(store_conn *c, int64_t user_id, int64_t since, int64_t *count_out);
int store_login_failures_clear(store_conn *c, int64_t user_id);

typedef struct session_rec {
	int64_t id;
	char county_code[8];
	char csrf_hash[65];
	char kind[8];
	int64_t user_id;
	int64_t membership_id;
	int64_t created_at;
	int64_t last_seen;
	int64_t expires_at;
} session_rec;

int store_session_insert(store_conn *c, const session_rec *s, const char *token_hash, int64_t *id_out);
/* The session of a token with its user and membership, in one query. */
int store_session_full(store_conn *c, const char *token_hash, session_rec *s, user_rec *u, membership_rec *m);
int store_session_touch(store_conn *c, int64_t id, int64_t now);
int store_session_delete(store_conn *c, int64_t id);
int store_session_delete_user(store_conn *c, int64_t user_id);
int store_session_set_membership(store_conn *c, int64_t id, int64_t membership_id);

/* ---- children ---- */
typedef struct child_rec {
	int64_t id;
	char county_code[8];
	char name[128];
	char id_enc[160];
	char id_bidx[65];
	char id_mask[20];
	char sex[2];
	char birth_date[11];
	char village_code[16];
	char grid_code[16];
	int64_t school_id;
	int64_t version;
	int64_t created_at;
	int64_t created_by;
	int64_t updated_at;
	int64_t updated_by;
	char hukou_area_code[16];
	char hukou_type[8]; /* "rural", "urban" or "" */
	char grade[24];
	int disability_grade; /* 0 none, 1-4 */
	char disability_type[32];
	char serious_illness[96]; /* "" = none */
	int family_poverty;
	int adopted;
	int64_t director_id;
	char risk_level[8]; /* low, medium, high */
	char notes[1024];
	int64_t archived_at; /* 0: in active work */
	char archive_reason[16];
	char archive_note[800]; /* what the desk wrote when archiving ("" none) */
	int64_t erased_at;      /* 0: personal data kept */
} child_rec;

typedef struct child_filter {
	const char *area;              /* area code prefix (township/village/grid) */
	const char *name;              /* substring */
	const char *id_bidx;           /* exact blind index */
	const char *category;          /* a category the child has ... */
	const char *category_state;    /* ... "confirmed", "suggested", or NULL: either */
	const char *risk_level;        /* low, medium, high */
	const char *guardian_status;   /* some guardian has this status */
	const char *born_after;        /* birth_date > this (YYYY-MM-DD) */
	const char *born_on_or_before; /* birth_date <= this */
	int64_t school_id;
	int64_t director_id;
	int64_t after_id;        /* cursor: the last row's id */
	const char *after_value; /* cursor: the last row's sort value (name or birth date) */
	int sort;                /* CHILD_SORT_* */
	int limit;
} child_filter;

enum child_sort { CHILD_SORT_ID = 0, CHILD_SORT_NAME, CHILD_SORT_BIRTH, CHILD_SORT_BIRTH_DESC };

/* Inserts ch (and the index of its name); sets ch->id and version. */
int store_child_insert(store_conn *c, child_rec *ch);
/* Inserts ch unless a live child of its county, name, birth date and
 * village exists (store_child_same_person): then WB_ECONFLICT with that
 * child's id in *same_id. On PostgreSQL one statement (one round trip). */
int store_child_insert_new_person(store_conn *c, child_rec *ch, int64_t *same_id);
/* Inserts n new children (with their name index) in multi-row INSERTs and
 * sets each one's id and version. Ids come back matched by (id_bidx, name,
 * birth_date, village_code) — neither driver promises the order of
 * RETURNING; rows equal in those get their ids in the order RETURNING gives
 * them (the order of VALUES, on both drivers as they are), so callers that
 * must tell such rows apart (an import) keep them out of one call. */
int store_children_insert_many(store_conn *c, child_rec *const *ch, int n);
/*
 * A bulk load's name index: the rows of the children it inserts are
 * collected (store_children_insert_rows with grams) and written at its
 * end in key order (store_grams_write), which costs a fraction of writing
 * each batch's rows into every part of the index.
 */
typedef struct gram_row gram_row;
typedef struct store_grams {
	gram_row *rows;
	size_t n, cap;
} store_grams;
int store_grams_collect(store_grams *g, const child_rec *const *ch, int n);
int store_grams_write(store_conn *c, store_grams *g);
void store_grams_free(store_grams *g);
/* store_children_insert_many whose name index rows go into grams (written
 * later with store_grams_write) when grams is not NULL. */
int store_children_insert_rows(store_conn *c, child_rec *const *ch, int n, store_grams *grams);
/*
 * A large load of new children in one transaction (the first import of a
 * county, the demo): the name index is collected and written at the end in
 * key order, and, with drop_indexes and where the driver allows it, the
 * children's secondary indexes are dropped at the start and built again at
 * the end (store_indexes_drop). Insert with store_children_insert_rows(...,
 * &load->grams); store_children_load_end writes and builds; _free after
 * either outcome (a failed load's rollback restores the indexes).
 */
#define STORE_CHILDREN_LOAD_MIN 5000 /* below: inserting into the indexes costs less */
typedef struct store_children_load {
	store_grams grams;
	store_indexes ix;
} store_children_load;
int store_children_load_begin(store_conn *c, store_children_load *load, int drop_indexes);
int store_children_load_end(store_conn *c, store_children_load *load);
void store_children_load_free(store_children_load *load);
/* Refreshes the planner's statistics (after a bulk load, and daily). */
int store_analyze(store_conn *c);
/* The same on a pooled connection of its own, beside the writer (daily):
 * PostgreSQL's ANALYZE takes no lock a write waits for; SQLite's samples
 * each index so that the write lock it takes is held briefly. */
int store_analyze_beside(store *s);
/* After a bulk load, outside a transaction: statistics and (PostgreSQL)
 * the visibility map, so that lists use index-only scans at once. */
int store_after_load(store_conn *c);
/* Inside a bulk load's transaction, before store_after_load: makes the
 * load's commit wait for its WAL (PostgreSQL), without which that VACUUM
 * cannot mark the new rows' pages all-visible. */
int store_load_commit_durable(store_conn *c);
/* Builds the name index of every child (after the migration that added
 * it, for children registered before). */
int store_name_grams_backfill(store_conn *c, int64_t *done_out);
/*
 * The children's name sort keys (children.name_key, src/domain/namekey.h).
 * store_name_keys_needed: *all = 1 when the collator's version stored in
 * settings (county "", name "name_key_collator") is not the running one and
 * children exist (every key is made again, so that an ICU upgrade never
 * leaves two orders mixed); *missing = 1 when some child has no key (rows
 * of before schema 0031). Without children it records the running version
 * itself and asks for nothing. store_name_keys_fill makes them (all, or only the
 * missing ones) in batches, in the caller's transaction, and stores the
 * running version; *done_out gets the number of children keyed.
 */
int store_name_keys_needed(store_conn *c, int *all, int *missing);
int store_name_keys_fill(store_conn *c, int all, int64_t *done_out);
int store_child_get(store_conn *c, const store_scope *sc, int64_t id, child_rec *out);
/* The children of the county among ids[0..n), read a chunk of ids a query
 * (an import's prefetch of the children its rows matched): out (room for
 * n) gets those found, in no particular order, *n_out their count. */
int store_children_get_many(store_conn *c, const char *county, const int64_t *ids, int n, child_rec *out, int *n_out);
typedef int (*child_cb)(const child_rec *ch, void *arg);
int store_child_list(store_conn *c, const store_scope *sc, const child_filter *f, child_cb cb, void *arg);
/* store_child_list, and with total_out the number of children the filter
 * selects without its cursor (all pages). */
int store_child_page(store_conn *c, const store_scope *sc, const child_filter *f, child_cb cb, void *arg,
		     int64_t *total_out);
int store_child_count(store_conn *c, const store_scope *sc, const child_filter *f, int64_t *out);
/* The first live (not archived) child of the county with this name, birth
 * date and village, whatever its ID number: *id_out, or WB_ENOTFOUND. */
int store_child_same_person(store_conn *c, const char *county, const char *name, const char *birth_date,
			    const char *village_code, int64_t *id_out);
/* Writes ch over the stored row if its version is expected_version (then
 * increments it). WB_ECONFLICT on a version mismatch, WB_ENOTFOUND outside
 * the scope. */
int store_child_update(store_conn *c, const store_scope *sc, child_rec *ch, int64_t expected_version);
int store_child_change_add(store_conn *c, const char *county, int64_t child_id, int64_t at, int64_t user_id,
			   const char *field, const char *old_value, const char *new_value);
/* The same for a change a visit made or its void wrote back (visit_id). */
int store_child_change_add_visit(store_conn *c, const char *county, int64_t child_id, int64_t at, int64_t user_id,
				 const char *field, const char *old_value, const char *new_value, int64_t visit_id);
/* A line of a child's history: when, who (the account's id and display
 * name, "" if gone), the field, the old and the new value. */
typedef int (*change_cb)(int64_t at, int64_t user_id, const char *by_name, const char *field, const char *old_value,
			 const char *new_value, void *arg);
int store_child_changes(store_conn *c, int64_t child_id, change_cb cb, void *arg);

/* ---- guardians ---- */
typedef struct guardian_rec {
	int64_t id;
	char relation[16];
	char name[64];
	char phone_enc[160];
	char phone_mask[24];
	char status[24];
	char status_since[11];
	char work_place[128];
} guardian_rec;

#define GUARDIANS_MAX 8

/* Adds the guardians of n new children (child i: ng[i] of them from g[i])
 * in multi-row INSERTs. */
int store_guardians_insert_many(store_conn *c, const char *county, const int64_t *child_ids,
				const guardian_rec *const *g, const int *ng, int n, int64_t now);
/* Adds n guardians to a child that has none (a new child). */
int store_guardians_insert(store_conn *c, const char *county, int64_t child_id, const guardian_rec *g, int n,
			   int64_t now);
/* Replaces every guardian of a child with the n given. */
int store_guardians_replace(store_conn *c, const char *county, int64_t child_id, const guardian_rec *g, int n,
			    int64_t now);
/* The columns of a guardian (alias g) as store_guardian_row reads them from
 * column b on. */
#define GUARDIAN_COLS                                                                                 \
	"g.id, g.relation, g.name, COALESCE(g.phone_enc, ''), COALESCE(g.phone_mask, ''), g.status, " \
	"COALESCE(g.status_since, ''), COALESCE(g.work_place, '')"
#define GUARDIAN_NCOLS 8
void store_guardian_row(store_conn *c, store_stmt *st, int b, guardian_rec *g);
/* Loads up to max guardians of a child into out; *n_out gets the count. */
int store_guardians_load(store_conn *c, int64_t child_id, guardian_rec *out, int max, int *n_out);

/* The guardians of the children child_ids[0..n) (ascending ids), a chunk
 * of children a query: at most per_child of each (the first by id, as
 * store_guardians_load), ordered by child and id; out[i] belongs to child
 * child_out[i]. WB_ENOMEM if more than max would be kept. */
int store_guardians_load_many(store_conn *c, const int64_t *child_ids, int n, int per_child, guardian_rec *out,
			      int64_t *child_out, int max, int *n_out);

/* ---- categories (suggestions and confirmations) ---- */
typedef struct category_rec {
	int64_t id;
	int64_t child_id;
	char category[24];
	char state[12]; /* suggested, confirmed, rejected, ended */
	char reason[40];
	int64_t suggested_at;
	int64_t confirmed_at;
	int64_t confirmed_by;
	char evidence_type[32];
	char evidence_ref[128];
	char start_date[11];
	char end_date[11];
	char end_reason[40];
	int conflict;
	int64_t updated_at;
	/* filled by the review list only */
	char child_name[128];
	char village_code[16];
} category_rec;

#define CATEGORY_ROWS_MAX 32

/* The columns of a category row (alias k), as store_category_row reads them
 * from column b on. */
#define CAT_COLS                                                                                         \
	"k.id, k.child_id, k.category, k.state, k.reason, k.suggested_at, COALESCE(k.confirmed_at, 0), " \
	"COALESCE(k.confirmed_by, 0), COALESCE(k.evidence_type, ''), COALESCE(k.evidence_ref, ''), "     \
	"COALESCE(k.start_date, ''), COALESCE(k.end_date, ''), COALESCE(k.end_reason, ''), k.conflict, " \
	"k.updated_at"
#define CAT_NCOLS 15
void store_category_row(store_conn *c, store_stmt *st, int b, category_rec *k);
/* Loads the category rows of a child (newest last). */
int store_categories_load(store_conn *c, int64_t child_id, category_rec *out, int max, int *n_out);
/* The suggested and confirmed categories of the county's children with ids
 * in (after_id, last_id], by child then oldest first: one query for a page
 * of a list read in id order (the registry's export). */
typedef int (*live_category_cb)(int64_t child_id, const char *category, int suggested, void *arg);
int store_live_categories_range(store_conn *c, const char *county, int64_t after_id, int64_t last_id,
				live_category_cb cb, void *arg);
/* A child in scope with its guardians (up to GUARDIANS_MAX) and category
 * rows (up to CATEGORY_ROWS_MAX) in one query: store_child_get,
 * store_guardians_load and store_categories_load in one round trip.
 * WB_ENOTFOUND outside the scope. */
int store_child_full(store_conn *c, const store_scope *sc, int64_t id, child_rec *ch, guardian_rec *g, int *ng,
		     category_rec *k, int *nk);
int store_category_insert(store_conn *c, const char *county, category_rec *cr);
/* Writes state, reason, confirmation, evidence, dates, conflict of row cr->id. */
int store_category_update(store_conn *c, const category_rec *cr);
int store_category_delete(store_conn *c, int64_t id);
typedef int (*category_cb)(const category_rec *cr, void *arg);
/* Suggestions awaiting confirmation and confirmed categories the facts no
 * longer support, for children inside the scope; keyset-paged by row id. */
int store_category_review(store_conn *c, const store_scope *sc, int64_t after_id, int limit, category_cb cb, void *arg);
/* Every confirmed category of the county with its child's birth date, for
 * the daily age check. */
typedef int (*category_age_cb)(const category_rec *cr, const char *birth_date, void *arg);
int store_categories_confirmed(store_conn *c, const char *county, category_age_cb cb, void *arg);

/* ---- audit (reading) ---- */
typedef struct audit_rec {
	int64_t seq;
	int64_t at;
	int64_t user_id;
	char username[64];
	char role[16];
	char action[48];
	char object_type[24];
	char object_id[40];
	char outcome[24];
	char client_addr[48];
	char request_id[24];
	char detail[512];
	char hash[65];
} audit_rec;

typedef struct audit_filter {
	const char *action;
	const char *object_type;
	const char *object_id;
	int64_t user_id;
	const char *username;   /* entries without an account under this name (failed logins) */
	int64_t before_seq;     /* cursor: entries with seq < before_seq (0: newest) */
	int64_t from_at, to_at; /* >0: entries at or after from_at, before to_at */
	/* the entries' range of seq that holds [from_at, to_at) (store_audit_seq_at,
	 * widened): lets the newest-first scan start and stop there; 0: none */
	int64_t min_seq, max_seq;
	int limit;
} audit_filter;

/* The first seq whose entry is at or after t, by bisection on seq (an
 * entry's time rises with its seq, give or take the entries of one
 * batch: the caller widens by a minute); the next seq to come when every
 * entry is older. */
int store_audit_seq_at(store_conn *c, int64_t t, int64_t *seq_out);

/* What the administrator's status card shows: sizes and counts, and the
 * newest backup recorded in the audit log (no personal data). */
typedef struct system_status {
	int64_t database_bytes;
	int64_t children;
	int64_t accounts;
	int64_t audit_entries;          /* the county's own (county_audit_counts) */
	int64_t audit_entries_database; /* the whole chain, every county's */
	int64_t backup_at;              /* 0: never */
	char backup_outcome[24];
	char backup_detail[512];
} system_status;
int store_system_status(store_conn *c, const char *county, system_status *out);

typedef int (*audit_cb)(const audit_rec *a, void *arg);
int store_audit_list(store_conn *c, const char *county, const audit_filter *f, audit_cb cb, void *arg);
/* The query store_audit_list runs for f, into sql (initialised here; the
 * caller cleans it up) and args: for tests of its plan. */
int store_audit_list_sql(const char *county, const audit_filter *f, buf *sql, store_args *args);

/* ---- idempotency ---- */
/* The answer kept for (user, key) since not_before: WB_ENOTFOUND if none. */
int store_idem_get(store_conn *c, int64_t user_id, const char *key, int64_t not_before, char *method_out, size_t mlen,
		   char *path_out, size_t plen, int *status_out, char **body_out);
/* Keeps an answer, and drops every answer kept before expired_before. */
int store_idem_put(store_conn *c, int64_t user_id, const char *key, const char *county, const char *method,
		   const char *path, int status, const char *body, int64_t now, int64_t expired_before);

#endif
