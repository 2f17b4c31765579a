/*
 * Login, logout, the current user, password change and switching between
 * a person's memberships.
 *
 * Failed logins are counted per account in a sliding window; the Nth
 * failure locks the account until an administrator unlocks it, and ends
 * every session of the account (the user logs in again after the unlock).
 * Unknown user names cost the same Argon2id time as known ones, and lock
 * the same way (namelock.h), so the answers do not tell which names exist.
 */
#include <inttypes.h>
#include <string.h>
#include <strings.h>

#include "../security/namelock.h"
#include "../security/password.h"
#include "../security/ratelimit.h"
#include "../util/clock.h"
#include "../util/wb.h"
#include "api.h"

#define LOCKED_MSG                                                                                                \
	"this account is locked (after too many failed logins, or by an administrator); ask an administrator to " \
	"unlock it"
#define NOW_LOCKED_MSG "too many failed logins: this account is now locked; ask an administrator to unlock it"

typedef struct login_job {
	int kind; /* 0 failure, 1 success */
	user_rec *u;
	int lock;
	int64_t now;
	const char *new_hash; /* rehash on success */
	session_rec *session;
	const char *token_hash;
} login_job;

static int login_fn(store_conn *c, void *arg)
{
	login_job *j = arg;
	int rc;

	if (j->kind == 0) {
		rc = store_login_failure_add(c, j->u->county_code, j->u->id, j->now);
		if (rc == WB_OK && j->lock)
			rc = store_user_set_locked(c, j->u->id, 1, j->now);
		/* the lock ends the account's sessions, as an administrator's
		 * does: none comes back at the unlock */
		if (rc == WB_OK && j->lock)
			rc = store_session_delete_user(c, j->u->id);
		return rc;
	}
	rc = store_login_failures_clear(c, j->u->id);
	if (rc == WB_OK)
		rc = store_user_set_last_login(c, j->u->id, j->now);
	if (rc == WB_OK && j->new_hash)
		rc = store_user_set_password(c, j->u->id, j->new_hash, j->u->must_change_password, j->now);
	if (rc == WB_OK)
		rc = store_session_insert(c, j->session, j->token_hash, &j->session->id);
	return rc;
}

typedef struct ms_list {
	json_t *arr;
	membership_rec first;
	membership_rec chosen;
	int64_t want;
	int n;
} ms_list;

static int ms_collect(const membership_rec *m, void *arg)
{
	ms_list *l = arg;

	if (l->n++ == 0)
		l->first = *m;
	if (m->id == l->want)
		l->chosen = *m;
	if (l->arr)
		json_array_append_new(l->arr,
				      json_pack("{s:I, s:s, s:s, s:I}", "id", (json_int_t)m->id, "role", m->role,
						"area_code", m->area_code, "unit_id", (json_int_t)m->unit_id));
	return WB_OK;
}

static const api_field login_fields[] = {
	{"username", JSON_STRING, 1, 64},
	{"password", JSON_STRING, 1, 128},
	{"membership_id", JSON_INTEGER, 0, 0},
	{"bearer", JSON_TRUE, 0, 0},
	{NULL, 0, 0, 0},
};

/*
 * Login CSRF: a page of another site must not log the browser in (as the
 * attacker, whose records the victim would then type into). A browser says
 * where the request comes from: Sec-Fetch-Site "cross-site", or an Origin
 * whose host and port are not this server's (the Host header, which a
 * reverse proxy passes on: docs/deployment.md). Clients that are not
 * browsers send neither and are let through.
 */
static int login_cross_site(http_req *r)
{
	const char *site = http_header(r, "Sec-Fetch-Site");
	const char *origin = http_header(r, "Origin");
	const char *host = http_header(r, "Host");
	const char *authority;

	if (site && strcasecmp(site, "cross-site") == 0)
		return 1;
	if (!origin)
		return 0;
	authority = strstr(origin, "://");
	if (!authority || !host || strncasecmp(origin, "http", 4) != 0)
		return 1; /* "null" (a sandboxed frame, a file), or no Host to compare */
	return strcasecmp(authority + 3, host) != 0;
}

