/*
 * Administrative commands: init, migrate, user, verify-audit, import-areas.
 * Every change they make goes through the audit writer like the server's.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../api/accounts.h"
#include "../api/api.h"
#include "../api/archive_api.h"
#include "../api/areas_csv.h"
#include "../api/entitlements_api.h"
#include "../api/import.h"
#include "../api/registry.h"
#include "../domain/area.h"
#include "../domain/fields.h"
#include "../domain/roles.h"
#include "../domain/units.h"
#include "../security/password.h"
#include "../store/model.h"
#include "../util/clock.h"
#include "../util/table.h"
#include "../util/wb.h"
#include "cli.h"

typedef struct user_job {
	user_rec u;
	membership_rec m;
	area_rec county; /* created first when county.code is set */
	audit_entry *e;  /* gets the new account's id as its object */
} user_job;

static int add_user_fn(store_conn *c, void *arg)
{
	user_job *j = arg;
	int64_t now = clock_now();
	int rc = WB_OK;

	if (j->county.code[0]) {
		size_t n;
		const std_department *d = units_standard_departments(&n);

		/* a new county, with the departments every county has (SPEC §1);
		 * the administrator renames them and adds organisations and schools */
		rc = store_area_insert(c, &j->county, now);
		for (size_t i = 0; rc == WB_OK && i < n; i++) {
			unit_rec u;
			int64_t id;

			memset(&u, 0, sizeof(u));
			wb_strlcpy(u.county_code, j->county.code, sizeof(u.county_code));
			wb_strlcpy(u.kind, "department", sizeof(u.kind));
			wb_strlcpy(u.code, d[i].code, sizeof(u.code));
			unit_department_name(&d[i], j->county.name, u.name, sizeof(u.name));
			wb_strlcpy(u.area_code, j->county.code, sizeof(u.area_code));
			rc = store_unit_insert(c, &u, now, &id);
		}
	}
	if (rc == WB_OK)
		rc = store_user_insert(c, &j->u, now, &j->u.id);
	if (rc == WB_OK) {
		j->m.user_id = j->u.id;
		rc = store_membership_insert(c, &j->m, now, &j->m.id);
	}
	if (rc == WB_OK && j->e)
		wb_snprintf(j->e->object_id, sizeof(j->e->object_id), "%" PRId64, j->u.id);
	return rc;
}

/* user.create's audit entry as the API writes it: the account's id as the
 * object (set once it is inserted), its first role and place and its user
 * name as the detail. */
static void create_entry(audit_entry *e, user_job *j)
{
	json_t *d = account_membership_detail(&j->m);

	cli_audit_entry(e, j->m.county_code, "user.create", "user", "");
	json_object_set_new(d, "username", json_string(j->u.username));
	api_audit_detail(e, d);
	j->e = e;
}

int cmd_migrate(cli_env *env, int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		fprintf(stderr,
			"usage: weibao migrate [--db URL]\nApplies every pending migration, each in a transaction.\n");
		return 0;
	}
	if (cli_open(env, 0, 1) != 0)
		return 1;
	printf("database is at schema version %d\n", store_latest_version());
	return 0;
}

