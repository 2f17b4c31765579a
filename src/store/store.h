/*
 * The storage layer: one driver table, two drivers (SQLite and PostgreSQL),
 * a connection pool, and the query modules built on top.
 *
 * SQL is written once, in the subset both dialects accept, with `?`
 * placeholders; the PostgreSQL driver rewrites them to $n when it prepares.
 * Values are always bound, never pasted into SQL. Where the dialects really
 * differ, the driver exposes a capability (begin_write) instead of #ifdefs.
 *
 * Ownership: a store owns its connections. A caller takes one connection
 * with store_acquire() for the length of a request and gives it back with
 * store_release(). Statements returned by conn_prepare() belong to the
 * connection's cache: never free them, always conn_reset() when done.
 */
#ifndef WB_STORE_H
#define WB_STORE_H

#include <stddef.h>
#include <stdint.h>

enum store_step { STORE_ROW = 1, STORE_DONE = 0 };

typedef struct store store;
typedef struct store_conn store_conn;
typedef struct store_stmt store_stmt;

/* A driver: every function returns WB_OK or a negative WB_ code unless noted. */
typedef struct store_driver {
	const char *name; /* "sqlite" or "postgresql" */
	/* Opens one connection to url (already stripped of nothing: full URL). */
	int (*open)(const char *url, void **db_out, char *err, size_t errlen);
	void (*close)(void *db);
	/* Runs SQL without parameters or results (may hold several statements). */
	int (*exec)(void *db, const char *sql);
	/* Prepares (or returns the cached) statement for sql. */
	int (*prepare)(void *db, const char *sql, void **stmt_out);
	/* The same for a statement whose best plan depends on its values: the
	 * server plans it again for each execution (PostgreSQL). NULL: the
	 * driver's plans do not outlive the values (SQLite), prepare serves. */
	int (*prepare_replan)(void *db, const char *sql, void **stmt_out);
	int (*bind_int64)(void *stmt, int idx, int64_t v);
	/* Binds text; the driver copies it. s == NULL binds NULL. */
	int (*bind_text)(void *stmt, int idx, const char *s);
	int (*bind_null)(void *stmt, int idx);
	/* STORE_ROW, STORE_DONE, or a negative WB_ code (WB_ECONFLICT for a
	 * unique/foreign-key violation, WB_EBUSY for lock timeouts). */
	int (*step)(void *stmt);
	int64_t (*column_int64)(void *stmt, int col);
	/* Returns NULL for SQL NULL. Valid until the next step/reset. */
	const char *(*column_text)(void *stmt, int col);
	int (*column_is_null)(void *stmt, int col);
	/* Clears bindings and results so the statement can be reused. */
	void (*reset)(void *stmt);
	/* BEGIN for a transaction that will write (SQLite: BEGIN IMMEDIATE). */
	const char *begin_write_sql;
	/* BEGIN for the reads of one request, or NULL where a transaction
	 * costs more than it saves. SQLite: outside a transaction each
	 * statement finds the WAL changed by the writer and starts from an
	 * empty page cache. PostgreSQL: BEGIN and COMMIT are two round trips. */
	const char *begin_read_sql;
	/* After a bulk load, outside any transaction, one after the other (a
	 * NULL ends the list): the planner's statistics and, on PostgreSQL, the
	 * visibility map (VACUUM), without which an index-only scan reads every
	 * row until autovacuum comes by. */
	const char *after_load_sql[3];
	/* Inside a bulk load's transaction: its commit waits until its WAL is
	 * on disk (NULL if commits always do). PostgreSQL marks a row visible
	 * to all (the hint bit VACUUM needs to set the visibility map) only once
	 * the inserting commit's WAL is flushed; with synchronous_commit = off
	 * the VACUUM of after_load_sql, run at once, left the map empty. */
	const char *load_commit_sql;
	/* The names and definitions of a table's secondary indexes (one
	 * parameter: the table), for bulk loads that drop them and build them
	 * again in one sort each (store_indexes_drop); NULL where dropping an
	 * index would stop the server's readers (PostgreSQL locks the table
	 * until the load commits). */
	const char *index_defs_sql;
	/* A failed statement leaves the transaction usable (SQLite: the
	 * statement alone is undone). PostgreSQL aborts the transaction: work
	 * that must go on after a failure needs a savepoint around it. */
	int failure_keeps_tx;
	/* A statement costs no round trip (SQLite runs in the process): a few
	 * small statements cost less than one that gathers their rows and
	 * sorts them. Where a statement is a round trip (PostgreSQL), one does. */
	int local_statements;
	/* Around a child's name (open, the column, close) as a name search
	 * compares it with LIKE to a query whose ASCII letters are small: the
	 * search ignores the case of ASCII letters (Anna, anna) and of nothing
	 * else. SQLite's LIKE already does (both ""); PostgreSQL's is made to
	 * with translate() (lower() and ILIKE follow the locale beyond ASCII). */
	const char *name_fold_open, *name_fold_close;
	/* Around a subquery of ids that a query's rows are taken from ("c.id"
	 * open subquery close), where the subquery finds a few thousand ids
	 * and the table holds a county. SQLite: IN, looked up by id.
	 * PostgreSQL: = ANY (ARRAY(...)), which it also looks up by id; with
	 * IN it estimates the subquery's rows and read the county's children
	 * in full to hash them (the matching: 180 against 17 ms). */
	const char *id_set_open, *id_set_close;
	/* Settings for the connection that writes (and waits for) every commit
	 * (the audit writer), or NULL (SQLite: commits that are durable, a
	 * page cache that does not spill into the WAL before the commit). */
	const char *writer_sql;
	/* Around pending migrations (before the first, after the last), or
	 * NULL. SQLite: the sorts and copies of a migration that rebuilds a
	 * large table (0007 copies the audit log and builds its indexes) go to
	 * temporary files, not memory: 2 million audit entries took 560 MiB of
	 * RAM with the connections' temp_store=MEMORY, 10 MiB with FILE. */
	const char *migrate_begin_sql, *migrate_end_sql;
	/* A large load inside a transaction (an import): applies the driver's
	 * settings for it, keeping in *saved what store_bulk_end needs to undo
	 * them; store_bulk_end (may be NULL) after the transaction. SQLite: a
	 * 64 MiB page cache instead of the connection's; PostgreSQL: index
	 * lookups for every statement, planned with the statistics of before
	 * the load. */
	int (*bulk_begin)(void *db, int64_t *saved);
	void (*bulk_end)(void *db, int64_t saved);
	/* One row, one column: the database's size in bytes. */
	const char *size_sql;
	/* Writes a consistent copy of the database to the file dest (a new
	 * file) while others go on reading and writing, and checks the copy;
	 * NULL where the database has its own tools (PostgreSQL: pg_dump). On
	 * failure err says why (paths and library messages, no data). */
	int (*backup)(void *db, const char *dest, char *err, size_t errlen);
	/* Last error message of the connection, for server logs (no data). */
	const char *(*errmsg)(void *db);
} store_driver;

