/*
 * The weibao command line: one binary, subcommands. Shared set-up for the
 * commands lives in main.c (cli_open/cli_close).
 */
#ifndef WB_CLI_H
#define WB_CLI_H

#include "../security/audit.h"
#include "../security/keys.h"
#include "../store/store.h"
#include "config.h"

typedef struct cli_env {
	wb_config cfg;
	store *db;
	audit *audit;
	sec_keys keys;
} cli_env;

/* Opens keys (creating the key file when create_key), the store (migrating
 * when migrate) and the audit writer. Prints errors itself. */
int cli_open(cli_env *env, int create_key, int migrate);
void cli_close(cli_env *env);
/* An audit entry for an action taken from the command line. */
void cli_audit_entry(audit_entry *e, const char *county, const char *action, const char *object_type,
		     const char *object_id);
/* 0 when county is a county of the database (cli_open done); otherwise
 * the exit code (2), after a message naming --county. */
int cli_county_known(cli_env *env, const char *cmd, const char *county);
/* The county a command works on: flag (--county's value) when given,
 * else the database's only county. With several counties (a province) or
 * none, prints why naming cmd and --county and returns the exit code (2);
 * 0 when out is set. Call after cli_open. */
int cli_county(cli_env *env, const char *cmd, const char *flag, char *out, size_t n);
/* The counties of the database: the roots of the area tree (at most
 * CLI_COUNTIES_MAX are named; n counts them all). */
#define CLI_COUNTIES_MAX 512
typedef struct cli_counties {
	char code[CLI_COUNTIES_MAX][8];
	int n;
} cli_counties;
int cli_county_list(cli_env *env, cli_counties *l);
/* An entry of action about the whole database, in the log of every
 * county it holds (the default county's when it holds none yet), so that
 * each county's auditor sees it; fn (may be NULL) runs in the first
 * entry's transaction, and its failure is the return value. */
int cli_audit_each_county(cli_env *env, const char *action, const char *object_type, const char *outcome,
			  const char *detail, audit_job_fn fn, void *arg);
/* The number of counties of the database (or a negative WB_ error); only
 * (size n, may be NULL) gets the code when there is exactly one. */
int cli_county_count(cli_env *env, char *only, size_t n);
/* 1 if argv has -h or --help. */
int cli_wants_help(int argc, char **argv);
/* 1 if argv has the flag name (one without a value, e.g. "--force"). */
int cli_has_flag(int argc, char **argv, const char *name);
/* Value of "--name VALUE" or "--name=VALUE" in argv, or NULL. */
const char *cli_flag(int argc, char **argv, const char *name);

int cmd_serve(cli_env *env, int argc, char **argv);
int cmd_init(cli_env *env, int argc, char **argv);
int cmd_migrate(cli_env *env, int argc, char **argv);
int cmd_user(cli_env *env, int argc, char **argv);
int cmd_demo(cli_env *env, int argc, char **argv);
int cmd_verify_audit(cli_env *env, int argc, char **argv);
int cmd_backup(cli_env *env, int argc, char **argv);
int cmd_rekey(cli_env *env, int argc, char **argv);
int cmd_import_areas(cli_env *env, int argc, char **argv);
int cmd_recompute(cli_env *env, int argc, char **argv);
int cmd_import(cli_env *env, int argc, char **argv);
int cmd_deadlines(cli_env *env, int argc, char **argv);
int cmd_demo_requests(cli_env *env, int argc, char **argv);

#define DEFAULT_COUNTY "370831"

#endif
