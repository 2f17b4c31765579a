/*
 * The PostgreSQL driver (libpq).
 *
 * Why it is built this way:
 * - One PGconn per pooled connection, set to UTF-8, UTC and
 *   standard_conforming_strings at connect time, so text, timestamps and
 *   literals mean the same thing whatever the server's defaults are.
 * - Queries are written once with `?` (what both drivers accept). prepare
 *   rewrites them to $1..$n, leaving alone any `?` inside string literals,
 *   quoted identifiers, comments and dollar quotes, and PQprepare()s the
 *   result under a name unique to the connection. Values always travel as
 *   separate text parameters, never pasted into the SQL.
 * - Prepared statements are cached per connection in an open-addressing
 *   table keyed by the SQL text, as in the SQLite driver. When dynamic SQL
 *   floods it, the idle statements are DEALLOCATEd and dropped; statements
 *   a caller still holds (between prepare and reset) survive.
 * - A statement whose best plan depends on its values (prepare_replan) is
 *   cached the same way but never PQprepare()d: step() sends it with
 *   PQexecParams, so the server plans it for each execution's values (a
 *   custom plan). A prepared statement gets, after five executions, one
 *   generic plan for any values, chosen from average estimates.
 * - step() runs the statement on its first call and then walks the rows of
 *   the result, which libpq has fetched whole. SQLSTATE classes map to WB_
 *   codes: 23 (constraint) is a conflict, serialization failures, deadlocks
 *   and lock timeouts are "busy".
 * - A dropped connection is reset (once per call) at the next prepare, step
 *   or exec, and every cached statement is marked to be prepared again. If
 *   the connection was inside a transaction, that transaction is gone:
 *   everything fails until the caller rolls back, so the rest of a
 *   half-done transaction can never commit on its own.
 * - The message kept for errmsg() is the primary message and SQLSTATE only:
 *   DETAIL lines (which quote key values) are dropped and data-exception
 *   messages are cut before the quoted input, because these messages go to
 *   server logs. Connection errors never echo the URL (it may hold a
 *   password). Server notices are discarded for the same reason.
 */
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/buf.h"
#include "../util/wb.h"
#include "store.h"

#define PG_CACHE_SLOTS 512
#define PG_MAX_PARAMS  65535             /* above STORE_MULTI_PARAMS */
#define PG_MAX_TEXT    ((size_t)1 << 30) /* PostgreSQL's own limit for a field */
#define PG_ERR_MAX     512
#define PG_NAME_MAX    32
#define PG_DEALLOC_MAX 16384 /* PG_CACHE_SLOTS/2 "DEALLOCATE sN;" commands */

typedef struct pg_db pg_db;

typedef struct pg_stmt {
	pg_db *d;
	char *sql;   /* cache key: the SQL as the caller wrote it */
	char *pgsql; /* the same with $n placeholders */
	char name[PG_NAME_MAX];
	int nparams;
	char **vals;  /* nparams bound values as text; NULL is SQL NULL */
	int prepared; /* PQprepare succeeded on connection generation gen */
	int replan;   /* never prepared: sent with PQexecParams, planned each time */
	unsigned gen;
	int claimed; /* handed out by prepare and not reset since */
	PGresult *res;
	int row; /* cursor into res: -1 before the first row */
	int nrows;
} pg_stmt;

struct pg_db {
	PGconn *conn;
	pg_stmt *cache[PG_CACHE_SLOTS];
	int cached;
	unsigned long long next_name;
	unsigned gen;                    /* bumped when the connection is reset */
	int ready;                       /* session settings applied */
	int tx_lost;                     /* reset dropped an open transaction */
	PGTransactionStatusType last_tx; /* as of the last command that reached the server */
	char err[PG_ERR_MAX];
};

/* ---- error messages ---- */

/* Turns newlines and tabs (libpq messages have both) into spaces. */
static void pg_clean(char *s)
{
	size_t n;

	for (char *p = s; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	}
	n = strlen(s);
	while (n > 0 && s[n - 1] == ' ')
		s[--n] = '\0';
}

static void pg_seterr(pg_db *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void pg_seterr(pg_db *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(d->err, sizeof(d->err), fmt, ap) < 0)
		d->err[0] = '\0';
	va_end(ap);
	pg_clean(d->err);
}

