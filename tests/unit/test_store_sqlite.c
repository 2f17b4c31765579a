/*
 * The store driver contract (src/store/store.h) on the SQLite driver, with
 * a real database in a temporary file: binding ('i' / 's' / NULL), reading
 * NULLs, constraint violations as WB_ECONFLICT, transactions and their
 * visibility between pooled connections, the per-connection statement
 * cache, dynamic argument lists, the pool, and the migration runner
 * (idempotent; refuses a schema newer than the binary).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/store/model.h"
#include "../../src/store/store.h"
#include "../../src/util/wb.h"
#include "tu_store.h"

static int setup(void **state)
{
	tu_store *t = calloc(1, sizeof(*t));

	if (!t || tu_store_open(t, 2) != WB_OK) {
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	tu_store *t = *state;

	tu_store_close(t);
	free(t);
	return 0;
}

static int64_t count_settings(store_conn *c, const char *name)
{
	store_stmt *st = NULL;
	int64_t n;

	assert_int_equal(conn_query(c, &st, "SELECT COUNT(*) FROM settings WHERE name = ?", "s", name), STORE_ROW);
	n = stmt_int64(c, st, 0);
	stmt_reset(c, st);
	return n;
}

static void put_setting(store_conn *c, const char *name, const char *value, int want)
{
	assert_int_equal(conn_query(c, NULL, "INSERT INTO settings (county_code, name, value) VALUES (?, ?, ?)", "sss",
				    "370831", name, value),
			 want);
}

static void test_open_errors(void **state)
{
	char err[256];
	store *s = (store *)1;

	(void)state;
	err[0] = '\0';
	assert_int_equal(store_open("mysql://x", 1, &s, err, sizeof(err)), WB_EINVAL);
	assert_null(s);
	assert_true(strlen(err) > 0);
	assert_int_equal(store_open("sqlite:/tmp/weibao-unit-never", 0, &s, err, sizeof(err)), WB_EINVAL);
	assert_int_equal(store_open("sqlite:/tmp/weibao-unit-never", 257, &s, err, sizeof(err)), WB_EINVAL);
	err[0] = '\0';
	assert_int_equal(store_open("sqlite:/nonexistent-weibao-dir/x.db", 1, &s, err, sizeof(err)), WB_ESTORE);
	assert_null(s);
	assert_true(strlen(err) > 0);
}

static void test_driver_name_and_version(void **state)
{
	tu_store *t = *state;
	store_conn *c = store_acquire(t->s);
	int v = -1;

	assert_string_equal(store_driver_name(t->s), "sqlite");
	assert_int_equal(store_schema_version(c, &v), WB_OK);
	assert_true(store_latest_version() >= 1);
	assert_int_equal(v, store_latest_version());
	store_release(c);
}

static void test_migrate_idempotent(void **state)
{
	tu_store *t = *state;
	store_conn *c;
	store_stmt *st = NULL;
	int v = -1;

	assert_int_equal(store_migrate(t->s, &v), WB_OK);
	assert_int_equal(v, store_latest_version());
	assert_int_equal(store_migrate(t->s, &v), WB_OK);
	assert_int_equal(v, store_latest_version());
	c = store_acquire(t->s);
	assert_int_equal(conn_query(c, &st, "SELECT COUNT(*), MIN(version), MAX(version) FROM schema_migrations", ""),
			 STORE_ROW);
	assert_int_equal(stmt_int64(c, st, 0), store_latest_version()); /* each applied once */
	assert_int_equal(stmt_int64(c, st, 1), 1);
	assert_int_equal(stmt_int64(c, st, 2), store_latest_version());
	stmt_reset(c, st);
	store_release(c);
}