int cmd_init(cli_env *env, int argc, char **argv)
{
	const char *county = cli_flag(argc, argv, "--county");
	const char *county_name = cli_flag(argc, argv, "--county-name");
	const char *admin = cli_flag(argc, argv, "--admin");
	const char *password = cli_flag(argc, argv, "--password");
	char pw[24], hash[SEC_PWHASH_MAX];
	const char *why;
	user_job j;
	audit_entry e;
	user_rec existing;
	store_conn *c;
	area_rec ar;
	int rc, have_county, admin_given = admin != NULL, county_given = county != NULL;

	if (cli_wants_help(argc, argv)) {
		fprintf(stderr,
			"usage: weibao init [--db URL] [--county CODE] [--county-name NAME] [--admin admin] "
			"[--password PW]\n"
			"Creates (or migrates) the database and the key file, the county area with its\n"
			"departments and the county's first administrator. A generated password is printed once.\n"
			"A county new to the database needs --county-name (370831 is 泗水县 without it; a new\n"
			"database without --county gets 370831). On a database that already holds a county,\n"
			"init without --county only migrates and says so.\n"
			"Each further county of a province is added by running init again with its code and\n"
			"name and an administrator's user name of its own (--admin, e.g. admin370832): user\n"
			"names are unique across the database.\n");
		return 0;
	}
	county = county ? county : DEFAULT_COUNTY;
	admin = admin ? admin : "admin";
	/* without --county, an installed database is only migrated (below) */
	if (strlen(county) != 6 || !area_level_of(county)) {
		fprintf(stderr, "weibao init: --county must be a 6-digit county code\n");
		return 2;
	}
	if (!account_username_ok(admin)) {
		fprintf(stderr, "weibao init: --admin: a user name has 3 to 63 letters, digits, '.', '_' or '-' and "
				"starts with a letter or digit\n");
		return 2;
	}
	/* an area's name as the area import takes it */
	if (county_name && (strlen(county_name) >= sizeof(ar.name) || !utf8_valid(county_name, strlen(county_name)) ||
			    !field_valid_name(county_name))) {
		fprintf(stderr,
			"weibao init: --county-name must be the county's name (1 to %zu bytes of UTF-8 text without "
			"control characters or blanks at either end)\n",
			sizeof(ar.name) - 1);
		return 2;
	}
	if (password && sec_password_policy(password, &why) != WB_OK) {
		fprintf(stderr, "weibao init: --password: %s\n", why);
		return 2;
	}
	if (cli_open(env, 1, 1) != 0)
		return 1;
	if (!county_given) {
		char only[8];
		int n = cli_county_count(env, only, sizeof(only));

		if (n < 0) {
			fprintf(stderr, "weibao init: cannot read the counties: %s\n", wb_strerror(n));
			return 1;
		}
		if (n > 0) {
			printf("database ready (schema %d); it already holds %s%s, so nothing else was done (a further "
			       "county is added with --county CODE --county-name NAME --admin NAME)\n",
			       store_latest_version(), n == 1 ? "county " : "several counties", n == 1 ? only : "");
			return 0;
		}
	}
	c = store_acquire(env->db);
	have_county = store_area_get(c, county, &ar) == WB_OK;
	/* the unique index on user names ignores case: so does the check */
	rc = have_county ? WB_ENOTFOUND : store_user_by_name_nocase(c, admin, &existing);
	store_release(c);
	if (have_county) {
		/* init run again (an upgrade script, a second try): the county
		 * has its administrator already; only migrated */
		printf("database ready (schema %d); county %s %s already exists, so nothing else was done (its "
		       "accounts are added on the users page or with weibao user add)\n",
		       store_latest_version(), county, ar.name);
		if (county_name && strcmp(county_name, ar.name) != 0)
			printf("--county-name %s was not applied: the county is named %s (an area import renames "
			       "it)\n",
			       county_name, ar.name);
		return 0;
	}
	if (rc == WB_OK) {
		/* user names are unique across the database: a province's
		 * further county needs an administrator's name of its own */
		fprintf(stderr,
			"weibao init: --admin: the user name '%s' is taken by an account of county %s ('%s': user "
			"names are unique across the database, whatever the case), so county %s was not created; "
			"%s with --admin NAME (e.g. --admin admin%s)\n",
			admin, existing.county_code, existing.username, county,
			admin_given ? "give its administrator another name" : "name its administrator", county);
		return 2;
	}
	if (rc != WB_ENOTFOUND) {
		fprintf(stderr, "weibao init: cannot read the accounts: %s\n", wb_strerror(rc));
		return 1;
	}
	memset(&j, 0, sizeof(j));
	if (!have_county) {
		if (!county_name && strcmp(county, DEFAULT_COUNTY) != 0) {
			fprintf(stderr,
				"weibao init: county %s is not in this database yet: give its name with --county-name "
				"NAME (its departments are named after it); nothing was created\n",
				county);
			return 2;
		}
		wb_strlcpy(j.county.code, county, sizeof(j.county.code));
		wb_strlcpy(j.county.county_code, county, sizeof(j.county.county_code));
		wb_strlcpy(j.county.level, "county", sizeof(j.county.level));
		wb_strlcpy(j.county.kind, "county", sizeof(j.county.kind));
		/* the demo's county code is 泗水县's */
		wb_strlcpy(j.county.name, county_name ? county_name : "泗水县", sizeof(j.county.name));
	}
	if (!password) {
		sec_password_generate(pw);
		password = pw;
	}
	if (sec_password_hash(password, hash) != WB_OK)
		return 1;
	wb_strlcpy(j.u.county_code, county, sizeof(j.u.county_code));
	wb_strlcpy(j.u.username, admin, sizeof(j.u.username));
	wb_strlcpy(j.u.display_name, "系统管理员", sizeof(j.u.display_name));
	wb_strlcpy(j.u.password_hash, hash, sizeof(j.u.password_hash));
	/* a generated password is printed on a terminal: the administrator
	 * replaces it at the first login */
	j.u.must_change_password = password == pw;
	wb_strlcpy(j.m.county_code, county, sizeof(j.m.county_code));
	wb_strlcpy(j.m.role, "admin", sizeof(j.m.role));
	wb_strlcpy(j.m.area_code, county, sizeof(j.m.area_code));
	create_entry(&e, &j);
	rc = audit_submit(env->audit, &e, add_user_fn, &j);
	if (rc) {
		fprintf(stderr, "weibao init: cannot create the administrator: %s\n", wb_strerror(rc));
		return 1;
	}
	if (j.county.code[0])
		printf("county %s %s created with its departments\n", county, j.county.name);
	/* a password given on the command line is not printed again (a
	 * terminal's scrollback, a log of the script) */
	if (password == pw)
		printf("database ready (schema %d)\nadministrator: %s\npassword: %s   (shown once; the first login "
		       "asks for a new one)\n",
		       store_latest_version(), admin, password);
	else
		printf("database ready (schema %d)\nadministrator: %s\npassword: as given (change it after logging "
		       "in)\n",
		       store_latest_version(), admin);
	return 0;
}

typedef struct user_list {
	user_rec *u;
	size_t n, cap;
} user_list;

static int collect_user(const user_rec *u, void *arg)
{
	user_list *l = arg;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		user_rec *nu = realloc(l->u, cap * sizeof(*nu));

		if (!nu)
			return WB_ENOMEM;
		l->u = nu;
		l->cap = cap;
	}
	l->u[l->n++] = *u;
	return WB_OK;
}

static int print_role(const membership_rec *m, void *arg)
{
	int *first = arg;

	printf("%s%s@%s", *first ? "" : ",", m->role, m->area_code[0] ? m->area_code : "unit");
	if (!m->area_code[0])
		printf("%" PRId64, m->unit_id);
	*first = 0;
	return WB_OK;
}

/* weibao user list [--county C]: one line an account, with its county,
 * status and roles (role@area, or role@unitID). */