extern const store_driver store_sqlite_driver;
extern const store_driver store_pg_driver;

struct store_conn {
	const store_driver *drv;
	void *db;
	int in_tx;
	store *owner;
};

struct store_stmt; /* opaque, driver-defined */

/* Opens a pool of up to `size` connections to url ("sqlite:PATH" or
 * "postgresql://..."): one now, the others when all those open are taken.
 * Returns WB_OK and *out, or an error with a message in err (no secrets in
 * it). */
int store_open(const char *url, int size, store **out, char *err, size_t errlen);
/* Closes every connection. Callers must have released all of them. */
void store_close(store *s);
/* How many of the pool's connections are open now. */
int store_open_count(store *s);
/* Name of the driver in use ("sqlite" or "postgresql"). */
const char *store_driver_name(const store *s);

/* Takes a connection from the pool, waiting while all are busy. */
store_conn *store_acquire(store *s);
/* Gives a connection back; a transaction left open is rolled back. */
void store_release(store_conn *c);

/* Thin wrappers over the driver table. */
int conn_exec(store_conn *c, const char *sql);
int conn_prepare(store_conn *c, const char *sql, store_stmt **stmt_out);
int stmt_bind_int64(store_conn *c, store_stmt *st, int idx, int64_t v);
int stmt_bind_text(store_conn *c, store_stmt *st, int idx, const char *s);
int stmt_bind_null(store_conn *c, store_stmt *st, int idx);
int stmt_step(store_conn *c, store_stmt *st);
int64_t stmt_int64(store_conn *c, store_stmt *st, int col);
const char *stmt_text(store_conn *c, store_stmt *st, int col);
int stmt_is_null(store_conn *c, store_stmt *st, int col);
void stmt_reset(store_conn *c, store_stmt *st);

