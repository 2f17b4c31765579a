/*
 * The writer thread with group commit, the audit hash chain, and its
 * verification. See audit.h for the guarantees.
 */
#include "audit.h"

#include <inttypes.h>
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>

#include "../util/buf.h"
#include "../util/clock.h"
#include "../util/log.h"
#include "../util/wb.h"

#define AUDIT_BATCH_MAX 512
#define GENESIS_HASH    "0000000000000000000000000000000000000000000000000000000000000000"

typedef struct audit_job {
	const audit_entry *e;
	audit_job_fn fn;
	void *arg;
	int rc;
	int alone;     /* runs in a transaction of its own, without a savepoint */
	int retryable; /* fn may run again after a rollback (audit_submit_retryable) */
	/* posted when this job is done: the submitter alone wakes, and it does
	 * not need the queue's mutex to return */
	sem_t done;
	/* or, for a job nobody waits for (audit_post): on_done (if any) is
	 * called when it is done; the job is then freed, with its copies of the
	 * entry and of the argument (allocated after the struct) */
	int posted;
	audit_done_fn on_done;
	void *done_arg;
	struct audit_job *next;
} audit_job;
_Static_assert(sizeof(audit_job) % 8 == 0 && sizeof(audit_entry) % 8 == 0,
	       "audit_post's copies after the job stay 8-byte aligned");

struct audit {
	store *s;
	store_conn *c;
	sec_keys keys;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t work_cv;
	audit_job *head, *tail;
	int stopping;
	int64_t seq;
	char hash[SEC_HASH_HEX];
	char check[SEC_HASH_HEX];      /* this key's check value (sec_key_check) */
	int64_t key_warned_at;         /* when a foreign key check was last logged (0: never) */
	struct pending_entry *pending; /* AUDIT_BATCH_MAX + 1 */
	size_t npending;
};

static void field(buf *b, const char *s)
{
	buf_printf(b, "%zu:%s\n", strlen(s), s);
}

/* The canonical text an entry's hash covers. */
static void canonical(buf *b, int64_t seq, int64_t at, const char *county, int64_t user_id, const char *username,
		      const char *role, const char *action, const char *object_type, const char *object_id,
		      const char *outcome, const char *client, const char *request_id, const char *detail)
{
	buf_reset(b);
	buf_printf(b, "%" PRId64 "\n%" PRId64 "\n%" PRId64 "\n", seq, at, user_id);
	field(b, county);
	field(b, username);
	field(b, role);
	field(b, action);
	field(b, object_type);
	field(b, object_id);
	field(b, outcome);
	field(b, client);
	field(b, request_id);
	field(b, detail);
}

/* An entry of the batch, chained but not yet inserted. */
typedef struct pending_entry {
	const audit_entry *e;
	const char *outcome;
	int64_t seq, at;
	char prev[SEC_HASH_HEX];
	char hash[SEC_HASH_HEX];
} pending_entry;

#define AUDIT_COLS     15 /* placeholders of one audit_log row */
#define AUDIT_ROWS_MAX 64 /* rows of one multi-row insert */
_Static_assert((AUDIT_COLS * AUDIT_ROWS_MAX) <= STORE_MULTI_PARAMS, "audit insert within the drivers' parameters");

static void append_entry(audit *a, const audit_entry *e, int job_rc, buf *scratch)
{
	pending_entry *p = &a->pending[a->npending++];
	const char *outcome = job_rc == WB_OK ? e->outcome : "failed";

	/* a refused write: its job may have named the refusal in the entry's
	 * outcome (a duplicate ID number); otherwise a conflict */
	if (job_rc == WB_ECONFLICT)
		outcome = e->outcome[0] && strcmp(e->outcome, "ok") != 0 ? e->outcome : "conflict";
	/* input refused whole (an import's file in error: "rejected") is not a
	 * failure of the server when its job named the refusal so */
	if (job_rc == WB_EINVAL && e->outcome[0] && strcmp(e->outcome, "ok") != 0)
		outcome = e->outcome;
	p->e = e;
	p->outcome = outcome;
	p->seq = a->seq + 1;
	p->at = clock_now();
	canonical(scratch, p->seq, p->at, e->county_code, e->user_id, e->username, e->role, e->action, e->object_type,
		  e->object_id, outcome, e->client_addr, e->request_id, e->detail);
	memcpy(p->prev, a->hash, SEC_HASH_HEX);
	sec_chain_hash(&a->keys, a->hash, scratch->data, scratch->len, p->hash);
	a->seq = p->seq;
	memcpy(a->hash, p->hash, SEC_HASH_HEX);
}

