/*
 * The JSON API under /api/v1: one file per resource. Each handler parses and
 * validates its input, calls the domain and the store, and maps errors to
 * the one error shape:
 *   {"error":{"code":"validation_failed","message":"...","field":"id_number"}}
 *
 * api_entry (common.c) runs in front of every route: authentication (cookie
 * + CSRF token for writes, or bearer token), the principal and its scope,
 * and Idempotency-Key replay. Handlers receive the principal ready.
 */
#ifndef WB_API_H
#define WB_API_H

#include <jansson.h>
#include <stdint.h>

#include "../http/http.h"
#include "../security/access.h"
#include "../security/audit.h"
#include "../security/keys.h"
#include "../store/model.h"

typedef struct app_config {
	int64_t session_idle_s;
	int64_t session_absolute_s;
	int lock_max_failures;
	int64_t lock_window_s;
	int secure_cookie;
	const char *web_dir;   /* serve the UI from here instead of the embedded copy */
	const char *files_dir; /* attachments of help requests (closed loop) */
} app_config;

typedef struct app {
	store *db;
	audit *audit;
	sec_keys keys;
	app_config cfg;
} app;

typedef int (*api_handler)(http_req *r, app *a, store_conn *c, const sec_principal *p);

enum api_flags {
	API_PUBLIC = 1,      /* no authentication */
	API_FIRST_LOGIN = 2, /* open to an account that must change its password first */
	API_NO_REPLAY = 4,   /* the answer holds a secret: no Idempotency-Key replay */
};

typedef struct api_route {
	api_handler handler;
	int flags;
	/* The audit action of a refusal (403) on a route that reads or writes
	 * children's data: api_entry records it with outcome "denied", so that
	 * a role probing the registry is seen as a 404 probe is. NULL: none. */
	const char *refusal_action;
	/* A route that takes large bodies may name the role's right to it
	 * here: api_early refuses (403, may_message) a role without it before
	 * the body is read. NULL: the handler decides. */
	int (*may)(const sec_principal *p);
	const char *may_message;
	/* The record type of a refusal's entry: NULL for "child" (the
	 * children's routes); "area", "unit" for the administrator's. */
	const char *refusal_object;
	/* A list that downloads (?format=csv or xlsx) names the audit action
	 * and record type of its download: a refused download (403) is
	 * recorded under them with outcome "denied", as a download made is
	 * with "ok". NULL: the route makes no file of people. */
	const char *export_action;
	const char *export_object;
} api_route;

/* The route table handed to the HTTP layer (NULL-terminated). */
extern const http_route api_routes[];
/* The generic entry every route goes through. */
int api_entry(http_req *r, void *ctx);
/* The check of a request to a route taking large bodies before its body is
 * read (http_config.early): its credentials (and CSRF token), a password
 * change owed, and the route's may. Answers 401/403 or leaves r alone. */
int api_early(http_req *r, void *ctx);
/* Serves the web UI (embedded or from cfg.web_dir) for non-API GETs. */
int api_static(http_req *r, void *ctx);
/* 1 if an Accept-Encoding value accepts gzip ("gzip", "x-gzip" or "*"
 * without q=0; gzip named rules over "*"); 0 for NULL. */
int api_accepts_gzip(const char *ae);

/* ---- short-lived caches (cache.c) ---- */

/* The generation to pass to api_cache_session_put: read it before reading
 * the session from the store. */
uint64_t api_cache_session_generation(void);
/* A session (with its user and membership) read from the store in the last
 * two seconds and not changed since by this process: 1, else 0. */
int api_cache_session_get(const char *token_hash, session_rec *s, user_rec *u, membership_rec *m);
void api_cache_session_put(const char *token_hash, uint64_t gen, const session_rec *s, const user_rec *u,
			   const membership_rec *m);
/* Call after committing any change of sessions, users or memberships. */
void api_cache_sessions_changed(void);
/* The name of an area, cached for 30 s. */
int api_area_name(store_conn *c, const char *code, char *name, size_t n);
/* Call after committing any change of areas. */
void api_cache_areas_changed(void);
/* A unit by id (store_unit_get), cached for 30 s. */
int api_unit_get(store_conn *c, int64_t id, unit_rec *out);
/* Call after committing any change of units. */
void api_cache_units_changed(void);

/* ---- helpers for handlers (common.c) ---- */

/* Gives the request's store connection back to the pool (ending its read
 * transaction), e.g. before waiting for the audit commit, so that a waiting
 * request does not hold a connection. The handler's connection pointer must
 * not be used afterwards; api_conn() takes one again. */
void api_conn_release(http_req *r);
/* The request's store connection, taken from the pool again if it was
 * given back. */
