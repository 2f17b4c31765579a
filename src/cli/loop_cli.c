/*
 * The closed loop on the command line:
 *
 *   weibao deadlines [--at TIME]      runs the overdue scan once, as of TIME
 *                                      (default now): what the server does
 *                                      every minute, for operators and cron
 *                                      (a past TIME catches up after an
 *                                      outage). A future TIME would raise
 *                                      alerts and queue webhook messages
 *                                      dated ahead of the clock: refused
 *                                      unless --allow-future (tests and
 *                                      benchmarks that need a fake clock on
 *                                      a throwaway database).
 *   weibao demo-requests --count N    files N open help requests in the demo
 *                                      county (for load tests and the
 *                                      benchmark), each as its village's
 *                                      director would.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../api/loop.h"
#include "../util/clock.h"
#include "../util/wb.h"
#include "cli.h"

int cmd_deadlines(cli_env *env, int argc, char **argv)
{
	const char *at_s = cli_flag(argc, argv, "--at");
	int64_t now = clock_now(), at = now, t0;
	loop_scan_result res;
	int rc;

	if (cli_wants_help(argc, argv)) {
		fprintf(stderr, "usage: weibao deadlines [--db URL] [--at TIME]\n"
				"Raises the alerts of every step overdue at TIME (default: now), and of every\n"
				"open follow-up visit past its day, once per breach and again after the county's\n"
				"repeat interval. TIME is ISO 8601 with an offset\n"
				"(2026-12-10T09:00:00+08:00) or seconds since the epoch, and not in the future:\n"
				"the alerts and webhook messages are real and dated TIME. --allow-future lifts\n"
				"that, for tests and benchmarks on a throwaway database only.\n");
		return 0;
	}
	if (at_s && deadline_time_parse(at_s, &at) != 0) {
		fprintf(stderr, "weibao deadlines: --at must be like 2026-12-10T09:00:00+08:00 or epoch seconds\n");
		return 2;
	}
	if (at > now && !cli_has_flag(argc, argv, "--allow-future")) {
		fprintf(stderr,
			"weibao deadlines: --at is %" PRId64 " s in the future; the scan raises real alerts and "
			"queues webhook messages dated then, so it runs as of now or an earlier time only "
			"(nothing done)\n",
			at - now);
		return 2;
	}
	if (cli_open(env, 0, 0) != 0)
		return 1;
	t0 = clock_mono_ms();
	rc = loop_scan_submit(env->audit, env->db, at, &res);
	if (rc) {
		fprintf(stderr, "weibao deadlines: the scan failed: %s\n", wb_strerror(rc));
		return 1;
	}
	printf("overdue scan at %" PRId64 ": %d alerts (%d requests, %d referrals, %d police feedback, %d follow-up "
	       "visits; %d repeats), %d webhook deliveries queued, %" PRId64 " ms\n",
	       at, res.requests + res.referrals + res.police + res.follow_ups, res.requests, res.referrals, res.police,
	       res.follow_ups, res.repeats, res.queued, clock_mono_ms() - t0);
	return 0;
}

/* ---- demo requests ---- */

typedef struct seed_child {
	int64_t id;
	char village[16];
	char grid[16];
} seed_child;

typedef struct seed_job {
	long count;
	const char *township;
	int64_t now;
	long made;
} seed_job;

static const char *const seed_kinds[] = {"medical",  "schooling",     "living_hardship", "guardianship",
					 "bullying", "psychological", "legal",           "other"};

/* The first director of every village: the filer of its demo requests. */
typedef struct director_map {
	char village[1024][16];
	int64_t user[1024];
	int n;
} director_map;

static int64_t director_of(const director_map *m, const char *village)
{
	for (int i = 0; i < m->n; i++)
		if (strcmp(m->village[i], village) == 0)
			return m->user[i];
	return 0;
}

