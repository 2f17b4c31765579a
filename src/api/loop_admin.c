/*
 * /api/v1/loop/config and /api/v1/loop/metrics: the closed loop's
 * configuration (deadlines per step and urgency, the holiday calendar, the
 * alert repeat) and its figures by township and by department (open
 * requests by stage, overdue, median and 90th-percentile time per step,
 * closed with feedback delivered).
 *
 * Percentiles use the nearest-rank method on the steps that ended in the
 * period: the p-th percentile of n sorted durations is the one at rank
 * ceil(p * n), so the median of 4 values is the 2nd smallest. Simple,
 * always an observed value, and the same in both store dialects.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../domain/date.h"
#include "../util/clock.h"
#include "../util/wb.h"
#include "loop.h"
#include "sheet.h"

#define SETTING "loop.config"

/* ---- configuration ---- */

int api_loop_config_get(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	deadline_config *cfg = malloc(sizeof(*cfg));
	int rc;

	(void)a;
	if (!cfg)
		return api_fail(r, WB_ENOMEM);
	rc = loop_config_load(c, p->county_code, cfg);
	if (rc == WB_OK)
		api_json(r, 200, loop_config_json(cfg));
	else
		api_fail(r, rc);
	free(cfg);
	return 0;
}

/* What a change of the configuration set, for the auditor: the deadlines
 * and the alerts' repetition as given, the holidays and make-up working
 * days by their number. 1 when it fits in out. */
static int config_detail(json_t *body, char *out, size_t n)
{
	json_t *d = json_object();
	const char *k;
	json_t *v;
	char *text;
	int fits;

	json_object_foreach(body, k, v)
	{
		if (json_is_array(v))
			json_object_set_new(d, k, json_integer((json_int_t)json_array_size(v)));
		else
			json_object_set(d, k, v);
	}
	text = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(d);
	fits = text && strlen(text) < n;
	if (fits)
		wb_strlcpy(out, text, n);
	free(text);
	return fits;
}

