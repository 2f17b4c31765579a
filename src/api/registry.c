/*
 * The registry's rules on stored records (see registry.h) and the category
 * endpoints: confirm / reject / end / keep a category, the township's
 * review list, and the statistics of ended categories.
 *
 * A derived category is a suggestion until a person with the right role
 * confirms it with evidence. When the facts change, suggestions follow at
 * once; a confirmed category is never changed silently: it is flagged for
 * review with the reason it seems to have ended, except for age limits,
 * which are facts of the calendar and end the category by themselves.
 */
#include "registry.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "../domain/area.h"
#include "../domain/date.h"
#include "../domain/fields.h"
#include "../util/clock.h"
#include "../util/wb.h"

static category_config config;
static int config_ready;

void registry_config_set(const category_config *cfg)
{
	config = *cfg;
	config_ready = 1;
}

const category_config *registry_config(void)
{
	if (!config_ready) {
		category_config_default(&config);
		config_ready = 1;
	}
	return &config;
}

void registry_facts(const child_rec *ch, const guardian_rec *g, int n, child_facts *out)
{
	memset(out, 0, sizeof(*out));
	out->birth_ymd = date_ymd(ch->birth_date);
	out->rural_hukou = strcmp(ch->hukou_type, "rural") == 0;
	out->adopted = ch->adopted;
	out->disability_grade = ch->disability_grade;
	out->serious_illness = ch->serious_illness[0] != '\0';
	out->family_poverty = ch->family_poverty;
	out->father = GS_UNKNOWN;
	out->mother = GS_UNKNOWN;
	for (int i = 0; i < n; i++) {
		enum guardian_status s;

		if (guardian_status_parse(g[i].status, &s) != 0)
			continue;
		if (strcmp(g[i].relation, "father") == 0 && out->father == GS_UNKNOWN)
			out->father = s;
		else if (strcmp(g[i].relation, "mother") == 0 && out->mother == GS_UNKNOWN)
			out->mother = s;
	}
}

/* ---- input ---- */

static const char *const relations[] = {"father",  "mother",   "grandfather", "grandmother",
					"sibling", "relative", "other"};

static int in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

/* 1 for a real day written YYYY-MM-DD (date_parse) */
static int valid_date_text(const char *s)
{
	int ymd;

	return date_parse(s, &ymd) == WB_OK;
}

static const api_field guardian_fields[] = {
	{"relation", JSON_STRING, 1, 16},
	{"name", JSON_STRING, 1, FIELD_MAX_GUARDIAN_NAME},
	{"phone", JSON_STRING, 0, 20},
	{"status", JSON_STRING, 1, 24},
	{"status_since", JSON_STRING, 0, 10},
	{"work_place", JSON_STRING, 0, FIELD_MAX_GUARDIAN_WORK},
	{NULL, 0, 0, 0},
};

static int fail(http_req *r, const char *field, const char *message)
{
	api_error(r, 422, "validation_failed", message, field);
	return -1;
}

int registry_check_text(http_req *r, const char *field, enum field_text t, const char *s)
{
	char msg[160];

	switch (field_check_text(t, s)) {
	case FIELD_OK: return 0;
	case FIELD_CONTROL: wb_snprintf(msg, sizeof(msg), "%s contains control characters", field); break;
	case FIELD_BLANKS:
		wb_snprintf(msg, sizeof(msg),
			    "%s must be non-empty text without blanks at either end or invisible characters", field);
		break;
	case FIELD_TOO_LONG:
		wb_snprintf(msg, sizeof(msg), "%s is too long: at most %zu bytes", field, field_text_max(t));
		break;
	}
	return fail(r, field, msg);
}

static int parse_guardians(http_req *r, const app *a, json_t *arr, guardian_input *gi)
{
	size_t i;
	json_t *v;
	char field[48], today[11], name[FIELD_MAX_GUARDIAN_NAME * 2];

	gi->have = 1;
	gi->n = 0;
	if (json_array_size(arr) > GUARDIANS_MAX)
		return fail(r, "guardians", "at most 8 guardians");
	json_array_foreach(arr, i, v)
	{
		guardian_rec *g = &gi->g[gi->n];
		enum guardian_status st;
		const char *s;

		memset(g, 0, sizeof(*g));
		if (!json_is_object(v))
			return fail(r, "guardians", "each guardian must be an object");
		wb_snprintf(field, sizeof(field), "guardians[%zu]", i);
		if (api_check_fields_in(r, v, guardian_fields, field))
			return -1; /* the 422 names guardians[i].field */
		s = api_str(v, "relation");
		wb_snprintf(field, sizeof(field), "guardians[%zu].relation", i);
		if (!in_list(s, relations, WB_ARRAY_LEN(relations)))
			return fail(r, field,
				    "relation must be father, mother, grandfather, grandmother, sibling, relative or "
				    "other");
		/* a child has one father and one mother: the categories' rules
		 * and the import's matching read them by relation */
		if (strcmp(s, "father") == 0 || strcmp(s, "mother") == 0)
			for (int k = 0; k < gi->n; k++)
				if (strcmp(gi->g[k].relation, s) == 0)
					return fail(r, field,
						    "a child has one father and one mother: this relation is "
						    "given twice");
		wb_strlcpy(g->relation, s, sizeof(g->relation));
		wb_snprintf(field, sizeof(field), "guardians[%zu].name", i);
		s = api_str(v, "name");
		if (s && strlen(s) >= sizeof(name))
			return fail(r, field, "name is too long");
		wb_strlcpy(name, s ? s : "", sizeof(name));
		wb_trim(name); /* as the form and the import do */
		if (registry_check_text(r, field, FT_GUARDIAN_NAME, name))
			return -1;
		wb_strlcpy(g->name, name, sizeof(g->name));
		s = api_str(v, "status");
		wb_snprintf(field, sizeof(field), "guardians[%zu].status", i);
		if (guardian_status_parse(s, &st) != 0 || st == GS_UNKNOWN)
			return fail(r, field, "status is not in the guardian status vocabulary");
		wb_strlcpy(g->status, s, sizeof(g->status));
		if ((s = api_str(v, "status_since"))) {
			wb_snprintf(field, sizeof(field), "guardians[%zu].status_since", i);
			if (!valid_date_text(s))
				return fail(r, field, "status_since must be a date YYYY-MM-DD");
			date_format(clock_today_ymd(), today);
			if (strcmp(s, today) > 0)
				return fail(r, field, "status_since may not be in the future");
			wb_strlcpy(g->status_since, s, sizeof(g->status_since));
		}
		if ((s = api_str(v, "work_place"))) {
			wb_snprintf(field, sizeof(field), "guardians[%zu].work_place", i);
			if (registry_check_text(r, field, FT_GUARDIAN_WORK, s))
				return -1;
			wb_strlcpy(g->work_place, s, sizeof(g->work_place));
		}
		if ((s = api_str(v, "phone")) && s[0]) {
			wb_snprintf(field, sizeof(field), "guardians[%zu].phone", i);
			int prc = api_phone_store(a, s, g->phone_enc, g->phone_mask, sizeof(g->phone_mask));

			if (prc == WB_EINVAL)
				return fail(r, field, "phone must be digits (mobile or landline with area code)");
			if (prc)
				return api_fail(r, prc), -1;
		}
		gi->n++;
	}
	return 0;
}