static int user_list_cmd(store_conn *c, const char *county)
{
	user_list l = {0};
	int rc = store_user_list(c, county, collect_user, &l);

	for (size_t i = 0; rc == WB_OK && i < l.n; i++) {
		const user_rec *u = &l.u[i];
		int first = 1;

		printf("%-24s %-6s %-12s ", u->username, u->county_code,
		       u->locked                 ? "locked"
		       : u->must_change_password ? "must-change"
						 : "active");
		rc = store_membership_list(c, u->id, print_role, &first);
		printf("  %s\n", u->display_name);
	}
	free(l.u);
	return rc;
}

typedef struct simple_job {
	int64_t user_id;
	int kind; /* 0 lock, 1 unlock, 2 password */
	const char *hash;
} simple_job;

static int simple_fn(store_conn *c, void *arg)
{
	simple_job *j = arg;
	int64_t now = clock_now();
	int rc;

	if (j->kind == 0) {
		rc = store_user_set_locked(c, j->user_id, 1, now);
		return rc ? rc : store_session_delete_user(c, j->user_id);
	}
	if (j->kind == 1) {
		/* as the API's unlock: no session outlives the lock */
		rc = store_user_set_locked(c, j->user_id, 0, now);
		if (rc == WB_OK)
			rc = store_session_delete_user(c, j->user_id);
		return rc ? rc : store_login_failures_clear(c, j->user_id);
	}
	rc = store_user_set_password(c, j->user_id, j->hash, 0, now);
	return rc ? rc : store_session_delete_user(c, j->user_id);
}

static int user_add(cli_env *env, int argc, char **argv)
{
	const char *role = cli_flag(argc, argv, "--role");
	const char *area = cli_flag(argc, argv, "--area");
	const char *unit = cli_flag(argc, argv, "--unit");
	const char *name = cli_flag(argc, argv, "--name");
	const char *password = cli_flag(argc, argv, "--password");
	const char *county = cli_flag(argc, argv, "--county"); /* a unit's county (an area names its own) */
	const char *username = argc > 1 && argv[1][0] != '-' ? argv[1] : NULL;
	const role_def *def = role ? role_find(role) : NULL;
	char pw[24], hash[SEC_PWHASH_MAX], unit_county[8];
	const char *why, *field;
	store_conn *c;
	unit_rec ur;
	audit_entry e;
	user_job j;
	int rc;

	if (!username || !def) {
		/* say which part is wrong before the usage: a role misspelt
		 * (--role centre) is otherwise lost in it */
		if (!username)
			fprintf(stderr, "weibao user add: the user name is missing\n");
		else if (!role)
			fprintf(stderr, "weibao user add: --role is required\n");
		else
			fprintf(stderr, "weibao user add: --role: unknown role '%.40s'\n", role);
		fprintf(stderr, "usage: weibao user add USERNAME --role ROLE (--area CODE | --unit KIND:CODE [--county "
				"CODE]) [--name NAME] [--password PW] [--db URL]\n"
				"roles: committee center supervisor station director grid department org school "
				"auditor admin\n"
				"--county: the unit's county; without it, the database's only county (a database of\n"
				"several counties needs it). An area names its own county: a --county that is another\n"
				"is refused.\n");
		return 2;
	}
	if (password && sec_password_policy(password, &why) != WB_OK) {
		fprintf(stderr, "weibao user add: --password: %s\n", why);
		return 2;
	}
	if (county && (strlen(county) != 6 || !area_level_of(county))) {
		fprintf(stderr, "weibao user add: --county must be a 6-digit county code\n");
		return 2;
	}
	if (!account_username_ok(username)) {
		fprintf(stderr, "weibao user add: a user name has 3 to 63 letters, digits, '.', '_' or '-' and starts "
				"with a letter or digit\n");
		return 2;
	}
	/* the display name the API's create takes: a name that one would
	 * not (or one cut inside a character) breaks the account's JSON
	 * everywhere it is named, the accounts list and its own login */
	if (name &&
	    (strlen(name) > FIELD_MAX_DISPLAY_NAME || !utf8_valid(name, strlen(name)) || !field_valid_name(name))) {
		fprintf(stderr,
			"weibao user add: --name: 1 to %d bytes of UTF-8 text without control characters or blanks at "
			"either end (nothing done)\n",
			FIELD_MAX_DISPLAY_NAME);
		return 2;
	}
	memset(&j, 0, sizeof(j));
	c = store_acquire(env->db);
	rc = WB_OK;
	if (def->anchor == ANCHOR_UNIT) {
		char kind[16];
		const char *colon = unit ? strchr(unit, ':') : NULL;

		if (!colon || (size_t)(colon - unit) >= sizeof(kind)) {
			store_release(c);
			fprintf(stderr,
				"weibao user add: role %s needs --unit KIND:CODE (e.g. department:civil_affairs)\n",
				role);
			return 2;
		}
		memcpy(kind, unit, (size_t)(colon - unit));
		kind[colon - unit] = '\0';
		store_release(c);
		rc = cli_county(env, "user add", county, unit_county, sizeof(unit_county));
		if (rc)
			return rc;
		c = store_acquire(env->db);
		rc = store_unit_find(c, unit_county, kind, colon + 1, &ur);
		if (rc == WB_ENOTFOUND) {
			store_release(c);
			fprintf(stderr,
				"weibao user add: --unit: county %s has no unit %s (kinds: department, org, school; "
				"the codes are on the units page, 单位管理)\n",
				unit_county, unit);
			return 2;
		}
	} else if (area && area[0]) {
		area_rec ar;

		rc = store_area_get(c, area, &ar);
		if (rc == WB_ENOTFOUND) {
			store_release(c);
			fprintf(stderr, "weibao user add: --area: unknown area %s (no area has this code)\n", area);
			return 2;
		}
		/* the area names the account's county: a --county that is
		 * another is refused, not ignored */
		if (rc == WB_OK && county && strcmp(ar.county_code, county) != 0) {
			store_release(c);
			fprintf(stderr,
				"weibao user add: --area: area %s is in county %s, not in county %s given by --county "
				"(nothing done)\n",
				area, ar.county_code, county);
			return 2;
		}
	}
	if (rc == WB_OK)
		rc = account_membership(c, NULL, role, def->anchor == ANCHOR_UNIT ? NULL : area,
					def->anchor == ANCHOR_UNIT ? ur.id : 0, &j.m, &field, &why);
	if (rc) {
		store_release(c);
		if (rc == WB_EINVAL)
			fprintf(stderr, "weibao user add: --%s: %s\n", strcmp(field, "unit_id") == 0 ? "unit" : "area",
				why);
		else
			fprintf(stderr, "weibao user add: %s\n", wb_strerror(rc));
		return rc == WB_EINVAL ? 2 : 1;
	}
	store_release(c);
	if (!password) {
		sec_password_generate(pw);
		password = pw;
	}
	if (sec_password_hash(password, hash) != WB_OK)
		return 1;
	wb_strlcpy(j.u.county_code, j.m.county_code, sizeof(j.u.county_code));
	wb_strlcpy(j.u.username, username, sizeof(j.u.username));
	wb_strlcpy(j.u.display_name, name ? name : username, sizeof(j.u.display_name));
	wb_strlcpy(j.u.password_hash, hash, sizeof(j.u.password_hash));
	create_entry(&e, &j);
	rc = audit_submit(env->audit, &e, add_user_fn, &j);
	if (rc == WB_ECONFLICT) {
		fprintf(stderr, "weibao user add: user name '%s' is taken\n", username);
		return 1;
	}
	if (rc) {
		fprintf(stderr, "weibao user add: %s\n", wb_strerror(rc));
		return 1;
	}
	if (password == pw)
		printf("user %s created (role %s)\npassword: %s\n", username, role, password);
	else
		printf("user %s created (role %s), with the password given\n", username, role);
	return 0;
}

