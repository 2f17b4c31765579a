/*
 * Configuration sources and their precedence; see config.h.
 *
 * The file has lines "key = value". A line whose first non-blank is # is
 * a comment, and so is the rest of a line from a # that follows a blank
 * ("port = 8080   # behind nginx"); a # inside a value ("pass#1") is
 * kept. Blanks around the key and the value do not count: a value's
 * trailing blanks, invisible in an editor, would name another file.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/buf.h"
#include "../util/wb.h"

typedef struct opt {
	const char *name; /* file key and flag (--name, with _ as -) */
	const char *env;
	char type; /* 's' string, 'i' integer */
	size_t offset;
	size_t size; /* for strings */
	long long min, max;
	const char *help;
} opt;

#define S(field, env, help)                                                                               \
	{                                                                                                 \
#field, env, 's', offsetof(wb_config, field), sizeof(((wb_config *)0)->field), 0, 0, help \
	}
#define I(field, env, lo, hi, help)                                           \
	{                                                                     \
#field, env, 'i', offsetof(wb_config, field), 0, lo, hi, help \
	}

static const opt opts[] = {
	S(db, "WEIBAO_DB", "database URL: sqlite:PATH or postgresql://user@host:port/name"),
	S(key_file, "WEIBAO_KEY_FILE", "master key file (default: DB file + .key for SQLite, weibao.key otherwise)"),
	S(listen, "WEIBAO_LISTEN", "IPv4 address to listen on"),
	I(port, "WEIBAO_PORT", 0, 65535, "TCP port (0 picks a free one)"),
	I(pool, "WEIBAO_POOL", 2, 256, "database connections"),
	I(session_idle, "WEIBAO_SESSION_IDLE", 1, 86400 * 30, "seconds a session may stay unused"),
	I(session_absolute, "WEIBAO_SESSION_ABSOLUTE", 1, 86400 * 90, "seconds a session lives at most"),
	I(lock_max, "WEIBAO_LOCK_MAX", 1, 1000, "failed logins that lock an account"),
	I(lock_window, "WEIBAO_LOCK_WINDOW", 1, 86400 * 30, "seconds over which failed logins count"),
	I(login_rate, "WEIBAO_LOGIN_RATE", 0, 100000, "login attempts per minute per client address (0: no limit)"),
	I(login_checks, "WEIBAO_LOGIN_CHECKS", 0, 1000,
	  "password checks at once per client address (429 login_busy beyond; 0: no limit)"),
	I(body_max, "WEIBAO_BODY_MAX", 1024, 1 << 30, "largest request body in bytes"),
	I(large_uploads, "WEIBAO_LARGE_UPLOADS", 0, 1000,
	  "bodies larger than body_max (imports, attachments) received at once (503 beyond; 0: no limit)"),
	I(upload_min_rate, "WEIBAO_UPLOAD_MIN_RATE", 0, 1 << 30,
	  "bytes per second a large upload must average once the idle timeout has passed (slower: cut; 0: no floor)"),
	I(conn_limit, "WEIBAO_CONN_LIMIT", 1, 100000, "simultaneous connections"),
	I(per_ip_limit, "WEIBAO_PER_IP_LIMIT", 0, 100000, "simultaneous connections per client address"),
	I(event_threads, "WEIBAO_EVENT_THREADS", 0, 256, "threads reading and writing connections (0: one per core)"),
	I(workers, "WEIBAO_WORKERS", 1, 4096, "threads running requests that may wait (writes, logins, imports)"),
	I(timeout, "WEIBAO_TIMEOUT", 1, 3600, "seconds an idle connection is kept"),
	I(access_log, "WEIBAO_ACCESS_LOG", 0, 1, "write an access log line per request (1/0)"),
	I(secure_cookie, "WEIBAO_SECURE_COOKIE", 0, 1, "mark the session cookie Secure (behind TLS)"),
	S(web_dir, "WEIBAO_WEB_DIR", "serve the web UI from this folder instead of the embedded copy"),
	S(files_dir, "WEIBAO_FILES_DIR", "attachments of help requests (default: DB file + .files for SQLite)"),
	S(trusted_proxies, "WEIBAO_TRUSTED_PROXIES",
	  "reverse proxies whose X-Forwarded-For names the client (IPv4 addresses or CIDR blocks, comma list)"),
	I(deadline_scan_interval, "WEIBAO_DEADLINE_SCAN_INTERVAL", 0, 86400,
	  "seconds between overdue scans of the closed loop (0: none)"),
	I(webhook_backoff_ms, "WEIBAO_WEBHOOK_BACKOFF_MS", 10, 3600000,
	  "first webhook retry after this many ms, doubling per attempt"),
	I(webhook_max_attempts, "WEIBAO_WEBHOOK_MAX_ATTEMPTS", 1, 100, "webhook attempts before a delivery fails"),
	I(webhook_timeout, "WEIBAO_WEBHOOK_TIMEOUT", 1, 120, "seconds a webhook call may take"),
	S(log_level, "WEIBAO_LOG_LEVEL", "debug, info, warn or error"),
	S(category_incapacity, "WEIBAO_CATEGORY_INCAPACITY",
	  "guardian statuses that count as without capacity (provincial; comma list)"),
	S(category_birthday, "WEIBAO_CATEGORY_BIRTHDAY",
	  "a year of age counts on_day (default) or day_after the birthday"),
	S(category_leapday, "WEIBAO_CATEGORY_LEAPDAY", "29 February birthdays count on mar1 (default) or feb28"),
	S(category_difficulty, "WEIBAO_CATEGORY_DIFFICULTY",
	  "sub-types of 'in difficulty' the county counts (comma list; default all four)"),
};

