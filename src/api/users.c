/*
 * /api/v1/users: the administrator manages the county's accounts - lists
 * them with their roles, creates an account, locks and unlocks it, resets
 * its password and adds or removes a role (membership).
 *
 * Only the admin role may, and only for accounts of its own county; an
 * account of another county answers 404. An administrator does not change
 * their own account here (their password is changed under /me), so that
 * nobody locks or strips themselves out by mistake.
 *
 * A created or reset account gets a generated password, answered once and
 * stored only as its hash; the account must change it at its next login
 * (the server refuses everything else until then). Every change is one
 * transaction with its audit entry, and ends the sessions it invalidates.
 */
#include <ctype.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../domain/fields.h"
#include "../domain/roles.h"
#include "../security/password.h"
#include "../util/clock.h"
#include "../util/table.h"
#include "../util/wb.h"
#include "accounts.h"
#include "api.h"
#include "sheet.h"

int account_username_ok(const char *s)
{
	size_t n = strlen(s);

	if (n < 3 || n > 63 || !isalnum((unsigned char)s[0]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-')
			return 0;
	return 1;
}

int account_membership(store_conn *c, const char *county, const char *role, const char *area_code, int64_t unit_id,
		       membership_rec *out, const char **field, const char **why)
{
	static const char *const levels[] = {"county", "township", "village", "grid"};
	static const char *const level_why[] = {
		"this role needs the code of a county",
		"this role needs the code of a township",
		"this role needs the code of a village or community",
		"this role needs the code of a grid",
	};
	const role_def *def = role ? role_find(role) : NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!def) {
		*field = "role";
		*why = "no such role";
		return WB_EINVAL;
	}
	wb_strlcpy(out->role, def->name, sizeof(out->role));
	if (def->anchor == ANCHOR_UNIT) {
		unit_rec u;

		*field = "unit_id";
		if (area_code && area_code[0]) {
			*field = "area_code";
			*why = "this role belongs to a department, organisation or school, not to an area";
			return WB_EINVAL;
		}
		rc = unit_id > 0 ? store_unit_get(c, unit_id, &u) : WB_ENOTFOUND;
		if (rc == WB_OK && county && strcmp(u.county_code, county)) {
			/* another county's unit: named as not this county's,
			 * whatever its kind */
			*why = "unit_id must be a unit of this county";
			return WB_EINVAL;
		}
		if (rc == WB_OK && strcmp(u.kind, def->unit_kind) != 0)
			rc = WB_ENOTFOUND;
		if (rc == WB_ENOTFOUND) {
			*why = strcmp(def->unit_kind, "department") == 0 ? "this role needs a department"
			       : strcmp(def->unit_kind, "org") == 0      ? "this role needs a social organisation"
									 : "this role needs a school";
			return WB_EINVAL;
		}
		if (rc)
			return rc;
		out->unit_id = u.id;
		wb_strlcpy(out->county_code, u.county_code, sizeof(out->county_code));
	} else {
		area_rec ar;

		*field = "area_code";
		if (unit_id) {
			*field = "unit_id";
			*why = "this role belongs to an area, not to a department, organisation or school";
			return WB_EINVAL;
		}
		rc = area_code && area_code[0] ? store_area_get(c, area_code, &ar) : WB_ENOTFOUND;
		if (rc == WB_OK && county && strcmp(ar.county_code, county)) {
			*why = "area_code must be an area of this county";
			return WB_EINVAL;
		}
		if (rc == WB_OK && strcmp(ar.level, levels[def->anchor]) != 0)
			rc = WB_ENOTFOUND;
		if (rc == WB_ENOTFOUND) {
			*why = level_why[def->anchor];
			return WB_EINVAL;
		}
		if (rc)
			return rc;
		wb_strlcpy(out->area_code, ar.code, sizeof(out->area_code));
		wb_strlcpy(out->county_code, ar.county_code, sizeof(out->county_code));
	}
	return WB_OK;
}

/* 1 for the administrator; else answers 403 (a refused change is audited
 * under its route's action, with the account of the path: routes.c). */
static int admin_only(http_req *r, const sec_principal *p)
{
	return api_admin_only(r, p, "only an administrator may manage accounts");
}

/* A membership as the API shows it, with the name of its place. */
static json_t *membership_json(store_conn *c, const membership_rec *m)
{
	char name[128] = "";
	unit_rec u;

	if (m->area_code[0])
		api_area_name(c, m->area_code, name, sizeof(name));
	else if (m->unit_id && api_unit_get(c, m->unit_id, &u) == WB_OK)
		wb_strlcpy(name, u.name, sizeof(name));
	return json_pack("{s:I, s:s, s:s, s:I, s:s}", "id", (json_int_t)m->id, "role", m->role, "area_code",
			 m->area_code, "unit_id", (json_int_t)m->unit_id, "place_name", name);
}

static json_t *user_json(const user_rec *u)
{
	return json_pack("{s:I, s:s, s:s, s:b, s:b, s:I, s:o, s:[]}", "id", (json_int_t)u->id, "username", u->username,
			 "display_name", u->display_name, "locked", u->locked, "must_change_password",
			 u->must_change_password, "created_at", (json_int_t)u->created_at, "last_login_at",
			 u->last_login_at ? json_integer(u->last_login_at) : json_null(), "memberships");
}

typedef struct users_list {
	json_t *items; /* the accounts, by user name */
	json_t *by_id; /* id (text) -> the account's item */
	store_conn *c;
} users_list;

static int user_item(const user_rec *u, void *arg)
{
	users_list *l = arg;
	json_t *j = user_json(u);
	char key[24];

	if (!j)
		return WB_ENOMEM;
	wb_snprintf(key, sizeof(key), "%" PRId64, u->id);
	json_object_set(l->by_id, key, j);
	json_array_append_new(l->items, j);
	return WB_OK;
}

/* The county's memberships come by user id: each goes to its account. */
static int membership_item(const membership_rec *m, void *arg)
{
	users_list *l = arg;
	char key[24];
	json_t *u;

	wb_snprintf(key, sizeof(key), "%" PRId64, m->user_id);
	u = json_object_get(l->by_id, key);
	if (u)
		json_array_append_new(json_object_get(u, "memberships"), membership_json(l->c, m));
	return WB_OK;
}

static const sheet_col user_cols[] = {
	{"用户名", "Username", "username", SC_TEXT, NULL},
	{"姓名", "Name", "display_name", SC_TEXT, NULL},
	{"角色", "Roles", "roles_text", SC_TEXT, NULL},
	{"已锁定", "Locked", "locked", SC_BOOL, NULL},
	{"须修改密码", "Must change password", "must_change_password", SC_BOOL, NULL},
	{"创建时间", "Created at", "created_at", SC_TIME, NULL},
	{"最近登录", "Last login", "last_login_at", SC_TIME, NULL},
};

/* Each account's roles as one text: 儿童主任（某村）; … */
static void roles_text(json_t *items, int en)
{
	size_t i, k;
	json_t *u, *m;

	json_array_foreach(items, i, u)
	{
		char text[1024] = "";
		size_t off = 0;

		json_array_foreach(json_object_get(u, "memberships"), k, m)
		{
			const char *role = json_string_value(json_object_get(m, "role"));
			const char *place = json_string_value(json_object_get(m, "place_name"));

			if (!role || wb_snprintf(text + off, sizeof(text) - off, "%s%s%s%s%s", off ? "; " : "",
						 en ? role_label_en(role) : role_label_zh(role),
						 place && *place ? (en ? " (" : "（") : "", place ? place : "",
						 place && *place ? (en ? ")" : "）") : "") != WB_OK)
				break;
			off = strlen(text);
		}
		json_object_set_new(u, "roles_text", json_string(text));
	}
}

/* GET /api/v1/users: the county's accounts with their roles (or a
 * download of them, audited as user.export). */
int api_users_list(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	users_list l = {json_array(), json_object(), c};
	int rc, fmt, en;

	if (admin_only(r, p) && !api_sheet_params(r, SHEET_JSON, 1, &fmt, &en)) {
		rc = store_user_list(c, p->county_code, user_item, &l);
		if (rc == WB_OK)
			rc = store_membership_list_county(c, p->county_code, membership_item, &l);
		if (rc == WB_OK && fmt != SHEET_JSON) {
			roles_text(l.items, en);
			json_decref(l.by_id);
			return api_sheet_items(r, a, p, l.items, fmt, en, en ? "Accounts" : "账号", "users", user_cols,
					       WB_ARRAY_LEN(user_cols), "user.export", "user", NULL);
		}
		if (rc == WB_OK)
			api_json(r, 200, json_pack("{s:O}", "items", l.items));
		else
			api_fail(r, rc);
	}
	json_decref(l.items);
	json_decref(l.by_id);
	return 0;
}

/* The account of path parameter id, of the caller's county and not the
 * caller's own; else answers (404 or 403) and returns -1. */
static int target_user(http_req *r, store_conn *c, const sec_principal *p, user_rec *u)
{
	int64_t id;
	int rc;

	if (!admin_only(r, p) || api_id_param(r, "id", &id))
		return -1;
	rc = store_user_get(c, id, u);
	if (rc == WB_OK && strcmp(u->county_code, p->county_code) != 0)
		rc = WB_ENOTFOUND;
	if (rc) {
		api_fail(r, rc);
		return -1;
	}
	if (u->id == p->user_id) {
		api_error(r, 403, "own_account",
			  "an administrator cannot lock, reset or change the roles of their own account", NULL);
		return -1;
	}
	return 0;
}

typedef struct one_user {
	json_t *j;
	store_conn *c;
} one_user;

static int one_membership(const membership_rec *m, void *arg)
{
	one_user *o = arg;

	json_array_append_new(json_object_get(o->j, "memberships"), membership_json(o->c, m));
	return WB_OK;
}

/* The account as stored now, with its roles (after a change). */
static json_t *user_now_json(store_conn *c, int64_t id)
{
	one_user o = {NULL, c};
	user_rec u;

	if (store_user_get(c, id, &u) != WB_OK || !(o.j = user_json(&u)))
		return NULL;
	if (store_membership_list(c, id, one_membership, &o) != WB_OK) {
		json_decref(o.j);
		return NULL;
	}
	return o.j;
}

/* Answers the account id as stored now with status, plus the one-time
 * password when one was generated. */
static int answer_user(http_req *r, int64_t id, int status, const char *password)
{
	json_t *j = user_now_json(api_conn(r), id);

	if (!j)
		return api_fail(r, WB_ESTORE);
	if (password)
		json_object_set_new(j, "password", json_string(password));
	return api_json(r, status, j);
}

typedef struct create_job {
	user_rec u;
	membership_rec m;
	audit_entry *e;
} create_job;

/* Inserts account u with its first membership m (ids filled in). */
static int insert_account(store_conn *c, user_rec *u, membership_rec *m, int64_t now)
{
	int rc = store_user_insert(c, u, now, &u->id);

	m->user_id = u->id;
	return rc ? rc : store_membership_insert(c, m, now, &m->id);
}

static int create_fn(store_conn *c, void *arg)
{
	create_job *j = arg;
	int rc = insert_account(c, &j->u, &j->m, clock_now());

	if (rc == WB_OK)
		wb_snprintf(j->e->object_id, sizeof(j->e->object_id), "%" PRId64, j->u.id);
	return rc;
}

static const api_field create_fields[] = {
	{"username", JSON_STRING, 1, 63}, {"display_name", JSON_STRING, 1, FIELD_MAX_DISPLAY_NAME},
	{"role", JSON_STRING, 1, 15},     {"area_code", JSON_STRING, 0, 15},
	{"unit_id", JSON_INTEGER, 0, 0},  {NULL, 0, 0, 0},
};

/* The membership the body names, checked; else answers 422 and returns -1. */
static int body_membership(http_req *r, store_conn *c, const sec_principal *p, json_t *body, membership_rec *m)
{
	const char *field = NULL, *why = NULL;
	int rc = account_membership(c, p->county_code, api_str(body, "role"), api_str(body, "area_code"),
				    json_integer_value(json_object_get(body, "unit_id")), m, &field, &why);

	if (rc == WB_EINVAL)
		api_error(r, 422, "validation_failed", why, field);
	else if (rc)
		api_fail(r, rc);
	return rc ? -1 : 0;
}

json_t *account_membership_detail(const membership_rec *m)
{
	return m->unit_id ? json_pack("{s:s, s:I}", "role", m->role, "unit_id", (json_int_t)m->unit_id)
			  : json_pack("{s:s, s:s}", "role", m->role, "area_code", m->area_code);
}

/* POST /api/v1/users: a new account with one role and a generated
 * password, answered once. */
int api_user_create(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	json_t *body = NULL;
	char pw[24], hash[SEC_PWHASH_MAX];
	audit_entry e;
	create_job j;
	int rc;

	if (!admin_only(r, p))
		return 0;
	if (api_body(r, &body) || api_check_fields(r, body, create_fields))
		goto out;
	memset(&j, 0, sizeof(j));
	if (!account_username_ok(api_str(body, "username"))) {
		api_error(r, 422, "validation_failed",
			  "a user name has 3 to 63 letters, digits, '.', '_' or '-' and starts with a letter or digit",
			  "username");
		goto out;
	}
	if (body_membership(r, c, p, body, &j.m))
		goto out;
	if (!field_valid_name(api_str(body, "display_name"))) {
		api_error(r, 422, "validation_failed",
			  "display_name must be non-empty text without control characters or blanks at either end",
			  "display_name");
		goto out;
	}
	if (store_user_by_name_nocase(c, api_str(body, "username"), &j.u) == WB_OK) {
		api_error(r, 409, "username_taken", "this user name is taken", "username");
		goto out;
	}
	sec_password_generate(pw);
	if (sec_password_hash(pw, hash) != WB_OK) {
		api_fail(r, WB_ENOMEM);
		goto out;
	}
	memset(&j.u, 0, sizeof(j.u));
	wb_strlcpy(j.u.county_code, p->county_code, sizeof(j.u.county_code));
	wb_strlcpy(j.u.username, api_str(body, "username"), sizeof(j.u.username));
	wb_strlcpy(j.u.display_name, api_str(body, "display_name"), sizeof(j.u.display_name));
	wb_strlcpy(j.u.password_hash, hash, sizeof(j.u.password_hash));
	j.u.must_change_password = 1;
	api_audit_init(r, p, &e);
	audit_entry_set(&e, "user.create", "user", "", "ok");
	{
		json_t *d = account_membership_detail(&j.m);

		json_object_set_new(d, "username", json_string(j.u.username));
		api_audit_detail(&e, d);
	}
	j.e = &e;
	api_conn_release(r); /* the job runs on the writer's connection */
	rc = audit_submit(a->audit, &e, create_fn, &j);
	if (rc == WB_ECONFLICT)
		api_error(r, 409, "username_taken", "this user name is taken", "username");
	else if (rc)
		api_fail(r, rc);
	else
		answer_user(r, j.u.id, 201, pw);
out:
	sodium_memzero(pw, sizeof(pw));
	json_decref(body);
	return 0;
}

typedef struct change_job {
	int kind; /* CHANGE_ */
	int64_t user_id;
	int64_t membership_id;
	membership_rec m;
	const char *text; /* the password's hash, or the new display name */
} change_job;

typedef struct same_role {
	const membership_rec *m;
	int found;
} same_role;

static int same_role_cb(const membership_rec *m, void *arg)
{
	same_role *s = arg;

	if (strcmp(m->role, s->m->role) == 0 && strcmp(m->area_code, s->m->area_code) == 0 &&
	    m->unit_id == s->m->unit_id)
		s->found = 1;
	return WB_OK;
}

enum { CHANGE_LOCK, CHANGE_UNLOCK, CHANGE_PASSWORD, CHANGE_RENAME, CHANGE_ADD_ROLE, CHANGE_REMOVE_ROLE };

static int change_fn(store_conn *c, void *arg)
{
	change_job *j = arg;
	int64_t now = clock_now(), n = 0;
	int rc;

	switch (j->kind) {
	case CHANGE_LOCK:
		rc = store_user_set_locked(c, j->user_id, 1, now);
		return rc ? rc : store_session_delete_user(c, j->user_id);
	case CHANGE_UNLOCK:
		/* no session outlives a lock: one that a login committed just
		 * after the lock (or that an earlier version kept) ends here */
		rc = store_user_set_locked(c, j->user_id, 0, now);
		if (rc == WB_OK)
			rc = store_session_delete_user(c, j->user_id);
		return rc ? rc : store_login_failures_clear(c, j->user_id);
	case CHANGE_PASSWORD:
		rc = store_user_set_password(c, j->user_id, j->text, 1, now);
		return rc ? rc : store_session_delete_user(c, j->user_id);
	case CHANGE_RENAME: return store_user_set_display_name(c, j->user_id, j->text);
	case CHANGE_ADD_ROLE: {
		/* looked for again in the write's own transaction: two adds of
		 * one role at once (a double click, two admins) give it once */
		same_role s = {&j->m, 0};

		rc = store_membership_list(c, j->user_id, same_role_cb, &s);
		if (rc == WB_OK && s.found)
			rc = WB_ECONFLICT;
		return rc ? rc : store_membership_insert(c, &j->m, now, &j->m.id);
	}
	default:
		/* counted in the write's own transaction: two removals at once
		 * cannot leave the account without a role */
		rc = store_membership_count(c, j->user_id, &n);
		if (rc == WB_OK && n <= 1)
			rc = WB_ECONFLICT;
		return rc ? rc : store_membership_delete(c, j->membership_id);
	}
}

static int last_membership(http_req *r)
{
	return api_error(r, 409, "last_membership",
			 "this is the account's only role; lock the account instead of removing it", NULL);
}

static int duplicate_membership(http_req *r)
{
	return api_error(r, 409, "duplicate_membership", "the account already has this role here", "role");
}

/* Runs j for account u with the audit entry action; answers the account
 * as it is now (with the one-time password pw when given). */
static int run_change(http_req *r, app *a, const sec_principal *p, const user_rec *u, change_job *j, const char *action,
		      json_t *detail, int status, const char *pw)
{
	audit_entry e;
	int rc;

	api_audit_init(r, p, &e);
	wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, u->id);
	audit_entry_set(&e, action, "user", e.object_id, "ok");
	api_audit_detail(&e, detail);
	j->user_id = u->id;
	api_conn_release(r);
	rc = audit_submit(a->audit, &e, change_fn, j);
	api_cache_sessions_changed(); /* committed (or not): cached sessions are stale */
	if (rc == WB_ECONFLICT && j->kind == CHANGE_REMOVE_ROLE)
		return last_membership(r);
	if (rc == WB_ECONFLICT && j->kind == CHANGE_ADD_ROLE)
		return duplicate_membership(r);
	if (rc)
		return api_fail(r, rc);
	return answer_user(r, u->id, status, pw);
}