static int director_of_village(store_conn *c, int64_t user_id, const char *village)
{
	store_stmt *st = NULL;
	int rc = conn_query(c, &st,
			    "SELECT 1 FROM memberships WHERE user_id = ? AND role = 'director' AND area_code = ?", "is",
			    user_id, village);

	stmt_reset(c, st);
	return rc == STORE_ROW;
}

int registry_apply_fields(http_req *r, const app *a, store_conn *c, const sec_principal *p, json_t *body, child_rec *ch,
			  guardian_input *gi)
{
	json_t *v;
	const char *s;

	(void)p;
	gi->have = 0;
	gi->n = 0;
	v = json_object_get(body, "hukou_area_code");
	if (v && json_is_null(v)) {
		ch->hukou_area_code[0] = '\0';
	} else if (v) {
		const char *lvl = area_level_of(json_string_value(v));

		if (!lvl || strcmp(lvl, "grid") == 0)
			return fail(r, "hukou_area_code", "hukou_area_code must be a 6, 9 or 12-digit area code");
		wb_strlcpy(ch->hukou_area_code, json_string_value(v), sizeof(ch->hukou_area_code));
	}
	v = json_object_get(body, "hukou_type");
	if (v && json_is_null(v)) {
		ch->hukou_type[0] = '\0';
	} else if (v) {
		s = json_string_value(v);
		if (strcmp(s, "rural") != 0 && strcmp(s, "urban") != 0)
			return fail(r, "hukou_type", "hukou_type must be rural or urban");
		wb_strlcpy(ch->hukou_type, s, sizeof(ch->hukou_type));
	}
	v = json_object_get(body, "grade");
	if (v && json_is_string(v) && registry_check_text(r, "grade", FT_GRADE, json_string_value(v)))
		return -1;
	if (v)
		wb_strlcpy(ch->grade, json_is_null(v) ? "" : json_string_value(v), sizeof(ch->grade));
	v = json_object_get(body, "disability_grade");
	if (v) {
		json_int_t g = json_is_null(v) ? 0 : json_integer_value(v);

		if (g < 0 || g > 4)
			return fail(r, "disability_grade", "disability_grade must be 0 (none) to 4");
		ch->disability_grade = (int)g;
	}
	v = json_object_get(body, "disability_type");
	if (v && json_is_null(v)) {
		ch->disability_type[0] = '\0';
	} else if (v) {
		if (!field_disability_code(json_string_value(v), 0))
			return fail(r, "disability_type",
				    "disability_type must be visual, hearing, speech, physical, intellectual, mental "
				    "or multiple");
		wb_strlcpy(ch->disability_type, json_string_value(v), sizeof(ch->disability_type));
	}
	if (ch->disability_grade == 0)
		ch->disability_type[0] = '\0';
	v = json_object_get(body, "serious_illness");
	if (v && json_is_string(v) && registry_check_text(r, "serious_illness", FT_ILLNESS, json_string_value(v)))
		return -1;
	if (v)
		wb_strlcpy(ch->serious_illness, json_is_null(v) ? "" : json_string_value(v),
			   sizeof(ch->serious_illness));
	if ((v = json_object_get(body, "family_poverty")))
		ch->family_poverty = json_is_true(v);
	if ((v = json_object_get(body, "adopted")))
		ch->adopted = json_is_true(v);
	v = json_object_get(body, "risk_level");
	if (v && !json_is_null(v)) {
		s = json_string_value(v);
		if (strcmp(s, "low") != 0 && strcmp(s, "medium") != 0 && strcmp(s, "high") != 0)
			return fail(r, "risk_level", "risk_level must be low, medium or high");
		wb_strlcpy(ch->risk_level, s, sizeof(ch->risk_level));
	}
	if (!ch->risk_level[0])
		wb_strlcpy(ch->risk_level, "low", sizeof(ch->risk_level));
	v = json_object_get(body, "notes");
	if (v && json_is_string(v) && registry_check_text(r, "notes", FT_NOTES, json_string_value(v)))
		return -1;
	if (v)
		wb_strlcpy(ch->notes, json_is_null(v) ? "" : json_string_value(v), sizeof(ch->notes));
	v = json_object_get(body, "director_id");
	if (v && json_is_null(v)) {
		ch->director_id = 0;
	} else if (v) {
		if (!director_of_village(c, json_integer_value(v), ch->village_code))
			return fail(r, "director_id", "director_id must be a child director of the child's village");
		ch->director_id = json_integer_value(v);
	} else if (ch->director_id && !director_of_village(c, ch->director_id, ch->village_code)) {
		/* moved to another village (or the director no longer serves
		 * it): no longer the child's director, until one is assigned */
		ch->director_id = 0;
	}
	v = json_object_get(body, "guardians");
	if (v && !json_is_null(v) && parse_guardians(r, a, v, gi))
		return -1;
	if (v && json_is_null(v)) {
		gi->have = 1;
		gi->n = 0;
	}
	return 0;
}

/* ---- keeping categories in step ---- */