/* Transactions. begin_write is for transactions that will write. */
int conn_begin(store_conn *c);
int conn_begin_write(store_conn *c);
/* Starts a read-only request's transaction where the driver gains from one
 * (begin_read_sql). WB_OK if one was started (commit it), WB_ENOTFOUND if
 * the driver has none, or an error. */
int conn_begin_read(store_conn *c);
/* A read-only transaction that sees one snapshot throughout, on either
 * driver: a long read beside the writer (the daily matching). */
int conn_begin_snapshot(store_conn *c);
int conn_commit(store_conn *c);
int conn_rollback(store_conn *c);

/*
 * Convenience: prepare sql, bind the arguments described by fmt, and step
 * once. fmt has one letter per `?`: 'i' int64_t, 's' const char * (NULL
 * binds NULL). Returns STORE_ROW / STORE_DONE / error; on STORE_ROW the
 * statement is left positioned in *stmt_out (caller resets). With stmt_out
 * NULL the statement is reset at once.
 */
int conn_query(store_conn *c, store_stmt **stmt_out, const char *sql, const char *fmt, ...);
/*
 * The end of a query that answers one number (an id from RETURNING, a
 * version, a count): given the query's result rc and its statement, on
 * STORE_ROW *v_out gets column 0, the statement is reset and WB_OK is
 * returned; with no row, if_none (*v_out untouched); an error is returned
 * as it is.
 */
int stmt_result_int64(store_conn *c, store_stmt *st, int rc, int if_none, int64_t *v_out);

/* WB_OK if the database compares text in byte order (area-code ranges
 * need it); WB_EINVAL if it sorts by language rules (a PostgreSQL database
 * created with a non-C collation). */
int store_byte_order(store *s);

/* Migrations: applies every embedded migration newer than the database's
 * version, each in its own transaction. WB_ESCHEMA if the database is newer
 * than this binary. *version_out gets the resulting version. */
int store_migrate(store *s, int *version_out);
/* Current schema version of the database (0 if empty). */
int store_schema_version(store_conn *c, int *version_out);
/* Highest migration this binary knows. */
int store_latest_version(void);

/* ---- dynamic argument lists for queries built at run time ---- */

#define STORE_ARGS_MAX 96

typedef struct store_args {
	int n;
	char type[STORE_ARGS_MAX];
	int64_t i[STORE_ARGS_MAX];
	const char *s[STORE_ARGS_MAX];
	char scratch[32];   /* short derived values a query binds (live with the args) */
	char scratch2[200]; /* a name query with its % _ \ escaped: twice a name, 96 bytes */
} store_args;

/* Append one argument; fail silently past STORE_ARGS_MAX (bind then fails). */
void args_int(store_args *a, int64_t v);
void args_text(store_args *a, const char *s);
/* Append from's arguments to to's, in order. */
void args_append(store_args *to, const store_args *from);
/* Append from's arguments lo..hi-1 to to's, in order. */
void args_append_part(store_args *to, const store_args *from, int lo, int hi);
/* s, or NULL if s is NULL or empty: an optional text that was not given is
 * stored as SQL NULL rather than ''. */
const char *store_null_if_empty(const char *s);
/* Optional values: s (NULL if empty, as above); v, or NULL if it is 0 (an
 * id or a time that is not set). */
void args_opt_text(store_args *a, const char *s);
void args_opt_int(store_args *a, int64_t v);
/* Binds a's arguments to ? 1..n. */
int stmt_bind_args(store_conn *c, store_stmt *st, const store_args *a);
/* Binds a's arguments to ? first..first+n-1 (one row of a multi-row statement). */
int stmt_bind_args_at(store_conn *c, store_stmt *st, int first, const store_args *a);

