/*
 * The audit writer and hash chain (src/security/audit.h) on a real SQLite
 * store: jobs and their entries commit together, a failing job is rolled
 * back to its savepoint while its entry is still written ("failed"),
 * concurrent submitters get one gap-free chain, a restarted writer
 * continues the chain, posted work is answered after its commit, a
 * database moved to another key refuses the writer's batches, and
 * audit_verify finds each kind of tampering
 * (altered field, deleted newest or middle row, swapped rows, removed
 * head, wrong key) with the right seq.
 */
#include <pthread.h>
#include <semaphore.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <unistd.h>

#include "../../src/security/audit.h"
#include "../../src/security/keys.h"
#include "../../src/store/model.h"
#include "../../src/util/clock.h"
#include "../../src/util/wb.h"
#include "tu_store.h"

#define CHAIN_LEN 6 /* entries written by chain_setup */

static sec_keys keys, other_keys;

typedef struct setting_job {
	const char *name;
	int fail_with; /* 0: succeed; else the status to return after writing */
} setting_job;

static int setting_fn(store_conn *c, void *arg)
{
	setting_job *j = arg;
	int rc = conn_query(c, NULL, "INSERT INTO settings (county_code, name, value) VALUES (?, ?, ?)", "sss",
			    "370831", j->name, "v");

	if (rc < 0)
		return rc;
	return j->fail_with;
}

static void entry(audit_entry *e, const char *action, const char *object_id)
{
	audit_entry_init(e, "370831", 1, "admin", "admin", "127.0.0.1", "req-1");
	audit_entry_set(e, action, "setting", object_id, NULL);
}

static int64_t count_rows(store_conn *c, const char *sql, const char *arg)
{
	store_stmt *st = NULL;
	int64_t n;

	assert_int_equal(arg ? conn_query(c, &st, sql, "s", arg) : conn_query(c, &st, sql, ""), STORE_ROW);
	n = stmt_int64(c, st, 0);
	stmt_reset(c, st);
	return n;
}

static void outcome_of(store_conn *c, int64_t seq, char *out, size_t outlen)
{
	store_stmt *st = NULL;

	assert_int_equal(conn_query(c, &st, "SELECT outcome FROM audit_log WHERE seq = ?", "i", seq), STORE_ROW);
	stmt_copy(c, st, 0, out, outlen);
	stmt_reset(c, st);
}

static int verify(store *s, const sec_keys *k, int64_t *count, int64_t *bad, const char **why)
{
	store_conn *c = store_acquire(s);
	int rc = audit_verify(c, k, count, bad, why);

	store_release(c);
	return rc;
}

static int global_setup(void **state)
{
	unsigned char m[32], m2[32];

	(void)state;
	if (sec_init() != WB_OK)
		return -1;
	memset(m, 7, sizeof(m));
	memset(m2, 8, sizeof(m2));
	sec_keys_derive(m, &keys);
	sec_keys_derive(m2, &other_keys);
	clock_fake(1710000000);
	return 0;
}

static int global_teardown(void **state)
{
	(void)state;
	clock_fake(0);
	return 0;
}