int cmd_user(cli_env *env, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;
	store_conn *c;
	user_rec u;
	simple_job j;
	audit_entry e;
	char pw[24], hash[SEC_PWHASH_MAX], id[24];
	int rc;

	if (!sub || cli_wants_help(argc, argv)) {
		fprintf(stderr,
			"usage: weibao user add USERNAME --role ROLE (--area CODE | --unit KIND:CODE [--county CODE]) "
			"[--name N] [--password PW]\n"
			"       (--county: the unit's county; the database's only county without it)\n"
			"       weibao user passwd USERNAME [--password PW]\n"
			"       weibao user lock USERNAME\n"
			"       weibao user unlock USERNAME   (also clears failed logins)\n"
			"       weibao user list [--county CODE]   (status, roles as role@area or role@unitID; every\n"
			"                                          county's accounts without --county)\n"
			"Every subcommand takes --db URL (otherwise the configuration's database).\n");
		return sub ? 0 : 2;
	}
	if (strcmp(sub, "add") != 0 && strcmp(sub, "list") != 0 && strcmp(sub, "passwd") != 0 &&
	    strcmp(sub, "lock") != 0 && strcmp(sub, "unlock") != 0) {
		fprintf(stderr, "weibao user: unknown subcommand '%s' (add, passwd, lock, unlock or list)\n", sub);
		return 2;
	}
	if (cli_open(env, 0, 0) != 0)
		return 1;
	if (strcmp(sub, "add") == 0)
		return user_add(env, argc - 1, argv + 1);
	if (strcmp(sub, "list") == 0) {
		const char *county = cli_flag(argc, argv, "--county");

		/* an unknown county is refused, not listed as empty */
		if (county && (rc = cli_county_known(env, "user list", county)) != 0)
			return rc;
		c = store_acquire(env->db);
		rc = user_list_cmd(c, county);
		store_release(c);
		return rc ? 1 : 0;
	}
	c = store_acquire(env->db);
	if (argc < 3) {
		store_release(c);
		fprintf(stderr, "weibao user %s: USERNAME is required\n", sub);
		return 2;
	}
	rc = store_user_by_name(c, argv[2], &u);
	store_release(c);
	if (rc) {
		fprintf(stderr, "weibao user %s: no user '%s'\n", sub, argv[2]);
		return 1;
	}
	memset(&j, 0, sizeof(j));
	j.user_id = u.id;
	/* the entries the API writes for the same changes: the account's id
	 * as the object, so that the auditor's filter by account finds both */
	wb_snprintf(id, sizeof(id), "%" PRId64, u.id);
	if (strcmp(sub, "lock") == 0) {
		j.kind = 0;
		cli_audit_entry(&e, u.county_code, "user.lock", "user", id);
	} else if (strcmp(sub, "unlock") == 0) {
		j.kind = 1;
		cli_audit_entry(&e, u.county_code, "user.unlock", "user", id);
	} else {
		const char *password = cli_flag(argc - 1, argv + 1, "--password");
		const char *why;

		if (password && sec_password_policy(password, &why) != WB_OK) {
			fprintf(stderr, "weibao user passwd: --password: %s\n", why);
			return 2;
		}
		if (!password) {
			sec_password_generate(pw);
			password = pw;
		}
		if (sec_password_hash(password, hash) != WB_OK)
			return 1;
		j.kind = 2;
		j.hash = hash;
		/* set by the operator, as the administrator's reset is
		 * (user.password is an account changing its own) */
		cli_audit_entry(&e, u.county_code, "user.password_reset", "user", id);
		rc = audit_submit(env->audit, &e, simple_fn, &j);
		if (rc) {
			fprintf(stderr, "weibao user passwd: %s\n", wb_strerror(rc));
			return 1;
		}
		if (password == pw)
			printf("password of %s set: %s\n", u.username, password);
		else
			printf("password of %s set as given\n", u.username);
		return 0;
	}
	rc = audit_submit(env->audit, &e, simple_fn, &j);
	if (rc) {
		fprintf(stderr, "weibao user %s: %s\n", sub, wb_strerror(rc));
		return 1;
	}
	printf("user %s %sed\n", u.username, sub);
	return 0;
}

