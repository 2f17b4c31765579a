/* Queries over users, memberships, login failures and sessions. */
#include <stdlib.h>
#include <string.h>

#include "../util/wb.h"
#include "model.h"

/* The columns of a user (alias u), as user_row reads them from column b on. */
#define USER_COLS                                                                                              \
	"u.id, u.county_code, u.username, u.display_name, u.password_hash, u.locked, u.must_change_password, " \
	"u.created_at, COALESCE(u.last_login_at, 0)"
#define USER_NCOLS 9

static void user_row(store_conn *c, store_stmt *st, int b, user_rec *u)
{
	memset(u, 0, sizeof(*u));
	u->id = stmt_int64(c, st, b);
	stmt_copy(c, st, b + 1, u->county_code, sizeof(u->county_code));
	stmt_copy(c, st, b + 2, u->username, sizeof(u->username));
	stmt_copy(c, st, b + 3, u->display_name, sizeof(u->display_name));
	stmt_copy(c, st, b + 4, u->password_hash, sizeof(u->password_hash));
	u->locked = (int)stmt_int64(c, st, b + 5);
	u->must_change_password = (int)stmt_int64(c, st, b + 6);
	u->created_at = stmt_int64(c, st, b + 7);
	u->last_login_at = stmt_int64(c, st, b + 8);
}

int store_user_insert(store_conn *c, const user_rec *u, int64_t now, int64_t *id_out)
{
	store_stmt *st = NULL;
	user_rec same;
	int rc = store_user_by_name_nocase(c, u->username, &same);

	if (rc != WB_ENOTFOUND)
		return rc == WB_OK ? WB_ECONFLICT : rc;
	rc = conn_query(c, &st,
			"INSERT INTO users (county_code, username, display_name, password_hash, locked, "
			"must_change_password, password_changed_at, created_at) VALUES (?, ?, ?, ?, 0, ?, ?, ?) "
			"RETURNING id",
			"ssssiii", u->county_code, u->username, u->display_name, u->password_hash,
			(int64_t)u->must_change_password, now, now);

	return stmt_result_int64(c, st, rc, WB_ENOTFOUND, id_out);
}

static int user_one(store_conn *c, const char *sql, const char *fmt, const void *key, user_rec *out)
{
	store_stmt *st = NULL;
	int rc = fmt[0] == 's' ? conn_query(c, &st, sql, fmt, (const char *)key)
			       : conn_query(c, &st, sql, fmt, *(const int64_t *)key);

	if (rc != STORE_ROW)
		return rc < 0 ? rc : WB_ENOTFOUND;
	user_row(c, st, 0, out);
	stmt_reset(c, st);
	return WB_OK;
}

int store_user_by_name(store_conn *c, const char *username, user_rec *out)
{
	return user_one(c, "SELECT " USER_COLS " FROM users u WHERE u.username = ?", "s", username, out);
}

int store_user_by_name_nocase(store_conn *c, const char *username, user_rec *out)
{
	/* user names are ASCII (account_username_ok): lower() is enough on both drivers */
	return user_one(c, "SELECT " USER_COLS " FROM users u WHERE lower(u.username) = lower(?) ORDER BY u.id LIMIT 1",
			"s", username, out);
}

int store_user_get(store_conn *c, int64_t id, user_rec *out)
{
	return user_one(c, "SELECT " USER_COLS " FROM users u WHERE u.id = ?", "i", &id, out);
}

int store_user_set_password(store_conn *c, int64_t id, const char *hash, int must_change, int64_t now)
{
	int rc = conn_query(c, NULL,
			    "UPDATE users SET password_hash = ?, must_change_password = ?, password_changed_at = ? "
			    "WHERE id = ?",
			    "siii", hash, (int64_t)must_change, now, id);

	return rc < 0 ? rc : WB_OK;
}

int store_user_set_last_login(store_conn *c, int64_t id, int64_t now)
{
	int rc = conn_query(c, NULL, "UPDATE users SET last_login_at = ? WHERE id = ?", "ii", now, id);

	return rc < 0 ? rc : WB_OK;
}

int store_user_set_display_name(store_conn *c, int64_t id, const char *name)
{
	int rc = conn_query(c, NULL, "UPDATE users SET display_name = ? WHERE id = ?", "si", name, id);

	return rc < 0 ? rc : WB_OK;
}

int store_user_set_locked(store_conn *c, int64_t id, int locked, int64_t now)
{
	int rc = conn_query(c, NULL, "UPDATE users SET locked = ?, locked_at = ? WHERE id = ?", "iii", (int64_t)locked,
			    now, id);

	return rc < 0 ? rc : WB_OK;
}

int store_user_list(store_conn *c, const char *county, user_cb cb, void *arg)
{
	store_stmt *st = NULL;
	int rc = county ? conn_query(c, &st,
				     "SELECT " USER_COLS " FROM users u WHERE u.county_code = ? ORDER BY u.username",
				     "s", county)
			: conn_query(c, &st, "SELECT " USER_COLS " FROM users u ORDER BY u.username", "");

	while (rc == STORE_ROW) {
		user_rec u;

		user_row(c, st, 0, &u);
		rc = cb(&u, arg);
		if (rc == WB_OK)
			rc = stmt_step(c, st);
	}
	stmt_reset(c, st);
	return rc < 0 ? rc : WB_OK;
}

