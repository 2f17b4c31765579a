/*
 * Visits (走访, SPEC §5) and the visit plan:
 *
 *   POST /api/v1/children/{id}/visits   record a home, school or phone visit
 *   GET  /api/v1/children/{id}/visits   a child's visits and where its plan stands
 *   GET  /api/v1/visits/plan            the children in the caller's scope that
 *                                       the plan covers, most urgent first
 *   GET|PUT /api/v1/visits/config       how often (by risk and by category)
 *
 * A visit is part of the child's file: it is recorded and read within the
 * caller's scope of children (a referral does not grant it), and every
 * read of visits or of the plan is audited like a read of the file.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../domain/area.h"
#include "../domain/date.h"
#include "../domain/visits.h"
#include "../store/q_followups.h"
#include "../store/q_loop.h"
#include "../store/q_talks.h"
#include "../store/q_visits.h"
#include "../util/clock.h"
#include "../util/wb.h"
#include "api.h"
#include "registry.h"
#include "sheet.h"
#include "visits_api.h"

#define SETTING        "visits.plan"
#define PLAN_MAX_ROWS  200000 /* a province-sized scope still answers, in pages */
#define VISITS_DEFAULT 50
#define VISITS_MAX     200
#define PLAN_DEFAULT   100
#define PLAN_MAX       500

/* Who keeps visits: the roles that see children by place or by school.
 * A referral grants a department the case, not the child's visits; the
 * committee, the auditor and the administrator see no child's file. */
static int can_visit(http_req *r, const sec_principal *p)
{
	switch (p->scope.children) {
	case SCOPE_COUNTY:
	case SCOPE_AREA:
	case SCOPE_GRID:
	case SCOPE_SCHOOL: return 1;
	default:
		api_error(r, 403, "forbidden",
			  "visits are kept by the centre, townships, child directors, grid workers "
			  "and schools",
			  NULL);
		return 0;
	}
}

/* ---- configuration ---- */

static const char *const risk_keys[RISK__COUNT] = {"low", "medium", "high"};

static json_t *config_json(const visit_plan_config *cfg)
{
	json_t *risk = json_object(), *cats = json_object();

	for (int i = 0; i < RISK__COUNT; i++)
		json_object_set_new(risk, risk_keys[i], json_integer(cfg->risk_days[i]));
	for (int i = 0; i < CAT__COUNT; i++)
		json_object_set_new(cats, category_name((enum category)i), json_integer(cfg->category_days[i]));
	return json_pack("{s:o, s:o, s:i}", "risk", risk, "categories", cats, "due_soon_days", cfg->due_soon_days);
}

/* One number of days at obj.key into *out, within [0, max]. */
static int config_days(json_t *obj, const char *key, int max, int *out, char *field, size_t fn, const char *path)
{
	json_t *v = json_object_get(obj, key);

	if (path)
		wb_snprintf(field, fn, "%s.%s", path, key);
	else
		wb_strlcpy(field, key, fn);
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > max)
		return -1;
	*out = (int)json_integer_value(v);
	return 0;
}

/* Applies the keys of j onto cfg. -1 with the field at fault (and max the
 * limit it broke) in field. */
static int config_apply(json_t *j, visit_plan_config *cfg, char *field, size_t fn, int *max)
{
	const char *k;
	json_t *v;

	*max = VISIT_DAYS_MAX;
	json_object_foreach(j, k, v)
	{
		if (strcmp(k, "due_soon_days") == 0) {
			*max = VISIT_DUE_SOON_MAX;
			if (config_days(j, k, VISIT_DUE_SOON_MAX, &cfg->due_soon_days, field, fn, NULL))
				return -1;
			*max = VISIT_DAYS_MAX;
		} else if (strcmp(k, "risk") == 0 || strcmp(k, "categories") == 0) {
			int is_risk = k[0] == 'r';
			const char *kk;
			json_t *vv;

			if (!json_is_object(v)) {
				wb_strlcpy(field, k, fn);
				return -1;
			}
			json_object_foreach(v, kk, vv)
			{
				int idx = -1;
				enum category cat;
				enum visit_risk risk;

				(void)vv;
				if (is_risk && visit_risk_parse(kk, &risk) == 0)
					idx = (int)risk;
				else if (!is_risk && category_parse(kk, &cat) == 0)
					idx = (int)cat;
				if (idx < 0) {
					/* not a number's fault: no such level or category */
					wb_snprintf(field, fn, "%s.%s", k, kk);
					*max = -1;
					return -1;
				}
				if (config_days(v, kk, VISIT_DAYS_MAX,
						is_risk ? &cfg->risk_days[idx] : &cfg->category_days[idx], field, fn,
						k)) {
					wb_snprintf(field, fn, "%s.%s", k, kk);
					return -1;
				}
			}
		} else {
			wb_strlcpy(field, k, fn);
			return -1;
		}
	}
	return 0;
}

/* The county's plan: the defaults with the stored settings over them. */
int visits_config_load(store_conn *c, const char *county, visit_plan_config *cfg)
{
	char *text = NULL, field[64];
	json_t *j;
	int rc, max;

	visit_plan_default(cfg);
	rc = store_setting_get(c, county, SETTING, &text);
	if (rc == WB_ENOTFOUND)
		return WB_OK;
	if (rc)
		return rc;
	j = json_loads(text, 0, NULL);
	free(text);
	rc = j && json_is_object(j) && config_apply(j, cfg, field, sizeof(field), &max) == 0 ? WB_OK : WB_ESTORE;
	json_decref(j);
	return rc;
}

int api_visits_config_get(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	visit_plan_config cfg;
	int rc;

	(void)a;
	rc = visits_config_load(c, p->county_code, &cfg);
	if (rc)
		return api_fail(r, rc);
	return api_json(r, 200, config_json(&cfg));
}

int api_visits_config_put(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	visit_plan_config cfg;
	json_t *body = NULL;
	char field[64], msg[160];
	int rc, max;

	if (strcmp(p->role, "center") != 0) {
		api_error(r, 403, "forbidden", "the visit plan is set by the county centre", NULL);
		goto out;
	}
	if (api_body(r, &body))
		goto out;
	rc = visits_config_load(c, p->county_code, &cfg);
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	if (config_apply(body, &cfg, field, sizeof(field), &max)) {
		if (max < 0)
			wb_snprintf(msg, sizeof(msg), "%s: unknown %s", field,
				    field[0] == 'r' ? "risk level (low, medium, high)" : "category");
		else if (strcmp(field, "risk") == 0 || strcmp(field, "categories") == 0)
			wb_snprintf(msg, sizeof(msg), "%s must be an object of days", field);
		else if (!strchr(field, '.') && strcmp(field, "due_soon_days") != 0)
			wb_snprintf(msg, sizeof(msg), "unknown field '%s'", field);
		else
			wb_snprintf(msg, sizeof(msg), "%s must be a whole number of days from 0 to %d", field, max);
		api_error(r, 422, "validation_failed", msg, field);
		goto out;
	}
	api_setting_save(r, a, p, SETTING, "visit.config.update", config_json(&cfg));
out:
	json_decref(body);
	return 0;
}

