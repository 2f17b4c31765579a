/*
 * Entitlements (应享尽享, SPEC §6): everyone entitled gets everything.
 *
 *   GET  /api/v1/policies                  the county's policies and their versions
 *   GET  /api/v1/policies/{id}
 *   POST /api/v1/policies                  a policy and its first version (the centre)
 *   POST /api/v1/policies/{id}/versions    a new version from a month (the centre)
 *   GET  /api/v1/entitlements              the matching of the caller's children:
 *                                          gaps, benefits to stop, benefits received
 *   GET  /api/v1/entitlements/ledger       the payments of a month
 *   POST /api/v1/entitlements/{id}/end     a receipt ends (停发)
 *   GET  /api/v1/children/{id}/entitlements  one child against every policy
 *   POST /api/v1/children/{id}/entitlements  the child receives a policy (登记享受)
 *
 * Who is eligible is not stored: it is evaluated from the children's facts
 * and confirmed categories whenever it is asked, against the version of
 * each policy in force today, so it follows every change of a child at
 * once. What is stored is what people decide: the policies, their
 * versions and the receipts. Every list of children is audited like a
 * read of their files.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../domain/area.h"
#include "../domain/category.h"
#include "../domain/date.h"
#include "../domain/entitlement.h"
#include "../domain/units.h"
#include "../store/q_entitlements.h"
#include "../store/q_loop.h"
#include "../util/clock.h"
#include "../util/wb.h"
#include "api.h"
#include "sheet.h"
#include "registry.h"
#include "entitlements_api.h"
#include "visits_api.h"

#define MATCH_MAX_ROWS 2000000 /* rows of a group a province-sized scope may hold */
#define MATCH_DEFAULT  50
#define MATCH_MAX      500
#define LEDGER_ITEMS   2000 /* rows of the ledger in JSON; the CSV has all */
#define AMOUNT_MAX     100000000LL
#define NAME_CHARS     64
#define REASON_CHARS   200

/* ---- who may do what ---- */

static const char *const read_roles[] = {"center", "supervisor", "station", "director", NULL};
static const char *const write_roles[] = {"center", "supervisor", "station", NULL};

/* The matching of children: the centre, the townships and the child
 * directors (who help families apply), within their area. */
static int can_read(http_req *r, const sec_principal *p)
{
	if (api_one_of(p->role, read_roles) && p->scope.children != SCOPE_NONE)
		return 1;
	api_error(r, 403, "forbidden", "entitlements are kept by the centre, townships and child directors", NULL);
	return 0;
}

/* Receipts and the ledger: the centre and the townships. */
static int can_write(http_req *r, const sec_principal *p)
{
	if (api_one_of(p->role, write_roles) && p->scope.children != SCOPE_NONE)
		return 1;
	api_error(r, 403, "forbidden", "receipts and the ledger are kept by the centre and the townships", NULL);
	return 0;
}

/* ---- rules ---- */

static const char *const hukou_names[] = {"", "rural", "urban"};

/* Reads a rule from j into out. NULL, or what is wrong with field (under
 * "rule") in field. */
static const char *rule_read(json_t *j, ent_rule *out, char *field, size_t fn)
{
	const char *k;
	json_t *v;

	ent_rule_init(out);
	wb_strlcpy(field, "rule", fn);
	if (!json_is_object(j))
		return "rule must be an object";
	json_object_foreach(j, k, v)
	{
		size_t i;
		json_t *e;

		wb_snprintf(field, fn, "rule.%s", k);
		if (strcmp(k, "categories") == 0) {
			/* an empty list would be no condition at all: left out instead */
			if (!json_is_array(v) || json_array_size(v) == 0)
				return "categories must be a list of categories";
			json_array_foreach(v, i, e)
			{
				enum category cat;

				wb_snprintf(field, fn, "rule.categories[%zu]", i);
				if (!json_is_string(e) || category_parse(json_string_value(e), &cat))
					return "a category must be orphan, de_facto_unsupported, left_behind or "
					       "in_difficulty";
				out->cats |= 1u << cat;
			}
		} else if (strcmp(k, "age_min") == 0 || strcmp(k, "age_max") == 0) {
			if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > ENT_AGE_MAX)
				return "an age must be a whole number of years from 0 to 17";
			*(strcmp(k, "age_min") == 0 ? &out->age_min : &out->age_max) = (int)json_integer_value(v);
		} else if (strcmp(k, "hukou_type") == 0) {
			const char *s = json_string_value(v);

			out->hukou = s && strcmp(s, "rural") == 0 ? 1 : s && strcmp(s, "urban") == 0 ? 2 : 0;
			if (!out->hukou)
				return "hukou_type must be rural or urban";
		} else if (strcmp(k, "disability_grades") == 0) {
			if (!json_is_array(v) || json_array_size(v) == 0)
				return "disability_grades must be a list of grades from 1 to 4";
			json_array_foreach(v, i, e)
			{
				wb_snprintf(field, fn, "rule.disability_grades[%zu]", i);
				if (!json_is_integer(e) || json_integer_value(e) < 1 || json_integer_value(e) > 4)
					return "a disability grade must be from 1 to 4";
				out->disability_grades |= 1u << json_integer_value(e);
			}
		} else if (strcmp(k, "family_poverty") == 0 || strcmp(k, "serious_illness") == 0) {
			if (!json_is_boolean(v))
				return "must be true or false";
			*(k[0] == 'f' ? &out->family_poverty : &out->serious_illness) = json_is_true(v);
		} else if (strcmp(k, "excludes") == 0) {
			if (!json_is_array(v) || json_array_size(v) > ENT_EXCLUDES_MAX)
				return "excludes must be a list of at most 4 policy codes";
			json_array_foreach(v, i, e)
			{
				const char *code = json_string_value(e);

				wb_snprintf(field, fn, "rule.excludes[%zu]", i);
				if (!code || !unit_code_ok(code))
					return "a policy code has 2 to 31 of a-z, 0-9 and _";
				for (int n = 0; n < out->nexcludes; n++)
					if (strcmp(out->excludes[n], code) == 0)
						return "a policy is excluded twice";
				wb_strlcpy(out->excludes[out->nexcludes++], code, sizeof(out->excludes[0]));
			}
		} else {
			return "is not a condition a rule knows";
		}
	}
	wb_strlcpy(field, "rule.age_max", fn);
	if (out->age_min >= 0 && out->age_max >= 0 && out->age_max < out->age_min)
		return "age_max may not be below age_min";
	return NULL;
}

/* The rule as JSON, its keys in a fixed order (the stored text). */
static json_t *rule_json(const ent_rule *rule)
{
	json_t *j = json_object();

	if (rule->cats) {
		json_t *a = json_array();

		for (int i = 0; i < CAT__COUNT; i++)
			if (rule->cats & (1u << i))
				json_array_append_new(a, json_string(category_name((enum category)i)));
		json_object_set_new(j, "categories", a);
	}
	if (rule->age_min >= 0)
		json_object_set_new(j, "age_min", json_integer(rule->age_min));
	if (rule->age_max >= 0)
		json_object_set_new(j, "age_max", json_integer(rule->age_max));
	if (rule->hukou)
		json_object_set_new(j, "hukou_type", json_string(hukou_names[rule->hukou]));
	if (rule->disability_grades) {
		json_t *a = json_array();

		for (int g = 1; g <= 4; g++)
			if (rule->disability_grades & (1u << g))
				json_array_append_new(a, json_integer(g));
		json_object_set_new(j, "disability_grades", a);
	}
	if (rule->family_poverty)
		json_object_set_new(j, "family_poverty", json_true());
	if (rule->serious_illness)
		json_object_set_new(j, "serious_illness", json_true());
	if (rule->nexcludes) {
		json_t *a = json_array();

		for (int i = 0; i < rule->nexcludes; i++)
			json_array_append_new(a, json_string(rule->excludes[i]));
		json_object_set_new(j, "excludes", a);
	}
	return j;
}

/* A stored rule (text written by rule_json). */
static int rule_load(const char *text, ent_rule *out)
{
	json_t *j = json_loads(text, 0, NULL);
	char field[48];
	const char *err = rule_read(j, out, field, sizeof(field));

	json_decref(j);
	return err ? WB_ESTORE : WB_OK;
}

static json_t *unmet_json(unsigned unmet)
{
	json_t *a = json_array();

	for (int i = 0; i < EU__COUNT; i++)
		if (unmet & (1u << i))
			json_array_append_new(a, json_string(ent_unmet_name(i)));
	return a;
}

/* ---- the county's policies, read once per request ---- */

typedef struct pol {
	policy_rec p;
	policy_version_rec *vers; /* newest first */
	size_t nver, capver;
	const policy_version_rec *cur;   /* in force today (the last that paid, once ended), or NULL */
	const policy_version_rec *ended; /* the end in force today (停止执行), or NULL */
	const policy_version_rec *end;   /* the end, in force or coming, or NULL */
	ent_rule rule;                   /* cur's */
	int64_t excl[ENT_EXCLUDES_MAX];  /* the rule's excluded policies, by id (those that exist) */
	size_t excli[ENT_EXCLUDES_MAX];  /* and by their place in the catalogue */
	int nexcl;
	int named; /* how many policies' rules in force name this one */
	enum ent_benefit benefit;
	int64_t n[3]; /* the matching's gap, stop, receiving */
} pol;

typedef struct catalog {
	pol *items; /* by code */
	size_t n, cap;
} catalog;

static int catalog_policy_cb(const policy_rec *p, void *arg)
{
	catalog *cat = arg;
	int rc = wb_grow(&cat->items, cat->n, &cat->cap, sizeof(pol), 16, 10000);

	if (rc)
		return rc;
	memset(&cat->items[cat->n], 0, sizeof(pol));
	cat->items[cat->n].p = *p;
	if (ent_benefit_parse(p->benefit, &cat->items[cat->n].benefit))
		return WB_ESTORE;
	cat->n++;
	return WB_OK;
}

static pol *catalog_find(const catalog *cat, int64_t id)
{
	for (size_t i = 0; i < cat->n; i++)
		if (cat->items[i].p.id == id)
			return &cat->items[i];
	return NULL;
}

static int catalog_version_cb(const policy_version_rec *v, void *arg)
{
	pol *x = catalog_find(arg, v->policy_id);
	int rc;

	if (!x)
		return WB_OK;
	rc = wb_grow(&x->vers, x->nver, &x->capver, sizeof(*v), 4, 10000);
	if (rc == WB_OK)
		x->vers[x->nver++] = *v;
	return rc;
}

/* The version of x in force on day ("YYYY-MM-DD"), or NULL. */
static const policy_version_rec *version_on(const pol *x, const char *day)
{
	for (size_t i = 0; i < x->nver; i++)
		if (strcmp(x->vers[i].effective_from, day) <= 0)
			return &x->vers[i];
	return NULL;
}

/* "YYYY-MM" of x's first version: the month it is in force from, before
 * which no receipt of it may start ("" if it has none). */
static void first_month_of(const pol *x, char out[8])
{
	wb_snprintf(out, 8, "%.7s", x->nver ? x->vers[x->nver - 1].effective_from : "");
}

static void catalog_free(catalog *cat)
{
	for (size_t i = 0; i < cat->n; i++)
		free(cat->items[i].vers);
	free(cat->items);
	memset(cat, 0, sizeof(*cat));
}

/* The county's policies (of one policy when id is not 0) with their
 * versions and the one in force on today (YYYYMMDD). */
static int catalog_load(store_conn *c, const char *county, int64_t id, int today, catalog *cat)
{
	char day[11];
	int rc;

	memset(cat, 0, sizeof(*cat));
	date_format(today, day);
	rc = store_policies(c, county, catalog_policy_cb, cat);
	if (rc == WB_OK)
		rc = store_policy_versions(c, county, id, catalog_version_cb, cat);
	for (size_t i = 0; rc == WB_OK && i < cat->n; i++) {
		pol *x = &cat->items[i];

		x->cur = version_on(x, day);
		x->end = x->nver && x->vers[0].ends ? &x->vers[0] : NULL;
		if (x->cur && x->cur->ends) {
			/* stopped: what it paid last stays its standard for the
			 * rows still to stop */
			x->ended = x->cur;
			x->cur = x->cur + 1 < x->vers + x->nver ? x->cur + 1 : NULL;
		}
		if (x->cur)
			rc = rule_load(x->cur->rule, &x->rule);
	}
	/* the excluded policies by id, once every rule is read */
	for (size_t i = 0; rc == WB_OK && i < cat->n; i++) {
		pol *x = &cat->items[i];

		for (int k = 0; k < x->rule.nexcludes; k++)
			for (size_t m = 0; m < cat->n; m++)
				if (m != i && strcmp(cat->items[m].p.code, x->rule.excludes[k]) == 0) {
					x->excli[x->nexcl] = m;
					x->excl[x->nexcl++] = cat->items[m].p.id;
					cat->items[m].named++;
				}
	}
	if (rc)
		catalog_free(cat);
	return rc;
}

static json_t *version_json(const policy_version_rec *v)
{
	json_t *rule = json_loads(v->rule, 0, NULL);

	return json_pack("{s:I, s:s, s:I, s:o, s:s, s:I, s:b}", "id", (json_int_t)v->id, "effective_from",
			 v->effective_from, "amount_cents", (json_int_t)v->amount_cents, "rule",
			 rule ? rule : json_object(), "note", v->note, "created_at", (json_int_t)v->created_at, "ends",
			 v->ends != 0);
}

static json_t *policy_json(const pol *x)
{
	json_t *vers = json_array();

	for (size_t i = 0; i < x->nver; i++)
		json_array_append_new(vers, version_json(&x->vers[i]));
	char ends[8] = "";

	if (x->end)
		wb_snprintf(ends, sizeof(ends), "%.7s", x->end->effective_from);
	return json_pack("{s:I, s:s, s:s, s:I, s:s, s:s, s:I, s:o, s:s?, s:b, s:o}", "id", (json_int_t)x->p.id, "code",
			 x->p.code, "name", x->p.name, "department_id", (json_int_t)x->p.department_id,
			 "department_name", x->p.department_name, "benefit", x->p.benefit, "created_at",
			 (json_int_t)x->p.created_at, "current", x->cur ? version_json(x->cur) : json_null(),
			 "ends_from", ends[0] ? ends : NULL, "ended", x->ended != NULL, "versions", vers);
}

/* ---- policies ---- */