static void test_schema_newer_than_binary(void **state)
{
	tu_store *t = *state;
	store_conn *c = store_acquire(t->s);
	int v = -1, newer = store_latest_version() + 1;

	assert_int_equal(conn_query(c, NULL, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", "ii",
				    (int64_t)newer, (int64_t)0),
			 STORE_DONE);
	store_release(c);
	assert_int_equal(store_migrate(t->s, &v), WB_ESCHEMA);
	assert_int_equal(v, newer);
	/* and nothing was applied or removed */
	c = store_acquire(t->s);
	assert_int_equal(store_schema_version(c, &v), WB_OK);
	assert_int_equal(v, newer);
	store_release(c);
}

static void test_bind_and_read(void **state)
{
	static const int64_t ints[] = {0, 1, -1, INT64_MAX, INT64_MIN, 4294967296LL};
	static const char *const texts[] = {
		"", "plain", "O'Brien\"; DROP TABLE settings; --", "\xe5\xbc\xa0\xe4\xb8\x89", "?", "%_"};
	tu_store *t = *state;
	store_conn *c = store_acquire(t->s);
	store_stmt *st = NULL;

	for (size_t i = 0; i < WB_ARRAY_LEN(ints); i++) {
		assert_int_equal(conn_query(c, &st, "SELECT ?", "i", ints[i]), STORE_ROW);
		assert_non_null(st);
		if (stmt_int64(c, st, 0) != ints[i])
			fail_msg("int %zu did not round-trip", i);
		assert_int_equal(stmt_is_null(c, st, 0), 0);
		stmt_reset(c, st);
	}
	for (size_t i = 0; i < WB_ARRAY_LEN(texts); i++) {
		char name[16];

		wb_snprintf(name, sizeof(name), "t%zu", i);
		put_setting(c, name, texts[i], STORE_DONE); /* values are bound, never pasted */
		assert_int_equal(conn_query(c, &st, "SELECT value FROM settings WHERE name = ?", "s", name), STORE_ROW);
		assert_string_equal(stmt_text(c, st, 0), texts[i]);
		stmt_reset(c, st);
	}
	assert_int_equal(count_settings(c, "t2"), 1); /* the table survived the quote */
	/* no row: STORE_DONE and no statement handed out */
	st = (store_stmt *)1;
	assert_int_equal(conn_query(c, &st, "SELECT value FROM settings WHERE name = ?", "s", "nope"), STORE_DONE);
	assert_null(st);
	store_release(c);
}

static void test_nulls(void **state)
{
	tu_store *t = *state;
	store_conn *c = store_acquire(t->s);
	store_stmt *st = NULL;
	char copy[8];

	assert_int_equal(conn_query(c, &st, "SELECT ?, ?, NULL", "ss", (const char *)NULL, "x"), STORE_ROW);
	assert_int_equal(stmt_is_null(c, st, 0), 1);
	assert_null(stmt_text(c, st, 0));
	assert_int_equal(stmt_is_null(c, st, 1), 0);
	assert_string_equal(stmt_text(c, st, 1), "x");
	assert_int_equal(stmt_is_null(c, st, 2), 1);
	assert_int_equal(stmt_int64(c, st, 2), 0);
	memset(copy, '#', sizeof(copy));
	stmt_copy(c, st, 0, copy, sizeof(copy)); /* NULL becomes "" */
	assert_string_equal(copy, "");
	stmt_copy(c, st, 1, copy, sizeof(copy));
	assert_string_equal(copy, "x");
	stmt_reset(c, st);

	assert_int_equal(conn_prepare(c, "SELECT ? IS NULL", &st), WB_OK);
	assert_int_equal(stmt_bind_null(c, st, 1), WB_OK);
	assert_int_equal(stmt_step(c, st), STORE_ROW);
	assert_int_equal(stmt_int64(c, st, 0), 1);
	stmt_reset(c, st);
	/* reset clears bindings: an unbound parameter is NULL */
	assert_int_equal(conn_prepare(c, "SELECT ? IS NULL", &st), WB_OK);
	assert_int_equal(stmt_bind_text(c, st, 1, "v"), WB_OK);
	assert_int_equal(stmt_step(c, st), STORE_ROW);
	assert_int_equal(stmt_int64(c, st, 0), 0);
	stmt_reset(c, st);
	assert_int_equal(stmt_step(c, st), STORE_ROW);
	assert_int_equal(stmt_int64(c, st, 0), 1);
	stmt_reset(c, st);
	store_release(c);
}

