/*
 * Supporting programmes (SPEC §7): returning-entrepreneur projects (返乡创业)
 * and rural-revitalisation partners (乡村振兴合伙人, basic → growth → core)
 * that change children's situation.
 *
 *   GET  /api/v1/programmes                  the programmes of the caller's place, with totals
 *   POST /api/v1/programmes                  a new one (the centre, a township)
 *   GET  /api/v1/programmes/{id}             one: the parents who came home, the log
 *   PATCH /api/v1/programmes/{id}            its facts, partner level and status
 *   POST /api/v1/programmes/{id}/returns     a parent of a registered child came home to work in it
 *
 * A return is one transaction: the parent becomes present (a line of the
 * child's history), the categories are derived again, and a confirmed
 * left-behind category that no longer holds ends with the reason
 * parent_returned on the day of the return.
 *
 * The committee and the centre see the county's programmes, a township's
 * supervisor and station those of the township. Children are named only
 * within the caller's scope; such a read is audited (`programme.read`).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../domain/area.h"
#include "../domain/category.h"
#include "../domain/date.h"
#include "../store/q_programmes.h"
#include "../util/clock.h"
#include "../util/wb.h"
#include "api.h"
#include "sheet.h"
#include "programmes_api.h"
#include "registry.h"

#define NAME_CHARS     64
#define HOLDER_CHARS   30
#define INDUSTRY_CHARS 30
#define NOTES_CHARS    600
#define PEOPLE_MAX     100000
#define LIST_DEFAULT   200
#define LIST_MAX       1000
#define EXPORT_MAX     20000
#define FIRST_YEAR     20000101

static const char *const kinds[] = {"returning_entrepreneur", "revitalisation_partner", NULL};
static const char *const levels[] = {"basic", "growth", "core", NULL};
static const char *const statuses[] = {"active", "ended", NULL};

/* The place whose programmes p follows: 1 with lo/hi NULL (the county) or
 * the township's range; 0 when none. *write: p may record. */
static int place_of(const sec_principal *p, const char **lo, const char **hi, int *write)
{
	*lo = *hi = NULL;
	*write = 0;
	if (api_role_is(p, "committee"))
		return 1;
	if (api_role_is(p, "center")) {
		*write = 1;
		return 1;
	}
	if ((api_role_is(p, "supervisor") || api_role_is(p, "station")) && p->scope.children == SCOPE_AREA) {
		*lo = p->scope.lo;
		*hi = p->scope.hi;
		*write = 1;
		return 1;
	}
	return 0;
}

static int in_range(const char *area, const char *lo, const char *hi)
{
	return !lo || (strcmp(area, lo) >= 0 && strcmp(area, hi) < 0);
}

static json_t *programme_json(const programme_rec *p)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:I, s:I, s:I, s:I}", "id",
			 (json_int_t)p->id, "area_code", p->area_code, "kind", p->kind, "name", p->name, "holder",
			 p->holder, "industry", p->industry, "level", p->level, "status", p->status, "started_on",
			 p->started_on, "jobs", (json_int_t)p->jobs, "returnees", (json_int_t)p->returnees, "notes",
			 p->notes, "returns", (json_int_t)p->returns, "left_behind_ended",
			 (json_int_t)p->left_behind_ended, "updated_at", (json_int_t)p->updated_at, "version",
			 (json_int_t)p->version);
}

static int list_cb(const programme_rec *p, void *arg)
{
	json_array_append_new(arg, programme_json(p));
	return WB_OK;
}

