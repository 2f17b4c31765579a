/*
 * weibao backup: a checked copy of an SQLite database, taken while the
 * server runs. The copy is one consistent snapshot (SQLite's online
 * backup), passes SQLite's quick_check and a full check of the audit chain
 * before it gets its name; the backup itself is recorded in the audit log.
 * PostgreSQL has its own tools (pg_dump, base backups), which this command
 * points to.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../store/model.h"
#include "../util/buf.h"
#include "../util/wb.h"
#include "cli.h"

/* An SQLite database's files: the database and what SQLite keeps beside it. */
static const char *const db_files[] = {"", "-wal", "-shm", "-journal"};

/* Removes path and the files SQLite may have left beside it. */
static void remove_db_files(const char *path)
{
	char file[1100];

	for (size_t i = 0; i < WB_ARRAY_LEN(db_files); i++) {
		wb_snprintf(file, sizeof(file), "%s%s", path, db_files[i]);
		unlink(file);
	}
}

/* The audit chain of the copy, checked with this installation's keys. */
static int verify_copy(cli_env *env, const char *path, int64_t *entries, char *why, size_t whylen)
{
	char url[1100], err[256] = "";
	const char *reason = NULL;
	int64_t bad = 0;
	store *copy = NULL;
	store_conn *c;
	int rc;

	wb_snprintf(url, sizeof(url), "sqlite:%s", path);
	rc = store_open(url, 1, &copy, err, sizeof(err));
	if (rc) {
		wb_snprintf(why, whylen, "cannot open the copy: %s", err[0] ? err : wb_strerror(rc));
		return rc;
	}
	c = store_acquire(copy);
	rc = audit_verify(c, &env->keys, entries, &bad, &reason);
	store_release(c);
	store_close(copy);
	if (rc == WB_ECONFLICT && bad == 0)
		wb_snprintf(why, whylen, "the audit chain is broken (%s): run 'weibao verify-audit'",
			    reason ? reason : "");
	else if (rc == WB_ECONFLICT)
		wb_snprintf(why, whylen, "the audit chain breaks at entry %" PRId64 " (%s): run 'weibao verify-audit'",
			    bad, reason ? reason : "");
	else if (rc)
		wb_snprintf(why, whylen, "cannot check the copy's audit chain: %s", wb_strerror(rc));
	return rc;
}

/* The canonical path of a file that may not exist yet: its folder's real
 * path and its name. 0 if the folder does not resolve. */
static int canonical_path(const char *path, char *out, size_t n)
{
	char dir[1100], real[PATH_MAX];
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;

	if (slash)
		wb_snprintf(dir, sizeof(dir), "%.*s", (int)(slash == path ? 1 : slash - path), path);
	else
		wb_strlcpy(dir, ".", sizeof(dir));
	if (!realpath(dir, real))
		return 0;
	wb_snprintf(out, n, "%s/%s", strcmp(real, "/") == 0 ? "" : real, name);
	return 1;
}

/* 1 if writing to `to` would replace one of the installation's own files:
 * the database, its WAL or shared-memory file, or the key file. */
static int is_own_file(cli_env *env, const char *to)
{
	char target[1200], own[1200], keyfile[600], path[1100];

	if (!canonical_path(to, target, sizeof(target)))
		return 0;
	for (size_t i = 0; i < WB_ARRAY_LEN(db_files); i++) {
		wb_snprintf(path, sizeof(path), "%s%s", env->cfg.db + strlen("sqlite:"), db_files[i]);
		if (canonical_path(path, own, sizeof(own)) && strcmp(own, target) == 0)
			return 1;
	}
	config_key_file(&env->cfg, keyfile, sizeof(keyfile));
	return canonical_path(keyfile, own, sizeof(own)) && strcmp(own, target) == 0;
}

/* The backup in the log of the county named (--county), else of every
 * county the database holds: the copy holds them all. */
static void record(cli_env *env, const char *county, const char *outcome, const char *detail)
{
	audit_entry e;

	if (!county) {
		cli_audit_each_county(env, "database.backup", "database", outcome, detail, NULL, NULL);
		return;
	}
	cli_audit_entry(&e, county, "database.backup", "database", "");
	wb_strlcpy(e.outcome, outcome, sizeof(e.outcome));
	wb_strlcpy(e.detail, detail, sizeof(e.detail));
	if (audit_submit(env->audit, &e, NULL, NULL) != WB_OK)
		fprintf(stderr, "weibao backup: the backup could not be recorded in the audit log\n");
}

