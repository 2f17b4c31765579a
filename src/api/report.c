/*
 * GET /api/v1/reports/monthly: the monthly report (月度工作报告, SPEC §8) per
 * township and for the county — what happened in a month: children
 * registered, categories confirmed and ended, visits made, help requests
 * filed, closed and answered, talks held and their attendance, schools'
 * counselling and caring mothers paired, parents come home through
 * supporting programmes, benefits started, ended and paid, and the
 * projects' money. For the committee and the centre (the county, or one
 * township of it) and a township's supervisor and station (their own).
 * Counts and sums only: no child is named, so the read is not audited. As
 * JSON or as a CSV file in the user's language.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../domain/area.h"
#include "../domain/date.h"
#include "../domain/entitlement.h"
#include "../store/q_report.h"
#include "../util/clock.h"
#include "../util/wb.h"
#include "api.h"
#include "sheet.h"
#include "entitlements_api.h"
#include "visits_api.h"

enum fig {
	F_CHILDREN,
	F_NEW_CHILDREN,
	F_CONFIRMED,
	F_ENDED,
	F_VISITS,
	F_VISITED,
	F_TALKS,
	F_TALK_CHILDREN,
	F_TALK_ADULTS,
	F_COUNSEL,
	F_COUNSEL_PUPILS,
	F_CARING,
	F_RETURNS,
	F_RETURN_ENDED,
	F_FILED,
	F_CLOSED,
	F_FEEDBACK,
	F_STARTED,
	F_STOPPED,
	F_PAID,
	F_DONATED,
	F_SPENT,
	F_FINISHED,
	F__COUNT
};

/* The figures' names in the answer, grouped as {section: {name: n}}. */
static const struct {
	const char *section, *name, *zh, *en;
} figs[F__COUNT] = {
	{"children", "total", "在册儿童（未满18周岁）", "Children under 18"},
	{"children", "registered", "本月新登记", "Registered this month"},
	{"categories", "confirmed", "本月认定类别", "Categories confirmed"},
	{"categories", "ended", "本月终止类别", "Categories ended"},
	{"visits", "visits", "本月走访次数", "Visits"},
	{"visits", "children", "本月走访儿童", "Children visited"},
	{"talks", "talks", "本月宣讲场次", "Talks"},
	{"talks", "children", "宣讲参加儿童", "Children at talks"},
	{"talks", "adults", "宣讲参加成人", "Adults at talks"},
	{"schools", "counselling", "本月心理辅导次数", "Counselling sessions"},
	{"schools", "pupils", "心理辅导学生人次", "Pupils counselled"},
	{"schools", "caring_pairs", "本月新结对爱心妈妈", "Caring mothers paired"},
	{"programmes", "returns", "本月父母返乡（帮扶项目）", "Parents who came home (programmes)"},
	{"programmes", "left_behind_ended", "因返乡结束留守", "Left-behind ended by a return"},
	{"requests", "filed", "本月新增求助", "Help requests filed"},
	{"requests", "closed", "本月办结", "Requests closed"},
	{"requests", "feedback", "本月反馈到儿童", "Results delivered"},
	{"entitlements", "started", "本月新增享受", "Benefits started"},
	{"entitlements", "ended", "本月停发", "Benefits ended"},
	{"entitlements", "paid_cents", "本月发放金额（元）", "Paid (yuan)"},
	{"projects", "donated_cents", "本月项目捐赠（元）", "Project donations (yuan)"},
	{"projects", "spent_cents", "本月项目支出（元）", "Project spending (yuan)"},
	{"projects", "finished", "本月完成项目", "Projects finished"},
};

typedef struct town {
	char code[16];
	char name[128];
	int64_t n[F__COUNT];
} town;

typedef struct report_ctx {
	town *rows;
	size_t n, cap;
	town county_wide; /* what belongs to no township (projects of the whole county) */
	int first;        /* the figure the current query fills first */
} report_ctx;

