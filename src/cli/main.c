/*
 * Entry point: parses configuration, dispatches to a subcommand.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../api/registry.h"
#include "../security/password.h"
#include "../domain/namekey.h"
#include "../store/model.h"
#include "../util/clock.h"
#include "../util/log.h"
#include "../util/wb.h"
#include "cli.h"

typedef struct command {
	const char *name;
	int (*run)(cli_env *env, int argc, char **argv);
	const char *help;
	/* the command's own options, space-separated; "=" after a name: it
	 * takes a value (the settings of config.c are taken out before) */
	const char *options;
} command;

static int cmd_version(cli_env *env, int argc, char **argv)
{
	(void)env;
	if (cli_wants_help(argc, argv)) {
		fprintf(stderr, "usage: weibao version\n"
				"Prints the program's version and the newest database schema it knows.\n");
		return 0;
	}
	printf("weibao %s (schema %d)\n", WEIBAO_VERSION, store_latest_version());
	return 0;
}

static const command commands[] = {
	{"init", cmd_init, "create or migrate the database and create the first administrator",
	 "--county= --county-name= --admin= --password="},
	{"serve", cmd_serve, "run the HTTP server", ""},
	{"migrate", cmd_migrate, "apply pending database migrations", ""},
	{"user", cmd_user, "manage accounts: add, passwd, lock, unlock, list",
	 "--role= --area= --unit= --name= --password= --county="},
	{"demo", cmd_demo, "create the synthetic demo county (areas, units, one account per role, children)",
	 "--password= --seed= --children="},
	{"verify-audit", cmd_verify_audit, "verify the audit log's hash chain", ""},
	{"rekey", cmd_rekey, "move every secret of the database to a new key file (a key that may have leaked)",
	 "--new-key-file="},
	{"backup", cmd_backup, "write a checked copy of an SQLite database while the server runs",
	 "--to= --force --county="},
	{"import-areas", cmd_import_areas, "import an area tree from a CSV file (code,name[,kind])", "--county="},
	{"import", cmd_import, "import children from CSV (UTF-8/GB18030) or XLSX; all or nothing by default",
	 "--mode= --county= --report= --mapping="},
	{"recompute", cmd_recompute, "end categories by age (daily job); --all re-derives every child",
	 "--county= --all"},
	{"deadlines", cmd_deadlines, "raise the closed loop's overdue alerts now (or --at an earlier time)",
	 "--at= --allow-future"},
	{"demo-requests", cmd_demo_requests, "file N open help requests in the demo county (load tests)",
	 "--count= --township="},
	{"version", cmd_version, "print the version", ""},
};

/* Whether word (up to n bytes) is one of the space-separated options;
 * *takes_value is set when it is followed by "=" there. */
static int option_known(const char *options, const char *word, size_t n, int *takes_value)
{
	for (const char *o = options; *o;) {
		size_t len = strcspn(o, " =");

		if (len == n && strncmp(o, word, n) == 0) {
			*takes_value = o[len] == '=';
			return 1;
		}
		o += len;
		o += strspn(o, " =");
	}
	return 0;
}

/* A misspelt option is refused rather than ignored (an account created
 * without the name meant for it, a county other than the one asked). */
static int check_options(const command *cmd, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *w = argv[i];
		size_t n = strcspn(w, "=");
		int takes_value = 0;

		if (w[0] != '-' || strcmp(w, "-h") == 0 || strcmp(w, "--help") == 0)
			continue;
		if (!option_known(cmd->options, w, n, &takes_value)) {
			fprintf(stderr, "weibao %s: unknown option '%.*s' (see weibao %s --help)\n", cmd->name, (int)n,
				w, cmd->name);
			return -1;
		}
		if (takes_value && !w[n] && i + 1 >= argc) {
			/* not a default: `user list --county` would list every
			 * county, `user passwd X --password` make up a password */
			fprintf(stderr, "weibao %s: %s needs a value (see weibao %s --help)\n", cmd->name, w,
				cmd->name);
			return -1;
		}
		if (takes_value && !w[n])
			i++; /* its value */
	}
	return 0;
}

/* The command's operands (a file, a subcommand, a user name) are put
 * before its options, keeping each order, as getopt permutes them:
 * `import-areas --county C areas.csv` reads areas.csv as
 * `import-areas areas.csv --county C` does. */