static const sheet_word kind_words[] = {
	{"returning_entrepreneur", "返乡创业", "Returning entrepreneur"},
	{"revitalisation_partner", "乡村振兴合伙人", "Rural-revitalisation partner"},
	{NULL, NULL, NULL},
};
static const sheet_word level_words[] = {
	{"basic", "基础", "Basic"},
	{"growth", "成长", "Growth"},
	{"core", "核心", "Core"},
	{NULL, NULL, NULL},
};
static const sheet_word status_words[] = {
	{"active", "进行中", "Active"},
	{"ended", "已结束", "Ended"},
	{NULL, NULL, NULL},
};
static const sheet_col programme_cols[] = {
	{"编号", "ID", "id", SC_INT, NULL},
	{"类型", "Kind", "kind", SC_WORD, kind_words},
	{"名称", "Name", "name", SC_TEXT, NULL},
	{"负责人", "Holder", "holder", SC_TEXT, NULL},
	{"行业", "Industry", "industry", SC_TEXT, NULL},
	{"合伙人等级", "Partner level", "level", SC_WORD, level_words},
	{"状态", "Status", "status", SC_WORD, status_words},
	{"区划代码", "Area code", "area_code", SC_TEXT, NULL},
	{"所在区划", "Area", "area_code", SC_AREA, NULL},
	{"开始日期", "Started on", "started_on", SC_TEXT, NULL},
	{"带动就业", "Jobs", "jobs", SC_INT, NULL},
	{"返乡人数", "Returnees", "returnees", SC_INT, NULL},
	{"登记返乡父母", "Parents who came home", "returns", SC_INT, NULL},
	{"结束留守的儿童", "Children no longer left behind", "left_behind_ended", SC_INT, NULL},
	{"备注", "Notes", "notes", SC_TEXT, NULL},
};

int api_programmes_list(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	const char *kind = http_query(r, "kind"), *status = http_query(r, "status"), *area = http_query(r, "area");
	programme_filter f;
	json_t *items;
	int64_t n[4];
	char hi[20];
	int write, limit, rc, fmt, en;

	memset(&f, 0, sizeof(f));
	if (!place_of(p, &f.lo, &f.hi, &write))
		return api_error(r, 403, "forbidden", "supporting programmes are followed by the centre and townships",
				 NULL);
	if (api_limit(r, LIST_DEFAULT, LIST_MAX, &limit) || api_sheet_params(r, SHEET_JSON, 1, &fmt, &en))
		return 0;
	if (kind && !api_one_of(kind, kinds))
		return api_error(r, 422, "validation_failed",
				 "kind must be returning_entrepreneur or revitalisation_partner", "kind");
	if (status && !api_one_of(status, statuses))
		return api_error(r, 422, "validation_failed", "status must be active or ended", "status");
	if (area) {
		if (!area_level_of(area) || strlen(area) < 9 || strlen(area) > 12 || !in_range(area, f.lo, f.hi))
			return api_error(r, 422, "validation_failed", "area must be a township or village of yours",
					 "area");
		wb_snprintf(hi, sizeof(hi), "%s:", area);
		f.lo = area;
		f.hi = hi;
	}
	f.county = p->county_code;
	f.kind = kind;
	f.status = status;
	items = json_array();
	rc = store_programmes(c, &f, fmt != SHEET_JSON ? EXPORT_MAX : limit, list_cb, items);
	if (rc == WB_OK && fmt != SHEET_JSON) /* audited: it names the holders */
		return api_sheet_items(r, a, p, items, fmt, en, en ? "Programmes" : "帮扶项目", "programmes",
				       programme_cols, WB_ARRAY_LEN(programme_cols), "programme.export", "programme",
				       json_pack("{s:s?, s:s?, s:s?}", "kind", kind, "status", status, "area", area));
	if (rc == WB_OK)
		rc = store_programmes_totals(c, &f, n);
	if (rc) {
		json_decref(items);
		return api_fail(r, rc);
	}
	return api_json(r, 200,
			json_pack("{s:o, s:{s:I, s:I, s:I, s:I}}", "items", items, "totals", "programmes",
				  (json_int_t)n[0], "jobs", (json_int_t)n[1], "returnees", (json_int_t)n[2],
				  "left_behind_ended", (json_int_t)n[3]));
}