store_conn *api_conn(http_req *r);

/* Writes the error shape. field may be NULL. Returns 0. */
int api_error(http_req *r, int status, const char *code, const char *message, const char *field);
/* 1 if the caller's role manages accounts, areas and units (admin); else
 * answers 403 with message and returns 0. */
int api_admin_only(http_req *r, const sec_principal *p, const char *message);
/* Maps a WB_ status to an HTTP error. Returns 0. */
int api_fail(http_req *r, int status);
/* A page of a list: {"items": items, "next_cursor": last_id as text when
 * the page is full, else null}. Consumes items; NULL if out of memory. */
json_t *api_page(json_t *items, int n, int limit, int64_t last_id);
/* A page of a list as it is read: its items, how many, and the id of the
 * last one (the next cursor). */
typedef struct api_list {
	json_t *items;
	int64_t last_id;
	int n;
} api_list;

/* An empty list. */
void api_list_init(api_list *l);
/* Appends item (consumed) of the record with id. */
void api_list_add(api_list *l, json_t *item, int64_t id);
/* Drops l's items (the list failed). */
void api_list_cleanup(api_list *l);
/* l's page (api_page); consumes l's items. */
json_t *api_list_page(api_list *l, int limit);
/* Answers l's page once the audit entry e of the read is durable, or 500
 * when it cannot be written. Call it once every read is done: it gives the
 * store connection back before it waits (api_conn_release). Consumes l's
 * items. Returns 0. */
int api_list_answer(http_req *r, app *a, const audit_entry *e, api_list *l, int limit);
/* 1 if a spreadsheet would take the text for a formula: it begins with
 * one of TABLE_FORMULA_STARTS (= + - @, a tab, a carriage return or a line
 * feed), or with ' before one (so that it reads back as it was). Every
 * cell of a CSV file we write gets a ' in front then, and the readers take
 * exactly that ' off again (table_add_cell). */
int api_csv_defuse(const char *s);
/* The characters (code points) of a UTF-8 text the body parser has
 * checked: limits of free text are in characters, not bytes. */
size_t api_utf8_chars(const char *s);
/* One CSV cell of any length: defused, quoted where needed, then ',' or
 * (last) CRLF. WB_OK, or WB_ETOOBIG when b is full (the cell is then cut
 * short). */
int api_csv_cell(buf *b, const char *s, int last);
/* Writes the county's setting name = text in the writer's transaction,
 * with the audit entry e (audit_submit). */
int api_setting_write(app *a, const audit_entry *e, const char *county, const char *name, const char *text);
/* Saves the county's setting name as the JSON full (taken over) and
 * answers it (200), audited as action with full as the entry's detail; or
 * answers the failure. Returns 0 (a handler's return). */
int api_setting_save(http_req *r, app *a, const sec_principal *p, const char *name, const char *action, json_t *full);
/* A child as JSON for caller p: the ID number whole or masked as the role
 * needs, and the archive's facts when archived. */
json_t *api_child_json(const app *a, const sec_principal *p, const child_rec *ch);
/* 1 if p's role keeps the registry's desk (centre, supervisor, station):
 * it lists, opens, archives and restores archived children. */
int api_reads_archive(const sec_principal *p);
/* The child of p's scope whose id is body's child_id, into ch: 0, or -1
 * after a 422 naming child_id with message (no such child in the scope)
 * or another error. */
int api_body_child(http_req *r, store_conn *c, const sec_principal *p, json_t *body, const char *message,
		   child_rec *ch);
/* Sets o's "phone" from an encrypted phone and its mask: the whole number
 * for roles that see whole phone numbers, else the mask, with
 * "phone_masked"; null when there is none. */
void api_phone_json(const app *a, const sec_principal *p, json_t *o, const char *enc, const char *mask);
/* A phone number as stored: checked (WB_EINVAL if not digits of a
 * mobile or landline), encrypted into enc and masked into mask. */
int api_phone_store(const app *a, const char *phone, char *enc, char *mask, size_t masklen);
/* ?from= and ?to= ("YYYY-MM-DD") as YYYYMMDD, 0 for one not given: 0, or
 * -1 after a 422 naming the field (to before from: to). */
int api_query_days(http_req *r, int *ymd_from, int *ymd_to);
/* A period from ?from= and ?to= ("YYYY-MM-DD"; default the last
 * default_days to today) into from and to: 0, or -1 after a 422. */
int api_query_period(http_req *r, int default_days, char from[11], char to[11]);
/* ?township= as p may ask for it: the committee and the centre any
 * township of the county, a township's supervisor and station their own.
 * 0 with *township the one asked for (NULL: none) and, when ar is given,
 * its area; -1 after a 422 naming township. The caller has checked the
 * role. */