#define AUDIT_LOG_INSERT                                                                 \
	"INSERT INTO audit_log (seq, county_code, at, user_id, username, role, action, " \
	"object_type, object_id, outcome, client_addr, request_id, detail, prev_hash, hash) VALUES "
#define AUDIT_ROW "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define COUNTS_UPSERT_TAIL                                                                  \
	" ON CONFLICT (county_code) DO UPDATE SET entries = county_audit_counts.entries + " \
	"excluded.entries"
#define HEAD_UPSERT                                                \
	"INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?) " \
	"ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash"

/* The batch's counties, each once, with its number of entries: m of them. */
static int batch_counties(const audit *a, const char **county, int64_t *count)
{
	int m = 0;

	for (size_t k = 0; k < a->npending; k++) {
		const char *cc = a->pending[k].e->county_code;
		int i = 0;

		while (i < m && strcmp(county[i], cc) != 0)
			i++;
		if (i == m) {
			county[m] = cc;
			count[m++] = 0;
		}
		count[i]++;
	}
	return m;
}

/* Binds the rows of pending entries [from, from + n) from placeholder *idx. */
static int bind_rows(audit *a, store_stmt *st, size_t from, int n, int *idx)
{
	int rc = WB_OK;

	for (int r = 0; rc == WB_OK && r < n; r++) {
		const pending_entry *p = &a->pending[from + (size_t)r];
		const audit_entry *e = p->e;
		const char *text[] = {e->username,  e->role,    e->action,      e->object_type,
				      e->object_id, p->outcome, e->client_addr, e->request_id,
				      e->detail,    p->prev,    p->hash};

		rc = stmt_bind_int64(a->c, st, (*idx)++, p->seq);
		if (rc == WB_OK)
			rc = stmt_bind_text(a->c, st, (*idx)++, e->county_code);
		if (rc == WB_OK)
			rc = stmt_bind_int64(a->c, st, (*idx)++, p->at);
		if (rc == WB_OK)
			rc = stmt_bind_int64(a->c, st, (*idx)++, e->user_id);
		for (size_t t = 0; rc == WB_OK && t < sizeof(text) / sizeof(text[0]); t++)
			rc = stmt_bind_text(a->c, st, (*idx)++, text[t]);
	}
	return rc;
}

/*
 * The last chunk of a batch with everything else the batch writes, in one
 * statement: the rows, each county's count (county_audit_counts) and the
 * chain's head. For a driver whose statements are round trips
 * (PostgreSQL): two round trips fewer in every batch of the writer.
 */
static int insert_last_chunk(audit *a, size_t from, int n, const char **county, const int64_t *count, int m)
{
	store_stmt *st = NULL;
	buf tail;
	int rc, idx = 1;

	/* the rows as any chunk's (conn_prepare_rows), then the counts and
	 * the head */
	buf_init(&tail, 1u << 16);
	rc = buf_puts(&tail, "), k AS (INSERT INTO county_audit_counts (county_code, entries) VALUES ");
	for (int k = 0; rc == WB_OK && k < m; k++)
		rc = buf_puts(&tail, k ? ", (?, ?)" : "(?, ?)");
	if (rc == WB_OK)
		rc = buf_puts(&tail, COUNTS_UPSERT_TAIL ") " HEAD_UPSERT);
	if (rc == WB_OK)
		rc = conn_prepare_rows(a->c, "WITH i AS (" AUDIT_LOG_INSERT, AUDIT_ROW, n, tail.data, &st);
	buf_cleanup(&tail);
	if (rc == WB_OK)
		rc = bind_rows(a, st, from, n, &idx);
	for (int k = 0; rc == WB_OK && k < m; k++) {
		rc = stmt_bind_text(a->c, st, idx++, county[k]);
		if (rc == WB_OK)
			rc = stmt_bind_int64(a->c, st, idx++, count[k]);
	}
	if (rc == WB_OK)
		rc = stmt_bind_int64(a->c, st, idx++, a->seq);
	if (rc == WB_OK)
		rc = stmt_bind_text(a->c, st, idx++, a->hash);
	if (rc == WB_OK)
		rc = stmt_step(a->c, st) == STORE_DONE ? WB_OK : WB_ESTORE;
	if (st)
		stmt_reset(a->c, st);
	return rc;
}

/*
 * Inserts the batch's entries in multi-row statements of power-of-two
 * sizes up to AUDIT_ROWS_MAX (store_chunk_rows: a few statement texts),
 * adds them to each county's count and moves the chain's head.
 */