static int store_setup(void **state)
{
	tu_store *t = calloc(1, sizeof(*t));

	if (!t || tu_store_open(t, 2) != WB_OK) {
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

static int store_teardown(void **state)
{
	tu_store *t = *state;

	tu_store_close(t);
	free(t);
	return 0;
}

/* A store with a verified chain of CHAIN_LEN entries: 1 pure entry, then
 * ok job, failed job, conflict job, unaudited job, then 2 pure entries. */
static int chain_setup(void **state)
{
	tu_store *t;
	audit *a = NULL;
	audit_entry e;
	setting_job ok = {"ok", 0}, bad = {"bad", WB_EINVAL}, conflict = {"conflict", WB_ECONFLICT},
		    quiet = {"quiet", 0};

	if (store_setup(state))
		return -1;
	t = *state;
	if (audit_start(t->s, &keys, &a) != WB_OK)
		return -1;
	entry(&e, "login", "");
	if (audit_submit(a, &e, NULL, NULL) != WB_OK)
		return -1;
	entry(&e, "setting.create", "ok");
	if (audit_submit(a, &e, setting_fn, &ok) != WB_OK)
		return -1;
	entry(&e, "setting.create", "bad");
	if (audit_submit(a, &e, setting_fn, &bad) != WB_EINVAL)
		return -1;
	entry(&e, "setting.create", "conflict");
	if (audit_submit(a, &e, setting_fn, &conflict) != WB_ECONFLICT)
		return -1;
	if (audit_submit(a, NULL, setting_fn, &quiet) != WB_OK)
		return -1;
	entry(&e, "child.read", "17");
	if (audit_submit(a, &e, NULL, NULL) != WB_OK)
		return -1;
	entry(&e, "logout", "");
	if (audit_submit(a, &e, NULL, NULL) != WB_OK)
		return -1;
	audit_stop(a);
	return 0;
}

static void test_empty_log_verifies(void **state)
{
	tu_store *t = *state;
	int64_t count = -1, bad = -1;
	const char *why = "x";

	assert_int_equal(verify(t->s, &keys, &count, &bad, &why), WB_OK);
	assert_int_equal(count, 0);
	assert_int_equal(bad, 0);
	assert_null(why);
}

static void test_chain_written_and_verified(void **state)
{
	tu_store *t = *state;
	store_conn *c;
	int64_t count = 0, bad = -1;
	const char *why = NULL;
	char outcome[24];

	assert_int_equal(verify(t->s, &keys, &count, &bad, &why), WB_OK);
	assert_int_equal(count, CHAIN_LEN);
	c = store_acquire(t->s);
	assert_int_equal(count_rows(c, "SELECT COUNT(*) FROM audit_log", NULL), CHAIN_LEN);
	assert_int_equal(count_rows(c, "SELECT MAX(seq) FROM audit_log", NULL), CHAIN_LEN);
	assert_int_equal(count_rows(c, "SELECT seq FROM audit_head WHERE id = 1", NULL), CHAIN_LEN);
	/* the county's count kept with the entries (the status card's) */
	assert_int_equal(count_rows(c, "SELECT SUM(entries) FROM county_audit_counts", NULL), CHAIN_LEN);
	/* the successful job's write committed with its entry */
	assert_int_equal(count_rows(c, "SELECT COUNT(*) FROM settings WHERE name = ?", "ok"), 1);
	outcome_of(c, 2, outcome, sizeof(outcome));
	assert_string_equal(outcome, "ok");
	/* the failing job's write was rolled back, its entry says so */
	assert_int_equal(count_rows(c, "SELECT COUNT(*) FROM settings WHERE name = ?", "bad"), 0);
	outcome_of(c, 3, outcome, sizeof(outcome));
	assert_string_equal(outcome, "failed");
	assert_int_equal(count_rows(c, "SELECT COUNT(*) FROM settings WHERE name = ?", "conflict"), 0);
	outcome_of(c, 4, outcome, sizeof(outcome));
	assert_string_equal(outcome, "conflict");
	/* an unaudited job writes but adds no entry */
	assert_int_equal(count_rows(c, "SELECT COUNT(*) FROM settings WHERE name = ?", "quiet"), 1);
	outcome_of(c, 5, outcome, sizeof(outcome));
	assert_string_equal(outcome, "ok");
	/* each row links to the one before */
	assert_int_equal(count_rows(c,
				    "SELECT COUNT(*) FROM audit_log a JOIN audit_log b ON b.seq = a.seq + 1 "
				    "WHERE b.prev_hash = a.hash",
				    NULL),
			 CHAIN_LEN - 1);
	assert_int_equal(count_rows(c, "SELECT COUNT(*) FROM audit_log WHERE at = 1710000000", NULL), CHAIN_LEN);
	store_release(c);
	/* the chain is keyed: another key does not verify it */
	assert_int_equal(verify(t->s, &other_keys, &count, &bad, &why), WB_ECONFLICT);
	assert_int_equal(bad, 1);
}

static void test_restart_continues_chain(void **state)
{
	tu_store *t = *state;
	audit *a = NULL;
	audit_entry e;
	int64_t count = 0, bad = -1;
	const char *why = NULL;
	store_conn *c;

	assert_int_equal(audit_start(t->s, &keys, &a), WB_OK);
	entry(&e, "login", "");
	assert_int_equal(audit_submit(a, &e, NULL, NULL), WB_OK);
	audit_stop(a);
	assert_int_equal(verify(t->s, &keys, &count, &bad, &why), WB_OK);
	assert_int_equal(count, CHAIN_LEN + 1);
	c = store_acquire(t->s);
	assert_int_equal(count_rows(c, "SELECT MAX(seq) FROM audit_log", NULL), CHAIN_LEN + 1);
	store_release(c);
}

/* Sets the database's key check value to that of k (NULL: none). */
static void set_key_check(store *s, const sec_keys *k)
{
	char check[SEC_HASH_HEX];
	store_conn *c = store_acquire(s);

	if (k) {
		sec_key_check(k, check);
		assert_true(conn_query(c, NULL,
				       "INSERT INTO key_check (id, value, at) VALUES (1, ?, 0) "
				       "ON CONFLICT (id) DO UPDATE SET value = excluded.value",
				       "s", check) >= 0);
	} else {
		assert_true(conn_query(c, NULL, "DELETE FROM key_check", "") >= 0);
	}
	store_release(c);
}

/* A database moved to another key while a writer ran (weibao rekey with a
 * server it did not see): the writer's batches are refused, with their
 * jobs' changes, until the key fits again; the chain stays whole. */
static void test_foreign_key_refused(void **state)
{
	tu_store *t = *state;
	audit *a = NULL;
	audit_entry e;
	setting_job job = {"after-rekey", 0};
	int64_t count = 0, bad = -1;
	const char *why = NULL;
	store_conn *c;

	assert_int_equal(audit_start(t->s, &keys, &a), WB_OK);
	set_key_check(t->s, &keys);
	entry(&e, "login", "");
	assert_int_equal(audit_submit(a, &e, NULL, NULL), WB_OK);

	set_key_check(t->s, &other_keys);
	entry(&e, "child.read", "17");
	assert_int_not_equal(audit_submit(a, &e, NULL, NULL), WB_OK);
	entry(&e, "setting.create", "after-rekey");
	assert_int_not_equal(audit_submit(a, &e, setting_fn, &job), WB_OK);
	c = store_acquire(t->s);
	assert_int_equal(count_rows(c, "SELECT COUNT(*) FROM audit_log", NULL), CHAIN_LEN + 1);
	assert_int_equal(count_rows(c, "SELECT COUNT(*) FROM settings WHERE name = ?", "after-rekey"), 0);
	store_release(c);

	/* the key fits again (or the database has no check value yet) */
	set_key_check(t->s, &keys);
	assert_int_equal(audit_submit(a, &e, setting_fn, &job), WB_OK);
	set_key_check(t->s, NULL);
	entry(&e, "logout", "");
	assert_int_equal(audit_submit(a, &e, NULL, NULL), WB_OK);
	audit_stop(a);
	assert_int_equal(verify(t->s, &keys, &count, &bad, &why), WB_OK);
	assert_int_equal(count, CHAIN_LEN + 3);
}

typedef struct submitter {
	audit *a;
	int n, failures;
	char name[16];
} submitter;

static void *submit_thread(void *arg)
{
	submitter *s = arg;

	for (int i = 0; i < s->n; i++) {
		audit_entry e;
		char id[16];

		wb_snprintf(id, sizeof(id), "%s-%d", s->name, i);
		entry(&e, "child.read", id);
		if (audit_submit(s->a, &e, NULL, NULL) != WB_OK)
			s->failures++;
	}
	return NULL;
}

static void test_concurrent_submitters_one_chain(void **state)
{
	tu_store *t = *state;
	audit *a = NULL;
	submitter subs[4];
	pthread_t th[4];
	int64_t count = 0, bad = -1;
	const char *why = NULL;

	assert_int_equal(audit_start(t->s, &keys, &a), WB_OK);
	for (int i = 0; i < 4; i++) {
		memset(&subs[i], 0, sizeof(subs[i]));
		subs[i].a = a;
		subs[i].n = 25;
		wb_snprintf(subs[i].name, sizeof(subs[i].name), "t%d", i);
		assert_int_equal(pthread_create(&th[i], NULL, submit_thread, &subs[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(subs[i].failures, 0);
	}
	audit_stop(a);
	assert_int_equal(verify(t->s, &keys, &count, &bad, &why), WB_OK);
	assert_int_equal(count, 100);
}

/* Retryable jobs (audit_submit_retryable: a registration) share a batch
 * without savepoints. When one of them fails, the batch is run again with a
 * savepoint per job: the others' writes are committed once, the failed one's
 * not at all, each entry says how its job ended, and the chain holds. */
typedef struct retry_job {
	audit *a;
	const char *name;
	int fail_with, runs, rc;
} retry_job;

static int retry_fn(store_conn *c, void *arg)
{
	retry_job *j = arg;
	setting_job s = {j->name, j->fail_with};

	j->runs++;
	return setting_fn(c, &s);
}

static void *retry_thread(void *arg)
{
	retry_job *j = arg;
	audit_entry e;

	entry(&e, "setting.create", j->name);
	j->rc = audit_submit_retryable(j->a, &e, retry_fn, j);
	return NULL;
}

typedef struct gate {
	sem_t *open;
} gate;

/* Holds the writer in its batch until the test opens the gate. */
static int gate_fn(store_conn *c, void *arg)
{
	gate *g = arg;

	(void)c;
	while (sem_wait(g->open) != 0)
		;
	return WB_OK;
}

static void run_retry_batch(tu_store *t, retry_job *jobs, int n)
{
	audit *a = NULL;
	sem_t open;
	gate g = {&open};
	pthread_t th[8];
	int waited = 0;

	assert_true(n <= 8);
	assert_int_equal(sem_init(&open, 0, 0), 0);
	assert_int_equal(audit_start(t->s, &keys, &a), WB_OK);
	/* the writer takes the gate alone into a batch and waits in it, while
	 * the jobs queue up behind: they then make the next batch together */
	assert_int_equal(audit_post(a, NULL, gate_fn, &g, sizeof(g), NULL, NULL), WB_OK);
	while (audit_queued(a) != 0 && waited++ < 5000)
		usleep(1000);
	for (int i = 0; i < n; i++) {
		jobs[i].a = a;
		assert_int_equal(pthread_create(&th[i], NULL, retry_thread, &jobs[i]), 0);
	}
	while (audit_queued(a) < n && waited++ < 5000)
		usleep(1000);
	assert_int_equal(audit_queued(a), n);
	sem_post(&open);
	for (int i = 0; i < n; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	audit_stop(a);
	sem_destroy(&open);
}

static void test_retryable_batch_without_failure(void **state)
{
	tu_store *t = *state;
	retry_job jobs[3] = {{.name = "r1"}, {.name = "r2"}, {.name = "r3"}};
	store_conn *c;
	int64_t count = 0, bad = -1;
	const char *why = NULL;

	run_retry_batch(t, jobs, 3);
	c = store_acquire(t->s);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(jobs[i].rc, WB_OK);
		assert_int_equal(jobs[i].runs, 1); /* nothing failed: each ran once */
		assert_int_equal(count_rows(c, "SELECT COUNT(*) FROM settings WHERE name = ?", jobs[i].name), 1);
	}
	assert_int_equal(count_rows(c, "SELECT COUNT(*) FROM audit_log WHERE outcome = 'ok'", NULL), 3);
	store_release(c);
	assert_int_equal(verify(t->s, &keys, &count, &bad, &why), WB_OK);
	assert_int_equal(count, 3);
}

static void test_retryable_batch_with_a_failure(void **state)
{
	tu_store *t = *state;
	retry_job jobs[3] = {{.name = "r1"}, {.name = "r2", .fail_with = WB_EINVAL}, {.name = "r3"}};
	store_conn *c;
	int64_t count = 0, bad = -1;
	const char *why = NULL;
	char outcome[24];

	run_retry_batch(t, jobs, 3);
	c = store_acquire(t->s);
	assert_int_equal(jobs[0].rc, WB_OK);
	assert_int_equal(jobs[1].rc, WB_EINVAL);
	assert_int_equal(jobs[2].rc, WB_OK);
	/* the failed job ran without and then with its savepoint */
	assert_int_equal(jobs[1].runs, 2);
	assert_int_equal(count_rows(c, "SELECT COUNT(*) FROM settings WHERE name = ?", "r1"), 1);
	assert_int_equal(count_rows(c, "SELECT COUNT(*) FROM settings WHERE name = ?", "r2"), 0);
	assert_int_equal(count_rows(c, "SELECT COUNT(*) FROM settings WHERE name = ?", "r3"), 1);
	assert_int_equal(count_rows(c, "SELECT COUNT(*) FROM audit_log", NULL), 3);
	assert_int_equal(count_rows(c, "SELECT seq FROM audit_log WHERE object_id = ?", "r2") > 0, 1);
	outcome_of(c, count_rows(c, "SELECT seq FROM audit_log WHERE object_id = ?", "r2"), outcome, sizeof(outcome));
	assert_string_equal(outcome, "failed");
	store_release(c);
	assert_int_equal(verify(t->s, &keys, &count, &bad, &why), WB_OK);
	assert_int_equal(count, 3);
}

/* Two writers on one database (the server and a CLI command such as
 * import-areas or user unlock, each with its own store) take turns: every
 * batch must chain from the newest stored entry, not from the head the
 * writer cached, or seqs collide and the chain forks. */
static void test_two_writers_one_chain(void **state)
{
	tu_store *t = *state;
	char url[80], err[256];
	store *s2 = NULL;
	audit *a1 = NULL, *a2 = NULL;
	int64_t count = 0, bad = -1;
	const char *why = NULL;

	assert_int_equal(wb_snprintf(url, sizeof(url), "sqlite:%s", t->path), WB_OK);
	assert_int_equal(store_open(url, 1, &s2, err, sizeof(err)), WB_OK);
	assert_int_equal(audit_start(t->s, &keys, &a1), WB_OK);
	assert_int_equal(audit_start(s2, &keys, &a2), WB_OK);
	for (int i = 0; i < 6; i++) {
		audit_entry e;

		entry(&e, i % 2 ? "user.unlock" : "child.read", "");
		if (audit_submit(i % 2 ? a2 : a1, &e, NULL, NULL) != WB_OK)
			fail_msg("submit %d by writer %d failed", i, i % 2 + 1);
	}
	audit_stop(a2);
	audit_stop(a1);
	store_close(s2);
	assert_int_equal(verify(t->s, &keys, &count, &bad, &why), WB_OK);
	assert_int_equal(count, 6);
}

/* Posted work (audit_post: what a read on an event thread uses): nobody
 * waits, on_done comes once the batch is committed — by then another
 * connection sees the entry — the job runs with its own copy of the
 * argument, and the chain stays whole. */
typedef struct posted {
	store_conn *c; /* a connection of the test's, to look from outside */
	sem_t done;
	int calls, visible, failures;
} posted;

static void posted_done(void *arg, int rc)
{
	posted *p = arg;

	p->calls++;
	if (rc != WB_OK)
		p->failures++;
	else if (count_rows(p->c, "SELECT COUNT(*) FROM audit_log WHERE object_id = ?", "posted") >= 1)
		p->visible++;
	sem_post(&p->done);
}

static void test_posted_work_answered_after_commit(void **state)
{
	tu_store *t = *state;
	audit *a = NULL;
	posted p;
	audit_entry e;
	int64_t count = 0, bad = -1;
	const char *why = NULL;

	memset(&p, 0, sizeof(p));
	sem_init(&p.done, 0, 0);
	assert_int_equal(audit_start(t->s, &keys, &a), WB_OK);
	p.c = store_acquire(t->s);
	for (int i = 0; i < 20; i++) {
		entry(&e, "child.read", "posted");
		assert_int_equal(audit_post(a, &e, NULL, NULL, 0, posted_done, &p), WB_OK);
		memset(&e, 0, sizeof(e)); /* the writer has its own copy */
	}
	{
		setting_job job = {"posted-job", 0};

		entry(&e, "setting.set", "posted");
		assert_int_equal(audit_post(a, &e, setting_fn, &job, sizeof(job), posted_done, &p), WB_OK);
		job.name = "overwritten"; /* the writer has its own copy */
	}
	for (int i = 0; i < 21; i++)
		while (sem_wait(&p.done) != 0)
			;
	assert_int_equal(p.calls, 21);
	assert_int_equal(p.failures, 0);
	assert_int_equal(p.visible, 21);
	assert_int_equal(count_rows(p.c, "SELECT COUNT(*) FROM settings WHERE name = ?", "posted-job"), 1);
	assert_int_equal(count_rows(p.c, "SELECT COUNT(*) FROM settings WHERE name = ?", "overwritten"), 0);
	store_release(p.c);
	audit_stop(a);
	sem_destroy(&p.done);
	assert_int_equal(verify(t->s, &keys, &count, &bad, &why), WB_OK);
	assert_int_equal(count, 21);
}

static void test_start_stop_idle(void **state)
{
	tu_store *t = *state;
	audit *a = NULL;

	assert_int_equal(audit_start(t->s, &keys, &a), WB_OK);
	audit_stop(a);
	audit_stop(NULL); /* harmless */
}

static void tamper_and_expect(tu_store *t, const char *sql, int64_t want_bad)
{
	store_conn *c = store_acquire(t->s);
	int64_t count = -1, bad = -1;
	const char *why = NULL;
	int rc;

	assert_int_equal(conn_exec(c, sql), WB_OK);
	store_release(c);
	rc = verify(t->s, &keys, &count, &bad, &why);
	if (rc != WB_ECONFLICT || bad != want_bad)
		fail_msg("after \"%s\": rc %s, bad seq %lld (%s); want conflict at %lld", sql, wb_strerror(rc),
			 (long long)bad, why ? why : "-", (long long)want_bad);
	assert_non_null(why);
}

static void test_altered_detail(void **state)
{
	tamper_and_expect(*state, "UPDATE audit_log SET detail = 'x' WHERE seq = 3", 3);
}

static void test_altered_outcome(void **state)
{
	/* hiding a failure */
	tamper_and_expect(*state, "UPDATE audit_log SET outcome = 'ok' WHERE seq = 3", 3);
}

static void test_altered_time(void **state)
{
	tamper_and_expect(*state, "UPDATE audit_log SET at = at + 1 WHERE seq = 5", 5);
}

static void test_altered_user(void **state)
{
	tamper_and_expect(*state, "UPDATE audit_log SET username = 'someone' WHERE seq = 1", 1);
}

static void test_altered_county(void **state)
{
	tamper_and_expect(*state, "UPDATE audit_log SET county_code = '370832' WHERE seq = 6", 6);
}

static void test_altered_hash(void **state)
{
	/* rewriting a hash breaks the link of the next row, or the head for the last */
	tamper_and_expect(*state, "UPDATE audit_log SET hash = prev_hash WHERE seq = 2", 2);
}

static void test_deleted_last_row(void **state)
{
	tamper_and_expect(*state, "DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)", CHAIN_LEN);
}

static void test_deleted_two_last_rows(void **state)
{
	tamper_and_expect(*state, "DELETE FROM audit_log WHERE seq >= 5", CHAIN_LEN - 1);
}

static void test_deleted_middle_row(void **state)
{
	tamper_and_expect(*state, "DELETE FROM audit_log WHERE seq = 3", 4);
}

static void test_deleted_first_row(void **state)
{
	tamper_and_expect(*state, "DELETE FROM audit_log WHERE seq = 1", 2);
}

static void test_deleted_head(void **state)
{
	/* no entry is at fault (there is no entry CHAIN_LEN + 1 to name) */
	tamper_and_expect(*state, "DELETE FROM audit_head", 0);
}

static void test_head_rewound_behind_log(void **state)
{
	/* the head set back while the entries after it stay: the first of them */
	tamper_and_expect(
		*state, "UPDATE audit_head SET seq = 4, hash = (SELECT hash FROM audit_log WHERE seq = 4) WHERE id = 1",
		5);
}

static void test_head_hash_altered(void **state)
{
	tamper_and_expect(*state,
			  "UPDATE audit_head SET hash = (SELECT hash FROM audit_log WHERE seq = 2) WHERE id = 1",
			  CHAIN_LEN);
}

static void test_rows_and_head_rewound_undetected(void **state)
{
	/* the limit docs/operations.md states: the newest entry deleted and
	 * the head rewound with it verifies, one entry fewer */
	tu_store *t = *state;
	store_conn *c = store_acquire(t->s);
	int64_t count = -1, bad = -1;
	const char *why = NULL;

	assert_int_equal(conn_exec(c,
				   "UPDATE audit_head SET seq = 5, hash = (SELECT hash FROM audit_log WHERE seq = 5) "
				   "WHERE id = 1; DELETE FROM audit_log WHERE seq = 6"),
			 WB_OK);
	store_release(c);
	assert_int_equal(verify(t->s, &keys, &count, &bad, &why), WB_OK);
	assert_int_equal(count, CHAIN_LEN - 1);
}

static void test_swapped_rows(void **state)
{
	tamper_and_expect(*state,
			  "UPDATE audit_log SET seq = -2 WHERE seq = 2; "
			  "UPDATE audit_log SET seq = 2 WHERE seq = 4; "
			  "UPDATE audit_log SET seq = 4 WHERE seq = -2",
			  2);
}

static void test_swapped_adjacent_rows(void **state)
{
	tamper_and_expect(*state,
			  "UPDATE audit_log SET seq = -5 WHERE seq = 5; "
			  "UPDATE audit_log SET seq = 5 WHERE seq = 6; "
			  "UPDATE audit_log SET seq = 6 WHERE seq = -5",
			  5);
}

static void test_renumbered_row(void **state)
{
	/* an extra row number inserted by renumbering the last one */
	tamper_and_expect(*state, "UPDATE audit_log SET seq = 7 WHERE seq = 6", 7);
}

static void test_entry_init_truncates(void **state)
{
	audit_entry e;
	char long_name[200];

	(void)state;
	memset(long_name, 'n', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	audit_entry_init(&e, NULL, 0, long_name, NULL, NULL, NULL);
	assert_string_equal(e.county_code, "");
	assert_int_equal(strlen(e.username), sizeof(e.username) - 1);
	assert_string_equal(e.outcome, "ok");
	audit_entry_set(&e, long_name, NULL, NULL, "denied");
	assert_int_equal(strlen(e.action), sizeof(e.action) - 1);
	assert_string_equal(e.object_type, "");
	assert_string_equal(e.outcome, "denied");
}

static int list_item(const audit_rec *r, void *arg)
{
	int64_t *seqs = arg;

	seqs[++seqs[0]] = r->seq;
	return WB_OK;
}

/* A log written before schema 0007 (seq a plain unique column beside the
 * rowid) is carried over whole: same entries, same hashes, the chain still
 * verifies, and the auditor's newest-first list by object still works. */
static void test_upgrade_keeps_chain(void **state)
{
	tu_store *t = *state;
	store_conn *c = store_acquire(t->s);
	int64_t count = 0, bad = -1, seqs[8] = {0};
	const char *why = NULL;
	audit_filter f;
	int v = 0;

	/* back to the shape of schema 0006, with the chain's rows in it */
	assert_int_equal(
		conn_exec(
			c,
			"CREATE TABLE old_log AS SELECT * FROM audit_log; DROP TABLE audit_log; "
			"CREATE TABLE audit_log (seq BIGINT PRIMARY KEY, county_code TEXT NOT NULL, "
			"at BIGINT NOT NULL, user_id BIGINT, username TEXT, role TEXT, action TEXT NOT "
			"NULL, object_type TEXT, object_id TEXT, outcome TEXT NOT NULL, client_addr TEXT, "
			"request_id TEXT, detail TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL); "
			"INSERT INTO audit_log SELECT * FROM old_log ORDER BY seq DESC; DROP TABLE old_log; "
			"CREATE INDEX audit_log_object ON audit_log (object_type, object_id); "
			"CREATE INDEX audit_log_user ON audit_log (user_id, seq); "
			"DROP INDEX child_changes_moves; DROP INDEX child_changes_archives; " /* 0043 */
			"ALTER TABLE programmes DROP COLUMN version; "                        /* 0041 */
			"ALTER TABLE child_changes DROP COLUMN visit_id; "                    /* 0040 */
			"DROP INDEX children_village; "
			"CREATE INDEX children_village ON children (county_code, village_code, id); " /* 0039 */
			"ALTER TABLE inbox DROP COLUMN membership_id; "                               /* 0038 */
			"ALTER TABLE request_attachments DROP COLUMN unit_id; "                       /* 0037 */
			"ALTER TABLE request_steps DROP COLUMN rating; "                              /* 0036 */
			"ALTER TABLE imports DROP COLUMN ignored_columns; "                           /* 0034 */
			"DROP TABLE county_audit_counts; "                                            /* 0033 */
			"DROP TABLE key_check; "                                                      /* 0032 */
			"DROP INDEX children_name_key; ALTER TABLE children DROP COLUMN name_key; "   /* 0031 */
			"DROP TABLE child_numbers; "                                                  /* 0029 */
			"ALTER TABLE imports DROP COLUMN skipped; "                                   /* 0027 */
			"ALTER TABLE inbox DROP COLUMN child_id; "                                    /* 0026 */
			"DROP TABLE entitlement_gap_checks; "                                         /* 0024 */
			"DROP TABLE entitlement_gaps; ALTER TABLE inbox DROP COLUMN items; "          /* 0019 */
			"DROP TABLE director_reviews; "                                               /* 0018 */
			"DROP TABLE follow_ups; "                       /* 0016: first, it refers to visits */
			"ALTER TABLE users DROP COLUMN last_login_at; " /* 0008 */
			"DROP TABLE visits; DROP INDEX children_risk; DROP INDEX idempotency_keys_age; " /* 0009 */
			"DROP TABLE benefit_receipts; DROP TABLE policy_versions; DROP TABLE policies; "
			"DROP INDEX children_needs; " /* 0010 */
			"DROP TABLE project_log; DROP TABLE project_funds; DROP TABLE project_children; "
			"DROP TABLE projects; " /* 0011 */
			"DROP INDEX children_school; "
			"CREATE INDEX children_school ON children (school_id) WHERE school_id IS NOT NULL; " /* 0014 */
			"DROP INDEX children_archived; ALTER TABLE children DROP COLUMN archived_at; "
			"ALTER TABLE children DROP COLUMN archive_reason; ALTER TABLE children DROP COLUMN erased_at; "
			"ALTER TABLE children DROP COLUMN archive_note; "
			/* 0012 */
			"DROP TABLE talks; " /* 0013 */
			"DROP TABLE caring_pairs; DROP TABLE caring_mothers; DROP TABLE counselling_sessions; "
			"DROP TABLE school_rooms; "                                                       /* 0014 */
			"DROP TABLE programme_log; DROP TABLE programme_returns; DROP TABLE programmes; " /* 0015 */
			"DELETE FROM schema_migrations WHERE version >= 7"),
		WB_OK);
	assert_int_equal(count_rows(c, "SELECT COUNT(*) FROM audit_log WHERE seq <> rowid", NULL), CHAIN_LEN);
	store_release(c);

	assert_int_equal(store_migrate(t->s, &v), WB_OK);
	assert_int_equal(v, store_latest_version());
	assert_int_equal(verify(t->s, &keys, &count, &bad, &why), WB_OK);
	assert_int_equal(count, CHAIN_LEN);
	{
		/* the migration's temporary-file setting is undone on every
		 * connection of the pool (2): later sorts stay in memory */
		store_conn *c1 = store_acquire(t->s), *c2 = store_acquire(t->s);

		assert_int_equal(count_rows(c1, "PRAGMA temp_store", NULL), 2);
		assert_int_equal(count_rows(c2, "PRAGMA temp_store", NULL), 2);
		store_release(c2);
		store_release(c1);
	}
	c = store_acquire(t->s);
	assert_int_equal(count_rows(c, "SELECT COUNT(*) FROM audit_log WHERE seq <> rowid", NULL), 0);
	assert_int_equal(
		count_rows(c, "SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'sqlite_autoindex_audit%'", NULL), 0);
	/* 0033 counted each county's entries of the log it found */
	assert_int_equal(count_rows(c, "SELECT entries FROM county_audit_counts WHERE county_code = ?", "370831"),
			 CHAIN_LEN);
	/* every entry of the chain is about a setting; one is about "17" */
	memset(&f, 0, sizeof(f));
	f.object_type = "setting";
	f.limit = 7;
	assert_int_equal(store_audit_list(c, "370831", &f, list_item, seqs), WB_OK);
	assert_int_equal(seqs[0], CHAIN_LEN);
	for (int i = 1; i < seqs[0]; i++)
		assert_true(seqs[i] > seqs[i + 1]); /* newest first */
	seqs[0] = 0;
	f.object_id = "17";
	assert_int_equal(store_audit_list(c, "370831", &f, list_item, seqs), WB_OK);
	assert_int_equal(seqs[0], 1);
	assert_int_equal(seqs[1], 5);
	store_release(c);
}

/* The plan SQLite makes for store_audit_list's own query under filter f:
 * every row's detail column, joined. */
static void plan_of(store_conn *c, const audit_filter *f, char *out, size_t n)
{
	store_stmt *st = NULL;
	store_args a = {0};
	buf sql, explain;
	int rc;

	assert_int_equal(store_audit_list_sql("370831", f, &sql, &a), WB_OK);
	buf_init(&explain, 8192);
	assert_int_equal(buf_printf(&explain, "EXPLAIN QUERY PLAN %s", sql.data), WB_OK);
	out[0] = '\0';
	assert_int_equal(conn_prepare_args(c, explain.data, &a, &st), WB_OK);
	while ((rc = stmt_step(c, st)) == STORE_ROW) {
		const char *d = stmt_text(c, st, 3);
		size_t used = strlen(out);

		wb_snprintf(out + used, n - used, "%s; ", d ? d : "");
	}
	stmt_reset(c, st);
	assert_int_equal(rc, STORE_DONE);
	buf_cleanup(&explain);
	buf_cleanup(&sql);
}

/* The auditor's lookups seek an index instead of scanning the log: by a
 * record's id alone (the web UI's filter), by type and id, by user, by
 * action (the partial index) — the last three newest first without a sort. */
static void test_lookups_use_indexes(void **state)
{
	static const struct {
		audit_filter f;
		const char *index;
		int sorted; /* 1: newest first straight from the index */
	} cases[] = {
		{{.object_id = "17", .limit = 100}, "USING INDEX audit_log_object (object_id=?)", 0},
		{{.object_type = "child", .object_id = "17", .limit = 100},
		 "USING INDEX audit_log_object (object_id=? AND object_type=?)",
		 1},
		{{.user_id = 3, .limit = 100}, "USING INDEX audit_log_user (user_id=?)", 1},
		{{.action = "child.export", .limit = 100}, "USING INDEX audit_log_action (action=?)", 1},
	};
	tu_store *t = *state;
	store_conn *c = store_acquire(t->s);
	char plan[1024];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		plan_of(c, &cases[i].f, plan, sizeof(plan));
		assert_non_null(strstr(plan, cases[i].index));
		if (cases[i].sorted)
			assert_null(strstr(plan, "TEMP B-TREE"));
	}
	{
		/* and the lists by action find their entries, in or out of it */
		audit_filter f;
		int64_t seqs[8] = {0};

		memset(&f, 0, sizeof(f));
		f.limit = 7;
		f.action = "setting.create";
		assert_int_equal(store_audit_list(c, "370831", &f, list_item, seqs), WB_OK);
		assert_int_equal(seqs[0], 3);
		assert_int_equal(seqs[1], 4);
		assert_int_equal(seqs[3], 2);
		seqs[0] = 0;
		f.action = "child.read";
		assert_int_equal(store_audit_list(c, "370831", &f, list_item, seqs), WB_OK);
		assert_int_equal(seqs[0], 1);
		assert_int_equal(seqs[1], 5);
	}
	store_release(c);
}

/* The days of the auditor's filter: the first seq at or after a time, by
 * bisection; the list between two times, newest first, within the seq
 * range widened by a minute. Ten entries an hour apart. */
static void test_seq_at_bisects_time(void **state)
{
	const int64_t t0 = 1710000000;
	tu_store *t = *state;
	audit *a = NULL;
	audit_entry e;
	store_conn *c;
	audit_filter f;
	int64_t seq = 0, seqs[16] = {0};

	c = store_acquire(t->s);
	assert_int_equal(store_audit_seq_at(c, t0, &seq), WB_OK);
	assert_int_equal(seq, 1); /* an empty log: the first to come */
	store_release(c);
	assert_int_equal(audit_start(t->s, &keys, &a), WB_OK);
	for (int k = 0; k < 10; k++) {
		clock_fake(t0 + (int64_t)k * 3600);
		entry(&e, "login", "");
		assert_int_equal(audit_submit(a, &e, NULL, NULL), WB_OK);
	}
	audit_stop(a);
	clock_fake(t0);
	c = store_acquire(t->s);
	assert_int_equal(store_audit_seq_at(c, 0, &seq), WB_OK);
	assert_int_equal(seq, 1);
	for (int k = 0; k < 10; k++) {
		assert_int_equal(store_audit_seq_at(c, t0 + (int64_t)k * 3600, &seq), WB_OK);
		assert_int_equal(seq, k + 1);
		assert_int_equal(store_audit_seq_at(c, t0 + (int64_t)k * 3600 + 1, &seq), WB_OK);
		assert_int_equal(seq, k + 2);
	}
	assert_int_equal(store_audit_seq_at(c, t0 + 20 * 3600, &seq), WB_OK);
	assert_int_equal(seq, 11);
	/* from the third hour to before the seventh: entries 3 to 6 */
	memset(&f, 0, sizeof(f));
	f.limit = 100;
	f.from_at = t0 + 2 * 3600;
	f.to_at = t0 + 6 * 3600;
	assert_int_equal(store_audit_seq_at(c, f.from_at - 60, &f.min_seq), WB_OK);
	assert_int_equal(store_audit_seq_at(c, f.to_at + 60, &f.max_seq), WB_OK);
	assert_int_equal(store_audit_list(c, "370831", &f, list_item, seqs), WB_OK);
	assert_int_equal(seqs[0], 4);
	assert_int_equal(seqs[1], 6);
	assert_int_equal(seqs[4], 3);
	store_release(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_empty_log_verifies, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_chain_written_and_verified, chain_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_restart_continues_chain, chain_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_submitters_one_chain, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_posted_work_answered_after_commit, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_start_stop_idle, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_two_writers_one_chain, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_retryable_batch_without_failure, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_retryable_batch_with_a_failure, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_altered_detail, chain_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_altered_outcome, chain_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_altered_time, chain_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_altered_user, chain_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_altered_county, chain_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_altered_hash, chain_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_deleted_last_row, chain_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_deleted_two_last_rows, chain_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_deleted_middle_row, chain_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_deleted_first_row, chain_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_deleted_head, chain_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_head_rewound_behind_log, chain_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_head_hash_altered, chain_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_rows_and_head_rewound_undetected, chain_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_swapped_rows, chain_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_swapped_adjacent_rows, chain_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_renumbered_row, chain_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_upgrade_keeps_chain, chain_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_lookups_use_indexes, chain_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_seq_at_bisects_time, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_foreign_key_refused, chain_setup, store_teardown),
		cmocka_unit_test(test_entry_init_truncates),
	};

	return cmocka_run_group_tests(tests, global_setup, global_teardown);
}