/* Lock or unlock the account of path parameter id. */
static int set_locked(http_req *r, app *a, store_conn *c, const sec_principal *p, int kind, const char *action)
{
	change_job j = {.kind = kind};
	user_rec u;

	if (target_user(r, c, p, &u))
		return 0;
	return run_change(r, a, p, &u, &j, action, NULL, 200, NULL);
}

/* POST /api/v1/users/{id}/lock: the account cannot log in, and its
 * sessions end. */
int api_user_lock(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	return set_locked(r, a, c, p, CHANGE_LOCK, "user.lock");
}

/* POST /api/v1/users/{id}/unlock: also forgets the failed logins; the user
 * logs in again (no session outlives the lock). */
int api_user_unlock(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	return set_locked(r, a, c, p, CHANGE_UNLOCK, "user.unlock");
}

/* POST /api/v1/users/{id}/password: a new generated password, answered
 * once, to be changed at the next login; the account's sessions end. */
int api_user_password_reset(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	change_job j = {.kind = CHANGE_PASSWORD};
	char pw[24], hash[SEC_PWHASH_MAX];
	user_rec u;

	if (target_user(r, c, p, &u))
		return 0;
	sec_password_generate(pw);
	if (sec_password_hash(pw, hash) != WB_OK) {
		sodium_memzero(pw, sizeof(pw));
		return api_fail(r, WB_ENOMEM);
	}
	j.text = hash;
	run_change(r, a, p, &u, &j, "user.password_reset", NULL, 200, pw);
	sodium_memzero(pw, sizeof(pw));
	return 0;
}