static int pg_map_state(const char *state)
{
	if (!state)
		return WB_ESTORE;
	if (strncmp(state, "23", 2) == 0)
		return WB_ECONFLICT;
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0)
		return WB_EBUSY;
	return WB_ESTORE;
}

/* A COPY left the connection in copy mode: end it so the next command works. */
static void pg_abandon_copy(pg_db *d, ExecStatusType status)
{
	PGresult *res;
	char *row = NULL;

	if (status == PGRES_COPY_IN || status == PGRES_COPY_BOTH) {
		PQputCopyEnd(d->conn, "COPY is not supported by this driver");
	} else if (status == PGRES_COPY_OUT) {
		while (PQgetCopyData(d->conn, &row, 0) > 0) {
			PQfreemem(row);
			row = NULL;
		}
	} else {
		return;
	}
	while ((res = PQgetResult(d->conn)) != NULL)
		PQclear(res);
}

/* Records the error of a failed result (res may be NULL) and returns its
 * WB_ code. Only the primary message and the SQLSTATE are kept. */
static int pg_fail(pg_db *d, const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	char primary[PG_ERR_MAX];
	int rc = pg_map_state(state);

	if (res)
		pg_abandon_copy(d, PQresultStatus(res));
	if (!msg && res && *PQresultErrorMessage(res))
		msg = PQresultErrorMessage(res); /* generated by libpq: no data in it */
	if (!msg)
		msg = PQerrorMessage(d->conn);
	if (!*msg)
		msg = res ? "unexpected result" : "no result (out of memory or connection lost)";
	(void)wb_strlcpy(primary, msg, sizeof(primary));
	if (state && strncmp(state, "22", 2) == 0) {
		/* Data exceptions quote the offending input: cut it off. */
		char *q = strchr(primary, '"');
		size_t n;

		if (q)
			*q = '\0';
		n = strlen(primary);
		while (n > 0 && (primary[n - 1] == ' ' || primary[n - 1] == ':'))
			primary[--n] = '\0';
	}
	if (state)
		pg_seterr(d, "%s (SQLSTATE %s)", primary, state);
	else
		pg_seterr(d, "%s", primary);
	return rc;
}

/* ---- connection state ---- */

static void pg_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static void pg_note_tx(pg_db *d)
{
	PGTransactionStatusType t = PQtransactionStatus(d->conn);

	if (t != PQTRANS_UNKNOWN)
		d->last_tx = t;
}

static int pg_session(pg_db *d)
{
	PGresult *res;
	int rc = WB_OK;

	if (PQsetClientEncoding(d->conn, "UTF8") != 0) {
		pg_seterr(d, "cannot set client_encoding: %s", PQerrorMessage(d->conn));
		return WB_ESTORE;
	}
	/* random_page_cost: PostgreSQL's default (4) prices a page read at
	 * random as a disk seek, and then hashes a county's 150,000 children
	 * read in full sooner than look up the 2,000-3,000 it needs by id (the
	 * visit plan, the overview's counts by category: 3-6 times slower).
	 * Weibao's tables are in memory or on SSD; 1.1 is the usual setting
	 * there. A value the administrator set (postgresql.conf, ALTER
	 * DATABASE or ROLE) is left as it is. */
	res = PQexec(d->conn, "SET TIME ZONE 'UTC'; SET standard_conforming_strings = on; "
			      "SET client_min_messages = warning; "
			      "SELECT set_config('random_page_cost', '1.1', false) FROM pg_settings "
			      "WHERE name = 'random_page_cost' AND source = 'default'");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		pg_fail(d, res);
		rc = WB_ESTORE;
	}
	PQclear(res);
	pg_note_tx(d);
	return rc;
}

/* Makes sure the connection is up and configured, resetting it once if it
 * broke. Unless allow_lost, fails while a lost transaction awaits ROLLBACK. */
