/*
 * Talks (讲, SPEC §5): the publicity and education sessions that child
 * directors, grid workers, townships, the centre and schools hold, with
 * their attendance.
 *
 *   POST /api/v1/talks   record a session held in the caller's place
 *   GET  /api/v1/talks   the sessions of the caller's place in a period,
 *                        with their totals
 *
 * A talk names no child: its reads are not audited; each record is.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../domain/area.h"
#include "../domain/date.h"
#include "../store/q_talks.h"
#include "../util/clock.h"
#include "../util/wb.h"
#include "api.h"
#include "sheet.h"
#include "talks_api.h"

#define TOPIC_CHARS      100
#define NOTES_CHARS      500
#define PEOPLE_MAX       100000
#define LIST_DEFAULT     100
#define LIST_MAX         500
#define PERIOD_DEFAULT   90
#define TALKS_EXPORT_MAX 20000

static const char *const kinds[] = {"publicity", "education", "parent_school", "training", NULL};

int talks_place(const sec_principal *p, talk_place *out)
{
	memset(out, 0, sizeof(*out));
	if (strcmp(p->role, "committee") == 0 || strcmp(p->role, "center") == 0)
		return 1; /* the county */
	switch (p->scope.children) {
	case SCOPE_COUNTY: return 1;
	case SCOPE_AREA:
		wb_strlcpy(out->lo, p->scope.lo, sizeof(out->lo));
		wb_strlcpy(out->hi, p->scope.hi, sizeof(out->hi));
		return 1;
	case SCOPE_GRID:
		/* a grid worker talks in the grid's village */
		wb_strlcpy(out->lo, p->scope.grid, 13);
		wb_snprintf(out->hi, sizeof(out->hi), "%s:", out->lo);
		return 1;
	case SCOPE_SCHOOL: out->school_id = p->unit_id; return 1;
	default: return 0;
	}
}

int talks_place_covers(const talk_place *pl, const char *area)
{
	return !pl->lo[0] || (strcmp(area, pl->lo) >= 0 && strcmp(area, pl->hi) < 0);
}

void talks_place_school_area(store_conn *c, const sec_principal *p, talk_place *pl)
{
	unit_rec u;

	if (!pl->school_id)
		return;
	wb_strlcpy(pl->lo, api_unit_get(c, pl->school_id, &u) == WB_OK && u.area_code[0] ? u.area_code : p->county_code,
		   sizeof(pl->lo));
	wb_snprintf(pl->hi, sizeof(pl->hi), "%s:", pl->lo);
}

int talks_place_has(const talk_place *pl, const char *area)
{
	return area_level_of(area) && strlen(area) >= 9 && strlen(area) <= 12 && talks_place_covers(pl, area);
}

static const api_field talk_fields[] = {
	{"area_code", JSON_STRING, 0, 16},
	{"held_on", JSON_STRING, 1, 16},
	{"kind", JSON_STRING, 1, 16},
	{"topic", JSON_STRING, 1, TOPIC_CHARS * 4},
	{"children", JSON_INTEGER, 0, 0},
	{"adults", JSON_INTEGER, 0, 0},
	{"notes", JSON_STRING, 0, NOTES_CHARS * 4},
	{NULL, 0, 0, 0},
};

static int talk_fn(store_conn *c, void *arg)
{
	return store_talk_insert(c, arg);
}

static json_t *talk_json(const talk_rec *t)
{
	return json_pack("{s:I, s:s, s:o?, s:s, s:s, s:s, s:I, s:I, s:s, s:I, s:s}", "id", (json_int_t)t->id,
			 "area_code", t->area_code, "school_id", t->school_id ? json_integer(t->school_id) : NULL,
			 "held_on", t->held_on, "kind", t->kind, "topic", t->topic, "children", (json_int_t)t->children,
			 "adults", (json_int_t)t->adults, "notes", t->notes, "created_at", (json_int_t)t->created_at,
			 "by", t->by_name);
}

/* The facts of body into t: all of them (create), or those present
 * (update: the others keep t's). 0, or -1 after a 422. */