int api_login(http_req *r, app *a, store_conn *c, const sec_principal *unused)
{
	json_t *body = NULL;
	user_rec u;
	audit_entry e;
	ms_list ms = {0};
	session_rec s;
	char token[SEC_TOKEN_LEN], csrf[SEC_TOKEN_LEN], th[SEC_HASH_HEX], newhash[SEC_PWHASH_MAX];
	const char *username, *password;
	int64_t now = clock_now(), failures = 0;
	int rehash = 0, bearer, rc;
	login_job j;
	int busy = 0;

	(void)unused;
	if (login_cross_site(r)) {
		api_error(r, 403, "cross_site_login", "a login from another site's page is refused", NULL);
		goto out;
	}
	/* one password check at a time per address: a flood from one address
	 * cannot take every core that hashes (the others are refused at once,
	 * without hashing, and do not count against the rate) */
	if (!ratelimit_busy_enter(r->client_addr)) {
		http_add_header(r, "Retry-After", "1");
		api_error(r, 429, "login_busy",
			  "another login from this address is being checked; try again in a moment", NULL);
		goto out;
	}
	busy = 1;
	if (!ratelimit_take(r->client_addr, now)) {
		http_add_header(r, "Retry-After", "60");
		api_error(r, 429, "too_many_logins", "too many login attempts from this address; wait a minute", NULL);
		goto out;
	}
	if (api_body(r, &body) || api_check_fields(r, body, login_fields))
		goto out;
	username = api_str(body, "username");
	password = api_str(body, "password");
	bearer = json_is_true(json_object_get(body, "bearer"));
	audit_entry_init(&e, "", 0, username, "", r->client_addr, r->request_id);
	rc = store_user_by_name(c, username, &u);
	if (rc == WB_ENOTFOUND) {
		/* answered as an existing account would be: locked (without a
		 * password check) once locked, and locked by the same failure */
		int lock;

		if (namelock_locked(username)) {
			audit_entry_set(&e, "login", "user", "", "locked");
			wb_strlcpy(e.detail, "unknown user name", sizeof(e.detail));
			audit_submit(a->audit, &e, NULL, NULL);
			api_error(r, 401, "account_locked", LOCKED_MSG, NULL);
			goto out;
		}
		sec_password_dummy_verify(password);
		lock = namelock_fail(username, now);
		audit_entry_set(&e, "login", "user", "", lock ? "locked" : "denied");
		wb_strlcpy(e.detail, lock ? "unknown user name; name locked" : "unknown user name", sizeof(e.detail));
		audit_submit(a->audit, &e, NULL, NULL);
		if (lock)
			api_error(r, 401, "account_locked", NOW_LOCKED_MSG, NULL);
		else
			api_error(r, 401, "invalid_credentials", "wrong user name or password", NULL);
		goto out;
	}
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	wb_strlcpy(e.county_code, u.county_code, sizeof(e.county_code));
	e.user_id = u.id;
	wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, u.id);
	if (u.locked) {
		audit_entry_set(&e, "login", "user", e.object_id, "locked");
		audit_submit(a->audit, &e, NULL, NULL);
		api_error(r, 401, "account_locked", LOCKED_MSG, NULL);
		goto out;
	}
	memset(&j, 0, sizeof(j));
	j.u = &u;
	j.now = now;
	if (sec_password_verify(u.password_hash, password, &rehash) != WB_OK) {
		rc = store_login_failures_since(c, u.id, now - a->cfg.lock_window_s, &failures);
		if (rc) {
			api_fail(r, rc);
			goto out;
		}
		j.kind = 0;
		j.lock = failures + 1 >= a->cfg.lock_max_failures;
		audit_entry_set(&e, "login", "user", e.object_id, j.lock ? "locked" : "denied");
		wb_strlcpy(e.detail, j.lock ? "wrong password; account locked" : "wrong password", sizeof(e.detail));
		rc = audit_submit(a->audit, &e, login_fn, &j);
		api_cache_sessions_changed(); /* committed (or not): cached sessions are stale */
		if (rc) {
			api_fail(r, rc);
		} else if (j.lock) {
			api_error(r, 401, "account_locked", NOW_LOCKED_MSG, NULL);
		} else {
			api_error(r, 401, "invalid_credentials", "wrong user name or password", NULL);
		}
		goto out;
	}
	ms.want = json_integer_value(json_object_get(body, "membership_id"));
	ms.arr = json_array();
	rc = store_membership_list(c, u.id, ms_collect, &ms);
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	if (ms.n == 0 || (ms.want && !ms.chosen.id)) {
		/* the right password, and still no session: a failed login,
		 * audited as every login is (not counted towards the lock) */
		audit_entry_set(&e, "login", "user", e.object_id, "denied");
		wb_strlcpy(e.detail, ms.n == 0 ? "no role assigned" : "no such membership", sizeof(e.detail));
		rc = audit_submit(a->audit, &e, NULL, NULL);
		if (rc)
			api_fail(r, rc);
		else if (ms.n == 0)
			api_error(r, 403, "no_membership", "this account has no role assigned", NULL);
		else
			api_error(r, 422, "validation_failed", "no such membership for this account", "membership_id");
		goto out;
	}
	if (!ms.chosen.id)
		ms.chosen = ms.first;
	if (rehash && sec_password_hash(password, newhash) == WB_OK)
		j.new_hash = newhash;
	sec_token_new(token);
	sec_token_new(csrf);
	sec_token_hash(&a->keys, token, th);
	memset(&s, 0, sizeof(s));
	wb_strlcpy(s.county_code, u.county_code, sizeof(s.county_code));
	sec_token_hash(&a->keys, csrf, s.csrf_hash);
	wb_strlcpy(s.kind, bearer ? "bearer" : "cookie", sizeof(s.kind));
	s.user_id = u.id;
	s.membership_id = ms.chosen.id;
	s.created_at = now;
	s.last_seen = now;
	s.expires_at = now + a->cfg.session_absolute_s;
	j.kind = 1;
	j.session = &s;
	j.token_hash = th;
	wb_strlcpy(e.role, ms.chosen.role, sizeof(e.role));
	audit_entry_set(&e, "login", "user", e.object_id, "ok");
	rc = audit_submit(a->audit, &e, login_fn, &j);
	api_cache_sessions_changed(); /* committed (or not): cached sessions are stale */
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	r->user_id = u.id;
	if (!bearer) {
		char cookie[200];

		wb_snprintf(cookie, sizeof(cookie),
			    "wb_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%" PRId64 "%s", token,
			    a->cfg.session_absolute_s, a->cfg.secure_cookie ? "; Secure" : "");
		http_add_header(r, "Set-Cookie", cookie);
	}
	{
		json_t *resp =
			json_pack("{s:{s:I, s:s, s:s, s:b}, s:s, s:I, s:I, s:o}", "user", "id", (json_int_t)u.id,
				  "username", u.username, "display_name", u.display_name, "must_change_password",
				  u.must_change_password, "csrf_token", csrf, "membership_id", (json_int_t)ms.chosen.id,
				  "expires_at", (json_int_t)s.expires_at, "memberships", ms.arr);

		ms.arr = NULL;
		if (bearer && resp)
			json_object_set_new(resp, "token", json_string(token));
		api_json(r, 200, resp);
	}