int store_user_count(store_conn *c, const char *county, int64_t *out)
{
	store_stmt *st = NULL;
	int rc = conn_query(c, &st, "SELECT COUNT(*) FROM users WHERE county_code = ?", "s", county);

	*out = 0;
	return stmt_result_int64(c, st, rc, WB_OK, out);
}

/* The columns of a membership (alias m), as member_row reads them from
 * column b on. */
#define MEMBER_COLS "m.id, m.user_id, m.county_code, m.role, COALESCE(m.area_code, ''), COALESCE(m.unit_id, 0)"

static void member_row(store_conn *c, store_stmt *st, int b, membership_rec *m)
{
	memset(m, 0, sizeof(*m));
	m->id = stmt_int64(c, st, b);
	m->user_id = stmt_int64(c, st, b + 1);
	stmt_copy(c, st, b + 2, m->county_code, sizeof(m->county_code));
	stmt_copy(c, st, b + 3, m->role, sizeof(m->role));
	stmt_copy(c, st, b + 4, m->area_code, sizeof(m->area_code));
	m->unit_id = stmt_int64(c, st, b + 5);
}

int store_membership_insert(store_conn *c, const membership_rec *m, int64_t now, int64_t *id_out)
{
	store_stmt *st = NULL;
	store_args a = {0};
	int rc;

	args_text(&a, m->county_code);
	args_int(&a, m->user_id);
	args_text(&a, m->role);
	args_opt_text(&a, m->area_code);
	args_opt_int(&a, m->unit_id);
	args_int(&a, now);
	rc = conn_query_args(c, &st,
			     "INSERT INTO memberships (county_code, user_id, role, area_code, unit_id, created_at) "
			     "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
			     &a);
	return stmt_result_int64(c, st, rc, WB_ESTORE, id_out);
}

int store_membership_list(store_conn *c, int64_t user_id, membership_cb cb, void *arg)
{
	store_stmt *st = NULL;
	int rc = conn_prepare(c, "SELECT " MEMBER_COLS " FROM memberships m WHERE m.user_id = ? ORDER BY m.id", &st);

	if (rc == WB_OK)
		rc = stmt_bind_int64(c, st, 1, user_id);
	while (rc == WB_OK && (rc = stmt_step(c, st)) == STORE_ROW) {
		membership_rec m;

		member_row(c, st, 0, &m);
		rc = cb(&m, arg);
	}
	stmt_reset(c, st);
	return rc < 0 ? rc : WB_OK;
}

int store_membership_list_county(store_conn *c, const char *county, membership_cb cb, void *arg)
{
	store_stmt *st = NULL;
	int rc = conn_query(c, &st,
			    "SELECT " MEMBER_COLS " FROM memberships m JOIN users u ON u.id = m.user_id "
			    "WHERE u.county_code = ? ORDER BY m.user_id, m.id",
			    "s", county);

	while (rc == STORE_ROW) {
		membership_rec m;

		member_row(c, st, 0, &m);
		rc = cb(&m, arg);
		if (rc == WB_OK)
			rc = stmt_step(c, st);
	}
	stmt_reset(c, st);
	return rc < 0 ? rc : WB_OK;
}

int store_membership_count(store_conn *c, int64_t user_id, int64_t *out)
{
	store_stmt *st = NULL;
	int rc = conn_query(c, &st, "SELECT COUNT(*) FROM memberships WHERE user_id = ?", "i", user_id);

	*out = 0;
	return stmt_result_int64(c, st, rc, WB_OK, out);
}

int store_membership_delete(store_conn *c, int64_t id)
{
	int rc = conn_query(c, NULL, "DELETE FROM sessions WHERE membership_id = ?", "i", id);

	if (rc >= 0)
		rc = conn_query(c, NULL, "DELETE FROM memberships WHERE id = ?", "i", id);
	return rc < 0 ? rc : WB_OK;
}

int store_membership_get(store_conn *c, int64_t id, membership_rec *out)
{
	store_stmt *st = NULL;
	int rc = conn_query(c, &st, "SELECT " MEMBER_COLS " FROM memberships m WHERE m.id = ?", "i", id);

	if (rc != STORE_ROW)
		return rc < 0 ? rc : WB_ENOTFOUND;
	member_row(c, st, 0, out);
	stmt_reset(c, st);
	return WB_OK;
}

int store_login_failure_add(store_conn *c, const char *county, int64_t user_id, int64_t now)
{
	int rc = conn_query(c, NULL, "INSERT INTO login_failures (county_code, user_id, at) VALUES (?, ?, ?)", "sii",
			    county, user_id, now);

	return rc < 0 ? rc : WB_OK;
}

int store_login_failures_since(store_conn *c, int64_t user_id, int64_t since, int64_t *count_out)
{
	store_stmt *st = NULL;
	int rc = conn_query(c, &st, "SELECT COUNT(*) FROM login_failures WHERE user_id = ? AND at >= ?", "ii", user_id,
			    since);

	return stmt_result_int64(c, st, rc, WB_ENOTFOUND, count_out);
}