static int flush_entries(audit *a)
{
	const char *county[AUDIT_BATCH_MAX + 1];
	int64_t count[AUDIT_BATCH_MAX + 1];
	int m, rc;
	size_t i = 0;

	if (a->npending == 0)
		return WB_OK;
	m = batch_counties(a, county, count);
	while (i < a->npending) {
		int n = store_chunk_rows((int)(a->npending - i), AUDIT_ROWS_MAX), idx = 1;
		store_stmt *st = NULL;

		if (!a->c->drv->local_statements && i + (size_t)n == a->npending) {
			rc = insert_last_chunk(a, i, n, county, count, m);
			a->npending = 0;
			return rc;
		}
		rc = conn_prepare_rows(a->c, AUDIT_LOG_INSERT, AUDIT_ROW, n, NULL, &st);
		if (rc == WB_OK)
			rc = bind_rows(a, st, i, n, &idx);
		if (rc == WB_OK)
			rc = stmt_step(a->c, st) == STORE_DONE ? WB_OK : WB_ESTORE;
		if (st)
			stmt_reset(a->c, st);
		if (rc != WB_OK)
			return rc;
		i += (size_t)n;
	}
	/* local statements cost no round trip: one upsert a county, then the
	 * head */
	for (int k = 0; k < m; k++) {
		rc = conn_query(
			a->c, NULL,
			"INSERT INTO county_audit_counts (county_code, entries) VALUES (?, ?)" COUNTS_UPSERT_TAIL, "si",
			county[k], count[k]);
		if (rc < 0)
			return rc;
	}
	a->npending = 0;
	rc = conn_query(a->c, NULL, HEAD_UPSERT, "is", a->seq, a->hash);
	return rc < 0 ? rc : WB_OK;
}

/*
 * Continues the chain from the stored head. Another process (the CLI's
 * user unlock, import-areas, ...) may have appended entries since the last
 * batch; chaining from the cached head would then reuse a seq and fail
 * every later batch. Run inside the write transaction: SQLite's write lock
 * is held already, and on PostgreSQL the no-op UPDATE locks the head row,
 * so two writers never chain from the same entry.
 *
 * The same statement reads the database's key check value: should the
 * database have moved to another key since this process opened it (`weibao
 * rekey` run while a server it could not see was starting or running),
 * entries sealed and secrets encrypted with this process's key would break
 * the chain and be unreadable. The batch is refused (WB_ECRYPTO) and the
 * reason logged, at most once a minute.
 */
static int reload_head(audit *a)
{
	store_stmt *st = NULL;
	int rc = conn_query(a->c, &st,
			    "UPDATE audit_head SET seq = seq WHERE id = 1 "
			    "RETURNING seq, hash, (SELECT value FROM key_check WHERE id = 1)",
			    "");
	int fits = 1;

	if (rc == STORE_ROW) {
		a->seq = stmt_int64(a->c, st, 0);
		wb_strlcpy(a->hash, stmt_text(a->c, st, 1), sizeof(a->hash));
		fits = stmt_is_null(a->c, st, 2) || sec_streq(stmt_text(a->c, st, 2), a->check);
		stmt_reset(a->c, st);
	} else if (rc != STORE_DONE) {
		return rc;
	} /* else no head yet: an empty chain */
	if (!fits) {
		int64_t now = clock_now();

		if (now - a->key_warned_at >= 60) {
			a->key_warned_at = now;
			log_error("audit: the database has moved to another key since this process opened it "
				  "(weibao rekey); every change is refused: restart with the new key file");
		}
		return WB_ECRYPTO;
	}
	return WB_OK;
}

static int all_retryable(const audit_job *batch)
{
	for (const audit_job *j = batch; j; j = j->next)
		if (j->fn && !j->retryable)
			return 0;
	return 1;
}

/*
 * Runs the jobs of a batch in order and appends their entries. With
 * savepoints, each job runs in its own, and one that fails is rolled back
 * alone: its entry says "failed". Without, the first job that fails stops
 * the run and sets *failed (the caller rolls the transaction back). Returns
 * a store error that dooms the batch, or WB_OK.
 */