static const api_field rename_fields[] = {
	{"display_name", JSON_STRING, 1, FIELD_MAX_DISPLAY_NAME},
	{NULL, 0, 0, 0},
};

/* PATCH /api/v1/users/{id}: the display name (a post's holder changes, a
 * typo); the user name stays. */
int api_user_update(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	change_job j = {.kind = CHANGE_RENAME};
	json_t *body = NULL;
	user_rec u;

	if (target_user(r, c, p, &u) || api_body(r, &body) || api_check_fields(r, body, rename_fields))
		goto out;
	j.text = api_str(body, "display_name");
	if (!field_valid_name(j.text)) {
		api_error(r, 422, "validation_failed",
			  "display_name must be non-empty text without control characters or blanks at either end",
			  "display_name");
		goto out;
	}
	run_change(r, a, p, &u, &j, "user.update", json_pack("{s:s}", "display_name", j.text), 200, NULL);
out:
	json_decref(body);
	return 0;
}

static const api_field role_fields[] = {
	{"role", JSON_STRING, 1, 15},
	{"area_code", JSON_STRING, 0, 15},
	{"unit_id", JSON_INTEGER, 0, 0},
	{NULL, 0, 0, 0},
};

/* POST /api/v1/users/{id}/memberships: one more role (a person with two
 * jobs has two memberships). */