static int town_cb(const area_rec *ar, void *arg)
{
	report_ctx *x = arg;
	int rc = wb_grow(&x->rows, x->n, &x->cap, sizeof(*x->rows), 16, 4096);

	if (rc)
		return rc;
	memset(&x->rows[x->n], 0, sizeof(x->rows[0]));
	wb_strlcpy(x->rows[x->n].code, ar->code, sizeof(x->rows[0].code));
	wb_strlcpy(x->rows[x->n].name, ar->name, sizeof(x->rows[0].name));
	x->n++;
	return WB_OK;
}

static town *town_at(report_ctx *x, const char *code)
{
	for (size_t i = 0; i < x->n; i++)
		if (strncmp(x->rows[i].code, code, 9) == 0)
			return &x->rows[i];
	return NULL;
}

/* A row of a grouped query: its numbers go to the figures from x->first on. */
static int group_cb(const char *township, const char *key, const int64_t n[3], void *arg)
{
	report_ctx *x = arg;
	town *t = township[0] ? town_at(x, township) : &x->county_wide;

	(void)key;
	if (!t)
		return WB_OK;
	for (int i = 0; i < 3 && x->first + i < F__COUNT; i++)
		t->n[x->first + i] += n[i];
	return WB_OK;
}

static int paid_cb(const char *village, int group, int64_t cents, void *arg)
{
	town *t = town_at(arg, village);

	(void)group;
	if (t)
		t->n[F_PAID] += cents;
	return WB_OK;
}

static json_t *town_json(const town *t)
{
	json_t *j = json_object();

	for (int i = 0; i < F__COUNT; i++) {
		json_t *sec = json_object_get(j, figs[i].section);

		if (!sec) {
			sec = json_object();
			json_object_set_new(j, figs[i].section, sec);
		}
		json_object_set_new(sec, figs[i].name, json_integer(t->n[i]));
	}
	return j;
}

/* What the county has of its own, beside its townships: its projects,
 * its talks and the counselling of its schools of the whole county. */
static int county_wide_fig(int i)
{
	return strcmp(figs[i].section, "projects") == 0 || strcmp(figs[i].section, "talks") == 0 || i == F_COUNSEL ||
	       i == F_COUNSEL_PUPILS;
}

/* A row of the file. The county-wide row has its own figures alone
 * (county_wide_fig): its other cells are empty, as the page shows "—". */
static void sheet_row(api_sheet *sh, const char *code, const char *name, const town *t, int county_wide)
{
	api_sheet_text(sh, code, 0);
	api_sheet_text(sh, name, 0);
	for (int i = 0; i < F__COUNT; i++) {
		if (county_wide && !county_wide_fig(i))
			api_sheet_text(sh, "", i + 1 == F__COUNT);
		else if (i == F_PAID || i == F_DONATED || i == F_SPENT)
			api_sheet_yuan(sh, t->n[i], i + 1 == F__COUNT);
		else
			api_sheet_int(sh, t->n[i], i + 1 == F__COUNT);
	}
}

static int report_sheet(http_req *r, const report_ctx *x, const town *total, int fmt, int en, int ym)
{
	const char *cols[F__COUNT + 2];
	api_sheet sh;
	int rc;

	cols[0] = en ? "Township code" : "乡镇（街道）代码";
	cols[1] = en ? "Township" : "乡镇（街道）";
	for (int i = 0; i < F__COUNT; i++)
		cols[i + 2] = en ? figs[i].en : figs[i].zh;
	rc = api_sheet_begin(&sh, r, fmt, en, en ? "Monthly report" : "月报", cols, cols, F__COUNT + 2);
	if (rc)
		return api_fail(r, rc);
	for (size_t i = 0; i < x->n; i++)
		sheet_row(&sh, x->rows[i].code, x->rows[i].name, &x->rows[i], 0);
	if (x->county_wide.n[F_DONATED] || x->county_wide.n[F_SPENT] || x->county_wide.n[F_FINISHED] ||
	    x->county_wide.n[F_TALKS] || x->county_wide.n[F_COUNSEL])
		sheet_row(&sh, "", en ? "County-wide projects, talks and counselling" : "全县性项目、宣讲和心理辅导",
			  &x->county_wide, 1);
	sheet_row(&sh, "", en ? "Total" : "合计", total, 0);
	api_sheet_summary_row(&sh);
	return api_sheet_end(&sh, r, "monthly-report", ym);
}