int api_query_township(http_req *r, store_conn *c, const sec_principal *p, const char **township, area_rec *ar);
/* The children's scope of a township, or of the county for NULL. */
void api_township_scope(const char *county, const char *township, store_scope *sc);
/* body[key] as a day of the last year, not ahead (the limit of recording
 * past work), into out; def when absent (NULL: required). 0, or -1 after
 * a 422 naming key. */
int api_past_day(http_req *r, json_t *body, const char *key, const char *def, char out[11]);
/* Sets o's "child" to {id, name, village_code}, or to null when child_id
 * is 0; with outside_scope, also "child_outside_scope": true (a record the
 * caller keeps about a child they may no longer name). */
void api_child_ref(json_t *o, int64_t child_id, const char *name, const char *village, int outside_scope);
/* 1 if s (may be NULL) is one of the NULL-terminated list. */
int api_one_of(const char *s, const char *const *list);
/* 1 if p acts in role. */
int api_role_is(const sec_principal *p, const char *role);
/* 1 if p is a township's supervisor or station (scope: the township). */
int api_township_desk(const sec_principal *p);
/* Writes j (consumed) as the response body with status. Returns 0. */
int api_json(http_req *r, int status, json_t *j);

typedef struct api_field {
	const char *name;
	int type; /* JSON_STRING, JSON_INTEGER, JSON_OBJECT, JSON_ARRAY, JSON_TRUE (= boolean) */
	int required;
	size_t max_len; /* for strings, in bytes; 0 = 256 */
} api_field;

/* Parses the body as a JSON object. On failure writes 400 (naming line and
 * column, or the duplicate key), or 415 unless the body was sent as
 * Content-Type: application/json (a charset or other parameter may follow),
 * and returns -1. */
int api_body(http_req *r, json_t **out);
/* api_body without the Content-Type check: the body's JSON alone (the unit
 * tests and the fuzz target, whose requests carry no headers). */
int api_body_json(http_req *r, json_t **out);
/* Checks obj against spec: unknown, mistyped, missing or too long fields
 * answer 422 naming the field; returns -1 then. */
int api_check_fields(http_req *r, json_t *obj, const api_field *spec);
/* The same for an object inside the body: the 422 names path.field
 * (path such as "guardians[0]"). */
int api_check_fields_in(http_req *r, json_t *obj, const api_field *spec, const char *path);
/* The same; with check_required 0 (partial updates) missing fields pass,
 * but a required field sent as null or "" is still refused. */
int api_check_fields_ex(http_req *r, json_t *obj, const api_field *spec, int check_required);
/* The string value of key or NULL. */
const char *api_str(json_t *obj, const char *key);

/* An audit entry with the caller and request filled in. */
void api_audit_init(const http_req *r, const sec_principal *p, audit_entry *e);
/* Sets e's detail to d as compact JSON and releases d (may be NULL). A
 * detail longer than the entry's field keeps whole JSON: its longest texts
 * are cut short (at a character, marked with an ellipsis) until it fits,
 * and its numbers (an export's rows) stay. */
void api_audit_detail(audit_entry *e, json_t *d);
/* The same with d's "reason" set to the free-text reason, cut short (at a
 * character, marked with an ellipsis) if the whole would not fit in the
 * entry's detail: the auditor reads why, the detail stays whole JSON. */
void api_audit_detail_reason(audit_entry *e, json_t *d, const char *reason);
/*
 * Audits a read whose data the handler has gathered: gives the store
 * connection back, then appends e. The answer may be sent only once e is
 * durable. On a worker thread this waits for the commit; on an event
 * thread (an HTTP_INLINE route) it returns WB_OK at once and the answer the
 * handler then writes is held until the commit, or replaced by a 500 if
 * the entry is lost. Returns WB_OK or WB_ESTORE (nothing may be answered
 * but the error).
 */
int api_audit_read(http_req *r, app *a, const audit_entry *e);
/* api_audit_read of p's read of child id's file part action ("child.visits",
 * ...): WB_OK or WB_ESTORE. */
int api_audit_child_read(http_req *r, app *a, const sec_principal *p, int64_t id, const char *action);
/* The answer to a child not found in the caller's scope (or a store
 * error, rc): the 404 is audited as a read of the child's file is, with
 * the sub-page's action and outcome not_found, so that probing a child's
 * pages or writes leaves the same trail as reading the file. */
int api_child_fail(http_req *r, app *a, const sec_principal *p, int64_t id, const char *action, int rc);
/* Parses a positive int64 path parameter; writes 404 and returns -1 if bad. */
int api_id_param(http_req *r, const char *name, int64_t *out);
/* Page size from ?limit= within [1, max], default def. -1 after a 422. */
int api_limit(http_req *r, int def, int max, int *out);
/* As api_limit, but also takes limit=0: the counts alone (a home page's
 * figures), no rows; *counts_only is then 1 and *out 0. Such an answer
 * names nobody and is not audited as a read. */