static int talk_facts(http_req *r, json_t *body, talk_rec *t)
{
	const char *day = api_str(body, "held_on"), *kind = api_str(body, "kind"), *topic = api_str(body, "topic"),
		   *notes = api_str(body, "notes");
	json_t *v;

	if (day && api_past_day(r, body, "held_on", NULL, t->held_on))
		return -1;
	if (kind) {
		if (!api_one_of(kind, kinds))
			return api_error(r, 422, "validation_failed",
					 "kind must be publicity, education, parent_school or training", "kind"),
			       -1;
		wb_strlcpy(t->kind, kind, sizeof(t->kind));
	}
	if (topic) {
		/* blanks at either end dropped: full-width and zero-width ones
		 * too, so that a topic of blanks alone says nothing */
		char trimmed[TOPIC_CHARS * 4 + 1];

		wb_strlcpy(trimmed, topic, sizeof(trimmed));
		wb_trim(trimmed);
		if (!*trimmed || api_utf8_chars(trimmed) > TOPIC_CHARS || strlen(trimmed) >= sizeof(t->topic))
			return api_error(r, 422, "validation_failed", "topic must have 1 to 100 characters", "topic"),
			       -1;
		wb_strlcpy(t->topic, trimmed, sizeof(t->topic));
	}
	if (notes) {
		if (api_utf8_chars(notes) > NOTES_CHARS)
			return api_error(r, 422, "validation_failed", "notes may have at most 500 characters", "notes"),
			       -1;
		wb_strlcpy(t->notes, notes, sizeof(t->notes));
	}
	if ((v = json_object_get(body, "children")))
		t->children = json_integer_value(v);
	if ((v = json_object_get(body, "adults")))
		t->adults = json_integer_value(v);
	if (t->children < 0 || t->children > PEOPLE_MAX)
		return api_error(r, 422, "validation_failed", "children must be a number of people from 0 to 100000",
				 "children"),
		       -1;
	if (t->adults < 0 || t->adults > PEOPLE_MAX)
		return api_error(r, 422, "validation_failed", "adults must be a number of people from 0 to 100000",
				 "adults"),
		       -1;
	if (t->children + t->adults == 0)
		return api_error(r, 422, "validation_failed", "a talk has someone attending: children or adults",
				 "children"),
		       -1;
	return 0;
}

int api_talk_create(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	json_t *body = NULL, *j;
	talk_rec *t = calloc(1, sizeof(*t));
	talk_place pl;
	audit_entry e;
	area_rec ar;
	const char *area;
	int rc;

	if (!t)
		return api_fail(r, WB_ENOMEM);
	if (strcmp(p->role, "committee") == 0 || !talks_place(p, &pl)) {
		api_error(r, 403, "forbidden",
			  "talks are held by child directors, grid workers, townships, the centre and schools", NULL);
		goto out;
	}
	if (api_body(r, &body) || api_check_fields(r, body, talk_fields))
		goto out;
	talks_place_school_area(c, p, &pl);
	/* by default where the caller works: a village, a grid's village, a
	 * township, the county, or the school's place */
	area = api_str(body, "area_code");
	if (!area)
		area = pl.lo[0] ? pl.lo : p->county_code;
	if (!area_level_of(area) || strlen(area) > 12 || store_area_get(c, area, &ar) != WB_OK ||
	    strcmp(ar.county_code, p->county_code) != 0 || !talks_place_covers(&pl, area)) {
		api_error(r, 422, "validation_failed", "area_code must be the county, a township or a village of yours",
			  "area_code");
		goto out;
	}
	if (talk_facts(r, body, t))
		goto out;
	wb_strlcpy(t->county_code, p->county_code, sizeof(t->county_code));
	wb_strlcpy(t->area_code, area, sizeof(t->area_code));
	t->school_id = pl.school_id;
	wb_strlcpy(t->by_name, p->display_name, sizeof(t->by_name));
	t->created_at = clock_now();
	t->created_by = p->user_id;
	api_audit_init(r, p, &e);
	audit_entry_set(&e, "talk.create", "area", t->area_code, "ok");
	api_audit_detail(&e, json_pack("{s:s, s:s, s:I}", "kind", t->kind, "held_on", t->held_on, "attendance",
				       (json_int_t)(t->children + t->adults)));
	api_conn_release(r);
	rc = audit_submit(a->audit, &e, talk_fn, t);
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	j = talk_json(t);
	api_json(r, 201, j);
out:
	json_decref(body);
	free(t);
	return 0;
}