int api_policies_list(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	catalog cat;
	json_t *items;
	int rc;

	(void)a;
	rc = catalog_load(c, p->county_code, 0, clock_today_ymd(), &cat);
	if (rc)
		return api_fail(r, rc);
	items = json_array();
	for (size_t i = 0; i < cat.n; i++)
		json_array_append_new(items, policy_json(&cat.items[i]));
	catalog_free(&cat);
	return api_json(r, 200, json_pack("{s:o}", "items", items));
}

/* The answer with policy id (200 or 201). */
static int policy_answer(http_req *r, store_conn *c, const char *county, int64_t id, int status)
{
	catalog cat;
	pol *x;
	int rc = catalog_load(c, county, id, clock_today_ymd(), &cat);

	if (rc)
		return api_fail(r, rc);
	x = catalog_find(&cat, id);
	if (!x) {
		catalog_free(&cat);
		return api_error(r, 404, "not_found", "no such policy", NULL);
	}
	api_json(r, status, policy_json(x));
	catalog_free(&cat);
	return 0;
}

int api_policy_get(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	int64_t id;

	(void)a;
	if (api_id_param(r, "id", &id))
		return 0;
	return policy_answer(r, c, p->county_code, id, 200);
}

static int center_only(http_req *r, const sec_principal *p)
{
	if (strcmp(p->role, "center") == 0)
		return 1;
	api_error(r, 403, "forbidden", "policies are set by the county protection centre", NULL);
	return 0;
}

static const api_field version_fields[] = {
	{"effective_from", JSON_STRING, 1, 16},
	{"amount_cents", JSON_INTEGER, 1, 0},
	{"rule", JSON_OBJECT, 1, 0},
	{"note", JSON_STRING, 0, POLICY_NOTE_MAX - 1},
	{NULL, 0, 0, 0},
};

/* how far ahead a policy or a version may start: a typo such as 2099
 * would block every real version after it */
#define VERSION_HORIZON_MONTHS 24

/* Reads a version (effective_from, amount_cents, rule, note) from body
 * into v; newest is the policy's newest version's day ("" for a new
 * policy). 422 naming the field, -1. */
/* Checks the first day (YYYY-MM-01, already parsed into ymd) from which
 * a version starts; newest is the policy's newest version's day ("" for a
 * new policy). 422 naming field, -1. */
static int version_day_check(http_req *r, int ymd, const char *day, const char *newest, const char *field)
{
	int today = clock_today_ymd();
	char msg[160];

	/* a new policy may start this month; a new version of one starts in
	 * a coming month: a month's payments keep the standard they began
	 * with, and a version in force is never changed */
	if (ymd < (today / 100) * 100 + 1 || (newest[0] && ymd <= (today / 100) * 100 + 1))
		wb_snprintf(msg, sizeof(msg), "%s %s", field,
			    newest[0] ? "must be a coming month: a version in force is never changed, a new one "
					"starts from a coming month"
				      : "may not be before this month");
	else if (ymd / 100 > month_add(today / 100, VERSION_HORIZON_MONTHS))
		wb_snprintf(msg, sizeof(msg), "%s may be at most 24 months ahead", field);
	else if (newest[0] && strcmp(day, newest) <= 0)
		wb_snprintf(msg, sizeof(msg), "%s must be later than the newest version's", field);
	else
		return 0;
	return api_error(r, 422, "validation_failed", msg, field), -1;
}

