/*
 * weibao rekey: moves every secret of the database to a new master key (a
 * key file that may have leaked). With the server stopped, in one
 * transaction: every encrypted column is decrypted with the old key and
 * encrypted with the new one, every blind index recomputed, the sessions
 * and the remembered replies (keyed or encrypted with the old key) deleted,
 * the audit chain re-sealed and a key.rotate entry appended in every
 * county, and the new key check value written. The new key file is created
 * before the transaction and removed if it does not commit.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/buf.h"
#include "../util/clock.h"
#include "../util/wb.h"
#include "cli.h"

#define REKEY_BATCH 500

/* What was moved to the new key, for the output and the audit entries. */
typedef struct rekey_counts {
	int64_t children, phones, secrets, notes, entries, sessions, replies;
} rekey_counts;

/* Syncs the folder holding path, so that a key file made (or removed)
 * there stays made (or removed) after a crash. */
static void sync_dir_of(const char *path)
{
	char copy[1024];
	int fd;

	if (wb_strlcpy(copy, path, sizeof(copy)) != WB_OK)
		return;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

/*
 * Whether another process has the SQLite database open (a running server,
 * a backup): every connection to a database in WAL mode holds a shared lock
 * on the "DMS" byte of its -shm file (offset 128, the SQLite WAL format)
 * until it closes. fd is a descriptor of that file; this process's own
 * locks do not count. Returns the holder's pid, 0 if none, -1 if it cannot
 * be told.
 */
static long shm_holder(int fd)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = 128;
	fl.l_len = 1;
	if (fcntl(fd, F_GETLK, &fl) != 0)
		return -1;
	return fl.l_type == F_UNLCK ? 0 : (long)(fl.l_pid > 0 ? fl.l_pid : 1);
}

/* A descriptor of the SQLite database's -shm file (-1 if it cannot be
 * opened: it exists while the database is open in WAL mode). */
static int open_shm(const char *db_path)
{
	char shm[1100];

	if (wb_snprintf(shm, sizeof(shm), "%s-shm", db_path) != WB_OK)
		return -1;
	return open(shm, O_RDONLY | O_CLOEXEC);
}

/*
 * Whether the database is used by another process (SQLite) or another
 * connection of this program, by its application name (PostgreSQL; c must
 * be the process's only one). Asked when the rotation starts and again just
 * before it commits: a server started meanwhile opened the database with
 * the old key and would go on writing with it. shm_fd: the -shm file of an
 * SQLite database, opened once the database was and kept open until the
 * process ends (closing a descriptor of a file drops the process's POSIX
 * locks on it, SQLite's too); -1 on PostgreSQL. WB_EBUSY with who (the
 * other's pid, or how many) when in use.
 */
static int in_use(store_conn *c, int shm_fd, char *who, size_t n)
{
	store_stmt *st = NULL;
	int64_t others = 0;
	int rc;

	if (shm_fd >= 0) {
		long pid = shm_holder(shm_fd);

		if (pid > 0)
			wb_snprintf(who, n, "another process (pid %ld: the server, or a backup)", pid);
		return pid < 0 ? WB_EIO : pid > 0 ? WB_EBUSY : WB_OK;
	}
	/* pg_stat_activity as it is now, not as this transaction first saw it */
	rc = conn_query(c, NULL, "SELECT pg_stat_clear_snapshot()", "");
	if (rc >= 0)
		rc = conn_query(
			c, &st,
			"SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
			"AND pid <> pg_backend_pid() AND application_name = current_setting('application_name')",
			"");
	rc = stmt_result_int64(c, st, rc, WB_ESTORE, &others);
	if (rc == WB_OK && others > 0) {
		wb_snprintf(who, n, "%" PRId64 " other connection(s) of weibao (the server, or another command)",
			    others);
		rc = WB_EBUSY;
	}
	return rc;
}

/* One row of a batch: its id and its new values. */
typedef struct moved {
	int64_t id;
	char *enc;
	char bidx[SEC_HASH_HEX];
} moved;

static void moved_free(moved *m, int n)
{
	for (int i = 0; i < n; i++) {
		free(m[i].enc);
		m[i].enc = NULL;
	}
}

/*
 * Moves one encrypted column (table.column, keyed by id) to the new keys,
 * in batches of REKEY_BATCH rows read whole, then written. kind: 'f' a
 * field (sec_encrypt_field), 't' a text (sec_encrypt_text), 'c' a child's
 * ID number with its blind index. A value the old key cannot decrypt stops
 * the rotation (*bad_id). The names are this file's constants.
 */