/* Who reads the report and the trends, and of which township: the
 * committee and the centre the county or (?township=) one township of it,
 * a township's supervisor and station their own. 0 with *township set (NULL:
 * the county), or -1 after the answer (403, or 422 naming township). */
static int report_township(http_req *r, store_conn *c, const sec_principal *p, const char **township)
{
	if (!api_role_is(p, "committee") && !api_role_is(p, "center") && !api_role_is(p, "supervisor") &&
	    !api_role_is(p, "station"))
		return api_error(r, 403, "forbidden",
				 "the monthly report and the trends are for the committee, the centre "
				 "and townships",
				 NULL),
		       -1;
	if (api_query_township(r, c, p, township, NULL))
		return -1;
	if (!*township && !api_role_is(p, "committee") && !api_role_is(p, "center"))
		*township = p->area_code;
	return 0;
}

int api_report_monthly(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	const char *m = http_query(r, "month"), *township = NULL;
	char month[8], day_from[11], day_to[11], born_after[11];
	report_period per;
	report_ctx *x;
	store_scope sc;
	town total;
	json_t *towns;
	int ym, today = clock_today_ymd(), first_ymd, last_ymd, fmt, en, rc;

	(void)a;
	if (report_township(r, c, p, &township))
		return 0;
	if (api_sheet_params(r, SHEET_JSON, 1, &fmt, &en))
		return 0;
	ym = today / 100;
	if (m && (month_parse(m, &ym) != WB_OK || ym > today / 100))
		return api_error(r, 422, "validation_failed", "month must be a month YYYY-MM, not ahead", "month");
	month_format(ym, month);
	first_ymd = ym * 100 + 1;
	last_ymd = date_add_days(month_add(ym, 1) * 100 + 1, -1);
	date_format(first_ymd, day_from);
	date_format(last_ymd, day_to);
	/* under 18 at the month's end, or today while the month runs: a child
	 * who comes of age later in it is a minor still (as the overview) */
	visits_adult_cutoff(last_ymd < today ? last_ymd : today, born_after);
	per = (report_period){p->county_code,
			      township,
			      date_day_start(first_ymd),
			      date_day_start(date_add_days(last_ymd, 1)),
			      day_from,
			      day_to,
			      month,
			      born_after};
	if (!(x = calloc(1, sizeof(*x))))
		return api_fail(r, WB_ENOMEM);
	if (township) {
		area_rec ar;

		rc = store_area_get(c, township, &ar);
		if (rc == WB_OK)
			rc = town_cb(&ar, x);
	} else {
		rc = store_area_list(c, p->county_code, NULL, 4096, town_cb, x);
	}
	x->first = F_CHILDREN;
	if (rc == WB_OK)
		rc = store_report_children(c, &per, group_cb, x);
	x->first = F_CONFIRMED;
	if (rc == WB_OK)
		rc = store_report_categories(c, &per, group_cb, x);
	x->first = F_VISITS;
	if (rc == WB_OK)
		rc = store_report_visits(c, &per, group_cb, x);
	x->first = F_TALKS;
	if (rc == WB_OK)
		rc = store_report_talks(c, &per, group_cb, x);
	x->first = F_COUNSEL;
	if (rc == WB_OK)
		rc = store_report_counselling(c, &per, group_cb, x);
	x->first = F_CARING;
	if (rc == WB_OK)
		rc = store_report_caring(c, &per, group_cb, x);
	x->first = F_RETURNS;
	if (rc == WB_OK)
		rc = store_report_returns(c, &per, group_cb, x);
	x->first = F_FILED;
	if (rc == WB_OK)
		rc = store_report_requests(c, &per, group_cb, x);
	x->first = F_STARTED;
	if (rc == WB_OK)
		rc = store_report_receipts(c, &per, group_cb, x);
	x->first = F_DONATED;
	if (rc == WB_OK)
		rc = store_report_projects(c, &per, group_cb, x);
	if (rc == WB_OK) {
		api_township_scope(p->county_code, township, &sc);
		rc = entitlements_paid(c, &sc, p->county_code, ym, paid_cb, x);
	}
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	total = x->county_wide;
	towns = json_array();
	for (size_t i = 0; i < x->n; i++) {
		json_t *t = town_json(&x->rows[i]);

		for (int k = 0; k < F__COUNT; k++)
			total.n[k] += x->rows[i].n[k];
		json_object_set_new(t, "code", json_string(x->rows[i].code));
		json_object_set_new(t, "name", json_string(x->rows[i].name));
		json_array_append_new(towns, t);
	}
	if (fmt != SHEET_JSON) {
		json_decref(towns);
		report_sheet(r, x, &total, fmt, en, ym);
		goto out;
	}
	api_json(r, 200,
		 json_pack("{s:s, s:s, s:s, s:s?, s:o, s:o, s:o}", "month", month, "from", day_from, "to", day_to,
			   "township", township, "townships", towns, "county_wide", town_json(&x->county_wide),
			   "totals", town_json(&total)));
out:
	free(x->rows);
	free(x);
	return 0;
}