static category_rec *active_row(category_rec *rows, int n, const char *cat)
{
	for (int i = n - 1; i >= 0; i--)
		if (strcmp(rows[i].category, cat) == 0 &&
		    (strcmp(rows[i].state, "suggested") == 0 || strcmp(rows[i].state, "confirmed") == 0))
			return &rows[i];
	return NULL;
}

/* The newest row of a category in any state (to respect a rejection). */
static category_rec *latest_row(category_rec *rows, int n, const char *cat)
{
	for (int i = n - 1; i >= 0; i--)
		if (strcmp(rows[i].category, cat) == 0)
			return &rows[i];
	return NULL;
}

/*
 * Ends the category k for age (16 for left-behind, 18 for the others): on
 * the birthday the limit was reached under the birthday rules (or the day
 * the category began, if later), and says so in the child's history as a
 * person's end does, dated that day (its first second in China time, at
 * most ts) and by no account (user 0: the rule ended it). A confirmed
 * category is ended ("category: confirmed" -> "category: ended turned_16");
 * a suggestion nobody decided is withdrawn, its row removed as when its
 * ground goes ("category: suggested" -> "category: withdrawn turned_16"),
 * so the county still reads why it left the child's file.
 */
static int end_by_age(store_conn *c, const char *county, int64_t child_id, category_rec *k, int birth_ymd, int64_t ts)
{
	int limit = strcmp(k->category, "left_behind") == 0 ? 16 : 18;
	int suggested = strcmp(k->state, "suggested") == 0;
	char was[64], now[96];
	int64_t at;
	int rc;

	wb_snprintf(was, sizeof(was), "%s: %s", k->category, k->state);
	date_format(category_age_day(registry_config(), birth_ymd, limit), k->end_date);
	if (k->start_date[0] && strcmp(k->start_date, k->end_date) > 0)
		wb_strlcpy(k->end_date, k->start_date, sizeof(k->end_date));
	wb_strlcpy(k->end_reason, limit == 16 ? "turned_16" : "turned_18", sizeof(k->end_reason));
	if (suggested) {
		rc = store_category_delete(c, k->id);
	} else {
		wb_strlcpy(k->state, "ended", sizeof(k->state));
		k->conflict = 0;
		k->updated_at = ts;
		rc = store_category_update(c, k);
	}
	at = date_day_start(date_ymd(k->end_date));
	if (at > ts)
		at = ts;
	wb_snprintf(now, sizeof(now), "%s: %s %s", k->category, suggested ? "withdrawn" : "ended", k->end_reason);
	if (rc == WB_OK)
		rc = store_child_change_add(c, county, child_id, at, 0, "category", was, now);
	return rc;
}

static int facts_equal(const child_facts *a, const child_facts *b)
{
	return a->birth_ymd == b->birth_ymd && a->rural_hukou == b->rural_hukou && a->adopted == b->adopted &&
	       a->disability_grade == b->disability_grade && a->serious_illness == b->serious_illness &&
	       a->family_poverty == b->family_poverty && a->father == b->father && a->mother == b->mother;
}

int registry_recompute(store_conn *c, const char *county, int64_t child_id, const child_facts *before,
		       const child_facts *now, int today_ymd, int64_t ts, int *changed_out)
{
	return registry_recompute_decided(c, county, child_id, before, now, today_ymd, ts, NULL, changed_out);
}

int registry_recompute_decided(store_conn *c, const char *county, int64_t child_id, const child_facts *before,
			       const child_facts *now, int today_ymd, int64_t ts, registry_decision *decided,
			       int *changed_out)
{
	const category_config *cfg = registry_config();
	category_rec rows[CATEGORY_ROWS_MAX];
	category_result res, was;
	int n = 0, changed = 0, same_facts, rc;

	/* a new child (no facts before) has no category rows yet */
	rc = before ? store_categories_load(c, child_id, rows, CATEGORY_ROWS_MAX, &n) : WB_OK;
	if (rc)
		return rc;
	category_derive(cfg, now, today_ymd, &res);
	same_facts = before && before != now && facts_equal(before, now);
	/* what the facts before the change gave (as now when nothing is before) */
	if (before)
		category_derive(cfg, before, today_ymd, &was);
	else
		was = res;
	for (int k = 0; k < CAT__COUNT && rc == WB_OK; k++) {
		const char *name = category_name((enum category)k);
		category_rec *row = active_row(rows, n, name);

		if (res.has[k]) {
			const char *reason = category_reason_name(res.reason[k]);

			if (!row) {
				category_rec nk;
				category_rec *last = latest_row(rows, n, name);

				/* a person rejected this suggestion: it comes back only
				 * when the facts give another reason for it, or give it
				 * again after they had stopped giving it (a parent came
				 * home, then left again: the rejection judged the facts
				 * of then, not the new ones) */
				if (last && strcmp(last->state, "rejected") == 0 && strcmp(last->reason, reason) == 0 &&
				    (!before || (was.has[k] && was.reason[k] == res.reason[k])))
					continue;

				memset(&nk, 0, sizeof(nk));
				nk.child_id = child_id;
				wb_strlcpy(nk.category, name, sizeof(nk.category));
				wb_strlcpy(nk.state, "suggested", sizeof(nk.state));
				wb_strlcpy(nk.reason, reason, sizeof(nk.reason));
				nk.suggested_at = ts;
				nk.updated_at = ts;
				rc = store_category_insert(c, county, &nk);
				changed++;
			} else if (strcmp(row->reason, reason) != 0 || row->conflict) {
				if (strcmp(row->state, "suggested") == 0)
					wb_strlcpy(row->reason, reason, sizeof(row->reason));
				row->conflict = 0;
				row->end_reason[0] = '\0';
				row->updated_at = ts;
				rc = store_category_update(c, row);
				changed++;
			}
			continue;
		}
		if (!row)
			continue;
		if (strcmp(row->state, "suggested") == 0) {
			enum category_reason why =
				category_end_reason(cfg, (enum category)k, before ? before : now, now, today_ymd);

			/* past its age (a corrected birth date): withdrawn with the
			 * line of history the daily sweep writes, dated the birthday */
			if (why == CR_END_AGE_16 || why == CR_END_AGE_18)
				rc = end_by_age(c, county, child_id, row, now->birth_ymd, ts);
			else
				rc = store_category_delete(c, row->id); /* the ground for the suggestion is gone */
			changed++;
			continue;
		}
		{
			enum category_reason why =
				category_end_reason(cfg, (enum category)k, before ? before : now, now, today_ymd);

			if (why == CR_NONE)
				continue;
			if (why == CR_END_AGE_16 || why == CR_END_AGE_18) {
				/* ended on the birthday, with its line of history */
				rc = end_by_age(c, county, child_id, row, now->birth_ymd, ts);
				changed++;
				continue;
			} else if (decided && decided->category == k && decided->reason == (int)why) {
				/* the caller's record is the decision and its evidence:
				 * ended on its day, not before the category began */
				wb_strlcpy(row->state, "ended", sizeof(row->state));
				wb_strlcpy(row->end_date,
					   row->start_date[0] && strcmp(row->start_date, decided->day) > 0
						   ? row->start_date
						   : decided->day,
					   sizeof(row->end_date));
				row->conflict = 0;
				decided->ended = 1;
			} else {
				/* an edit that changed none of the facts the categories
				 * come from (a note, the grade) leaves the review as it
				 * stands: a flag keeps the reason it was raised for (a
				 * parent came home, not "other"), a category a person
				 * kept stays kept; weibao recompute --all (the same facts
				 * before and now) re-derives everything */
				if (same_facts)
					continue;
				if (row->conflict && strcmp(row->end_reason, category_reason_name(why)) == 0)
					continue;
				row->conflict = 1; /* a person decides: review list */
			}
			wb_strlcpy(row->end_reason, category_reason_name(why), sizeof(row->end_reason));
			row->updated_at = ts;
			rc = store_category_update(c, row);
			changed++;
		}
	}
	if (changed_out)
		*changed_out = changed;
	return rc;
}