int api_membership_add(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	change_job j = {.kind = CHANGE_ADD_ROLE};
	json_t *body = NULL;
	same_role s = {&j.m, 0};
	user_rec u;
	int rc;

	if (target_user(r, c, p, &u) || api_body(r, &body) || api_check_fields(r, body, role_fields) ||
	    body_membership(r, c, p, body, &j.m))
		goto out;
	rc = store_membership_list(c, u.id, same_role_cb, &s);
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	if (s.found) {
		duplicate_membership(r);
		goto out;
	}
	j.m.user_id = u.id;
	run_change(r, a, p, &u, &j, "membership.add", account_membership_detail(&j.m), 201, NULL);
out:
	json_decref(body);
	return 0;
}

/* DELETE /api/v1/users/{id}/memberships/{mid}: the role ends, with the
 * sessions acting in it. The last role is not removed: lock the account
 * instead. */
int api_membership_remove(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	change_job j = {.kind = CHANGE_REMOVE_ROLE};
	user_rec u;
	int64_t mid;
	int rc;

	if (target_user(r, c, p, &u))
		return 0;
	if (api_id_param(r, "mid", &mid))
		return 0;
	rc = store_membership_get(c, mid, &j.m);
	if (rc == WB_OK && j.m.user_id != u.id)
		rc = WB_ENOTFOUND;
	if (rc)
		return api_fail(r, rc);
	j.membership_id = mid;
	return run_change(r, a, p, &u, &j, "membership.remove", account_membership_detail(&j.m), 200, NULL);
}