static int run_jobs(audit *a, audit_job *batch, int savepoints, buf *scratch, int *failed)
{
	/* The savepoint of a job that succeeded is released together with the
	 * next job's SAVEPOINT (one statement string, one round trip on
	 * PostgreSQL), or by the COMMIT. */
	int sp_open = 0, rc = WB_OK;

	*failed = 0;
	for (audit_job *j = batch; rc == WB_OK && j; j = j->next) {
		j->rc = WB_OK;
		if (j->fn && !savepoints) {
			j->rc = j->fn(a->c, j->arg);
			if (j->rc != WB_OK) {
				*failed = 1;
				return WB_OK;
			}
		} else if (j->fn) {
			rc = conn_exec(a->c, sp_open ? "RELEASE SAVEPOINT wbjob; SAVEPOINT wbjob" : "SAVEPOINT wbjob");
			if (rc)
				break;
			sp_open = 1;
			j->rc = j->fn(a->c, j->arg);
			if (j->rc != WB_OK) {
				rc = conn_exec(a->c, "ROLLBACK TO SAVEPOINT wbjob; RELEASE SAVEPOINT wbjob");
				sp_open = 0;
			}
			if (rc)
				break;
		}
		if (j->e)
			append_entry(a, j->e, j->rc, scratch);
	}
	return rc;
}

static void run_batch(audit *a, audit_job *batch)
{
	audit_job *first = batch;
	int64_t saved_seq = a->seq;
	char saved_hash[SEC_HASH_HEX];
	buf scratch;
	int rc;

	memcpy(saved_hash, a->hash, SEC_HASH_HEX);
	buf_init(&scratch, 8192);
	rc = conn_begin_write(a->c);
	if (rc == WB_OK)
		rc = reload_head(a);
	if (rc == WB_OK && batch->alone) {
		/* A large job (an import) alone in its transaction: no savepoint,
		 * whose statement journal would grow with every row. On failure the
		 * whole transaction is rolled back and its audit entry written in a
		 * fresh one. */
		batch->rc = batch->fn ? batch->fn(a->c, batch->arg) : WB_OK;
		if (batch->rc != WB_OK) {
			conn_rollback(a->c);
			rc = conn_begin_write(a->c);
			if (rc == WB_OK)
				rc = reload_head(a);
		}
		if (rc == WB_OK && batch->e)
			append_entry(a, batch->e, batch->rc, &scratch);
		batch = NULL; /* done: skip the loop below */
	}
	if (rc == WB_OK && batch) {
		/* A batch of retryable jobs runs without savepoints: one statement
		 * less per job (a round trip on PostgreSQL, and no subtransaction).
		 * Should one of them fail, the transaction is rolled back and the
		 * whole batch run again, each job in its savepoint. */
		int savepoints = !all_retryable(batch), failed = 0;

		rc = run_jobs(a, batch, savepoints, &scratch, &failed);
		if (rc == WB_OK && failed) {
			conn_rollback(a->c);
			a->npending = 0;
			a->seq = saved_seq;
			memcpy(a->hash, saved_hash, SEC_HASH_HEX);
			rc = conn_begin_write(a->c);
			if (rc == WB_OK)
				rc = reload_head(a);
			if (rc == WB_OK)
				rc = run_jobs(a, batch, 1, &scratch, &failed);
		}
	}
	if (rc == WB_OK)
		rc = flush_entries(a); /* and the head, when the batch has entries */
	a->npending = 0;
	if (rc >= 0)
		rc = conn_commit(a->c);
	else
		conn_rollback(a->c);
	if (rc < 0) {
		if (rc != WB_ECRYPTO) /* a foreign key: logged by reload_head */
			log_error("audit: batch commit failed (%s); batch discarded", wb_strerror(rc));
		a->seq = saved_seq;
		memcpy(a->hash, saved_hash, SEC_HASH_HEX);
		for (audit_job *j = first; j; j = j->next)
			j->rc = WB_ESTORE;
	}
	buf_cleanup(&scratch);
}

static void *writer_main(void *arg)
{
	audit *a = arg;

	pthread_setname_np(pthread_self(), "wb-audit");
	pthread_mutex_lock(&a->mu);
	for (;;) {
		audit_job *batch, *last;
		int n = 1;

		while (!a->head && !a->stopping)
			pthread_cond_wait(&a->work_cv, &a->mu);
		if (!a->head && a->stopping)
			break;
		batch = last = a->head;
		while (!batch->alone && last->next && !last->next->alone && n < AUDIT_BATCH_MAX) {
			last = last->next;
			n++;
		}
		a->head = last->next;
		if (!a->head)
			a->tail = NULL;
		last->next = NULL;
		pthread_mutex_unlock(&a->mu);

		run_batch(a, batch);

		for (audit_job *j = batch, *next; j; j = next) {
			next = j->next; /* j lives on its submitter's stack: read first */
			if (j->posted) {
				if (j->on_done)
					j->on_done(j->done_arg, j->rc);
				free(j);
			} else {
				sem_post(&j->done);
			}
		}
		pthread_mutex_lock(&a->mu);
	}
	pthread_mutex_unlock(&a->mu);
	return NULL;
}