/* ---- output ---- */

json_t *registry_guardians_json(const app *a, const sec_principal *p, const guardian_rec *g, int n)
{
	json_t *arr = json_array();

	for (int i = 0; i < n; i++) {
		json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s?, s:s?}", "id", (json_int_t)g[i].id, "relation",
				      g[i].relation, "name", g[i].name, "status", g[i].status, "status_since",
				      g[i].status_since[0] ? g[i].status_since : NULL, "work_place",
				      g[i].work_place[0] ? g[i].work_place : NULL);

		if (!o)
			continue;
		api_phone_json(a, p, o, g[i].phone_enc, g[i].phone_mask);
		json_array_append_new(arr, o);
	}
	return arr;
}

json_t *registry_categories_json(store_conn *c, const category_rec *k, int n)
{
	json_t *arr = json_array();
	int64_t named = 0;  /* the account whose name is in u (rows share it often) */
	user_rec *u = NULL; /* read only for a decided row: most children have none */

	for (int i = 0; i < n; i++) {
		json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:I, s:b}", "id", (json_int_t)k[i].id, "category",
				      k[i].category, "state", k[i].state, "reason", k[i].reason, "suggested_at",
				      (json_int_t)k[i].suggested_at, "needs_review", k[i].conflict);

		if (!o)
			continue;
		if (k[i].confirmed_at) {
			json_object_set_new(o, "confirmed_at", json_integer(k[i].confirmed_at));
			json_object_set_new(o, "confirmed_by", json_integer(k[i].confirmed_by));
			if (c && k[i].confirmed_by && !u)
				u = malloc(sizeof(*u));
			if (u && k[i].confirmed_by &&
			    (named == k[i].confirmed_by || store_user_get(c, k[i].confirmed_by, u) == WB_OK)) {
				named = k[i].confirmed_by;
				json_object_set_new(o, "confirmed_by_name", json_string(u->display_name));
			}
			json_object_set_new(o, "evidence_type", json_string(k[i].evidence_type));
			json_object_set_new(o, "evidence_ref", json_string(k[i].evidence_ref));
		}
		json_object_set_new(o, "start_date", k[i].start_date[0] ? json_string(k[i].start_date) : json_null());
		json_object_set_new(o, "end_date", k[i].end_date[0] ? json_string(k[i].end_date) : json_null());
		json_object_set_new(o, "end_reason", k[i].end_reason[0] ? json_string(k[i].end_reason) : json_null());
		if (k[i].child_name[0]) {
			json_object_set_new(o, "child_id", json_integer(k[i].child_id));
			json_object_set_new(o, "child_name", json_string(k[i].child_name));
			json_object_set_new(o, "village_code", json_string(k[i].village_code));
		}
		json_array_append_new(arr, o);
	}
	free(u);
	return arr;
}

int registry_record_changes(store_conn *c, const char *county, int64_t child_id, int64_t at, int64_t user_id,
			    const child_rec *o, const child_rec *n)
{
	/* the facts in the order the history lists them; ids and numbers as
	 * text ("" for none), flags as true/false */
	enum { TEXT, ID, NUM, FLAG };
	static const struct {
		const char *field;
		size_t off;
		int kind;
	} facts[] = {
		{"name", offsetof(child_rec, name), TEXT},
		{"sex", offsetof(child_rec, sex), TEXT},
		{"birth_date", offsetof(child_rec, birth_date), TEXT},
		{"village_code", offsetof(child_rec, village_code), TEXT},
		{"grid_code", offsetof(child_rec, grid_code), TEXT},
		{"school_id", offsetof(child_rec, school_id), ID},
		{"hukou_area_code", offsetof(child_rec, hukou_area_code), TEXT},
		{"hukou_type", offsetof(child_rec, hukou_type), TEXT},
		{"grade", offsetof(child_rec, grade), TEXT},
		{"disability_grade", offsetof(child_rec, disability_grade), NUM},
		{"disability_type", offsetof(child_rec, disability_type), TEXT},
		{"serious_illness", offsetof(child_rec, serious_illness), TEXT},
		{"family_poverty", offsetof(child_rec, family_poverty), FLAG},
		{"adopted", offsetof(child_rec, adopted), FLAG},
		{"director_id", offsetof(child_rec, director_id), ID},
		{"risk_level", offsetof(child_rec, risk_level), TEXT},
		{"notes", offsetof(child_rec, notes), TEXT},
	};
	int rc = WB_OK;

	for (size_t i = 0; rc == WB_OK && i < WB_ARRAY_LEN(facts); i++) {
		const char *ob = (const char *)o + facts[i].off, *nb = (const char *)n + facts[i].off;
		char os[24], ns[24];
		const char *ov = ob, *nv = nb;

		if (facts[i].kind != TEXT) {
			int64_t v[2] = {0, 0};
			char *out[2] = {os, ns};

			for (int k = 0; k < 2; k++) {
				const char *at_k = k ? nb : ob;

				if (facts[i].kind == ID) {
					memcpy(&v[k], at_k, sizeof(int64_t));
				} else {
					int x;

					memcpy(&x, at_k, sizeof(x));
					v[k] = x;
				}
				if (facts[i].kind == FLAG)
					wb_strlcpy(out[k], v[k] ? "true" : "false", sizeof(os));
				else if (facts[i].kind == ID && !v[k])
					out[k][0] = '\0';
				else
					wb_snprintf(out[k], sizeof(os), "%" PRId64, v[k]);
			}
			ov = os;
			nv = ns;
		}
		if (strcmp(ov, nv) != 0)
			rc = store_child_change_add(c, county, child_id, at, user_id, facts[i].field, ov[0] ? ov : NULL,
						    nv[0] ? nv : NULL);
	}
	return rc;
}