/* ---- a child's plan ---- */

/* The day (YYYYMMDD) 18 years before day: a child born on or before it is
 * grown up and leaves the plan (and the overview's, the report's, the
 * matching's counts and, after the grace days, the archive's sweep). Where
 * a year of age counts from the day after the birthday (category_birthday
 * day_after), a child is 17 on the 18th birthday: 18 years before the day
 * before. */
int visits_adult_born_by(int day)
{
	if (registry_config()->birthday == BIRTHDAY_DAY_AFTER)
		day = date_add_days(day, -1);
	return day - 180000;
}

/* visits_adult_born_by(today) as "YYYY-MM-DD". */
void visits_adult_cutoff(int today, char out[11])
{
	date_format(visits_adult_born_by(today), out);
}

unsigned visits_confirmed_cats(const category_rec *k, int nk)
{
	unsigned cats = 0;
	enum category cat;

	for (int i = 0; i < nk; i++)
		if (strcmp(k[i].state, "confirmed") == 0 && category_parse(k[i].category, &cat) == 0)
			cats |= 1u << cat;
	return cats;
}

static json_t *cats_json(unsigned cats)
{
	json_t *a = json_array();

	for (int i = 0; i < CAT__COUNT; i++)
		if (cats & (1u << i))
			json_array_append_new(a, json_string(category_name((enum category)i)));
	return a;
}

enum visit_state visits_state_of(const visit_plan_config *cfg, const char *risk_level, unsigned cats,
				 const char *last_visit, int today, int *interval, int *due_ymd)
{
	enum visit_risk risk = RISK_LOW;

	visit_risk_parse(risk_level, &risk);
	*interval = visit_interval(cfg, risk, cats);
	return visit_plan_state(cfg, *interval, date_ymd(last_visit), today, due_ymd);
}

/* Where a child stands: interval, last visit, due day, state, days overdue. */
static json_t *plan_json(const visit_plan_config *cfg, const char *risk_level, unsigned cats, const char *birth_date,
			 const char *last_visit, int today)
{
	char cutoff[11], due[11];
	int interval, due_ymd = 0;
	enum visit_state st;
	json_t *j;

	visits_adult_cutoff(today, cutoff);
	st = visits_state_of(cfg, risk_level, cats, last_visit, today, &interval, &due_ymd);
	if (birth_date[0] && strcmp(birth_date, cutoff) <= 0) {
		/* grown up: out of the plan */
		st = VISIT_NO_PLAN;
		interval = due_ymd = 0;
	}
	if (due_ymd)
		date_format(due_ymd, due);
	j = json_pack("{s:i, s:s?, s:s?, s:s, s:o}", "interval_days", interval, "last_visit_on",
		      last_visit[0] ? last_visit : NULL, "due_on", due_ymd ? due : NULL, "state", visit_state_name(st),
		      "categories", cats_json(cats));
	if (j && st == VISIT_OVERDUE)
		json_object_set_new(j, "days_overdue", json_integer(date_days(today) - date_days(due_ymd)));
	return j;
}

/* The plan of one child (its categories read now), whose newest visit is
 * on the day newest ("" for none), or is read now when newest is NULL. */
static json_t *child_plan(store_conn *c, const sec_principal *p, const child_rec *ch, const char *newest, int *rc_out)
{
	category_rec *k = malloc(sizeof(*k) * CATEGORY_ROWS_MAX);
	visit_plan_config cfg;
	char last[11];
	int nk = 0, rc;
	json_t *j = NULL;

	rc = k ? WB_OK : WB_ENOMEM;
	if (rc == WB_OK)
		rc = visits_config_load(c, p->county_code, &cfg);
	if (rc == WB_OK)
		rc = store_categories_load(c, ch->id, k, CATEGORY_ROWS_MAX, &nk);
	if (rc == WB_OK && !newest)
		rc = store_child_last_visit(c, ch->id, last);
	else if (newest)
		wb_strlcpy(last, newest, sizeof(last));
	if (rc == WB_OK)
		j = plan_json(&cfg, ch->risk_level, visits_confirmed_cats(k, nk), ch->birth_date, last,
			      clock_today_ymd());
	free(k);
	*rc_out = rc ? rc : j ? WB_OK : WB_ENOMEM;
	return j;
}

/* ---- visits of a child ---- */

json_t *visits_flags_json(const char *s)
{
	json_t *flags = json_array();

	while (*s) {
		const char *end = strchr(s, ',');
		size_t n = end ? (size_t)(end - s) : strlen(s);

		json_array_append_new(flags, json_stringn(s, n));
		s += n + (end ? 1 : 0);
	}
	return flags;
}

static json_t *visit_json(const visit_rec *v)
{
	json_t *flags = visits_flags_json(v->flags);
	json_t *j = json_pack("{s:I, s:I, s:s, s:s, s:s, s:o, s:s?, s:I, s:I, s:s}", "id", (json_int_t)v->id,
			      "child_id", (json_int_t)v->child_id, "kind", v->kind, "visited_on", v->visited_on,
			      "findings", v->findings, "flags", flags, "risk_level",
			      v->risk_level[0] ? v->risk_level : NULL, "created_at", (json_int_t)v->created_at,
			      "created_by", (json_int_t)v->created_by, "visitor", v->visitor);

	if (j && v->voided_at)
		json_object_set_new(j, "voided",
				    json_pack("{s:I, s:s, s:s}", "at", (json_int_t)v->voided_at, "by", v->voider,
					      "reason", v->void_reason));
	return j;
}

static int visit_item_cb(const visit_rec *v, void *arg)
{
	api_list_add(arg, visit_json(v), v->id);
	return WB_OK;
}

int api_child_visits(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	api_list l;
	child_rec ch;
	json_t *plan, *page;
	int64_t id, before = 0;
	int limit, rc;

	if (api_id_param(r, "id", &id) || !can_visit(r, p) || api_limit(r, VISITS_DEFAULT, VISITS_MAX, &limit) ||
	    api_query_cursor(r, &before))
		return 0;
	rc = store_child_get(c, &p->scope, id, &ch);
	if (rc)
		return api_child_fail(r, a, p, id, "child.visits", rc);
	api_list_init(&l);
	rc = store_child_visits(c, &p->scope, id, before, limit, visit_item_cb, &l);
	/* the first page starts with the newest visit, if there is one (a
	 * voided one counts no more: then the plan looks it up) */
	if (rc == WB_OK) {
		json_t *first = json_array_get(l.items, 0);
		int counts = first && !json_object_get(first, "voided");

		plan = child_plan(c, p, &ch,
				  before || (first && !counts) ? NULL
				  : counts                     ? json_string_value(json_object_get(first, "visited_on"))
							       : "",
				  &rc);
	} else
		plan = NULL;
	if (rc) {
		api_list_cleanup(&l);
		return api_fail(r, rc);
	}
	if (api_audit_child_read(r, a, p, id, "child.visits") != WB_OK) {
		json_decref(plan);
		api_list_cleanup(&l);
		return api_fail(r, WB_ESTORE);
	}
	page = api_list_page(&l, limit);
	if (page)
		json_object_set_new(page, "plan", plan);
	else
		json_decref(plan);
	return api_json(r, 200, page);
}