static int version_parse(http_req *r, json_t *body, const char *newest, policy_version_rec *v)
{
	const char *day = api_str(body, "effective_from"), *note = api_str(body, "note"), *err;
	json_int_t amount = json_integer_value(json_object_get(body, "amount_cents"));
	int ymd;
	ent_rule rule;
	json_t *rj;
	char field[48], *text;

	if (date_parse(day, &ymd) != WB_OK || ymd % 100 != 1)
		return api_error(r, 422, "validation_failed",
				 "effective_from must be the first day of a month (YYYY-MM-01)", "effective_from"),
		       -1;
	if (version_day_check(r, ymd, day, newest, "effective_from"))
		return -1;
	if (amount < 0 || amount > AMOUNT_MAX)
		return api_error(r, 422, "validation_failed",
				 "amount_cents must be an amount in fen from 0 to 100000000", "amount_cents"),
		       -1;
	if ((err = rule_read(json_object_get(body, "rule"), &rule, field, sizeof(field))))
		return api_error(r, 422, "validation_failed", err, field), -1;
	if (note && api_utf8_chars(note) > REASON_CHARS)
		return api_error(r, 422, "validation_failed", "note may have at most 200 characters", "note"), -1;
	memset(v, 0, sizeof(*v));
	wb_strlcpy(v->effective_from, day, sizeof(v->effective_from));
	v->amount_cents = amount;
	rj = rule_json(&rule);
	text = rj ? json_dumps(rj, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(rj);
	if (!text)
		return api_fail(r, WB_ENOMEM), -1;
	wb_strlcpy(v->rule, text, sizeof(v->rule));
	free(text);
	wb_strlcpy(v->note, note ? note : "", sizeof(v->note));
	return 0;
}

/*
 * Whether policy i of cat names own, directly or through the policies it
 * names in turn, in a version in force on day or after it (the one in
 * force that day and every later one; an end names nothing). seen: the
 * policies looked at already.
 */
static int excludes_reach(const catalog *cat, size_t i, const char *own, const char *day, unsigned char *seen)
{
	const pol *z = &cat->items[i];

	if (seen[i])
		return 0;
	seen[i] = 1;
	for (size_t k = 0; k < z->nver; k++) { /* newest first */
		const policy_version_rec *v = &z->vers[k];
		ent_rule rule;

		if (!v->ends && rule_load(v->rule, &rule) == WB_OK)
			for (int n = 0; n < rule.nexcludes; n++) {
				if (strcmp(rule.excludes[n], own) == 0)
					return 1;
				for (size_t m = 0; m < cat->n; m++)
					if (strcmp(cat->items[m].p.code, rule.excludes[n]) == 0 &&
					    excludes_reach(cat, m, own, day, seen))
						return 1;
			}
		if (strcmp(v->effective_from, day) <= 0)
			break; /* in force on day: the older ones are over by then */
	}
	return 0;
}

/*
 * The policies a version's rule excludes must be other policies of the
 * county, and not ones that already exclude this policy (one side says
 * which one gives way: a child receiving both is told to stop the one
 * whose rule names the other) — directly or through the policies they
 * name in turn (a circle leaves no side to keep), in any version in force
 * from this one's first day on, not only their newest. 422 naming
 * rule.excludes[i], -1.
 */
static int excludes_check(http_req *r, store_conn *c, const char *county, const char *own, const policy_version_rec *v)
{
	ent_rule rule;
	catalog cat;
	unsigned char *seen = NULL;
	char field[48];
	int rc, bad = 0;

	if (rule_load(v->rule, &rule) != WB_OK || !rule.nexcludes)
		return 0;
	rc = catalog_load(c, county, 0, clock_today_ymd(), &cat);
	if (rc == WB_OK && !(seen = calloc(cat.n ? cat.n : 1, 1)))
		rc = WB_ENOMEM;
	if (rc) {
		catalog_free(&cat);
		return api_fail(r, rc), -1;
	}
	for (int i = 0; !bad && i < rule.nexcludes; i++) {
		size_t other = cat.n;

		for (size_t m = 0; m < cat.n; m++)
			if (strcmp(cat.items[m].p.code, rule.excludes[i]) == 0)
				other = m;
		wb_snprintf(field, sizeof(field), "rule.excludes[%d]", i);
		if (other == cat.n || strcmp(cat.items[other].p.code, own) == 0) {
			api_error(r, 422, "validation_failed",
				  "an excluded policy must be another policy of the county", field);
			bad = 1;
			continue;
		}
		memset(seen, 0, cat.n);
		if (excludes_reach(&cat, other, own, v->effective_from, seen)) {
			api_error(r, 422, "validation_failed",
				  "that policy already excludes this one (itself or through the policies it excludes, "
				  "in a version in force then): say it on one side only",
				  field);
			bad = 1;
		}
	}
	free(seen);
	catalog_free(&cat);
	return bad ? -1 : 0;
}

typedef struct policy_job {
	policy_rec *p;
	policy_version_rec *v;
} policy_job;

static int policy_insert_fn(store_conn *c, void *arg)
{
	policy_job *j = arg;

	return j->p ? store_policy_insert(c, j->p, j->v) : store_policy_version_insert(c, j->v);
}

/* Writes the job (a policy with its first version, or a version) with its
 * audit entry, and answers the policy (201) or the refusal. */
static void policy_submit(http_req *r, app *a, const sec_principal *p, policy_job *job, const char *action,
			  const char *code, const char *conflict, const char *field)
{
	policy_version_rec *v = job->v;
	audit_entry e;
	int rc;

	v->created_at = clock_now();
	v->created_by = p->user_id;
	wb_strlcpy(v->county_code, p->county_code, sizeof(v->county_code));
	if (job->p) {
		job->p->created_at = v->created_at;
		job->p->created_by = v->created_by;
	}
	api_audit_init(r, p, &e);
	audit_entry_set(&e, action, "policy", code, "ok");
	if (v->ends)
		api_audit_detail(&e, json_pack("{s:s, s:b}", "effective_from", v->effective_from, "ends", 1));
	else
		api_audit_detail(&e, json_pack("{s:s, s:I, s:s}", "effective_from", v->effective_from, "amount_cents",
					       (json_int_t)v->amount_cents, "rule", v->rule));
	api_conn_release(r); /* the job runs on the writer's connection */
	rc = audit_submit(a->audit, &e, policy_insert_fn, job);
	if (rc == WB_ECONFLICT)
		api_error(r, 409, "conflict", conflict, field);
	else if (rc)
		api_fail(r, rc);
	else
		policy_answer(r, api_conn(r), p->county_code, v->policy_id, 201);
}

static const api_field policy_fields[] = {
	{"code", JSON_STRING, 1, 32},
	{"name", JSON_STRING, 1, NAME_CHARS * 4},
	{"department_id", JSON_INTEGER, 1, 0},
	{"benefit", JSON_STRING, 1, 24},
	{"effective_from", JSON_STRING, 1, 16},
	{"amount_cents", JSON_INTEGER, 1, 0},
	{"rule", JSON_OBJECT, 1, 0},
	{"note", JSON_STRING, 0, POLICY_NOTE_MAX - 1},
	{NULL, 0, 0, 0},
};

int api_policy_create(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	json_t *body = NULL, *ver = NULL;
	policy_rec pr;
	policy_version_rec *v = malloc(sizeof(*v));
	policy_job job = {&pr, v};
	const char *code, *name, *benefit;
	enum ent_benefit b;
	unit_rec u;
	int64_t dept;

	if (!v)
		return api_fail(r, WB_ENOMEM);
	if (!center_only(r, p) || api_body(r, &body) || api_check_fields(r, body, policy_fields))
		goto out;
	code = api_str(body, "code");
	name = api_str(body, "name");
	benefit = api_str(body, "benefit");
	dept = json_integer_value(json_object_get(body, "department_id"));
	if (!unit_code_ok(code)) {
		api_error(r, 422, "validation_failed",
			  "code must be 2 to 31 of a-z, 0-9 and _, starting with a letter or digit", "code");
		goto out;
	}
	if (!name[0] || api_utf8_chars(name) > NAME_CHARS) {
		api_error(r, 422, "validation_failed", "name must have 1 to 64 characters", "name");
		goto out;
	}
	if (dept <= 0 || api_unit_get(c, dept, &u) != WB_OK || strcmp(u.kind, "department") != 0 ||
	    strcmp(u.county_code, p->county_code) != 0) {
		api_error(r, 422, "validation_failed", "department_id must be a department of the county",
			  "department_id");
		goto out;
	}
	if (ent_benefit_parse(benefit, &b)) {
		api_error(r, 422, "validation_failed",
			  "benefit must be monthly_allowance, one_off_aid, fee_waiver, insurance_subsidy or in_kind",
			  "benefit");
		goto out;
	}
	/* the fields of the first version, checked as a version's */
	ver = json_pack("{s:O, s:O, s:O}", "effective_from", json_object_get(body, "effective_from"), "amount_cents",
			json_object_get(body, "amount_cents"), "rule", json_object_get(body, "rule"));
	if (ver && api_str(body, "note"))
		json_object_set(ver, "note", json_object_get(body, "note"));
	if (!ver || version_parse(r, ver, "", v) || excludes_check(r, c, p->county_code, code, v))
		goto out;
	memset(&pr, 0, sizeof(pr));
	wb_strlcpy(pr.county_code, p->county_code, sizeof(pr.county_code));
	wb_strlcpy(pr.code, code, sizeof(pr.code));
	wb_strlcpy(pr.name, name, sizeof(pr.name));
	wb_strlcpy(pr.benefit, ent_benefit_name(b), sizeof(pr.benefit));
	pr.department_id = dept;
	policy_submit(r, a, p, &job, "policy.create", code, "the county has a policy of this code", "code");
out:
	json_decref(ver);
	json_decref(body);
	free(v);
	return 0;
}

/* Loads policy id of county and its newest version's day (newest, 11)
 * for a new version or an end: -1 after answering when there is no such
 * policy, or 409 when it stops already (no version follows an end). */
static int policy_open(http_req *r, store_conn *c, const char *county, int64_t id, policy_rec *pr, char *newest)
{
	char msg[200];
	int ends = 0, rc = store_policy_get(c, county, id, pr);

	if (rc == WB_OK)
		rc = store_policy_newest(c, id, newest, &ends);
	if (rc)
		return api_fail(r, rc), -1;
	if (!ends)
		return 0;
	wb_snprintf(msg, sizeof(msg),
		    "the policy stops from %.7s: withdraw that end while it is not in force, or create a new policy",
		    newest);
	return api_error(r, 409, "policy_ended", msg, NULL), -1;
}

int api_policy_version_create(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	json_t *body = NULL;
	policy_version_rec *v = malloc(sizeof(*v));
	policy_job job = {NULL, v};
	policy_rec pr;
	char newest[11];
	int64_t id;

	if (!v)
		return api_fail(r, WB_ENOMEM);
	if (api_id_param(r, "id", &id) || !center_only(r, p) || api_body(r, &body) ||
	    api_check_fields(r, body, version_fields))
		goto out;
	if (policy_open(r, c, p->county_code, id, &pr, newest))
		goto out;
	if (version_parse(r, body, newest, v) || excludes_check(r, c, p->county_code, pr.code, v))
		goto out;
	v->policy_id = id;
	policy_submit(r, a, p, &job, "policy.version", pr.code, "the policy has a version from this day",
		      "effective_from");
out:
	json_decref(body);
	free(v);
	return 0;
}

static const api_field policy_end_fields[] = {
	{"from_month", JSON_STRING, 1, 16},
	{"reason", JSON_STRING, 1, POLICY_NOTE_MAX - 1},
	{NULL, 0, 0, 0},
};

/*
 * POST /api/v1/policies/{id}/end: the policy stops (停止执行) from a
 * coming month, with the reason: its last version, one that ends it. From
 * that month it pays nothing and entitles nobody, and whoever still
 * receives it is on the list to stop. Until then the end is withdrawn like
 * any version not in force (DELETE .../versions/{vid}).
 */
int api_policy_end(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	json_t *body = NULL;
	policy_version_rec *v = calloc(1, sizeof(*v));
	policy_job job = {NULL, v};
	policy_rec pr;
	const char *from, *reason;
	char newest[11], day[11];
	int64_t id;
	int ym;

	if (!v)
		return api_fail(r, WB_ENOMEM);
	if (api_id_param(r, "id", &id) || !center_only(r, p) || api_body(r, &body) ||
	    api_check_fields(r, body, policy_end_fields))
		goto out;
	if (policy_open(r, c, p->county_code, id, &pr, newest))
		goto out;
	from = api_str(body, "from_month");
	if (month_parse(from, &ym) != WB_OK) {
		api_error(r, 422, "validation_failed", "from_month must be a month YYYY-MM", "from_month");
		goto out;
	}
	wb_snprintf(day, sizeof(day), "%.7s-01", from);
	if (version_day_check(r, ym * 100 + 1, day, newest, "from_month") || api_reason(r, body, REASON_CHARS, &reason))
		goto out;
	v->policy_id = id;
	v->ends = 1;
	wb_strlcpy(v->effective_from, day, sizeof(v->effective_from));
	wb_strlcpy(v->rule, "{}", sizeof(v->rule));
	wb_strlcpy(v->note, reason, sizeof(v->note));
	policy_submit(r, a, p, &job, "policy.end", pr.code, "the policy has a version from this month", "from_month");
out:
	json_decref(body);
	free(v);
	return 0;
}

/* The versions of a policy: the one asked for and how many there are. */
typedef struct version_find {
	int64_t id;
	int n;
	policy_version_rec v;
	int found;
} version_find;

static int version_find_cb(const policy_version_rec *v, void *arg)
{
	version_find *f = arg;

	f->n++;
	if (v->id == f->id) {
		f->v = *v;
		f->found = 1;
	}
	return WB_OK;
}

typedef struct withdraw_job {
	int64_t policy_id, version_id;
	const char *today;
} withdraw_job;

static int version_withdraw_fn(store_conn *c, void *arg)
{
	withdraw_job *j = arg;

	return store_policy_version_withdraw(c, j->policy_id, j->version_id, j->today);
}

/* DELETE /api/v1/policies/{id}/versions/{vid}: a version that has not
 * come into force (a typo, a raise called off) is withdrawn, audited;
 * one in force is history and stays, and a policy keeps one version. */
int api_policy_version_withdraw(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	version_find *f = calloc(1, sizeof(*f));
	withdraw_job job;
	policy_rec pr;
	audit_entry e;
	char today[11];
	int64_t id;
	int rc;

	if (!f)
		return api_fail(r, WB_ENOMEM);
	if (api_id_param(r, "id", &id) || api_id_param(r, "vid", &f->id) || !center_only(r, p))
		goto out;
	rc = store_policy_get(c, p->county_code, id, &pr);
	if (rc == WB_OK)
		rc = store_policy_versions(c, p->county_code, id, version_find_cb, f);
	if (rc == WB_OK && !f->found)
		rc = WB_ENOTFOUND;
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	date_format(clock_today_ymd(), today);
	if (strcmp(f->v.effective_from, today) <= 0) {
		api_error(r, 409, "conflict", "the version is in force: history is never changed, add a new version",
			  NULL);
		goto out;
	}
	if (f->n < 2) {
		api_error(r, 409, "conflict", "the policy's only version cannot be withdrawn", NULL);
		goto out;
	}
	job = (withdraw_job){id, f->id, today};
	api_audit_init(r, p, &e);
	audit_entry_set(&e, "policy.version_withdraw", "policy", pr.code, "ok");
	api_audit_detail(&e, json_pack("{s:s, s:I, s:b}", "effective_from", f->v.effective_from, "amount_cents",
				       (json_int_t)f->v.amount_cents, "ends", f->v.ends != 0));
	api_conn_release(r);
	rc = audit_submit(a->audit, &e, version_withdraw_fn, &job);
	if (rc == WB_ECONFLICT)
		api_error(r, 409, "conflict", "the version has come into force or was withdrawn already", NULL);
	else if (rc)
		api_fail(r, rc);
	else
		policy_answer(r, api_conn(r), p->county_code, id, 200);
out:
	free(f);
	return 0;
}

/* ---- matching ---- */

enum group { G_GAP = 0, G_STOP, G_RECEIVING, G_NONE };
static const char *const group_names[] = {"gap", "stop", "receiving", "none"};

typedef struct child_cats {
	int64_t child_id;
	unsigned cats;
} child_cats;

typedef struct open_receipt {
	int64_t id;
	int64_t child_id;
	int64_t policy_id;
	char from_month[8];
} open_receipt;

/* What the newest check of a gap found (migration 0024): nothing yet,
 * applied and waiting, the family declined, received elsewhere, other. */
enum gap_found { GF_NONE = 0, GF_APPLIED, GF_DECLINED, GF_ELSEWHERE, GF_OTHER, GF__COUNT };
static const char *const found_names[GF__COUNT + 1] = {"none", "applied", "declined", "elsewhere", "other", NULL};
static const char *const found_zh[GF__COUNT] = {"未核实", "已申请，待审批", "家庭放弃申请", "已在他处享受", "其他"};
static const char *const found_en[GF__COUNT] = {"Not checked", "Applied, waiting", "The family declined",
						"Received elsewhere", "Other"};

typedef struct gap_found_rec {
	int64_t child_id;
	int64_t policy_id;
	int found; /* enum gap_found */
} gap_found_rec;

typedef struct match_item {
	int64_t child_id;
	int64_t receipt_id;
	const pol *x;
	unsigned unmet;
	int found;                 /* a gap's: enum gap_found */
	const struct pol *excl_by; /* a policy the child receives that this one may not be had with */
	char name[128];
	char village_code[16];
	char from_month[8];
} match_item;

/* A gap (child, policy) and the child's township, for the daily notice. */
typedef struct gap_key {
	int64_t child_id;
	int64_t policy_id;
	char township[16];
} gap_key;

/* One child's gaps of policies that may not be had together (gap_way). */
typedef struct gap_ways {
	unsigned char *st; /* per catalogue item */
	const pol **under;
	size_t n;
} gap_ways;

typedef struct gap_set {
	gap_key *v;
	size_t n, cap;
} gap_set;

typedef struct match_ctx {
	catalog cat;
	const category_config *ccfg;
	int today;
	child_cats *cats;
	size_t ncats, capcats;
	open_receipt *rcpt;
	size_t nrcpt, caprcpt;
	int cat_excludes;   /* a policy in force excludes another: receipts count */
	gap_ways ways;      /* then, each child's gaps of policies that exclude others */
	const char *county; /* the county matched */
	/* the gaps' newest findings, sorted by child and policy (when asked) */
	gap_found_rec *found;
	size_t nfound, capfound;
	int with_found;
	int found_only;                  /* 0 any, else 1 + the finding of the gaps wanted */
	int counts_only;                 /* limit=0: the counts alone, no rows */
	int64_t found_counts[GF__COUNT]; /* the gaps by finding */
	/* the request */
	enum group want;
	int64_t policy_id;
	size_t offset, limit; /* limit 0: every row (CSV) */
	/* the answer */
	int64_t counts[3];
	size_t total;
	match_item *items;
	size_t n, cap;
	/* or, for the overview, each (child, policy) group told by village */
	ent_tally_fn tally;
	void *tally_arg;
	/* or, for the daily notice, every gap collected */
	gap_set *gaps;
} match_ctx;

static int match_cat_cb(int64_t child_id, const char *category, void *arg)
{
	match_ctx *x = arg;
	enum category cat;
	int rc;

	if (category_parse(category, &cat))
		return WB_OK;
	if (x->ncats && x->cats[x->ncats - 1].child_id == child_id) {
		x->cats[x->ncats - 1].cats |= 1u << cat;
		return WB_OK;
	}
	rc = wb_grow(&x->cats, x->ncats, &x->capcats, sizeof(*x->cats), 256, MATCH_MAX_ROWS);
	if (rc)
		return rc;
	x->cats[x->ncats].child_id = child_id;
	x->cats[x->ncats++].cats = 1u << cat;
	return WB_OK;
}

static int match_receipt_cb(const receipt_rec *rr, void *arg)
{
	match_ctx *x = arg;
	open_receipt *o;
	int rc = wb_grow(&x->rcpt, x->nrcpt, &x->caprcpt, sizeof(*x->rcpt), 256, MATCH_MAX_ROWS);

	if (rc)
		return rc;
	o = &x->rcpt[x->nrcpt++];
	o->id = rr->id;
	o->child_id = rr->child_id;
	o->policy_id = rr->policy_id;
	wb_strlcpy(o->from_month, rr->from_month, sizeof(o->from_month));
	return WB_OK;
}

/* Checks arrive by child, policy, then oldest first: the last one of a
 * pair stays. */
static int match_found_cb(int64_t child_id, int64_t policy_id, const char *finding, void *arg)
{
	match_ctx *x = arg;
	gap_found_rec *f = x->nfound ? &x->found[x->nfound - 1] : NULL;
	int i = 1;
	int rc;

	while (found_names[i] && strcmp(found_names[i], finding) != 0)
		i++;
	if (!found_names[i])
		return WB_OK;
	if (!f || f->child_id != child_id || f->policy_id != policy_id) {
		rc = wb_grow(&x->found, x->nfound, &x->capfound, sizeof(*x->found), 64, MATCH_MAX_ROWS);
		if (rc)
			return rc;
		f = &x->found[x->nfound++];
		f->child_id = child_id;
		f->policy_id = policy_id;
	}
	f->found = i;
	return WB_OK;
}

static int found_cmp(const void *pa, const void *pb)
{
	const gap_found_rec *a = pa, *b = pb;

	if (a->child_id != b->child_id)
		return a->child_id < b->child_id ? -1 : 1;
	return a->policy_id < b->policy_id ? -1 : a->policy_id > b->policy_id;
}

/* What the newest check of the gap (child, policy) found. */
static int found_of(const match_ctx *x, int64_t child_id, int64_t policy_id)
{
	gap_found_rec key = {child_id, policy_id, 0};
	const gap_found_rec *f = x->nfound ? bsearch(&key, x->found, x->nfound, sizeof(*x->found), found_cmp) : NULL;

	return f ? f->found : GF_NONE;
}

static int cats_cmp(const void *k, const void *e)
{
	int64_t a = *(const int64_t *)k, b = ((const child_cats *)e)->child_id;

	return a < b ? -1 : a > b;
}

static int receipt_cmp(const void *pa, const void *pb)
{
	const open_receipt *a = pa, *b = pb;

	if (a->child_id != b->child_id)
		return a->child_id < b->child_id ? -1 : 1;
	return a->policy_id < b->policy_id ? -1 : a->policy_id > b->policy_id;
}

/* The policies child_id receives (open receipts, sorted by child) into f. */
static void receiving_of(const match_ctx *x, int64_t child_id, ent_facts *f)
{
	size_t lo = 0, hi = x->nrcpt;

	while (lo < hi) { /* the child's first receipt */
		size_t mid = lo + (hi - lo) / 2;

		if (x->rcpt[mid].child_id < child_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < x->nrcpt && x->rcpt[lo].child_id == child_id && f->nreceiving < ENT_RECEIVING_MAX; lo++)
		f->receiving[f->nreceiving++] = x->rcpt[lo].policy_id;
}

static const open_receipt *receipt_of(const match_ctx *x, int64_t child_id, int64_t policy_id)
{
	open_receipt key = {0, child_id, policy_id, ""};

	return x->nrcpt ? bsearch(&key, x->rcpt, x->nrcpt, sizeof(*x->rcpt), receipt_cmp) : NULL;
}

/* A child's facts for the rules, on the match's day. */
static void facts_of(const category_config *ccfg, int today, const char *birth_date, const char *hukou,
		     int disability_grade, int family_poverty, int serious_illness, unsigned cats, ent_facts *f)
{
	f->age = category_age(ccfg, date_ymd(birth_date), today);
	f->hukou = strcmp(hukou, "rural") == 0 ? 1 : strcmp(hukou, "urban") == 0 ? 2 : 0;
	f->disability_grade = disability_grade;
	f->family_poverty = family_poverty;
	f->serious_illness = serious_illness;
	f->cats = cats;
	f->nreceiving = 0;
}

/* Whether f's child receives policy id. */
static int receives(const ent_facts *f, int64_t id)
{
	for (int k = 0; k < f->nreceiving; k++)
		if (f->receiving[k] == id)
			return 1;
	return 0;
}

/* Whether y's rule in force names x (y may not be had with x). */
static int names(const pol *y, const pol *x)
{
	for (int i = 0; i < y->nexcl; i++)
		if (y->excl[i] == x->p.id)
			return 1;
	return 0;
}

/*
 * The id of the first policy f's child receives that x may not be had
 * with, or 0. A pair is named on one side only, but the exclusion holds
 * both ways: a child receiving either is not entitled to the other,
 * whichever rule names it (no gap, no new receipt). Only for a policy the
 * child receives itself is it one-sided: receiving both, the one whose
 * rule names the other is to stop, and the other is kept.
 */
static int64_t excluded_by(const catalog *cat, const pol *x, const ent_facts *f)
{
	for (int i = 0; i < x->nexcl; i++)
		if (receives(f, x->excl[i]))
			return x->excl[i];
	if (!x->named || receives(f, x->p.id))
		return 0;
	for (int k = 0; k < f->nreceiving; k++) {
		const pol *y = catalog_find(cat, f->receiving[k]);

		if (y && y != x && names(y, x))
			return y->p.id;
	}
	return 0;
}

/* That policy, for the answer (NULL if none). */
static const pol *excluding(const catalog *cat, const pol *x, const ent_facts *f)
{
	int64_t id = excluded_by(cat, x, f);

	return id ? catalog_find(cat, id) : NULL;
}

/* What keeps a child from policy x: the rule's unmet conditions, the
 * policy's end, or a policy it may not be had with that the child
 * receives. */
static unsigned unmet_of(const catalog *cat, const pol *x, const ent_facts *f)
{
	unsigned unmet = x->ended ? EU_ENDED : ent_eval(&x->rule, f);

	if (excluded_by(cat, x, f))
		unmet |= EU_EXCLUDED;
	return unmet;
}

static enum group group_of(const catalog *cat, const pol *x, const ent_facts *f, int has_receipt, unsigned *unmet)
{
	*unmet = unmet_of(cat, x, f);
	if (has_receipt)
		return *unmet ? G_STOP : G_RECEIVING;
	return *unmet ? G_NONE : G_GAP;
}

/*
 * Gaps of policies that may not be had together (gap_ways, one child's):
 * the gaps are the policies the child is to end with, each counted once.
 * A policy the child is entitled to and does not receive (a candidate) is
 * kept unless its rule names a candidate that is kept: then it gives way to
 * that one (the first its rule names), and its gap is counted there — the
 * township gets the child the kept one, and receiving both, this one would
 * be the one to stop. Through a chain (A names B, B names C, all three
 * candidates): C is kept, B gives way to C, and A, which names B alone, is
 * kept too (B is not to be had, and A may be had with C): two gaps, C and A.
 * Exclusions say one side only and close no circle (excludes_check); one
 * that does (an older row) is cut at the name that closes it, the policies
 * resolved in catalogue order, so the answer is the same on every list.
 */
enum { GW_UNKNOWN = 0, GW_BUSY, GW_KEPT, GW_GIVES_WAY, GW_NONE };

static int gap_ways_init(gap_ways *w, const catalog *cat)
{
	w->n = cat->n;
	w->st = calloc(cat->n ? cat->n : 1, 1);
	w->under = calloc(cat->n ? cat->n : 1, sizeof(*w->under));
	return w->st && w->under ? WB_OK : WB_ENOMEM;
}

static void gap_ways_free(gap_ways *w)
{
	free(w->st);
	free(w->under);
	memset(w, 0, sizeof(*w));
}

/* Forgets the previous child's. */
static void gap_ways_reset(gap_ways *w)
{
	memset(w->st, GW_UNKNOWN, w->n);
	memset(w->under, 0, w->n * sizeof(*w->under));
}

static int gap_way(const catalog *cat, const ent_facts *f, gap_ways *w, size_t i)
{
	const pol *x = &cat->items[i];

	if (w->st[i] != GW_UNKNOWN)
		return w->st[i];
	if (!x->cur || receives(f, x->p.id) || unmet_of(cat, x, f) != 0)
		return w->st[i] = GW_NONE;
	w->st[i] = GW_BUSY;
	for (int k = 0; k < x->nexcl; k++) {
		size_t j = x->excli[k];

		if (w->st[j] == GW_BUSY)
			continue; /* a circle: the name that closes it is not followed */
		if (gap_way(cat, f, w, j) == GW_KEPT) {
			w->under[i] = &cat->items[j];
			return w->st[i] = GW_GIVES_WAY;
		}
	}
	return w->st[i] = GW_KEPT;
}

/* Every policy of the catalogue for f's child, in catalogue order. */
static void gap_ways_resolve(const catalog *cat, const ent_facts *f, gap_ways *w)
{
	gap_ways_reset(w);
	for (size_t i = 0; i < cat->n; i++)
		gap_way(cat, f, w, i);
}

/* For a gap of x (resolved in w): the policy its gap is counted under, or
 * NULL when it counts itself. */
static const pol *gap_counted_under(const catalog *cat, const pol *x, const gap_ways *w)
{
	size_t i = (size_t)(x - cat->items);

	return i < w->n && w->st[i] == GW_GIVES_WAY ? w->under[i] : NULL;
}

static int match_child_cb(const ent_child_row *row, void *arg)
{
	match_ctx *x = arg;
	const child_cats *k = x->ncats ? bsearch(&row->id, x->cats, x->ncats, sizeof(*x->cats), cats_cmp) : NULL;
	ent_facts f;

	facts_of(x->ccfg, x->today, row->birth_date, row->hukou_type, row->disability_grade, row->family_poverty,
		 row->serious_illness, k ? k->cats : 0, &f);
	if (x->cat_excludes) {
		receiving_of(x, row->id, &f);
		gap_ways_reset(&x->ways);
	}
	for (size_t i = 0; i < x->cat.n; i++) {
		pol *pl = &x->cat.items[i];
		const open_receipt *o;
		enum group g;
		unsigned unmet;
		match_item *it;
		int rc, found;

		if (!pl->cur)
			continue;
		o = receipt_of(x, row->id, pl->p.id);
		g = group_of(&x->cat, pl, &f, o != NULL, &unmet);
		/* (a gap of a policy that gives way is counted under the other;
		 * the gaps are resolved in catalogue order, as gap_ways_resolve) */
		if (g == G_NONE || (g == G_GAP && x->cat_excludes && gap_way(&x->cat, &f, &x->ways, i) == GW_GIVES_WAY))
			continue;
		if (x->tally) {
			rc = x->tally(row->village_code, (int)g, 0, x->tally_arg);
			if (rc)
				return rc;
			continue;
		}
		if (x->gaps) {
			gap_key *gk;

			if (g != G_GAP)
				continue;
			rc = wb_grow(&x->gaps->v, x->gaps->n, &x->gaps->cap, sizeof(*x->gaps->v), 256, MATCH_MAX_ROWS);
			if (rc)
				return rc;
			gk = &x->gaps->v[x->gaps->n++];
			gk->child_id = row->id;
			gk->policy_id = pl->p.id;
			wb_snprintf(gk->township, sizeof(gk->township), "%.9s", row->village_code);
			continue;
		}
		pl->n[g]++;
		if (x->policy_id && pl->p.id != x->policy_id)
			continue;
		x->counts[g]++;
		found = g == G_GAP && x->with_found ? found_of(x, row->id, pl->p.id) : GF_NONE;
		if (g == G_GAP)
			x->found_counts[found]++;
		if (g != x->want || (x->found_only && found != x->found_only - 1))
			continue;
		x->total++;
		if (x->counts_only || x->total <= x->offset || (x->limit && x->n >= x->limit))
			continue;
		rc = wb_grow(&x->items, x->n, &x->cap, sizeof(*x->items), 64, MATCH_MAX_ROWS);
		if (rc)
			return rc;
		it = &x->items[x->n++];
		memset(it, 0, sizeof(*it));
		it->child_id = row->id;
		it->receipt_id = o ? o->id : 0;
		it->x = pl;
		it->unmet = g == G_STOP ? unmet : 0;
		it->found = found;
		if (it->unmet & EU_EXCLUDED)
			it->excl_by = excluding(&x->cat, pl, &f);
		wb_strlcpy(it->name, row->name, sizeof(it->name));
		wb_strlcpy(it->village_code, row->village_code, sizeof(it->village_code));
		if (o)
			wb_strlcpy(it->from_month, o->from_month, sizeof(it->from_month));
	}
	return WB_OK;
}

static void match_free(match_ctx *x)
{
	gap_ways_free(&x->ways);
	catalog_free(&x->cat);
	free(x->cats);
	free(x->rcpt);
	free(x->found);
	free(x->items);
}

/* Runs the matching of the children of sc (and area) in county. */
static int match_run(store_conn *c, const store_scope *sc, const char *county, const char *area, match_ctx *x)
{
	char cutoff[11];
	int rc, narrow = 1;

	x->today = clock_today_ymd();
	x->county = county;
	x->ccfg = registry_config();
	/* the children not 18 yet under the birthday rules (the rules' age,
	 * evaluated in C, decides the rest) */
	visits_adult_cutoff(x->today, cutoff);
	rc = catalog_load(c, county, 0, x->today, &x->cat);
	if (rc == WB_OK)
		rc = store_ent_categories(c, sc, area, match_cat_cb, x);
	if (rc == WB_OK)
		rc = store_receipts_in(c, sc, area, NULL, 0, 1, match_receipt_cb, x);
	if (rc == WB_OK && x->nrcpt)
		qsort(x->rcpt, x->nrcpt, sizeof(*x->rcpt), receipt_cmp);
	if (rc == WB_OK && x->with_found)
		rc = store_gap_findings(c, county, match_found_cb, x);
	for (size_t i = 0; i < x->cat.n; i++) {
		const ent_rule *rule = &x->cat.items[i].rule;

		if (x->cat.items[i].nexcl)
			x->cat_excludes = 1;

		/* a rule of age or registration alone may cover any child */
		if (x->cat.items[i].cur && !x->cat.items[i].ended && !rule->cats && !rule->disability_grades &&
		    !rule->family_poverty && !rule->serious_illness)
			narrow = 0;
	}
	if (rc == WB_OK && x->cat_excludes)
		rc = gap_ways_init(&x->ways, &x->cat);
	if (rc == WB_OK)
		rc = store_ent_children(c, sc, area, cutoff, narrow, match_child_cb, x);
	return rc;
}

static const char *const benefit_zh[EB__COUNT] = {"月度补贴", "一次性救助", "费用减免", "参保资助", "实物帮扶"};
static const char *const benefit_en[EB__COUNT] = {"monthly allowance", "one-off aid", "fee waiver", "insurance subsidy",
						  "in kind"};
static const char *const group_zh[] = {"应享未享", "应停未停", "应享已享"};
static const char *const group_en[] = {"entitled, not receiving", "receiving, no longer entitled",
				       "entitled and receiving"};
static const char *const unmet_zh[EU__COUNT] = {"类别",     "年龄", "户籍",         "残疾",
						"困难家庭", "重病", "政策停止执行", "已享受不得同时享受的政策"};

/* The checks of the checked gaps among rows (those the matching found a
 * finding for), each told to fn with its row, oldest first, so that the
 * last one told of a row is its newest. One query per 40 children. */
typedef int (*row_check_fn)(size_t i, const gap_check_rec *g, void *arg);
typedef struct row_checks {
	const match_item *rows;
	size_t n;
	row_check_fn fn;
	void *arg;
} row_checks;

static int row_check_cb(const gap_check_rec *g, void *arg)
{
	row_checks *x = arg;
	int rc = WB_OK;

	for (size_t i = 0; rc == WB_OK && i < x->n; i++)
		if (x->rows[i].found != GF_NONE && x->rows[i].child_id == g->child_id &&
		    x->rows[i].x->p.id == g->policy_id)
			rc = x->fn(i, g, x->arg);
	return rc;
}

static int rows_checks(store_conn *c, const char *county, const match_item *rows, size_t n, row_check_fn fn, void *arg)
{
	row_checks x = {rows, n, fn, arg};
	int64_t *ids = malloc((n ? n : 1) * sizeof(*ids));
	size_t k = 0;
	int rc;

	if (!ids)
		return WB_ENOMEM;
	for (size_t i = 0; i < n; i++) /* rows are by child: each child once */
		if (rows[i].found != GF_NONE && (!k || ids[k - 1] != rows[i].child_id))
			ids[k++] = rows[i].child_id;
	rc = store_gap_checks_of(c, county, ids, k, row_check_cb, &x);
	free(ids);
	return rc;
}

static int item_check_fn(size_t i, const gap_check_rec *g, void *arg)
{
	json_object_set_new(json_array_get(arg, i), "check",
			    json_pack("{s:s, s:s, s:I, s:s}", "finding", g->finding, "note", g->note, "at",
				      (json_int_t)g->created_at, "by", g->by_name));
	return WB_OK;
}

/* Sets "check" on the gaps of items (rows[i] is items[i]): the newest
 * check, or null. */
static int page_gap_checks(store_conn *c, const char *county, const match_item *rows, size_t n, json_t *items)
{
	for (size_t i = 0; i < n; i++)
		if (!rows[i].receipt_id && !rows[i].unmet)
			json_object_set_new(json_array_get(items, i), "check", json_null());
	return rows_checks(c, county, rows, n, item_check_fn, items);
}

static json_t *match_item_json(store_conn *c, const match_item *it)
{
	char village[128] = "";

	api_area_name(c, it->village_code, village, sizeof(village));
	return json_pack("{s:I, s:s, s:s, s:s, s:I, s:s, s:s, s:I, s:o, s:s?, s:o, s:s?}", "child_id",
			 (json_int_t)it->child_id, "name", it->name, "village_code", it->village_code, "village_name",
			 village, "policy_id", (json_int_t)it->x->p.id, "policy_name", it->x->p.name, "benefit",
			 it->x->p.benefit, "amount_cents", (json_int_t)it->x->cur->amount_cents, "receipt_id",
			 it->receipt_id ? json_integer(it->receipt_id) : json_null(), "from_month",
			 it->from_month[0] ? it->from_month : NULL, "unmet", unmet_json(it->unmet), "excluded_by",
			 it->excl_by ? it->excl_by->p.name : NULL);
}

static const char *const match_cols_zh[] = {"儿童编号", "姓名",       "村（社区）代码", "村（社区）", "政策",
					    "待遇类型", "标准（元）", "状态",           "享受起始月", "不符合的条件",
					    "核实情况", "核实说明",   "核实日期",       "核实人"};
static const char *const match_cols_en[] = {
	"Child ID", "Name",       "Village code",     "Village", "Policy",     "Benefit",    "Amount (yuan)",
	"Group",    "From month", "Conditions unmet", "Checked", "Check note", "Checked on", "Checked by"};

/* What a file says of a gap row's newest check besides its finding. */
typedef struct sheet_check {
	char note[POLICY_NOTE_MAX];
	char day[11]; /* YYYY-MM-DD, China's calendar; "" if never checked */
	char by[128];
} sheet_check;

static int sheet_check_fn(size_t i, const gap_check_rec *g, void *arg)
{
	sheet_check *s = (sheet_check *)arg + i;

	wb_strlcpy(s->note, g->note, sizeof(s->note));
	date_format(clock_ymd_of(g->created_at), s->day);
	wb_strlcpy(s->by, g->by_name, sizeof(s->by));
	return WB_OK;
}

static int match_sheet(api_sheet *sh, http_req *r, store_conn *c, const match_ctx *x, int fmt, int en)
{
	sheet_check *checks = NULL;
	int rc = WB_OK;

	memset(sh, 0, sizeof(*sh)); /* a failure before it begins drops nothing */
	if (x->want == G_GAP && x->n) {
		checks = calloc(x->n, sizeof(*checks));
		rc = checks ? rows_checks(c, x->county, x->items, x->n, sheet_check_fn, checks) : WB_ENOMEM;
	}
	if (rc == WB_OK)
		rc = api_sheet_begin(sh, r, fmt, en, en ? "Entitlements" : "应享尽享", match_cols_zh, match_cols_en,
				     WB_ARRAY_LEN(match_cols_zh));

	for (size_t i = 0; rc == WB_OK && i < x->n; i++) {
		const match_item *it = &x->items[i];
		char village[128] = "", unmet[96] = "";
		size_t off = 0;

		api_area_name(c, it->village_code, village, sizeof(village));
		for (int b = 0; b < EU__COUNT; b++)
			if (it->unmet & (1u << b)) {
				wb_snprintf(unmet + off, sizeof(unmet) - off, "%s%s", off ? ";" : "",
					    en ? ent_unmet_name(b) : unmet_zh[b]);
				off = strlen(unmet);
			}
		api_sheet_int(sh, it->child_id, 0);
		api_sheet_text(sh, it->name, 0);
		api_sheet_text(sh, it->village_code, 0);
		api_sheet_text(sh, village, 0);
		api_sheet_text(sh, it->x->p.name, 0);
		api_sheet_text(sh, en ? benefit_en[it->x->benefit] : benefit_zh[it->x->benefit], 0);
		api_sheet_yuan(sh, it->x->cur->amount_cents, 0);
		api_sheet_text(sh, en ? group_en[x->want] : group_zh[x->want], 0);
		api_sheet_text(sh, it->from_month, 0);
		api_sheet_text(sh, unmet, 0);
		api_sheet_text(sh, x->want != G_GAP ? "" : en ? found_en[it->found] : found_zh[it->found], 0);
		api_sheet_text(sh, checks ? checks[i].note : "", 0);
		api_sheet_text(sh, checks ? checks[i].day : "", 0);
		api_sheet_text(sh, checks ? checks[i].by : "", 1);
	}
	free(checks);
	return rc;
}

/* ?area= (an area code of the caller's own area) and ?policy= (an id):
 * -1 after a 422. */
static int area_policy_params(http_req *r, const sec_principal *p, const char **area, int64_t *policy_id)
{
	*area = http_query(r, "area");
	*policy_id = 0;
	if (*area && !area_level_of(*area))
		return api_error(r, 422, "validation_failed", "area must be an area code", "area"), -1;
	if (api_area_own(r, p, *area))
		return -1;
	return api_query_id(r, "policy", "policy must be a policy's id", policy_id);
}

/* The page's summary tables as files: counts and sums, no child named. */
static const sheet_col list_policy_cols[] = {
	{"政策", "Policy", "name", SC_TEXT, NULL},
	{"政策代码", "Code", "code", SC_TEXT, NULL},
	{"应享未享（人）", "Entitled, not receiving", "gap", SC_INT, NULL},
	{"应停发（人）", "To stop", "stop", SC_INT, NULL},
	{"正在享受（人）", "Receiving", "receiving", SC_INT, NULL},
	{"已停止执行", "Stopped", "ended", SC_BOOL, NULL},
};
static const sheet_col ledger_policy_cols[] = {
	{"政策", "Policy", "name", SC_TEXT, NULL},
	{"发放部门", "Paying department", "department_name", SC_TEXT, NULL},
	{"儿童数", "Children", "children", SC_INT, NULL},
	{"金额（元）", "Amount (yuan)", "amount_cents", SC_YUAN, NULL},
};
static const sheet_col ledger_town_cols[] = {
	{"区划代码", "Area code", "code", SC_TEXT, NULL},
	{"乡镇（街道）", "Township", "name", SC_TEXT, NULL},
	{"儿童数", "Children", "children", SC_INT, NULL},
	{"发放笔数", "Payments", "payments", SC_INT, NULL},
	{"金额（元）", "Amount (yuan)", "amount_cents", SC_YUAN, NULL},
};

/* ?table= of a download: NULL (the rows of children) or one of names;
 * 0, or -1 after a 422 naming it. */
static int table_param(http_req *r, const char *const *names, const char *msg, const char **out)
{
	const char *t = http_query(r, "table");

	*out = NULL;
	if (!t)
		return 0;
	for (int i = 0; names[i]; i++)
		if (strcmp(t, names[i]) == 0) {
			*out = names[i];
			return 0;
		}
	api_error(r, 422, "validation_failed", msg, "table");
	return -1;
}

int api_entitlements_list(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	static const char *const tables[] = {"by_policy", NULL};
	const char *area, *g = http_query(r, "group"), *s, *table;
	match_ctx *x;
	audit_entry e;
	json_t *items, *pols, *checks, *j;
	int64_t policy_id;
	api_sheet sheet;
	long long offset = 0;
	int limit, rc, csv, fmt, en, counts_only;

	if (!can_read(r, p) || api_limit_counts(r, MATCH_DEFAULT, MATCH_MAX, &limit, &counts_only) ||
	    api_sheet_params(r, SHEET_JSON, 1, &fmt, &en) || area_policy_params(r, p, &area, &policy_id) ||
	    table_param(r, tables, "table must be by_policy (the counts by policy) or absent (the children)", &table))
		return 0;
	csv = fmt != SHEET_JSON;
	/* the counts by policy name no child */
	if (csv && !table && !p->def->export_children)
		return api_error(r, 403, "forbidden", "your role may not export lists of children", "format");
	if ((s = http_query(r, "offset")) && wb_parse_int64(s, 0, MATCH_MAX_ROWS, &offset) != WB_OK)
		return api_error(r, 422, "validation_failed", "offset must be a number from 0", "offset");
	x = calloc(1, sizeof(*x));
	if (!x)
		return api_fail(r, WB_ENOMEM);
	x->policy_id = policy_id;
	x->want = G_GAP;
	if (g && strcmp(g, "gap") != 0) {
		x->want = strcmp(g, "stop") == 0 ? G_STOP : strcmp(g, "receiving") == 0 ? G_RECEIVING : G_NONE;
		if (x->want == G_NONE) {
			api_error(r, 422, "validation_failed", "group must be gap, stop or receiving", "group");
			goto out;
		}
	}
	/* ?check=: the gaps by what the newest check of each found */
	x->with_found = 1;
	if ((s = http_query(r, "check"))) {
		int i = 0;

		while (found_names[i] && strcmp(found_names[i], s) != 0)
			i++;
		if (!found_names[i] || x->want != G_GAP) {
			api_error(r, 422, "validation_failed",
				  !found_names[i] ? "check must be none, applied, declined, elsewhere or other"
						  : "check narrows the gaps: use it with group=gap",
				  "check");
			goto out;
		}
		x->found_only = i + 1;
	}
	x->offset = csv ? 0 : (size_t)offset;
	x->limit = csv ? 0 : (size_t)limit;
	x->counts_only = counts_only && !csv;
	rc = match_run(c, &p->scope, p->county_code, area, x);
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	if (x->policy_id && !catalog_find(&x->cat, x->policy_id)) {
		api_error(r, 422, "validation_failed", "policy must be a policy's id", "policy");
		goto out;
	}
	if (csv && table) { /* by_policy: the page's table, every policy in force */
		items = json_array();
		for (size_t i = 0; i < x->cat.n; i++) {
			const pol *pl = &x->cat.items[i];

			if (pl->cur)
				json_array_append_new(
					items, json_pack("{s:s, s:s, s:I, s:I, s:I, s:b}", "name", pl->p.name, "code",
							 pl->p.code, "gap", (json_int_t)pl->n[G_GAP], "stop",
							 (json_int_t)pl->n[G_STOP], "receiving",
							 (json_int_t)pl->n[G_RECEIVING], "ended", pl->ended != NULL));
		}
		api_sheet_items(r, a, p, items, fmt, en, en ? "By policy" : "按政策汇总", "entitlements-by-policy",
				list_policy_cols, WB_ARRAY_LEN(list_policy_cols), "entitlement.export", "child",
				json_pack("{s:s, s:s?, s:I}", "table", table, "area", area, "policy",
					  (json_int_t)x->policy_id));
		goto out;
	}
	if (csv) {
		if ((rc = match_sheet(&sheet, r, c, x, fmt, en)) != WB_OK)
			api_sheet_fail(&sheet, r, rc);
		else
			api_sheet_audited_end(&sheet, r, a, p, "entitlement.export", "child",
					      json_pack("{s:s, s:s?, s:I, s:s?}", "group", group_names[x->want], "area",
							area, "policy", (json_int_t)x->policy_id, "check",
							x->found_only ? found_names[x->found_only - 1] : NULL),
					      group_names[x->want], x->today);
		goto out;
	}
	items = json_array();
	for (size_t i = 0; i < x->n; i++)
		json_array_append_new(items, match_item_json(c, &x->items[i]));
	/* a gap: what the township found when it checked it, the newest */
	if ((rc = page_gap_checks(c, p->county_code, x->items, x->n, items)) != WB_OK) {
		json_decref(items);
		api_fail(r, rc);
		goto out;
	}
	api_audit_init(r, p, &e);
	audit_entry_set(&e, "entitlement.list", "child", "", "ok");
	api_audit_detail(&e, json_pack("{s:s, s:s?, s:I, s:s?, s:s, s:I}", "group", group_names[x->want], "area", area,
				       "policy", (json_int_t)x->policy_id, "check",
				       x->found_only ? found_names[x->found_only - 1] : NULL, "format", "json",
				       "returned", (json_int_t)x->n));
	if (!counts_only && api_audit_read(r, a, &e) != WB_OK) {
		json_decref(items);
		api_fail(r, WB_ESTORE);
		goto out;
	}
	pols = json_array();
	for (size_t i = 0; i < x->cat.n; i++) {
		const pol *pl = &x->cat.items[i];

		char first[8];

		if (!pl->cur)
			continue;
		first_month_of(pl, first);
		json_array_append_new(pols, json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:I, s:b}", "policy_id",
						      (json_int_t)pl->p.id, "code", pl->p.code, "name", pl->p.name,
						      "first_month", first, "gap", (json_int_t)pl->n[G_GAP], "stop",
						      (json_int_t)pl->n[G_STOP], "receiving",
						      (json_int_t)pl->n[G_RECEIVING], "ended", pl->ended != NULL));
	}
	checks = json_object();
	for (int i = 0; i < GF__COUNT; i++)
		json_object_set_new(checks, found_names[i], json_integer(x->found_counts[i]));
	j = json_pack("{s:s, s:s?, s:I, s:i, s:I, s:{s:I, s:I, s:I, s:o}, s:o, s:o}", "group", group_names[x->want],
		      "check", x->found_only ? found_names[x->found_only - 1] : NULL, "offset", (json_int_t)offset,
		      "limit", limit, "total", (json_int_t)x->total, "counts", "gap", (json_int_t)x->counts[G_GAP],
		      "stop", (json_int_t)x->counts[G_STOP], "receiving", (json_int_t)x->counts[G_RECEIVING], "checks",
		      checks, "policies", pols, "items", items);
	api_json(r, 200, j);
out:
	match_free(x);
	free(x);
	return 0;
}