static const api_field programme_fields[] = {
	{"area_code", JSON_STRING, 0, 16},
	{"kind", JSON_STRING, 1, 32},
	{"name", JSON_STRING, 1, NAME_CHARS * 4},
	{"holder", JSON_STRING, 1, HOLDER_CHARS * 4},
	{"industry", JSON_STRING, 0, INDUSTRY_CHARS * 4},
	{"level", JSON_STRING, 0, 8},
	{"status", JSON_STRING, 0, 8},
	{"started_on", JSON_STRING, 1, 16},
	{"jobs", JSON_INTEGER, 0, 0},
	{"returnees", JSON_INTEGER, 0, 0},
	{"notes", JSON_STRING, 0, NOTES_CHARS * 4},
	{"version", JSON_INTEGER, 0, 0}, /* on an edit: the version read */
	{NULL, 0, 0, 0},
};

/* A text of 1..max characters (leading blanks dropped) into out. */
static int text_field(http_req *r, json_t *body, const char *key, size_t max, int required, char *out, size_t n)
{
	const char *s = api_str(body, key);
	char msg[80];

	if (!s)
		return 0;
	while (*s == ' ')
		s++;
	if ((required && !*s) || api_utf8_chars(s) > max) {
		wb_snprintf(msg, sizeof(msg), "%s must have %s to %zu characters", key, required ? "1" : "0", max);
		return api_error(r, 422, "validation_failed", msg, key), -1;
	}
	wb_strlcpy(out, s, n);
	return 0;
}

static int count_field(http_req *r, json_t *body, const char *key, int64_t *out)
{
	json_t *v = json_object_get(body, key);
	char msg[80];

	if (!v)
		return 0;
	if (json_integer_value(v) < 0 || json_integer_value(v) > PEOPLE_MAX) {
		wb_snprintf(msg, sizeof(msg), "%s must be a number of people from 0", key);
		return api_error(r, 422, "validation_failed", msg, key), -1;
	}
	*out = json_integer_value(v);
	return 0;
}

static int level_index(const char *level)
{
	for (int i = 0; levels[i]; i++)
		if (strcmp(levels[i], level) == 0)
			return i;
	return 0;
}

/* The facts of body into p (on create and on update). 0, or -1 after a 422. */
static int programme_facts(http_req *r, json_t *body, programme_rec *p, int create)
{
	const char *level = api_str(body, "level"), *status = api_str(body, "status");

	if (text_field(r, body, "name", NAME_CHARS, 1, p->name, sizeof(p->name)) ||
	    text_field(r, body, "holder", HOLDER_CHARS, 1, p->holder, sizeof(p->holder)) ||
	    text_field(r, body, "industry", INDUSTRY_CHARS, 0, p->industry, sizeof(p->industry)) ||
	    text_field(r, body, "notes", NOTES_CHARS, 0, p->notes, sizeof(p->notes)) ||
	    count_field(r, body, "jobs", &p->jobs) || count_field(r, body, "returnees", &p->returnees))
		return -1;
	if (level) {
		if (!api_one_of(level, levels))
			return api_error(r, 422, "validation_failed", "level must be basic, growth or core", "level"),
			       -1;
		if (strcmp(p->kind, "revitalisation_partner") != 0 && strcmp(level, "basic") != 0)
			return api_error(r, 422, "validation_failed", "levels are for rural-revitalisation partners",
					 "level"),
			       -1;
		/* a partner starts at basic and grows basic → growth → core
		 * (SPEC §7), a step at a time either way, while the programme
		 * runs: an ended programme's partner keeps the level she ended
		 * at */
		if (create && strcmp(level, "basic") != 0)
			return api_error(r, 422, "validation_failed",
					 "a new partner starts at basic: basic, growth, core", "level"),
			       -1;
		if (!create && strcmp(level, p->level) != 0 && strcmp(p->status, "active") != 0)
			return api_error(r, 422, "validation_failed",
					 "the programme has ended: its partner level does not change", "level"),
			       -1;
		if (!create && abs(level_index(level) - level_index(p->level)) > 1)
			return api_error(r, 422, "validation_failed",
					 "level moves a step at a time: basic, growth, core", "level"),
			       -1;
		wb_strlcpy(p->level, level, sizeof(p->level));
	}
	if (status) {
		if (!api_one_of(status, statuses) || (create && strcmp(status, "active") != 0))
			return api_error(r, 422, "validation_failed",
					 create ? "a new programme is active" : "status must be active or ended",
					 "status"),
			       -1;
		wb_strlcpy(p->status, status, sizeof(p->status));
	}
	return 0;
}