int api_loop_config_put(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	deadline_config *cfg = malloc(sizeof(*cfg));
	json_t *body = NULL, *full = NULL;
	char err[200], *text = NULL;
	const char *field = NULL;
	audit_entry e;
	int rc;

	if (!cfg) {
		api_fail(r, WB_ENOMEM);
		goto out;
	}
	if (strcmp(p->role, "center") != 0 && strcmp(p->role, "admin") != 0) {
		api_error(r, 403, "forbidden", "the loop's configuration is set by the centre or the administrator",
			  NULL);
		goto out;
	}
	if (api_body(r, &body))
		goto out;
	loop_config_forget(p->county_code);
	rc = loop_config_load(c, p->county_code, cfg);
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	if (loop_config_apply(body, cfg, err, sizeof(err), &field) != WB_OK) {
		api_error(r, 422, "validation_failed", err, field);
		goto out;
	}
	full = loop_config_json(cfg);
	text = full ? json_dumps(full, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	if (!text) {
		api_fail(r, WB_ENOMEM);
		goto out;
	}
	api_audit_init(r, p, &e);
	audit_entry_set(&e, "loop.config.update", "settings", SETTING, "ok");
	if (!config_detail(body, e.detail, sizeof(e.detail))) {
		/* too long to say whole: which keys changed */
		const char *k;
		json_t *v;
		size_t off = 0;

		wb_strlcpy(e.detail, "{\"keys\":[", sizeof(e.detail));
		off = strlen(e.detail);
		json_object_foreach(body, k, v)
		{
			(void)v;
			if (wb_snprintf(e.detail + off, sizeof(e.detail) - off, "%s\"%s\"", off > 9 ? "," : "", k) !=
			    WB_OK)
				break;
			off = strlen(e.detail);
		}
		wb_snprintf(e.detail + off, sizeof(e.detail) - off, "]}");
	}
	rc = api_setting_write(a, &e, p->county_code, SETTING, text);
	loop_config_forget(p->county_code);
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	api_json(r, 200, full);
	full = NULL;
out:
	json_decref(body);
	json_decref(full);
	free(text);
	free(cfg);
	return 0;
}

/* ---- metrics ---- */

typedef struct durations {
	int64_t *v;
	size_t n, cap;
	int overdue;
} durations;

static int dur_add(durations *d, int64_t v, int overdue)
{
	int rc = wb_grow(&d->v, d->n, &d->cap, sizeof(*d->v), 64, 4000000);

	if (rc)
		return rc;
	d->v[d->n++] = v;
	d->overdue += overdue;
	return WB_OK;
}

/* The value at rank ceil(num / den * n) (1-based) of the sorted d. */
static int64_t rank(const durations *d, size_t num, size_t den)
{
	size_t k = (num * d->n + den - 1) / den;

	return d->n ? d->v[k ? k - 1 : 0] : 0;
}

/* Adds the step summary of d (sorted ascending) to arr and empties d. */
static void dur_flush(durations *d, const char *stage, json_t *arr)
{
	if (d->n)
		json_array_append_new(arr, json_pack("{s:s, s:I, s:I, s:I, s:i}", "stage", stage, "count",
						     (json_int_t)d->n, "median_s", (json_int_t)rank(d, 1, 2), "p90_s",
						     (json_int_t)rank(d, 9, 10), "overdue", d->overdue));
	d->n = 0;
	d->overdue = 0;
}

/* The object for group key in map, created with its counters. */
static json_t *group(json_t *map, const char *key, int department)
{
	json_t *g = json_object_get(map, key);

	if (g)
		return g;
	g = department ? json_pack("{s:{s:i, s:i}, s:i, s:i, s:i, s:i, s:[]}", "open", "pending", 0, "accepted", 0,
				   "overdue", 0, "done", 0, "declined", 0, "cancelled", 0, "steps")
		       : json_pack("{s:{}, s:i, s:i, s:i, s:i, s:[]}", "open", "open_total", 0, "overdue", 0, "closed",
				   0, "closed_with_feedback", 0, "steps");
	json_object_set_new(map, key, g);
	return g;
}

static void add_int(json_t *obj, const char *key, json_int_t n)
{
	json_object_set_new(obj, key, json_integer(json_integer_value(json_object_get(obj, key)) + n));
}

typedef struct metrics_q {
	const char *county;
	const char *township; /* NULL: the county */
	int64_t from, to, now;
} metrics_q;

/* Binds what every metrics query filters on, in the order of its
 * conditions: the county, the township when there is one, then (period)
 * the period's bounds. */
static void args_filter(store_args *a, const metrics_q *m, int period)
{
	args_text(a, m->county);
	if (m->township)
		args_text(a, m->township);
	if (period) {
		args_int(a, m->from);
		args_int(a, m->to);
	}
}

static int open_by_stage(store_conn *c, const metrics_q *m, json_t *towns)
{
	store_args a = {0};
	store_stmt *st = NULL;
	char sql[800];
	int rc;

	wb_snprintf(sql, sizeof(sql),
		    "SELECT q.township_code, q.state, COUNT(*), COALESCE(SUM(CASE WHEN " REQUEST_OVERDUE_SQL
		    " THEN 1 ELSE 0 END), 0) FROM help_requests q WHERE q.county_code = ?%s AND q.state NOT "
		    "IN ('closed', 'withdrawn') GROUP BY q.township_code, q.state",
		    m->township ? " AND q.township_code = ?" : "");
	args_int(&a, m->now);
	args_int(&a, m->now);
	args_filter(&a, m, 0);
	rc = conn_prepare_args(c, sql, &a, &st);
	while (rc == WB_OK && (rc = stmt_step(c, st)) == STORE_ROW) {
		json_t *g = group(towns, stmt_text(c, st, 0), 0);

		add_int(json_object_get(g, "open"), stmt_text(c, st, 1), stmt_int64(c, st, 2));
		add_int(g, "open_total", stmt_int64(c, st, 2));
		add_int(g, "overdue", stmt_int64(c, st, 3));
		rc = WB_OK;
	}
	stmt_reset(c, st);
	if (rc < 0)
		return rc;
	memset(&a, 0, sizeof(a));
	/* closed (办结) in the period by the requests' close steps, as the
	 * monthly report and the trends count them: a reopen later keeps the
	 * closure, a withdrawal is none */
	wb_snprintf(sql, sizeof(sql),
		    "SELECT q.township_code, COUNT(*), COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM request_steps f "
		    "WHERE f.request_id = q.id AND f.action = 'deliver_feedback') THEN 1 ELSE 0 END), 0) FROM "
		    "help_requests q WHERE q.county_code = ?%s AND EXISTS (SELECT 1 FROM request_steps s WHERE "
		    "s.request_id = q.id AND s.action = 'close' AND s.at >= ? AND s.at < ?) GROUP BY q.township_code",
		    m->township ? " AND q.township_code = ?" : "");
	args_filter(&a, m, 1);
	rc = conn_prepare_args(c, sql, &a, &st);
	while (rc == WB_OK && (rc = stmt_step(c, st)) == STORE_ROW) {
		json_t *g = group(towns, stmt_text(c, st, 0), 0);

		add_int(g, "closed", stmt_int64(c, st, 1));
		add_int(g, "closed_with_feedback", stmt_int64(c, st, 2));
		rc = WB_OK;
	}
	stmt_reset(c, st);
	return rc < 0 ? rc : WB_OK;
}

/* Townships by code, units by kind then code (as the units' list): the
 * same order on both drivers, whatever order the rows came in. */
static int by_kind_code(const void *x, const void *y)
{
	json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
	const char *ka = json_string_value(json_object_get(a, "kind")),
		   *kb = json_string_value(json_object_get(b, "kind"));
	const char *ca = json_string_value(json_object_get(a, "code")),
		   *cb = json_string_value(json_object_get(b, "code"));
	int d = strcmp(ka ? ka : "", kb ? kb : "");

	return d ? d : strcmp(ca ? ca : "", cb ? cb : "");
}

static void in_code_order(json_t *arr)
{
	size_t n = json_array_size(arr);
	json_t **v = n ? malloc(n * sizeof(*v)) : NULL;

	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(arr, i));
	qsort(v, n, sizeof(*v), by_kind_code);
	json_array_clear(arr);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, v[i]);
	free(v);
}