/* ---- a list of accounts (onboarding a county's hundreds of posts) ---- */

#define USERS_IMPORT_MAX 100 /* rows a file: each password hash costs ~60 ms */

typedef struct import_row {
	user_rec u;
	membership_rec m;
	char pw[24];
} import_row;

typedef struct users_import {
	import_row *rows;
	int n;
	audit_entry *e;
} users_import;

static int users_import_fn(store_conn *c, void *arg)
{
	users_import *j = arg;
	int64_t now = clock_now();
	int rc = WB_OK;

	for (int i = 0; rc == WB_OK && i < j->n; i++)
		rc = insert_account(c, &j->rows[i].u, &j->rows[i].m, now);
	if (rc == WB_OK) {
		/* one writer: one file's accounts have consecutive ids */
		wb_snprintf(j->e->object_id, sizeof(j->e->object_id), "%" PRId64, j->rows[0].u.id);
		api_audit_detail(j->e,
				 json_pack("{s:i, s:I, s:I}", "count", j->n, "first_id", (json_int_t)j->rows[0].u.id,
					   "last_id", (json_int_t)j->rows[j->n - 1].u.id));
	}
	return rc;
}

/* The optional header names its first column so (in English in any case:
 * Excel's "Username" too; a user name has no blank, so "user name" is
 * no account's). */