int store_login_failures_clear(store_conn *c, int64_t user_id)
{
	int rc = conn_query(c, NULL, "DELETE FROM login_failures WHERE user_id = ?", "i", user_id);

	return rc < 0 ? rc : WB_OK;
}

int store_session_insert(store_conn *c, const session_rec *s, const char *token_hash, int64_t *id_out)
{
	store_stmt *st = NULL;
	int rc = conn_query(c, &st,
			    "INSERT INTO sessions (county_code, token_hash, csrf_hash, kind, user_id, membership_id, "
			    "created_at, last_seen, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			    "ssssiiiii", s->county_code, token_hash, s->csrf_hash, s->kind, s->user_id,
			    s->membership_id, s->created_at, s->last_seen, s->expires_at);

	return stmt_result_int64(c, st, rc, WB_ENOTFOUND, id_out);
}

int store_session_touch(store_conn *c, int64_t id, int64_t now)
{
	int rc = conn_query(c, NULL, "UPDATE sessions SET last_seen = ? WHERE id = ?", "ii", now, id);

	return rc < 0 ? rc : WB_OK;
}

int store_session_delete(store_conn *c, int64_t id)
{
	int rc = conn_query(c, NULL, "DELETE FROM sessions WHERE id = ?", "i", id);

	return rc < 0 ? rc : WB_OK;
}

int store_session_delete_user(store_conn *c, int64_t user_id)
{
	int rc = conn_query(c, NULL, "DELETE FROM sessions WHERE user_id = ?", "i", user_id);

	return rc < 0 ? rc : WB_OK;
}

int store_session_set_membership(store_conn *c, int64_t id, int64_t membership_id)
{
	int rc = conn_query(c, NULL, "UPDATE sessions SET membership_id = ? WHERE id = ?", "ii", membership_id, id);

	return rc < 0 ? rc : WB_OK;
}

int store_idem_get(store_conn *c, int64_t user_id, const char *key, int64_t not_before, char *method_out, size_t mlen,
		   char *path_out, size_t plen, int *status_out, char **body_out)
{
	store_stmt *st = NULL;
	int rc =
		conn_query(c, &st,
			   "SELECT method, path, status, body FROM idempotency_keys WHERE user_id = ? AND idem_key = ? "
			   "AND created_at >= ?",
			   "isi", user_id, key, not_before);

	*body_out = NULL;
	if (rc != STORE_ROW)
		return rc < 0 ? rc : WB_ENOTFOUND;
	stmt_copy(c, st, 0, method_out, mlen);
	stmt_copy(c, st, 1, path_out, plen);
	*status_out = (int)stmt_int64(c, st, 2);
	*body_out = strdup(stmt_text(c, st, 3) ? stmt_text(c, st, 3) : "");
	stmt_reset(c, st);
	return *body_out ? WB_OK : WB_ENOMEM;
}

int store_idem_put(store_conn *c, int64_t user_id, const char *key, const char *county, const char *method,
		   const char *path, int status, const char *body, int64_t now, int64_t expired_before)
{
	/* answers past their time go first (the same key may come again) */
	int rc = conn_query(c, NULL, "DELETE FROM idempotency_keys WHERE created_at < ?", "i", expired_before);

	if (rc < 0)
		return rc;
	rc = conn_query(c, NULL,
			"INSERT INTO idempotency_keys (user_id, idem_key, county_code, method, path, status, body, "
			"created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			"issssisi", user_id, key, county, method, path, (int64_t)status, body, now);

	return rc < 0 ? rc : WB_OK;
}

int store_session_full(store_conn *c, const char *token_hash, session_rec *s, user_rec *u, membership_rec *m)
{
	store_stmt *st = NULL;
	int rc =
		conn_query(c, &st,
			   "SELECT s.id, s.county_code, s.csrf_hash, s.kind, s.user_id, s.membership_id, s.created_at, "
			   "s.last_seen, s.expires_at, " USER_COLS ", " MEMBER_COLS " FROM sessions s "
			   "JOIN users u ON u.id = s.user_id JOIN memberships m ON m.id = s.membership_id "
			   "WHERE s.token_hash = ?",
			   "s", token_hash);

	if (rc != STORE_ROW)
		return rc < 0 ? rc : WB_ENOTFOUND;
	memset(s, 0, sizeof(*s));
	s->id = stmt_int64(c, st, 0);
	stmt_copy(c, st, 1, s->county_code, sizeof(s->county_code));
	stmt_copy(c, st, 2, s->csrf_hash, sizeof(s->csrf_hash));
	stmt_copy(c, st, 3, s->kind, sizeof(s->kind));
	s->user_id = stmt_int64(c, st, 4);
	s->membership_id = stmt_int64(c, st, 5);
	s->created_at = stmt_int64(c, st, 6);
	s->last_seen = stmt_int64(c, st, 7);
	s->expires_at = stmt_int64(c, st, 8);
	user_row(c, st, 9, u);
	member_row(c, st, 9 + USER_NCOLS, m);
	stmt_reset(c, st);
	return WB_OK;
}