/* ---- one child ---- */

static json_t *receipt_json(const receipt_rec *rr, const catalog *cat)
{
	const pol *x = catalog_find(cat, rr->policy_id);

	return json_pack("{s:I, s:I, s:s, s:s, s:s?, s:s?, s:I}", "id", (json_int_t)rr->id, "policy_id",
			 (json_int_t)rr->policy_id, "policy_name", x ? x->p.name : "", "from_month", rr->from_month,
			 "to_month", rr->to_month[0] ? rr->to_month : NULL, "end_reason",
			 rr->to_month[0] ? rr->end_reason : NULL, "created_at", (json_int_t)rr->created_at);
}

typedef struct child_ctx {
	const catalog *cat;
	json_t *receipts;
	receipt_rec open[64]; /* the open ones, for the policies' state */
	int nopen;
} child_ctx;

static int child_receipt_cb(const receipt_rec *rr, void *arg)
{
	child_ctx *x = arg;

	json_array_append_new(x->receipts, receipt_json(rr, x->cat));
	if (!rr->to_month[0] && x->nopen < (int)WB_ARRAY_LEN(x->open))
		x->open[x->nopen++] = *rr;
	return WB_OK;
}

static int facts_receipt_cb(const receipt_rec *rr, void *arg)
{
	ent_facts *f = arg;

	if (!rr->to_month[0] && f->nreceiving < ENT_RECEIVING_MAX)
		f->receiving[f->nreceiving++] = rr->policy_id;
	return WB_OK;
}