void registry_guardians_summary(const guardian_rec *g, int n, char *out, size_t outlen)
{
	buf b;

	buf_init(&b, outlen > 0 ? outlen - 1 : 0);
	for (int i = 0; i < n; i++)
		if (buf_printf(&b, "%s%s %s: %s", i ? "; " : "", g[i].relation, g[i].name, g[i].status) != WB_OK)
			break;
	wb_strlcpy(out, b.data ? b.data : "", outlen);
	buf_cleanup(&b);
}

/* One line of a child's history, unless old and new are the same. */
static int history_line(store_conn *c, const char *county, int64_t child_id, int64_t at, int64_t user_id,
			const char *field, const char *o, const char *n)
{
	if (strcmp(o, n) == 0)
		return WB_OK;
	return store_child_change_add(c, county, child_id, at, user_id, field, o[0] ? o : NULL, n[0] ? n : NULL);
}

/* A guardian's details as a line of history: "relation name: since=... |
 * at=... | phone=..." (the parts set; the phone masked, as the history is
 * read by more roles than may see it whole). */
static void guardian_details(const guardian_rec *g, char *out, size_t n)
{
	const char *keys[] = {"since", "at", "phone"}, *vals[] = {g->status_since, g->work_place, g->phone_mask};
	const char *sep = " ";

	wb_snprintf(out, n, "%s %s:", g->relation, g->name);
	for (size_t i = 0; i < WB_ARRAY_LEN(keys); i++)
		if (vals[i][0]) {
			size_t off = strlen(out);

			wb_snprintf(out + off, n - off, "%s%s=%s", sep, keys[i], vals[i]);
			sep = " | ";
		}
}

int registry_record_guardian_changes(store_conn *c, const char *county, int64_t child_id, int64_t at, int64_t user_id,
				     const guardian_rec *before, int nb, const guardian_rec *after, int na)
{
	char sb[512], sn[512];
	int rc;

	registry_guardians_summary(before, nb, sb, sizeof(sb));
	registry_guardians_summary(after, na, sn, sizeof(sn));
	rc = history_line(c, county, child_id, at, user_id, "guardians", sb, sn);
	/* a line for each guardian kept (the same relation and name) whose
	 * status date, work place or phone changed; phones are compared by
	 * their masks: two numbers with the same first three and last four
	 * digits are taken as one */
	for (int i = 0; rc == WB_OK && i < na; i++) {
		const guardian_rec *g = &after[i];
		char o[320], n[320];

		for (int k = 0; k < nb; k++) {
			const guardian_rec *b = &before[k];

			if (strcmp(b->relation, g->relation) != 0 || strcmp(b->name, g->name) != 0)
				continue;
			if (strcmp(b->status_since, g->status_since) != 0 ||
			    strcmp(b->work_place, g->work_place) != 0 || strcmp(b->phone_mask, g->phone_mask) != 0) {
				guardian_details(b, o, sizeof(o));
				guardian_details(g, n, sizeof(n));
				rc = history_line(c, county, child_id, at, user_id, "guardian", o, n);
			}
			break;
		}
	}
	return rc;
}

/* ---- endpoints ---- */

typedef struct cat_job {
	const char *county;
	int64_t child_id;
	const char *category;
	const char *action;
	json_t *body;
	int64_t user_id;
	int64_t ts;
	int today;
	char error[120];
	const char *error_field;
	category_rec result;
} cat_job;

