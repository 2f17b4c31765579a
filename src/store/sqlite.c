/*
 * The SQLite driver. One sqlite3 handle per pooled connection, opened in WAL
 * mode with a busy timeout; prepared statements are cached per connection in
 * a small open-addressing table keyed by the SQL text, so hot queries are
 * compiled once per connection for the life of the process.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "../util/buf.h"
#include "../util/wb.h"
#include "store.h"

#define SQ_CACHE_SLOTS 512

typedef struct sq_slot {
	char *sql;
	sqlite3_stmt *stmt;
} sq_slot;

typedef struct sq_db {
	sqlite3 *db;
	sq_slot cache[SQ_CACHE_SLOTS];
	int cached;
} sq_db;

static void sq_cache_put(sq_db *d, char *sql, sqlite3_stmt *st)
{
	uint64_t h = wb_strhash(sql);

	for (int probe = 0; probe < SQ_CACHE_SLOTS; probe++) {
		size_t slot = (size_t)((h + (uint64_t)probe) % SQ_CACHE_SLOTS);

		if (!d->cache[slot].sql) {
			d->cache[slot].sql = sql;
			d->cache[slot].stmt = st;
			d->cached++;
			return;
		}
	}
}

/* Drops cached statements; with keep_busy, statements in the middle of a
 * result (a caller is iterating them) survive and are re-inserted. */
static void sq_cache_clear(sq_db *d, int keep_busy)
{
	sq_slot keep[SQ_CACHE_SLOTS];
	int nkeep = 0;

	for (int i = 0; i < SQ_CACHE_SLOTS; i++) {
		if (!d->cache[i].sql)
			continue;
		if (keep_busy && sqlite3_stmt_busy(d->cache[i].stmt)) {
			keep[nkeep++] = d->cache[i];
		} else {
			sqlite3_finalize(d->cache[i].stmt);
			free(d->cache[i].sql);
		}
		d->cache[i].stmt = NULL;
		d->cache[i].sql = NULL;
	}
	d->cached = 0;
	for (int i = 0; i < nkeep; i++)
		sq_cache_put(d, keep[i].sql, keep[i].stmt);
}

/* Before the library's first use: no memory statistics (we read none),
 * which would take a global mutex at every allocation of every thread. */
static pthread_once_t sq_once = PTHREAD_ONCE_INIT;