int cmd_verify_audit(cli_env *env, int argc, char **argv)
{
	int64_t count = 0, bad = 0;
	const char *reason = NULL;
	store_conn *c;
	int rc, local;

	if (cli_wants_help(argc, argv)) {
		fprintf(stderr,
			"usage: weibao verify-audit [--db URL]\n"
			"Recomputes the audit log's hash chain (on SQLite after checking the file itself). Exit 0 "
			"if intact; 1 and the first broken entry, or the damage, if not.\n");
		return 0;
	}
	if (cli_open(env, 0, 0) != 0)
		return 2;
	c = store_acquire(env->db);
	local = c->drv->local_statements;
	/* a SQLite file is checked itself first: a chain can read as intact
	 * from a file whose other pages are damaged (a restore over a stale
	 * WAL) */
	if (local) {
		store_stmt *st = NULL;
		char verdict[200] = "";

		rc = conn_query(c, &st, "PRAGMA quick_check", "");
		if (rc == STORE_ROW)
			stmt_copy(c, st, 0, verdict, sizeof(verdict));
		stmt_reset(c, st);
		if (strcmp(verdict, "ok") != 0) {
			store_release(c);
			printf("database file DAMAGED (SQLite's quick_check: %s); restore it from a backup\n",
			       verdict[0] ? verdict : wb_strerror(rc));
			return 1;
		}
	}
	rc = audit_verify(c, &env->keys, &count, &bad, &reason);
	store_release(c);
	if (rc == WB_OK) {
		printf("audit log intact: %" PRId64 " entries verified%s\n", count,
		       local ? " (and the database file checked)" : "");
		return 0;
	}
	if (rc == WB_ECONFLICT && bad == 0) {
		printf("audit log BROKEN: %s (%" PRId64 " entries verified, but whether newer ones were removed "
		       "cannot be told)\n",
		       reason, count);
		return 1;
	}
	if (rc == WB_ECONFLICT) {
		printf("audit log BROKEN at entry %" PRId64 ": %s (%" PRId64 " entries before it verified)\n", bad,
		       reason, bad - 1);
		return 1;
	}
	fprintf(stderr, "weibao verify-audit: %s\n", wb_strerror(rc));
	return 2;
}

typedef struct areas_job {
	areas_csv *csv;
} areas_job;

static int areas_fn(store_conn *c, void *arg)
{
	return areas_csv_apply(((areas_job *)arg)->csv, c, clock_now());
}

int cmd_import_areas(cli_env *env, int argc, char **argv)
{
	const char *county = cli_flag(argc, argv, "--county");
	areas_csv csv;
	areas_job j = {&csv};
	audit_entry e;
	char err[256], *data = NULL, the_county[8];
	size_t len = 0;
	store_conn *c;
	FILE *f;
	int line = 0, rc;
	buf b;

	if (argc < 2 || argv[1][0] == '-' || cli_wants_help(argc, argv)) {
		fprintf(stderr,
			"usage: weibao import-areas FILE.csv [--county CODE] [--db URL]\n"
			"Rows: code,name[,kind]. All rows are checked first; nothing is written if one is bad.\n"
			"--county: the county the areas belong to; without it, the database's only county\n"
			"(a database of several counties needs it).\n");
		return cli_wants_help(argc, argv) ? 0 : 2;
	}
	f = fopen(argv[1], "rb");
	if (!f) {
		fprintf(stderr, "weibao import-areas: cannot read %s\n", argv[1]);
		return 1;
	}
	buf_init(&b, 64u << 20);
	{
		char chunk[65536];
		size_t n;

		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			if (buf_append(&b, chunk, n) != WB_OK)
				break;
	}
	fclose(f);
	data = b.data ? b.data : (char *)"";
	len = b.len;
	if (cli_open(env, 0, 0) != 0) {
		buf_cleanup(&b);
		return 1;
	}
	/* the areas go under the county: one the database has */
	rc = county ? cli_county_known(env, "import-areas", county) : 0;
	if (rc == 0)
		rc = cli_county(env, "import-areas", county, the_county, sizeof(the_county));
	if (rc) {
		buf_cleanup(&b);
		return rc;
	}
	county = the_county;
	c = store_acquire(env->db);
	rc = areas_csv_parse(&csv, data, len, county, c, &line, err, sizeof(err));
	store_release(c);
	if (rc) {
		fprintf(stderr, "weibao import-areas: %s: row %d: %s (nothing imported)\n", argv[1], line, err);
		areas_csv_cleanup(&csv);
		buf_cleanup(&b);
		return 1;
	}
	cli_audit_entry(&e, county, "area.import", "area", "");
	api_audit_detail(&e, areas_import_detail(&csv));
	rc = audit_submit(env->audit, &e, areas_fn, &j);
	if (rc)
		fprintf(stderr, "weibao import-areas: import failed: %s\n", wb_strerror(rc));
	else
		printf("imported %d new areas, renamed %d, %d unchanged\n", csv.added, csv.renamed, csv.unchanged);
	areas_csv_cleanup(&csv);
	buf_cleanup(&b);
	return rc ? 1 : 0;
}