out:
	if (busy)
		ratelimit_busy_leave(r->client_addr);
	json_decref(ms.arr);
	json_decref(body);
	return 0;
}

static int logout_fn(store_conn *c, void *arg)
{
	return store_session_delete(c, *(int64_t *)arg);
}

int api_logout(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	audit_entry e;
	int64_t sid = p->session_id;
	int rc;

	(void)c;
	api_audit_init(r, p, &e);
	audit_entry_set(&e, "logout", "session", "", "ok");
	rc = audit_submit(a->audit, &e, logout_fn, &sid);
	api_cache_sessions_changed(); /* committed (or not): cached sessions are stale */
	if (rc)
		return api_fail(r, rc);
	http_add_header(r, "Set-Cookie", "wb_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
	return api_json(r, 200, json_pack("{s:b}", "ok", 1));
}

/* Adds area_name (a role at an area) or unit_name (a unit's role) to a
 * membership's JSON, from its area_code and unit_id. */
static void name_place(store_conn *c, json_t *m)
{
	const char *code = json_string_value(json_object_get(m, "area_code"));
	json_int_t unit_id = json_integer_value(json_object_get(m, "unit_id"));
	char area_name[128];
	unit_rec unit;

	if (code && code[0] && api_area_name(c, code, area_name, sizeof(area_name)) == WB_OK)
		json_object_set_new(m, "area_name", json_string(area_name));
	if (unit_id && api_unit_get(c, (int64_t)unit_id, &unit) == WB_OK)
		json_object_set_new(m, "unit_name", json_string(unit.name));
}

int api_me(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	ms_list ms = {0};
	json_t *j;

	(void)a;
	ms.arr = json_array();
	if (store_membership_list(c, p->user_id, ms_collect, &ms) != WB_OK) {
		json_decref(ms.arr);
		return api_fail(r, WB_ESTORE);
	}
	j = json_pack(
		"{s:{s:I, s:s, s:s, s:b}, s:{s:I, s:s, s:s, s:I}, s:o, s:{s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b}}",
		"user", "id", (json_int_t)p->user_id, "username", p->username, "display_name", p->display_name,
		"must_change_password", p->must_change_password, "membership", "id", (json_int_t)p->membership_id,
		"role", p->role, "area_code", p->area_code, "unit_id", (json_int_t)p->unit_id, "memberships", ms.arr,
		"permissions", "read_children", p->scope.children != SCOPE_NONE, "write_children",
		p->def->write_children, "full_id", p->def->full_id, "read_audit", p->def->read_audit, "manage_users",
		p->def->manage_users, "confirm_categories", p->def->confirm_categories, "export_children",
		p->def->export_children, "full_phone", p->def->full_phone);
	/* the county of the membership: a unit's role sits at no area */
	if (j) {
		size_t i;
		json_t *m;

		json_object_set_new(json_object_get(j, "membership"), "county_code", json_string(p->county_code));
		/* the place of the one in use, and of each (the switcher, the inbox) */
		name_place(c, json_object_get(j, "membership"));
		json_array_foreach(json_object_get(j, "memberships"), i, m) name_place(c, m);
	}
	return api_json(r, 200, j);
}

typedef struct pw_job {
	int64_t user_id;
	int64_t keep_session;
	const char *hash;
} pw_job;

static int pw_fn(store_conn *c, void *arg)
{
	pw_job *j = arg;
	int rc = store_user_set_password(c, j->user_id, j->hash, 0, clock_now());

	/* other sessions of this account end with the old password */
	if (rc == WB_OK)
		rc = conn_query(c, NULL, "DELETE FROM sessions WHERE user_id = ? AND id <> ?", "ii", j->user_id,
				j->keep_session) < 0
			     ? WB_ESTORE
			     : WB_OK;
	/* the current password was right: as a login, the failures end */
	return rc ? rc : store_login_failures_clear(c, j->user_id);
}

static const api_field pw_fields[] = {
	{"old_password", JSON_STRING, 1, 128},
	{"new_password", JSON_STRING, 1, 128},
	{NULL, 0, 0, 0},
};

int api_password(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	json_t *body = NULL;
	user_rec u;
	audit_entry e;
	char hash[SEC_PWHASH_MAX];
	const char *why;
	int64_t now = clock_now(), failures = 0;
	int rehash, rc;
	pw_job j;

	if (api_body(r, &body) || api_check_fields(r, body, pw_fields))
		goto out;
	rc = store_user_get(c, p->user_id, &u);
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	api_audit_init(r, p, &e);
	wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, p->user_id);
	if (sec_password_verify(u.password_hash, api_str(body, "old_password"), &rehash) != WB_OK) {
		/* a failed password check as a login's: counted, and the Nth
		 * locks the account (a session left open is no way to try
		 * passwords without limit) */
		login_job lj = {.kind = 0, .u = &u, .now = now};

		rc = store_login_failures_since(c, u.id, now - a->cfg.lock_window_s, &failures);
		if (rc) {
			api_fail(r, rc);
			goto out;
		}
		lj.lock = failures + 1 >= a->cfg.lock_max_failures;
		audit_entry_set(&e, "user.password", "user", e.object_id, lj.lock ? "locked" : "denied");
		wb_strlcpy(e.detail, lj.lock ? "wrong current password; account locked" : "wrong current password",
			   sizeof(e.detail));
		api_conn_release(r);
		rc = audit_submit(a->audit, &e, login_fn, &lj);
		api_cache_sessions_changed(); /* committed (or not): cached sessions are stale */
		if (rc)
			api_fail(r, rc);
		else if (lj.lock)
			api_error(r, 401, "account_locked", NOW_LOCKED_MSG, NULL);
		else
			api_error(r, 422, "wrong_password", "the current password is wrong", "old_password");
		goto out;
	}
	/* a change keeps nothing of the old password: a first login's forced
	 * change would otherwise keep the one the administrator handed out */
	if (strcmp(api_str(body, "new_password"), api_str(body, "old_password")) == 0) {
		api_error(r, 422, "weak_password", "the new password must differ from the current one", "new_password");
		goto out;
	}
	if (sec_password_policy(api_str(body, "new_password"), &why) != WB_OK) {
		api_error(r, 422, "weak_password", why, "new_password");
		goto out;
	}
	if (sec_password_hash(api_str(body, "new_password"), hash) != WB_OK) {
		api_fail(r, WB_ENOMEM);
		goto out;
	}
	j.user_id = p->user_id;
	j.keep_session = p->session_id;
	j.hash = hash;
	audit_entry_set(&e, "user.password", "user", e.object_id, "ok");
	rc = audit_submit(a->audit, &e, pw_fn, &j);
	api_cache_sessions_changed(); /* committed (or not): cached sessions are stale */
	if (rc)
		api_fail(r, rc);
	else
		api_json(r, 200, json_pack("{s:b}", "ok", 1));
out:
	json_decref(body);
	return 0;
}