typedef struct void_job {
	int64_t child_id, id, at, by;
	int own_only;
	const char *reason;
	int reopened;
	char risk_restored[8];
} void_job;

static int void_fn(store_conn *c, void *arg)
{
	void_job *j = arg;

	return store_visit_void(c, j->child_id, j->id, j->at, j->by, j->own_only, j->reason, &j->reopened,
				j->risk_restored);
}

static const api_field void_fields[] = {
	{"reason", JSON_STRING, 1, VISIT_VOID_REASON_MAX},
	{NULL, 0, 0, 0},
};

/* POST /api/v1/children/{id}/visits/{vid}/void: a visit recorded by
 * mistake is voided (作废) with the reason, by whoever recorded it or by
 * the township or the centre; it stays listed, marked, and counts no more.
 * The risk level it set is undone unless changed again since. */
int api_child_visit_void(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	json_t *body = NULL;
	child_rec ch;
	audit_entry e;
	void_job j;
	const char *reason;
	int64_t id, vid;
	int rc;

	if (api_id_param(r, "id", &id) || api_id_param(r, "vid", &vid) || !can_visit(r, p) || api_body(r, &body) ||
	    api_check_fields(r, body, void_fields))
		goto out;
	rc = store_child_get(c, &p->scope, id, &ch);
	if (rc) {
		api_child_fail(r, a, p, id, "visit.void", rc);
		goto out;
	}
	if (api_reason(r, body, VISIT_VOID_REASON_CHARS, &reason))
		goto out;
	memset(&j, 0, sizeof(j));
	j.child_id = id;
	j.id = vid;
	j.at = clock_now();
	j.by = p->user_id;
	/* the township and the centre correct any visit of their area, the
	 * others their own */
	j.own_only = !(api_role_is(p, "center") || api_role_is(p, "supervisor") || api_role_is(p, "station"));
	j.reason = reason;
	api_audit_init(r, p, &e);
	wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, id);
	audit_entry_set(&e, "visit.void", "child", e.object_id, "ok");
	api_audit_detail_reason(&e, json_pack("{s:I}", "visit", (json_int_t)vid), reason);
	api_conn_release(r);
	rc = audit_submit(a->audit, &e, void_fn, &j);
	if (rc == WB_EFORBIDDEN)
		api_error(r, 403, "forbidden",
			  "a visit is voided by whoever recorded it, or by the township or the centre", NULL);
	else if (rc == WB_ECONFLICT)
		api_error(r, 409, "conflict", "the visit was voided already", NULL);
	else if (rc)
		api_fail(r, rc);
	else
		api_json(r, 200,
			 json_pack("{s:I, s:I, s:b, s:i, s:s?}", "id", (json_int_t)vid, "child_id", (json_int_t)id,
				   "voided", 1, "follow_ups_reopened", j.reopened, "risk_restored",
				   j.risk_restored[0] ? j.risk_restored : NULL));
out:
	json_decref(body);
	return 0;
}

static const api_field visit_fields[] = {
	{"kind", JSON_STRING, 1, 16},
	{"visited_on", JSON_STRING, 1, 16},
	{"findings", JSON_STRING, 1, VISIT_FINDINGS_MAX},
	{"flags", JSON_ARRAY, 0, 0},
	{"risk_level", JSON_STRING, 0, 16},
	{NULL, 0, 0, 0},
};

/* Reads and checks the visit in body into v; 422 naming the field, -1. */
static int visit_parse(http_req *r, json_t *body, const child_rec *ch, visit_rec *v)
{
	const char *kind = api_str(body, "kind"), *day = api_str(body, "visited_on");
	const char *findings = api_str(body, "findings"), *risk = api_str(body, "risk_level");
	json_t *flags = json_object_get(body, "flags"), *f;
	unsigned seen = 0;
	enum visit_kind k;
	enum visit_risk rl;
	int ymd, today = clock_today_ymd();
	size_t i, off = 0;

	if (visit_kind_parse(kind, &k))
		return api_error(r, 422, "validation_failed", "kind must be home, school or phone", "kind"), -1;
	if (date_parse(day, &ymd) != WB_OK)
		return api_error(r, 422, "validation_failed", "visited_on must be a date YYYY-MM-DD", "visited_on"), -1;
	if (ymd > today)
		return api_error(r, 422, "validation_failed", "visited_on may not be in the future", "visited_on"), -1;
	if (date_days(today) - date_days(ymd) > VISIT_DAYS_MAX)
		return api_error(r, 422, "validation_failed", "visited_on may be at most a year ago", "visited_on"), -1;
	if (ch->birth_date[0] && strcmp(day, ch->birth_date) < 0)
		return api_error(r, 422, "validation_failed", "visited_on is before the child's birth date",
				 "visited_on"),
		       -1;
	/* blanks a phone's input method or a chat app's copy leaves (a
	 * full-width space, a zero-width character) say nothing either */
	if (wb_is_blank(findings))
		return api_error(r, 422, "validation_failed", "findings must say what the visit found", "findings"), -1;
	if (risk && visit_risk_parse(risk, &rl))
		return api_error(r, 422, "validation_failed", "risk_level must be low, medium or high", "risk_level"),
		       -1;
	memset(v, 0, sizeof(*v));
	json_array_foreach(flags, i, f)
	{
		enum visit_flag fl;
		char field[24];

		wb_snprintf(field, sizeof(field), "flags[%zu]", i);
		if (!json_is_string(f) || visit_flag_parse(json_string_value(f), &fl))
			return api_error(
				       r, 422, "validation_failed",
				       "a flag must be one of safety, health, schooling, guardianship, psychological, "
				       "living",
				       field),
			       -1;
		if (seen & (1u << fl))
			return api_error(r, 422, "validation_failed", "a flag is given twice", field), -1;
		seen |= 1u << fl;
	}
	/* stored in the vocabulary's order, whatever the order sent */
	for (int b = 0; b < VF__COUNT; b++)
		if (seen & (1u << b)) {
			wb_snprintf(v->flags + off, sizeof(v->flags) - off, "%s%s", off ? "," : "",
				    visit_flag_name((enum visit_flag)b));
			off = strlen(v->flags);
		}
	v->child_id = ch->id;
	wb_strlcpy(v->county_code, ch->county_code, sizeof(v->county_code));
	wb_strlcpy(v->kind, visit_kind_name(k), sizeof(v->kind));
	wb_strlcpy(v->visited_on, day, sizeof(v->visited_on));
	wb_strlcpy(v->findings, findings, sizeof(v->findings));
	wb_trim(v->findings); /* without the blanks around it */
	if (api_utf8_chars(v->findings) > VISIT_FINDINGS_CHARS)
		return api_error(r, 422, "validation_failed", "findings may have at most 2000 characters", "findings"),
		       -1;
	if (risk)
		wb_strlcpy(v->risk_level, risk, sizeof(v->risk_level));
	return 0;
}