static int cat_fn(store_conn *c, void *arg)
{
	cat_job *j = arg;
	category_rec rows[CATEGORY_ROWS_MAX];
	category_rec *row;
	char was[64], now[96];
	int n = 0, rc;
	const char *s;

	rc = store_categories_load(c, j->child_id, rows, CATEGORY_ROWS_MAX, &n);
	if (rc)
		return rc;
	row = active_row(rows, n, j->category);
	if (!row) {
		wb_strlcpy(j->error, "this category is neither suggested nor confirmed for the child",
			   sizeof(j->error));
		return WB_ECONFLICT;
	}
	wb_snprintf(was, sizeof(was), "%s: %s", row->category, row->state);
	if (strcmp(j->action, "confirm") == 0) {
		if (strcmp(row->state, "suggested") != 0) {
			wb_strlcpy(j->error, "already confirmed", sizeof(j->error));
			return WB_ECONFLICT;
		}
		wb_strlcpy(row->state, "confirmed", sizeof(row->state));
		row->confirmed_at = j->ts;
		row->confirmed_by = j->user_id;
		wb_strlcpy(row->evidence_type, api_str(j->body, "evidence_type"), sizeof(row->evidence_type));
		wb_strlcpy(row->evidence_ref, api_str(j->body, "evidence_ref"), sizeof(row->evidence_ref));
		wb_trim(row->evidence_type); /* blanks at either end are dropped, as on the form */
		wb_trim(row->evidence_ref);
		s = api_str(j->body, "start_date");
		if (s)
			wb_strlcpy(row->start_date, s, sizeof(row->start_date));
		else
			date_format(j->today, row->start_date);
	} else if (strcmp(j->action, "reject") == 0) {
		if (strcmp(row->state, "suggested") != 0) {
			wb_strlcpy(j->error, "only a suggestion can be rejected; end a confirmed category",
				   sizeof(j->error));
			return WB_ECONFLICT;
		}
		wb_strlcpy(row->state, "rejected", sizeof(row->state));
		row->confirmed_at = j->ts;
		row->confirmed_by = j->user_id;
		/* why the facts do not bear it out, kept where a confirmation
		 * keeps its evidence */
		s = api_str(j->body, "note");
		wb_strlcpy(row->evidence_type, s && s[0] ? "rejection" : "", sizeof(row->evidence_type));
		wb_strlcpy(row->evidence_ref, s ? s : "", sizeof(row->evidence_ref));
	} else if (strcmp(j->action, "end") == 0) {
		if (strcmp(row->state, "confirmed") != 0) {
			wb_strlcpy(j->error, "only a confirmed category can end", sizeof(j->error));
			return WB_ECONFLICT;
		}
		s = api_str(j->body, "end_reason");
		if (!s && !row->end_reason[0]) {
			wb_strlcpy(j->error, "end_reason is required", sizeof(j->error));
			j->error_field = "end_reason";
			return WB_EINVAL;
		}
		if (s)
			wb_strlcpy(row->end_reason, s, sizeof(row->end_reason));
		wb_strlcpy(row->state, "ended", sizeof(row->state));
		s = api_str(j->body, "end_date");
		if (s)
			wb_strlcpy(row->end_date, s, sizeof(row->end_date));
		else
			date_format(j->today, row->end_date);
		if (row->start_date[0] && strcmp(row->end_date, row->start_date) < 0) {
			wb_snprintf(j->error, sizeof(j->error), "end_date may not be before the category's start (%s)",
				    row->start_date);
			j->error_field = "end_date";
			return WB_EINVAL;
		}
		row->conflict = 0;
	} else { /* keep: the reviewer says the confirmed category still holds */
		if (!row->conflict) {
			wb_strlcpy(j->error, "nothing to review", sizeof(j->error));
			return WB_ECONFLICT;
		}
		row->conflict = 0;
		row->end_reason[0] = '\0';
	}
	row->updated_at = j->ts;
	rc = store_category_update(c, row);
	/* the decision is a line of the child's history too: "category:
	 * state" before and after (an end with its reason) */
	wb_snprintf(now, sizeof(now), "%s: %s%s%s", row->category, row->state,
		    strcmp(row->state, "ended") == 0 ? " " : "",
		    strcmp(row->state, "ended") == 0 ? row->end_reason : "");
	if (rc == WB_OK && strcmp(was, now) != 0)
		rc = store_child_change_add(c, j->county, j->child_id, j->ts, j->user_id, "category", was, now);
	if (rc == WB_OK)
		j->result = *row;
	return rc;
}

static const char *const end_reasons[] = {
	"turned_16", "turned_18", "parent_returned", "adopted", "guardian_regained_capacity", "other"};

static const api_field cat_fields[] = {
	{"action", JSON_STRING, 1, 16},        {"evidence_type", JSON_STRING, 0, 30},
	{"evidence_ref", JSON_STRING, 0, 120}, {"start_date", JSON_STRING, 0, 10},
	{"end_date", JSON_STRING, 0, 10},      {"end_reason", JSON_STRING, 0, 40},
	{"note", JSON_STRING, 0, 120},         {NULL, 0, 0, 0},
};