/* ---- trends: the last months, figure by figure ---- */

#define TREND_MONTHS_DEFAULT 12
#define TREND_MONTHS_MAX     18

enum trend {
	T_REGISTERED,
	T_FILED,
	T_CLOSED,
	T_VISITS,
	T_VISITED,
	T_TALKS,
	T_TALK_PEOPLE,
	T_PAID,
	T_COUNSEL,
	T_RETURNS,
	T_RETURN_ENDED,
	T__COUNT
};
static const char *const trend_names[T__COUNT] = {
	"registered",      "requests_filed", "requests_closed", "visits",           "children_visited", "talks",
	"talk_attendance", "paid_cents",     "counselling",     "parents_returned", "left_behind_ended"};

static const char *const trend_zh[T__COUNT] = {"新登记儿童",   "新增求助", "办结求助",      "走访次数",
					       "走访儿童",     "宣讲场次", "宣讲参加人次",  "福利保障发放金额（元）",
					       "心理辅导次数", "父母返乡", "因返乡结束留守"};
static const char *const trend_en[T__COUNT] = {"Children registered",
					       "Requests filed",
					       "Requests closed",
					       "Visits",
					       "Children visited",
					       "Talks",
					       "Attending talks",
					       "Benefits paid (yuan)",
					       "Counselling sessions",
					       "Parents who came home",
					       "Left-behind ended by a return"};

typedef struct trend_ctx {
	int n, first_ym;
	int first; /* the series the current query fills first */
	int64_t v[T__COUNT][TREND_MONTHS_MAX];
} trend_ctx;

/* A row keyed by bucket number ("0".."n-1") or by month ("YYYY-MM"). */
static int trend_cb(const char *key, const char *unused, const int64_t n[3], void *arg)
{
	trend_ctx *x = arg;
	long long b = -1;
	int ym;

	(void)unused;
	if (month_parse(key, &ym) == WB_OK)
		b = month_diff(x->first_ym, ym);
	else if (wb_parse_int64(key, 0, TREND_MONTHS_MAX - 1, &b) != WB_OK)
		return WB_OK;
	if (b < 0 || b >= x->n)
		return WB_OK;
	for (int i = 0; i < 2 && x->first + i < T__COUNT; i++)
		x->v[x->first + i][b] += n[i];
	return WB_OK;
}

static int trend_paid_cb(const char *village, int group, int64_t cents, void *arg)
{
	trend_ctx *x = arg;

	(void)village;
	(void)group;
	x->v[T_PAID][x->first] += cents; /* first: the month being paid */
	return WB_OK;
}