#define CHILD_CATS_MAX 16

/*
 * Whether a category row makes the child eligible for the benefits tied to
 * it: confirmed, and not flagged for review with a proposed end (adopted,
 * a parent returned, ...: the facts no longer support it; the benefit
 * stops, SPEC §6, until a person keeps the category). The matching reads
 * the same rule in store_ent_categories.
 */
static int cat_counts(const category_rec *k)
{
	return strcmp(k->state, "confirmed") == 0 && !(k->conflict && k->end_reason[0]);
}

/* The categories of k that count for benefits, as bits. */
static unsigned counting_cats(const category_rec *k, int nk)
{
	unsigned cats = 0;
	enum category cat;

	for (int i = 0; i < nk; i++)
		if (cat_counts(&k[i]) && category_parse(k[i].category, &cat) == 0)
			cats |= 1u << cat;
	return cats;
}

/* The child's facts and confirmed categories (its category rows into k,
 * CHILD_CATS_MAX of them, *nk set); the policies it receives are the
 * caller's to add, from the receipts it reads anyway. */
static int child_ent_facts(store_conn *c, const child_rec *ch, int today, ent_facts *f, category_rec *k, int *nk)
{
	int rc = store_categories_load(c, ch->id, k, CHILD_CATS_MAX, nk);

	if (rc)
		return rc;
	facts_of(registry_config(), today, ch->birth_date, ch->hukou_type, ch->disability_grade, ch->family_poverty,
		 ch->serious_illness[0] != '\0', counting_cats(k, *nk), f);
	return WB_OK;
}

