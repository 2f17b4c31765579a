/*
 * Unit tests for src/cli/config.h: defaults, the key = value file, the
 * WEIBAO_* environment and --flags, their precedence, range checks, and
 * the key file default. config.c belongs to the binary, not to
 * weibao_core, so it is compiled into this test directly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../src/cli/config.c"

static char cfg_path[64];

static int write_cfg(void **state, const char *content)
{
	FILE *f;

	(void)state;
	f = fopen(cfg_path, "w");
	if (!f)
		return -1;
	fputs(content, f);
	fclose(f);
	return 0;
}

static int setup(void **state)
{
	int fd;

	(void)state;
	wb_strlcpy(cfg_path, "/tmp/weibao-unit-cfg-XXXXXX", sizeof(cfg_path));
	fd = mkstemp(cfg_path);
	if (fd < 0)
		return -1;
	close(fd);
	unsetenv("WEIBAO_CONFIG");
	for (size_t i = 0; i < WB_ARRAY_LEN(opts); i++)
		unsetenv(opts[i].env);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(cfg_path);
	unsetenv("WEIBAO_PORT");
	unsetenv("WEIBAO_CONFIG");
	return 0;
}

/* Loads with argv = {"weibao", args...}; returns config_load's status. */
static int load(wb_config *c, int *argc_out, char **argv_out, const char *const *args)
{
	int argc = 0;

	argv_out[argc++] = "weibao";
	for (; args && *args; args++)
		argv_out[argc++] = (char *)*args;
	argv_out[argc] = NULL;
	config_defaults(c);
	*argc_out = argc;
	return config_load(c, argc_out, argv_out);
}

static void test_defaults(void **state)
{
	wb_config c;

	(void)state;
	config_defaults(&c);
	assert_string_equal(c.db, "sqlite:weibao.db");
	assert_string_equal(c.listen, "127.0.0.1");
	assert_int_equal(c.port, 8080);
	assert_int_equal(c.body_max, 1 << 20);
	assert_int_equal(c.secure_cookie, 0);
	assert_string_equal(c.log_level, "info");
	assert_string_equal(c.key_file, "");
}

static void test_file(void **state)
{
	const char *args[] = {"--config", cfg_path, NULL};
	char *argv[8];
	int argc;
	wb_config c;

	assert_int_equal(write_cfg(state, "# Weibao\n"
					  "\n"
					  "db = sqlite:/var/lib/weibao/w.db\n"
					  "  port=9000\r\n"
					  "\tpool =\t4\n"
					  "body-max = 4096\n"
					  "key_file = /etc/weibao/master key.hex\n"),
			 0);
	assert_int_equal(load(&c, &argc, argv, args), 0);
	assert_string_equal(c.db, "sqlite:/var/lib/weibao/w.db");
	assert_int_equal(c.port, 9000);
	assert_int_equal(c.pool, 4);
	assert_int_equal(c.body_max, 4096);
	assert_string_equal(c.key_file, "/etc/weibao/master key.hex");
	assert_string_equal(c.config_file, cfg_path);
	assert_int_equal(argc, 1); /* --config and its value are consumed */
	assert_null(argv[1]);
}

static void test_file_errors(void **state)
{
	static const char *const bad[] = {
		"port\n",              /* no '=' */
		"colour = blue\n",     /* unknown setting */
		"= 5\n",               /* no key */
		"port = 65536\n",      /* out of range */
		"port = -1\n",         /* out of range */
		"port = 80x\n",        /* not a number */
		"port =\n",            /* empty */
		"pool = 1\n",          /* below minimum */
		"body_max = 1023\n",   /* below minimum */
		"access_log = 2\n",    /* a flag is 0 or 1 */
		"port = 80\nlisten\n", /* an error on a later line */
	};
	const char *args[] = {"--config", cfg_path, NULL};

	for (size_t i = 0; i < WB_ARRAY_LEN(bad); i++) {
		char *argv[8];
		int argc;
		wb_config c;

		assert_int_equal(write_cfg(state, bad[i]), 0);
		if (load(&c, &argc, argv, args) != -1)
			fail_msg("case %zu accepted: %s", i, bad[i]);
	}
	{
		char *argv[8];
		int argc;
		wb_config c;
		const char *missing[] = {"--config=/nonexistent/weibao.conf", NULL};

		assert_int_equal(load(&c, &argc, argv, missing), -1);
	}
}

static void test_string_too_long(void **state)
{
	char content[700];
	const char *args[] = {"--config", cfg_path, NULL};
	char *argv[8];
	int argc;
	wb_config c;

	memset(content, 'w', sizeof(content));
	memcpy(content, "listen = ", 9);
	content[sizeof(content) - 2] = '\n';
	content[sizeof(content) - 1] = '\0';
	assert_int_equal(write_cfg(state, content), 0);
	assert_int_equal(load(&c, &argc, argv, args), -1);
}