typedef struct visit_job {
	visit_rec *v;
	char old_risk[8];
	int risk_set;        /* the visit's assessment is the child's level now */
	int follow_ups_done; /* the child's follow-ups the visit completed */
	char township[16];   /* the child's township (told of a concern) */
} visit_job;

/* A visit that found a problem (a flag raised, or a high risk assessed) is
 * told to the child's township: an inbox message to its station and its
 * supervisor, naming nobody (the child's id; the file is read, and
 * audited, by whoever opens it). No webhook: a gateway would carry it
 * outside. */
static int tell_township(store_conn *c, const visit_job *j)
{
	static const char *const roles[] = {"station", "supervisor"};
	int rc = WB_OK;

	if (!j->v->flags[0] && strcmp(j->v->risk_level, "high") != 0)
		return WB_OK;
	for (size_t i = 0; rc == WB_OK && i < WB_ARRAY_LEN(roles); i++) {
		/* one who is both the station's and the supervisor gets one message */
		notify_target told = {roles[0], j->township, 0, 0, NULL, NULL, 0};
		notify_target t = {roles[i], j->township, 0, 0, NULL, &told, (int)i};
		notify_event e = {j->v->county_code, "visit.concern",  0,    0, NULL,          0,
				  j->v->created_at,  j->v->created_by, NULL, 0, j->v->child_id};

		rc = store_notify(c, &t, &e, NULL);
	}
	return rc;
}

/* The visit, the child's open follow-ups it completes and the township's
 * message of a concern, in one transaction. */
static int visit_fn(store_conn *c, void *arg)
{
	visit_job *j = arg;
	int rc = store_visit_insert(c, j->v, j->old_risk, &j->risk_set);

	if (rc == WB_OK)
		rc = store_follow_ups_complete(c, j->v->child_id, j->v->id, j->v->visited_on, j->v->created_at,
					       &j->follow_ups_done);
	if (rc == WB_OK)
		rc = tell_township(c, j);
	return rc;
}

int api_child_visit_create(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	json_t *body = NULL, *j = NULL, *plan;
	visit_rec *v = malloc(sizeof(*v));
	visit_job job = {v, "", 0, 0, ""};
	audit_entry e;
	child_rec ch;
	int64_t id;
	int rc;

	if (!v)
		return api_fail(r, WB_ENOMEM);
	if (api_id_param(r, "id", &id) || !can_visit(r, p) || api_body(r, &body) ||
	    api_check_fields(r, body, visit_fields))
		goto out;
	rc = store_child_get(c, &p->scope, id, &ch);
	if (rc) {
		api_child_fail(r, a, p, id, "visit.create", rc);
		goto out;
	}
	if (visit_parse(r, body, &ch, v))
		goto out;
	v->created_at = clock_now();
	v->created_by = p->user_id;
	wb_strlcpy(v->visitor, p->display_name, sizeof(v->visitor));
	wb_snprintf(job.township, sizeof(job.township), "%.9s", ch.village_code);
	api_audit_init(r, p, &e);
	wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, id);
	audit_entry_set(&e, "visit.create", "child", e.object_id, "ok");
	api_audit_detail(&e, json_pack("{s:s, s:s, s:s?}", "kind", v->kind, "visited_on", v->visited_on, "risk_level",
				       v->risk_level[0] ? v->risk_level : NULL));
	api_conn_release(r); /* the job runs on the writer's connection */
	c = NULL;
	rc = audit_submit(a->audit, &e, visit_fn, &job);
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	/* the child's level now: the assessment, unless a later visit's stands */
	wb_strlcpy(ch.risk_level, job.risk_set ? v->risk_level : job.old_risk, sizeof(ch.risk_level));
	j = visit_json(v);
	plan = child_plan(api_conn(r), p, &ch, NULL, &rc);
	if (j && plan)
		json_object_set_new(j, "plan", plan);
	else
		json_decref(plan);
	if (job.risk_set)
		json_object_set_new(j, "risk_changed_from", json_string(job.old_risk));
	json_object_set_new(j, "follow_ups_done", json_integer(job.follow_ups_done));
	api_json(r, 201, j);
out:
	json_decref(body);
	free(v);
	return 0;
}

/* ---- the plan of the caller's children ---- */

typedef struct plan_item {
	visit_plan_row row;
	enum visit_state state;
	int interval;
	int due_ymd;
} plan_item;

typedef struct plan_ctx {
	visit_plan_config cfg;
	plan_item *items;
	size_t n, cap;
	int today;
	char cutoff[11];
	unsigned want; /* bit per visit_state */
	int64_t counts[VISIT_NEVER + 1];
} plan_ctx;

static int plan_cb(const visit_plan_row *row, void *arg)
{
	plan_ctx *x = arg;
	plan_item it;
	int rc;

	it.row = *row;
	it.state = visits_state_of(&x->cfg, row->risk_level, row->cats, row->last_visit, x->today, &it.interval,
				   &it.due_ymd);
	if (it.state == VISIT_NO_PLAN)
		return WB_OK; /* a category or risk whose interval is configured off */
	x->counts[it.state]++;
	if (!(x->want & (1u << it.state)))
		return WB_OK;
	rc = wb_grow(&x->items, x->n, &x->cap, sizeof(*x->items), 256, PLAN_MAX_ROWS);
	if (rc)
		return rc;
	x->items[x->n++] = it;
	return WB_OK;
}

/* Most urgent first: never visited, then overdue (longest first), due
 * soon, the rest; by due day within each, then by id. */
static int plan_rank(enum visit_state s)
{
	return s == VISIT_NEVER ? 0 : s == VISIT_OVERDUE ? 1 : s == VISIT_DUE_SOON ? 2 : 3;
}

static int plan_cmp(const void *pa, const void *pb)
{
	const plan_item *a = pa, *b = pb;
	int ra = plan_rank(a->state), rb = plan_rank(b->state);

	if (ra != rb)
		return ra - rb;
	if (a->due_ymd != b->due_ymd)
		return a->due_ymd < b->due_ymd ? -1 : 1;
	return a->row.child_id < b->row.child_id ? -1 : a->row.child_id > b->row.child_id;
}

/* ?state= as a set of states (comma-separated); all but no_plan by default. */
static int parse_states(http_req *r, unsigned *want)
{
	const char *s = http_query(r, "state");
	char one[16];

	*want = 0;
	if (!s || !*s) {
		*want = (1u << VISIT_OK) | (1u << VISIT_DUE_SOON) | (1u << VISIT_OVERDUE) | (1u << VISIT_NEVER);
		return 0;
	}
	while (*s) {
		const char *end = strchr(s, ',');
		size_t n = end ? (size_t)(end - s) : strlen(s);
		enum visit_state st;

		if (n >= sizeof(one))
			n = sizeof(one) - 1;
		memcpy(one, s, n);
		one[n] = '\0';
		if (visit_state_parse(one, &st) || st == VISIT_NO_PLAN) {
			api_error(r, 422, "validation_failed", "state must be among never, overdue, due_soon and ok",
				  "state");
			return -1;
		}
		*want |= 1u << st;
		s += (end ? (size_t)(end - s) + 1 : strlen(s));
	}
	return 0;
}