/*
 * Multi-row statements: head, then nrows copies of tuple separated by
 * commas, then tail (may be NULL), prepared (and cached) like conn_prepare.
 * Callers split n rows into chunks of store_chunk_rows(n, max) rows — a
 * power of two, at most max — so that a few statement texts serve every
 * batch size. Keep nrows * (placeholders per tuple) under
 * STORE_MULTI_PARAMS, which both drivers accept.
 */
#define STORE_MULTI_PARAMS 32766
int store_chunk_rows(int n, int max);
/* For statements that may repeat a row (an IN list, an INSERT ... ON
 * CONFLICT DO NOTHING): the smallest power of two >= n, at most max, so
 * that n rows take one statement, the last row repeated to fill it. */
int store_chunk_rows_up(int n, int max);
int conn_prepare_rows(store_conn *c, const char *head, const char *tuple, int nrows, const char *tail,
		      store_stmt **stmt_out);
/* Prepares sql (cached) and binds a's arguments: the statement is ready to
 * step in *stmt_out (reset it when done, as for conn_prepare). */
int conn_prepare_args(store_conn *c, const char *sql, const store_args *a, store_stmt **stmt_out);
/* The same, planned for its values at every execution instead of once for
 * any values (store_driver.prepare_replan): for a statement whose rows
 * differ by orders of magnitude with its values, when planning (~0.3-0.5 ms
 * on PostgreSQL) costs less than the wrong plan. */
int conn_prepare_args_replan(store_conn *c, const char *sql, const store_args *a, store_stmt **stmt_out);
/* conn_query with its values in a store_args list (a query whose
 * arguments are built at run time, or too many for a format string). */
int conn_query_args(store_conn *c, store_stmt **stmt_out, const char *sql, const store_args *a);

/*
 * Bulk loads: inside the load's transaction, a table's secondary indexes
 * are dropped (their definitions kept in s) and built again at the end
 * from the loaded table, one sort each, instead of one random B-tree
 * insert per row and index. If the load fails, its rollback brings them
 * back. Only where the driver allows it (index_defs_sql); elsewhere
 * nothing is dropped (s->n == 0).
 */
/* 1 if s is a name (of a table or an index) that a statement may hold as it
 * is: small letters, digits and '_' only. */
int store_plain_name(const char *s);
#define STORE_INDEXES_MAX 16
typedef struct store_indexes {
	int n;
	char *sql[STORE_INDEXES_MAX];
} store_indexes;
int store_indexes_drop(store_conn *c, const char *table, store_indexes *s);
/* Builds the indexes again (and forgets them: s is empty afterwards). */
int store_indexes_build(store_conn *c, store_indexes *s);
void store_indexes_free(store_indexes *s);

/* The driver's settings for a large load in the current transaction
 * (store_driver.bulk_begin), and their undoing afterwards. */
typedef struct store_bulk {
	int64_t saved;
	int active;
} store_bulk;
int store_bulk_begin(store_conn *c, store_bulk *b);
void store_bulk_end(store_conn *c, store_bulk *b);
/* store_driver.backup on a connection of s: WB_OK, WB_EINVAL where the
 * driver has none, or the failure (err says why). */
int store_backup(store *s, const char *dest, char *err, size_t errlen);
/* Applies store_driver.writer_sql to the audit writer's connection. */
int store_writer_setup(store_conn *c);

/*
 * Figures by group (GROUP BY queries): runs sql with a's arguments and hands
 * each row to cb — the text of column 0 (the group, "" for NULL), the text
 * of column 1 when with_key (else NULL), and the next nums columns (at
 * most 3) as numbers.
 */
typedef int (*store_group_cb)(const char *group, const char *key, const int64_t n[3], void *arg);
int store_group_rows(store_conn *c, const char *sql, const store_args *a, int with_key, int nums, store_group_cb cb,
		     void *arg);

/* Copies column col as text into dst (size n); NULL becomes "". */
void stmt_copy(store_conn *c, store_stmt *st, int col, char *dst, size_t n);

#endif