static int seed_fn(store_conn *c, void *arg)
{
	seed_job *j = arg;
	director_map *dirs = calloc(1, sizeof(*dirs));
	seed_child *kids = calloc((size_t)j->count, sizeof(*kids));
	deadline_config *cfg = malloc(sizeof(*cfg));
	request_rec *q = malloc(sizeof(*q));
	step_rec *s = malloc(sizeof(*s));
	store_stmt *st = NULL;
	long nkids = 0;
	int rc;

	if (!dirs || !kids || !cfg || !q || !s) {
		rc = WB_ENOMEM;
		goto out;
	}
	rc = loop_config_load(c, DEFAULT_COUNTY, cfg);
	if (rc == WB_OK)
		rc = conn_prepare(c,
				  "SELECT area_code, MIN(user_id) FROM memberships WHERE county_code = ? AND role = "
				  "'director' GROUP BY area_code ORDER BY area_code",
				  &st);
	if (rc == WB_OK)
		rc = stmt_bind_text(c, st, 1, DEFAULT_COUNTY);
	while (rc == WB_OK && dirs->n < 1024 && (rc = stmt_step(c, st)) == STORE_ROW) {
		stmt_copy(c, st, 0, dirs->village[dirs->n], sizeof(dirs->village[0]));
		dirs->user[dirs->n++] = stmt_int64(c, st, 1);
		rc = WB_OK;
	}
	stmt_reset(c, st);
	if (rc < 0)
		goto out;
	/* children spread over the county (every 7th), or of one township */
	rc = conn_prepare(c,
			  j->township
				  ? "SELECT id, village_code, COALESCE(grid_code, '') FROM children WHERE "
				    "county_code = ? AND village_code >= ? AND village_code < ? || ':' ORDER BY id "
				    "LIMIT ?"
				  : "SELECT id, village_code, COALESCE(grid_code, '') FROM children WHERE "
				    "county_code = ? AND id % 7 = 0 AND village_code >= ? AND village_code < ? || ':' "
				    "ORDER BY id LIMIT ?",
			  &st);
	if (rc == WB_OK)
		rc = stmt_bind_text(c, st, 1, DEFAULT_COUNTY);
	if (rc == WB_OK)
		rc = stmt_bind_text(c, st, 2, j->township ? j->township : DEFAULT_COUNTY);
	if (rc == WB_OK)
		rc = stmt_bind_text(c, st, 3, j->township ? j->township : DEFAULT_COUNTY);
	if (rc == WB_OK)
		rc = stmt_bind_int64(c, st, 4, j->count);
	while (rc == WB_OK && (rc = stmt_step(c, st)) == STORE_ROW) {
		kids[nkids].id = stmt_int64(c, st, 0);
		stmt_copy(c, st, 1, kids[nkids].village, sizeof(kids[0].village));
		stmt_copy(c, st, 2, kids[nkids].grid, sizeof(kids[0].grid));
		nkids++;
		rc = WB_OK;
	}
	stmt_reset(c, st);
	if (rc < 0)
		goto out;
	if (nkids == 0) {
		rc = WB_ENOTFOUND;
		goto out;
	}
	for (long i = 0; rc == WB_OK && i < j->count; i++) {
		const seed_child *k = &kids[i % nkids];
		int64_t at = j->now - (j->count - i); /* one a second, oldest first */

		memset(q, 0, sizeof(*q));
		wb_strlcpy(q->county_code, DEFAULT_COUNTY, sizeof(q->county_code));
		wb_strlcpy(q->village_code, k->village, sizeof(q->village_code));
		wb_strlcpy(q->grid_code, k->grid, sizeof(q->grid_code));
		wb_snprintf(q->township_code, sizeof(q->township_code), "%.9s", k->village);
		q->child_id = k->id;
		wb_strlcpy(q->kind, seed_kinds[i % (long)WB_ARRAY_LEN(seed_kinds)], sizeof(q->kind));
		wb_strlcpy(q->urgency, i % 10 == 0 ? "urgent" : "normal", sizeof(q->urgency));
		wb_strlcpy(q->narrative, "演示求助（合成数据）", sizeof(q->narrative));
		wb_strlcpy(q->source, "director", sizeof(q->source));
		wb_strlcpy(q->state, "reported", sizeof(q->state));
		q->state_since = at;
		q->step_due_at = loop_state_due(cfg, CS_REPORTED, i % 10 == 0, at);
		wb_strlcpy(q->handled_by, "township", sizeof(q->handled_by));
		q->reporter_id = director_of(dirs, k->village);
		if (!q->reporter_id) {
			rc = WB_ENOTFOUND;
			break;
		}
		wb_strlcpy(q->reporter_role, "director", sizeof(q->reporter_role));
		q->created_at = q->updated_at = at;
		rc = store_request_insert(c, q);
		if (rc == WB_OK) {
			memset(s, 0, sizeof(*s));
			wb_strlcpy(s->county_code, q->county_code, sizeof(s->county_code));
			wb_strlcpy(s->township_code, q->township_code, sizeof(s->township_code));
			s->request_id = q->id;
			wb_strlcpy(s->action, "file", sizeof(s->action));
			wb_strlcpy(s->to_state, "reported", sizeof(s->to_state));
			s->actor_id = q->reporter_id;
			wb_strlcpy(s->actor_role, "director", sizeof(s->actor_role));
			s->at = at;
			rc = store_step_add(c, s);
		}
		j->made += rc == WB_OK;
	}
out:
	free(dirs);
	free(kids);
	free(cfg);
	free(q);
	free(s);
	return rc;
}

int cmd_demo_requests(cli_env *env, int argc, char **argv)
{
	const char *count_s = cli_flag(argc, argv, "--count");
	const char *town = cli_flag(argc, argv, "--township");
	long long count = 1000;
	seed_job j;
	audit_entry e;
	int64_t t0;
	int rc;

	if (cli_wants_help(argc, argv)) {
		fprintf(stderr, "usage: weibao demo-requests [--db URL] [--count N] [--township CODE]\n"
				"Files N open help requests (state reported) for children of the demo county\n"
				"(or of one township), as the children's village directors. Synthetic data only.\n");
		return 0;
	}
	if ((count_s && wb_parse_int64(count_s, 1, 1000000, &count) != WB_OK) || (town && strlen(town) != 9)) {
		fprintf(stderr, "weibao demo-requests: --count takes 1..1000000, --township a 9-digit code\n");
		return 2;
	}
	if (cli_open(env, 0, 1) != 0)
		return 1;
	memset(&j, 0, sizeof(j));
	j.count = (long)count;
	j.township = town;
	j.now = clock_now();
	cli_audit_entry(&e, DEFAULT_COUNTY, "demo.requests", "county", DEFAULT_COUNTY);
	wb_snprintf(e.detail, sizeof(e.detail), "{\"count\":%lld}", count);
	t0 = clock_mono_ms();
	rc = audit_submit_alone(env->audit, &e, seed_fn, &j);
	if (rc) {
		fprintf(stderr, "weibao demo-requests: failed: %s (run 'weibao demo' first; nothing was created)\n",
			wb_strerror(rc));
		return 1;
	}
	printf("%ld open help requests filed in %.1f s\n", j.made, (double)(clock_mono_ms() - t0) / 1000.0);
	return 0;
}