void config_defaults(wb_config *c)
{
	memset(c, 0, sizeof(*c));
	wb_strlcpy(c->db, "sqlite:weibao.db", sizeof(c->db));
	wb_strlcpy(c->listen, "127.0.0.1", sizeof(c->listen));
	c->port = 8080;
	c->pool = 16;
	c->session_idle = 30 * 60;
	c->session_absolute = 12 * 3600;
	c->lock_max = 5;
	c->lock_window = 15 * 60;
	c->login_rate = 30;
	c->login_checks = 1;
	c->body_max = 1 << 20;
	c->large_uploads = 4;
	c->upload_min_rate = 4096;
	c->conn_limit = 1024;
	c->per_ip_limit = 256;
	c->event_threads = 0;
	c->workers = 64;
	c->timeout = 30;
	c->access_log = 1;
	c->secure_cookie = 0;
	c->deadline_scan_interval = 60;
	c->webhook_backoff_ms = 30000;
	c->webhook_max_attempts = 8;
	c->webhook_timeout = 10;
	wb_strlcpy(c->log_level, "info", sizeof(c->log_level));
}

static int set_opt(wb_config *c, const opt *o, const char *value, const char *source)
{
	char *field = (char *)c + o->offset;

	if (o->type == 's') {
		if (wb_strlcpy(field, value, o->size) != WB_OK) {
			fprintf(stderr, "weibao: %s: value of %s is too long\n", source, o->name);
			return -1;
		}
		return 0;
	}
	if (wb_parse_int64(value, o->min, o->max, (long long *)(void *)field) != WB_OK) {
		fprintf(stderr, "weibao: %s: %s must be a whole number from %lld to %lld, not '%.40s'\n", source,
			o->name, o->min, o->max, value);
		return -1;
	}
	return 0;
}

static const opt *find_opt(const char *name, size_t len)
{
	for (size_t i = 0; i < WB_ARRAY_LEN(opts); i++) {
		const char *n = opts[i].name;
		size_t k;

		if (strlen(n) != len)
			continue;
		for (k = 0; k < len; k++) {
			char a = name[k] == '-' ? '_' : name[k];

			if (a != n[k])
				break;
		}
		if (k == len)
			return &opts[i];
	}
	return NULL;
}