typedef struct recompute_job {
	const char *county;
	int all;
	int ended;
	long children;
	int changed;
	int archived, erased, files;
	ent_gap_sweep gaps;
} recompute_job;

static int recompute_fn(store_conn *c, void *arg)
{
	recompute_job *j = arg;
	int64_t now = clock_now();
	int rc = registry_age_sweep(c, j->county, clock_today_ymd(), now, &j->ended);

	if (rc == WB_OK && j->all)
		rc = registry_recompute_all(c, j->county, clock_today_ymd(), now, &j->children, &j->changed);
	return rc;
}

typedef struct archive_batch {
	const char *county;
	int archived, erased;
} archive_batch;

static int archive_batch_fn(store_conn *c, void *arg)
{
	archive_batch *b = arg;

	return archive_sweep(c, b->county, clock_today_ymd(), clock_now(), &b->archived, &b->erased);
}

typedef struct files_batch {
	char dir[600];
	int removed;
} files_batch;

static int files_batch_fn(store_conn *c, void *arg)
{
	files_batch *f = arg;

	return archive_files_sweep(c, f->dir, clock_now(), &f->removed);
}

typedef struct gap_batch {
	const char *county;
	ent_gap_sweep r;
} gap_batch;

/* The entitlements' new gaps told to the county's townships. */
static int gap_batch_fn(store_conn *c, void *arg)
{
	gap_batch *g = arg;

	return entitlements_gap_sweep(c, g->county, clock_now(), &g->r);
}

int cli_county_known(cli_env *env, const char *cmd, const char *county)
{
	store_conn *c = store_acquire(env->db);
	area_rec ar;
	int rc;

	if (!c) {
		fprintf(stderr, "weibao %s: the database is busy\n", cmd);
		return 1;
	}
	rc = store_area_get(c, county, &ar);
	store_release(c);
	if (rc == WB_ENOTFOUND || (rc == WB_OK && strcmp(ar.level, "county") != 0)) {
		fprintf(stderr, "weibao %s: --county: no county %s in this database (nothing done)\n", cmd, county);
		return 2;
	}
	if (rc) {
		fprintf(stderr, "weibao %s: %s\n", cmd, wb_strerror(rc));
		return 1;
	}
	return 0;
}

int cmd_recompute(cli_env *env, int argc, char **argv)
{
	recompute_job j;
	audit_entry e;
	char the_county[8];
	int rc;

	if (cli_wants_help(argc, argv)) {
		fprintf(stderr,
			"usage: weibao recompute [--db URL] [--county CODE] [--all]\n"
			"--county: the county; without it, the database's only county (a database of several\n"
			"counties needs it).\n"
			"Ends categories whose age limit was reached, archives children past 18 and the\n"
			"grace days, erases archived records past their retention (the server does this daily).\n"
			"Then tells each township's station and supervisor how many children are newly\n"
			"entitled to a benefit they do not receive (应享未享).\n"
			"With --all, re-derives every child's category suggestions from the facts.\n");
		return 0;
	}
	memset(&j, 0, sizeof(j));
	j.county = cli_flag(argc, argv, "--county");
	j.all = cli_has_flag(argc, argv, "--all");
	if (j.county &&
	    (strlen(j.county) != 6 || !area_level_of(j.county) || strcmp(area_level_of(j.county), "county") != 0)) {
		fprintf(stderr, "weibao recompute: --county must be a 6-digit county code, not '%s'\n", j.county);
		return 2;
	}
	if (cli_open(env, 0, 0) != 0)
		return 1;
	rc = cli_county(env, "recompute", j.county, the_county, sizeof(the_county));
	if (rc)
		return rc;
	j.county = the_county;
	rc = cli_county_known(env, "recompute", j.county);
	if (rc)
		return rc;
	cli_audit_entry(&e, j.county, "category.recompute", "county", j.county);
	rc = audit_submit_alone(env->audit, &e, recompute_fn, &j);
	if (rc) {
		fprintf(stderr, "weibao recompute: %s (nothing changed)\n", wb_strerror(rc));
		return 1;
	}
	/* the archive, a batch per transaction */
	for (;;) {
		archive_batch b = {j.county, 0, 0};

		cli_audit_entry(&e, j.county, "registry.archive_sweep", "county", j.county);
		rc = audit_submit_alone(env->audit, &e, archive_batch_fn, &b);
		if (rc) {
			fprintf(stderr, "weibao recompute: archive: %s (the batches before were kept)\n",
				wb_strerror(rc));
			return 1;
		}
		j.archived += b.archived;
		j.erased += b.erased;
		if (b.archived < ARCHIVE_SWEEP_BATCH && b.erased < ARCHIVE_SWEEP_BATCH)
			break;
	}
	{
		files_batch f = {{0}, 0};

		config_files_dir(&env->cfg, f.dir, sizeof(f.dir));
		rc = audit_submit_alone(env->audit, NULL, files_batch_fn, &f);
		if (rc) {
			fprintf(stderr, "weibao recompute: attachment files: %s\n", wb_strerror(rc));
			return 1;
		}
		j.files = f.removed;
	}
	{
		gap_batch g;

		memset(&g, 0, sizeof(g));
		g.county = j.county;
		cli_audit_entry(&e, j.county, "entitlement.gap_notice", "county", j.county);
		rc = audit_submit_alone(env->audit, &e, gap_batch_fn, &g);
		if (rc) {
			fprintf(stderr, "weibao recompute: entitlement gaps: %s\n", wb_strerror(rc));
			return 1;
		}
		j.gaps = g.r;
	}
	printf("categories ended or withdrawn by age: %d\n", j.ended);
	printf("records archived: %d, erased after retention: %d\n", j.archived, j.erased);
	printf("attachment files of erased records removed: %d\n", j.files);
	printf("entitlement gaps: %" PRId64 " open, %" PRId64 " new (told to %d townships), %" PRId64
	       " closed since the last run\n",
	       j.gaps.open, j.gaps.added, j.gaps.townships, j.gaps.closed);
	if (j.all)
		printf("children re-derived: %ld, category rows changed: %d\n", j.children, j.changed);
	return 0;
}