static void operands_first(const command *cmd, int argc, char **argv)
{
	char **opts = calloc((size_t)argc, sizeof(*opts));
	int nops = 1, nopts = 0;

	if (!opts)
		return;
	for (int i = 1; i < argc; i++) {
		const char *w = argv[i];
		size_t n = strcspn(w, "=");
		int takes_value = 0;

		if (w[0] != '-' || !w[1]) {
			argv[nops++] = argv[i];
			continue;
		}
		opts[nopts++] = argv[i];
		if (option_known(cmd->options, w, n, &takes_value) && takes_value && !w[n] && i + 1 < argc)
			opts[nopts++] = argv[++i];
	}
	memcpy(argv + nops, opts, (size_t)nopts * sizeof(*opts));
	free(opts);
}

/* Help asked for is the answer, not an error: the usage texts, written to
 * standard error when a command is misused, go to standard output. */
static void help_to_stdout(void)
{
	fflush(stderr);
	dup2(STDOUT_FILENO, STDERR_FILENO);
}

static void usage(void)
{
	fprintf(stderr, "usage: weibao COMMAND [options]\n\nCommands:\n");
	for (size_t i = 0; i < WB_ARRAY_LEN(commands); i++)
		fprintf(stderr, "  %-14s %s\n", commands[i].name, commands[i].help);
	fprintf(stderr, "\nRun 'weibao COMMAND --help' for a command's options.\n");
	config_usage();
}

int cli_has_flag(int argc, char **argv, const char *name)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return 1;
	return 0;
}

int cli_wants_help(int argc, char **argv)
{
	return cli_has_flag(argc, argv, "-h") || cli_has_flag(argc, argv, "--help");
}

const char *cli_flag(int argc, char **argv, const char *name)
{
	size_t n = strlen(name);

	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], name, n) != 0)
			continue;
		if (argv[i][n] == '=')
			return argv[i] + n + 1;
		if (argv[i][n] == '\0' && i + 1 < argc)
			return argv[i + 1];
	}
	return NULL;
}

static int county_list_cb(const area_rec *a, void *arg)
{
	cli_counties *l = arg;

	if (l->n < CLI_COUNTIES_MAX)
		wb_strlcpy(l->code[l->n], a->code, sizeof(l->code[0]));
	l->n++;
	return WB_OK;
}

int cli_county_list(cli_env *env, cli_counties *l)
{
	store_conn *c = store_acquire(env->db);
	int rc;

	memset(l, 0, sizeof(*l));
	rc = store_area_list(c, NULL, NULL, 100000, county_list_cb, l);
	store_release(c);
	return rc < 0 ? rc : WB_OK;
}

int cli_audit_each_county(cli_env *env, const char *action, const char *object_type, const char *outcome,
			  const char *detail, audit_job_fn fn, void *arg)
{
	cli_counties l;
	audit_entry e;
	int rc = WB_OK;

	if (cli_county_list(env, &l) != WB_OK || l.n == 0) {
		l.n = 1;
		wb_strlcpy(l.code[0], DEFAULT_COUNTY, sizeof(l.code[0]));
	}
	for (int i = 0; rc == WB_OK && i < l.n && i < CLI_COUNTIES_MAX; i++) {
		cli_audit_entry(&e, l.code[i], action, object_type, "");
		wb_strlcpy(e.outcome, outcome, sizeof(e.outcome));
		wb_strlcpy(e.detail, detail, sizeof(e.detail));
		if (i == 0 && fn)
			rc = audit_submit_alone(env->audit, &e, fn, arg);
		else if (audit_submit(env->audit, &e, NULL, NULL) != WB_OK)
			fprintf(stderr, "weibao: the %s entry of county %s could not be written\n", action, l.code[i]);
	}
	return rc;
}

static int backfill_fn(store_conn *c, void *arg)
{
	return store_name_grams_backfill(c, arg);
}

/* Children registered before the name index existed get their entries. */
static int backfill_name_index(cli_env *env)
{
	store_conn *c = store_acquire(env->db);
	int children = conn_query(c, NULL, "SELECT 1 FROM children LIMIT 1", "") == STORE_ROW;
	int indexed = conn_query(c, NULL, "SELECT 1 FROM child_name_grams LIMIT 1", "") == STORE_ROW;
	int64_t done = 0;

	store_release(c);
	if (!children || indexed)
		return 0;
	if (cli_audit_each_county(env, "migrate.name_index", "children", "ok", "", backfill_fn, &done) != WB_OK) {
		fprintf(stderr, "weibao: building the name index failed\n");
		return -1;
	}
	log_info("name index built for %lld children", (long long)done);
	c = store_acquire(env->db);
	store_analyze(c);
	store_release(c);
	return 0;
}