static int load_file(wb_config *c, const char *path)
{
	char line[1024];
	FILE *f = fopen(path, "r");
	int lineno = 0, rc = 0;

	if (!f) {
		fprintf(stderr, "weibao: cannot read config file %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		char *eq, *k, *v, *end, *h;
		const opt *o;
		char where[600];

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			fprintf(stderr, "weibao: %s:%d: line longer than %zu bytes\n", path, lineno, sizeof(line) - 2);
			rc = -1;
			break;
		}
		k = line;
		while (*k == ' ' || *k == '\t')
			k++;
		if (*k == '#' || *k == '\n' || *k == '\0')
			continue;
		eq = strchr(k, '=');
		if (!eq) {
			fprintf(stderr, "weibao: %s:%d: expected key = value\n", path, lineno);
			rc = -1;
			break;
		}
		end = eq;
		while (end > k && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		v = eq + 1;
		v[strcspn(v, "\r\n")] = '\0';
		for (h = strchr(v, '#'); h; h = strchr(h + 1, '#')) {
			if (h > v && (h[-1] == ' ' || h[-1] == '\t')) {
				*h = '\0';
				break;
			}
		}
		while (*v == ' ' || *v == '\t')
			v++;
		h = v + strlen(v);
		while (h > v && (h[-1] == ' ' || h[-1] == '\t'))
			*--h = '\0';
		o = find_opt(k, (size_t)(end - k));
		wb_snprintf(where, sizeof(where), "%s:%d", path, lineno);
		if (!o) {
			fprintf(stderr, "weibao: %s: unknown setting\n", where);
			rc = -1;
			break;
		}
		rc = set_opt(c, o, v, where);
	}
	fclose(f);
	return rc;
}

int config_load(wb_config *c, int *argc, char **argv)
{
	const char *file = getenv("WEIBAO_CONFIG");
	int out = 1;

	for (int i = 1; i < *argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 >= *argc) {
			/* not the defaults: `init --config` would make a database
			 * in the current folder instead of the file's */
			fprintf(stderr, "weibao: --config needs a value (the config file)\n");
			return -1;
		}
		if (strcmp(argv[i], "--config") == 0)
			file = argv[i + 1];
		else if (strncmp(argv[i], "--config=", 9) == 0)
			file = argv[i] + 9;
	}
	if (file) {
		wb_strlcpy(c->config_file, file, sizeof(c->config_file));
		if (load_file(c, file) != 0)
			return -1;
	}
	for (size_t i = 0; i < WB_ARRAY_LEN(opts); i++) {
		const char *v = getenv(opts[i].env);

		if (v && set_opt(c, &opts[i], v, opts[i].env) != 0)
			return -1;
	}
	for (int i = 1; i < *argc; i++) {
		const char *a = argv[i];
		const char *eq;
		const opt *o;

		if (strncmp(a, "--", 2) != 0) {
			argv[out++] = argv[i];
			continue;
		}
		if (strcmp(a, "--config") == 0) {
			i++;
			continue;
		}
		if (strncmp(a, "--config=", 9) == 0)
			continue;
		eq = strchr(a, '=');
		o = find_opt(a + 2, eq ? (size_t)(eq - a - 2) : strlen(a + 2));
		if (!o) {
			argv[out++] = argv[i];
			continue;
		}
		if (eq) {
			if (set_opt(c, o, eq + 1, a) != 0)
				return -1;
		} else {
			if (i + 1 >= *argc) {
				fprintf(stderr, "weibao: %s needs a value\n", a);
				return -1;
			}
			if (set_opt(c, o, argv[++i], a) != 0)
				return -1;
		}
	}
	argv[out] = NULL;
	*argc = out;
	return 0;
}

void config_key_file(const wb_config *c, char *out, size_t outlen)
{
	if (c->key_file[0])
		wb_strlcpy(out, c->key_file, outlen);
	else if (strncmp(c->db, "sqlite:", 7) == 0)
		wb_snprintf(out, outlen, "%s.key", c->db + 7);
	else
		wb_strlcpy(out, "weibao.key", outlen);
}

void config_files_dir(const wb_config *c, char *out, size_t outlen)
{
	if (c->files_dir[0])
		wb_strlcpy(out, c->files_dir, outlen);
	else if (strncmp(c->db, "sqlite:", 7) == 0)
		wb_snprintf(out, outlen, "%s.files", c->db + 7);
	else
		wb_strlcpy(out, "weibao-files", outlen);
}

void config_usage(void)
{
	fprintf(stderr, "\nSettings (config file key, --flag, or environment variable):\n");
	for (size_t i = 0; i < WB_ARRAY_LEN(opts); i++) {
		char flag[64];
		size_t k;

		wb_snprintf(flag, sizeof(flag), "--%s", opts[i].name);
		for (k = 2; flag[k]; k++)
			if (flag[k] == '_')
				flag[k] = '-';
		fprintf(stderr, "  %-22s %-24s %s\n", flag, opts[i].env, opts[i].help);
	}
	fprintf(stderr, "  %-22s %-24s %s\n", "--config FILE", "WEIBAO_CONFIG", "read settings from FILE first");
}
