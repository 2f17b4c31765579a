/*
 * GET /api/v1/overview: where the county stands (SPEC §8), by township —
 * or, with ?township=, where one township stands, by village —
 * the children under 18 and those of them with a child director (its
 * director_id an account not locked holding a director membership of the
 * child's village), the focus children by confirmed category, the
 * visit plan's children by state, and the help requests open, overdue and
 * closed in the last 30 days (a close step in them, each request once,
 * reopened since or not), and the entitlements (应享尽享): children
 * entitled but not receiving, benefits to stop, benefits received and this
 * month's payments. For the committee and the centre (the
 * county, and any of its townships by village) and a township's supervisor
 * and station (their township, and its villages). Counts only: no child is
 * named, so the read is not audited.
 */
#include <stdlib.h>
#include <string.h>

#include "../domain/area.h"
#include "../domain/category.h"
#include "../domain/date.h"
#include "../store/q_overview.h"
#include "../store/q_visits.h"
#include "../util/clock.h"
#include "../util/wb.h"
#include "api.h"
#include "sheet.h"
#include "entitlements_api.h"
#include "visits_api.h"

#define CLOSED_WINDOW_S (30 * 86400)

typedef struct town_row {
	char code[16];
	char name[128];
	int64_t children;
	int64_t with_dir; /* of the children, those with a child director */
	int64_t cats[CAT__COUNT];
	int64_t plan[VISIT_NEVER + 1];
	int64_t open, overdue, closed;
	int64_t fu_open, fu_overdue; /* follow-up visits */
	int64_t ent[3];              /* gap, stop, received */
	int64_t paid;                /* this month, in fen */
} town_row;

typedef struct overview_ctx {
	visit_plan_config cfg;
	town_row *rows;
	size_t n, cap;
	int today;
	size_t key; /* a row's code digits: 9 (townships) or 12 (villages) */
} overview_ctx;

static int town_add(overview_ctx *x, const char *code, const char *name)
{
	int rc = wb_grow(&x->rows, x->n, &x->cap, sizeof(*x->rows), 16, 4096);

	if (rc)
		return rc;
	memset(&x->rows[x->n], 0, sizeof(x->rows[0]));
	wb_strlcpy(x->rows[x->n].code, code, sizeof(x->rows[0].code));
	wb_strlcpy(x->rows[x->n].name, name, sizeof(x->rows[0].name));
	x->n++;
	return WB_OK;
}

static int town_cb(const area_rec *ar, void *arg)
{
	return town_add(arg, ar->code, ar->name);
}

/* The row of the township or village that code is in; NULL if none. */
static town_row *town_at(overview_ctx *x, const char *code)
{
	for (size_t i = 0; i < x->n; i++)
		if (strncmp(x->rows[i].code, code, x->key) == 0)
			return &x->rows[i];
	return NULL;
}

static int children_cb(const char *township, const char *key, const int64_t n[3], void *arg)
{
	town_row *t = town_at(arg, township);

	(void)key;
	if (t) {
		t->children = n[0];
		t->with_dir = n[1];
	}
	return WB_OK;
}

static int categories_cb(const char *township, const char *key, const int64_t n[3], void *arg)
{
	town_row *t = town_at(arg, township);
	enum category k;

	if (t && key && category_parse(key, &k) == 0)
		t->cats[k] = n[0];
	return WB_OK;
}

static int requests_cb(const char *township, const char *key, const int64_t n[3], void *arg)
{
	town_row *t = town_at(arg, township);

	(void)key;
	if (t) {
		t->open = n[0];
		t->overdue = n[1];
		t->closed = n[2];
	}
	return WB_OK;
}

static int follow_ups_cb(const char *township, const char *key, const int64_t n[3], void *arg)
{
	town_row *t = town_at(arg, township);

	(void)key;
	if (t) {
		t->fu_open = n[0];
		t->fu_overdue = n[1];
	}
	return WB_OK;
}

static int plan_cb(const visit_plan_row *row, void *arg)
{
	overview_ctx *x = arg;
	town_row *t = town_at(x, row->village_code);
	int interval, due;

	if (t)
		t->plan[visits_state_of(&x->cfg, row->risk_level, row->cats, row->last_visit, x->today, &interval,
					&due)]++;
	return WB_OK;
}

static int ent_cb(const char *village, int group, int64_t cents, void *arg)
{
	town_row *t = town_at(arg, village);

	if (t && group >= 0 && group < 3)
		t->ent[group]++;
	else if (t)
		t->paid += cents;
	return WB_OK;
}

