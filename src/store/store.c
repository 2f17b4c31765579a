/*
 * The connection pool, the driver wrappers and the migration runner.
 *
 * The pool is a fixed array of connections guarded by one mutex and a
 * condition variable: a request thread takes a connection for the whole
 * request and gives it back, so prepared statements cached by the driver are
 * reused across requests, and each connection is used by one thread at a
 * time (what SQLite and libpq both require).
 *
 * One connection is opened with the pool (a wrong URL or an unreachable
 * server fails there); the others as they are needed, when every open one is
 * taken, up to the pool's size. A command that runs one query at a time
 * thus opens one connection, not the server's sixteen: on PostgreSQL each is
 * a server process whose start costs some tens of milliseconds of CPU. When
 * another connection cannot be opened (the server's max_connections, say),
 * the caller waits for one of those open, as at full size, and no other is
 * tried for 30 seconds.
 */
#include "store.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../util/buf.h"
#include "../util/clock.h"
#include "../util/log.h"
#include "../util/wb.h"
#include "embedded.h"

struct store {
	const store_driver *drv;
	store_conn *conns;
	int *free_stack;
	int nfree;
	int size; /* connections open: conns[0..size) */
	int max;  /* the pool's size */
	char *url;
	int64_t retry_ms; /* no new connection before (clock_mono_ms) */
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static const store_driver *driver_for(const char *url)
{
	if (strncmp(url, "sqlite:", 7) == 0)
		return &store_sqlite_driver;
	if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0)
		return &store_pg_driver;
	return NULL;
}

/* Opens conns[size] and puts it on the free stack (s->mu held, or the
 * store not yet shared). */
static int open_one(store *s, char *err, size_t errlen)
{
	int i = s->size;
	int rc = s->drv->open(s->url, &s->conns[i].db, err, errlen);

	if (rc)
		return rc;
	s->conns[i].drv = s->drv;
	s->conns[i].owner = s;
	s->size = i + 1;
	s->free_stack[s->nfree++] = i;
	return WB_OK;
}

int store_open(const char *url, int size, store **out, char *err, size_t errlen)
{
	const store_driver *drv = driver_for(url);
	store *s = NULL;
	int rc = WB_OK;

	*out = NULL;
	if (!drv) {
		wb_snprintf(err, errlen, "database URL must start with sqlite: or postgresql://");
		return WB_EINVAL;
	}
	if (size < 1 || size > 256) {
		wb_snprintf(err, errlen, "pool size must be 1..256");
		return WB_EINVAL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return WB_ENOMEM;
	s->drv = drv;
	s->max = size;
	s->conns = calloc((size_t)size, sizeof(*s->conns));
	s->free_stack = calloc((size_t)size, sizeof(int));
	s->url = strdup(url);
	if (!s->conns || !s->free_stack || !s->url) {
		rc = WB_ENOMEM;
		goto out;
	}
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	rc = open_one(s, err, errlen);
out:
	if (rc) {
		store_close(s);
		return rc;
	}
	*out = s;
	return WB_OK;
}

void store_close(store *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->size; i++)
		s->drv->close(s->conns[i].db);
	if (s->conns) {
		pthread_mutex_destroy(&s->mu);
		pthread_cond_destroy(&s->cv);
	}
	free(s->conns);
	free(s->free_stack);
	free(s->url);
	free(s);
}

int store_open_count(store *s)
{
	int n;

	pthread_mutex_lock(&s->mu);
	n = s->size;
	pthread_mutex_unlock(&s->mu);
	return n;
}

const char *store_driver_name(const store *s)
{
	return s->drv->name;
}

store_conn *store_acquire(store *s)
{
	store_conn *c;

	pthread_mutex_lock(&s->mu);
	if (s->nfree == 0 && s->size < s->max && clock_mono_ms() >= s->retry_ms) {
		/* under the lock: at most max - 1 times in the pool's life */
		char err[256];

		if (open_one(s, err, sizeof(err)) != WB_OK) {
			log_error("store: could not open connection %d of %d, waiting for one: %s", s->size + 1, s->max,
				  err);
			s->retry_ms = clock_mono_ms() + 30000; /* not at every request */
		}
	}
	while (s->nfree == 0)
		pthread_cond_wait(&s->cv, &s->mu);
	c = &s->conns[s->free_stack[--s->nfree]];
	pthread_mutex_unlock(&s->mu);
	return c;
}