static int move_column(store_conn *c, const sec_keys *old_k, const sec_keys *new_k, const char *table,
		       const char *column, char kind, int64_t *count, int64_t *bad_id)
{
	char select_sql[300], update_sql[300];
	moved *rows = calloc(REKEY_BATCH, sizeof(*rows));
	int64_t after = 0;
	int rc = WB_OK, n;

	*bad_id = 0;
	if (!rows)
		return WB_ENOMEM;
	wb_snprintf(select_sql, sizeof(select_sql),
		    "SELECT id, %s%s FROM %s WHERE id > ? AND %s IS NOT NULL AND %s <> '' ORDER BY id LIMIT %d", column,
		    kind == 'c' ? ", id_bidx" : "", table, column, column, REKEY_BATCH);
	if (kind == 'c')
		wb_snprintf(update_sql, sizeof(update_sql), "UPDATE %s SET %s = ?, id_bidx = ? WHERE id = ?", table,
			    column);
	else
		wb_snprintf(update_sql, sizeof(update_sql), "UPDATE %s SET %s = ? WHERE id = ?", table, column);
	do {
		store_stmt *st = NULL;

		n = 0;
		rc = conn_query(c, &st, select_sql, "i", after);
		while (rc == STORE_ROW) {
			const char *enc = stmt_text(c, st, 1);
			moved *m = &rows[n];

			m->id = stmt_int64(c, st, 0);
			m->bidx[0] = '\0';
			if (kind == 't') {
				char *plain = NULL;

				rc = sec_decrypt_text(old_k, enc, &plain);
				if (rc == WB_OK) {
					rc = sec_encrypt_text(new_k, plain, &m->enc);
					sodium_memzero(plain, strlen(plain));
				}
				free(plain);
			} else {
				char plain[80];

				rc = sec_decrypt_field(old_k, enc, plain, sizeof(plain));
				if (rc == WB_OK) {
					m->enc = malloc(SEC_ENC_MAX);
					rc = m->enc ? sec_encrypt_field(new_k, plain, m->enc) : WB_ENOMEM;
				}
				/* a child's blind index is kept where it was set */
				if (rc == WB_OK && kind == 'c' && !stmt_is_null(c, st, 2))
					sec_blind_index(new_k, plain, m->bidx);
				sodium_memzero(plain, sizeof(plain));
			}
			if (rc != WB_OK) {
				if (rc == WB_ECRYPTO)
					*bad_id = m->id;
				free(m->enc);
				m->enc = NULL;
				break;
			}
			after = m->id;
			n++;
			rc = stmt_step(c, st);
		}
		stmt_reset(c, st);
		for (int i = 0; rc >= 0 && i < n; i++) {
			if (kind == 'c')
				rc = conn_query(c, NULL, update_sql, "ssi", rows[i].enc,
						rows[i].bidx[0] ? rows[i].bidx : NULL, rows[i].id);
			else
				rc = conn_query(c, NULL, update_sql, "si", rows[i].enc, rows[i].id);
		}
		moved_free(rows, n);
		if (rc < 0)
			break;
		*count += n;
		rc = WB_OK;
	} while (n == REKEY_BATCH);
	free(rows);
	return rc;
}

/* Deletes every row of table; *n gets how many there were. */
static int delete_all(store_conn *c, const char *table, int64_t *n)
{
	char sql[120];
	store_stmt *st = NULL;
	int rc;

	wb_snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	rc = conn_query(c, &st, sql, "");
	rc = stmt_result_int64(c, st, rc, WB_ESTORE, n);
	if (rc != WB_OK)
		return rc;
	wb_snprintf(sql, sizeof(sql), "DELETE FROM %s", table);
	rc = conn_query(c, NULL, sql, "");
	return rc < 0 ? rc : WB_OK;
}

/* Where a step failed, for the message: a table and a row, or the chain. */
typedef struct rekey_fail {
	const char *table;
	int64_t id;
	int64_t bad_seq;
	const char *reason;
} rekey_fail;

static const struct {
	const char *table, *column;
	char kind;
	int field; /* index into the counts: 0 children, 1 phones, 2 secrets, 3 notes */
} columns[] = {
	{"children", "id_enc", 'c', 0},
	{"guardians", "phone_enc", 'f', 1},
	{"caring_mothers", "phone_enc", 'f', 1},
	{"webhooks", "secret_enc", 'f', 2},
	{"counselling_sessions", "notes_enc", 't', 3},
};