static int is_header(const char *first)
{
	return strcasecmp(first, "username") == 0 || strcasecmp(first, "user name") == 0 ||
	       strcmp(first, "用户名") == 0 || strcmp(first, "账号") == 0;
}

static int row_fail(char *err, size_t errlen, const char *msg)
{
	wb_strlcpy(err, msg, errlen);
	return WB_EINVAL;
}

/* Checks row i of t into r; on a problem writes the reason into err and
 * returns WB_EINVAL (or a store error). */
static int import_row_check(store_conn *c, const sec_principal *p, const table *t, size_t i, const import_row *done,
			    int ndone, import_row *r, char *err, size_t errlen)
{
	const char *username = table_cell(t, i, 0), *display = table_cell(t, i, 1), *role = table_cell(t, i, 2),
		   *place = table_cell(t, i, 3), *field = NULL, *why = NULL;
	const role_def *def = role_find_any(role);
	user_rec have;
	int64_t unit_id = 0;
	int rc;

	if (!account_username_ok(username))
		return row_fail(err, errlen, "column username: 3 to 63 letters, digits, '.', '_' or '-'");
	/* as the store compares them: Zhang and zhang are one name */
	for (int k = 0; k < ndone; k++)
		if (strcasecmp(done[k].u.username, username) == 0)
			return row_fail(err, errlen, "column username: duplicate in file");
	rc = store_user_by_name_nocase(c, username, &have);
	if (rc == WB_OK)
		return row_fail(err, errlen, "column username: taken");
	if (rc != WB_ENOTFOUND)
		return rc;
	if (!field_valid_name(display) || strlen(display) > FIELD_MAX_DISPLAY_NAME)
		return row_fail(err, errlen, "column display_name: 1 to 120 bytes of text, no blanks at either end");
	if (!def) {
		char names[400];

		role_names_text(names, sizeof(names));
		wb_snprintf(err, errlen, "column role: no such role; write one of %s", names);
		return WB_EINVAL;
	}
	if (def->anchor == ANCHOR_UNIT) {
		unit_rec u;

		rc = store_unit_find(c, p->county_code, def->unit_kind, place, &u);
		if (rc == WB_OK)
			unit_id = u.id;
		else if (rc != WB_ENOTFOUND)
			return rc;
		else if (place[0]) {
			/* a code this county has no such unit under (perhaps
			 * another county's): named, not taken for a missing place */
			wb_snprintf(err, errlen, "column place: %s is not a %s code of this county", place,
				    strcmp(def->unit_kind, "department") == 0 ? "department"
				    : strcmp(def->unit_kind, "org") == 0      ? "social organisation"
									      : "school");
			return WB_EINVAL;
		}
		place = "";
	} else if (def->anchor == ANCHOR_COUNTY && !place[0]) {
		place = p->county_code;
	}
	rc = account_membership(c, p->county_code, def->name, place, unit_id, &r->m, &field, &why);
	if (rc == WB_EINVAL) {
		wb_snprintf(err, errlen, "column place: %s", why);
		return WB_EINVAL;
	}
	if (rc)
		return rc;
	memset(&r->u, 0, sizeof(r->u));
	wb_strlcpy(r->u.county_code, p->county_code, sizeof(r->u.county_code));
	wb_strlcpy(r->u.username, username, sizeof(r->u.username));
	wb_strlcpy(r->u.display_name, display, sizeof(r->u.display_name));
	r->u.must_change_password = 1;
	return WB_OK;
}

