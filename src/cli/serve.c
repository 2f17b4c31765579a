/*
 * `weibao serve`: start the HTTP server and run until SIGTERM or SIGINT.
 *
 * Signals are blocked in every thread and taken synchronously by the main
 * thread with sigwait, so shutdown runs in ordinary code: stop accepting,
 * let in-flight requests finish, drain the audit writer, close the store.
 */
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../api/api.h"
#include "../api/loop.h"
#include "../api/archive_api.h"
#include "../api/entitlements_api.h"
#include "../api/registry.h"
#include "../util/clock.h"
#include "../http/http.h"
#include "../security/namelock.h"
#include "../security/ratelimit.h"
#include "../util/log.h"
#include "../util/wb.h"
#include "cli.h"

/* The daily jobs: at start and then every day, categories whose age limit
 * was reached are ended (audited like any change). */
typedef struct daily {
	store *db;
	audit *audit;
	const char *files_dir;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;
} daily;

typedef struct sweep_job {
	int ended, archived, erased, more;
} sweep_job;

typedef struct county_codes {
	char (*code)[8];
	int n;
} county_codes;

static int county_code_cb(const area_rec *a, void *arg)
{
	county_codes *cc = arg;

	wb_strlcpy(cc->code[cc->n++], a->code, sizeof(cc->code[0]));
	return WB_OK;
}

/* Categories ended by age, in one county. */
static int sweep_county(store_conn *c, const char *county, void *arg)
{
	sweep_job *j = arg;
	int ended = 0;
	int rc = registry_age_sweep(c, county, clock_today_ymd(), clock_now(), &ended);

	j->ended += ended;
	return rc;
}

/* The entitlements' new gaps told to their townships, in one county: the
 * gaps found (on a connection of their own), applied on the writer. */
typedef struct gaps_job {
	const ent_gaps *found;
	ent_gap_sweep total;
} gaps_job;

static int gaps_county(store_conn *c, const char *county, void *arg)
{
	gaps_job *j = arg;
	ent_gap_sweep g;
	int rc = entitlements_gap_apply(c, county, j->found, clock_now(), &g);

	j->total.open += g.open;
	j->total.added += g.added;
	j->total.closed += g.closed;
	j->total.townships += g.townships;
	return rc;
}

/* The daily job's counties, read on the writer (an unaudited job). */
static int counties_fn(store_conn *c, void *arg)
{
	county_codes *cc = arg;

	cc->n = 0;
	return store_area_list(c, NULL, NULL, 4096, county_code_cb, cc);
}

/* One county's share of a daily job: its own transaction and its own
 * audit entry, filed under the county (its auditor sees it). */
typedef struct county_job {
	const char *county;
	void *job;
	int (*fn)(store_conn *c, const char *county, void *arg);
} county_job;

static int county_job_fn(store_conn *c, void *arg)
{
	county_job *cj = arg;

	return cj->fn(c, cj->county, cj->job);
}

/* Runs fn for every county, one audited job each (action, as "system"). */
static int each_county_audited(audit *a, const county_codes *cc, const char *action,
			       int (*fn)(store_conn *c, const char *county, void *arg), void *job)
{
	int rc = WB_OK;

	for (int i = 0; i < cc->n; i++) {
		county_job cj = {cc->code[i], job, fn};
		audit_entry e;
		int r;

		cli_audit_entry(&e, cc->code[i], action, "county", cc->code[i]);
		wb_strlcpy(e.username, "system", sizeof(e.username));
		r = audit_submit(a, &e, county_job_fn, &cj);
		if (r != WB_OK)
			rc = r;
	}
	return rc;
}

/* One batch of the archive's sweep in one county: grown-ups leave active
 * work, records past their retention lose their personal data (SPEC §9).
 * j->more: some county had a full batch (run again). */
static int archive_county(store_conn *c, const char *county, void *arg)
{
	sweep_job *j = arg;
	int archived = 0, erased = 0;
	int rc = archive_sweep(c, county, clock_today_ymd(), clock_now(), &archived, &erased);

	j->archived += archived;
	j->erased += erased;
	if (archived >= ARCHIVE_SWEEP_BATCH || erased >= ARCHIVE_SWEEP_BATCH)
		j->more = 1;
	return rc;
}