struct keys_job {
	int all;
	int64_t done;
};

static int name_keys_fn(store_conn *c, void *arg)
{
	struct keys_job *j = arg;

	return store_name_keys_fill(c, j->all, &j->done);
}

/*
 * Children without a name sort key (registered before schema 0031) get
 * theirs; all get theirs again when the collator's version is not the one
 * the keys were made with (an ICU upgrade), all in one transaction, so that
 * the list never shows two orders mixed.
 */
static int fill_name_keys(cli_env *env)
{
	store_conn *c = store_acquire(env->db);
	struct keys_job j = {0};
	int missing = 0, rc = store_name_keys_needed(c, &j.all, &missing);

	store_release(c);
	if (rc != WB_OK) {
		fprintf(stderr, "weibao: cannot check the names' sort keys: %s\n", wb_strerror(rc));
		return -1;
	}
	if (!j.all && !missing)
		return 0;
	if (cli_audit_each_county(env, "migrate.name_keys", "children", "ok", "", name_keys_fn, &j) != WB_OK) {
		fprintf(stderr, "weibao: making the names' sort keys failed\n");
		return -1;
	}
	if (j.done)
		log_info("name sort keys (%s) made for %lld children", name_key_version(), (long long)j.done);
	return 0;
}

/* Files made before the umask above, or by hand, may be open to every
 * user of the machine: say so (changing them is the administrator's call). */
static void warn_if_shared(const char *path)
{
	struct stat sb;

	if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && (sb.st_mode & 077))
		fprintf(stderr,
			"weibao: warning: %s can be read by other users of this machine (mode %03o); "
			"run 'chmod 600 %s'\n",
			path, (unsigned)(sb.st_mode & 0777), path);
}

/*
 * A key file made just now for a database that already holds an audit
 * chain cannot be the key its data was written with (the key file was
 * lost or is looked for elsewhere): going on would show every ID number as
 * undecryptable and the chain as altered. The new file is removed.
 */
static int refuse_new_key(cli_env *env, const char *keyfile)
{
	store_conn *c = store_acquire(env->db);
	store_stmt *st = NULL;
	int rc = conn_query(c, &st, "SELECT seq FROM audit_head WHERE id = 1", "");

	stmt_reset(c, st);
	store_release(c);
	if (rc != STORE_ROW)
		return 0;
	unlink(keyfile);
	fprintf(stderr,
		"weibao: the key file %s was missing, but this database already holds data written with a key; "
		"restore that key file (docs/operations.md, \"Keys\") or name it with --key-file. No new key was "
		"kept.\n",
		keyfile);
	return -1;
}

/*
 * The key file must be the key this database was written with: another
 * installation's key (a restore that picked the wrong file) would show
 * every ID number as undecryptable, find nothing by ID number and key
 * every new audit entry wrongly, so that the chain reads as altered for
 * good. The database keeps the key check value (sec_key_check); one made
 * before that gets it here, once its audit chain shows the key is its own.
 * Costs one query at open, nothing per request.
 */
static int check_key(cli_env *env, const char *keyfile)
{
	char want[SEC_HASH_HEX], have[SEC_HASH_HEX] = "";
	store_conn *c = store_acquire(env->db);
	store_stmt *st = NULL;
	int rc, fits = 1;

	sec_key_check(&env->keys, want);
	rc = conn_query(c, &st, "SELECT value FROM key_check WHERE id = 1", "");
	if (rc == STORE_ROW)
		wb_strlcpy(have, stmt_text(c, st, 0), sizeof(have));
	stmt_reset(c, st);
	if (rc == STORE_ROW) {
		fits = sec_streq(have, want);
	} else if (rc == STORE_DONE) {
		fits = audit_key_fits(c, &env->keys);
		if (fits > 0)
			rc = conn_query(c, NULL,
					"INSERT INTO key_check (id, value, at) VALUES (1, ?, ?) "
					"ON CONFLICT (id) DO NOTHING",
					"si", want, clock_now());
	}
	store_release(c);
	if (rc < 0 || fits < 0) {
		fprintf(stderr, "weibao: cannot check the key file against the database: %s\n",
			wb_strerror(rc < 0 ? rc : fits));
		return -1;
	}
	if (!fits) {
		fprintf(stderr,
			"weibao: wrong key: the key file %s is not the key this database was written with (its "
			"ID numbers and audit log were written with another). Nothing was done. Restore this "
			"database's own key file from its backup and name it with --key-file (docs/operations.md, "
			"\"Keys\").\n",
			keyfile);
		return -1;
	}
	return 0;
}