static json_t *plan_item_json(store_conn *c, const plan_ctx *x, const plan_item *it)
{
	const visit_plan_row *row = &it->row;
	char village[128] = "", due[11];
	json_t *j;

	api_area_name(c, row->village_code, village, sizeof(village));
	if (it->due_ymd)
		date_format(it->due_ymd, due);
	j = json_pack("{s:I, s:s, s:s, s:s, s:s?, s:s, s:s?, s:o, s:i, s:s?, s:s?, s:s, s:o?}", "child_id",
		      (json_int_t)row->child_id, "name", row->name, "village_code", row->village_code, "village_name",
		      village, "grid_code", row->grid_code[0] ? row->grid_code : NULL, "risk_level", row->risk_level,
		      "birth_date", row->birth_date[0] ? row->birth_date : NULL, "categories", cats_json(row->cats),
		      "interval_days", it->interval, "last_visit_on", row->last_visit[0] ? row->last_visit : NULL,
		      "due_on", it->due_ymd ? due : NULL, "state", visit_state_name(it->state), "director_id",
		      row->director_id ? json_integer(row->director_id) : NULL);
	if (j && row->director_id)
		json_object_set_new(j, "director_name", json_string(row->director_name));
	if (j && it->state == VISIT_OVERDUE)
		json_object_set_new(j, "days_overdue", json_integer(date_days(x->today) - date_days(it->due_ymd)));
	return j;
}

/* ---- downloads (CSV) ---- */

static const char *const state_zh[] = {"", "按期", "即将到期", "逾期", "从未走访"};
static const char *const state_en[] = {"", "on schedule", "due soon", "overdue", "never visited"};
static const char *const risk_zh[] = {"低", "中", "高"};
static const char *const cat_zh[] = {"孤儿", "事实无人抚养儿童", "农村留守儿童", "困境儿童"};
static const char *const cat_en[] = {"orphan", "de facto unsupported", "rural left-behind", "in difficulty"};

/* The confirmed categories as text, ";" between them. */
static void cats_text(unsigned cats, int en, char *out, size_t n)
{
	size_t off = 0;

	out[0] = '\0';
	for (int i = 0; i < CAT__COUNT; i++)
		if (cats & (1u << i)) {
			wb_snprintf(out + off, n - off, "%s%s", off ? ";" : "", en ? cat_en[i] : cat_zh[i]);
			off = strlen(out);
		}
}

static const char *const plan_cols_zh[] = {"儿童编号",   "姓名", "村（社区）代码", "村（社区）",
					   "风险等级",   "类别", "走访频次（天）", "上次走访",
					   "应走访日期", "状态", "逾期天数"};
static const char *const plan_cols_en[] = {"Child ID",   "Name",       "Village code",    "Village",
					   "Risk level", "Categories", "Interval (days)", "Last visit",
					   "Due on",     "State",      "Days overdue"};

/* The whole plan (as filtered) as rows of a download. */
static void plan_sheet(api_sheet *sh, store_conn *c, const plan_ctx *x)
{
	int en = sh->en;

	for (size_t i = 0; i < x->n; i++) {
		const plan_item *it = &x->items[i];
		const visit_plan_row *row = &it->row;
		char village[128] = "", cats[160], due[11] = "";
		enum visit_risk risk = RISK_LOW;

		visit_risk_parse(row->risk_level, &risk);
		api_area_name(c, row->village_code, village, sizeof(village));
		cats_text(row->cats, en, cats, sizeof(cats));
		if (it->due_ymd)
			date_format(it->due_ymd, due);
		api_sheet_int(sh, row->child_id, 0);
		api_sheet_text(sh, row->name, 0);
		api_sheet_text(sh, row->village_code, 0);
		api_sheet_text(sh, village, 0);
		api_sheet_text(sh, en ? visit_risk_name(risk) : risk_zh[risk], 0);
		api_sheet_text(sh, cats, 0);
		api_sheet_int(sh, it->interval, 0);
		api_sheet_text(sh, row->last_visit, 0);
		api_sheet_text(sh, due, 0);
		api_sheet_text(sh, en ? state_en[it->state] : state_zh[it->state], 0);
		if (it->state == VISIT_OVERDUE)
			api_sheet_int(sh, date_days(x->today) - date_days(it->due_ymd), 1);
		else
			api_sheet_text(sh, "", 1);
	}
}

int api_visits_plan(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	const char *area = http_query(r, "area"), *s;
	plan_ctx *x;
	audit_entry e;
	json_t *items, *counts, *j;
	char today[11];
	api_sheet sheet;
	long long offset = 0;
	int limit, rc, csv, fmt, en, counts_only;

	if (!can_visit(r, p) || api_limit_counts(r, PLAN_DEFAULT, PLAN_MAX, &limit, &counts_only) ||
	    api_sheet_params(r, SHEET_JSON, 1, &fmt, &en))
		return 0;
	csv = fmt != SHEET_JSON;
	if (csv && !p->def->export_children)
		return api_error(r, 403, "forbidden", "your role may not export lists of children", "format");
	if (area && !area_level_of(area))
		return api_error(r, 422, "validation_failed", "area must be an area code", "area");
	if (api_area_own(r, p, area))
		return 0;
	if ((s = http_query(r, "offset")) && wb_parse_int64(s, 0, PLAN_MAX_ROWS, &offset) != WB_OK)
		return api_error(r, 422, "validation_failed", "offset must be a number from 0", "offset");
	x = calloc(1, sizeof(*x));
	if (!x)
		return api_fail(r, WB_ENOMEM);
	if (parse_states(r, &x->want))
		goto out;
	x->today = clock_today_ymd();
	visits_adult_cutoff(x->today, x->cutoff);
	rc = visits_config_load(c, p->county_code, &x->cfg);
	if (rc == WB_OK)
		rc = store_visit_plan(c, &p->scope, x->cutoff, area, plan_cb, x);
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	if (x->n)
		qsort(x->items, x->n, sizeof(*x->items), plan_cmp);
	if (csv) {
		rc = api_sheet_begin(&sheet, r, fmt, en, en ? "Visit plan" : "走访计划", plan_cols_zh, plan_cols_en,
				     WB_ARRAY_LEN(plan_cols_zh));
		if (rc) {
			api_fail(r, rc);
			goto out;
		}
		plan_sheet(&sheet, c, x);
		api_sheet_audited_end(&sheet, r, a, p, "visit.plan_export", "child",
				      json_pack("{s:s?, s:s?}", "area", area, "state", http_query(r, "state")),
				      "visit-plan", x->today);
		goto out;
	}
	items = json_array();
	for (size_t i = (size_t)offset; i < x->n && i < (size_t)offset + (size_t)limit; i++)
		json_array_append_new(items, plan_item_json(c, x, &x->items[i]));
	counts = json_object();
	for (int st = VISIT_OK; st <= VISIT_NEVER; st++)
		json_object_set_new(counts, visit_state_name((enum visit_state)st), json_integer(x->counts[st]));
	api_audit_init(r, p, &e);
	audit_entry_set(&e, "visit.plan", "child", "", "ok");
	api_audit_detail(&e, json_pack("{s:s?, s:s?, s:s, s:I}", "area", area, "state", http_query(r, "state"),
				       "format", "json", "returned", (json_int_t)json_array_size(items)));
	if (!counts_only && api_audit_read(r, a, &e) != WB_OK) {
		json_decref(items);
		json_decref(counts);
		api_fail(r, WB_ESTORE);
		goto out;
	}
	date_format(x->today, today);
	j = json_pack("{s:o, s:I, s:o, s:s, s:i}", "items", items, "total", (json_int_t)x->n, "counts", counts, "today",
		      today, "due_soon_days", x->cfg.due_soon_days);
	api_json(r, 200, j);
out:
	free(x->items);
	free(x);
	return 0;
}