/* The whole rotation, in the transaction the caller opened on c. */
static int rotate(store_conn *c, const sec_keys *old_k, const sec_keys *new_k, const cli_counties *counties,
		  rekey_counts *k, rekey_fail *fail)
{
	int64_t *field_count[] = {&k->children, &k->phones, &k->secrets, &k->notes};
	char check[SEC_HASH_HEX];
	int rc;

	/* as the audit writer does: the head's row lock queues any writer */
	rc = conn_query(c, NULL, "UPDATE audit_head SET seq = seq WHERE id = 1", "");
	for (size_t i = 0; rc >= 0 && i < WB_ARRAY_LEN(columns); i++) {
		rc = move_column(c, old_k, new_k, columns[i].table, columns[i].column, columns[i].kind,
				 field_count[columns[i].field], &fail->id);
		if (rc != WB_OK)
			fail->table = columns[i].table;
	}
	/* keyed hashes of tokens and replies encrypted with the old key: the
	 * sessions end, the replies are forgotten */
	if (rc >= 0)
		rc = delete_all(c, "sessions", &k->sessions);
	if (rc >= 0)
		rc = delete_all(c, "idempotency_keys", &k->replies);
	if (rc >= 0) {
		rc = audit_reseal(c, old_k, new_k, &k->entries, &fail->bad_seq, &fail->reason);
		if (rc == WB_ECONFLICT)
			fail->table = "audit_log";
	}
	for (int i = 0; rc >= 0 && i < counties->n && i < CLI_COUNTIES_MAX; i++) {
		audit_entry e;

		cli_audit_entry(&e, counties->code[i], "key.rotate", "key", "");
		wb_snprintf(e.detail, sizeof(e.detail),
			    "{\"id_numbers\":%" PRId64 ",\"phone_numbers\":%" PRId64 ",\"webhook_secrets\":%" PRId64
			    ",\"counselling_notes\":%" PRId64 ",\"entries_resealed\":%" PRId64
			    ",\"sessions_ended\":%" PRId64 "}",
			    k->children, k->phones, k->secrets, k->notes, k->entries, k->sessions);
		rc = audit_append_now(c, new_k, &e);
	}
	sec_key_check(new_k, check);
	if (rc >= 0)
		rc = conn_query(c, NULL,
				"INSERT INTO key_check (id, value, at) VALUES (1, ?, ?) "
				"ON CONFLICT (id) DO UPDATE SET value = excluded.value, at = excluded.at",
				"si", check, clock_now());
	return rc < 0 ? rc : WB_OK;
}

static int usage(void)
{
	fprintf(stderr, "usage: weibao rekey [--db URL] [--key-file OLD] --new-key-file NEW\n"
			"Moves every secret of the database to a new master key (a key file that may have leaked):\n"
			"children's ID numbers and their lookup index, guardians' and caring mothers' phone numbers,\n"
			"counselling notes and webhook secrets are encrypted again, and the audit chain re-sealed,\n"
			"in one transaction; every session ends (everyone logs in again; API clients need new\n"
			"bearer tokens). NEW must not exist: it is created with a new random key (mode 0600).\n"
			"Stop the server first and back the database up (docs/operations.md, \"Keys\"). The old key\n"
			"must fit the database and its audit chain must verify; otherwise nothing is changed.\n"
			"Afterwards run the server with --key-file NEW and destroy the old key file; backups made\n"
			"before are readable only with the old key.\n");
	return 2;
}