static int load_head(audit *a)
{
	store_stmt *st = NULL;
	int rc;

	rc = conn_query(a->c, &st, "SELECT seq, hash FROM audit_head WHERE id = 1", "");
	if (rc == STORE_ROW) {
		a->seq = stmt_int64(a->c, st, 0);
		wb_strlcpy(a->hash, stmt_text(a->c, st, 1), sizeof(a->hash));
		stmt_reset(a->c, st);
		return WB_OK;
	}
	if (rc == STORE_DONE) {
		a->seq = 0;
		wb_strlcpy(a->hash, GENESIS_HASH, sizeof(a->hash));
		return WB_OK;
	}
	return rc;
}

static void audit_free(audit *a)
{
	free(a->pending);
	free(a);
}

int audit_start(store *s, const sec_keys *keys, audit **out)
{
	audit *a = calloc(1, sizeof(*a));
	int rc;

	if (!a)
		return WB_ENOMEM;
	a->s = s;
	a->keys = *keys;
	sec_key_check(keys, a->check);
	a->pending = calloc(AUDIT_BATCH_MAX + 1, sizeof(*a->pending));
	if (!a->pending) {
		audit_free(a);
		return WB_ENOMEM;
	}
	a->c = store_acquire(s);
	rc = store_writer_setup(a->c);
	if (rc == WB_OK)
		rc = load_head(a);
	if (rc) {
		store_release(a->c);
		audit_free(a);
		return rc;
	}
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->work_cv, NULL);
	if (pthread_create(&a->thread, NULL, writer_main, a) != 0) {
		store_release(a->c);
		audit_free(a);
		return WB_ENOMEM;
	}
	*out = a;
	return WB_OK;
}

void audit_stop(audit *a)
{
	if (!a)
		return;
	pthread_mutex_lock(&a->mu);
	a->stopping = 1;
	pthread_cond_signal(&a->work_cv);
	pthread_mutex_unlock(&a->mu);
	pthread_join(a->thread, NULL);
	store_release(a->c);
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->work_cv);
	audit_free(a);
}

/* Queues j; WB_EBUSY once the writer is stopping. */
static int enqueue(audit *a, audit_job *j)
{
	pthread_mutex_lock(&a->mu);
	if (a->stopping) {
		pthread_mutex_unlock(&a->mu);
		return WB_EBUSY;
	}
	if (a->tail)
		a->tail->next = j;
	else
		a->head = j;
	a->tail = j;
	pthread_cond_signal(&a->work_cv);
	pthread_mutex_unlock(&a->mu);
	return WB_OK;
}

int audit_queued(audit *a)
{
	int n = 0;

	pthread_mutex_lock(&a->mu);
	for (const audit_job *j = a->head; j; j = j->next)
		n++;
	pthread_mutex_unlock(&a->mu);
	return n;
}

static int submit(audit *a, const audit_entry *e, audit_job_fn fn, void *arg, int alone, int retryable)
{
	audit_job j = {.e = e, .fn = fn, .arg = arg, .alone = alone, .retryable = retryable};

	sem_init(&j.done, 0, 0);
	if (enqueue(a, &j) != WB_OK) {
		sem_destroy(&j.done);
		return WB_EBUSY;
	}
	while (sem_wait(&j.done) != 0 && errno == EINTR)
		;
	/* glibc's sem_post touches the semaphore in one atomic operation
	 * before waking, so it may be destroyed as soon as the wait returns */
	sem_destroy(&j.done);
	return j.rc;
}

int audit_submit(audit *a, const audit_entry *e, audit_job_fn fn, void *arg)
{
	return submit(a, e, fn, arg, 0, 0);
}

int audit_submit_retryable(audit *a, const audit_entry *e, audit_job_fn fn, void *arg)
{
	return submit(a, e, fn, arg, 0, 1);
}

int audit_submit_alone(audit *a, const audit_entry *e, audit_job_fn fn, void *arg)
{
	return submit(a, e, fn, arg, 1, 0);
}