static void test_constraint_violations(void **state)
{
	tu_store *t = *state;
	store_conn *c = store_acquire(t->s);
	const char *ins = "INSERT INTO users (county_code, username, display_name, password_hash, "
			  "password_changed_at, created_at) VALUES (?, ?, ?, ?, ?, ?)";

	assert_int_equal(conn_query(c, NULL, ins, "ssssii", "370831", "wang", "Wang", "h", (int64_t)1, (int64_t)1),
			 STORE_DONE);
	/* unique username */
	assert_int_equal(conn_query(c, NULL, ins, "ssssii", "370831", "wang", "Wang 2", "h", (int64_t)1, (int64_t)1),
			 WB_ECONFLICT);
	/* composite primary key */
	put_setting(c, "dup", "1", STORE_DONE);
	put_setting(c, "dup", "2", WB_ECONFLICT);
	/* foreign key (PRAGMA foreign_keys=ON on every connection) */
	assert_int_equal(
		conn_query(c, NULL,
			   "INSERT INTO memberships (county_code, user_id, role, created_at) VALUES (?, ?, ?, ?)",
			   "sisi", "370831", (int64_t)999999, "center", (int64_t)1),
		WB_ECONFLICT);
	/* the connection is still usable after a violation */
	assert_int_equal(count_settings(c, "dup"), 1);
	store_release(c);
}

static void test_errors(void **state)
{
	tu_store *t = *state;
	store_conn *c = store_acquire(t->s);
	store_stmt *st = NULL;

	log_set_level((enum log_level)(LOG_ERROR + 1)); /* these failures are expected: keep the output clean */
	assert_int_equal(conn_prepare(c, "SELEKT 1", &st), WB_ESTORE);
	assert_int_equal(conn_query(c, NULL, "SELECT * FROM no_such_table", ""), WB_ESTORE);
	assert_int_equal(conn_exec(c, "CREATE TABLE"), WB_ESTORE);
	assert_int_equal(conn_query(c, NULL, "SELECT ?", "x", (int64_t)1), WB_EINVAL); /* unknown format letter */
	/* more arguments than placeholders */
	assert_int_equal(conn_query(c, NULL, "SELECT 1", "i", (int64_t)1), WB_ESTORE);
	log_set_level(LOG_WARN);
	assert_int_equal(conn_query(c, NULL, "SELECT 1", ""), STORE_ROW);
	store_release(c);
}

static void test_transactions(void **state)
{
	tu_store *t = *state;
	store_conn *c = store_acquire(t->s);

	assert_int_equal(conn_begin_write(c), WB_OK);
	assert_int_equal(c->in_tx, 1);
	put_setting(c, "rolled", "x", STORE_DONE);
	assert_int_equal(count_settings(c, "rolled"), 1);
	assert_int_equal(conn_rollback(c), WB_OK);
	assert_int_equal(c->in_tx, 0);
	assert_int_equal(count_settings(c, "rolled"), 0);

	assert_int_equal(conn_begin(c), WB_OK);
	put_setting(c, "kept", "x", STORE_DONE);
	assert_int_equal(conn_commit(c), WB_OK);
	assert_int_equal(c->in_tx, 0);
	assert_int_equal(count_settings(c, "kept"), 1);

	/* a transaction left open is rolled back on release */
	assert_int_equal(conn_begin_write(c), WB_OK);
	put_setting(c, "abandoned", "x", STORE_DONE);
	store_release(c);
	c = store_acquire(t->s);
	assert_int_equal(c->in_tx, 0);
	assert_int_equal(count_settings(c, "abandoned"), 0);

	/* a savepoint inside a transaction (what the audit writer relies on) */
	assert_int_equal(conn_begin_write(c), WB_OK);
	put_setting(c, "outer", "x", STORE_DONE);
	assert_int_equal(conn_exec(c, "SAVEPOINT sp"), WB_OK);
	put_setting(c, "inner", "x", STORE_DONE);
	assert_int_equal(conn_exec(c, "ROLLBACK TO SAVEPOINT sp"), WB_OK);
	assert_int_equal(conn_exec(c, "RELEASE SAVEPOINT sp"), WB_OK);
	assert_int_equal(conn_commit(c), WB_OK);
	assert_int_equal(count_settings(c, "outer"), 1);
	assert_int_equal(count_settings(c, "inner"), 0);
	store_release(c);
}