int api_limit_counts(http_req *r, int def, int max, int *out, int *counts_only);
/* The body's "reason": text that says something (not blanks alone; leading
 * blanks dropped) of at most max_chars characters, into *out. 0, or -1
 * after a 422 naming reason. */
int api_reason(http_req *r, json_t *body, size_t max_chars, const char **out);
/* A positive int64 id from ?name= into *out (left as it is when name is
 * absent): 0. A bad value answers 422 validation_failed naming the field,
 * with message (NULL: "NAME must be a number"), and returns -1. */
int api_query_id(http_req *r, const char *name, const char *message, int64_t *out);
/* An ?area= filter (NULL: none) that names an area within the caller's
 * own area or holding it: 0. Another place, or a code no area has,
 * answers 422 naming area (a mistyped code must not read as "nothing
 * there") and returns -1. */
int api_area_own(http_req *r, const sec_principal *p, const char *area);
/* api_query_id for ?cursor=, the next_cursor of the previous page. */
int api_query_cursor(http_req *r, int64_t *out);

/* Resource handlers. */
/* GET /healthz: answers without touching the database (the HTTP ceiling). */
int api_healthz(http_req *r, void *ctx);
int api_login(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_logout(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_me(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_password(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_switch_membership(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_areas_list(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_area_get(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_areas_import(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_area_directors(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_units_list(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_unit_create(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_unit_update(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_units_import(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_children_create(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_children_list(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_child_get(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_child_update(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_child_history(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_audit_list(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_audit_verify(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_audit_export(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_users_list(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_system_status(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_user_create(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_user_update(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_users_import(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_user_lock(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_user_unlock(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_user_password_reset(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_membership_add(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_membership_remove(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_children_export(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_imports_create(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_import_get(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_import_report(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_import_fields(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_import_template(http_req *r, app *a, store_conn *c, const sec_principal *p);
/* Waits until no import worker is running (shutdown). */
void imports_wait_idle(void);
int api_reconcile(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_child_category(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_categories_review(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_category_ends(http_req *r, app *a, store_conn *c, const sec_principal *p);
/* Visits and the visit plan (visits.c). */
int api_child_visits(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_child_visit_create(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_child_visit_void(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_visits_plan(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_visits_config_get(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_visits_config_put(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_visits_scorecard(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_director_review_put(http_req *r, app *a, store_conn *c, const sec_principal *p);
/* Entitlements: policies, the matching, receipts, the ledger (entitlements.c). */
int api_policies_list(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_policy_get(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_policy_create(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_policy_version_create(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_policy_version_withdraw(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_policy_end(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_entitlements_list(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_entitlements_ledger(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_entitlement_end(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_child_entitlements(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_child_entitlement_create(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_gap_check_create(http_req *r, app *a, store_conn *c, const sec_principal *p);
/* Charity projects (projects.c). */
int api_projects_list(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_project_get(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_project_create(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_project_update(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_project_child_add(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_project_child_remove(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_project_fund_add(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_project_fund_reverse(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_child_projects(http_req *r, app *a, store_conn *c, const sec_principal *p);
/* Archiving and retention (archive.c). */
int api_child_archive(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_child_restore(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_children_archived(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_archive_config_get(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_archive_config_put(http_req *r, app *a, store_conn *c, const sec_principal *p);
/* Talks (talks.c). */
int api_talks_list(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_talk_update(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_talk_delete(http_req *r, app *a, store_conn *c, const sec_principal *p);
/* Follow-up visits of help requests (followups.c). */
int api_request_follow_up_create(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_follow_ups_list(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_follow_up_cancel(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_programmes_list(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_programme_create(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_programme_get(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_programme_update(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_programme_return_create(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_schools_list(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_school_rooms_put(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_school_counselling(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_school_counselling_create(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_school_counselling_void(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_child_care(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_caring_mothers(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_caring_mother_create(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_caring_mother_get(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_caring_mother_update(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_caring_pair_create(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_caring_pair_end(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_talk_create(http_req *r, app *a, store_conn *c, const sec_principal *p);
/* The monthly report by township (report.c). */
int api_report_monthly(http_req *r, app *a, store_conn *c, const sec_principal *p);
int api_report_trends(http_req *r, app *a, store_conn *c, const sec_principal *p);
/* The county's figures by township (overview.c). */
int api_overview(http_req *r, app *a, store_conn *c, const sec_principal *p);

#endif