/* ---- the villages' scorecard (考核) ---- */

#define SCORE_SPAN_MAX 366 /* days a period may cover */

typedef struct score_row {
	char code[16];
	char name[128];
	json_t *directors;
	int64_t n[VISIT_NEVER + 1]; /* children of the plan by state */
	int64_t visits, visited, filed, delivered;
	int64_t late;               /* feedback delivered after its deadline */
	int64_t talks, talk_people; /* 讲: sessions held in the village, attendance */
} score_row;

typedef struct score_ctx {
	visit_plan_config cfg;
	score_row *rows;
	size_t n, cap;
	int today;
} score_ctx;

static int score_village_cb(const char *code, const char *name, void *arg)
{
	score_ctx *x = arg;
	int rc = wb_grow(&x->rows, x->n, &x->cap, sizeof(*x->rows), 64, PLAN_MAX_ROWS);

	if (rc)
		return rc;
	memset(&x->rows[x->n], 0, sizeof(x->rows[0]));
	wb_strlcpy(x->rows[x->n].code, code, sizeof(x->rows[0].code));
	wb_strlcpy(x->rows[x->n].name, name, sizeof(x->rows[0].name));
	x->rows[x->n].directors = json_array();
	x->n++;
	return WB_OK;
}

static int score_cmp(const void *key, const void *row)
{
	return strcmp(key, ((const score_row *)row)->code);
}

/* The village's row (the rows are in code order), or NULL. */
static score_row *score_at(score_ctx *x, const char *code)
{
	return x->n ? bsearch(code, x->rows, x->n, sizeof(*x->rows), score_cmp) : NULL;
}

static int score_plan_cb(const visit_plan_row *row, void *arg)
{
	score_ctx *x = arg;
	score_row *s = score_at(x, row->village_code);
	int interval, due;

	if (s)
		s->n[visits_state_of(&x->cfg, row->risk_level, row->cats, row->last_visit, x->today, &interval,
				     &due)]++;
	return WB_OK;
}

static int score_visits_cb(const char *village, const char *key, const int64_t n[3], void *arg)
{
	score_row *s = score_at(arg, village);

	(void)key;
	if (s) {
		s->visits = n[0];
		s->visited = n[1];
	}
	return WB_OK;
}

static int score_requests_cb(const char *village, const char *key, const int64_t n[3], void *arg)
{
	score_row *s = score_at(arg, village);

	(void)key;
	if (s) {
		s->filed = n[0];
		s->delivered = n[1];
		s->late = n[2];
	}
	return WB_OK;
}

static int score_talks_cb(const char *village, const char *key, const int64_t n[3], void *arg)
{
	score_row *s = strlen(village) == 12 ? score_at(arg, village) : NULL;

	(void)key;
	if (s) {
		s->talks = n[0];
		s->talk_people = n[1] + n[2];
	}
	return WB_OK;
}

/* A review as JSON, or null when the director has none for the period. */
static json_t *review_json(const director_review *rv)
{
	if (!rv || !rv->rating[0])
		return json_null();
	return json_pack("{s:s, s:s, s:s, s:I, s:s, s:I, s:I}", "period", rv->period, "rating", rv->rating, "comment",
			 rv->comment, "reviewer_id", (json_int_t)rv->reviewer_id, "by", rv->reviewer_name, "created_at",
			 (json_int_t)rv->created_at, "updated_at", (json_int_t)rv->updated_at);
}

static int score_director_cb(const char *village, int64_t user_id, const char *name, const director_work *w,
			     const director_review *rv, void *arg)
{
	score_row *s = score_at(arg, village);

	if (s)
		json_array_append_new(s->directors,
				      json_pack("{s:I, s:s, s:I, s:I, s:o}", "user_id", (json_int_t)user_id, "name",
						name, "visits", (json_int_t)w->visits, "requests_filed",
						(json_int_t)w->filed, "review", review_json(rv)));
	return WB_OK;
}

/* The figures of a row (or of the totals: directors NULL). */
static json_t *score_json(const score_row *s, json_t *directors)
{
	int64_t planned = s->n[VISIT_OK] + s->n[VISIT_DUE_SOON] + s->n[VISIT_OVERDUE] + s->n[VISIT_NEVER];
	json_t *j = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "in_plan", (json_int_t)planned,
			      "on_schedule", (json_int_t)(s->n[VISIT_OK] + s->n[VISIT_DUE_SOON]), "overdue",
			      (json_int_t)s->n[VISIT_OVERDUE], "never", (json_int_t)s->n[VISIT_NEVER], "visits",
			      (json_int_t)s->visits, "children_visited", (json_int_t)s->visited, "requests_filed",
			      (json_int_t)s->filed, "feedback_delivered", (json_int_t)s->delivered, "due_soon",
			      (json_int_t)s->n[VISIT_DUE_SOON]);

	if (!j)
		return NULL;
	json_object_set_new(j, "talks", json_integer(s->talks));
	json_object_set_new(j, "talk_attendance", json_integer(s->talk_people));
	/* the timeliness of the village's step of the loop: the result
	 * delivered to the child within the deadline */
	json_object_set_new(j, "feedback_late", json_integer(s->late));
	json_object_set_new(j, "feedback_on_time",
			    s->delivered ? json_real((double)(s->delivered - s->late) / (double)s->delivered)
					 : json_null());
	/* the share of the plan's children visited within their interval */
	json_object_set_new(j, "coverage",
			    planned ? json_real((double)(s->n[VISIT_OK] + s->n[VISIT_DUE_SOON]) / (double)planned)
				    : json_null());
	if (directors) {
		json_object_set_new(j, "village_code", json_string(s->code));
		json_object_set_new(j, "village_name", json_string(s->name));
		json_object_set_new(j, "directors", json_incref(directors));
	}
	return j;
}

