/*
 * Fuzz target: the configuration loader (src/cli/config.c, compiled into
 * this target since it is part of the binary, not of weibao_core). The
 * input is "file content", optionally followed by "\0\0" and NUL-separated
 * command-line arguments. The file is handed over through a memfd, so no
 * file is written. Arguments naming another --config are dropped (reading
 * an arbitrary path such as /dev/zero is the operator's choice, not a bug).
 *
 * Promises checked: every integer setting stays within its documented
 * range whether or not loading succeeded, strings stay terminated, and the
 * argument vector config_load leaves behind is NULL-terminated and only
 * holds arguments that were passed in.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../src/cli/config.h"
#include "../../src/util/buf.h"
#include "../../src/util/wb.h"

#define MAX_ARGS 16

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const env_names[] = {
	"WEIBAO_DB",          "WEIBAO_KEY_FILE",     "WEIBAO_LISTEN",           "WEIBAO_PORT",
	"WEIBAO_POOL",        "WEIBAO_SESSION_IDLE", "WEIBAO_SESSION_ABSOLUTE", "WEIBAO_LOCK_MAX",
	"WEIBAO_LOCK_WINDOW", "WEIBAO_BODY_MAX",     "WEIBAO_CONN_LIMIT",       "WEIBAO_PER_IP_LIMIT",
	"WEIBAO_TIMEOUT",     "WEIBAO_ACCESS_LOG",   "WEIBAO_SECURE_COOKIE",    "WEIBAO_WEB_DIR",
	"WEIBAO_LOG_LEVEL",
};

static int memfd = -1;
static char memfd_path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	memfd = memfd_create("weibao-fuzz-config", 0);
	if (memfd < 0)
		abort();
	wb_snprintf(memfd_path, sizeof(memfd_path), "/proc/self/fd/%d", memfd);
	/* settings must come from the input only */
	unsetenv("WEIBAO_CONFIG");
	for (size_t i = 0; i < sizeof(env_names) / sizeof(env_names[0]); i++)
		unsetenv(env_names[i]);
	return 0;
}

static void in_range(long long v, long long lo, long long hi)
{
	if (v < lo || v > hi)
		abort();
}

static void terminated(const char *s, size_t size)
{
	if (!memchr(s, '\0', size))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *sep = NULL;
	size_t file_len = size;
	char *args_copy = NULL;
	char *argv[MAX_ARGS + 4];
	char *given[MAX_ARGS + 4];
	int argc = 0, ngiven;
	wb_config c;

	if (memfd < 0)
		LLVMFuzzerInitialize(NULL, NULL);
	if (size > 8192)
		return 0;
	for (size_t i = 0; i + 1 < size; i++)
		if (data[i] == 0 && data[i + 1] == 0) {
			sep = (const char *)data + i;
			file_len = i;
			break;
		}
	if (ftruncate(memfd, 0) != 0 || pwrite(memfd, data, file_len, 0) != (ssize_t)file_len)
		abort();

	argv[argc++] = "weibao";
	argv[argc++] = "--config";
	argv[argc++] = memfd_path;
	if (sep) {
		size_t rest = size - file_len - 2;

		args_copy = malloc(rest + 1);
		if (!args_copy)
			return 0;
		memcpy(args_copy, sep + 2, rest);
		args_copy[rest] = '\0';
		for (char *p = args_copy; p < args_copy + rest && argc < MAX_ARGS; p += strlen(p) + 1)
			if (strncmp(p, "--config", 8) != 0)
				argv[argc++] = p;
	}
	argv[argc] = NULL;
	ngiven = argc;
	memcpy(given, argv, sizeof(argv));

	config_defaults(&c);
	(void)config_load(&c, &argc, argv);

	in_range(c.port, 0, 65535);
	in_range(c.pool, 2, 256);
	in_range(c.session_idle, 1, 86400 * 30);
	in_range(c.session_absolute, 1, 86400 * 90);
	in_range(c.lock_max, 1, 1000);
	in_range(c.lock_window, 1, 86400 * 30);
	in_range(c.body_max, 1024, 1 << 30);
	in_range(c.conn_limit, 1, 100000);
	in_range(c.per_ip_limit, 0, 100000);
	in_range(c.timeout, 1, 3600);
	in_range(c.access_log, 0, 1);
	in_range(c.secure_cookie, 0, 1);
	terminated(c.db, sizeof(c.db));
	terminated(c.key_file, sizeof(c.key_file));
	terminated(c.listen, sizeof(c.listen));
	terminated(c.web_dir, sizeof(c.web_dir));
	terminated(c.log_level, sizeof(c.log_level));
	terminated(c.config_file, sizeof(c.config_file));
	if (argc < 1 || argc > ngiven)
		abort();
	if (argv[argc] != NULL)
		abort();
	for (int i = 0; i < argc; i++) {
		int found = 0;

		for (int k = 0; k < ngiven; k++)
			found |= argv[i] == given[k];
		if (!found)
			abort();
	}
	{
		char key[600];

		config_key_file(&c, key, sizeof(key));
		terminated(key, sizeof(key));
	}
	free(args_copy);
	return 0;
}