static json_t *town_json(const town_row *t, int with_name)
{
	json_t *cats = json_object();
	int64_t planned = t->plan[VISIT_OK] + t->plan[VISIT_DUE_SOON] + t->plan[VISIT_OVERDUE] + t->plan[VISIT_NEVER];
	int64_t kept = t->plan[VISIT_OK] + t->plan[VISIT_DUE_SOON];
	json_t *j;

	for (int i = 0; i < CAT__COUNT; i++)
		json_object_set_new(cats, category_name((enum category)i), json_integer(t->cats[i]));
	j = json_pack("{s:I, s:o, s:{s:I, s:I, s:I, s:I, s:o}, s:{s:I, s:I, s:I}}", "children", (json_int_t)t->children,
		      "categories", cats, "visits", "in_plan", (json_int_t)planned, "on_schedule", (json_int_t)kept,
		      "overdue", (json_int_t)t->plan[VISIT_OVERDUE], "never", (json_int_t)t->plan[VISIT_NEVER],
		      "coverage", planned ? json_real((double)kept / (double)planned) : json_null(), "requests", "open",
		      (json_int_t)t->open, "overdue", (json_int_t)t->overdue, "closed_30d", (json_int_t)t->closed);
	if (j)
		json_object_set_new(
			j, "directors",
			json_pack("{s:I, s:o}", "with_director", (json_int_t)t->with_dir, "coverage",
				  t->children ? json_real((double)t->with_dir / (double)t->children) : json_null()));
	if (j)
		json_object_set_new(
			j, "follow_ups",
			json_pack("{s:I, s:I}", "open", (json_int_t)t->fu_open, "overdue", (json_int_t)t->fu_overdue));
	if (j)
		json_object_set_new(j, "entitlements",
				    json_pack("{s:I, s:I, s:I, s:I}", "gap", (json_int_t)t->ent[0], "stop",
					      (json_int_t)t->ent[1], "receiving", (json_int_t)t->ent[2],
					      "paid_this_month_cents", (json_int_t)t->paid));
	if (j && with_name) {
		json_object_set_new(j, "code", json_string(t->code));
		json_object_set_new(j, "name", json_string(t->name));
	}
	return j;
}

static const sheet_col overview_cols[] = {
	{"乡镇（街道）代码", "Township code", "code", SC_TEXT, NULL},
	{"乡镇（街道）", "Township", "name", SC_TEXT, NULL},
	{"在册未成年人", "Registered minors", "children", SC_INT, NULL},
	{"孤儿", "Orphans", "categories.orphan", SC_INT, NULL},
	{"事实无人抚养儿童", "De facto unsupported", "categories.de_facto_unsupported", SC_INT, NULL},
	{"农村留守儿童", "Rural left-behind", "categories.left_behind", SC_INT, NULL},
	{"困境儿童", "In difficulty", "categories.in_difficulty", SC_INT, NULL},
	{"纳入走访计划", "In the visit plan", "visits.in_plan", SC_INT, NULL},
	{"按期走访", "Visited on schedule", "visits.on_schedule", SC_INT, NULL},
	{"走访逾期", "Visits overdue", "visits.overdue", SC_INT, NULL},
	{"从未走访", "Never visited", "visits.never", SC_INT, NULL},
	{"走访覆盖率（%）", "Visit coverage (%)", "visits.coverage", SC_PCT, NULL},
	{"有儿童主任的儿童", "Children with a child director", "directors.with_director", SC_INT, NULL},
	{"儿童主任覆盖率（%）", "Director coverage (%)", "directors.coverage", SC_PCT, NULL},
	{"办理中求助", "Requests open", "requests.open", SC_INT, NULL},
	{"超期求助", "Requests overdue", "requests.overdue", SC_INT, NULL},
	{"近30天结案", "Closed in 30 days", "requests.closed_30d", SC_INT, NULL},
	{"待回访", "Follow-ups open", "follow_ups.open", SC_INT, NULL},
	{"回访逾期", "Follow-ups overdue", "follow_ups.overdue", SC_INT, NULL},
	{"应享未享", "Entitled, not receiving", "entitlements.gap", SC_INT, NULL},
	{"应停未停", "Receiving, no longer entitled", "entitlements.stop", SC_INT, NULL},
	{"应享已享", "Entitled and receiving", "entitlements.receiving", SC_INT, NULL},
	{"本月发放（元）", "Paid this month (yuan)", "entitlements.paid_this_month_cents", SC_YUAN, NULL},
};

/* the first two columns of a township's download, by village */
static const sheet_col village_head[] = {
	{"村（社区）代码", "Village code", "code", SC_TEXT, NULL},
	{"村（社区）", "Village", "name", SC_TEXT, NULL},
};