/* ?from= and ?to= (default: this month up to today), checked. -1 after a 422. */
static int score_period(http_req *r, int today, int *from, int *to)
{
	const char *f = http_query(r, "from"), *t = http_query(r, "to");

	*from = today / 100 * 100 + 1;
	*to = today;
	if (f && date_parse(f, from) != WB_OK)
		return api_error(r, 422, "validation_failed", "from must be a date YYYY-MM-DD", "from"), -1;
	if (t && date_parse(t, to) != WB_OK)
		return api_error(r, 422, "validation_failed", "to must be a date YYYY-MM-DD", "to"), -1;
	if (*to < *from)
		return api_error(r, 422, "validation_failed", "to must not be before from", "to"), -1;
	if (date_days(*to) - date_days(*from) >= SCORE_SPAN_MAX)
		return api_error(r, 422, "validation_failed", "a period covers at most 366 days", "to"), -1;
	return 0;
}

/* ---- the supervisor's review of a director (考核评价) ---- */

#define REVIEW_COMMENT_CHARS 500

static const char *const ratings[] = {"excellent", "competent", "basic", "incompetent", NULL};
static const char *const rating_zh[] = {"优秀", "称职", "基本称职", "不称职"};
static const char *const rating_en[] = {"Excellent", "Competent", "Basically competent", "Incompetent"};

static const char *rating_word(const char *code, int en)
{
	for (int i = 0; ratings[i]; i++)
		if (strcmp(ratings[i], code) == 0)
			return en ? rating_en[i] : rating_zh[i];
	return code;
}

/* The first day (YYYYMMDD) of a review period, "YYYY" (a year) or
 * "YYYY-Qn" (a quarter), or 0 when s is neither (years 2000 to 2099). */
static int review_period_start(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	int y;

	if ((n != 4 && n != 7) || strspn(s, "0123456789") < 4)
		return 0;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	if (y < 2000 || y > 2099)
		return 0;
	if (n == 4)
		return y * 10000 + 101;
	if (s[4] != '-' || s[5] != 'Q' || s[6] < '1' || s[6] > '4')
		return 0;
	return y * 10000 + ((s[6] - '1') * 3 + 1) * 100 + 1;
}

/* The quarter of day ymd, "YYYY-Qn". */
static void quarter_of(int ymd, char *out, size_t n)
{
	wb_snprintf(out, n, "%04d-Q%d", ymd / 10000, (ymd / 100 % 100 - 1) / 3 + 1);
}

static const api_field review_fields[] = {
	{"rating", JSON_STRING, 1, 16},
	{"comment", JSON_STRING, 0, REVIEW_COMMENT_CHARS * 4},
	{NULL, 0, 0, 0},
};

static int review_fn(store_conn *c, void *arg)
{
	return store_director_review_put(c, arg);
}

/*
 * PUT /api/v1/directors/{id}/reviews/{period} {rating, comment}: the
 * township supervisor's review of one of the township's child directors
 * for a year or a quarter that has begun (SPEC §5: the scorecard "plus the
 * supervisor's review"). A second PUT changes it; both are audited.
 */
int api_director_review_put(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	const char *period = http_param(r, "period"), *rating, *comment;
	director_review *rv = calloc(1, sizeof(*rv));
	json_t *body = NULL;
	audit_entry e;
	char hi[20];
	int64_t id;
	int start, rc;

	if (!rv) {
		api_fail(r, WB_ENOMEM);
		goto out;
	}
	if (api_id_param(r, "id", &id))
		goto out;
	if (strcmp(p->role, "supervisor") != 0) {
		api_error(r, 403, "forbidden", "child directors are reviewed by their township's supervisor", NULL);
		goto out;
	}
	start = review_period_start(period);
	if (!start || start > clock_today_ymd()) {
		api_error(r, 422, "validation_failed",
			  "period must be a year (2026) or a quarter (2026-Q4) that has begun", "period");
		goto out;
	}
	if (api_body(r, &body) || api_check_fields(r, body, review_fields))
		goto out;
	rating = api_str(body, "rating");
	if (!rating || !api_one_of(rating, ratings)) {
		api_error(r, 422, "validation_failed", "rating must be excellent, competent, basic or incompetent",
			  "rating");
		goto out;
	}
	comment = api_str(body, "comment");
	if (comment && api_utf8_chars(comment) > REVIEW_COMMENT_CHARS) {
		api_error(r, 422, "validation_failed", "comment may have at most 500 characters", "comment");
		goto out;
	}
	/* a director of a village of the supervisor's own township, else 404 */
	wb_snprintf(hi, sizeof(hi), "%s:", p->area_code);
	rc = store_director_village(c, p->county_code, id, p->area_code, hi, rv->village_code,
				    sizeof(rv->village_code));
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	wb_strlcpy(rv->county_code, p->county_code, sizeof(rv->county_code));
	rv->director_id = id;
	wb_strlcpy(rv->period, period, sizeof(rv->period));
	wb_strlcpy(rv->rating, rating, sizeof(rv->rating));
	wb_strlcpy(rv->comment, comment ? comment : "", sizeof(rv->comment));
	wb_trim(rv->comment); /* a comment of blanks is none */
	rv->reviewer_id = p->user_id;
	rv->created_at = rv->updated_at = clock_now();
	api_audit_init(r, p, &e);
	wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, id);
	audit_entry_set(&e, "director.review", "user", e.object_id, "ok");
	api_audit_detail(&e, json_pack("{s:s, s:s, s:s}", "period", rv->period, "rating", rv->rating, "village",
				       rv->village_code));
	api_conn_release(r); /* the job runs on the writer's connection */
	rc = audit_submit(a->audit, &e, review_fn, rv);
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	wb_strlcpy(rv->reviewer_name, p->display_name, sizeof(rv->reviewer_name));
	{
		json_t *j = review_json(rv);

		json_object_set_new(j, "director_id", json_integer(id));
		json_object_set_new(j, "village_code", json_string(rv->village_code));
		api_json(r, 200, j);
	}
out:
	json_decref(body);
	free(rv);
	return 0;
}

static const char *const score_cols_zh[] = {"村（社区）代码", "村（社区）", "儿童主任", "纳入计划",    "按期走访",
					    "其中即将到期",   "逾期",       "从未走访", "覆盖率（%）", "走访次数",
					    "走访儿童",       "发起求助",   "反馈送达", "反馈逾期",    "宣讲场次",
					    "宣讲参加人次",   "考核评价"};
static const char *const score_cols_en[] = {
	"Village code",      "Village",        "Child directors",   "In plan",        "On schedule",
	"Of which due soon", "Overdue",        "Never visited",     "Coverage (%)",   "Visits",
	"Children visited",  "Requests filed", "Results delivered", "Delivered late", "Talks",
	"Talk attendance",   "Review"};

