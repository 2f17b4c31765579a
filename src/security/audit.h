/*
 * The audit log and the single writer.
 *
 * Every write of the program goes through one writer thread that groups
 * jobs into one transaction (group commit): each job runs in its own
 * savepoint (unless every job of the batch may be retried), then its audit entry is appended to the hash chain, then the
 * batch commits with one sync, and only then are the submitters woken. So a
 * request acknowledged with 2xx has both its change and its audit entry on
 * disk, the chain is built in one order by one thread, and thousands of
 * small audited requests cost one commit per batch, not one each.
 *
 * Chain: hash = keyed BLAKE2b(prev_hash || "\n" || canonical fields);
 * audit_head keeps the newest seq and hash so that deleting the newest rows
 * is detected too.
 */
#ifndef WB_AUDIT_H
#define WB_AUDIT_H

#include <stdint.h>

#include "../store/store.h"
#include "keys.h"

typedef struct audit_entry {
	char county_code[8];
	int64_t user_id; /* 0 when unknown (failed login of an unknown name) */
	char username[64];
	char role[16];
	char action[48];      /* e.g. "login", "child.read", "child.update" */
	char object_type[24]; /* e.g. "child", "user", "session" */
	char object_id[40];
	char outcome[24]; /* "ok", "denied", "failed", ... */
	char client_addr[48];
	char request_id[24];
	char detail[512]; /* JSON or short text, never personal data of children */
} audit_entry;

/* A write to run inside the batch transaction. Returns WB_OK or an error;
 * on error the job's changes are rolled back to its savepoint. */
typedef int (*audit_job_fn)(store_conn *c, void *arg);

typedef struct audit audit;

/* Starts the writer on a connection of s (held until audit_stop). */
int audit_start(store *s, const sec_keys *keys, audit **out);
/* Finishes queued jobs, stops the writer and gives its connection back. */
void audit_stop(audit *a);

/*
 * Runs fn(arg) in the next batch (fn may be NULL for a pure audit entry)
 * and appends e (may be NULL for an unaudited write such as a session
 * touch). When fn fails, the entry is still written with outcome "failed".
 * Blocks until the batch is committed. Returns fn's status, or WB_ESTORE if
 * the batch could not be committed (then nothing of it was written).
 */
int audit_submit(audit *a, const audit_entry *e, audit_job_fn fn, void *arg);

/*
 * The same for a job that may be run more than once: its effects are in the
 * store alone, and what it sets in arg it sets afresh on every run. A batch
 * of such jobs runs without savepoints; if one of them fails, the batch is
 * rolled back and run again with a savepoint per job.
 */
int audit_submit_retryable(audit *a, const audit_entry *e, audit_job_fn fn, void *arg);

/* The same for a large job (an import, the demo, a recompute of every
 * child): it runs in a transaction of its own, without a savepoint. */
int audit_submit_alone(audit *a, const audit_entry *e, audit_job_fn fn, void *arg);

/* Called on the writer thread when a posted entry is committed (rc WB_OK)
 * or lost with its batch (WB_ESTORE). It must be short and must not submit
 * to the writer. */
typedef void (*audit_done_fn)(void *arg, int rc);

/*
 * Queues fn(arg) and e (either may be NULL) for the next batch, as
 * audit_submit does, without waiting: on_done (may be NULL) tells when they
 * are committed (rc: fn's status) or lost with their batch (WB_ESTORE). e
 * and the arg_size bytes at arg are copied. For work whose caller must not
 * sleep (an event thread). Returns WB_OK, or an error (the writer is
 * stopping) and then nothing is queued and on_done is never called.
 */
int audit_post(audit *a, const audit_entry *e, audit_job_fn fn, const void *arg, size_t arg_size, audit_done_fn on_done,
	       void *done_arg);

/* The jobs waiting for the writer (not those of the batch it runs). */
int audit_queued(audit *a);

/* Fills the fields of e every request shares. A text longer than its
 * field (here and in audit_entry_set) is cut before the character that
 * does not fit, never inside it. */
void audit_entry_init(audit_entry *e, const char *county, int64_t user_id, const char *username, const char *role,
		      const char *client_addr, const char *request_id);
/* Sets action, object and outcome of e. */
void audit_entry_set(audit_entry *e, const char *action, const char *object_type, const char *object_id,
		     const char *outcome);

/*
 * Verifies the whole chain on connection c. Returns WB_OK, or WB_ECONFLICT
 * with the first broken seq in *bad_seq_out and a reason in reason_out;
 * *bad_seq_out is 0 when no entry is at fault (the chain head's record is
 * missing). *count_out: the entries verified before the break.
 *
 * Not detectable: the newest entries deleted AND the head rewound to the
 * entry left newest (both writes of someone who holds the database and the
 * key's chain value of that entry): compare the count with an earlier one.
 */
int audit_verify(store_conn *c, const sec_keys *keys, int64_t *count_out, int64_t *bad_seq_out,
		 const char **reason_out);

/*
 * Whether keys are the ones the audit chain was written with: 1 when the
 * oldest or the newest entry carries the hash keys give it, 0 when neither
 * does (another installation's key, or both entries altered), 2 when the
 * log is empty, or a negative WB_ error. For a database made before the
 * key check value was kept (cli_open).
 */
int audit_key_fits(store_conn *c, const sec_keys *keys);

/*
 * Re-seals the whole chain under new_keys (weibao rekey), inside the
 * caller's write transaction: every entry, in seq order and in batches, is
 * first checked under old_keys as audit_verify checks it, then gets the
 * links new_keys give it; the head keeps its seq and gets the new hash.
 * WB_OK, or WB_ECONFLICT with the first broken seq and a reason as
 * audit_verify reports them (then the caller must roll back: entries before
 * it were rewritten). *count_out: the entries re-sealed.
 */
int audit_reseal(store_conn *c, const sec_keys *old_keys, const sec_keys *new_keys, int64_t *count_out,
		 int64_t *bad_seq_out, const char **reason_out);

/* Appends e to the chain on c, inside the caller's write transaction,
 * without the writer thread (which must not run: weibao rekey). */
int audit_append_now(store_conn *c, const sec_keys *keys, const audit_entry *e);

#endif