static int insert_fn(store_conn *c, void *arg)
{
	return store_programme_insert(c, arg);
}

int api_programme_create(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	programme_rec *pr = calloc(1, sizeof(*pr));
	json_t *body = NULL;
	const char *lo, *hi, *area, *kind;
	audit_entry e;
	area_rec ar;
	int write, ymd, rc;

	if (!pr)
		return api_fail(r, WB_ENOMEM);
	if (!place_of(p, &lo, &hi, &write) || !write) {
		api_error(r, 403, "forbidden", "supporting programmes are recorded by the centre and townships", NULL);
		goto out;
	}
	if (api_body(r, &body) || api_check_fields(r, body, programme_fields))
		goto out;
	if (json_object_get(body, "version")) {
		api_error(r, 422, "unknown_field", "version is set by the server", "version");
		goto out;
	}
	kind = api_str(body, "kind");
	if (!api_one_of(kind, kinds)) {
		api_error(r, 422, "validation_failed", "kind must be returning_entrepreneur or revitalisation_partner",
			  "kind");
		goto out;
	}
	wb_strlcpy(pr->kind, kind, sizeof(pr->kind));
	wb_strlcpy(pr->level, "basic", sizeof(pr->level));
	wb_strlcpy(pr->status, "active", sizeof(pr->status));
	if (programme_facts(r, body, pr, 1))
		goto out;
	area = api_str(body, "area_code");
	if (!area)
		area = lo ? lo : "";
	if (!*area || !area_level_of(area) || strlen(area) < 9 || strlen(area) > 12 ||
	    store_area_get(c, area, &ar) != WB_OK || strcmp(ar.county_code, p->county_code) != 0 ||
	    !in_range(area, lo, hi)) {
		api_error(r, 422, "validation_failed", "area_code must be a township or village of yours", "area_code");
		goto out;
	}
	if (date_parse(api_str(body, "started_on"), &ymd) != WB_OK || ymd > clock_today_ymd() || ymd < FIRST_YEAR) {
		api_error(r, 422, "validation_failed", "started_on must be a date YYYY-MM-DD since 2000, not ahead",
			  "started_on");
		goto out;
	}
	date_format(ymd, pr->started_on);
	wb_strlcpy(pr->area_code, area, sizeof(pr->area_code));
	wb_strlcpy(pr->county_code, p->county_code, sizeof(pr->county_code));
	pr->created_at = pr->updated_at = clock_now();
	pr->created_by = pr->updated_by = p->user_id;
	api_audit_init(r, p, &e);
	audit_entry_set(&e, "programme.create", "area", pr->area_code, "ok");
	api_audit_detail(&e, json_pack("{s:s}", "kind", pr->kind));
	api_conn_release(r);
	rc = audit_submit(a->audit, &e, insert_fn, pr);
	if (rc)
		api_fail(r, rc);
	else
		api_json(r, 201, programme_json(pr));
out:
	json_decref(body);
	free(pr);
	return 0;
}

/* Programme of path parameter id within p's place: 0, or -1 after 403/404. */
static int programme_load(http_req *r, store_conn *c, const sec_principal *p, int want_write, programme_rec *out)
{
	const char *lo, *hi;
	int64_t id;
	int write, rc;

	if (api_id_param(r, "id", &id))
		return -1;
	if (!place_of(p, &lo, &hi, &write))
		return api_error(r, 403, "forbidden", "supporting programmes are followed by the centre and townships",
				 NULL),
		       -1;
	rc = store_programme_get(c, p->county_code, id, out);
	if (rc == WB_OK && !in_range(out->area_code, lo, hi))
		rc = WB_ENOTFOUND;
	if (rc)
		return api_fail(r, rc), -1;
	if (want_write && !write)
		return api_error(r, 403, "forbidden", "supporting programmes are recorded by the centre and townships",
				 NULL),
		       -1;
	return 0;
}