/* One row of the scorecard in a download (code NULL: the totals). */
static void score_sheet_row(api_sheet *out, const score_row *s, const char *code, const char *name, json_t *directors)
{
	int64_t planned = s->n[VISIT_OK] + s->n[VISIT_DUE_SOON] + s->n[VISIT_OVERDUE] + s->n[VISIT_NEVER];
	int64_t nums[9] = {planned,
			   s->n[VISIT_OK] + s->n[VISIT_DUE_SOON],
			   s->n[VISIT_DUE_SOON],
			   s->n[VISIT_OVERDUE],
			   s->n[VISIT_NEVER],
			   0,
			   s->visits,
			   s->visited,
			   s->filed};
	char names[512] = "";
	size_t off = 0, i;
	json_t *d;

	json_array_foreach(directors, i, d)
	{
		wb_snprintf(names + off, sizeof(names) - off, "%s%s", off ? ";" : "",
			    json_string_value(json_object_get(d, "name")));
		off = strlen(names);
	}
	api_sheet_text(out, code, 0);
	api_sheet_text(out, name, 0);
	api_sheet_text(out, names, 0);
	for (int k = 0; k < 9; k++) {
		if (k != 5)
			api_sheet_int(out, nums[k], 0);
		else if (planned)
			api_sheet_dec(out, 100.0 * (double)(s->n[VISIT_OK] + s->n[VISIT_DUE_SOON]) / (double)planned, 1,
				      0);
		else
			api_sheet_text(out, "", 0);
	}
	api_sheet_int(out, s->delivered, 0);
	api_sheet_int(out, s->late, 0);
	api_sheet_int(out, s->talks, 0);
	api_sheet_int(out, s->talk_people, 0);
	/* the directors' reviews of the period: "name: rating" */
	names[0] = '\0';
	off = 0;
	json_array_foreach(directors, i, d)
	{
		const char *rt = json_string_value(json_object_get(json_object_get(d, "review"), "rating"));

		if (rt)
			wb_snprintf(names + off, sizeof(names) - off, "%s%s%s%s", off ? ";" : "",
				    json_string_value(json_object_get(d, "name")), out->en ? ": " : "：",
				    rating_word(rt, out->en));
		off = strlen(names);
	}
	api_sheet_text(out, names, 1);
}

int api_visits_scorecard(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	const char *area = http_query(r, "area"), *review_period = http_query(r, "review_period");
	char from_s[11], to_s[11], review_buf[8];
	score_ctx *x;
	score_row total;
	json_t *villages, *j;
	api_sheet sheet;
	int from, to, rc, csv, fmt, en;
	/* the start of from and the end of to in China Standard Time (UTC+8) */
	int64_t t_from, t_to;

	(void)a;
	if (p->scope.children != SCOPE_COUNTY && p->scope.children != SCOPE_AREA)
		return api_error(r, 403, "forbidden", "the scorecard is for the centre, townships and child directors",
				 NULL);
	if (api_sheet_params(r, SHEET_JSON, 1, &fmt, &en))
		return 0;
	csv = fmt != SHEET_JSON;
	if (area && (!area_level_of(area) || strlen(area) == 15))
		return api_error(r, 422, "validation_failed", "area must be a township or village code", "area");
	if (api_area_own(r, p, area))
		return 0;
	x = calloc(1, sizeof(*x));
	if (!x)
		return api_fail(r, WB_ENOMEM);
	x->today = clock_today_ymd();
	if (score_period(r, x->today, &from, &to))
		goto out;
	/* the reviews shown: of ?review_period=, or of the quarter of `to` */
	if (review_period) {
		if (!review_period_start(review_period)) {
			api_error(r, 422, "validation_failed",
				  "review_period must be a year (2026) or a quarter (2026-Q4)", "review_period");
			goto out;
		}
		wb_strlcpy(review_buf, review_period, sizeof(review_buf));
	} else {
		quarter_of(to, review_buf, sizeof(review_buf));
	}
	review_period = review_buf;
	date_format(from, from_s);
	date_format(to, to_s);
	t_from = date_day_start(from);
	t_to = date_day_start(date_add_days(to, 1));
	{
		char cutoff[11];

		visits_adult_cutoff(x->today, cutoff);
		rc = visits_config_load(c, p->county_code, &x->cfg);
		if (rc == WB_OK)
			rc = store_scope_villages(c, &p->scope, area, score_village_cb, x);
		if (rc == WB_OK)
			rc = store_visit_plan(c, &p->scope, cutoff, area, score_plan_cb, x);
	}
	if (rc == WB_OK)
		rc = store_village_visits(c, &p->scope, from_s, to_s, area, score_visits_cb, x);
	if (rc == WB_OK)
		rc = store_village_requests(c, &p->scope, t_from, t_to, area, score_requests_cb, x);
	if (rc == WB_OK) {
		/* the talks held in the scope's villages (and area) in the period */
		talk_filter f = {p->county_code, NULL, NULL, 0, from_s, to_s};
		char hi[20];

		if (area && area[0] && strlen(area) > 6) {
			wb_snprintf(hi, sizeof(hi), "%s:", area);
			f.lo = area;
			f.hi = hi;
		} else if (p->scope.children == SCOPE_AREA) {
			f.lo = p->scope.lo;
			f.hi = p->scope.hi;
		}
		rc = store_talks_by_village(c, &f, score_talks_cb, x);
	}
	if (rc == WB_OK)
		rc = store_village_directors(c, &p->scope, area, from_s, to_s, t_from, t_to, review_period,
					     score_director_cb, x);
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	memset(&total, 0, sizeof(total));
	if (csv && (rc = api_sheet_begin(&sheet, r, fmt, en, en ? "Scorecard" : "考核", score_cols_zh, score_cols_en,
					 WB_ARRAY_LEN(score_cols_zh))) != WB_OK) {
		api_fail(r, rc);
		goto out;
	}
	villages = json_array();
	for (size_t i = 0; i < x->n; i++) {
		const score_row *s = &x->rows[i];

		if (csv)
			score_sheet_row(&sheet, s, s->code, s->name, s->directors);

		for (int k = 0; k <= VISIT_NEVER; k++)
			total.n[k] += s->n[k];
		total.visits += s->visits;
		total.visited += s->visited;
		total.filed += s->filed;
		total.delivered += s->delivered;
		total.late += s->late;
		total.talks += s->talks;
		total.talk_people += s->talk_people;
		json_array_append_new(villages, score_json(s, s->directors));
	}
	if (csv) {
		score_sheet_row(&sheet, &total, NULL, en ? "Total" : "合计", NULL);
		api_sheet_summary_row(&sheet);
		json_decref(villages);
		api_sheet_end(&sheet, r, "scorecard", x->today);
		goto out;
	}
	j = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "from", from_s, "to", to_s, "area", area ? area : p->area_code,
		      "review_period", review_period, "totals", score_json(&total, NULL), "villages", villages);
	api_json(r, 200, j);
out:
	for (size_t i = 0; i < x->n; i++)
		json_decref(x->rows[i].directors);
	free(x->rows);
	free(x);
	return 0;
}