int api_overview(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	const char *township = NULL;
	store_scope sc;
	overview_ctx *x;
	town_row total;
	area_rec town;
	char cutoff[11], today[11];
	json_t *towns;
	int64_t now = clock_now();
	int rc, fmt, en, desk, by_village;

	(void)a;
	desk = strcmp(p->role, "committee") == 0 || strcmp(p->role, "center") == 0;
	if (!desk && strcmp(p->role, "supervisor") != 0 && strcmp(p->role, "station") != 0)
		return api_error(r, 403, "forbidden", "the overview is for the committee, the centre and townships",
				 NULL);
	/* ?township=: that township by village (the desk's any, a township's own) */
	memset(&town, 0, sizeof(town));
	if (api_query_township(r, c, p, &township, &town))
		return 0;
	by_village = township != NULL;
	if (!desk)
		township = p->area_code;
	api_township_scope(p->county_code, township, &sc);
	if (api_sheet_params(r, SHEET_JSON, 1, &fmt, &en))
		return 0;
	x = calloc(1, sizeof(*x));
	if (!x)
		return api_fail(r, WB_ENOMEM);
	x->today = clock_today_ymd();
	x->key = by_village ? 12 : 9;
	visits_adult_cutoff(x->today, cutoff);
	date_format(x->today, today);
	if (by_village) {
		rc = store_area_list(c, township, NULL, 4096, town_cb, x);
	} else if (township) {
		rc = store_area_get(c, township, &town);
		if (rc == WB_OK)
			rc = town_add(x, town.code, town.name);
	} else {
		rc = store_area_list(c, p->county_code, NULL, 4096, town_cb, x);
	}
	if (rc == WB_OK)
		rc = store_overview_children(c, p->county_code, township, by_village, cutoff, children_cb, x);
	if (rc == WB_OK)
		rc = store_overview_categories(c, p->county_code, township, by_village, cutoff, categories_cb, x);
	if (rc == WB_OK)
		rc = store_overview_requests(c, p->county_code, township, by_village, now, now - CLOSED_WINDOW_S,
					     requests_cb, x);
	if (rc == WB_OK)
		rc = store_overview_follow_ups(c, p->county_code, township, by_village, today, follow_ups_cb, x);
	if (rc == WB_OK)
		rc = visits_config_load(c, p->county_code, &x->cfg);
	if (rc == WB_OK)
		rc = store_visit_plan(c, &sc, cutoff, NULL, plan_cb, x);
	if (rc == WB_OK)
		rc = entitlements_tally(c, &sc, p->county_code, ent_cb, x);
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	memset(&total, 0, sizeof(total));
	towns = json_array();
	for (size_t i = 0; i < x->n; i++) {
		const town_row *t = &x->rows[i];

		total.children += t->children;
		total.with_dir += t->with_dir;
		for (int k = 0; k < CAT__COUNT; k++)
			total.cats[k] += t->cats[k];
		for (int k = 0; k <= VISIT_NEVER; k++)
			total.plan[k] += t->plan[k];
		total.open += t->open;
		total.overdue += t->overdue;
		total.closed += t->closed;
		total.fu_open += t->fu_open;
		total.fu_overdue += t->fu_overdue;
		for (int k = 0; k < 3; k++)
			total.ent[k] += t->ent[k];
		total.paid += t->paid;
		json_array_append_new(towns, town_json(t, 1));
	}
	if (fmt != SHEET_JSON) { /* the rows, then the totals; counts only: not audited */
		json_t *tot = town_json(&total, 0);
		sheet_col cols[WB_ARRAY_LEN(overview_cols)];
		api_sheet sh;
		const json_t *it;
		size_t i;

		memcpy(cols, overview_cols, sizeof(cols));
		if (by_village)
			memcpy(cols, village_head, sizeof(village_head));
		json_object_set_new(tot, "name", json_string(en ? "Total" : "合计"));
		rc = api_sheet_begin_cols(&sh, r, fmt, en, en ? "Overview" : "总览", cols, WB_ARRAY_LEN(cols));
		if (rc == WB_OK) {
			json_array_foreach(towns, i, it) api_sheet_json_row(&sh, it, cols, WB_ARRAY_LEN(cols));
			api_sheet_json_row(&sh, tot, cols, WB_ARRAY_LEN(cols));
			api_sheet_summary_row(&sh);
			char stem[32];

			/* a township's download by village is named by its code */
			if (by_village)
				wb_snprintf(stem, sizeof(stem), "overview-%s", township);
			else
				wb_strlcpy(stem, "overview", sizeof(stem));
			api_sheet_end(&sh, r, stem, clock_today_ymd());
		} else {
			api_fail(r, rc);
		}
		json_decref(tot);
		json_decref(towns);
		goto out;
	}
	if (by_village)
		api_json(r, 200,
			 json_pack("{s:s, s:s, s:{s:s, s:s}, s:o, s:o}", "county_code", p->county_code, "today", today,
				   "township", "code", town.code, "name", town.name, "totals", town_json(&total, 0),
				   "villages", towns));
	else
		api_json(r, 200,
			 json_pack("{s:s, s:s, s:o, s:o}", "county_code", p->county_code, "today", today, "totals",
				   town_json(&total, 0), "townships", towns));
out:
	free(x->rows);
	free(x);
	return 0;
}