static void sq_configure(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static int sq_open(const char *url, void **db_out, char *err, size_t errlen)
{
	const char *path = url + strlen("sqlite:");
	sq_db *d = calloc(1, sizeof(*d));
	int rc;

	if (!d)
		return WB_ENOMEM;
	pthread_once(&sq_once, sq_configure);
	rc = sqlite3_open_v2(path, &d->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		wb_snprintf(err, errlen, "cannot open SQLite database: %s",
			    d->db ? sqlite3_errmsg(d->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(d->db, 10000);
	sqlite3_extended_result_codes(d->db, 0);
	if (sqlite3_exec(d->db,
			 "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-1024; "
			 "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;",
			 NULL, NULL, NULL) != SQLITE_OK) {
		wb_snprintf(err, errlen, "cannot configure SQLite database: %s", sqlite3_errmsg(d->db));
		goto fail;
	}
	*db_out = d;
	return WB_OK;
fail:
	sqlite3_close(d->db);
	free(d);
	return WB_ESTORE;
}

static void sq_close(void *db)
{
	sq_db *d = db;

	if (!d)
		return;
	sq_cache_clear(d, 0);
	sqlite3_close(d->db);
	free(d);
}

static int sq_map(int rc)
{
	switch (rc) {
	case SQLITE_OK:
	case SQLITE_DONE: return STORE_DONE;
	case SQLITE_ROW: return STORE_ROW;
	case SQLITE_CONSTRAINT: return WB_ECONFLICT;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: return WB_EBUSY;
	case SQLITE_NOMEM: return WB_ENOMEM;
	default: return WB_ESTORE;
	}
}

static int sq_prepare(void *db, const char *sql, void **stmt_out);

/* One statement from the statement cache: parsed once per connection. */
static int sq_exec_one(sq_db *d, const char *sql)
{
	void *st = NULL;
	int rc;

	if (sq_prepare(d, sql, &st) != WB_OK)
		return WB_ESTORE;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) /* a PRAGMA's answer: not wanted */
		rc = SQLITE_DONE;
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? WB_OK : WB_ESTORE;
}

/*
 * What a request and the writer run most — BEGIN, COMMIT, SAVEPOINT, and
 * short lists of them such as "RELEASE SAVEPOINT a; SAVEPOINT a" — run
 * statement by statement from the cache instead of being parsed on every
 * call. A longer script, or one with quotes or comments (where a ';' may
 * not end a statement), goes through sqlite3_exec.
 */
static int sq_exec(void *db, const char *sql)
{
	sq_db *d = db;
	char part[160];
	size_t len = strlen(sql);
	int rc = WB_OK;

	if (!strchr(sql, ';'))
		return sq_exec_one(d, sql);
	if (len >= sizeof(part) || strpbrk(sql, "'\"`[-/"))
		return sq_map(sqlite3_exec(d->db, sql, NULL, NULL, NULL)) == STORE_DONE ? WB_OK : WB_ESTORE;
	for (const char *p = sql; rc == WB_OK && *p;) {
		const char *end = strchr(p, ';');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		while (n && (*p == ' ' || *p == '\n' || *p == '\t')) {
			p++;
			n--;
		}
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\n' || p[n - 1] == '\t'))
			n--;
		if (n) {
			memcpy(part, p, n);
			part[n] = '\0';
			rc = sq_exec_one(d, part);
		}
		p = end ? end + 1 : p + n;
	}
	return rc;
}

static int sq_prepare(void *db, const char *sql, void **stmt_out)
{
	sq_db *d = db;
	uint64_t h = wb_strhash(sql);
	sqlite3_stmt *st = NULL;
	size_t slot;

	for (int probe = 0; probe < SQ_CACHE_SLOTS; probe++) {
		slot = (size_t)((h + (uint64_t)probe) % SQ_CACHE_SLOTS);
		if (!d->cache[slot].sql)
			break;
		if (strcmp(d->cache[slot].sql, sql) == 0) {
			*stmt_out = d->cache[slot].stmt;
			return WB_OK;
		}
	}
	if (sqlite3_prepare_v3(d->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
		return WB_ESTORE;
	if (d->cached >= SQ_CACHE_SLOTS / 2)
		sq_cache_clear(d, 1); /* dynamic SQL flooded the cache: start again */
	{
		char *copy = strdup(sql);

		if (!copy) {
			sqlite3_finalize(st);
			return WB_ENOMEM;
		}
		sq_cache_put(d, copy, st);
	}
	*stmt_out = st;
	return WB_OK;
}

static int sq_bind_int64(void *stmt, int idx, int64_t v)
{
	return sqlite3_bind_int64(stmt, idx, v) == SQLITE_OK ? WB_OK : WB_ESTORE;
}

static int sq_bind_text(void *stmt, int idx, const char *s)
{
	int rc = s ? sqlite3_bind_text(stmt, idx, s, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(stmt, idx);

	return rc == SQLITE_OK ? WB_OK : WB_ESTORE;
}

static int sq_bind_null(void *stmt, int idx)
{
	return sqlite3_bind_null(stmt, idx) == SQLITE_OK ? WB_OK : WB_ESTORE;
}

static int sq_step(void *stmt)
{
	return sq_map(sqlite3_step(stmt));
}

static int64_t sq_column_int64(void *stmt, int col)
{
	return sqlite3_column_int64(stmt, col);
}

static const char *sq_column_text(void *stmt, int col)
{
	return (const char *)sqlite3_column_text(stmt, col);
}

static int sq_column_is_null(void *stmt, int col)
{
	return sqlite3_column_type(stmt, col) == SQLITE_NULL;
}

static void sq_reset(void *stmt)
{
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
}

/* A large load's page cache: random inserts into the indexes (ID numbers,
 * name grams) would otherwise read and write the same pages over and over
 * through a connection's 1 MiB. */
static int sq_bulk_begin(void *db, int64_t *saved)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(((sq_db *)db)->db, "PRAGMA cache_size", -1, &st, NULL);

	*saved = rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (!*saved)
		return WB_ESTORE;
	return sq_exec(db, "PRAGMA cache_size = -65536");
}

static void sq_bulk_end(void *db, int64_t saved)
{
	char sql[64];

	wb_snprintf(sql, sizeof(sql), "PRAGMA cache_size = %lld", (long long)saved);
	sq_exec(db, sql);
}

/* SQLite's online backup in one step: the copy is one read transaction's
 * snapshot (WAL: writers go on meanwhile), then SQLite's quick_check on
 * the copy. */
static int sq_backup(void *db, const char *dest, char *err, size_t errlen)
{
	sq_db *d = db;
	sqlite3 *out = NULL;
	sqlite3_backup *b;
	sqlite3_stmt *st = NULL;
	const char *check;
	int rc;

	rc = sqlite3_open_v2(dest, &out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		wb_snprintf(err, errlen, "cannot create %s: %s", dest, out ? sqlite3_errmsg(out) : "out of memory");
		sqlite3_close(out);
		return WB_EIO;
	}
	sqlite3_busy_timeout(out, 10000);
	b = sqlite3_backup_init(out, "main", d->db, "main");
	if (!b) {
		wb_snprintf(err, errlen, "cannot start the copy: %s", sqlite3_errmsg(out));
		sqlite3_close(out);
		return WB_ESTORE;
	}
	rc = sqlite3_backup_step(b, -1);
	if (sqlite3_backup_finish(b) != SQLITE_OK || rc != SQLITE_DONE) {
		wb_snprintf(err, errlen, "the copy failed: %s", sqlite3_errmsg(out));
		sqlite3_close(out);
		return rc == SQLITE_FULL || rc == SQLITE_IOERR ? WB_EIO : WB_ESTORE;
	}
	rc = sqlite3_prepare_v2(out, "PRAGMA quick_check", -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	check = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
	if (!check || strcmp(check, "ok") != 0) {
		wb_snprintf(err, errlen, "the copy does not pass SQLite's check: %s",
			    check ? check : sqlite3_errmsg(out));
		sqlite3_finalize(st);
		sqlite3_close(out);
		return WB_ESTORE;
	}
	sqlite3_finalize(st);
	if (sqlite3_close(out) != SQLITE_OK) {
		wb_snprintf(err, errlen, "cannot close %s", dest);
		return WB_EIO;
	}
	return WB_OK;
}

static const char *sq_errmsg(void *db)
{
	return sqlite3_errmsg(((sq_db *)db)->db);
}

const store_driver store_sqlite_driver = {
	.name = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.exec = sq_exec,
	.prepare = sq_prepare,
	.bind_int64 = sq_bind_int64,
	.bind_text = sq_bind_text,
	.bind_null = sq_bind_null,
	.step = sq_step,
	.column_int64 = sq_column_int64,
	.column_text = sq_column_text,
	.column_is_null = sq_column_is_null,
	.reset = sq_reset,
	.begin_write_sql = "BEGIN IMMEDIATE",
	.begin_read_sql = "BEGIN",
	.after_load_sql = {"ANALYZE", NULL},
	.index_defs_sql = "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS "
			  "NOT NULL ORDER BY name",
	.failure_keeps_tx = 1,
	.local_statements = 1,
	.name_fold_open = "",
	.name_fold_close = "",
	.id_set_open = " IN (",
	.id_set_close = ")",
	/* the writer's cache is 4 MiB: a larger one was scanned at every commit
	 * (12 % of the CPU with 32 MiB) and held its size in RSS. It checkpoints
	 * the WAL every 400 pages instead of 1,000: the batch that runs a
	 * checkpoint waits for it, and those waits were the reads' p99 (10.0-10.9
	 * ms against 7.0-8.3 ms, the same throughput) */
	.writer_sql = "PRAGMA synchronous=FULL; PRAGMA cache_spill=OFF; PRAGMA cache_size=-4096; "
		      "PRAGMA wal_autocheckpoint=400",
	.migrate_begin_sql = "PRAGMA temp_store=FILE",
	.migrate_end_sql = "PRAGMA temp_store=MEMORY", /* as sq_open sets it */
	.bulk_begin = sq_bulk_begin,
	.bulk_end = sq_bulk_end,
	.size_sql = "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
	.backup = sq_backup,
	.errmsg = sq_errmsg,
};