typedef struct returns_ctx {
	json_t *items;
	int scoped; /* the caller names children within its scope */
	int named;  /* returns whose child was named */
} returns_ctx;

/* Every return is listed, so that the list agrees with the programme's
 * counts; a child outside the caller's scope (moved away, archived, or of
 * another township) is not named. */
static int return_cb(const programme_return_rec *x, void *arg)
{
	returns_ctx *rx = arg;
	json_t *o =
		json_pack("{s:I, s:s, s:s, s:b, s:s}", "id", (json_int_t)x->id, "relation", x->relation, "returned_on",
			  x->returned_on, "left_behind_ended", x->left_behind_ended, "by", x->by_name);

	api_child_ref(o, x->child_id, x->child_name, x->child_village, !x->child_id && rx->scoped);
	if (x->child_id)
		rx->named++;
	json_array_append_new(rx->items, o);
	return WB_OK;
}

static int log_cb(const programme_log_rec *l, void *arg)
{
	json_array_append_new(arg, json_pack("{s:I, s:s, s:s?, s:s, s:s}", "at", (json_int_t)l->at, "field", l->field,
					     "from", l->old_value[0] ? l->old_value : NULL, "to", l->new_value, "by",
					     l->by_name));
	return WB_OK;
}

static int detail_answer(http_req *r, app *a, store_conn *c, const sec_principal *p, int64_t id, int status,
			 json_t *extra)
{
	programme_rec pr;
	json_t *returns = json_array(), *log = json_array(), *o;
	returns_ctx rx = {returns, p->scope.children != SCOPE_NONE, 0};
	audit_entry e;
	int rc = store_programme_get(c, p->county_code, id, &pr);

	if (rc == WB_OK)
		rc = store_programme_returns(c, id, rx.scoped ? &p->scope : NULL, return_cb, &rx);
	if (rc == WB_OK)
		rc = store_programme_log(c, id, log_cb, log);
	if (rc == WB_OK && rx.named > 0) {
		api_audit_init(r, p, &e);
		wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, id);
		audit_entry_set(&e, "programme.read", "programme", e.object_id, "ok");
		if (api_audit_read(r, a, &e) != WB_OK)
			rc = WB_ESTORE;
	}
	if (rc) {
		json_decref(returns);
		json_decref(log);
		json_decref(extra);
		return api_fail(r, rc);
	}
	o = programme_json(&pr);
	json_object_set_new(o, "return_list", returns);
	json_object_set_new(o, "log", log);
	if (extra)
		json_object_update(o, extra);
	json_decref(extra);
	return api_json(r, status, o);
}

int api_programme_get(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	programme_rec pr;

	if (programme_load(r, c, p, 0, &pr))
		return 0;
	return detail_answer(r, a, c, p, pr.id, 200, NULL);
}

typedef struct update_job {
	programme_rec now, old;
} update_job;

static int update_fn(store_conn *c, void *arg)
{
	update_job *j = arg;

	return store_programme_update(c, &j->now, &j->old);
}

static int stale(http_req *r)
{
	return api_error(r, 409, "version_conflict",
			 "the programme was changed meanwhile (an edit or a parent's return); reload and try again",
			 "version");
}