int audit_post(audit *a, const audit_entry *e, audit_job_fn fn, const void *arg, size_t arg_size, audit_done_fn on_done,
	       void *done_arg)
{
	/* the job, then the copy of e (if any), then the copy of arg; both
	 * structs are multiples of 8 bytes, so each copy is aligned */
	size_t entry_size = e ? sizeof(*e) : 0;
	audit_job *j = calloc(1, sizeof(*j) + entry_size + arg_size);
	int rc;

	if (!j)
		return WB_ENOMEM;
	if (e) {
		audit_entry *copy = (audit_entry *)(void *)(j + 1);

		*copy = *e;
		j->e = copy;
	}
	j->fn = fn;
	if (arg_size) {
		j->arg = (char *)(j + 1) + entry_size;
		memcpy(j->arg, arg, arg_size);
	}
	j->posted = 1;
	j->on_done = on_done;
	j->done_arg = done_arg;
	rc = enqueue(a, j);
	if (rc != WB_OK)
		free(j);
	return rc;
}

/* Copies src (NULL: "") into a field of size bytes, a text too long cut
 * before the character that does not fit: an entry holding a broken
 * character would be refused by PostgreSQL (and the writer's whole batch
 * with it) or, on SQLite, stored where no JSON answer can show it. */
static void field_copy(char *dst, const char *src, size_t size)
{
	wb_strlcpy_utf8(dst, src ? src : "", size);
}

void audit_entry_init(audit_entry *e, const char *county, int64_t user_id, const char *username, const char *role,
		      const char *client_addr, const char *request_id)
{
	memset(e, 0, sizeof(*e));
	field_copy(e->county_code, county, sizeof(e->county_code));
	e->user_id = user_id;
	field_copy(e->username, username, sizeof(e->username));
	field_copy(e->role, role, sizeof(e->role));
	field_copy(e->client_addr, client_addr, sizeof(e->client_addr));
	field_copy(e->request_id, request_id, sizeof(e->request_id));
	field_copy(e->outcome, "ok", sizeof(e->outcome));
}

void audit_entry_set(audit_entry *e, const char *action, const char *object_type, const char *object_id,
		     const char *outcome)
{
	field_copy(e->action, action, sizeof(e->action));
	field_copy(e->object_type, object_type, sizeof(e->object_type));
	field_copy(e->object_id, object_id, sizeof(e->object_id));
	field_copy(e->outcome, outcome ? outcome : "ok", sizeof(e->outcome));
}

static const char *col(store_conn *c, store_stmt *st, int i)
{
	const char *s = stmt_text(c, st, i);

	return s ? s : "";
}

#define WALK_BATCH 1000
_Static_assert(WALK_BATCH == 1000, "the LIMIT of chain_walk's query");

/* One entry of a batch being re-sealed: its seq and its new links. */
typedef struct resealed {
	int64_t seq;
	char prev[SEC_HASH_HEX];
	char hash[SEC_HASH_HEX];
} resealed;

/*
 * Walks the whole chain in seq order, checking every entry under keys as
 * audit_verify describes; with reseal_keys, also gives every entry the
 * links reseal_keys make (in the caller's write transaction). Batches of
 * WALK_BATCH entries are read whole, then written: the memory is bounded
 * however long the log (PostgreSQL's driver holds a whole result). *prev:
 * the newest entry's hash under keys, *new_prev under reseal_keys.
 */