int api_child_entitlements(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	child_ctx *x = NULL;
	catalog cat = {0};
	gap_ways ways = {0};
	child_rec ch;
	ent_facts f;
	category_rec k[CHILD_CATS_MAX];
	json_t *items = NULL;
	int64_t id;
	int today = clock_today_ymd(), rc, nk = 0;

	if (api_id_param(r, "id", &id) || !can_read(r, p))
		return 0;
	rc = store_child_get(c, &p->scope, id, &ch);
	if (rc)
		return api_child_fail(r, a, p, id, "child.entitlements", rc);
	if (!(x = calloc(1, sizeof(*x))))
		return api_fail(r, WB_ENOMEM);
	rc = catalog_load(c, p->county_code, 0, today, &cat);
	if (rc == WB_OK)
		rc = child_ent_facts(c, &ch, today, &f, k, &nk);
	x->cat = &cat;
	x->receipts = json_array();
	if (rc == WB_OK)
		rc = store_child_receipts(c, id, child_receipt_cb, x);
	if (rc == WB_OK)
		rc = gap_ways_init(&ways, &cat);
	if (rc)
		goto fail;
	for (int i = 0; i < x->nopen && f.nreceiving < ENT_RECEIVING_MAX; i++)
		f.receiving[f.nreceiving++] = x->open[i].policy_id;
	gap_ways_resolve(&cat, &f, &ways);
	items = json_array();
	for (size_t i = 0; i < cat.n; i++) {
		const pol *pl = &cat.items[i], *excl, *under;
		const receipt_rec *open = NULL;
		char first[8];
		unsigned unmet;
		enum group g;

		if (!pl->cur)
			continue;
		for (int o = 0; o < x->nopen; o++)
			if (x->open[o].policy_id == pl->p.id)
				open = &x->open[o];
		if (pl->ended && !open)
			continue; /* stopped: nothing to tell of it here but a receipt */
		g = group_of(&cat, pl, &f, open != NULL, &unmet);
		excl = unmet & EU_EXCLUDED ? excluding(&cat, pl, &f) : NULL;
		/* either of a pair may be recorded; the lists count the gap under
		 * the one this gives way to */
		under = g == G_GAP ? gap_counted_under(&cat, pl, &ways) : NULL;
		first_month_of(pl, first);
		json_array_append_new(
			items,
			json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:s, s:b, s:o, s:s?, s:s, s:s?, s:o}", "policy_id",
				  (json_int_t)pl->p.id, "code", pl->p.code, "name", pl->p.name, "benefit",
				  pl->p.benefit, "department_name", pl->p.department_name, "amount_cents",
				  (json_int_t)pl->cur->amount_cents, "first_month", first, "eligible", unmet == 0,
				  "unmet", unmet_json(unmet), "excluded_by", excl ? excl->p.name : NULL, "group",
				  group_names[g], "counted_under", under ? under->p.name : NULL, "receipt",
				  open ? receipt_json(open, &cat) : json_null()));
	}
	if (api_audit_child_read(r, a, p, id, "child.entitlements") != WB_OK) {
		rc = WB_ESTORE;
		goto fail;
	}
	api_json(r, 200,
		 json_pack("{s:I, s:o, s:o}", "child_id", (json_int_t)id, "items", items, "receipts", x->receipts));
	gap_ways_free(&ways);
	catalog_free(&cat);
	free(x);
	return 0;
fail:
	json_decref(items);
	json_decref(x->receipts);
	gap_ways_free(&ways);
	catalog_free(&cat);
	free(x);
	return api_fail(r, rc);
}

static const api_field receipt_fields[] = {
	{"policy_id", JSON_INTEGER, 1, 0},
	{"from_month", JSON_STRING, 1, 8},
	{NULL, 0, 0, 0},
};

/* The answer for receipt rr (status). */
static int receipt_answer(http_req *r, store_conn *c, const char *county, const receipt_rec *rr, int status)
{
	catalog cat;
	int rc = catalog_load(c, county, rr->policy_id, clock_today_ymd(), &cat);

	if (rc)
		return api_fail(r, rc);
	api_json(r, status, receipt_json(rr, &cat));
	catalog_free(&cat);
	return 0;
}

/*
 * A benefit is not started for a category awaiting review because the
 * facts no longer support it: when none of the rule's categories counts
 * (cat_counts) but one is confirmed and flagged, 422 on policy_id naming
 * it and the proposed end, -1; else 0.
 */
static int receipt_category_review(http_req *r, const category_rec *k, int nk, const ent_rule *rule)
{
	const category_rec *flagged = NULL;
	enum category cat;
	char msg[200];

	for (int i = 0; i < nk; i++) {
		if (strcmp(k[i].state, "confirmed") != 0 || category_parse(k[i].category, &cat) != 0 ||
		    !(rule->cats & (1u << cat)))
			continue;
		if (cat_counts(&k[i]))
			return 0;
		flagged = &k[i];
	}
	if (!flagged)
		return 0;
	wb_snprintf(msg, sizeof(msg),
		    "the child's %s category awaits review: the facts no longer support it (proposed end: %s); "
		    "keep or end it first",
		    flagged->category, flagged->end_reason);
	return api_error(r, 422, "validation_failed", msg, "policy_id"), -1;
}

/*
 * A benefit for a category is not paid from before the child was in it:
 * from_month may not be earlier than the month the earliest of the child's
 * categories the rule asks for that count (cat_counts) began (its
 * start_date). 422 on from_month, -1; 0 when it is not (or no start is
 * known).
 */
static int receipt_before_category(http_req *r, const category_rec *k, int nk, const ent_rule *rule, const char *from)
{
	char first[11] = "", msg[160];
	enum category cat;

	for (int i = 0; i < nk; i++)
		if (cat_counts(&k[i]) && category_parse(k[i].category, &cat) == 0 && (rule->cats & (1u << cat)) &&
		    k[i].start_date[0] && (!first[0] || strcmp(k[i].start_date, first) < 0))
			wb_strlcpy(first, k[i].start_date, sizeof(first));
	if (!first[0] || strncmp(from, first, 7) >= 0)
		return 0;
	wb_snprintf(msg, sizeof(msg), "the child's category began on %s: from_month may not be before %.7s", first,
		    first);
	return api_error(r, 422, "validation_failed", msg, "from_month"), -1;
}

/* A child's receipts, ended ones too (their months), for the exclusions
 * of the months a new receipt reaches back to. */
typedef struct child_spans {
	receipt_rec *v;
	size_t n, cap;
	ent_facts *f; /* the open ones go here too */
} child_spans;

static int child_span_cb(const receipt_rec *rr, void *arg)
{
	child_spans *x = arg;
	int rc = wb_grow(&x->v, x->n, &x->cap, sizeof(*x->v), 8, 100000);

	if (rc)
		return rc;
	x->v[x->n++] = *rr;
	return facts_receipt_cb(rr, x->f);
}

/* Whether a receipt of sp covers month ym of policy y. */
static int spans_cover(const child_spans *sp, const pol *y, int ym)
{
	for (size_t i = 0; i < sp->n; i++) {
		const receipt_rec *rr = &sp->v[i];
		int rf, rt = 0;

		if (rr->policy_id != y->p.id || month_parse(rr->from_month, &rf) != WB_OK ||
		    (rr->to_month[0] && month_parse(rr->to_month, &rt) != WB_OK))
			continue;
		if (rf <= ym && (!rr->to_month[0] || rt >= ym))
			return 1;
	}
	return 0;
}

/* Whether the version of y in force on day names policy code (y may not be
 * had with it then). */
static int names_on(const pol *y, const char *day, const char *code)
{
	const policy_version_rec *v = version_on(y, day);
	ent_rule rule;

	if (!v || v->ends || rule_load(v->rule, &rule) != WB_OK)
		return 0;
	for (int k = 0; k < rule.nexcludes; k++)
		if (strcmp(rule.excludes[k], code) == 0)
			return 1;
	return 0;
}

/*
 * A receipt of x from a past month may not reach over months the child
 * received a policy that x may not be had with in that month: one that
 * x's version in force then names, or one whose version in force then
 * names x (a pair is named on one side only; the ledger would pay both
 * either way). What counts is each month's versions, not today's: the
 * exclusions may have changed since. The latest such month into *bad_ym
 * and the policy into *with; 0 when there is none.
 */
static int receipt_past_exclusion(const catalog *cat, const pol *x, const child_spans *sp, int from_ym, int to_ym,
				  int *bad_ym, const pol **with)
{
	for (int ym = to_ym; ym >= from_ym; ym = month_add(ym, -1)) {
		char day[11];

		wb_snprintf(day, sizeof(day), "%04d-%02d-01", ym / 100, ym % 100);
		for (size_t m = 0; m < cat->n; m++) {
			const pol *y = &cat->items[m];

			if (y == x || !spans_cover(sp, y, ym))
				continue;
			if (names_on(x, day, y->p.code) || names_on(y, day, x->p.code)) {
				*bad_ym = ym;
				*with = y;
				return 1;
			}
		}
	}
	return 0;
}

/*
 * A new receipt, in the writer's transaction: the child's receipts are
 * read there, so that two receipts of policies that may not be had
 * together, recorded at once, do not both pass. Refused (nothing written)
 * when the child receives a policy x may not be had with today
 * (RJ_EXCLUDED) or received one over the months it reaches back to
 * (RJ_PAST); then the same refusals of the store (a month paid twice).
 */
enum { RJ_OK = 0, RJ_EXCLUDED, RJ_PAST };

typedef struct receipt_job {
	receipt_rec rr;
	const catalog *cat;
	const pol *x;
	ent_facts f; /* the child's facts, without its receipts */
	int from_ym, to_ym;
	int refused; /* RJ_* */
	int bad_ym;
	const pol *with;
} receipt_job;

static int receipt_insert_fn(store_conn *c, void *arg)
{
	receipt_job *j = arg;
	child_spans spans = {0};
	ent_facts f = j->f;
	int rc;

	j->refused = RJ_OK;
	j->with = NULL;
	f.nreceiving = 0;
	spans.f = &f;
	rc = store_child_receipts(c, j->rr.child_id, child_span_cb, &spans);
	if (rc == WB_OK && (j->with = excluding(j->cat, j->x, &f))) {
		j->refused = RJ_EXCLUDED;
		rc = WB_ECONFLICT;
	} else if (rc == WB_OK &&
		   receipt_past_exclusion(j->cat, j->x, &spans, j->from_ym, j->to_ym, &j->bad_ym, &j->with)) {
		j->refused = RJ_PAST;
		rc = WB_ECONFLICT;
	} else if (rc == WB_OK)
		rc = store_receipt_insert(c, &j->rr);
	free(spans.v);
	return rc;
}

int api_child_entitlement_create(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	json_t *body = NULL;
	catalog cat = {0};
	receipt_job job;
	receipt_rec *rr = &job.rr;
	audit_entry e;
	child_rec ch;
	category_rec k[CHILD_CATS_MAX];
	const pol *x;
	const char *from;
	char first[8];
	int64_t id, policy_id;
	int today = clock_today_ymd(), ym, now_ym = today / 100, rc, nk = 0;
	unsigned unmet;

	if (api_id_param(r, "id", &id) || !can_write(r, p) || api_body(r, &body) ||
	    api_check_fields(r, body, receipt_fields))
		goto out;
	rc = store_child_get(c, &p->scope, id, &ch);
	if (rc) {
		api_child_fail(r, a, p, id, "entitlement.start", rc);
		goto out;
	}
	rc = catalog_load(c, p->county_code, 0, today, &cat);
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	policy_id = json_integer_value(json_object_get(body, "policy_id"));
	from = api_str(body, "from_month");
	x = catalog_find(&cat, policy_id);
	if (!x || !x->cur) {
		api_error(r, 422, "validation_failed", "policy_id must be a policy in force", "policy_id");
		goto out;
	}
	if (month_parse(from, &ym) != WB_OK) {
		api_error(r, 422, "validation_failed", "from_month must be a month YYYY-MM", "from_month");
		goto out;
	}
	if (month_diff(ym, now_ym) > 12 || month_diff(now_ym, ym) > 1) {
		api_error(r, 422, "validation_failed", "from_month must be within the last 12 months or the next one",
			  "from_month");
		goto out;
	}
	/* nor before the child was born: nothing was paid for a child not
	 * yet born (a newborn's aid is not back-dated before its birth) */
	if (ch.birth_date[0] && strncmp(from, ch.birth_date, 7) < 0) {
		char msg[120];

		wb_snprintf(msg, sizeof(msg),
			    "the child was born in %.7s: from_month may not be before the birth month", ch.birth_date);
		api_error(r, 422, "validation_failed", msg, "from_month");
		goto out;
	}
	memset(&job, 0, sizeof(job));
	/* the policies it receives are read in the writer's transaction
	 * (receipt_insert_fn): the exclusions are checked there */
	rc = child_ent_facts(c, &ch, today, &job.f, k, &nk);
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	if (x->end && strncmp(from, x->end->effective_from, 7) >= 0) {
		char msg[120];

		wb_snprintf(msg, sizeof(msg), "the policy stops from %.7s: from_month must be an earlier month",
			    x->end->effective_from);
		api_error(r, 422, "validation_failed", msg, "from_month");
		goto out;
	}
	/* nor before its first version: the ledger pays no month without a
	 * version in force, so the months before it would be recorded as
	 * received and never paid (a yearly or one-off benefit not at all) */
	first_month_of(x, first);
	if (strncmp(from, first, 7) < 0) {
		char msg[120];

		wb_snprintf(msg, sizeof(msg), "the policy is in force from %s: from_month may not be before it", first);
		api_error(r, 422, "validation_failed", msg, "from_month");
		goto out;
	}
	if (x->rule.cats &&
	    (receipt_category_review(r, k, nk, &x->rule) || receipt_before_category(r, k, nk, &x->rule, from)))
		goto out;
	unmet = unmet_of(&cat, x, &job.f);
	if (unmet) {
		char msg[200];
		size_t off;

		wb_snprintf(msg, sizeof(msg), "the child is not eligible for this policy today; unmet:");
		off = strlen(msg);
		for (int b = 0; b < EU__COUNT; b++)
			if (unmet & (1u << b)) {
				wb_snprintf(msg + off, sizeof(msg) - off, " %s", ent_unmet_name(b));
				off = strlen(msg);
			}
		api_error(r, 422, "validation_failed", msg, "policy_id");
		goto out;
	}
	rr->child_id = id;
	rr->policy_id = policy_id;
	wb_strlcpy(rr->county_code, ch.county_code, sizeof(rr->county_code));
	wb_strlcpy(rr->from_month, from, sizeof(rr->from_month));
	rr->benefit = (int)x->benefit;
	rr->created_at = clock_now();
	rr->created_by = p->user_id;
	job.cat = &cat;
	job.x = x;
	job.from_ym = ym;
	job.to_ym = ym > now_ym ? ym : now_ym;
	api_audit_init(r, p, &e);
	wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, id);
	audit_entry_set(&e, "entitlement.start", "child", e.object_id, "ok");
	api_audit_detail(&e, json_pack("{s:s, s:s}", "policy", x->p.code, "from_month", from));
	api_conn_release(r);
	rc = audit_submit(a->audit, &e, receipt_insert_fn, &job);
	if (rc == WB_ECONFLICT && job.refused == RJ_EXCLUDED) {
		char msg[400];

		wb_snprintf(msg, sizeof(msg),
			    "the child is not eligible for this policy today; unmet: excluded (the child receives %s, "
			    "which this policy may not be had with)",
			    job.with->p.name);
		api_error(r, 422, "validation_failed", msg, "policy_id");
	} else if (rc == WB_ECONFLICT && job.refused == RJ_PAST) {
		char msg[700], bad[8], next[8];

		month_format(job.bad_ym, bad);
		month_format(month_add(job.bad_ym, 1), next);
		wb_snprintf(msg, sizeof(msg),
			    "in %s the child received %s, which this policy (its version in force then) may not be had "
			    "with: from_month must be %s or later",
			    bad, job.with->p.name, next);
		api_error(r, 422, "validation_failed", msg, "from_month");
	} else if (rc == WB_ECONFLICT)
		api_error(r, 409, "conflict", "the child already receives this policy", "policy_id");
	else if (rc == WB_EINVAL) {
		char msg[160];

		/* a yearly benefit (a one-off or in-kind one too) covers the 12
		 * months from the month it paid */
		if (x->benefit == EB_MONTHLY)
			wb_snprintf(msg, sizeof(msg),
				    "the child received this policy until %s: from_month must be a later month",
				    rr->to_month);
		else
			wb_snprintf(msg, sizeof(msg),
				    "the child was paid this policy in %s, which covers 12 months: from_month must be "
				    "%s or later",
				    rr->to_month, rr->next_month);
		api_error(r, 422, "validation_failed", msg, "from_month");
	} else if (rc)
		api_fail(r, rc);
	else
		api_json(r, 201, receipt_json(rr, &cat));