int api_report_trends(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	const char *township = NULL, *m = http_query(r, "months");
	int64_t bounds[TREND_MONTHS_MAX + 1];
	char days_s[TREND_MONTHS_MAX + 1][11];
	const char *days[TREND_MONTHS_MAX + 1];
	long long months = TREND_MONTHS_DEFAULT;
	trend_period tp;
	trend_ctx *x;
	store_scope sc;
	json_t *labels, *series;
	int today = clock_today_ymd(), rc, fmt, en;

	(void)a;
	if (report_township(r, c, p, &township) || api_sheet_params(r, SHEET_JSON, 1, &fmt, &en))
		return 0;
	if (m && wb_parse_int64(m, 2, TREND_MONTHS_MAX, &months) != WB_OK)
		return api_error(r, 422, "validation_failed", "months must be a number from 2 to 18", "months");
	if (!(x = calloc(1, sizeof(*x))))
		return api_fail(r, WB_ENOMEM);
	x->n = (int)months;
	x->first_ym = month_add(today / 100, -(x->n - 1));
	for (int i = 0; i <= x->n; i++) {
		int ymd = month_add(x->first_ym, i) * 100 + 1;

		bounds[i] = date_day_start(ymd);
		date_format(ymd, days_s[i]);
		days[i] = days_s[i];
	}
	tp = (trend_period){p->county_code, township, x->n, bounds, days};
	x->first = T_REGISTERED;
	rc = store_trend_registered(c, &tp, trend_cb, x);
	x->first = T_FILED;
	if (rc == WB_OK)
		rc = store_trend_filed(c, &tp, trend_cb, x);
	x->first = T_CLOSED;
	if (rc == WB_OK)
		rc = store_trend_closed(c, &tp, trend_cb, x);
	x->first = T_VISITS;
	if (rc == WB_OK)
		rc = store_trend_visits(c, &tp, trend_cb, x);
	x->first = T_TALKS;
	if (rc == WB_OK)
		rc = store_trend_talks(c, &tp, trend_cb, x);
	x->first = T_COUNSEL;
	if (rc == WB_OK)
		rc = store_trend_counselling(c, &tp, trend_cb, x);
	x->first = T_RETURNS;
	if (rc == WB_OK)
		rc = store_trend_returns(c, &tp, trend_cb, x);
	api_township_scope(p->county_code, township, &sc);
	for (int i = 0; rc == WB_OK && i < x->n; i++) {
		x->first = i;
		rc = entitlements_paid(c, &sc, p->county_code, month_add(x->first_ym, i), trend_paid_cb, x);
	}
	if (rc) {
		free(x);
		return api_fail(r, rc);
	}
	if (fmt != SHEET_JSON) { /* a month a row, a figure a column */
		const char *zh[T__COUNT + 1] = {"月份"}, *eng[T__COUNT + 1] = {"Month"};
		api_sheet sh;

		for (int k = 0; k < T__COUNT; k++) {
			zh[k + 1] = trend_zh[k];
			eng[k + 1] = trend_en[k];
		}
		rc = api_sheet_begin(&sh, r, fmt, en, en ? "Trends" : "趋势", zh, eng, T__COUNT + 1);
		for (int i = 0; rc == WB_OK && i < x->n; i++) {
			char month[8];

			month_format(month_add(x->first_ym, i), month);
			api_sheet_text(&sh, month, 0);
			for (int k = 0; k < T__COUNT; k++)
				if (k == T_PAID)
					api_sheet_yuan(&sh, x->v[k][i], k + 1 == T__COUNT);
				else
					api_sheet_int(&sh, x->v[k][i], k + 1 == T__COUNT);
		}
		free(x);
		if (rc)
			return api_fail(r, rc);
		return api_sheet_end(&sh, r, "trends", today);
	}
	labels = json_array();
	series = json_object();
	for (int i = 0; i < x->n; i++) {
		char month[8];

		month_format(month_add(x->first_ym, i), month);
		json_array_append_new(labels, json_string(month));
	}
	for (int k = 0; k < T__COUNT; k++) {
		json_t *arr = json_array();

		for (int i = 0; i < x->n; i++)
			json_array_append_new(arr, json_integer(x->v[k][i]));
		json_object_set_new(series, trend_names[k], arr);
	}
	free(x);
	return api_json(r, 200,
			json_pack("{s:o, s:s?, s:o}", "months", labels, "township", township, "series", series));
}
