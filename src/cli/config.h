/*
 * Configuration: built-in defaults, then a config file (key = value lines),
 * then WEIBAO_* environment variables, then command-line flags; each later
 * source overrides the earlier ones.
 */
#ifndef WB_CONFIG_H
#define WB_CONFIG_H

#include <stddef.h>
#include <stdint.h>

typedef struct wb_config {
	char db[512];
	char key_file[512];
	char listen[64];
	long long port;
	long long pool;
	long long session_idle;
	long long session_absolute;
	long long lock_max;
	long long lock_window;
	long long login_rate;
	long long login_checks;
	long long body_max;
	long long large_uploads;
	long long upload_min_rate;
	long long conn_limit;
	long long per_ip_limit;
	long long event_threads;
	long long workers;
	long long timeout;
	long long access_log;
	long long secure_cookie;
	char web_dir[512];
	char files_dir[512];
	char trusted_proxies[256];
	long long deadline_scan_interval;
	long long webhook_backoff_ms;
	long long webhook_max_attempts;
	long long webhook_timeout;
	char log_level[16];
	char category_incapacity[256];
	char category_birthday[16];
	char category_leapday[16];
	char category_difficulty[128];
	char config_file[512];
} wb_config;

/* Defaults. */
void config_defaults(wb_config *c);
/*
 * Loads file (if named by --config or WEIBAO_CONFIG), environment and
 * flags. Flags it knows are removed from argv (argc updated); others are
 * left for the command. Returns 0, or -1 after printing an error.
 */
int config_load(wb_config *c, int *argc, char **argv);
/* The key file to use: the configured one, or next to a SQLite file. */
void config_key_file(const wb_config *c, char *out, size_t outlen);
/* Where attachments live: the configured folder, or next to a SQLite file. */
void config_files_dir(const wb_config *c, char *out, size_t outlen);
/* Prints the list of options (for --help). */
void config_usage(void);

#endif