static int chain_walk(store_conn *c, const sec_keys *keys, const sec_keys *reseal_keys, int64_t *count_out,
		      int64_t *bad_seq_out, const char **reason_out, char prev[SEC_HASH_HEX],
		      char new_prev[SEC_HASH_HEX])
{
	char hash[SEC_HASH_HEX];
	resealed *rows = reseal_keys ? calloc(WALK_BATCH, sizeof(*rows)) : NULL;
	/* the first batch has no lower bound: an entry numbered below 1 is
	 * out of order */
	int64_t expect = 1, after = INT64_MIN;
	store_stmt *st = NULL;
	buf scratch;
	int rc, n;

	if (reseal_keys && !rows)
		return WB_ENOMEM;
	wb_strlcpy(prev, GENESIS_HASH, SEC_HASH_HEX);
	wb_strlcpy(new_prev, GENESIS_HASH, SEC_HASH_HEX);
	buf_init(&scratch, 16384);
	do {
		n = 0;
		rc = conn_query(c, &st,
				"SELECT seq, at, county_code, user_id, username, role, action, object_type, "
				"object_id, outcome, client_addr, request_id, detail, prev_hash, hash "
				"FROM audit_log WHERE seq > ? ORDER BY seq LIMIT 1000",
				"i", after);
		while (rc == STORE_ROW) {
			int64_t seq = stmt_int64(c, st, 0);

			if (seq != expect) {
				*bad_seq_out = seq;
				*reason_out = seq > expect ? "entries missing before this one" : "entries out of order";
				rc = WB_ECONFLICT;
				break;
			}
			if (!sec_streq(col(c, st, 13), prev)) {
				*bad_seq_out = seq;
				*reason_out = "previous-hash link does not match the entry before";
				rc = WB_ECONFLICT;
				break;
			}
			canonical(&scratch, seq, stmt_int64(c, st, 1), col(c, st, 2), stmt_int64(c, st, 3),
				  col(c, st, 4), col(c, st, 5), col(c, st, 6), col(c, st, 7), col(c, st, 8),
				  col(c, st, 9), col(c, st, 10), col(c, st, 11), col(c, st, 12));
			sec_chain_hash(keys, prev, scratch.data, scratch.len, hash);
			if (!sec_streq(col(c, st, 14), hash)) {
				*bad_seq_out = seq;
				*reason_out = "entry content does not match its hash (altered)";
				rc = WB_ECONFLICT;
				break;
			}
			memcpy(prev, hash, SEC_HASH_HEX);
			if (rows) {
				rows[n].seq = seq;
				memcpy(rows[n].prev, new_prev, SEC_HASH_HEX);
				sec_chain_hash(reseal_keys, new_prev, scratch.data, scratch.len, rows[n].hash);
				memcpy(new_prev, rows[n].hash, SEC_HASH_HEX);
			}
			n++;
			after = seq;
			expect++;
			(*count_out)++;
			rc = stmt_step(c, st);
		}
		stmt_reset(c, st);
		st = NULL;
		for (int i = 0; rc >= 0 && rows && i < n; i++)
			rc = conn_query(c, NULL, "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?", "ssi",
					rows[i].prev, rows[i].hash, rows[i].seq);
		if (rc < 0)
			break;
		rc = WB_OK;
	} while (n == WALK_BATCH);
	free(rows);
	buf_cleanup(&scratch);
	return rc;
}

/* Whether the chain's head names its newest entry (count entries, the
 * newest's hash prev), as audit_verify describes. */
static int head_check(store_conn *c, int64_t count, const char *prev, int64_t *bad_seq_out, const char **reason_out)
{
	store_stmt *st = NULL;
	int64_t head_seq = 0;
	char head_hash[SEC_HASH_HEX] = "";
	int have_head = 0, rc;

	rc = conn_query(c, &st, "SELECT seq, hash FROM audit_head WHERE id = 1", "");
	if (rc == STORE_ROW) {
		have_head = 1;
		head_seq = stmt_int64(c, st, 0);
		wb_strlcpy(head_hash, col(c, st, 1), sizeof(head_hash));
	}
	stmt_reset(c, st);
	if (rc < 0)
		return rc;
	/* the head names the newest entry written (seq and hash) */
	if (!have_head && count > 0) {
		*reason_out = "the chain head's record (audit_head) is missing";
		return WB_ECONFLICT;
	}
	if (head_seq > count) {
		*bad_seq_out = count + 1;
		*reason_out = "newest entries were removed (the chain head names a later entry)";
		return WB_ECONFLICT;
	}
	if (head_seq < count) {
		*bad_seq_out = head_seq + 1;
		*reason_out = "entries after the chain head (the head was rewound, or entries were added by hand)";
		return WB_ECONFLICT;
	}
	if (count > 0 && !sec_streq(head_hash, prev)) {
		*bad_seq_out = count;
		*reason_out = "the newest entry is not the one the chain head names";
		return WB_ECONFLICT;
	}
	return WB_OK;
}

int audit_verify(store_conn *c, const sec_keys *keys, int64_t *count_out, int64_t *bad_seq_out, const char **reason_out)
{
	char prev[SEC_HASH_HEX], unused[SEC_HASH_HEX];
	int rc;

	int own_tx = !c->in_tx;

	*count_out = 0;
	*bad_seq_out = 0;
	*reason_out = NULL;
	/* the batches and the head from one snapshot: entries appended
	 * meanwhile would read as a head beyond the entries */
	if (own_tx) {
		rc = conn_begin_snapshot(c);
		if (rc)
			return rc;
	}
	rc = chain_walk(c, keys, NULL, count_out, bad_seq_out, reason_out, prev, unused);
	if (rc == WB_OK)
		rc = head_check(c, *count_out, prev, bad_seq_out, reason_out);
	if (own_tx)
		conn_rollback(c); /* read only */
	return rc;
}

/* Whether the entry the query selects (the columns audit_verify reads)
 * carries the hash keys gives it over its own previous-hash link: 1 yes,
 * 0 no (or no such entry: *found tells), or a negative WB_ error. */