void store_release(store_conn *c)
{
	store *s;

	if (!c)
		return;
	s = c->owner;
	if (c->in_tx)
		conn_rollback(c);
	pthread_mutex_lock(&s->mu);
	s->free_stack[s->nfree++] = (int)(c - s->conns);
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

int conn_exec(store_conn *c, const char *sql)
{
	int rc = c->drv->exec(c->db, sql);

	if (rc)
		log_error("store: exec failed: %s", c->drv->errmsg(c->db));
	return rc;
}

/* Prepares sql; with replan, for a plan made at every execution where the
 * driver has one (prepare_replan). */
static int prepare_as(store_conn *c, const char *sql, int replan, store_stmt **stmt_out)
{
	void *st = NULL;
	int rc = replan && c->drv->prepare_replan ? c->drv->prepare_replan(c->db, sql, &st)
						  : c->drv->prepare(c->db, sql, &st);

	if (rc) {
		log_error("store: prepare failed: %s", c->drv->errmsg(c->db));
		return rc;
	}
	*stmt_out = st;
	return WB_OK;
}

int conn_prepare(store_conn *c, const char *sql, store_stmt **stmt_out)
{
	return prepare_as(c, sql, 0, stmt_out);
}

int stmt_bind_int64(store_conn *c, store_stmt *st, int idx, int64_t v)
{
	return c->drv->bind_int64(st, idx, v);
}

int stmt_bind_text(store_conn *c, store_stmt *st, int idx, const char *s)
{
	return c->drv->bind_text(st, idx, s);
}

int stmt_bind_null(store_conn *c, store_stmt *st, int idx)
{
	return c->drv->bind_null(st, idx);
}

int stmt_step(store_conn *c, store_stmt *st)
{
	int rc = c->drv->step(st);

	if (rc < 0 && rc != WB_ECONFLICT)
		log_error("store: step failed: %s", c->drv->errmsg(c->db));
	return rc;
}

int64_t stmt_int64(store_conn *c, store_stmt *st, int col)
{
	return c->drv->column_int64(st, col);
}

const char *stmt_text(store_conn *c, store_stmt *st, int col)
{
	return c->drv->column_text(st, col);
}

int stmt_is_null(store_conn *c, store_stmt *st, int col)
{
	return c->drv->column_is_null(st, col);
}

void stmt_reset(store_conn *c, store_stmt *st)
{
	if (st)
		c->drv->reset(st);
}

/* Runs sql, a BEGIN of some kind: on success the connection is in a
 * transaction (which store_release rolls back if it is left open). */
static int begin_with(store_conn *c, const char *sql)
{
	int rc = conn_exec(c, sql);

	if (rc == WB_OK)
		c->in_tx = 1;
	return rc;
}

int conn_begin(store_conn *c)
{
	return begin_with(c, "BEGIN");
}

int conn_begin_read(store_conn *c)
{
	return c->drv->begin_read_sql ? begin_with(c, c->drv->begin_read_sql) : WB_ENOTFOUND;
}

int conn_begin_snapshot(store_conn *c)
{
	/* SQLite's read transaction holds its snapshot from its first read */
	return begin_with(c, c->drv->local_statements ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
}

int conn_begin_write(store_conn *c)
{
	return begin_with(c, c->drv->begin_write_sql);
}

int conn_commit(store_conn *c)
{
	int rc = conn_exec(c, "COMMIT");

	if (rc) {
		conn_rollback(c);
		return rc;
	}
	c->in_tx = 0;
	return WB_OK;
}

int conn_rollback(store_conn *c)
{
	int rc = c->drv->exec(c->db, "ROLLBACK");

	c->in_tx = 0;
	return rc;
}

/* The end of a one-step query: a row stays positioned in *stmt_out (the
 * caller resets); otherwise the statement is reset at once. */
static int query_done(store_conn *c, store_stmt *st, int rc, store_stmt **stmt_out)
{
	if (rc == STORE_ROW && stmt_out) {
		*stmt_out = st;
		return rc;
	}
	stmt_reset(c, st);
	return rc;
}

int conn_query(store_conn *c, store_stmt **stmt_out, const char *sql, const char *fmt, ...)
{
	store_stmt *st = NULL;
	va_list ap;
	int rc, idx = 1;

	if (stmt_out)
		*stmt_out = NULL;
	rc = conn_prepare(c, sql, &st);
	if (rc)
		return rc;
	va_start(ap, fmt);
	for (const char *f = fmt; *f && rc == WB_OK; f++, idx++) {
		if (*f == 'i') {
			rc = stmt_bind_int64(c, st, idx, va_arg(ap, int64_t));
		} else if (*f == 's') {
			rc = stmt_bind_text(c, st, idx, va_arg(ap, const char *));
		} else {
			rc = WB_EINVAL;
		}
	}
	va_end(ap);
	if (rc == WB_OK)
		rc = stmt_step(c, st);
	return query_done(c, st, rc, stmt_out);
}

int conn_query_args(store_conn *c, store_stmt **stmt_out, const char *sql, const store_args *a)
{
	store_stmt *st = NULL;
	int rc;

	if (stmt_out)
		*stmt_out = NULL;
	rc = conn_prepare_args(c, sql, a, &st);
	if (rc)
		return rc;
	return query_done(c, st, stmt_step(c, st), stmt_out);
}

int stmt_result_int64(store_conn *c, store_stmt *st, int rc, int if_none, int64_t *v_out)
{
	if (rc != STORE_ROW)
		return rc < 0 ? rc : if_none;
	*v_out = stmt_int64(c, st, 0);
	stmt_reset(c, st);
	return WB_OK;
}

/* ---- migrations ---- */

int store_latest_version(void)
{
	return (int)embedded_migrations_sqlite_count;
}

int store_schema_version(store_conn *c, int *version_out)
{
	store_stmt *st = NULL;
	int64_t version = 0;
	int rc;

	*version_out = 0;
	rc = conn_exec(c, "CREATE TABLE IF NOT EXISTS schema_migrations ("
			  "version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)");
	if (rc)
		return rc;
	rc = conn_query(c, &st, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", "");
	rc = stmt_result_int64(c, st, rc, WB_ESTORE, &version);
	*version_out = (int)version;
	return rc;
}

int store_byte_order(store *s)
{
	store_conn *c = store_acquire(s);
	store_stmt *st = NULL;
	/* area codes are compared as ranges: a township's villages are the
	 * codes from '370831001' up to '370831001:' (':' follows '9' in bytes) */
	int rc = conn_query(c, &st, "SELECT CASE WHEN CAST(? AS TEXT) < CAST(? AS TEXT) THEN 1 ELSE 0 END", "ss",
			    "370831001001", "370831001:");

	if (rc == STORE_ROW) {
		rc = stmt_int64(c, st, 0) == 1 ? WB_OK : WB_EINVAL;
		stmt_reset(c, st);
	} else {
		rc = rc < 0 ? rc : WB_ESTORE;
	}
	store_release(c);
	return rc;
}

int store_migrate(store *s, int *version_out)
{
	store_conn *c = store_acquire(s);
	int is_pg = s->drv == &store_pg_driver;
	int version = 0, settings = 0, rc;

	rc = store_schema_version(c, &version);
	if (rc)
		goto out;
	if (version > store_latest_version()) {
		rc = WB_ESCHEMA;
		goto out;
	}
	if (version < store_latest_version() && c->drv->migrate_begin_sql) {
		rc = conn_exec(c, c->drv->migrate_begin_sql);
		if (rc)
			goto out;
		settings = 1;
	}
	for (size_t i = (size_t)version; i < embedded_migrations_sqlite_count; i++) {
		const embedded_file *m = is_pg ? &embedded_migrations_pg[i] : &embedded_migrations_sqlite[i];

		rc = conn_begin_write(c);
		if (rc)
			goto out;
		rc = conn_exec(c, (const char *)m->data);
		if (rc == WB_OK)
			rc = conn_query(c, NULL, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
					"ii", (int64_t)(i + 1), clock_now());
		if (rc < 0) {
			log_error("store: migration %s failed", m->name);
			conn_rollback(c);
			goto out;
		}
		rc = conn_commit(c);
		if (rc)
			goto out;
		log_info("store: applied migration %s", m->name);
		version = (int)i + 1;
	}
	rc = WB_OK;
out:
	if (settings && c->drv->migrate_end_sql && conn_exec(c, c->drv->migrate_end_sql) != WB_OK && rc == WB_OK)
		rc = WB_ESTORE;
	*version_out = version;
	store_release(c);
	return rc;
}

void args_int(store_args *a, int64_t v)
{
	if (a->n >= STORE_ARGS_MAX) {
		a->n = STORE_ARGS_MAX + 1;
		return;
	}
	a->type[a->n] = 'i';
	a->i[a->n++] = v;
}

void args_text(store_args *a, const char *s)
{
	if (a->n >= STORE_ARGS_MAX) {
		a->n = STORE_ARGS_MAX + 1;
		return;
	}
	a->type[a->n] = 's';
	a->s[a->n++] = s;
}

void args_append_part(store_args *to, const store_args *from, int lo, int hi)
{
	for (int i = lo; i < hi && i < from->n && i < STORE_ARGS_MAX; i++) {
		if (from->type[i] == 'i')
			args_int(to, from->i[i]);
		else
			args_text(to, from->s[i]);
	}
}

void args_append(store_args *to, const store_args *from)
{
	args_append_part(to, from, 0, from->n);
}

const char *store_null_if_empty(const char *s)
{
	return s && s[0] ? s : NULL;
}

void args_opt_text(store_args *a, const char *s)
{
	args_text(a, store_null_if_empty(s));
}

void args_opt_int(store_args *a, int64_t v)
{
	if (v)
		args_int(a, v);
	else
		args_text(a, NULL);
}

int stmt_bind_args_at(store_conn *c, store_stmt *st, int first, const store_args *a)
{
	int rc = WB_OK;

	if (a->n > STORE_ARGS_MAX)
		return WB_EINVAL;
	for (int k = 0; k < a->n && rc == WB_OK; k++)
		rc = a->type[k] == 'i' ? stmt_bind_int64(c, st, first + k, a->i[k])
				       : stmt_bind_text(c, st, first + k, a->s[k]);
	return rc;
}

int stmt_bind_args(store_conn *c, store_stmt *st, const store_args *a)
{
	return stmt_bind_args_at(c, st, 1, a);
}

int store_chunk_rows(int n, int max)
{
	int k = 1;

	while (k * 2 <= n && k * 2 <= max)
		k *= 2;
	return k;
}

int store_chunk_rows_up(int n, int max)
{
	int k = 1;

	while (k < n && k * 2 <= max)
		k *= 2;
	return k;
}

int conn_prepare_rows(store_conn *c, const char *head, const char *tuple, int nrows, const char *tail,
		      store_stmt **stmt_out)
{
	buf sql;
	int rc;

	buf_init(&sql, 1u << 20);
	rc = buf_puts(&sql, head);
	for (int i = 0; rc == WB_OK && i < nrows; i++) {
		if (i)
			rc = buf_puts(&sql, ", ");
		if (rc == WB_OK)
			rc = buf_puts(&sql, tuple);
	}
	if (rc == WB_OK && tail)
		rc = buf_puts(&sql, tail);
	if (rc == WB_OK)
		rc = conn_prepare(c, sql.data, stmt_out);
	buf_cleanup(&sql);
	return rc;
}

void stmt_copy(store_conn *c, store_stmt *st, int col, char *dst, size_t n)
{
	const char *s = stmt_text(c, st, col);

	wb_strlcpy(dst, s ? s : "", n);
}

static int prepare_args_as(store_conn *c, const char *sql, int replan, const store_args *a, store_stmt **stmt_out)
{
	int rc = prepare_as(c, sql, replan, stmt_out);

	if (rc == WB_OK && (rc = stmt_bind_args(c, *stmt_out, a)) != WB_OK)
		stmt_reset(c, *stmt_out);
	return rc;
}

int conn_prepare_args(store_conn *c, const char *sql, const store_args *a, store_stmt **stmt_out)
{
	return prepare_args_as(c, sql, 0, a, stmt_out);
}

int conn_prepare_args_replan(store_conn *c, const char *sql, const store_args *a, store_stmt **stmt_out)
{
	return prepare_args_as(c, sql, 1, a, stmt_out);
}

void store_indexes_free(store_indexes *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->sql[i]);
	s->n = 0;
}

int store_plain_name(const char *s)
{
	if (!s || !*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

int store_indexes_drop(store_conn *c, const char *table, store_indexes *s)
{
	char names[STORE_INDEXES_MAX][64];
	store_stmt *st = NULL;
	int rc;

	s->n = 0;
	if (!c->drv->index_defs_sql)
		return WB_OK;
	rc = conn_prepare(c, c->drv->index_defs_sql, &st);
	if (rc == WB_OK)
		rc = stmt_bind_text(c, st, 1, table);
	while (rc == WB_OK && (rc = stmt_step(c, st)) == STORE_ROW) {
		const char *name = stmt_text(c, st, 0), *sql = stmt_text(c, st, 1);

		rc = WB_OK;
		if (!store_plain_name(name) || strlen(name) >= sizeof(names[0]) || !sql || s->n == STORE_INDEXES_MAX)
			continue; /* left in place */
		if (!(s->sql[s->n] = strdup(sql))) {
			rc = WB_ENOMEM;
			break;
		}
		wb_strlcpy(names[s->n++], name, sizeof(names[0]));
	}
	if (st)
		stmt_reset(c, st);
	for (int i = 0; rc >= 0 && i < s->n; i++) {
		char sql[96];

		wb_snprintf(sql, sizeof(sql), "DROP INDEX %s", names[i]);
		rc = conn_exec(c, sql);
	}
	if (rc < 0)
		store_indexes_free(s);
	return rc < 0 ? rc : WB_OK;
}

int store_indexes_build(store_conn *c, store_indexes *s)
{
	int rc = WB_OK;

	for (int i = 0; rc == WB_OK && i < s->n; i++)
		rc = conn_exec(c, s->sql[i]);
	store_indexes_free(s);
	return rc;
}

int store_backup(store *s, const char *dest, char *err, size_t errlen)
{
	store_conn *c;
	int rc;

	if (!s->drv->backup) {
		wb_snprintf(err, errlen, "the %s driver has no backup of its own", s->drv->name);
		return WB_EINVAL;
	}
	c = store_acquire(s);
	rc = c->drv->backup(c->db, dest, err, errlen);
	store_release(c);
	return rc;
}

int store_bulk_begin(store_conn *c, store_bulk *b)
{
	int rc = c->drv->bulk_begin ? c->drv->bulk_begin(c->db, &b->saved) : WB_OK;

	b->active = rc == WB_OK;
	return rc;
}

void store_bulk_end(store_conn *c, store_bulk *b)
{
	if (b->active && c->drv->bulk_end)
		c->drv->bulk_end(c->db, b->saved);
	b->active = 0;
}

int store_writer_setup(store_conn *c)
{
	return c->drv->writer_sql ? conn_exec(c, c->drv->writer_sql) : WB_OK;
}

int store_group_rows(store_conn *c, const char *sql, const store_args *a, int with_key, int nums, store_group_cb cb,
		     void *arg)
{
	store_stmt *st = NULL;
	int rc = conn_query_args(c, &st, sql, a);

	while (rc == STORE_ROW) {
		int64_t n[3] = {0, 0, 0};
		const char *g = stmt_text(c, st, 0);

		for (int i = 0; i < nums && i < 3; i++)
			n[i] = stmt_int64(c, st, 1 + with_key + i);
		rc = cb(g ? g : "", with_key ? stmt_text(c, st, 1) : NULL, n, arg);
		if (rc == WB_OK)
			rc = stmt_step(c, st);
	}
	if (st)
		stmt_reset(c, st);
	return rc < 0 ? rc : WB_OK;
}