static void test_precedence(void **state)
{
	const char *file_only[] = {"--config", cfg_path, NULL};
	const char *with_flag[] = {"--config", cfg_path, "--port", "3", NULL};
	const char *with_eq[] = {"--config", cfg_path, "--port=4", NULL};
	char *argv[8];
	int argc;
	wb_config c;

	assert_int_equal(write_cfg(state, "port = 1\npool = 9\n"), 0);
	assert_int_equal(load(&c, &argc, argv, file_only), 0);
	assert_int_equal(c.port, 1);
	setenv("WEIBAO_PORT", "2", 1); /* environment over file */
	assert_int_equal(load(&c, &argc, argv, file_only), 0);
	assert_int_equal(c.port, 2);
	assert_int_equal(c.pool, 9);
	assert_int_equal(load(&c, &argc, argv, with_flag), 0); /* flag over environment */
	assert_int_equal(c.port, 3);
	assert_int_equal(load(&c, &argc, argv, with_eq), 0);
	assert_int_equal(c.port, 4);
	setenv("WEIBAO_PORT", "99999", 1); /* a bad environment value is an error */
	assert_int_equal(load(&c, &argc, argv, file_only), -1);
	unsetenv("WEIBAO_PORT");
	setenv("WEIBAO_CONFIG", cfg_path, 1); /* the file named by the environment */
	assert_int_equal(load(&c, &argc, argv, NULL), 0);
	assert_int_equal(c.port, 1);
	unsetenv("WEIBAO_CONFIG");
}

static void test_flags_and_leftover_args(void **state)
{
	const char *args[] = {"serve", "--db", "postgresql://x@y/z", "--verbose", "--web-dir=/srv/web", "extra", NULL};
	const char *no_value[] = {"--port", NULL};
	const char *bad_value[] = {"--port=http", NULL};
	char *argv[12];
	int argc;
	wb_config c;

	(void)state;
	assert_int_equal(load(&c, &argc, argv, args), 0);
	assert_string_equal(c.db, "postgresql://x@y/z");
	assert_string_equal(c.web_dir, "/srv/web");
	/* flags it does not know are left for the command, in order */
	assert_int_equal(argc, 4);
	assert_string_equal(argv[0], "weibao");
	assert_string_equal(argv[1], "serve");
	assert_string_equal(argv[2], "--verbose");
	assert_string_equal(argv[3], "extra");
	assert_null(argv[4]);
	assert_int_equal(load(&c, &argc, argv, no_value), -1);
	assert_int_equal(load(&c, &argc, argv, bad_value), -1);
}

static void test_key_file_default(void **state)
{
	wb_config c;
	char out[600];

	(void)state;
	config_defaults(&c);
	config_key_file(&c, out, sizeof(out));
	assert_string_equal(out, "weibao.db.key");
	wb_strlcpy(c.db, "postgresql://u@h/db", sizeof(c.db));
	config_key_file(&c, out, sizeof(out));
	assert_string_equal(out, "weibao.key");
	wb_strlcpy(c.key_file, "/etc/weibao.key", sizeof(c.key_file));
	config_key_file(&c, out, sizeof(out));
	assert_string_equal(out, "/etc/weibao.key");
}

/*
 * A bug once (fixed): load_file read with fgets into a 1024-byte buffer,
 * so a line longer than 1023 bytes was split and its tail parsed as a line
 * of its own; a comment whose tail read "port = 1" changed a setting.
 * Required: a long line is read whole (or rejected as too long), and a
 * comment never sets anything.
 */
static void test_long_comment_line_sets_nothing(void **state)
{
	char content[1200];
	const char *args[] = {"--config", cfg_path, NULL};
	char *argv[8];
	int argc, rc;
	wb_config c;

	memset(content, 'c', sizeof(content));
	content[0] = '#';
	content[1] = ' ';
	/* 1023 bytes of comment, then the text fgets hands back as a new line */
	memcpy(content + 1023, "port = 1\n", 10);
	assert_int_equal(write_cfg(state, content), 0);
	rc = load(&c, &argc, argv, args);
	if (rc == 0 && c.port != 8080)
		fail_msg("the tail of a %zu-byte comment line set port = %lld", strlen(content) - 1, c.port);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),         cmocka_unit_test(test_file),
		cmocka_unit_test(test_file_errors),      cmocka_unit_test(test_string_too_long),
		cmocka_unit_test(test_precedence),       cmocka_unit_test(test_flags_and_leftover_args),
		cmocka_unit_test(test_key_file_default), cmocka_unit_test(test_long_comment_line_sets_nothing),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