int api_programme_update(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	update_job *j = malloc(sizeof(*j));
	json_t *body = NULL, *ver;
	audit_entry e;
	int rc;

	if (!j)
		return api_fail(r, WB_ENOMEM);
	if (programme_load(r, c, p, 1, &j->old))
		goto out;
	j->now = j->old;
	if (api_body(r, &body) || api_check_fields_ex(r, body, programme_fields, 0))
		goto out;
	/* the version read: an edit of a programme that moved on since (an
	 * edit or a return meanwhile) is refused, not written over it */
	ver = json_object_get(body, "version");
	if (!ver) {
		api_error(r, 422, "required", "field 'version' is required (the version you read)", "version");
		goto out;
	}
	if (!json_is_integer(ver) || json_integer_value(ver) != j->old.version) {
		stale(r);
		goto out;
	}
	if (programme_facts(r, body, &j->now, 0))
		goto out;
	if (j->now.returnees < j->old.returns) {
		char msg[120];

		wb_snprintf(msg, sizeof(msg),
			    "returnees must count at least the %" PRId64 " parents recorded as come home",
			    j->old.returns);
		api_error(r, 422, "validation_failed", msg, "returnees");
		goto out;
	}
	if (json_object_get(body, "area_code") || json_object_get(body, "kind") ||
	    json_object_get(body, "started_on")) {
		const char *f = json_object_get(body, "area_code") ? "area_code"
				: json_object_get(body, "kind")    ? "kind"
								   : "started_on";

		api_error(r, 422, "validation_failed", "a programme's place, kind and start do not change", f);
		goto out;
	}
	j->now.updated_at = clock_now();
	j->now.updated_by = p->user_id;
	api_audit_init(r, p, &e);
	wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, j->now.id);
	audit_entry_set(&e, "programme.update", "programme", e.object_id, "ok");
	api_audit_detail(&e, json_pack("{s:s, s:s}", "level", j->now.level, "status", j->now.status));
	api_conn_release(r);
	rc = audit_submit(a->audit, &e, update_fn, j);
	if (rc == WB_ECONFLICT)
		stale(r);
	else if (rc)
		api_fail(r, rc);
	else
		detail_answer(r, a, api_conn(r), p, j->now.id, 200, NULL);
out:
	json_decref(body);
	free(j);
	return 0;
}

/* ---- a parent comes home ---- */

int programmes_record_return(store_conn *c, const store_scope *sc, programme_return_rec *ret, int64_t guardian_id,
			     int64_t at, int today, const char **error, const char **error_field)
{
	guardian_rec g[GUARDIANS_MAX], was[GUARDIANS_MAX];
	registry_decision decision = {CAT_LEFT_BEHIND, CR_END_PARENT_RETURNED, ret->returned_on, 0};
	child_facts before, after;
	child_rec ch;
	int n = 0, gi = -1, rc = store_child_get(c, sc, ret->child_id, &ch);

	if (rc == WB_OK)
		rc = store_guardians_load(c, ch.id, g, GUARDIANS_MAX, &n);
	if (rc)
		return rc;
	for (int i = 0; i < n; i++)
		if (g[i].id == guardian_id)
			gi = i;
	if (gi < 0 || (strcmp(g[gi].relation, "father") != 0 && strcmp(g[gi].relation, "mother") != 0)) {
		*error = "guardian_id must be the child's father or mother";
		*error_field = "guardian_id";
		return WB_EINVAL;
	}
	if (strcmp(g[gi].status, "working_away") != 0) {
		*error = "the parent is not recorded as working away";
		*error_field = "guardian_id";
		return WB_ECONFLICT;
	}
	/* he came home after he went away: a return before it would end the
	 * left-behind category on its own start day */
	if (g[gi].status_since[0] && strcmp(ret->returned_on, g[gi].status_since) < 0) {
		wb_strlcpy(ret->away_since, g[gi].status_since, sizeof(ret->away_since));
		*error = "returned_on may not be before the parent went away";
		*error_field = "returned_on";
		return WB_EINVAL;
	}
	registry_facts(&ch, g, n, &before);
	memcpy(was, g, sizeof(g[0]) * (size_t)n);
	wb_strlcpy(g[gi].status, "present", sizeof(g[gi].status));
	wb_strlcpy(g[gi].status_since, ret->returned_on, sizeof(g[gi].status_since));
	g[gi].work_place[0] = '\0';
	registry_facts(&ch, g, n, &after);
	wb_strlcpy(ret->relation, g[gi].relation, sizeof(ret->relation));
	rc = store_guardian_returned(c, ch.id, guardian_id, ret->returned_on, at, ret->created_by);
	/* the history as an edit of the guardians writes it: the status in
	 * the guardians' line, since when and where he had worked in the
	 * parent's own */
	if (rc == WB_OK)
		rc = registry_record_guardian_changes(c, ch.county_code, ch.id, at, ret->created_by, was, n, g, n);
	/* the return is the decision that ends a confirmed left-behind
	 * category, and its evidence */
	if (rc == WB_OK)
		rc = registry_recompute_decided(c, ch.county_code, ch.id, &before, &after, today, at, &decision, NULL);
	ret->left_behind_ended = decision.ended;
	if (rc == WB_OK)
		rc = store_programme_return_insert(c, ret);
	return rc;
}