typedef struct list_ctx {
	json_t *items;
} list_ctx;

static int list_cb(const talk_rec *t, void *arg)
{
	json_array_append_new(((list_ctx *)arg)->items, talk_json(t));
	return WB_OK;
}

typedef struct sum_ctx {
	int64_t n[3];
} sum_ctx;

static int sum_cb(const char *area, const char *key, const int64_t n[3], void *arg)
{
	sum_ctx *x = arg;

	(void)area;
	(void)key;
	for (int i = 0; i < 3; i++)
		x->n[i] += n[i];
	return WB_OK;
}

static const sheet_word talk_kinds[] = {
	{"publicity", "宣传", "Publicity"},
	{"education", "教育", "Education"},
	{"parent_school", "家长课堂", "Parent school"},
	{"training", "培训", "Training"},
	{NULL, NULL, NULL},
};
static const sheet_col talk_cols[] = {
	{"活动日期", "Held on", "held_on", SC_TEXT, NULL},
	{"活动类型", "Kind", "kind", SC_WORD, talk_kinds},
	{"主题", "Topic", "topic", SC_TEXT, NULL},
	{"地点代码", "Area code", "area_code", SC_TEXT, NULL},
	{"参加儿童", "Children", "children", SC_INT, NULL},
	{"参加成人", "Adults", "adults", SC_INT, NULL},
	{"备注", "Notes", "notes", SC_TEXT, NULL},
	{"登记人", "Recorded by", "by", SC_TEXT, NULL},
	{"登记时间", "Recorded at", "created_at", SC_TIME, NULL},
};

int api_talks_list(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	const char *area = http_query(r, "area");
	char dfrom[11], dto[11], hi[20];
	talk_filter f;
	talk_place pl;
	list_ctx x;
	sum_ctx s = {{0, 0, 0}};
	int limit, rc, fmt, en;

	if (!talks_place(p, &pl))
		return api_error(r, 403, "forbidden", "talks are followed by those who hold them and the committee",
				 NULL);
	if (api_limit(r, LIST_DEFAULT, LIST_MAX, &limit) || api_sheet_params(r, SHEET_JSON, 1, &fmt, &en))
		return 0;
	if (api_query_period(r, PERIOD_DEFAULT, dfrom, dto))
		return 0;
	f = (talk_filter){p->county_code, pl.lo[0] ? pl.lo : NULL, pl.lo[0] ? pl.hi : NULL, pl.school_id, dfrom, dto};
	if (area) {
		talk_place own = pl;

		/* a school's place is its area: another one is refused, not
		 * answered with nothing */
		talks_place_school_area(c, p, &own);
		if (!talks_place_has(&own, area))
			return api_error(r, 422, "validation_failed", "area must be a township or village of yours",
					 "area");
		wb_snprintf(hi, sizeof(hi), "%s:", area);
		f.lo = area;
		f.hi = hi;
	}
	x.items = json_array();
	if (fmt != SHEET_JSON) { /* talks name nobody: not audited */
		rc = store_talks(c, &f, TALKS_EXPORT_MAX, list_cb, &x);
		if (rc) {
			json_decref(x.items);
			return api_fail(r, rc);
		}
		return api_sheet_items(r, a, p, x.items, fmt, en, en ? "Talks" : "宣讲活动", "talks", talk_cols,
				       WB_ARRAY_LEN(talk_cols), NULL, NULL, NULL);
	}
	rc = store_talks(c, &f, limit, list_cb, &x);
	if (rc == WB_OK)
		rc = store_talks_by_village(c, &f, sum_cb, &s);
	if (rc) {
		json_decref(x.items);
		return api_fail(r, rc);
	}
	return api_json(r, 200,
			json_pack("{s:s, s:s, s:o, s:{s:I, s:I, s:I}}", "from", dfrom, "to", dto, "items", x.items,
				  "totals", "talks", (json_int_t)s.n[0], "children", (json_int_t)s.n[1], "adults",
				  (json_int_t)s.n[2]));
}