typedef struct cli_import {
	import_job *job;
	audit_entry *e;
} cli_import;

static int cli_import_fn(store_conn *c, void *arg)
{
	cli_import *ci = arg;
	int rc = import_apply(c, ci->job);

	wb_snprintf(
		ci->e->detail, sizeof(ci->e->detail),
		"{\"file\":\"%.100s\",\"rows\":%ld,\"created\":%ld,\"updated\":%ld,\"errors\":%ld,\"conflicts\":%ld,"
		"\"skipped\":%ld}",
		ci->job->file_name, ci->job->rows, ci->job->created, ci->job->updated, ci->job->errors,
		ci->job->conflicts, ci->job->skipped);
	if (rc == WB_EINVAL)
		wb_strlcpy(ci->e->outcome, "rejected", sizeof(ci->e->outcome));
	return rc;
}

static int cli_analyze_fn(store_conn *c, void *arg)
{
	(void)arg;
	return store_analyze(c);
}

static int cli_import_save_fn(store_conn *c, void *arg)
{
	return import_save(c, arg, clock_now());
}

typedef struct progress {
	import_job *job;
	atomic_int stop;
} progress;

static void *progress_main(void *arg)
{
	progress *pr = arg;

	while (!atomic_load(&pr->stop)) {
		int pct = atomic_load(&pr->job->percent);
		char bar[41];

		for (int i = 0; i < 40; i++)
			bar[i] = i < pct * 40 / 100 ? '#' : '.';
		bar[40] = '\0';
		fprintf(stderr, "\r[%s] %3d%%", bar, pct);
		fflush(stderr);
		usleep(200 * 1000);
	}
	return NULL;
}