static void test_isolation_between_connections(void **state)
{
	tu_store *t = *state;
	store_conn *a = store_acquire(t->s);
	store_conn *b = store_acquire(t->s);

	assert_ptr_not_equal(a, b);
	assert_int_equal(conn_begin_write(a), WB_OK);
	put_setting(a, "iso", "x", STORE_DONE);
	assert_int_equal(count_settings(b, "iso"), 0); /* uncommitted: invisible to the other connection */
	assert_int_equal(conn_commit(a), WB_OK);
	assert_int_equal(count_settings(b, "iso"), 1);
	store_release(b);
	store_release(a);
}

static void test_statement_cache(void **state)
{
	tu_store *t = *state;
	store_conn *c = store_acquire(t->s);
	store_stmt *s1 = NULL, *s2 = NULL, *s3 = NULL;

	assert_int_equal(conn_prepare(c, "SELECT ? + 1", &s1), WB_OK);
	assert_int_equal(conn_prepare(c, "SELECT ? + 1", &s2), WB_OK);
	assert_ptr_equal(s1, s2); /* compiled once per connection */
	assert_int_equal(conn_prepare(c, "SELECT ? + 2", &s3), WB_OK);
	assert_ptr_not_equal(s1, s3);
	/* the cached statement is reusable with new bindings after a reset */
	for (int64_t i = 0; i < 5; i++) {
		assert_int_equal(conn_prepare(c, "SELECT ? + 1", &s2), WB_OK);
		assert_ptr_equal(s1, s2);
		assert_int_equal(stmt_bind_int64(c, s2, 1, i), WB_OK);
		assert_int_equal(stmt_step(c, s2), STORE_ROW);
		assert_int_equal(stmt_int64(c, s2, 0), i + 1);
		stmt_reset(c, s2);
	}
	/* conn_query goes through the same cache */
	assert_int_equal(conn_query(c, &s2, "SELECT ? + 1", "i", (int64_t)41), STORE_ROW);
	assert_ptr_equal(s1, s2);
	assert_int_equal(stmt_int64(c, s2, 0), 42);
	stmt_reset(c, s2);
	store_release(c);
}

/* Dynamic SQL floods the cache, which then starts again; a statement a
 * caller is iterating at that moment must survive and keep its place. */
static void test_statement_cache_flood_keeps_busy(void **state)
{
	tu_store *t = *state;
	store_conn *c = store_acquire(t->s);
	store_stmt *it = NULL, *again = NULL;

	assert_int_equal(conn_prepare(c, "SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3", &it), WB_OK);
	assert_int_equal(stmt_step(c, it), STORE_ROW);
	assert_int_equal(stmt_int64(c, it, 0), 1);
	for (int i = 0; i < 700; i++) {
		char sql[64];
		store_stmt *st = NULL;

		wb_snprintf(sql, sizeof(sql), "SELECT %d", i);
		assert_int_equal(conn_prepare(c, sql, &st), WB_OK);
		assert_int_equal(stmt_step(c, st), STORE_ROW);
		assert_int_equal(stmt_int64(c, st, 0), i);
		stmt_reset(c, st);
	}
	assert_int_equal(stmt_step(c, it), STORE_ROW);
	assert_int_equal(stmt_int64(c, it, 0), 2);
	assert_int_equal(stmt_step(c, it), STORE_ROW);
	assert_int_equal(stmt_int64(c, it, 0), 3);
	assert_int_equal(stmt_step(c, it), STORE_DONE);
	stmt_reset(c, it);
	/* still found in the cache afterwards */
	assert_int_equal(conn_prepare(c, "SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3", &again), WB_OK);
	assert_ptr_equal(again, it);
	store_release(c);
}