int api_child_category(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	json_t *body = NULL;
	enum category cat;
	child_rec ch;
	audit_entry e;
	cat_job j;
	const char *action, *s;
	int64_t id;
	int rc;

	if (api_id_param(r, "id", &id))
		return 0;
	if (category_parse(http_param(r, "category"), &cat) != 0)
		return api_error(r, 404, "not_found", "no such category", NULL);
	rc = store_child_get(c, &p->scope, id, &ch);
	if (rc)
		return api_child_fail(r, a, p, id, "category.decide", rc);
	if (!p->def->confirm_categories)
		return api_error(r, 403, "forbidden", "your role may not decide on categories", NULL);
	if (api_body(r, &body) || api_check_fields(r, body, cat_fields))
		goto out;
	action = api_str(body, "action");
	if (strcmp(action, "confirm") != 0 && strcmp(action, "reject") != 0 && strcmp(action, "end") != 0 &&
	    strcmp(action, "keep") != 0) {
		fail(r, "action", "action must be confirm, reject, end or keep");
		goto out;
	}
	/* evidence of blanks alone (spaces, full-width or zero-width) is none */
	if (strcmp(action, "confirm") == 0 &&
	    (!api_str(body, "evidence_type") || !api_str(body, "evidence_ref") ||
	     wb_is_blank(api_str(body, "evidence_type")) || wb_is_blank(api_str(body, "evidence_ref")))) {
		fail(r,
		     !api_str(body, "evidence_type") || wb_is_blank(api_str(body, "evidence_type")) ? "evidence_type"
												    : "evidence_ref",
		     "a confirmation needs evidence: evidence_type and evidence_ref");
		goto out;
	}
	{
		static const char *const texts[] = {"evidence_type", "evidence_ref", "note"};

		for (size_t i = 0; i < WB_ARRAY_LEN(texts); i++)
			if ((s = api_str(body, texts[i])) && !field_valid_text(s, 0)) {
				fail(r, texts[i], "the text contains control characters");
				goto out;
			}
	}
	if ((s = api_str(body, "end_reason")) && !in_list(s, end_reasons, WB_ARRAY_LEN(end_reasons))) {
		fail(r, "end_reason",
		     "end_reason must be turned_16, turned_18, parent_returned, adopted, guardian_regained_capacity or "
		     "other");
		goto out;
	}
	if ((s = api_str(body, "start_date")) && !valid_date_text(s)) {
		fail(r, "start_date", "start_date must be a date YYYY-MM-DD");
		goto out;
	}
	if ((s = api_str(body, "end_date")) && !valid_date_text(s)) {
		fail(r, "end_date", "end_date must be a date YYYY-MM-DD");
		goto out;
	}
	/* a date belongs to its decision: a start to a confirmation, an end to
	 * an end (anything else would be dropped unsaid) */
	if (api_str(body, "start_date") && strcmp(action, "confirm") != 0) {
		fail(r, "start_date", "start_date goes with action confirm");
		goto out;
	}
	if (api_str(body, "end_date") && strcmp(action, "end") != 0) {
		fail(r, "end_date", "end_date goes with action end");
		goto out;
	}
	/* a category begins and ends within the child's life so far */
	{
		static const char *const fields[] = {"start_date", "end_date"};
		char today[11], msg[96];

		date_format(clock_today_ymd(), today);
		for (size_t i = 0; i < WB_ARRAY_LEN(fields); i++) {
			if (!(s = api_str(body, fields[i])))
				continue;
			if (strcmp(s, today) > 0)
				wb_snprintf(msg, sizeof(msg), "%s may not be in the future", fields[i]);
			else if (ch.birth_date[0] && strcmp(s, ch.birth_date) < 0)
				wb_snprintf(msg, sizeof(msg), "%s may not be before the child's birth date", fields[i]);
			else
				continue;
			fail(r, fields[i], msg);
			goto out;
		}
	}
	/* an end by age says the child reached the age that ends this
	 * category (16 for left-behind, 18 for the others) on the end's day:
	 * the statistics of ends count it so */
	if ((s = api_str(body, "end_reason")) && (strcmp(s, "turned_16") == 0 || strcmp(s, "turned_18") == 0)) {
		int limit = cat == CAT_LEFT_BEHIND ? 16 : 18, end_ymd = clock_today_ymd();
		char msg[120];

		if (api_str(body, "end_date"))
			date_parse(api_str(body, "end_date"), &end_ymd);
		if ((strcmp(s, "turned_16") == 0 ? 16 : 18) != limit)
			wb_snprintf(msg, sizeof(msg), "%s ends at %d: end_reason must be turned_%d", category_name(cat),
				    limit, limit);
		else if (category_age(registry_config(), date_ymd(ch.birth_date), end_ymd) < limit)
			wb_snprintf(msg, sizeof(msg), "the child is not %d on the end's day", limit);
		else
			msg[0] = '\0';
		if (msg[0]) {
			fail(r, "end_reason", msg);
			goto out;
		}
	}
	memset(&j, 0, sizeof(j));
	j.county = ch.county_code;
	j.child_id = id;
	j.category = category_name(cat);
	j.action = action;
	j.body = body;
	j.user_id = p->user_id;
	j.ts = clock_now();
	j.today = clock_today_ymd();
	api_audit_init(r, p, &e);
	wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, id);
	{
		char act[48];

		wb_snprintf(act, sizeof(act), "category.%s", action);
		audit_entry_set(&e, act, "child", e.object_id, "ok");
	}
	wb_snprintf(e.detail, sizeof(e.detail), "{\"category\":\"%s\"}", j.category);
	rc = audit_submit(a->audit, &e, cat_fn, &j);
	if (rc == WB_EINVAL)
		fail(r, j.error_field ? j.error_field : "action", j.error);
	else if (rc == WB_ECONFLICT && j.error[0])
		api_error(r, 409, "invalid_transition", j.error, "action");
	else if (rc)
		api_fail(r, rc);
	else {
		json_t *arr = registry_categories_json(api_conn(r), &j.result, 1);

		api_json(r, 200, json_incref(json_array_get(arr, 0)));
		json_decref(arr);
	}
out:
	json_decref(body);
	return 0;
}

typedef struct review_ctx {
	category_rec rows[200];
	int n;
} review_ctx;

static int review_cb(const category_rec *k, void *arg)
{
	review_ctx *rc = arg;

	if (rc->n < (int)WB_ARRAY_LEN(rc->rows))
		rc->rows[rc->n++] = *k;
	return WB_OK;
}

int api_categories_review(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	review_ctx *ctx;
	audit_entry e;
	long long after = 0;
	const char *s;
	json_t *items, *j;
	int limit, rc;

	if (p->scope.children == SCOPE_REFERRAL)
		return api_error(r, 403, "forbidden", "the review list is for those who confirm categories", NULL);
	if (api_limit(r, 50, 200, &limit))
		return 0;
	if ((s = http_query(r, "cursor")) && wb_parse_int64(s, 0, INT64_MAX, &after) != WB_OK)
		return api_error(r, 422, "validation_failed", "cursor is not valid", "cursor");
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return api_fail(r, WB_ENOMEM);
	rc = store_category_review(c, &p->scope, after, limit, review_cb, ctx);
	if (rc) {
		free(ctx);
		return api_fail(r, rc);
	}
	items = registry_categories_json(c, ctx->rows, ctx->n);
	j = api_page(items, ctx->n, limit, ctx->n ? ctx->rows[ctx->n - 1].id : 0);
	/* names and categories of children: a read of their files */
	api_audit_init(r, p, &e);
	audit_entry_set(&e, "category.review_list", "child", "", "ok");
	api_audit_detail(&e, json_pack("{s:i}", "returned", ctx->n));
	free(ctx);
	if (api_audit_read(r, a, &e) != WB_OK) {
		json_decref(j);
		return api_fail(r, WB_ESTORE);
	}
	return api_json(r, 200, j);
}