typedef struct switch_job {
	int64_t session_id, membership_id;
} switch_job;

static int switch_fn(store_conn *c, void *arg)
{
	switch_job *j = arg;

	return store_session_set_membership(c, j->session_id, j->membership_id);
}

static const api_field switch_fields[] = {
	{"membership_id", JSON_INTEGER, 1, 0},
	{NULL, 0, 0, 0},
};

int api_switch_membership(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	json_t *body = NULL;
	membership_rec m;
	audit_entry e;
	switch_job j;
	int rc;

	if (api_body(r, &body) || api_check_fields(r, body, switch_fields))
		goto out;
	rc = store_membership_get(c, json_integer_value(json_object_get(body, "membership_id")), &m);
	if (rc || m.user_id != p->user_id) {
		api_error(r, 422, "validation_failed", "no such membership for this account", "membership_id");
		goto out;
	}
	j.session_id = p->session_id;
	j.membership_id = m.id;
	api_audit_init(r, p, &e);
	wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, m.id);
	audit_entry_set(&e, "session.membership", "membership", e.object_id, "ok");
	rc = audit_submit(a->audit, &e, switch_fn, &j);
	api_cache_sessions_changed(); /* committed (or not): cached sessions are stale */
	if (rc)
		api_fail(r, rc);
	else
		api_json(r, 200, json_pack("{s:I, s:s}", "membership_id", (json_int_t)m.id, "role", m.role));
out:
	json_decref(body);
	return 0;
}