typedef struct return_job {
	programme_return_rec ret;
	store_scope scope;
	int64_t guardian_id, at;
	int today;
	const char *error, *error_field;
} return_job;

static int return_fn(store_conn *c, void *arg)
{
	return_job *j = arg;

	return programmes_record_return(c, &j->scope, &j->ret, j->guardian_id, j->at, j->today, &j->error,
					&j->error_field);
}

static const api_field return_fields[] = {
	{"child_id", JSON_INTEGER, 1, 0},
	{"guardian_id", JSON_INTEGER, 1, 0},
	{"returned_on", JSON_STRING, 1, 16},
	{NULL, 0, 0, 0},
};

int api_programme_return_create(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	return_job *j = calloc(1, sizeof(*j));
	json_t *body = NULL;
	programme_rec pr;
	audit_entry e;
	child_rec ch;
	int ymd, today = clock_today_ymd(), rc;

	if (!j)
		return api_fail(r, WB_ENOMEM);
	if (programme_load(r, c, p, 1, &pr) || api_body(r, &body) || api_check_fields(r, body, return_fields))
		goto out;
	if (strcmp(pr.status, "active") != 0) {
		api_error(r, 409, "conflict", "the programme has ended", NULL);
		goto out;
	}
	if (date_parse(api_str(body, "returned_on"), &ymd) != WB_OK || ymd > today) {
		api_error(r, 422, "validation_failed", "returned_on must be a date YYYY-MM-DD, not ahead",
			  "returned_on");
		goto out;
	}
	date_format(ymd, j->ret.returned_on);
	if (strcmp(j->ret.returned_on, pr.started_on) < 0) {
		api_error(r, 422, "validation_failed", "returned_on may not be before the programme started",
			  "returned_on");
		goto out;
	}
	if (api_body_child(r, c, p, body, "child_id must be a child of your area", &ch))
		goto out;
	j->scope = p->scope;
	j->guardian_id = json_integer_value(json_object_get(body, "guardian_id"));
	j->at = clock_now();
	j->today = today;
	wb_strlcpy(j->ret.county_code, p->county_code, sizeof(j->ret.county_code));
	j->ret.programme_id = pr.id;
	j->ret.child_id = ch.id;
	j->ret.created_at = j->at;
	j->ret.created_by = p->user_id;
	api_audit_init(r, p, &e);
	wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, ch.id);
	audit_entry_set(&e, "programme.return", "child", e.object_id, "ok");
	api_audit_detail(&e, json_pack("{s:I}", "programme", (json_int_t)pr.id));
	api_conn_release(r);
	rc = audit_submit(a->audit, &e, return_fn, j);
	if (rc == WB_EINVAL && j->error && j->ret.away_since[0]) {
		char msg[120];

		wb_snprintf(msg, sizeof(msg), "%s (%s)", j->error, j->ret.away_since);
		api_error(r, 422, "validation_failed", msg, j->error_field);
	} else if (rc == WB_EINVAL && j->error) {
		api_error(r, 422, "validation_failed", j->error, j->error_field);
	} else if (rc == WB_ECONFLICT && j->error) {
		api_error(r, 409, "conflict", j->error, j->error_field);
	} else if (rc) {
		api_fail(r, rc);
	} else {
		detail_answer(r, a, api_conn(r), p, pr.id, 201,
			      json_pack("{s:{s:I, s:I, s:s, s:s, s:b}}", "return", "id", (json_int_t)j->ret.id,
					"child_id", (json_int_t)ch.id, "relation", j->ret.relation, "returned_on",
					j->ret.returned_on, "left_behind_ended", j->ret.left_behind_ended));
	}
out:
	json_decref(body);
	free(j);
	return 0;
}