/* POST /api/v1/users/import: a CSV list of accounts
 * (username,display_name,role,place; the place is an area code, or a unit's
 * code for department, org and school roles); all rows or none. Every
 * account gets a one-time password, answered once, to be changed at the
 * first login. */
int api_users_import(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	users_import j = {0};
	json_t *list = NULL;
	audit_entry e;
	char err[512], msg[600], hash[SEC_PWHASH_MAX];
	int line = 0, rc;
	table t;

	if (!admin_only(r, p))
		return 0;
	rc = table_read_list(&t, r->body.data ? r->body.data : "", r->body.len, USERS_IMPORT_MAX, &line, err,
			     sizeof(err));
	if (rc == WB_OK) {
		j.rows = calloc(t.nrows ? t.nrows : 1, sizeof(*j.rows));
		if (!j.rows)
			rc = WB_ENOMEM;
	}
	for (size_t i = 0; rc == WB_OK && i < t.nrows; i++) {
		line = (int)t.rows[i].line;
		if (i == 0 && is_header(table_cell(&t, i, 0)))
			continue;
		if (t.rows[i].n > 4) {
			wb_strlcpy(err, "expected four columns: username,display_name,role,place", sizeof(err));
			rc = WB_EINVAL;
		} else {
			rc = import_row_check(c, p, &t, i, j.rows, j.n, &j.rows[j.n], err, sizeof(err));
		}
		if (rc == WB_OK && ++j.n > USERS_IMPORT_MAX) {
			wb_strlcpy(err, "too many rows: at most 100 accounts a file", sizeof(err));
			rc = WB_EINVAL;
		}
	}
	if (rc == WB_OK && j.n == 0) {
		wb_strlcpy(err, "no rows", sizeof(err));
		rc = WB_EINVAL;
	}
	table_cleanup(&t);
	if (rc == WB_EINVAL) {
		wb_snprintf(msg, sizeof(msg), "row %d: %s", line, err);
		api_error(r, 422, "invalid_csv", msg, "line");
		goto out;
	}
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	api_conn_release(r); /* hashing takes a while; no connection is held meanwhile */
	for (int i = 0; rc == WB_OK && i < j.n; i++) {
		sec_password_generate(j.rows[i].pw);
		rc = sec_password_hash(j.rows[i].pw, hash);
		wb_strlcpy(j.rows[i].u.password_hash, hash, sizeof(j.rows[i].u.password_hash));
	}
	if (rc) {
		api_fail(r, WB_ENOMEM);
		goto out;
	}
	api_audit_init(r, p, &e);
	audit_entry_set(&e, "user.import", "user", "", "ok");
	j.e = &e;
	rc = audit_submit(a->audit, &e, users_import_fn, &j);
	if (rc == WB_ECONFLICT) {
		api_error(r, 409, "username_taken", "a user name of the file was taken meanwhile; import it again",
			  NULL);
		goto out;
	}
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	list = json_array();
	for (int i = 0; i < j.n; i++) {
		json_t *m = membership_json(api_conn(r), &j.rows[i].m);

		json_array_append_new(list,
				      json_pack("{s:I, s:s, s:s, s:s, s:O, s:s}", "id", (json_int_t)j.rows[i].u.id,
						"username", j.rows[i].u.username, "display_name",
						j.rows[i].u.display_name, "role", j.rows[i].m.role, "place_name",
						json_object_get(m, "place_name"), "password", j.rows[i].pw));
		json_decref(m);
	}
	api_json(r, 201, json_pack("{s:i, s:o}", "created", j.n, "accounts", list));
out:
	if (j.rows)
		sodium_memzero(j.rows, sizeof(*j.rows) * (size_t)(j.n > 0 ? j.n : 0));
	free(j.rows);
	return 0;
}