int cmd_import(cli_env *env, int argc, char **argv)
{
	const char *mode = cli_flag(argc, argv, "--mode");
	const char *county = cli_flag(argc, argv, "--county");
	const char *report = cli_flag(argc, argv, "--report");
	const char *mapping = cli_flag(argc, argv, "--mapping");
	import_job *j;
	cli_import ci;
	audit_entry e;
	progress pr;
	pthread_t th;
	char *data = NULL, the_county[8];
	size_t len = 0;
	int rc, have_thread = 0;
	FILE *f;
	buf b;

	if (argc < 2 || argv[1][0] == '-' || cli_wants_help(argc, argv)) {
		fprintf(stderr, "usage: weibao import FILE.csv|FILE.xlsx [--mode all|rows] [--mapping JSON] [--report "
				"OUT.csv] [--county CODE] [--db URL]\n"
				"Imports children (CSV in UTF-8 or GB18030, or XLSX). All rows or none by default;\n"
				"--mode rows applies the good rows and reports the bad ones. Every problem is listed\n"
				"with its row, column and reason (and written to --report as CSV).\n"
				"--county CODE: the county the children belong to; without it, the database's only\n"
				"county (a database of several counties needs it).\n");
		return cli_wants_help(argc, argv) ? 0 : 2;
	}
	if (mode && strcmp(mode, "all") != 0 && strcmp(mode, "rows") != 0) {
		fprintf(stderr, "weibao import: --mode must be all or rows\n");
		return 2;
	}
	if (report) {
		/* a report that cannot be written is said before anything is
		 * imported: a nightly job would otherwise never miss it */
		FILE *out = fopen(report, "a");

		if (!out) {
			fprintf(stderr, "weibao import: --report: cannot write %s (nothing imported)\n", report);
			return 2;
		}
		fclose(out);
	}
	f = fopen(argv[1], "rb");
	if (!f) {
		fprintf(stderr, "weibao import: cannot read %s\n", argv[1]);
		return 1;
	}
	buf_init(&b, 256u << 20);
	{
		char chunk[65536];
		size_t n;

		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			if (buf_append(&b, chunk, n) != WB_OK) {
				fclose(f);
				buf_cleanup(&b);
				fprintf(stderr, "weibao import: the file is larger than 256 MiB\n");
				return 1;
			}
	}
	fclose(f);
	data = b.data ? b.data : (char *)"";
	len = b.len;
	if (cli_open(env, 0, 0) != 0) {
		buf_cleanup(&b);
		return 1;
	}
	if (county && strlen(county) != 6) {
		fprintf(stderr, "weibao import: --county must be a 6-digit county code, not '%s'\n", county);
		buf_cleanup(&b);
		return 2;
	}
	rc = county ? cli_county_known(env, "import", county) : 0;
	if (rc == 0)
		rc = cli_county(env, "import", county, the_county, sizeof(the_county));
	if (rc) {
		buf_cleanup(&b);
		return rc;
	}
	j = calloc(1, sizeof(*j));
	if (!j) {
		buf_cleanup(&b);
		return 1;
	}
	j->keys = &env->keys;
	wb_strlcpy(j->county, the_county, sizeof(j->county));
	store_scope_county(&j->scope, j->county);
	j->row_by_row = mode && strcmp(mode, "rows") == 0;
	/* shown as the API's imports are (imports_api.c) */
	wb_file_name(strrchr(argv[1], '/') ? strrchr(argv[1], '/') + 1 : argv[1], NULL, 100, j->file_name,
		     sizeof(j->file_name));
	if (!j->file_name[0])
		wb_strlcpy(j->file_name, "upload", sizeof(j->file_name));
	if (mapping) {
		json_error_t je;

		j->mapping = json_loads(mapping, JSON_REJECT_DUPLICATES, &je);
		if (!json_is_object(j->mapping)) {
			fprintf(stderr, "weibao import: --mapping must be a JSON object {\"header\": \"field\"}\n");
			rc = 2;
			goto out;
		}
	}
	if (import_load(j, data, len) != WB_OK) {
		fprintf(stderr, "weibao import: %s: %s (nothing imported)\n", argv[1], j->message);
		rc = 1;
		goto out;
	}
	audit_submit(env->audit, NULL, cli_import_save_fn, j);
	cli_audit_entry(&e, j->county, "child.import", "import", "");
	wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, j->import_id);
	ci.job = j;
	ci.e = &e;
	pr.job = j;
	atomic_store(&pr.stop, 0);
	if (isatty(STDERR_FILENO))
		have_thread = pthread_create(&th, NULL, progress_main, &pr) == 0;
	{
		int64_t t0 = clock_mono_ms();

		rc = audit_submit_alone(env->audit, &e, cli_import_fn, &ci);
		atomic_store(&pr.stop, 1);
		if (have_thread) {
			pthread_join(th, NULL);
			fprintf(stderr, "\r[########################################] 100%%\n");
		}
		wb_strlcpy(j->status,
			   rc == WB_OK       ? "done"
			   : rc == WB_EINVAL ? "rejected"
					     : "failed",
			   sizeof(j->status));
		if (rc != WB_OK)
			j->created = j->updated = j->unchanged = j->skipped = 0;
		atomic_store(&j->finished, 1);
		audit_submit(env->audit, NULL, cli_import_save_fn, j);
		if (rc == WB_OK && j->created + j->updated > 1000)
			audit_submit(env->audit, NULL, cli_analyze_fn, NULL);
		printf("%s: %ld rows in %.1f s: %ld created, %ld updated, %ld unchanged, %ld errors, %ld conflicts, "
		       "%ld skipped%s\n",
		       j->file_name, j->rows, (double)(clock_mono_ms() - t0) / 1000.0, j->created, j->updated,
		       j->unchanged, j->errors, j->conflicts, j->skipped,
		       rc == WB_EINVAL ? " — REJECTED, nothing imported" : "");
	}
	/* the header's columns that were not read: a typo or a column of their own */
	if (j->nignored) {
		printf("  columns not read (the import does not know them):");
		for (int i = 0; i < j->nignored; i++)
			printf("%s \"%s\"", i ? "," : "", j->ignored[i]);
		if (j->ignored_more)
			printf(" and %d more", j->ignored_more);
		printf("\n");
	}
	for (size_t i = 0; i < j->nissues && i < 20; i++)
		printf("  row %u, column %s: %s: %s\n", j->issues[i].row, j->issues[i].column, j->issues[i].kind,
		       j->issues[i].reason);
	if (j->nissues > 20)
		printf("  ... %zu more (see --report)\n", j->nissues - 20);
	if (report) {
		FILE *out = fopen(report, "w");

		if (!out) {
			fprintf(stderr, "weibao import: cannot write %s\n", report);
			if (rc == WB_OK)
				rc = WB_EIO;
		} else {
			/* the project's CSV cells: a column name or reason with a
			 * comma or a quote stays one cell, a formula is defused */
			buf line;
			char row[16];

			buf_init(&line, 8192);
			fprintf(out, "\xEF\xBB\xBFrow,column,kind,reason\r\n");
			for (int i = 0; i < j->nignored; i++) {
				buf_reset(&line);
				api_csv_cell(&line, "1", 0);
				api_csv_cell(&line, j->ignored[i], 0);
				api_csv_cell(&line, "ignored", 0);
				api_csv_cell(&line, import_ignored_reason(0), 1);
				fwrite(line.data, 1, line.len, out);
			}
			for (size_t i = 0; i < j->nissues; i++) {
				buf_reset(&line);
				wb_snprintf(row, sizeof(row), "%u", j->issues[i].row);
				api_csv_cell(&line, row, 0);
				api_csv_cell(&line, j->issues[i].column, 0);
				api_csv_cell(&line, j->issues[i].kind, 0);
				api_csv_cell(&line, j->issues[i].reason, 1);
				fwrite(line.data, 1, line.len, out);
			}
			buf_cleanup(&line);
			fclose(out);
		}
	}
	rc = rc == WB_OK ? 0 : 1;
out:
	json_decref(j->mapping);
	import_job_cleanup(j);
	free(j);
	buf_cleanup(&b);
	return rc;
}