/* The registry's category settings, checked with the others before any
 * command runs: a bad one is a bad setting (exit 2), whichever command. */
static int category_settings(const cli_env *env)
{
	category_config cc;
	char why[300];

	category_config_default(&cc);
	if (category_config_parse(&cc, env->cfg.category_incapacity, env->cfg.category_birthday,
				  env->cfg.category_leapday, env->cfg.category_difficulty, why, sizeof(why)) != 0) {
		fprintf(stderr, "weibao: %s\n", why);
		return -1;
	}
	registry_config_set(&cc);
	return 0;
}

int cli_open(cli_env *env, int create_key, int migrate)
{
	char keyfile[600], err[256] = "";
	int version = 0, rc, key_is_new;

	config_key_file(&env->cfg, keyfile, sizeof(keyfile));
	key_is_new = create_key && access(keyfile, F_OK) != 0 && errno == ENOENT;
	if (sec_init() != WB_OK) {
		fprintf(stderr, "weibao: cannot initialise libsodium\n");
		return -1;
	}
	if (sec_keys_load(keyfile, create_key, &env->keys) != WB_OK) {
		if (!create_key && access(keyfile, F_OK) != 0)
			fprintf(stderr,
				"weibao: the key file %s is missing (looked for %s). A database restored from a "
				"backup needs the key file it was written with: restore that from its own backup, or "
				"name it with --key-file (docs/operations.md, \"Keys\"). A new installation starts "
				"with "
				"'weibao init'.\n",
				keyfile,
				env->cfg.key_file[0] ? "where --key-file, WEIBAO_KEY_FILE or key_file says"
				: strncmp(env->cfg.db, "sqlite:", 7) == 0 ? "beside the SQLite file, its name + .key"
									  : "as weibao.key in the current folder");
		else
			fprintf(stderr, "weibao: cannot read the key file %s: %s\n", keyfile,
				access(keyfile, R_OK) != 0 ? "no permission to read it" : "it is not a valid key file");
		return -1;
	}
	if (strncmp(env->cfg.db, "sqlite:", 7) == 0)
		warn_if_shared(env->cfg.db + 7);
	warn_if_shared(keyfile);
	rc = store_open(env->cfg.db, (int)env->cfg.pool, &env->db, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "weibao: %s\n", err[0] ? err : wb_strerror(rc));
		return -1;
	}
	rc = store_byte_order(env->db);
	if (rc == WB_EINVAL) {
		fprintf(stderr, "weibao: the database compares text by language rules, which breaks the ranges of area "
				"codes that scope every query; create it with byte order, e.g. createdb --locale=C "
				"--template=template0 (docs/operations.md)\n");
		return -1;
	}
	if (rc) {
		fprintf(stderr, "weibao: cannot query the database: %s\n", wb_strerror(rc));
		return -1;
	}
	if (migrate) {
		rc = store_migrate(env->db, &version);
		if (rc == WB_ESCHEMA) {
			fprintf(stderr,
				"weibao: the database schema (version %d) is newer than this program knows (%d); "
				"use a newer weibao\n",
				version, store_latest_version());
			return -1;
		}
		if (rc) {
			fprintf(stderr, "weibao: migration failed: %s\n", wb_strerror(rc));
			return -1;
		}
	} else {
		store_conn *c = store_acquire(env->db);

		rc = store_schema_version(c, &version);
		store_release(c);
		if (rc) {
			fprintf(stderr, "weibao: cannot read the database's schema version: %s\n", wb_strerror(rc));
			return -1;
		}
		/* 'weibao migrate' of this program cannot help a newer schema:
		 * it would refuse it too (an older binary put back by mistake) */
		if (version > store_latest_version()) {
			fprintf(stderr,
				"weibao: the database schema (version %d) is newer than this program knows (%d): it "
				"was "
				"upgraded by a newer weibao; use that one (docs/operations.md, \"Upgrading\"). Nothing "
				"was done.\n",
				version, store_latest_version());
			return -1;
		}
		if (version != store_latest_version()) {
			fprintf(stderr,
				"weibao: database schema is at version %d, this program needs %d (run 'weibao "
				"migrate')\n",
				version, store_latest_version());
			return -1;
		}
	}
	/* after the migrations: a new database has the table, and no chain */
	if (key_is_new && refuse_new_key(env, keyfile) != 0)
		return -1;
	if (check_key(env, keyfile) != 0)
		return -1;
	rc = audit_start(env->db, &env->keys, &env->audit);
	if (rc) {
		fprintf(stderr, "weibao: cannot start the audit writer: %s\n", wb_strerror(rc));
		return -1;
	}
	if (!migrate)
		return 0;
	return backfill_name_index(env) != 0 ? -1 : fill_name_keys(env);
}