static void test_args(void **state)
{
	tu_store *t = *state;
	store_conn *c = store_acquire(t->s);
	store_stmt *st = NULL;
	store_args a;

	memset(&a, 0, sizeof(a));
	args_int(&a, 7);
	args_text(&a, "seven");
	args_text(&a, NULL);
	assert_int_equal(a.n, 3);
	assert_int_equal(conn_prepare(c, "SELECT ?, ?, ? IS NULL", &st), WB_OK);
	assert_int_equal(stmt_bind_args(c, st, &a), WB_OK);
	assert_int_equal(stmt_step(c, st), STORE_ROW);
	assert_int_equal(stmt_int64(c, st, 0), 7);
	assert_string_equal(stmt_text(c, st, 1), "seven");
	assert_int_equal(stmt_int64(c, st, 2), 1);
	stmt_reset(c, st);

	/* past STORE_ARGS_MAX the list is poisoned and binding fails */
	memset(&a, 0, sizeof(a));
	for (int i = 0; i < STORE_ARGS_MAX; i++)
		args_int(&a, i);
	assert_int_equal(a.n, STORE_ARGS_MAX);
	args_text(&a, "one too many");
	assert_true(a.n > STORE_ARGS_MAX);
	args_int(&a, 1);
	assert_true(a.n > STORE_ARGS_MAX);
	assert_int_equal(conn_prepare(c, "SELECT ?", &st), WB_OK);
	assert_int_equal(stmt_bind_args(c, st, &a), WB_EINVAL);
	stmt_reset(c, st);
	store_release(c);
}

typedef struct waiter {
	store *s;
	store_conn *got;
} waiter;

static void *acquire_thread(void *arg)
{
	waiter *w = arg;

	w->got = store_acquire(w->s);
	return NULL;
}

static void test_pool_waits_for_release(void **state)
{
	tu_store *t = *state;
	store_conn *a = store_acquire(t->s);
	store_conn *b = store_acquire(t->s);
	waiter w = {t->s, NULL};
	pthread_t th;

	assert_int_equal(pthread_create(&th, NULL, acquire_thread, &w), 0);
	usleep(20000);
	assert_null(w.got); /* both connections are taken: the third caller waits */
	store_release(b);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_ptr_equal(w.got, b);
	store_release(w.got);
	store_release(a);
	store_release(NULL); /* harmless */
}

/* One connection is opened with the pool, the next only when every open
 * one is taken, and a given-back one is used again before another opens. */
static void test_pool_opens_as_needed(void **state)
{
	tu_store *t = *state;
	store_conn *a, *b, *c;

	assert_int_equal(store_open_count(t->s), 1);
	a = store_acquire(t->s);
	assert_int_equal(store_open_count(t->s), 1);
	store_release(a);
	b = store_acquire(t->s);
	assert_ptr_equal(b, a);
	assert_int_equal(store_open_count(t->s), 1);
	c = store_acquire(t->s); /* the first is taken: a second opens */
	assert_int_equal(store_open_count(t->s), 2);
	assert_ptr_not_equal(c, b);
	assert_int_equal(count_settings(c, "nothing"), 0); /* and works */
	store_release(b);
	store_release(c);
	assert_int_equal(store_open_count(t->s), 2);
}