static int entry_fits(store_conn *c, const sec_keys *keys, const char *sql, int *found)
{
	char hash[SEC_HASH_HEX];
	store_stmt *st = NULL;
	buf scratch;
	int rc, fits = 0;

	*found = 0;
	buf_init(&scratch, 16384);
	rc = conn_query(c, &st, sql, "");
	if (rc == STORE_ROW) {
		*found = 1;
		canonical(&scratch, stmt_int64(c, st, 0), stmt_int64(c, st, 1), col(c, st, 2), stmt_int64(c, st, 3),
			  col(c, st, 4), col(c, st, 5), col(c, st, 6), col(c, st, 7), col(c, st, 8), col(c, st, 9),
			  col(c, st, 10), col(c, st, 11), col(c, st, 12));
		sec_chain_hash(keys, col(c, st, 13), scratch.data, scratch.len, hash);
		fits = sec_streq(col(c, st, 14), hash);
	}
	stmt_reset(c, st);
	buf_cleanup(&scratch);
	return rc < 0 ? rc : fits;
}

int audit_key_fits(store_conn *c, const sec_keys *keys)
{
#define ENTRY_COLS                                                                                        \
	"SELECT seq, at, county_code, user_id, username, role, action, object_type, object_id, outcome, " \
	"client_addr, request_id, detail, prev_hash, hash FROM audit_log "
	int found = 0, rc = entry_fits(c, keys, ENTRY_COLS "ORDER BY seq LIMIT 1", &found);

	if (rc != 0 || !found)
		return rc < 0 ? rc : found ? 1 : 2;
	/* the first entry altered: the newest one may still tell */
	rc = entry_fits(c, keys, ENTRY_COLS "ORDER BY seq DESC LIMIT 1", &found);
	return rc < 0 ? rc : rc == 1;
#undef ENTRY_COLS
}

int audit_reseal(store_conn *c, const sec_keys *old_keys, const sec_keys *new_keys, int64_t *count_out,
		 int64_t *bad_seq_out, const char **reason_out)
{
	char prev[SEC_HASH_HEX], new_prev[SEC_HASH_HEX];
	int rc;

	*count_out = 0;
	*bad_seq_out = 0;
	*reason_out = NULL;
	rc = chain_walk(c, old_keys, new_keys, count_out, bad_seq_out, reason_out, prev, new_prev);
	if (rc == WB_OK)
		rc = head_check(c, *count_out, prev, bad_seq_out, reason_out);
	if (rc == WB_OK && *count_out > 0) {
		rc = conn_query(c, NULL, "UPDATE audit_head SET hash = ? WHERE id = 1", "s", new_prev);
		rc = rc < 0 ? rc : WB_OK;
	}
	return rc;
}

int audit_append_now(store_conn *c, const sec_keys *keys, const audit_entry *e)
{
	char prev[SEC_HASH_HEX], hash[SEC_HASH_HEX];
	store_stmt *st = NULL;
	int64_t seq = 0, at = clock_now();
	buf scratch;
	int rc;

	wb_strlcpy(prev, GENESIS_HASH, sizeof(prev));
	rc = conn_query(c, &st, "UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash", "");
	if (rc == STORE_ROW) {
		seq = stmt_int64(c, st, 0);
		wb_strlcpy(prev, col(c, st, 1), sizeof(prev));
	}
	stmt_reset(c, st);
	if (rc < 0)
		return rc;
	seq++;
	buf_init(&scratch, 16384);
	canonical(&scratch, seq, at, e->county_code, e->user_id, e->username, e->role, e->action, e->object_type,
		  e->object_id, e->outcome, e->client_addr, e->request_id, e->detail);
	sec_chain_hash(keys, prev, scratch.data, scratch.len, hash);
	buf_cleanup(&scratch);
	rc = conn_query(c, NULL, AUDIT_LOG_INSERT AUDIT_ROW, "isiisssssssssss", seq, e->county_code, at, e->user_id,
			e->username, e->role, e->action, e->object_type, e->object_id, e->outcome, e->client_addr,
			e->request_id, e->detail, prev, hash);
	if (rc >= 0)
		rc = conn_query(
			c, NULL,
			"INSERT INTO county_audit_counts (county_code, entries) VALUES (?, 1)" COUNTS_UPSERT_TAIL, "s",
			e->county_code);
	if (rc >= 0)
		rc = conn_query(c, NULL, HEAD_UPSERT, "is", seq, hash);
	return rc < 0 ? rc : WB_OK;
}