typedef struct files_job {
	const char *dir;
	int removed;
} files_job;

/* The files of erased attachments, under the writer. */
static int files_fn(store_conn *c, void *arg)
{
	files_job *f = arg;

	return archive_files_sweep(c, f->dir, clock_now(), &f->removed);
}

/* One pass of the daily job: categories ended by age, then the archive in
 * batches (a transaction each). The first runs before the server listens. */
static void daily_pass(daily *d)
{
	county_codes cc = {calloc(4096, sizeof(*cc.code)), 0};
	sweep_job j = {0};

	if (!cc.code || audit_submit(d->audit, NULL, counties_fn, &cc) != WB_OK) {
		log_error("daily: cannot list the counties");
		free(cc.code);
		return;
	}
	if (each_county_audited(d->audit, &cc, "category.age_sweep", sweep_county, &j) == WB_OK && j.ended)
		log_info("daily: %d categories ended by age", j.ended);
	for (int i = 0; i < cc.n; i++) {
		county_codes one = {&cc.code[i], 1};

		for (int round = 0; round < 100000 && !d->stop; round++) {
			j.more = 0;
			if (each_county_audited(d->audit, &one, "registry.archive_sweep", archive_county, &j) !=
				    WB_OK ||
			    !j.more)
				break;
		}
	}
	if (j.archived || j.erased)
		log_info("daily: %d records archived, %d erased after retention", j.archived, j.erased);
	free(cc.code);
}

/* A county's entitlement gaps today, matched on a pooled connection in
 * one read snapshot: the matching of a county's every child takes seconds,
 * which on the writer every audited request would wait for. */
static int find_gaps(daily *d, const char *county, ent_gaps **found)
{
	store_conn *c = store_acquire(d->db);
	int rc = c ? conn_begin_snapshot(c) : WB_ESTORE;

	*found = NULL;
	if (rc == WB_OK) {
		rc = entitlements_gap_find(c, county, found);
		conn_commit(c);
	}
	if (c)
		store_release(c);
	return rc;
}

/* The daily thread's housekeeping, off the start-up path (a province's
 * matching county by county takes seconds): the notice of new entitlement
 * gaps, the files of erased attachments, then the planner's statistics.
 * What takes long (the matching, ANALYZE) runs beside the writer, not on
 * it. */
static void housekeeping(daily *d)
{
	files_job f = {d->files_dir, 0};
	county_codes cc = {calloc(4096, sizeof(*cc.code)), 0};
	gaps_job g;

	memset(&g, 0, sizeof(g));
	if (cc.code && audit_submit(d->audit, NULL, counties_fn, &cc) == WB_OK) {
		for (int i = 0; i < cc.n && !d->stop; i++) {
			county_codes one = {&cc.code[i], 1};
			ent_gaps *found = NULL;

			if (find_gaps(d, cc.code[i], &found) != WB_OK) {
				log_error("daily: the entitlement gaps of county %s could not be matched", cc.code[i]);
				continue;
			}
			g.found = found;
			each_county_audited(d->audit, &one, "entitlement.gap_notice", gaps_county, &g);
			entitlements_gaps_free(found);
		}
		if (g.total.added)
			log_info("daily: %" PRId64 " new entitlement gaps told to %d townships", g.total.added,
				 g.total.townships);
	}
	free(cc.code);

	if (audit_submit(d->audit, NULL, files_fn, &f) == WB_OK && f.removed)
		log_info("daily: %d attachment files no request refers to removed", f.removed);
	if (store_analyze_beside(d->db) != WB_OK)
		log_warn("daily: the planner's statistics could not be refreshed");
}

/* The daily thread: the housekeeping at once, then the daily job and the
 * housekeeping every 24 hours (the job's first pass ran before the server
 * listened, so that no request sees the registry half swept). */