static int referral_counts(store_conn *c, const metrics_q *m, json_t *units)
{
	store_args a = {0};
	store_stmt *st = NULL;
	char sql[900];
	int rc;

	wb_snprintf(sql, sizeof(sql),
		    "SELECT CAST(f.unit_id AS TEXT), u.code, u.name, u.kind, f.state, COUNT(*), "
		    "COALESCE(SUM(CASE WHEN f.step_due_at IS NOT NULL AND f.step_due_at < ? THEN 1 ELSE 0 END), 0) "
		    "FROM referrals f JOIN units u ON u.id = f.unit_id JOIN help_requests q ON q.id = f.request_id "
		    "WHERE f.county_code = ?%s AND (f.state IN ('pending', 'accepted') OR (f.ended_at >= ? AND "
		    "f.ended_at < ?)) GROUP BY f.unit_id, u.code, u.name, u.kind, f.state",
		    m->township ? " AND q.township_code = ?" : "");
	args_int(&a, m->now);
	args_filter(&a, m, 1);
	rc = conn_prepare_args(c, sql, &a, &st);
	while (rc == WB_OK && (rc = stmt_step(c, st)) == STORE_ROW) {
		json_t *g = group(units, stmt_text(c, st, 0), 1);
		const char *state = stmt_text(c, st, 4);
		long long id = 0;

		wb_parse_int64(stmt_text(c, st, 0), 1, INT64_MAX, &id);
		json_object_set_new(g, "unit_id", json_integer(id));
		json_object_set_new(g, "code", json_string(stmt_text(c, st, 1)));
		json_object_set_new(g, "name", json_string(stmt_text(c, st, 2)));
		json_object_set_new(g, "kind", json_string(stmt_text(c, st, 3)));
		if (strcmp(state, "pending") == 0 || strcmp(state, "accepted") == 0) {
			add_int(json_object_get(g, "open"), state, stmt_int64(c, st, 5));
			add_int(g, "overdue", stmt_int64(c, st, 6));
		} else {
			add_int(g,
				strcmp(state, "done") == 0       ? "done"
				: strcmp(state, "declined") == 0 ? "declined"
								 : "cancelled",
				stmt_int64(c, st, 5));
		}
		rc = WB_OK;
	}
	stmt_reset(c, st);
	return rc < 0 ? rc : WB_OK;
}