static int pg_ensure(pg_db *d, int allow_lost)
{
	if (PQstatus(d->conn) != CONNECTION_OK) {
		if (d->last_tx != PQTRANS_IDLE)
			d->tx_lost = 1;
		d->last_tx = PQTRANS_IDLE;
		d->gen++; /* the server forgot every prepared statement */
		d->ready = 0;
		PQreset(d->conn);
		if (PQstatus(d->conn) != CONNECTION_OK) {
			pg_seterr(d, "PostgreSQL connection lost and cannot be re-established: %s",
				  PQerrorMessage(d->conn));
			return WB_ESTORE;
		}
	}
	if (!d->ready) {
		if (pg_session(d))
			return WB_ESTORE;
		d->ready = 1;
	}
	if (d->tx_lost && !allow_lost) {
		pg_seterr(d, "PostgreSQL connection was lost inside a transaction; roll back first");
		return WB_ESTORE;
	}
	return WB_OK;
}

/* ---- placeholders ---- */

static int pg_ident_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$' ||
	       c >= 0x80;
}

/* From j, just past an opening quote q, returns the index just past the
 * closing one (len if unterminated): a doubled q stands for itself and,
 * with esc, a backslash takes the next byte with it. */
static size_t pg_skip_quoted(const char *s, size_t len, size_t j, char q, int esc)
{
	while (j < len) {
		if (esc && s[j] == '\\' && j + 1 < len) {
			j += 2;
		} else if (s[j] == q) {
			if (j + 1 < len && s[j + 1] == q)
				j += 2;
			else
				return j + 1;
		} else {
			j++;
		}
	}
	return len;
}

/* If a literal, quoted identifier, comment or dollar quote starts at i,
 * returns the index just past it (len if unterminated); otherwise i. */
static size_t pg_skip(const char *s, size_t len, size_t i)
{
	size_t j = i + 1;

	if (s[i] == '\'') {
		/* E'...' strings take backslash escapes; others only ''. */
		int esc = i > 0 && (s[i - 1] == 'E' || s[i - 1] == 'e') &&
			  (i < 2 || !pg_ident_char((unsigned char)s[i - 2]));

		return pg_skip_quoted(s, len, j, '\'', esc);
	}
	if (s[i] == '"')
		return pg_skip_quoted(s, len, j, '"', 0);
	if (s[i] == '-' && j < len && s[j] == '-') {
		while (j < len && s[j] != '\n')
			j++;
		return j;
	}
	if (s[i] == '/' && j < len && s[j] == '*') {
		int depth = 1; /* PostgreSQL block comments nest */

		j++;
		while (j < len && depth > 0) {
			if (s[j] == '/' && j + 1 < len && s[j + 1] == '*') {
				depth++;
				j += 2;
			} else if (s[j] == '*' && j + 1 < len && s[j + 1] == '/') {
				depth--;
				j += 2;
			} else {
				j++;
			}
		}
		return j;
	}
	if (s[i] == '$' && (i == 0 || !pg_ident_char((unsigned char)s[i - 1])) && j < len &&
	    !(s[j] >= '0' && s[j] <= '9')) {
		size_t taglen;

		while (j < len && s[j] != '$' && pg_ident_char((unsigned char)s[j]))
			j++;
		if (j >= len || s[j] != '$')
			return i; /* not a dollar quote */
		taglen = j - i + 1;
		for (j++; j + taglen <= len; j++) {
			if (memcmp(s + j, s + i, taglen) == 0)
				return j + taglen;
		}
		return len;
	}
	return i;
}

/* Copies sql with each `?` outside quotes and comments replaced by $1..$n.
 * WB_EINVAL beyond PG_MAX_PARAMS placeholders. */
static int pg_rewrite(const char *sql, char **out, int *nparams_out)
{
	size_t len = strlen(sql), marks = 0;
	size_t i = 0, o = 0, cap;
	char *dst;
	int n = 0;

	for (const char *q = strchr(sql, '?'); q; q = strchr(q + 1, '?'))
		marks++;
	if (marks > PG_MAX_PARAMS)
		marks = PG_MAX_PARAMS;
	cap = len + 5 * marks + 1; /* "?" -> at most "$65535" */
	dst = malloc(cap);

	if (!dst)
		return WB_ENOMEM;
	while (i < len) {
		size_t end = pg_skip(sql, len, i);

		if (end > i) {
			memcpy(dst + o, sql + i, end - i);
			o += end - i;
			i = end;
		} else if (sql[i] == '?') {
			int w;

			if (n == PG_MAX_PARAMS) {
				free(dst);
				return WB_EINVAL;
			}
			n++;
			w = snprintf(dst + o, cap - o, "$%d", n);
			if (w < 0 || (size_t)w >= cap - o) {
				free(dst);
				return WB_EINVAL;
			}
			o += (size_t)w;
			i++;
		} else {
			dst[o++] = sql[i++];
		}
	}
	dst[o] = '\0';
	*out = dst;
	*nparams_out = n;
	return WB_OK;
}