static void *daily_main(void *arg)
{
	daily *d = arg;

	housekeeping(d);
	pthread_mutex_lock(&d->mu);
	while (!d->stop) {
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 24 * 3600;
		while (!d->stop && pthread_cond_timedwait(&d->cv, &d->mu, &until) == 0)
			;
		if (d->stop)
			break;
		pthread_mutex_unlock(&d->mu);
		daily_pass(d);
		housekeeping(d);
		pthread_mutex_lock(&d->mu);
	}
	pthread_mutex_unlock(&d->mu);
	return NULL;
}

int cmd_serve(cli_env *env, int argc, char **argv)
{
	http_config hc;
	http_proxies proxies;
	http_server *srv = NULL;
	loop_workers *workers = NULL;
	loop_options lo;
	char files_dir[600];
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
	{
		char err[128];

		if (http_proxies_parse(env->cfg.trusted_proxies, &proxies, err, sizeof(err)) != WB_OK) {
			fprintf(stderr, "weibao serve: trusted_proxies: %s\n", err);
			return 2;
		}
	}
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
	config_files_dir(&env->cfg, files_dir, sizeof(files_dir));
	a.cfg.files_dir = files_dir;
	ratelimit_init((int)env->cfg.login_rate, 60, (int)env->cfg.login_checks);
	namelock_init((int)env->cfg.lock_max, env->cfg.lock_window);
	memset(&hc, 0, sizeof(hc));
	hc.address = env->cfg.listen;
	hc.port = (int)env->cfg.port;
	hc.connection_limit = (unsigned)env->cfg.conn_limit;
	hc.per_ip_limit = (unsigned)env->cfg.per_ip_limit;
	hc.event_threads = (unsigned)env->cfg.event_threads;
	hc.workers = (unsigned)env->cfg.workers;
	hc.timeout_s = (unsigned)env->cfg.timeout;
	hc.memory_limit = 32 * 1024; /* zeroed between keep-alive requests: keep it small */
	hc.body_max = (size_t)env->cfg.body_max;
	hc.large_uploads = (unsigned)env->cfg.large_uploads;
	hc.upload_min_rate = (size_t)env->cfg.upload_min_rate;
	hc.early = api_early;
	hc.log_access = (int)env->cfg.access_log;
	hc.proxies = &proxies;
	{
		/* the daily job's first pass, before any request */
		daily first = {.audit = env->audit, .stop = 0};

		daily_pass(&first);
	}
	if (http_start(&hc, api_routes, api_static, &a, &srv) != WB_OK)
		return 1;
	log_info("weibao %s listening on http://%s:%d/ (store: %s)", WEIBAO_VERSION, hc.address, http_port(srv),
		 store_driver_name(env->db));
	lo.scan_interval_s = env->cfg.deadline_scan_interval;
	lo.webhook_backoff_ms = env->cfg.webhook_backoff_ms;
	lo.webhook_max_attempts = env->cfg.webhook_max_attempts;
	lo.webhook_timeout_s = env->cfg.webhook_timeout;
	if (loop_workers_start(&a, &lo, &workers) != WB_OK)
		log_warn("loop: the overdue scan and webhook workers could not start");
	printf("listening on http://%s:%d/\n", hc.address, http_port(srv));
	fflush(stdout);
	{
		daily d = {.db = env->db, .audit = env->audit, .files_dir = files_dir, .stop = 0};
		pthread_t th;
		int have_thread;

		pthread_mutex_init(&d.mu, NULL);
		pthread_cond_init(&d.cv, NULL);
		have_thread = pthread_create(&th, NULL, daily_main, &d) == 0;
		sigwait(&set, &sig);
		log_info("signal %d: shutting down (finishing in-flight requests)", sig);
		http_stop(srv);
		imports_wait_idle();
		loop_workers_stop(workers);
		pthread_mutex_lock(&d.mu);
		d.stop = 1;
		pthread_cond_signal(&d.cv);
		pthread_mutex_unlock(&d.mu);
		if (have_thread)
			pthread_join(th, NULL);
		pthread_mutex_destroy(&d.mu);
		pthread_cond_destroy(&d.cv);
	}
	namelock_free();
	log_info("server stopped; flushing the audit log and closing the database");
	return 0;
}