/* Time per step: of the township's own steps (units 0) or the units'. */
static int step_times(store_conn *c, const metrics_q *m, int of_units, json_t *map)
{
	store_args a = {0};
	store_stmt *st = NULL;
	durations d = {NULL, 0, 0, 0};
	char sql[800], key[32] = "", stage[32] = "";
	int rc;

	wb_snprintf(
		sql, sizeof(sql),
		"SELECT %s, from_state, at - stage_started_at, CASE WHEN stage_due_at IS NOT NULL AND at > "
		"stage_due_at THEN 1 ELSE 0 END FROM request_steps WHERE county_code = ?%s AND unit_id IS %s NULL "
		"AND from_state IS NOT NULL AND stage_started_at IS NOT NULL AND at >= ? AND at < ? ORDER BY 1, 2, 3",
		of_units ? "CAST(unit_id AS TEXT)" : "township_code", m->township ? " AND township_code = ?" : "",
		of_units ? "NOT" : "");
	args_filter(&a, m, 1);
	rc = conn_prepare_args(c, sql, &a, &st);
	while (rc == WB_OK && (rc = stmt_step(c, st)) == STORE_ROW) {
		const char *k = stmt_text(c, st, 0), *s = stmt_text(c, st, 1);

		if (strcmp(k, key) != 0 || strcmp(s, stage) != 0) {
			if (key[0])
				dur_flush(&d, stage, json_object_get(group(map, key, of_units), "steps"));
			wb_strlcpy(key, k, sizeof(key));
			wb_strlcpy(stage, s, sizeof(stage));
		}
		rc = dur_add(&d, stmt_int64(c, st, 2), (int)stmt_int64(c, st, 3));
	}
	stmt_reset(c, st);
	if (rc >= 0 && key[0])
		dur_flush(&d, stage, json_object_get(group(map, key, of_units), "steps"));
	free(d.v);
	return rc < 0 ? rc : WB_OK;
}

/* ---- the figures as a download (?format=xlsx|csv&table=) ---- */

static const sheet_word unit_kind_words[] = {
	{"department", "职能部门", "Department"},
	{"org", "社会组织", "Organisation"},
	{NULL, NULL, NULL},
};
static const sheet_col town_cols[] = {
	{"乡镇（街道）代码", "Township code", "code", SC_TEXT, NULL},
	{"乡镇（街道）", "Township", "name", SC_TEXT, NULL},
	{"办理中", "Open", "open_total", SC_INT, NULL},
	{"超期", "Overdue", "overdue", SC_INT, NULL},
	{"已结案", "Closed", "closed", SC_INT, NULL},
	{"已反馈结案", "Closed with feedback", "closed_with_feedback", SC_INT, NULL},
};
static const sheet_col unit_cols[] = {
	{"单位代码", "Unit code", "code", SC_TEXT, NULL},
	{"单位", "Unit", "name", SC_TEXT, NULL},
	{"类型", "Kind", "kind", SC_WORD, unit_kind_words},
	{"待接收", "Waiting to accept", "open.pending", SC_INT, NULL},
	{"办理中", "In hand", "open.accepted", SC_INT, NULL},
	{"超期", "Overdue", "overdue", SC_INT, NULL},
	{"已办结", "Done", "done", SC_INT, NULL},
	{"已退回", "Declined", "declined", SC_INT, NULL},
	{"已撤回", "Cancelled", "cancelled", SC_INT, NULL},
};
static const sheet_col step_cols[] = {
	{"类型", "Kind", "of", SC_WORD, NULL}, /* words set per language below */
	{"代码", "Code", "code", SC_TEXT, NULL},
	{"名称", "Name", "name", SC_TEXT, NULL},
	{"环节", "Step", "stage", SC_TEXT, NULL}, /* its word, set by step_rows */
	{"件数", "Count", "count", SC_INT, NULL},
	{"用时中位数（小时）", "Median (hours)", "median_s", SC_HOURS, NULL},
	{"90% 用时（小时）", "90th percentile (hours)", "p90_s", SC_HOURS, NULL},
	{"超期", "Overdue", "overdue", SC_INT, NULL},
};
static const sheet_word of_words[] = {
	{"township", "乡镇（街道）", "Township"},
	{"unit", "转办单位", "Unit"},
	{NULL, NULL, NULL},
};
/* the stages a step's time was spent in beyond a request's own states
 * (loop_state_words): a referral's, and the police's feedback */
static const sheet_word unit_stage_words[] = {
	{"referral_pending", "待接收", "Waiting to be accepted"},
	{"referral_accepted", "办理中", "In progress"},
	{"police_feedback", "公安反馈", "Police feedback"},
	{NULL, NULL, NULL},
};