out:
	catalog_free(&cat);
	json_decref(body);
	return 0;
}

static const char *const findings[] = {"applied", "declined", "elsewhere", "other", NULL};

typedef struct gap_check_job {
	gap_check_rec g;
	char township[10]; /* the child's, now */
} gap_check_job;

/* A check is of the gap open now (GAP_CHECK_CURRENT): the gap is recorded
 * among those told, from the check's time at the latest, if the daily
 * matching has not recorded it yet; once the matching finds it closed it
 * forgets it, and a gap open again is recorded anew, after the check. */
static int gap_check_fn(store_conn *c, void *arg)
{
	gap_check_job *j = arg;
	int rc = store_ent_gap_add(c, j->g.county_code, j->g.child_id, j->g.policy_id, j->township, j->g.created_at);

	return rc ? rc : store_gap_check_add(c, &j->g);
}

static const api_field check_fields[] = {
	{"finding", JSON_STRING, 1, 16},
	{"note", JSON_STRING, 0, POLICY_NOTE_MAX - 1},
	{NULL, 0, 0, 0},
};

/* POST /api/v1/children/{id}/entitlements/{policy}/checks: what the
 * township found when it checked a gap (应享未享 核实情况): applied and
 * waiting, the family declined, received elsewhere, or another finding
 * (its note required). The gap stays a gap; its newest check shows on the
 * gap list. 409 when the child is not a gap of that policy today. */
int api_gap_check_create(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	json_t *body = NULL;
	catalog cat = {0};
	gap_ways ways = {0};
	child_rec ch;
	ent_facts f;
	gap_check_job job;
	gap_check_rec *g = &job.g;
	audit_entry e;
	const pol *pl, *under;
	const char *finding, *note;
	category_rec k[CHILD_CATS_MAX];
	int64_t id, policy_id;
	unsigned unmet;
	int today = clock_today_ymd(), rc, nk = 0;

	if (api_id_param(r, "id", &id) || api_id_param(r, "policy", &policy_id) || !can_write(r, p) ||
	    api_body(r, &body) || api_check_fields(r, body, check_fields))
		goto out;
	finding = api_str(body, "finding");
	note = api_str(body, "note");
	if (!api_one_of(finding, findings)) {
		api_error(r, 422, "validation_failed", "finding must be applied, declined, elsewhere or other",
			  "finding");
		goto out;
	}
	if (note && api_utf8_chars(note) > REASON_CHARS) {
		api_error(r, 422, "validation_failed", "note may have at most 200 characters", "note");
		goto out;
	}
	if (strcmp(finding, "other") == 0 && (!note || wb_is_blank(note))) {
		api_error(r, 422, "validation_failed", "another finding needs a note saying what", "note");
		goto out;
	}
	rc = store_child_get(c, &p->scope, id, &ch);
	if (rc) {
		api_child_fail(r, a, p, id, "entitlement.check", rc);
		goto out;
	}
	/* every policy's versions: the gap may be counted under another */
	rc = catalog_load(c, p->county_code, 0, today, &cat);
	if (rc == WB_OK)
		rc = child_ent_facts(c, &ch, today, &f, k, &nk);
	if (rc == WB_OK)
		rc = store_child_receipts(c, id, facts_receipt_cb, &f);
	if (rc == WB_OK)
		rc = gap_ways_init(&ways, &cat);
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	gap_ways_resolve(&cat, &f, &ways);
	pl = catalog_find(&cat, policy_id);
	if (!pl || !pl->cur) {
		api_error(r, 404, "not_found", "no such policy in force", NULL);
		goto out;
	}
	if (group_of(&cat, pl, &f, receives(&f, policy_id), &unmet) != G_GAP) {
		api_error(r, 409, "conflict", "the child is not a gap of this policy today", NULL);
		goto out;
	}
	if ((under = gap_counted_under(&cat, pl, &ways))) {
		char msg[400];

		wb_snprintf(
			msg, sizeof(msg),
			"the child's gap is counted under %s, which this policy may not be had with: check that one",
			under->p.name);
		api_error(r, 409, "conflict", msg, NULL);
		goto out;
	}
	memset(&job, 0, sizeof(job));
	g->child_id = id;
	g->policy_id = policy_id;
	wb_strlcpy(g->county_code, ch.county_code, sizeof(g->county_code));
	wb_strlcpy(g->finding, finding, sizeof(g->finding));
	wb_strlcpy(g->note, note ? note : "", sizeof(g->note));
	wb_trim(g->note);
	g->created_at = clock_now();
	g->created_by = p->user_id;
	/* the township as the daily matching tells it (gap_key) */
	wb_snprintf(job.township, sizeof(job.township), "%.9s", ch.village_code);
	api_audit_init(r, p, &e);
	wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, id);
	audit_entry_set(&e, "entitlement.check", "child", e.object_id, "ok");
	api_audit_detail(&e, json_pack("{s:s, s:s}", "policy", pl->p.code, "finding", finding));
	api_conn_release(r);
	rc = audit_submit(a->audit, &e, gap_check_fn, &job);
	if (rc)
		api_fail(r, rc);
	else
		api_json(r, 201,
			 json_pack("{s:I, s:I, s:I, s:s, s:s, s:I, s:s}", "id", (json_int_t)g->id, "child_id",
				   (json_int_t)id, "policy_id", (json_int_t)policy_id, "finding", g->finding, "note",
				   g->note, "at", (json_int_t)g->created_at, "by", p->display_name));
out:
	gap_ways_free(&ways);
	catalog_free(&cat);
	json_decref(body);
	return 0;
}

typedef struct end_job {
	const receipt_rec *rr;
	const char *to_month, *reason;
	int64_t at, by;
} end_job;

static int receipt_end_fn(store_conn *c, void *arg)
{
	end_job *j = arg;

	return store_receipt_end(c, j->rr->id, j->to_month, j->reason, j->at, j->by);
}

static const api_field end_fields[] = {
	{"last_month", JSON_STRING, 0, 8},
	{"reason", JSON_STRING, 1, POLICY_NOTE_MAX - 1},
	{NULL, 0, 0, 0},
};

int api_entitlement_end(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	json_t *body = NULL;
	receipt_rec *rr = malloc(sizeof(*rr));
	end_job job;
	audit_entry e;
	const char *last, *reason;
	char month[8], before_first[8];
	int64_t id;
	int ym, from, rc;

	if (!rr)
		return api_fail(r, WB_ENOMEM);
	if (api_id_param(r, "id", &id) || !can_write(r, p) || api_body(r, &body) ||
	    api_check_fields(r, body, end_fields))
		goto out;
	rc = store_receipt_get(c, &p->scope, id, rr);
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	last = api_str(body, "last_month");
	month_format(clock_today_ymd() / 100, month);
	month_parse(rr->from_month, &from);
	/* a receipt that has not started yet is cancelled: its last month is
	 * the one before its first, and it pays nothing; by default the last
	 * month of one that has started is this one */
	month_format(month_add(from, -1), before_first);
	if (!last)
		last = strcmp(rr->from_month, month) > 0 ? before_first : month;
	if (month_parse(last, &ym) != WB_OK) {
		api_error(r, 422, "validation_failed", "last_month must be a month YYYY-MM", "last_month");
		goto out;
	}
	if (ym < from && !(ym == month_add(from, -1) && strcmp(rr->from_month, month) > 0)) {
		api_error(r, 422, "validation_failed", "last_month may not be before the receipt's from_month",
			  "last_month");
		goto out;
	}
	/* a stop takes effect from the next month (SPEC §6): the last month
	 * paid is this one at the latest, or the first of a receipt that has
	 * not started yet */
	if (ym > clock_today_ymd() / 100 && ym > from) {
		api_error(r, 422, "validation_failed",
			  "last_month may not be after this month: payments stop from the next month", "last_month");
		goto out;
	}
	if (api_reason(r, body, REASON_CHARS, &reason))
		goto out;
	if (rr->to_month[0]) {
		api_error(r, 409, "conflict", "the receipt has ended already", NULL);
		goto out;
	}
	job = (end_job){rr, last, reason, clock_now(), p->user_id};
	api_audit_init(r, p, &e);
	wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, rr->child_id);
	audit_entry_set(&e, "entitlement.end", "child", e.object_id, "ok");
	api_audit_detail_reason(&e,
				json_pack("{s:I, s:I, s:s}", "receipt", (json_int_t)id, "policy",
					  (json_int_t)rr->policy_id, "last_month", last),
				reason);
	api_conn_release(r);
	rc = audit_submit(a->audit, &e, receipt_end_fn, &job);
	if (rc == WB_ECONFLICT) {
		api_error(r, 409, "conflict", "the receipt has ended already", NULL);
		goto out;
	}
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	wb_strlcpy(rr->to_month, last, sizeof(rr->to_month));
	wb_strlcpy(rr->end_reason, reason, sizeof(rr->end_reason));
	receipt_answer(r, api_conn(r), p->county_code, rr, 200);
out:
	json_decref(body);
	free(rr);
	return 0;
}

/* ---- the monthly ledger (月度发放台账) ---- */

typedef struct ledger_line {
	int64_t receipt_id, child_id, cents;
	const pol *x;
	char name[128];
	char village_code[16];
} ledger_line;

typedef struct ledger_ctx {
	store_scope scope; /* the caller's, archived children included */
	catalog cat;
	int ym;
	char first_day[11];
	ledger_line *lines;
	size_t n, cap;
	int64_t total;
	int64_t children; /* distinct, set by ledger_sums */
	int64_t dept;     /* a department's totals: its own policies only (0: all) */
} ledger_ctx;

static int ledger_cb(const receipt_rec *rr, void *arg)
{
	ledger_ctx *x = arg;
	const pol *pl = catalog_find(&x->cat, rr->policy_id);
	const policy_version_rec *v;
	ledger_line *l;
	int from, to = 0, rc;

	if (!pl || month_parse(rr->from_month, &from) != WB_OK || (x->dept && pl->p.department_id != x->dept))
		return WB_OK;
	if (rr->to_month[0] && month_parse(rr->to_month, &to) != WB_OK)
		return WB_OK;
	if (!ent_pays_in(pl->benefit, from, to, x->ym) || !(v = version_on(pl, x->first_day)) || v->ends)
		return WB_OK; /* not this month, or the policy had stopped */
	rc = wb_grow(&x->lines, x->n, &x->cap, sizeof(*x->lines), 256, MATCH_MAX_ROWS);
	if (rc)
		return rc;
	l = &x->lines[x->n++];
	l->receipt_id = rr->id;
	l->child_id = rr->child_id;
	l->cents = v->amount_cents;
	l->x = pl;
	wb_strlcpy(l->name, rr->name, sizeof(l->name));
	wb_strlcpy(l->village_code, rr->village_code, sizeof(l->village_code));
	x->total += v->amount_cents;
	return WB_OK;
}

static const char *const ledger_cols_zh[] = {"台账编号", "儿童编号", "姓名",     "村（社区）代码", "村（社区）",
					     "政策",     "发放部门", "待遇类型", "金额（元）"};
static const char *const ledger_cols_en[] = {"Receipt ID", "Child ID", "Name",    "Village code", "Village",
					     "Policy",     "Paid by",  "Benefit", "Amount (yuan)"};

static int ledger_sheet(api_sheet *sh, http_req *r, store_conn *c, const ledger_ctx *x, int fmt, int en)
{
	int rc = api_sheet_begin(sh, r, fmt, en, en ? "Ledger" : "发放台账", ledger_cols_zh, ledger_cols_en,
				 WB_ARRAY_LEN(ledger_cols_zh));

	for (size_t i = 0; rc == WB_OK && i < x->n; i++) {
		const ledger_line *l = &x->lines[i];
		char village[128] = "";

		api_area_name(c, l->village_code, village, sizeof(village));
		api_sheet_int(sh, l->receipt_id, 0);
		api_sheet_int(sh, l->child_id, 0);
		api_sheet_text(sh, l->name, 0);
		api_sheet_text(sh, l->village_code, 0);
		api_sheet_text(sh, village, 0);
		api_sheet_text(sh, l->x->p.name, 0);
		api_sheet_text(sh, l->x->p.department_name, 0);
		api_sheet_text(sh, en ? benefit_en[l->x->benefit] : benefit_zh[l->x->benefit], 0);
		api_sheet_yuan(sh, l->cents, 1);
	}
	return rc;
}