int cmd_rekey(cli_env *env, int argc, char **argv)
{
	const char *new_path = cli_flag(argc, argv, "--new-key-file");
	char old_path[600];
	sec_keys new_k;
	cli_counties counties;
	rekey_counts k;
	rekey_fail fail;
	store_conn *c;
	int64_t count = 0, bad = 0;
	char who[128] = "";
	const char *reason = NULL;
	int rc, sqlite = strncmp(env->cfg.db, "sqlite:", 7) == 0, shm_fd = -1;
	struct stat sb;

	if (cli_wants_help(argc, argv))
		return usage(), 0;
	if (!new_path || !new_path[0]) {
		fprintf(stderr, "weibao rekey: --new-key-file is required (the new key file to create)\n");
		return usage();
	}
	if (lstat(new_path, &sb) == 0 || errno != ENOENT) {
		fprintf(stderr,
			"weibao rekey: --new-key-file %s already exists; name a file that does not (it is created "
			"with a new key). Nothing was done.\n",
			new_path);
		return 1;
	}
	/* one connection: the process's only one, for the PostgreSQL check */
	env->cfg.pool = 1;
	if (cli_open(env, 0, 0) != 0)
		return 1; /* a wrong or missing key: refused, as the other commands do */
	/* the writer would seal entries with the old key: this command
	 * appends its own, with the new key, in its transaction */
	audit_stop(env->audit);
	env->audit = NULL;
	rc = cli_county_list(env, &counties);
	if (rc != WB_OK) {
		fprintf(stderr, "weibao rekey: cannot read the counties: %s\n", wb_strerror(rc));
		return 2;
	}
	if (counties.n == 0) {
		counties.n = 1;
		wb_strlcpy(counties.code[0], DEFAULT_COUNTY, sizeof(counties.code[0]));
	}
	c = store_acquire(env->db);
	if (sqlite && (shm_fd = open_shm(env->cfg.db + 7)) < 0)
		rc = WB_EIO;
	else
		rc = in_use(c, shm_fd, who, sizeof(who));
	if (rc != WB_OK) {
		store_release(c);
		if (rc == WB_EBUSY)
			fprintf(stderr,
				"weibao rekey: the database is in use by %s; stop it first. Nothing was done.\n", who);
		else
			fprintf(stderr,
				"weibao rekey: cannot tell whether the database is in use: %s; nothing was done\n",
				wb_strerror(rc));
		return rc == WB_EBUSY ? 1 : 2;
	}
	/* a broken chain is not re-sealed: the break would be hidden */
	rc = audit_verify(c, &env->keys, &count, &bad, &reason);
	if (rc != WB_OK) {
		store_release(c);
		if (rc == WB_ECONFLICT && bad > 0)
			fprintf(stderr,
				"weibao rekey: audit log BROKEN at entry %" PRId64 ": %s. A broken chain is not "
				"re-sealed under a new key (that would hide the break); nothing was done. See "
				"weibao verify-audit.\n",
				bad, reason);
		else if (rc == WB_ECONFLICT)
			fprintf(stderr, "weibao rekey: audit log BROKEN: %s; nothing was done\n", reason);
		else
			fprintf(stderr, "weibao rekey: cannot verify the audit log: %s\n", wb_strerror(rc));
		return rc == WB_ECONFLICT ? 1 : 2;
	}
	config_key_file(&env->cfg, old_path, sizeof(old_path));
	if (sec_keys_create(new_path, &new_k) != WB_OK) {
		store_release(c);
		if (access(new_path, F_OK) == 0)
			unlink(new_path); /* half written */
		fprintf(stderr, "weibao rekey: cannot create the new key file %s; nothing was done\n", new_path);
		return 2;
	}
	sync_dir_of(new_path);
	memset(&k, 0, sizeof(k));
	memset(&fail, 0, sizeof(fail));
	rc = conn_begin_write(c);
	if (rc == WB_OK)
		rc = rotate(c, &env->keys, &new_k, &counties, &k, &fail);
	if (rc == WB_OK)
		rc = in_use(c, shm_fd, who, sizeof(who));
	if (rc == WB_OK)
		rc = conn_commit(c);
	else
		conn_rollback(c);
	store_release(c);
	if (rc != WB_OK) {
		unlink(new_path);
		sync_dir_of(new_path);
		sodium_memzero(&new_k, sizeof(new_k));
		if (rc == WB_EBUSY)
			fprintf(stderr,
				"weibao rekey: the database was opened during the rotation by %s; stop it and "
				"run this again. ",
				who);
		else if (fail.bad_seq)
			fprintf(stderr, "weibao rekey: audit log BROKEN at entry %" PRId64 ": %s. ", fail.bad_seq,
				fail.reason);
		else if (fail.id)
			fprintf(stderr, "weibao rekey: %s row %" PRId64 " cannot be decrypted with the old key. ",
				fail.table, fail.id);
		else
			fprintf(stderr, "weibao rekey: %s%s%s. ", fail.table ? fail.table : "", fail.table ? ": " : "",
				wb_strerror(rc));
		fprintf(stderr,
			"Rolled back: nothing was changed, the old key %s is still the database's key, and "
			"the new key file was removed.\n",
			old_path);
		return rc == WB_ECONFLICT || rc == WB_ECRYPTO || rc == WB_EBUSY ? 1 : 2;
	}
	sodium_memzero(&new_k, sizeof(new_k));
	printf("Key rotated. Moved to the new key: %" PRId64 " children's ID numbers, %" PRId64
	       " phone numbers, %" PRId64 " webhook secrets, %" PRId64 " counselling notes; %" PRId64
	       " audit entries re-sealed.\n",
	       k.children, k.phones, k.secrets, k.notes, k.entries);
	printf("Ended %" PRId64 " sessions: everyone logs in again, and API clients need new bearer tokens.\n",
	       k.sessions);
	printf("\nThe database's key is now the file %s.\n"
	       "  - Start the server with it (--key-file, WEIBAO_KEY_FILE or key_file), and keep a copy of it\n"
	       "    apart from the database's backups.\n"
	       "  - Destroy the old key file %s and every copy of it: it no longer opens this database.\n"
	       "  - Backups made before now can be read only with the old key (and by whoever holds a copy\n"
	       "    of it): make a new backup now, and destroy the old ones with the old key.\n",
	       new_path, old_path);
	return 0;
}