/* The place of a step's stage in the loop's order (unknown ones last). */
static int stage_rank(const json_t *step)
{
	const char *stage = json_string_value(json_object_get(step, "stage"));

	for (int i = 0; stage && loop_state_words[i].code; i++)
		if (strcmp(loop_state_words[i].code, stage) == 0)
			return i;
	for (int i = 0; stage && unit_stage_words[i].code; i++)
		if (strcmp(unit_stage_words[i].code, stage) == 0)
			return 100 + i;
	return 1000;
}

/* The word of a step's stage in the file's language. */
static const char *stage_word(const char *stage, int en)
{
	if (!stage)
		return "";
	for (int i = 0; unit_stage_words[i].code; i++)
		if (strcmp(unit_stage_words[i].code, stage) == 0)
			return en ? unit_stage_words[i].en : unit_stage_words[i].zh;
	return sheet_word_of(loop_state_words, stage, en);
}

/* Sorts every group's steps into the loop's order (a few steps each). */
static void steps_in_order(json_t *groups)
{
	size_t i;
	json_t *g;

	json_array_foreach(groups, i, g)
	{
		json_t *steps = json_object_get(g, "steps");
		size_t n = json_array_size(steps);

		for (size_t a = 1; a < n; a++)
			for (size_t b = a;
			     b > 0 && stage_rank(json_array_get(steps, b - 1)) > stage_rank(json_array_get(steps, b));
			     b--) {
				json_t *x = json_incref(json_array_get(steps, b - 1));

				json_array_remove(steps, b - 1);
				json_array_insert_new(steps, b, x);
			}
	}
}

/* One row per township or unit and step, from the groups' steps. */
static void step_rows(json_t *out, json_t *groups, const char *of, int en)
{
	size_t i, k;
	json_t *g, *st;

	json_array_foreach(groups, i, g) json_array_foreach(json_object_get(g, "steps"), k, st)
	{
		json_t *row = json_deep_copy(st);

		if (!row)
			continue;
		json_object_set_new(row, "stage",
				    json_string(stage_word(json_string_value(json_object_get(st, "stage")), en)));
		json_object_set_new(row, "of", json_string(of));
		json_object_set(row, "code", json_object_get(g, "code"));
		json_object_set(row, "name", json_object_get(g, "name"));
		json_array_append_new(out, row);
	}
}

/* Answers the figures as a file: table townships (with a totals row),
 * departments or steps. Counts and times only: not audited. */
static int metrics_sheet(http_req *r, int fmt, int en, const char *table, json_t *tarr, json_t *uarr, json_t *totals)
{
	sheet_col cols[WB_ARRAY_LEN(step_cols)];
	const sheet_col *use = town_cols;
	size_t n = WB_ARRAY_LEN(town_cols), i;
	json_t *rows = tarr, *steps = NULL, *it;
	api_sheet sh;
	int rc;

	if (strcmp(table, "departments") == 0) {
		use = unit_cols;
		n = WB_ARRAY_LEN(unit_cols);
		rows = uarr;
	} else if (strcmp(table, "steps") == 0) {
		memcpy(cols, step_cols, sizeof(cols));
		cols[0].words = of_words;
		use = cols;
		n = WB_ARRAY_LEN(step_cols);
		rows = steps = json_array();
		step_rows(steps, tarr, "township", en);
		step_rows(steps, uarr, "unit", en);
	}
	rc = api_sheet_begin_cols(&sh, r, fmt, en, en ? "Timeliness" : "办理时效", use, n);
	if (rc) {
		json_decref(steps);
		return api_fail(r, rc);
	}
	json_array_foreach(rows, i, it) api_sheet_json_row(&sh, it, use, n);
	if (use == town_cols) {
		json_t *tot = json_deep_copy(totals);

		json_object_set_new(tot, "name", json_string(en ? "Total" : "合计"));
		json_object_set(tot, "open_total", json_object_get(totals, "open"));
		api_sheet_json_row(&sh, tot, use, n);
		api_sheet_summary_row(&sh);
		json_decref(tot);
	}
	json_decref(steps);
	return api_sheet_end(&sh, r,
			     strcmp(table, "townships") == 0 ? "timeliness"
			     : table[0] == 'd'               ? "timeliness-units"
							     : "timeliness-steps",
			     clock_today_ymd());
}

static int time_param(http_req *r, const char *name, int64_t *out)
{
	const char *s = http_query(r, name);
	int ymd;

	if (!s)
		return 0;
	if (date_parse(s, &ymd) == WB_OK) {
		char iso[40];

		wb_snprintf(iso, sizeof(iso), "%sT00:00:00+08:00", s);
		return deadline_time_parse(iso, out) == 0 ? 0 : -1;
	}
	return deadline_time_parse(s, out) == 0 ? 0 : -1;
}