/* ---- correction and removal ---- */

/* The talk of path parameter id if p may correct it: the one who recorded
 * it, or the centre, a township's supervisor or station over its place.
 * 0, or -1 after 403/404. */
static int talk_load(http_req *r, store_conn *c, const sec_principal *p, talk_rec *t)
{
	talk_place pl;
	int64_t id;
	int rc, desk = strcmp(p->role, "center") == 0 || strcmp(p->role, "supervisor") == 0 ||
		       strcmp(p->role, "station") == 0;

	if (api_id_param(r, "id", &id))
		return -1;
	if (!talks_place(p, &pl))
		return api_error(r, 403, "forbidden", "talks are corrected by those who hold them", NULL), -1;
	rc = store_talk_get(c, p->county_code, id, t);
	if (rc == WB_OK && (pl.school_id ? t->school_id != pl.school_id : !talks_place_covers(&pl, t->area_code)))
		rc = WB_ENOTFOUND;
	if (rc)
		return api_fail(r, rc), -1;
	if (t->created_by != p->user_id && !desk)
		return api_error(r, 403, "forbidden", "a talk is corrected by whom recorded it, or the township's desk",
				 NULL),
		       -1;
	return 0;
}

static int talk_update_fn(store_conn *c, void *arg)
{
	return store_talk_update(c, arg);
}

static const api_field talk_patch_fields[] = {
	{"held_on", JSON_STRING, 0, 16},
	{"kind", JSON_STRING, 0, 16},
	{"topic", JSON_STRING, 0, TOPIC_CHARS * 4},
	{"children", JSON_INTEGER, 0, 0},
	{"adults", JSON_INTEGER, 0, 0},
	{"notes", JSON_STRING, 0, NOTES_CHARS * 4},
	{NULL, 0, 0, 0},
};

int api_talk_update(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	json_t *body = NULL;
	audit_entry e;
	talk_rec t;
	int rc;

	if (talk_load(r, c, p, &t))
		return 0;
	if (api_body(r, &body) || api_check_fields(r, body, talk_patch_fields) || talk_facts(r, body, &t))
		goto out;
	api_audit_init(r, p, &e);
	wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, t.id);
	audit_entry_set(&e, "talk.update", "talk", e.object_id, "ok");
	api_audit_detail(&e, json_pack("{s:s, s:s, s:I}", "kind", t.kind, "held_on", t.held_on, "attendance",
				       (json_int_t)(t.children + t.adults)));
	api_conn_release(r);
	rc = audit_submit(a->audit, &e, talk_update_fn, &t);
	if (rc)
		api_fail(r, rc);
	else
		api_json(r, 200, talk_json(&t));
out:
	json_decref(body);
	return 0;
}

typedef struct talk_del {
	const char *county;
	int64_t id;
} talk_del;

static int talk_delete_fn(store_conn *c, void *arg)
{
	talk_del *d = arg;

	return store_talk_delete(c, d->county, d->id);
}

int api_talk_delete(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	audit_entry e;
	talk_rec t;
	talk_del d;
	int rc;

	if (talk_load(r, c, p, &t))
		return 0;
	d = (talk_del){p->county_code, t.id};
	api_audit_init(r, p, &e);
	wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, t.id);
	audit_entry_set(&e, "talk.delete", "talk", e.object_id, "ok");
	/* what was removed stays in the audit log */
	api_audit_detail(&e, json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "area", t.area_code, "held_on", t.held_on,
				       "kind", t.kind, "topic", t.topic, "children", (json_int_t)t.children, "adults",
				       (json_int_t)t.adults));
	api_conn_release(r);
	rc = audit_submit(a->audit, &e, talk_delete_fn, &d);
	if (rc)
		return api_fail(r, rc);
	return api_json(r, 200, json_pack("{s:I, s:b}", "id", (json_int_t)t.id, "deleted", 1));
}
