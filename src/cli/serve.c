/*
 * `weibao serve`: start the HTTP server and run until SIGTERM or SIGINT.
 *
 * Signals are blocked in every thread and taken synchronously by the main
 * thread with sigwait, so shutdown runs in ordinary code: stop accepting,
 * let in-flight requests finish, drain the audit writer, close the store.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "../api/api.h"
#include "../http/http.h"
#include "../security/ratelimit.h"
#include "../util/log.h"
#include "../util/wb.h"
#include "cli.h"

int cmd_serve(cli_env *env, int argc, char **argv)
{
	http_config hc;
	http_server *srv = NULL;
	sigset_t set;
	app a;
	int sig = 0;

	if (cli_wants_help(argc, argv)) {
		fprintf(stderr,
			"usage: weibao serve [--db URL] [--listen ADDR] [--port N] [settings...]\n"
			"Applies pending migrations, then serves the API and the web UI until SIGTERM/SIGINT.\n");
		config_usage();
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "weibao serve: unknown argument '%s'\n", argv[1]);
		return 2;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (cli_open(env, 0, 1) != 0)
		return 1;
	memset(&a, 0, sizeof(a));
	a.db = env->db;
	a.audit = env->audit;
	a.keys = env->keys;
	a.cfg.session_idle_s = env->cfg.session_idle;
	a.cfg.session_absolute_s = env->cfg.session_absolute;
	a.cfg.lock_max_failures = (int)env->cfg.lock_max;
	a.cfg.lock_window_s = env->cfg.lock_window;
	a.cfg.secure_cookie = (int)env->cfg.secure_cookie;
	a.cfg.web_dir = env->cfg.web_dir[0] ? env->cfg.web_dir : NULL;
	ratelimit_init((int)env->cfg.login_rate, 60);
	memset(&hc, 0, sizeof(hc));
	hc.address = env->cfg.listen;
	hc.port = (int)env->cfg.port;
	hc.connection_limit = (unsigned)env->cfg.conn_limit;
	hc.per_ip_limit = (unsigned)env->cfg.per_ip_limit;
	hc.timeout_s = (unsigned)env->cfg.timeout;
	hc.memory_limit = 256 * 1024;
	hc.body_max = (size_t)env->cfg.body_max;
	hc.log_access = (int)env->cfg.access_log;
	if (http_start(&hc, api_routes, api_static, &a, &srv) != WB_OK)
		return 1;
	log_info("weibao %s listening on http://%s:%d/ (store: %s)", WEIBAO_VERSION, hc.address, http_port(srv),
		 store_driver_name(env->db));
	printf("listening on http://%s:%d/\n", hc.address, http_port(srv));
	fflush(stdout);
	sigwait(&set, &sig);
	log_info("signal %d: shutting down (finishing in-flight requests)", sig);
	http_stop(srv);
	log_info("server stopped; flushing the audit log and closing the database");
	return 0;
}