int api_loop_metrics(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	metrics_q m;
	json_t *towns = json_object(), *units = json_object(), *tarr = json_array(), *uarr = json_array();
	json_t *totals =
		json_pack("{s:i, s:i, s:i, s:i}", "open", 0, "overdue", 0, "closed", 0, "closed_with_feedback", 0);
	const char *key, *table = http_query(r, "table"), *township = NULL;
	json_t *g;
	int rc = WB_OK, fmt, en;

	(void)a;
	memset(&m, 0, sizeof(m));
	m.county = p->county_code;
	m.now = clock_now();
	m.to = m.now + 1;
	m.from = m.now - 365 * 86400;
	if (!api_role_is(p, "center") && !api_role_is(p, "committee") && !api_role_is(p, "station") &&
	    !api_role_is(p, "supervisor")) {
		api_error(r, 403, "forbidden", "the loop's figures are for the centre, the committee and the townships",
			  NULL);
		goto out;
	}
	if (api_query_township(r, c, p, &township, NULL))
		goto out;
	/* a township's desk: its own township, asked for or not */
	m.township = township                                                    ? township
		     : api_role_is(p, "station") || api_role_is(p, "supervisor") ? p->area_code
										 : NULL;
	if (api_sheet_params(r, SHEET_JSON, 1, &fmt, &en))
		goto out;
	if (!table)
		table = "townships";
	if (strcmp(table, "townships") != 0 && strcmp(table, "departments") != 0 && strcmp(table, "steps") != 0) {
		api_error(r, 422, "validation_failed", "table must be townships, departments or steps", "table");
		goto out;
	}
	if (time_param(r, "from", &m.from) || time_param(r, "to", &m.to) || m.from >= m.to) {
		api_error(r, 422, "validation_failed",
			  "from and to must be dates (YYYY-MM-DD) or times, from before to", "from");
		goto out;
	}
	rc = open_by_stage(c, &m, towns);
	if (rc == WB_OK)
		rc = step_times(c, &m, 0, towns);
	if (rc == WB_OK)
		rc = referral_counts(c, &m, units);
	if (rc == WB_OK)
		rc = step_times(c, &m, 1, units);
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	json_object_foreach(towns, key, g)
	{
		char name[128];

		json_object_set_new(g, "code", json_string(key));
		json_object_set_new(g, "name",
				    api_area_name(c, key, name, sizeof(name)) == WB_OK ? json_string(name)
										       : json_null());
		add_int(totals, "open", json_integer_value(json_object_get(g, "open_total")));
		add_int(totals, "overdue", json_integer_value(json_object_get(g, "overdue")));
		add_int(totals, "closed", json_integer_value(json_object_get(g, "closed")));
		add_int(totals, "closed_with_feedback", json_integer_value(json_object_get(g, "closed_with_feedback")));
		json_array_append(tarr, g);
	}
	json_object_foreach(units, key, g)
	{
		if (!json_object_get(g, "unit_id")) {
			/* steps of a unit with no referral counted in the period */
			unit_rec u;
			long long id = 0;

			wb_parse_int64(key, 1, INT64_MAX, &id);
			json_object_set_new(g, "unit_id", json_integer(id));
			if (store_unit_get(c, id, &u) == WB_OK) {
				json_object_set_new(g, "code", json_string(u.code));
				json_object_set_new(g, "name", json_string(u.name));
				json_object_set_new(g, "kind", json_string(u.kind));
			}
		}
		json_array_append(uarr, g);
	}
	in_code_order(tarr);
	in_code_order(uarr);
	steps_in_order(tarr);
	steps_in_order(uarr);
	if (fmt != SHEET_JSON) {
		metrics_sheet(r, fmt, en, table, tarr, uarr, totals);
		goto out;
	}
	api_json(r, 200,
		 json_pack("{s:I, s:I, s:I, s:s?, s:O, s:O, s:O}", "from", (json_int_t)m.from, "to", (json_int_t)m.to,
			   "generated_at", (json_int_t)m.now, "township", m.township, "totals", totals, "townships",
			   tarr, "departments", uarr));
out:
	json_decref(towns);
	json_decref(units);
	json_decref(tarr);
	json_decref(uarr);
	json_decref(totals);
	return 0;
}