/* ---- statements and their cache ---- */

static void pg_stmt_free(pg_stmt *st)
{
	if (!st)
		return;
	PQclear(st->res);
	for (int i = 0; st->vals && i < st->nparams; i++)
		free(st->vals[i]);
	free(st->vals);
	free(st->sql);
	free(st->pgsql);
	free(st);
}

static int pg_stmt_new(pg_db *d, const char *sql, pg_stmt **out)
{
	pg_stmt *st = calloc(1, sizeof(*st));
	int rc;

	if (!st)
		return WB_ENOMEM;
	st->d = d;
	st->row = -1;
	rc = pg_rewrite(sql, &st->pgsql, &st->nparams);
	if (rc) {
		if (rc == WB_EINVAL)
			pg_seterr(d, "statement has more than %d parameters", PG_MAX_PARAMS);
		free(st);
		return rc;
	}
	st->sql = strdup(sql);
	if (st->nparams > 0)
		st->vals = calloc((size_t)st->nparams, sizeof(*st->vals));
	if (!st->sql || (st->nparams > 0 && !st->vals)) {
		pg_stmt_free(st);
		return WB_ENOMEM;
	}
	(void)wb_snprintf(st->name, sizeof(st->name), "s%llu", d->next_name++);
	*out = st;
	return WB_OK;
}

/* Prepares st on the server unless it is already prepared there. */
static int pg_stmt_ready(pg_stmt *st)
{
	pg_db *d = st->d;
	PGresult *res;
	int rc = WB_OK;

	if (st->prepared && st->gen == d->gen)
		return WB_OK;
	res = PQprepare(d->conn, st->name, st->pgsql, st->nparams, NULL);
	if (PQresultStatus(res) == PGRES_COMMAND_OK) {
		st->prepared = 1;
		st->gen = d->gen;
	} else {
		rc = pg_fail(d, res);
	}
	PQclear(res);
	pg_note_tx(d);
	return rc;
}

static int pg_cache_put(pg_db *d, pg_stmt *st)
{
	uint64_t h = wb_strhash(st->sql);

	for (int probe = 0; probe < PG_CACHE_SLOTS; probe++) {
		size_t slot = (size_t)((h + (uint64_t)probe) % PG_CACHE_SLOTS);

		if (!d->cache[slot]) {
			d->cache[slot] = st;
			d->cached++;
			return WB_OK;
		}
	}
	return WB_ENOMEM;
}

/* Drops cached statements. With keep_busy (the connection stays open),
 * statements a caller holds survive and the others are DEALLOCATEd on the
 * server; without it (closing), everything goes. */
static void pg_cache_clear(pg_db *d, int keep_busy)
{
	pg_stmt *keep[PG_CACHE_SLOTS];
	int nkeep = 0;
	buf dealloc;

	buf_init(&dealloc, PG_DEALLOC_MAX);
	for (int i = 0; i < PG_CACHE_SLOTS; i++) {
		pg_stmt *st = d->cache[i];

		if (!st)
			continue;
		d->cache[i] = NULL;
		if (keep_busy && st->claimed) {
			keep[nkeep++] = st;
			continue;
		}
		/* A command that does not fit only leaks a server-side plan. */
		if (keep_busy && st->prepared && st->gen == d->gen)
			(void)buf_printf(&dealloc, "DEALLOCATE %s;", st->name);
		pg_stmt_free(st);
	}
	d->cached = 0;
	for (int i = 0; i < nkeep; i++)
		(void)pg_cache_put(d, keep[i]);
	if (dealloc.len > 0 && PQstatus(d->conn) == CONNECTION_OK && PQtransactionStatus(d->conn) != PQTRANS_INERROR) {
		PGresult *res = PQexec(d->conn, dealloc.data);

		PQclear(res);
		pg_note_tx(d);
	}
	buf_cleanup(&dealloc);
}