/* Totals by policy and by township of the ledger's lines. */
static json_t *ledger_sums(store_conn *c, ledger_ctx *x, json_t **by_town)
{
	json_t *by_policy = json_array();

	*by_town = json_array();
	for (size_t i = 0; i < x->cat.n; i++) {
		int64_t n = 0, cents = 0;

		for (size_t k = 0; k < x->n; k++)
			if (x->lines[k].x == &x->cat.items[i]) {
				n++;
				cents += x->lines[k].cents;
			}
		if (n)
			json_array_append_new(by_policy, json_pack("{s:I, s:s, s:s, s:I, s:I}", "policy_id",
								   (json_int_t)x->cat.items[i].p.id, "name",
								   x->cat.items[i].p.name, "department_name",
								   x->cat.items[i].p.department_name, "children",
								   (json_int_t)n, "amount_cents", (json_int_t)cents));
	}
	/* the lines come by village, then child: a township's lines are
	 * consecutive, and so are a child's (a child paid by two policies is
	 * one child and two payments) */
	for (size_t k = 0; k < x->n;) {
		char town[10], name[128] = "";
		int64_t n = 0, kids = 0, cents = 0;

		wb_strlcpy(town, x->lines[k].village_code, sizeof(town));
		for (; k < x->n && strncmp(x->lines[k].village_code, town, 9) == 0; k++) {
			n++;
			kids += n == 1 || x->lines[k].child_id != x->lines[k - 1].child_id;
			cents += x->lines[k].cents;
		}
		x->children += kids;
		api_area_name(c, town, name, sizeof(name));
		json_array_append_new(*by_town, json_pack("{s:s, s:s, s:I, s:I, s:I}", "code", town, "name", name,
							  "children", (json_int_t)kids, "payments", (json_int_t)n,
							  "amount_cents", (json_int_t)cents));
	}
	return by_policy;
}

int api_entitlements_ledger(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	static const char *const tables[] = {"by_policy", "by_township", NULL};
	const char *area, *m = http_query(r, "month"), *table;
	ledger_ctx *x;
	audit_entry e;
	json_t *items, *by_policy, *by_town, *j;
	int64_t policy_id = 0;
	api_sheet sheet;
	char month[8], stem[32];
	int rc, csv, fmt, en, today = clock_today_ymd();

	/* the department that pays (民政: its allowances) reads the totals of
	 * its own policies in the county, with no child named */
	int dept = api_role_is(p, "department") && p->unit_id;

	if ((!dept && !can_write(r, p)) || api_sheet_params(r, SHEET_JSON, 1, &fmt, &en) ||
	    area_policy_params(r, p, &area, &policy_id) ||
	    table_param(r, tables,
			"table must be by_policy or by_township (the month's totals) or absent (the payments)", &table))
		return 0;
	csv = fmt != SHEET_JSON;
	/* the totals name no child: the department downloads them too */
	if (dept && csv && !table)
		return api_error(r, 403, "forbidden",
				 "a department reads the totals of its policies, not a file of names", "format");
	if (!(x = calloc(1, sizeof(*x))))
		return api_fail(r, WB_ENOMEM);
	x->ym = today / 100;
	if (m && month_parse(m, &x->ym) != WB_OK) {
		api_error(r, 422, "validation_failed", "month must be a month YYYY-MM", "month");
		goto out;
	}
	month_format(x->ym, month);
	wb_snprintf(x->first_day, sizeof(x->first_day), "%s-01", month);
	/* a month's payments stay what they were when a child is archived later */
	x->scope = p->scope;
	if (dept) {
		store_scope_county(&x->scope, p->county_code);
		x->dept = p->unit_id;
	}
	x->scope.with_archived = 1;
	rc = catalog_load(c, p->county_code, 0, today, &x->cat);
	if (rc == WB_OK)
		rc = store_receipts_in(c, &x->scope, area, month, policy_id, 0, ledger_cb, x);
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	if (csv && table) {
		by_policy = ledger_sums(api_conn(r), x, &by_town);
		if (strcmp(table, "by_policy") == 0) {
			json_decref(by_town);
			by_town = by_policy;
		} else {
			json_decref(by_policy);
		}
		wb_snprintf(stem, sizeof(stem), "ledger-%s", table == tables[0] ? "by-policy" : "by-township");
		api_sheet_items(r, a, p, by_town, fmt, en,
				table == tables[0] ? (en ? "By policy" : "按政策汇总")
						   : (en ? "By township" : "按乡镇（街道）汇总"),
				stem, table == tables[0] ? ledger_policy_cols : ledger_town_cols,
				table == tables[0] ? WB_ARRAY_LEN(ledger_policy_cols) : WB_ARRAY_LEN(ledger_town_cols),
				"entitlement.ledger_export", "child",
				json_pack("{s:s, s:s, s:s?, s:I}", "table", table, "month", month, "area", area,
					  "policy", (json_int_t)policy_id));
		goto out;
	}
	if (csv) {
		if ((rc = ledger_sheet(&sheet, r, c, x, fmt, en)) != WB_OK)
			api_sheet_fail(&sheet, r, rc);
		else
			api_sheet_audited_end(&sheet, r, a, p, "entitlement.ledger_export", "child",
					      json_pack("{s:s, s:s?, s:I}", "month", month, "area", area, "policy",
							(json_int_t)policy_id),
					      "ledger", x->ym);
		goto out;
	}
	items = json_array();
	if (dept) { /* totals only: not audited, no one is named */
		by_policy = ledger_sums(api_conn(r), x, &by_town);
		api_json(r, 200,
			 json_pack("{s:s, s:I, s:I, s:I, s:o, s:o, s:o, s:b}", "month", month, "total_cents",
				   (json_int_t)x->total, "count", (json_int_t)x->n, "children", (json_int_t)x->children,
				   "by_policy", by_policy, "by_township", by_town, "items", items, "totals_only", 1));
		goto out;
	}
	for (size_t i = 0; i < x->n && i < LEDGER_ITEMS; i++) {
		const ledger_line *l = &x->lines[i];
		char village[128] = "";

		api_area_name(c, l->village_code, village, sizeof(village));
		json_array_append_new(items, json_pack("{s:I, s:I, s:s, s:s, s:s, s:I, s:s, s:I}", "receipt_id",
						       (json_int_t)l->receipt_id, "child_id", (json_int_t)l->child_id,
						       "name", l->name, "village_code", l->village_code, "village_name",
						       village, "policy_id", (json_int_t)l->x->p.id, "policy_name",
						       l->x->p.name, "amount_cents", (json_int_t)l->cents));
	}
	api_audit_init(r, p, &e);
	audit_entry_set(&e, "entitlement.ledger", "child", "", "ok");
	api_audit_detail(&e, json_pack("{s:s, s:s?, s:I, s:s, s:I}", "month", month, "area", area, "policy",
				       (json_int_t)policy_id, "format", "json", "returned",
				       (json_int_t)json_array_size(items)));
	if (api_audit_read(r, a, &e) != WB_OK) {
		json_decref(items);
		api_fail(r, WB_ESTORE);
		goto out;
	}
	by_policy = ledger_sums(api_conn(r), x, &by_town);
	j = json_pack("{s:s, s:I, s:I, s:I, s:o, s:o, s:o}", "month", month, "total_cents", (json_int_t)x->total,
		      "count", (json_int_t)x->n, "children", (json_int_t)x->children, "by_policy", by_policy,
		      "by_township", by_town, "items", items);
	api_json(r, 200, j);
out:
	catalog_free(&x->cat);
	free(x->lines);
	free(x);
	return 0;
}

/* ---- for the overview ---- */

int entitlements_paid(store_conn *c, const store_scope *sc, const char *county, int ym, ent_tally_fn fn, void *arg)
{
	ledger_ctx *l = calloc(1, sizeof(*l));
	char month[8];
	int rc = l ? WB_OK : WB_ENOMEM;

	if (rc == WB_OK) {
		l->scope = *sc;
		l->scope.with_archived = 1;
		l->ym = ym;
		month_format(ym, month);
		wb_snprintf(l->first_day, sizeof(l->first_day), "%s-01", month);
		rc = catalog_load(c, county, 0, clock_today_ymd(), &l->cat);
	}
	if (rc == WB_OK)
		rc = store_receipts_in(c, &l->scope, NULL, month, 0, 0, ledger_cb, l);
	for (size_t i = 0; rc == WB_OK && i < l->n; i++)
		rc = fn(l->lines[i].village_code, -1, l->lines[i].cents, arg);
	if (l) {
		catalog_free(&l->cat);
		free(l->lines);
	}
	free(l);
	return rc;
}

int entitlements_tally(store_conn *c, const store_scope *sc, const char *county, ent_tally_fn fn, void *arg)
{
	match_ctx *m = calloc(1, sizeof(*m));
	int rc = m ? WB_OK : WB_ENOMEM;

	if (rc == WB_OK) {
		m->tally = fn;
		m->tally_arg = arg;
		rc = match_run(c, sc, county, NULL, m);
		match_free(m);
	}
	free(m);
	/* this month's payments, as the ledger counts them */
	return rc ? rc : entitlements_paid(c, sc, county, clock_today_ymd() / 100, fn, arg);
}

/* ---- the daily notice of new gaps (应享未享) to the townships ---- */

static int gap_cmp(const void *pa, const void *pb)
{
	const gap_key *a = pa, *b = pb;

	if (a->child_id != b->child_id)
		return a->child_id < b->child_id ? -1 : 1;
	return a->policy_id < b->policy_id ? -1 : a->policy_id > b->policy_id;
}

static int gap_known_cb(int64_t child_id, int64_t policy_id, const char *township, void *arg)
{
	gap_set *g = arg;
	int rc = wb_grow(&g->v, g->n, &g->cap, sizeof(*g->v), 256, MATCH_MAX_ROWS);

	if (rc)
		return rc;
	memset(&g->v[g->n], 0, sizeof(g->v[0]));
	g->v[g->n].child_id = child_id;
	g->v[g->n].policy_id = policy_id;
	wb_strlcpy(g->v[g->n++].township, township ? township : "", sizeof(g->v[0].township));
	return WB_OK;
}

/* The new gaps of one township, to be told. */
typedef struct town_news {
	char code[16];
	int64_t n;
} town_news;

static int town_count(town_news **t, size_t *n, size_t *cap, const char *code)
{
	int rc;

	for (size_t i = 0; i < *n; i++)
		if (strcmp((*t)[i].code, code) == 0) {
			(*t)[i].n++;
			return WB_OK;
		}
	rc = wb_grow(t, *n, cap, sizeof(**t), 16, 4096);
	if (rc)
		return rc;
	wb_strlcpy((*t)[*n].code, code, sizeof((*t)[0].code));
	(*t)[(*n)++].n = 1;
	return WB_OK;
}

/* Tells the station and the supervisor of township code that n gaps are
 * new: an inbox message each and, if the township has a webhook, a
 * delivery per audience (numbers and codes only). */
static int town_tell(store_conn *c, const char *county, const town_news *tn, int64_t now, int *queued)
{
	static const char *const roles[] = {"station", "supervisor"};
	char owner[40], payload[320];
	int rc = WB_OK;

	wb_snprintf(owner, sizeof(owner), "area:%s", tn->code);
	for (size_t i = 0; rc == WB_OK && i < WB_ARRAY_LEN(roles); i++) {
		/* one who is both the station's and the supervisor gets one message */
		notify_target told = {roles[0], tn->code, 0, 0, NULL, NULL, 0};
		notify_target t = {roles[i], tn->code, 0, 0, owner, &told, (int)i};
		notify_event e = {county, "entitlement.gaps", 0, 0, NULL, 0, now, 0, payload, tn->n, 0};

		wb_snprintf(payload, sizeof(payload),
			    "{\"event\":\"entitlement.gaps\",\"county_code\":\"%s\",\"township_code\":\"%s\","
			    "\"new_gaps\":%" PRId64 ",\"audience\":\"%s\",\"at\":%" PRId64 "}",
			    county, tn->code, tn->n, roles[i], now);
		rc = store_notify(c, &t, &e, queued);
	}
	return rc;
}

struct ent_gaps {
	gap_set cur;
};

int entitlements_gap_find(store_conn *c, const char *county, ent_gaps **out)
{
	ent_gaps *f = calloc(1, sizeof(*f));
	match_ctx *m = calloc(1, sizeof(*m));
	store_scope sc;
	int rc = f && m ? WB_OK : WB_ENOMEM;

	memset(&sc, 0, sizeof(sc));
	wb_strlcpy(sc.county_code, county, sizeof(sc.county_code));
	sc.children = SCOPE_COUNTY;
	if (rc == WB_OK) {
		m->gaps = &f->cur;
		rc = match_run(c, &sc, county, NULL, m);
		match_free(m);
	}
	free(m);
	if (rc == WB_OK && f->cur.n)
		qsort(f->cur.v, f->cur.n, sizeof(*f->cur.v), gap_cmp);
	if (rc != WB_OK) {
		entitlements_gaps_free(f);
		f = NULL;
	}
	*out = f;
	return rc;
}

void entitlements_gaps_free(ent_gaps *f)
{
	if (f) {
		free(f->cur.v);
		free(f);
	}
}

int entitlements_gap_apply(store_conn *c, const char *county, const ent_gaps *found, int64_t now, ent_gap_sweep *out)
{
	const gap_set *cur = &found->cur;
	gap_set known = {0};
	town_news *towns = NULL;
	size_t ntowns = 0, captowns = 0, i = 0, j = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = store_ent_gaps_known(c, county, gap_known_cb, &known);
	/* both sorted by (child, policy): one pass finds the new and the closed */
	while (rc == WB_OK && (i < cur->n || j < known.n)) {
		int d = i == cur->n ? 1 : j == known.n ? -1 : gap_cmp(&cur->v[i], &known.v[j]);

		if (d < 0) {
			rc = store_ent_gap_add(c, county, cur->v[i].child_id, cur->v[i].policy_id, cur->v[i].township,
					       now);
			if (rc == WB_OK)
				rc = town_count(&towns, &ntowns, &captowns, cur->v[i].township);
			out->added++;
			i++;
		} else if (d > 0) {
			rc = store_ent_gap_drop(c, county, known.v[j].child_id, known.v[j].policy_id);
			out->closed++;
			j++;
		} else {
			/* told to a township the child has left: it is news to the
			 * one that has the child now, which never heard of it */
			if (strcmp(cur->v[i].township, known.v[j].township) != 0) {
				rc = store_ent_gap_move(c, county, cur->v[i].child_id, cur->v[i].policy_id,
							cur->v[i].township, now);
				if (rc == WB_OK)
					rc = town_count(&towns, &ntowns, &captowns, cur->v[i].township);
				out->added++;
			}
			i++;
			j++;
		}
	}
	out->open = (int64_t)cur->n;
	for (size_t k = 0; rc == WB_OK && k < ntowns; k++) {
		rc = town_tell(c, county, &towns[k], now, &out->queued);
		out->townships++;
	}
	free(known.v);
	free(towns);
	return rc;
}

int entitlements_gap_sweep(store_conn *c, const char *county, int64_t now, ent_gap_sweep *out)
{
	ent_gaps *found = NULL;
	int rc = entitlements_gap_find(c, county, &found);

	memset(out, 0, sizeof(*out));
	if (rc == WB_OK)
		rc = entitlements_gap_apply(c, county, found, now, out);
	entitlements_gaps_free(found);
	return rc;
}