/*
 * The planner's statistics as the server's daily job refreshes them
 * (store_analyze_beside) count a county's children as the county's. Made
 * from a sample of 1,000 index entries, they took the county for 1,001 rows
 * of 5,000, and the county's list by id (the centre's registry and its
 * download, a page at a time) read and sorted the county's whole index for
 * every page instead of walking the ids.
 */
/* A county of 5,000 children in one village, with the server's statistics. */
static void county_of_5000(tu_store *t)
{
	store_conn *c = store_acquire(t->s);

	assert_int_equal(
		conn_exec(c,
			  "INSERT INTO areas (code, county_code, parent_code, level, kind, name, created_at) VALUES "
			  "('370831', '370831', NULL, 'county', 'county', 'C', 0), "
			  "('370831001', '370831', '370831', 'township', 'street', 'T', 0), "
			  "('370831001001', '370831', '370831001', 'village', 'community', 'V', 0); "
			  "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) "
			  "INSERT INTO children (county_code, name, village_code, created_at, created_by, updated_at, "
			  "updated_by) SELECT '370831', 'c' || i, '370831001001', i, 1, i, 1 FROM n"),
		WB_OK);
	store_release(c);
	assert_int_equal(store_analyze_beside(t->s), WB_OK);
}

/* 1 if a step of the plan of sql (one text parameter) says what. */
static int plan_says(store_conn *c, const char *sql, const char *param, const char *what)
{
	char explain[512];
	store_stmt *st = NULL;
	int found = 0, rc;

	wb_snprintf(explain, sizeof(explain), "EXPLAIN QUERY PLAN %s", sql);
	rc = conn_query(c, &st, explain, "s", param);
	for (; rc == STORE_ROW; rc = stmt_step(c, st))
		found |= strstr(stmt_text(c, st, 3), what) != NULL;
	stmt_reset(c, st);
	return found;
}

static void test_analyze_sees_a_county_whole(void **state)
{
	tu_store *t = *state;
	store_conn *c;
	store_stmt *st = NULL;

	county_of_5000(t);
	c = store_acquire(t->s);
	assert_int_equal(conn_query(c, &st, "SELECT stat FROM sqlite_stat1 WHERE idx = 'children_village'", ""),
			 STORE_ROW);
	/* rows, then rows per county: all of them */
	assert_memory_equal(stmt_text(c, st, 0), "5000 5000 ", 10);
	stmt_reset(c, st);
	assert_true(plan_says(
		c, "SELECT c.id FROM children c WHERE c.county_code = ? AND c.id > 0 ORDER BY c.id LIMIT 1000",
		"370831", "INTEGER PRIMARY KEY"));
	store_release(c);
}

/*
 * The counts of children under 18 by township (the overview; the monthly
 * report and the trends count alike) read the village index alone, which
 * holds the birth date and the archive time since migration 0039: before,
 * every child's row was read for them.
 */
static void test_children_counted_from_the_index(void **state)
{
	tu_store *t = *state;
	store_conn *c;

	county_of_5000(t);
	c = store_acquire(t->s);
	assert_true(plan_says(c,
			      "SELECT substr(c.village_code, 1, 9), COUNT(*) FROM children c WHERE c.county_code = ? "
			      "AND c.archived_at IS NULL AND (c.birth_date IS NULL OR c.birth_date > '2008-12-03') "
			      "GROUP BY substr(c.village_code, 1, 9)",
			      "370831", "COVERING INDEX children_village"));
	store_release(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test_setup_teardown(test_driver_name_and_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_idempotent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schema_newer_than_binary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_and_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nulls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_constraint_violations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_isolation_between_connections, setup, teardown),
		cmocka_unit_test_setup_teardown(test_statement_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_statement_cache_flood_keeps_busy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_args, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pool_waits_for_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pool_opens_as_needed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_analyze_sees_a_county_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(test_children_counted_from_the_index, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