/* ---- the driver ---- */

static int pg_open(const char *url, void **db_out, char *err, size_t errlen)
{
	/* The URL is expanded in place of dbname; its own settings win over
	 * the defaults listed before it. */
	static const char *const keys[] = {"connect_timeout", "fallback_application_name", "dbname", NULL};
	const char *const vals[] = {"10", "weibao", url, NULL};
	PQconninfoOption *opts;
	char *perr = NULL;
	pg_db *d;

	*db_out = NULL;
	/* libpq's parse errors may quote parts of the URL, password included:
	 * check the syntax first and report it without details. */
	opts = PQconninfoParse(url, &perr);
	if (!opts) {
		PQfreemem(perr);
		wb_snprintf(err, errlen, "invalid PostgreSQL URL (check its syntax)");
		return WB_EINVAL;
	}
	PQconninfoFree(opts);
	d = calloc(1, sizeof(*d));
	if (!d)
		return WB_ENOMEM;
	d->gen = 1;
	d->last_tx = PQTRANS_IDLE;
	d->conn = PQconnectdbParams(keys, vals, 1);
	if (!d->conn) {
		free(d);
		return WB_ENOMEM;
	}
	if (PQstatus(d->conn) != CONNECTION_OK) {
		pg_seterr(d, "%s", PQerrorMessage(d->conn));
		wb_snprintf(err, errlen, "cannot connect to PostgreSQL: %s", d->err);
		goto fail;
	}
	PQsetNoticeProcessor(d->conn, pg_notice, NULL);
	if (pg_session(d)) {
		wb_snprintf(err, errlen, "cannot configure PostgreSQL session: %s", d->err);
		goto fail;
	}
	d->ready = 1;
	*db_out = d;
	return WB_OK;
fail:
	PQfinish(d->conn);
	free(d);
	return WB_ESTORE;
}

static void pg_close(void *db)
{
	pg_db *d = db;

	if (!d)
		return;
	pg_cache_clear(d, 0);
	PQfinish(d->conn);
	free(d);
}

/* Whether sql is the single statement `word` (ROLLBACK, COMMIT...),
 * ignoring case, surrounding blanks and a trailing semicolon. */
static int pg_is_cmd(const char *sql, const char *word)
{
	size_t n = strlen(word);

	while (*sql == ' ' || *sql == '\t' || *sql == '\n' || *sql == '\r')
		sql++;
	if (strncasecmp(sql, word, n) != 0)
		return 0;
	for (sql += n; *sql; sql++) {
		if (*sql != ' ' && *sql != '\t' && *sql != '\n' && *sql != '\r' && *sql != ';')
			return 0;
	}
	return 1;
}

/* PostgreSQL answers COMMIT of a transaction aborted by an earlier error
 * with success and the tag ROLLBACK: that is a failed commit to callers. */
static int pg_commit_failed(pg_db *d, const char *sql, PGresult *res)
{
	if (strcmp(PQcmdStatus(res), "ROLLBACK") != 0)
		return 0;
	if (!pg_is_cmd(sql, "COMMIT") && !pg_is_cmd(sql, "END"))
		return 0;
	pg_seterr(d, "COMMIT rolled back: the transaction was aborted by an earlier error");
	return 1;
}

static int pg_exec(void *db, const char *sql)
{
	pg_db *d = db;
	PGresult *res;
	int rc = pg_ensure(d, 1);

	if (rc)
		return rc;
	if (d->tx_lost) {
		if (pg_is_cmd(sql, "ROLLBACK")) {
			d->tx_lost = 0; /* the server already dropped the transaction */
			return WB_OK;
		}
		pg_seterr(d, "PostgreSQL connection was lost inside a transaction; roll back first");
		return WB_ESTORE;
	}
	res = PQexec(d->conn, sql);
	switch (PQresultStatus(res)) {
	case PGRES_COMMAND_OK:
	case PGRES_TUPLES_OK:
	case PGRES_EMPTY_QUERY: rc = pg_commit_failed(d, sql, res) ? WB_ESTORE : WB_OK; break;
	default: rc = pg_fail(d, res); break;
	}
	PQclear(res);
	pg_note_tx(d);
	return rc;
}