int api_category_ends(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	store_scope sc;
	const char *cat = http_query(r, "category"), *from = http_query(r, "from"), *to = http_query(r, "to");
	store_stmt *st = NULL;
	store_args args = {0};
	enum category k;
	json_t *by;
	buf sql;
	int64_t total = 0;
	int rc;

	(void)a;
	if (!cat || category_parse(cat, &k) != 0)
		return api_error(r, 422, "validation_failed", "category must be one of the four categories",
				 "category");
	if (!from || !valid_date_text(from))
		return api_error(r, 422, "validation_failed", "from must be a date YYYY-MM-DD", "from");
	if (!to || !valid_date_text(to))
		return api_error(r, 422, "validation_failed", "to must be a date YYYY-MM-DD", "to");
	if (strcmp(to, from) < 0)
		return api_error(r, 422, "validation_failed", "to may not be before from", "to");
	if ((p->scope.children == SCOPE_NONE || p->scope.children == SCOPE_REFERRAL) &&
	    strcmp(p->role, "committee") != 0)
		return api_error(r, 403, "forbidden", "your role has no registry statistics", NULL);
	buf_init(&sql, 2048);
	rc = buf_puts(&sql,
		      "SELECT k.end_reason, COUNT(*) FROM child_categories k JOIN children c ON c.id = k.child_id "
		      "WHERE k.state = 'ended' AND k.category = ? AND k.end_date >= ? AND k.end_date <= ?");
	args_text(&args, cat);
	args_text(&args, from);
	args_text(&args, to);
	/* sc outlives the statement: the arguments point into it */
	sc = p->scope;
	if (strcmp(p->role, "committee") == 0)
		sc.children = SCOPE_COUNTY; /* aggregates only */
	if (rc == WB_OK)
		rc = scope_children_sql(&sc, "c", &sql, &args);
	if (rc == WB_OK)
		rc = buf_puts(&sql, " GROUP BY k.end_reason ORDER BY k.end_reason");
	if (rc == WB_OK)
		rc = conn_prepare_args(c, sql.data, &args, &st);
	by = json_object();
	while (rc == WB_OK && (rc = stmt_step(c, st)) == STORE_ROW) {
		const char *reason = stmt_text(c, st, 0);
		int64_t n = stmt_int64(c, st, 1);

		json_object_set_new(by, reason ? reason : "unknown", json_integer(n));
		total += n;
		rc = WB_OK;
	}
	stmt_reset(c, st);
	buf_cleanup(&sql);
	if (rc < 0) {
		json_decref(by);
		return api_fail(r, rc);
	}
	return api_json(r, 200,
			json_pack("{s:s, s:s, s:s, s:I, s:o}", "category", cat, "from", from, "to", to, "total",
				  (json_int_t)total, "by_reason", by));
}

/* ---- batch jobs ---- */

typedef struct sweep_row {
	category_rec k;
	int birth_ymd;
} sweep_row;

typedef struct sweep_ctx {
	sweep_row *rows;
	size_t n, cap;
	int failed;
} sweep_ctx;

static int sweep_collect(const category_rec *k, const char *birth, void *arg)
{
	sweep_ctx *s = arg;

	if (wb_grow(&s->rows, s->n, &s->cap, sizeof(*s->rows), 1024, SIZE_MAX) != WB_OK) {
		s->failed = 1;
		return WB_ENOMEM;
	}
	s->rows[s->n].k = *k;
	s->rows[s->n].birth_ymd = date_ymd(birth);
	s->n++;
	return WB_OK;
}

int registry_age_sweep(store_conn *c, const char *county, int today_ymd, int64_t ts, int *ended_out)
{
	const category_config *cfg = registry_config();
	sweep_ctx s = {0};
	int rc, ended = 0;

	/* collect first: rows are changed after the reading statement is done */
	rc = store_categories_confirmed(c, county, sweep_collect, &s);
	for (size_t i = 0; rc == WB_OK && i < s.n; i++) {
		category_rec *k = &s.rows[i].k;
		int limit = strcmp(k->category, "left_behind") == 0 ? 16 : 18;
		int age = category_age(cfg, s.rows[i].birth_ymd, today_ymd);

		if (age < limit)
			continue;
		/* a confirmed category ends, a suggestion is withdrawn: both
		 * with a line of the child's history dated the birthday */
		rc = end_by_age(c, county, k->child_id, k, s.rows[i].birth_ymd, ts);
		ended++;
	}
	free(s.rows);
	if (ended_out)
		*ended_out = ended;
	return rc;
}

typedef struct all_ctx {
	child_rec *rows;
	int n;
	int64_t last;
} all_ctx;

static int all_collect(const child_rec *ch, void *arg)
{
	all_ctx *x = arg;

	x->rows[x->n++] = *ch;
	x->last = ch->id;
	return WB_OK;
}

int registry_recompute_all(store_conn *c, const char *county, int today_ymd, int64_t ts, long *children_out,
			   int *changed_out)
{
	store_scope sc;
	child_filter f;
	all_ctx x = {0};
	int rc = WB_OK;

	*children_out = 0;
	*changed_out = 0;
	store_scope_county(&sc, county);
	x.rows = calloc(500, sizeof(*x.rows));
	if (!x.rows)
		return WB_ENOMEM;
	for (;;) {
		memset(&f, 0, sizeof(f));
		f.after_id = x.last;
		f.limit = 500;
		x.n = 0;
		rc = store_child_list(c, &sc, &f, all_collect, &x);
		if (rc || x.n == 0)
			break;
		for (int i = 0; rc == WB_OK && i < x.n; i++) {
			guardian_rec g[GUARDIANS_MAX];
			child_facts facts;
			int ng = 0, changed = 0;

			rc = store_guardians_load(c, x.rows[i].id, g, GUARDIANS_MAX, &ng);
			registry_facts(&x.rows[i], g, ng, &facts);
			if (rc == WB_OK)
				rc = registry_recompute(c, county, x.rows[i].id, &facts, &facts, today_ymd, ts,
							&changed);
			*changed_out += changed;
			(*children_out)++;
		}
		if (rc || x.n < 500)
			break;
	}
	free(x.rows);
	return rc;
}

int registry_rederive(store_conn *c, const char *county, int64_t child_id, int today_ymd, int64_t ts)
{
	guardian_rec g[GUARDIANS_MAX];
	child_rec *ch = malloc(sizeof(*ch));
	child_facts facts;
	store_scope sc;
	int ng = 0, rc = ch ? WB_OK : WB_ENOMEM;

	store_scope_county(&sc, county);
	if (rc == WB_OK)
		rc = store_child_get(c, &sc, child_id, ch);
	if (rc == WB_OK)
		rc = store_guardians_load(c, child_id, g, GUARDIANS_MAX, &ng);
	if (rc == WB_OK) {
		registry_facts(ch, g, ng, &facts);
		/* the same facts before and now: everything is judged again */
		rc = registry_recompute(c, county, child_id, &facts, &facts, today_ymd, ts, NULL);
	}
	free(ch);
	return rc;
}