void cli_close(cli_env *env)
{
	audit_stop(env->audit);
	env->audit = NULL;
	store_close(env->db);
	env->db = NULL;
}

int cli_county_count(cli_env *env, char *only, size_t n)
{
	cli_counties l;
	int rc = cli_county_list(env, &l);

	if (rc)
		return rc;
	if (only)
		wb_strlcpy(only, l.n == 1 ? l.code[0] : "", n);
	return l.n;
}

int cli_county(cli_env *env, const char *cmd, const char *flag, char *out, size_t n)
{
	cli_counties l;
	int rc;

	if (flag) {
		wb_strlcpy(out, flag, n);
		return 0;
	}
	rc = cli_county_list(env, &l);
	if (rc) {
		fprintf(stderr, "weibao %s: cannot read the counties: %s\n", cmd, wb_strerror(rc));
		return 1;
	}
	if (l.n == 1) {
		wb_strlcpy(out, l.code[0], n);
		return 0;
	}
	if (l.n == 0) {
		fprintf(stderr,
			"weibao %s: this database holds no county yet: create it with 'weibao init --county CODE "
			"--county-name NAME' (nothing done)\n",
			cmd);
		return 2;
	}
	fprintf(stderr, "weibao %s: this database holds %d counties: name one with --county (", cmd, l.n);
	for (int i = 0; i < l.n && i < 20; i++)
		fprintf(stderr, "%s%s", i ? ", " : "", l.code[i]);
	fprintf(stderr, "%s) (nothing done)\n", l.n > 20 ? ", …" : "");
	return 2;
}

void cli_audit_entry(audit_entry *e, const char *county, const char *action, const char *object_type,
		     const char *object_id)
{
	audit_entry_init(e, county, 0, "cli", "cli", "local", "");
	audit_entry_set(e, action, object_type, object_id, "ok");
}

int main(int argc, char **argv)
{
	cli_env env;
	enum log_level level;
	int rc;

	/* Every file the program creates (the database and its WAL, the key,
	 * attachments, backups) holds children's data or the key to it: for
	 * its owner only, whatever the caller's umask. */
	umask(077);
	memset(&env, 0, sizeof(env));
	config_defaults(&env.cfg);
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		if (argc >= 2)
			help_to_stdout();
		usage();
		return argc < 2 ? 2 : 0;
	}
	if (config_load(&env.cfg, &argc, argv) != 0)
		return 2;
	if (log_parse_level(env.cfg.log_level, &level) != WB_OK) {
		const char *from = getenv("WEIBAO_LOG_LEVEL");

		/* the environment names it unless a flag overrode it */
		fprintf(stderr, "weibao: %s is '%.40s'; it must be debug, info, warn or error\n",
			from && strcmp(from, env.cfg.log_level) == 0 ? "WEIBAO_LOG_LEVEL"
								     : "log_level (--log-level or the config file)",
			env.cfg.log_level);
		return 2;
	}
	log_set_level(level);
	if (category_settings(&env) != 0)
		return 2;
	sec_password_init(0);
	for (size_t i = 0; i < WB_ARRAY_LEN(commands); i++) {
		if (strcmp(argv[1], commands[i].name) == 0) {
			if (check_options(&commands[i], argc - 1, argv + 1) != 0)
				return 2;
			operands_first(&commands[i], argc - 1, argv + 1);
			if (cli_wants_help(argc - 1, argv + 1))
				help_to_stdout();
			rc = commands[i].run(&env, argc - 1, argv + 1);
			cli_close(&env);
			return rc;
		}
	}
	fprintf(stderr, "weibao: unknown command '%s'\n\n", argv[1]);
	usage();
	return 2;
}