static int pg_prepare_as(pg_db *d, const char *sql, int replan, void **stmt_out)
{
	uint64_t h = wb_strhash(sql);
	pg_stmt *st = NULL;
	int rc = pg_ensure(d, 0);

	*stmt_out = NULL;
	if (rc)
		return rc;
	for (int probe = 0; probe < PG_CACHE_SLOTS; probe++) {
		size_t slot = (size_t)((h + (uint64_t)probe) % PG_CACHE_SLOTS);

		if (!d->cache[slot])
			break;
		if (strcmp(d->cache[slot]->sql, sql) == 0) {
			st = d->cache[slot];
			break;
		}
	}
	if (st) {
		/* as first asked for: prepared, or planned each time */
		rc = st->replan ? WB_OK : pg_stmt_ready(st); /* again, if the connection was reset */
		if (rc)
			return rc;
		st->claimed = 1;
		*stmt_out = st;
		return WB_OK;
	}
	rc = pg_stmt_new(d, sql, &st);
	if (rc)
		return rc;
	st->replan = replan;
	rc = replan ? WB_OK : pg_stmt_ready(st);
	if (rc) {
		pg_stmt_free(st);
		return rc;
	}
	if (d->cached >= PG_CACHE_SLOTS / 2)
		pg_cache_clear(d, 1); /* dynamic SQL flooded the cache: start again */
	if (pg_cache_put(d, st) != WB_OK) {
		/* Every slot is held by a caller: leave this one out of the
		 * cache rather than lose track of it. */
		PGresult *res;
		char cmd[PG_NAME_MAX + 16];

		(void)wb_snprintf(cmd, sizeof(cmd), "DEALLOCATE %s", st->name);
		res = PQexec(d->conn, cmd);
		PQclear(res);
		pg_stmt_free(st);
		pg_seterr(d, "prepared statement cache is full");
		return WB_ENOMEM;
	}
	st->claimed = 1;
	*stmt_out = st;
	return WB_OK;
}

static int pg_prepare(void *db, const char *sql, void **stmt_out)
{
	return pg_prepare_as(db, sql, 0, stmt_out);
}

static int pg_prepare_replan(void *db, const char *sql, void **stmt_out)
{
	return pg_prepare_as(db, sql, 1, stmt_out);
}

/* Stores a copy of n bytes of s (NULL for SQL NULL) as parameter idx. */
static int pg_bind(pg_stmt *st, int idx, const char *s, size_t n)
{
	char *copy = NULL;

	if (idx < 1 || idx > st->nparams) {
		pg_seterr(st->d, "bind index %d out of range (statement has %d parameters)", idx, st->nparams);
		return WB_EINVAL;
	}
	if (s) {
		copy = malloc(n + 1);
		if (!copy)
			return WB_ENOMEM;
		memcpy(copy, s, n);
		copy[n] = '\0';
	}
	free(st->vals[idx - 1]);
	st->vals[idx - 1] = copy;
	return WB_OK;
}

static int pg_bind_int64(void *stmt, int idx, int64_t v)
{
	char num[24];
	int n = snprintf(num, sizeof(num), "%" PRId64, v);

	if (n < 0 || (size_t)n >= sizeof(num))
		return WB_EINVAL;
	return pg_bind(stmt, idx, num, (size_t)n);
}

static int pg_bind_text(void *stmt, int idx, const char *s)
{
	size_t n;

	if (!s)
		return pg_bind(stmt, idx, NULL, 0);
	n = strnlen(s, PG_MAX_TEXT + 1);
	if (n > PG_MAX_TEXT)
		return WB_ETOOBIG;
	return pg_bind(stmt, idx, s, n);
}

static int pg_bind_null(void *stmt, int idx)
{
	return pg_bind(stmt, idx, NULL, 0);
}