int cmd_backup(cli_env *env, int argc, char **argv)
{
	const char *to = cli_flag(argc, argv, "--to");
	char part[1100], err[512] = "", detail[128], keyfile[600];
	const char *county = cli_flag(argc, argv, "--county");
	/* why it failed, for the audit entry: a word, never a path (which
	 * may name a person) nor the driver's text */
	const char *failed = "copy_failed";
	int64_t entries = 0;
	struct stat sb;
	int rc;

	if (cli_wants_help(argc, argv)) {
		fprintf(stderr, "usage: weibao backup --to FILE [--force] [--county 370831] [--db URL]\n"
				"Writes a consistent copy of the SQLite database to FILE while the server runs,\n"
				"checks it (SQLite's quick_check and the whole audit chain) and records the backup\n"
				"in the audit log. FILE must not exist unless --force is given. The key file is not\n"
				"in the copy: keep it in a separate, safe place (docs/operations.md). On PostgreSQL\n"
				"use pg_dump.\n");
		return 0;
	}
	if (!to || !to[0]) {
		fprintf(stderr, "weibao backup: --to FILE is required (where to write the copy)\n");
		return 2;
	}
	if (strlen(to) > 1000) {
		fprintf(stderr, "weibao backup: --to is too long\n");
		return 2;
	}
	if (stat(to, &sb) == 0) {
		if (S_ISDIR(sb.st_mode)) {
			fprintf(stderr, "weibao backup: %s is a folder; --to names the file to write\n", to);
			return 2;
		}
		if (!cli_has_flag(argc, argv, "--force")) {
			fprintf(stderr, "weibao backup: %s exists already (give --force to replace it)\n", to);
			return 2;
		}
	}
	if (cli_open(env, 0, 0) != 0)
		return 2;
	if (county) {
		rc = cli_county_known(env, "backup", county);
		if (rc)
			return rc;
	}
	if (strcmp(store_driver_name(env->db), "sqlite") != 0) {
		fprintf(stderr, "weibao backup: this database is on PostgreSQL: back it up with pg_dump or base "
				"backups (docs/operations.md)\n");
		return 2;
	}
	if (is_own_file(env, to)) {
		fprintf(stderr, "weibao backup: %s is the database (or its key) itself; write the copy elsewhere\n",
			to);
		return 2;
	}
	/* written under a temporary name, renamed once checked */
	wb_snprintf(part, sizeof(part), "%s.part", to);
	remove_db_files(part);
	rc = store_backup(env->db, part, err, sizeof(err));
	if (rc == WB_OK) {
		rc = verify_copy(env, part, &entries, err, sizeof(err));
		failed = rc == WB_ECONFLICT ? "audit_chain_broken" : "check_failed";
	}
	if (rc == WB_OK && rename(part, to) != 0) {
		wb_snprintf(err, sizeof(err), "cannot rename the copy to %s", to);
		failed = "rename_failed";
		rc = WB_EIO;
	}
	if (rc != WB_OK) {
		remove_db_files(part);
		fprintf(stderr, "weibao backup: %s\n", err);
		wb_snprintf(detail, sizeof(detail), "{\"error\":\"%s\"}", failed);
		record(env, county, "failed", detail);
		return 1;
	}
	if (stat(to, &sb) != 0)
		sb.st_size = 0;
	wb_snprintf(detail, sizeof(detail), "{\"bytes\":%lld,\"audit_entries\":%" PRId64 "}", (long long)sb.st_size,
		    entries);
	record(env, county, "ok", detail);
	config_key_file(&env->cfg, keyfile, sizeof(keyfile));
	printf("backup written to %s (%.1f MiB): SQLite's check ok, audit chain intact (%" PRId64 " entries)\n"
	       "The key file %s is not in it: without the key the ID numbers cannot be read. Keep a copy of the\n"
	       "key in a separate, safe place, never with the database backups.\n",
	       to, (double)sb.st_size / (1024.0 * 1024.0), entries, keyfile);
	return 0;
}