static int pg_step(void *stmt)
{
	pg_stmt *st = stmt;
	pg_db *d = st->d;
	PGresult *res;
	int rc;

	if (st->res) {
		if (st->row + 1 < st->nrows) {
			st->row++;
			return STORE_ROW;
		}
		st->row = st->nrows;
		return STORE_DONE;
	}
	rc = pg_ensure(d, 0);
	if (rc)
		return rc;
	if (st->replan) {
		res = PQexecParams(d->conn, st->pgsql, st->nparams, NULL, (const char *const *)st->vals, NULL, NULL, 0);
	} else {
		rc = pg_stmt_ready(st);
		if (rc)
			return rc;
		res = PQexecPrepared(d->conn, st->name, st->nparams, (const char *const *)st->vals, NULL, NULL, 0);
	}
	switch (PQresultStatus(res)) {
	case PGRES_TUPLES_OK:
	case PGRES_COMMAND_OK:
	case PGRES_EMPTY_QUERY:
		if (pg_commit_failed(d, st->sql, res)) {
			PQclear(res);
			rc = WB_ESTORE;
			break;
		}
		st->res = res;
		st->nrows = PQntuples(res);
		st->row = st->nrows > 0 ? 0 : st->nrows;
		rc = st->nrows > 0 ? STORE_ROW : STORE_DONE;
		break;
	default:
		rc = pg_fail(d, res);
		PQclear(res);
		break;
	}
	pg_note_tx(d);
	return rc;
}

/* Whether (current row, col) names a cell of the result. */
static int pg_cell(const pg_stmt *st, int col)
{
	return st->res && st->row >= 0 && st->row < st->nrows && col >= 0 && col < PQnfields(st->res);
}

static int64_t pg_column_int64(void *stmt, int col)
{
	pg_stmt *st = stmt;
	const char *v;

	if (!pg_cell(st, col) || PQgetisnull(st->res, st->row, col))
		return 0;
	v = PQgetvalue(st->res, st->row, col);
	if (v[0] == 't' && v[1] == '\0')
		return 1; /* boolean true; "f" parses as 0 */
	return (int64_t)strtoll(v, NULL, 10);
}

static const char *pg_column_text(void *stmt, int col)
{
	pg_stmt *st = stmt;

	if (!pg_cell(st, col) || PQgetisnull(st->res, st->row, col))
		return NULL;
	return PQgetvalue(st->res, st->row, col);
}

static int pg_column_is_null(void *stmt, int col)
{
	pg_stmt *st = stmt;

	return !pg_cell(st, col) || PQgetisnull(st->res, st->row, col);
}

static void pg_reset(void *stmt)
{
	pg_stmt *st = stmt;

	PQclear(st->res);
	st->res = NULL;
	st->row = -1;
	st->nrows = 0;
	for (int i = 0; i < st->nparams; i++) {
		free(st->vals[i]);
		st->vals[i] = NULL;
	}
	st->claimed = 0;
}

static const char *pg_errmsg(void *db)
{
	return ((pg_db *)db)->err;
}

/* An import is one transaction, so PostgreSQL plans its lookups with the
 * statistics from before it — for a registry that was empty, sequential
 * scans of a table that grows with every row (quadratic). Index lookups are
 * right for every statement of a load; SET LOCAL ends with the transaction. */
static int pg_bulk_begin(void *db, int64_t *saved)
{
	*saved = 0;
	return pg_exec(db, "SET LOCAL enable_seqscan = off");
}

const store_driver store_pg_driver = {
	.name_fold_open = "translate(",
	.name_fold_close = ", 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')",
	.id_set_open = " = ANY (ARRAY(",
	.id_set_close = "))",
	.name = "postgresql",
	.open = pg_open,
	.close = pg_close,
	.exec = pg_exec,
	.prepare = pg_prepare,
	.prepare_replan = pg_prepare_replan,
	.bind_int64 = pg_bind_int64,
	.bind_text = pg_bind_text,
	.bind_null = pg_bind_null,
	.step = pg_step,
	.column_int64 = pg_column_int64,
	.column_text = pg_column_text,
	.column_is_null = pg_column_is_null,
	.reset = pg_reset,
	.begin_write_sql = "BEGIN",
	.after_load_sql = {"VACUUM", "ANALYZE", NULL}, /* see store_after_load */
	.load_commit_sql = "SET LOCAL synchronous_commit = on",
	.size_sql = "SELECT pg_database_size(current_database())",
	.bulk_begin = pg_bulk_begin,
	.errmsg = pg_errmsg,
};
