/*
 * Schools (SPEC §5): activity stations and counselling rooms, counselling
 * sessions, and the volunteer caring mothers (爱心妈妈) paired with children.
 *
 *   GET  /api/v1/schools                        the schools of the caller's place: rooms and figures
 *   PUT  /api/v1/schools/{id}/rooms             a school's activity station and counselling room
 *   GET  /api/v1/schools/{id}/counselling       a school's counselling sessions in a period
 *   POST /api/v1/schools/{id}/counselling       a session (the school itself)
 *   GET  /api/v1/children/{id}/care             a child's caring mothers and counselling
 *   GET  /api/v1/caring-mothers                 the caring mothers of the caller's place
 *   POST /api/v1/caring-mothers                 register one
 *   GET  /api/v1/caring-mothers/{id}            one, with the children paired with her
 *   PATCH /api/v1/caring-mothers/{id}           her name, phone, notes, active
 *   POST /api/v1/caring-mothers/{id}/pairs      pair her with a child of the caller's scope
 *   POST /api/v1/caring-pairs/{id}/end          end a pairing
 *
 * Counselling is confidential: only the school that held a session reads
 * its notes (stored encrypted); the centre and the school's township see
 * the sessions without notes, and a pupil's name only within their scope.
 * Reads that name children are audited.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../domain/area.h"
#include "../domain/date.h"
#include "../store/q_schools.h"
#include "../util/clock.h"
#include "../util/wb.h"
#include "api.h"
#include "sheet.h"
#include "talks_api.h"

#define NOTES_CHARS        500
#define MOTHER_NOTES       200
#define END_NOTE_CHARS     100
#define NAME_CHARS         30
#define COUNSELLORS_MAX    1000
#define GROUP_MAX          2000
#define PERIOD_DEFAULT     90
#define LIST_DEFAULT       200
#define LIST_MAX           500
#define MOTHERS_MAX        2000
#define MOTHERS_EXPORT_MAX 20000
#define COUNSEL_EXPORT_MAX 20000

/* no counselling room opened, nor caring mother joined, before it */
#define EARLIEST_DAY "2000-01-01"
#define EARLIEST_YMD 20000101

static const char *const modes[] = {"individual", "group", NULL};
static const char *const topics[] = {"emotion", "study", "family", "peers", "bullying", "safety", "other", NULL};
static const char *const concerns[] = {"none", "watch", "refer", NULL};

/* The schools p follows, as a filter: the committee and the centre the
 * county's, a township its own, a school itself. 0 when none (403). */
static int schools_place(const sec_principal *p, school_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->county = p->county_code;
	if (api_role_is(p, "committee") || api_role_is(p, "center"))
		return 1;
	if (api_township_desk(p)) {
		f->lo = p->scope.lo;
		f->hi = p->scope.hi;
		return 1;
	}
	if (api_role_is(p, "school")) {
		f->school_id = p->unit_id;
		return 1;
	}
	return 0;
}

/* ---- schools ---- */

typedef struct schools_ctx {
	json_t *items;
	int64_t n[7];
	api_sheet *sheet;
	store_conn *c; /* names the schools' areas in a download */
} schools_ctx;

static int school_row_cb(const school_row *s, void *arg)
{
	schools_ctx *x = arg;
	int64_t v[7] = {s->activity_station, s->counselling_room, s->pupils, s->sessions,
			s->attended,         s->referred,         s->paired};

	for (int i = 0; i < 7; i++)
		x->n[i] += v[i];
	if (x->sheet) {
		api_sheet *sh = x->sheet;
		char area[128] = "";

		if (s->area_code[0] && api_area_name(x->c, s->area_code, area, sizeof(area)) != WB_OK)
			area[0] = '\0';
		api_sheet_text(sh, s->code, 0);
		api_sheet_text(sh, s->name, 0);
		api_sheet_text(sh, s->area_code, 0);
		api_sheet_text(sh, area, 0);
		api_sheet_text(sh, s->activity_station ? (sh->en ? "yes" : "有") : (sh->en ? "no" : "无"), 0);
		api_sheet_text(sh, s->counselling_room ? (sh->en ? "yes" : "有") : (sh->en ? "no" : "无"), 0);
		api_sheet_int(sh, s->counsellors, 0);
		for (int i = 2; i < 7; i++)
			api_sheet_int(sh, v[i], i == 6);
		return WB_OK;
	}
	json_array_append_new(
		x->items,
		json_pack("{s:I, s:s, s:s, s:s, s:{s:b, s:b, s:I, s:s?, s:I}, s:I, s:{s:I, s:I, s:I, s:I}, s:I}", "id",
			  (json_int_t)s->id, "code", s->code, "name", s->name, "area_code", s->area_code, "rooms",
			  "activity_station", s->activity_station, "counselling_room", s->counselling_room,
			  "counsellors", (json_int_t)s->counsellors, "opened_on", s->opened_on[0] ? s->opened_on : NULL,
			  "updated_at", (json_int_t)s->rooms_updated_at, "pupils", (json_int_t)s->pupils, "counselling",
			  "sessions", (json_int_t)s->sessions, "individual", (json_int_t)s->individual, "attended",
			  (json_int_t)s->attended, "referred", (json_int_t)s->referred, "paired",
			  (json_int_t)s->paired));
	return WB_OK;
}

int api_schools_list(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	static const char *const zh[] = {"学校代码", "学校",     "区划代码", "所在区划", "儿童活动站", "心理辅导室",
					 "辅导员",   "在册学生", "辅导次数", "辅导人次", "转介",       "结对爱心妈妈"};
	static const char *const en[] = {
		"School code", "School", "Area code", "Area",     "Activity station", "Counselling room",
		"Counsellors", "Pupils", "Sessions",  "Attended", "Referred",         "Paired with a caring mother"};
	schools_ctx x;
	school_filter f;
	api_sheet sheet;
	char from[11], to[11];
	int fmt, lang_en, rc;

	(void)a;
	if (!schools_place(p, &f))
		return api_error(r, 403, "forbidden", "schools are followed by the centre, townships and schools",
				 NULL);
	if (api_query_period(r, PERIOD_DEFAULT, from, to) || api_sheet_params(r, SHEET_JSON, 1, &fmt, &lang_en))
		return 0;
	f.from = from;
	f.to = to;
	memset(&x, 0, sizeof(x));
	if (fmt != SHEET_JSON) {
		if ((rc = api_sheet_begin(&sheet, r, fmt, lang_en, lang_en ? "Schools" : "学校", zh, en,
					  WB_ARRAY_LEN(zh))) != WB_OK)
			return api_fail(r, rc);
		x.sheet = &sheet;
		x.c = c;
		rc = store_schools(c, &f, school_row_cb, &x);
		if (rc) {
			api_sheet_drop(&sheet);
			return api_fail(r, rc);
		}
		return api_sheet_end(&sheet, r, "schools", clock_today_ymd());
	}
	x.items = json_array();
	rc = store_schools(c, &f, school_row_cb, &x);
	if (rc) {
		json_decref(x.items);
		return api_fail(r, rc);
	}
	return api_json(r, 200,
			json_pack("{s:s, s:s, s:o, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I}}", "from", from, "to", to,
				  "items", x.items, "totals", "activity_stations", (json_int_t)x.n[0],
				  "counselling_rooms", (json_int_t)x.n[1], "pupils", (json_int_t)x.n[2], "sessions",
				  (json_int_t)x.n[3], "attended", (json_int_t)x.n[4], "referred", (json_int_t)x.n[5],
				  "paired", (json_int_t)x.n[6]));
}

/* The school of path parameter id, if p follows it: 0 with *u filled, or
 * -1 after 404 (no such school, or not p's). */
static int school_load(http_req *r, store_conn *c, const sec_principal *p, unit_rec *u)
{
	school_filter f;
	int64_t id;

	if (api_id_param(r, "id", &id))
		return -1;
	if (!schools_place(p, &f) || api_unit_get(c, id, u) != WB_OK || strcmp(u->kind, "school") != 0 ||
	    strcmp(u->county_code, p->county_code) != 0 || (f.school_id && f.school_id != id) ||
	    (f.lo && (strcmp(u->area_code, f.lo) < 0 || strcmp(u->area_code, f.hi) >= 0)))
		return api_error(r, 404, "not_found", "no such school", NULL), -1;
	return 0;
}

typedef struct rooms_job {
	school_row s;
	const char *county;
	int64_t at, by;
} rooms_job;

static int rooms_fn(store_conn *c, void *arg)
{
	rooms_job *j = arg;

	return store_school_rooms_put(c, j->county, &j->s, j->at, j->by);
}

static const api_field rooms_fields[] = {
	{"activity_station", JSON_TRUE, 1, 0},
	{"counselling_room", JSON_TRUE, 1, 0},
	{"counsellors", JSON_INTEGER, 0, 0},
	{"opened_on", JSON_STRING, 0, 16},
	{NULL, 0, 0, 0},
};

int api_school_rooms_put(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	json_t *body = NULL;
	rooms_job j;
	audit_entry e;
	unit_rec u;
	int rc;

	if (school_load(r, c, p, &u))
		return 0;
	if (!api_role_is(p, "school") && !api_role_is(p, "center"))
		return api_error(r, 403, "forbidden", "a school's rooms are kept by the school and the centre", NULL);
	if (api_body(r, &body) || api_check_fields(r, body, rooms_fields))
		goto out;
	memset(&j, 0, sizeof(j));
	j.s.id = u.id;
	j.s.activity_station = json_is_true(json_object_get(body, "activity_station"));
	j.s.counselling_room = json_is_true(json_object_get(body, "counselling_room"));
	j.s.counsellors = json_integer_value(json_object_get(body, "counsellors"));
	if (j.s.counsellors < 0 || j.s.counsellors > COUNSELLORS_MAX) {
		api_error(r, 422, "validation_failed", "counsellors must be a number of people from 0", "counsellors");
		goto out;
	}
	if (json_object_get(body, "opened_on") && !json_is_null(json_object_get(body, "opened_on"))) {
		int ymd;

		if (date_parse(api_str(body, "opened_on"), &ymd) != WB_OK || ymd > clock_today_ymd() ||
		    ymd < EARLIEST_YMD) {
			api_error(r, 422, "validation_failed",
				  "opened_on must be a date YYYY-MM-DD from " EARLIEST_DAY " to today", "opened_on");
			goto out;
		}
		date_format(ymd, j.s.opened_on);
	}
	j.county = p->county_code;
	j.at = clock_now();
	j.by = p->user_id;
	api_audit_init(r, p, &e);
	wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, u.id);
	audit_entry_set(&e, "school.rooms", "school", e.object_id, "ok");
	api_audit_detail(&e, json_pack("{s:b, s:b, s:I}", "activity_station", j.s.activity_station, "counselling_room",
				       j.s.counselling_room, "counsellors", (json_int_t)j.s.counsellors));
	api_conn_release(r);
	rc = audit_submit(a->audit, &e, rooms_fn, &j);
	if (rc)
		api_fail(r, rc);
	else
		api_json(r, 200,
			 json_pack("{s:I, s:b, s:b, s:I, s:s?}", "school_id", (json_int_t)u.id, "activity_station",
				   j.s.activity_station, "counselling_room", j.s.counselling_room, "counsellors",
				   (json_int_t)j.s.counsellors, "opened_on", j.s.opened_on[0] ? j.s.opened_on : NULL));
out:
	json_decref(body);
	return 0;
}

/* ---- counselling ---- */

typedef struct counsel_ctx {
	const app *a;
	json_t *items;
	int notes;    /* the school itself: decrypt the notes */
	int named;    /* an individual session was listed */
	int64_t n[4]; /* sessions, individual, attended, referred */
} counsel_ctx;

static json_t *counsel_json(counsel_ctx *x, const counselling_rec *s)
{
	json_t *o =
		json_pack("{s:I, s:I, s:s, s:s, s:s, s:I, s:s, s:s, s:s}", "id", (json_int_t)s->id, "school_id",
			  (json_int_t)s->school_id, "school", s->school_name, "held_on", s->held_on, "mode", s->mode,
			  "pupils", (json_int_t)s->pupils, "topic", s->topic, "concern", s->concern, "by", s->by_name);

	if (!o)
		return NULL;
	if (s->child_id) {
		json_object_set_new(o, "child",
				    json_pack("{s:I, s:s, s:s}", "id", (json_int_t)s->child_id, "name", s->child_name,
					      "village_code", s->child_village));
		x->named = 1;
	} else {
		json_object_set_new(o, "child", json_null());
	}
	if (s->hidden)
		json_object_set_new(o, "pupil_outside_scope", json_true());
	if (s->voided_at)
		json_object_set_new(o, "voided",
				    json_pack("{s:I, s:s, s:s}", "at", (json_int_t)s->voided_at, "by", s->voider,
					      "reason", s->void_reason));
	if (x->notes) {
		char *plain = NULL;

		if (s->notes_enc[0] && sec_decrypt_text(&x->a->keys, s->notes_enc, &plain) == WB_OK)
			json_object_set_new(o, "notes", json_string(plain));
		else
			json_object_set_new(o, "notes", json_string(""));
		free(plain);
	}
	return o;
}

static int counsel_cb(const counselling_rec *s, void *arg)
{
	counsel_ctx *x = arg;

	if (!s->voided_at) { /* a voided session is listed, not counted */
		x->n[0]++;
		x->n[1] += strcmp(s->mode, "individual") == 0;
		x->n[2] += s->pupils;
		x->n[3] += strcmp(s->concern, "refer") == 0;
	}
	json_array_append_new(x->items, counsel_json(x, s));
	return WB_OK;
}

static const sheet_word mode_words[] = {
	{"individual", "个体辅导", "Individual"},
	{"group", "团体辅导", "Group"},
	{NULL, NULL, NULL},
};
static const sheet_word topic_words[] = {
	{"emotion", "情绪", "Emotions"},  {"study", "学业", "Study"},
	{"family", "家庭", "Family"},     {"peers", "同伴关系", "Peers"},
	{"bullying", "欺凌", "Bullying"}, {"safety", "安全", "Safety"},
	{"other", "其他", "Other"},       {NULL, NULL, NULL},
};
static const sheet_word concern_words[] = {
	{"none", "无", "None"},
	{"watch", "需关注", "Watch"},
	{"refer", "需转介", "Refer"},
	{NULL, NULL, NULL},
};
/* The notes column is last: only the school that held the sessions gets it. */
static const sheet_col counsel_cols[] = {
	{"辅导日期", "Held on", "held_on", SC_TEXT, NULL},
	{"辅导形式", "Mode", "mode", SC_WORD, mode_words},
	{"主题", "Topic", "topic", SC_WORD, topic_words},
	{"人数", "Pupils", "pupils", SC_INT, NULL},
	{"学生编号", "Pupil ID", "child.id", SC_INT, NULL},
	{"学生", "Pupil", "child.name", SC_TEXT, NULL},
	{"关注程度", "Concern", "concern", SC_WORD, concern_words},
	{"记录人", "Recorded by", "by", SC_TEXT, NULL},
	{"作废原因", "Voided because", "voided.reason", SC_TEXT, NULL},
	{"记录", "Notes", "notes", SC_TEXT, NULL}, /* last: the school's only */
};

int api_school_counselling(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	const char *concern = http_query(r, "concern");
	counselling_filter f;
	counsel_ctx x;
	audit_entry e;
	unit_rec u;
	char from[11], to[11];
	int limit, rc, fmt, en;

	if (school_load(r, c, p, &u))
		return 0;
	if (api_role_is(p, "committee"))
		return api_error(r, 403, "forbidden", "counselling sessions are read by the school and the centre",
				 NULL);
	if (api_query_period(r, PERIOD_DEFAULT, from, to) || api_limit(r, LIST_DEFAULT, LIST_MAX, &limit) ||
	    api_sheet_params(r, SHEET_JSON, 1, &fmt, &en))
		return 0;
	if (concern && !api_one_of(concern, concerns))
		return api_error(r, 422, "validation_failed", "concern must be none, watch or refer", "concern");
	f = (counselling_filter){p->county_code, u.id, 0, from, to, concern};
	memset(&x, 0, sizeof(x));
	x.a = a;
	x.items = json_array();
	x.notes = api_role_is(p, "school");
	rc = store_counselling(c, &f, &p->scope, fmt != SHEET_JSON ? COUNSEL_EXPORT_MAX : limit, counsel_cb, &x);
	/* the totals are the period's, not the page's */
	if (rc == WB_OK && fmt == SHEET_JSON)
		rc = store_counselling_totals(c, &f, x.n);
	if (rc == WB_OK && fmt != SHEET_JSON) /* audited: it names pupils */
		return api_sheet_items(r, a, p, x.items, fmt, en, en ? "Counselling" : "心理辅导", "counselling",
				       counsel_cols, WB_ARRAY_LEN(counsel_cols) - !x.notes, "counselling.export",
				       "school",
				       json_pack("{s:I, s:s, s:s, s:s?}", "school_id", (json_int_t)u.id, "from", from,
						 "to", to, "concern", concern));
	if (rc == WB_OK && x.named) {
		api_audit_init(r, p, &e);
		wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, u.id);
		audit_entry_set(&e, "counselling.list", "school", e.object_id, "ok");
		if (api_audit_read(r, a, &e) != WB_OK)
			rc = WB_ESTORE;
	}
	if (rc) {
		json_decref(x.items);
		return api_fail(r, rc);
	}
	return api_json(r, 200,
			json_pack("{s:I, s:s, s:s, s:s, s:o, s:{s:I, s:I, s:I, s:I}}", "school_id", (json_int_t)u.id,
				  "school", u.name, "from", from, "to", to, "items", x.items, "totals", "sessions",
				  (json_int_t)x.n[0], "individual", (json_int_t)x.n[1], "attended", (json_int_t)x.n[2],
				  "referred", (json_int_t)x.n[3]));
}

static int counsel_fn(store_conn *c, void *arg)
{
	return store_counselling_insert(c, arg);
}

static const api_field counsel_fields[] = {
	{"held_on", JSON_STRING, 1, 16},
	{"mode", JSON_STRING, 1, 16},
	{"topic", JSON_STRING, 1, 16},
	{"child_id", JSON_INTEGER, 0, 0},
	{"pupils", JSON_INTEGER, 0, 0},
	{"concern", JSON_STRING, 0, 8},
	{"notes", JSON_STRING, 0, NOTES_CHARS * 4},
	{NULL, 0, 0, 0},
};

typedef struct counsel_void_job {
	int64_t school_id, id, at, by;
	const char *reason;
} counsel_void_job;

static int counsel_void_fn(store_conn *c, void *arg)
{
	counsel_void_job *j = arg;

	return store_counselling_void(c, j->school_id, j->id, j->at, j->by, j->reason);
}

static const api_field counsel_void_fields[] = {
	{"reason", JSON_STRING, 1, COUNSEL_VOID_REASON_MAX},
	{NULL, 0, 0, 0},
};

/* POST /api/v1/schools/{id}/counselling/{sid}/void: a session recorded by
 * mistake is voided (作废) with the reason, by the school that held it or
 * the centre; it stays listed, marked, and counts no more. */
int api_school_counselling_void(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	json_t *body = NULL;
	counsel_void_job j;
	audit_entry e;
	unit_rec u;
	const char *reason;
	int64_t sid;
	int rc;

	if (school_load(r, c, p, &u))
		return 0;
	if (!api_role_is(p, "school") && !api_role_is(p, "center"))
		return api_error(r, 403, "forbidden", "a session is voided by the school that held it, or the centre",
				 NULL);
	if (api_id_param(r, "sid", &sid) || api_body(r, &body) || api_check_fields(r, body, counsel_void_fields))
		goto out;
	if (api_reason(r, body, COUNSEL_VOID_REASON_CHARS, &reason))
		goto out;
	j = (counsel_void_job){u.id, sid, clock_now(), p->user_id, reason};
	api_audit_init(r, p, &e);
	wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, u.id);
	audit_entry_set(&e, "counselling.void", "school", e.object_id, "ok");
	api_audit_detail_reason(&e, json_pack("{s:I}", "session", (json_int_t)sid), reason);
	api_conn_release(r);
	rc = audit_submit(a->audit, &e, counsel_void_fn, &j);
	if (rc == WB_ECONFLICT)
		api_error(r, 409, "conflict", "the session was voided already", NULL);
	else if (rc)
		api_fail(r, rc);
	else
		api_json(r, 200,
			 json_pack("{s:I, s:I, s:b}", "id", (json_int_t)sid, "school_id", (json_int_t)u.id, "voided",
				   1));
out:
	json_decref(body);
	return 0;
}

int api_school_counselling_create(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	counselling_rec *s = calloc(1, sizeof(*s));
	json_t *body = NULL, *cid;
	counsel_ctx x;
	audit_entry e;
	unit_rec u;
	child_rec ch;
	const char *mode, *topic, *concern, *notes;
	char *enc = NULL;
	int rc;

	if (!s)
		return api_fail(r, WB_ENOMEM);
	if (school_load(r, c, p, &u))
		goto out;
	if (!api_role_is(p, "school")) {
		api_error(r, 403, "forbidden", "counselling sessions are recorded by the school that held them", NULL);
		goto out;
	}
	if (api_body(r, &body) || api_check_fields(r, body, counsel_fields) ||
	    api_past_day(r, body, "held_on", NULL, s->held_on))
		goto out;
	mode = api_str(body, "mode");
	topic = api_str(body, "topic");
	concern = api_str(body, "concern");
	notes = api_str(body, "notes");
	if (!api_one_of(mode, modes)) {
		api_error(r, 422, "validation_failed", "mode must be individual or group", "mode");
		goto out;
	}
	if (!api_one_of(topic, topics)) {
		api_error(r, 422, "validation_failed",
			  "topic must be emotion, study, family, peers, bullying, safety or other", "topic");
		goto out;
	}
	if (concern && !api_one_of(concern, concerns)) {
		api_error(r, 422, "validation_failed", "concern must be none, watch or refer", "concern");
		goto out;
	}
	if (notes && api_utf8_chars(notes) > NOTES_CHARS) {
		api_error(r, 422, "validation_failed", "notes may have at most 500 characters", "notes");
		goto out;
	}
	cid = json_object_get(body, "child_id");
	if (strcmp(mode, "individual") == 0) {
		if (!cid || json_is_null(cid)) {
			api_error(r, 422, "validation_failed", "an individual session names the pupil: child_id",
				  "child_id");
			goto out;
		}
		if (api_body_child(r, c, p, body, "child_id must be a pupil of your school", &ch))
			goto out;
		s->child_id = ch.id;
		s->pupils = 1;
	} else {
		if (cid && !json_is_null(cid)) {
			api_error(r, 422, "validation_failed", "a group session names nobody: leave out child_id",
				  "child_id");
			goto out;
		}
		s->pupils = json_integer_value(json_object_get(body, "pupils"));
		if (s->pupils < 2 || s->pupils > GROUP_MAX) {
			api_error(r, 422, "validation_failed", "a group session has 2 to 2000 pupils", "pupils");
			goto out;
		}
	}
	if (notes && *notes) {
		if (sec_encrypt_text(&a->keys, notes, &enc) != WB_OK || strlen(enc) >= sizeof(s->notes_enc)) {
			api_fail(r, WB_ECRYPTO);
			goto out;
		}
		wb_strlcpy(s->notes_enc, enc, sizeof(s->notes_enc));
	}
	wb_strlcpy(s->county_code, p->county_code, sizeof(s->county_code));
	s->school_id = u.id;
	wb_strlcpy(s->mode, mode, sizeof(s->mode));
	wb_strlcpy(s->topic, topic, sizeof(s->topic));
	wb_strlcpy(s->concern, concern ? concern : "none", sizeof(s->concern));
	s->created_at = clock_now();
	s->created_by = p->user_id;
	wb_strlcpy(s->school_name, u.name, sizeof(s->school_name));
	wb_strlcpy(s->by_name, p->display_name, sizeof(s->by_name));
	if (s->child_id) {
		wb_strlcpy(s->child_name, ch.name, sizeof(s->child_name));
		wb_strlcpy(s->child_village, ch.village_code, sizeof(s->child_village));
	}
	api_audit_init(r, p, &e);
	if (s->child_id) {
		wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, s->child_id);
		audit_entry_set(&e, "counselling.create", "child", e.object_id, "ok");
	} else {
		wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, u.id);
		audit_entry_set(&e, "counselling.create", "school", e.object_id, "ok");
	}
	api_audit_detail(&e, json_pack("{s:s, s:s, s:s}", "mode", s->mode, "topic", s->topic, "concern", s->concern));
	api_conn_release(r);
	rc = audit_submit(a->audit, &e, counsel_fn, s);
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	memset(&x, 0, sizeof(x));
	x.a = a;
	x.notes = 1;
	api_json(r, 201, counsel_json(&x, s));
out:
	free(enc);
	json_decref(body);
	free(s);
	return 0;
}

/* ---- caring mothers ---- */

/* Where p keeps caring mothers: talks_place's place (the county, a
 * township, a village, a school). 0 when p keeps none. */
static int mothers_place(const sec_principal *p, talk_place *pl)
{
	return !api_role_is(p, "committee") && talks_place(p, pl);
}

static int in_place(const talk_place *pl, const caring_mother_rec *m)
{
	if (pl->school_id)
		return m->school_id == pl->school_id;
	return talks_place_covers(pl, m->area_code);
}

static json_t *mother_json(const app *a, const sec_principal *p, const caring_mother_rec *m)
{
	json_t *o = json_pack("{s:I, s:s, s:o?, s:s, s:s, s:b, s:s, s:I, s:I}", "id", (json_int_t)m->id, "area_code",
			      m->area_code, "school_id", m->school_id ? json_integer(m->school_id) : NULL, "name",
			      m->name, "joined_on", m->joined_on, "active", m->active, "notes", m->notes, "open_pairs",
			      (json_int_t)m->open_pairs, "updated_at", (json_int_t)m->updated_at);

	if (o)
		api_phone_json(a, p, o, m->phone_enc, m->phone_mask);
	return o;
}

typedef struct mothers_ctx {
	const app *a;
	const sec_principal *p;
	json_t *items;
} mothers_ctx;

static int mother_cb(const caring_mother_rec *m, void *arg)
{
	mothers_ctx *x = arg;

	json_array_append_new(x->items, mother_json(x->a, x->p, m));
	return WB_OK;
}

static const sheet_col mother_cols[] = {
	{"编号", "ID", "id", SC_INT, NULL},
	{"姓名", "Name", "name", SC_TEXT, NULL},
	{"电话", "Phone", "phone", SC_TEXT, NULL},
	{"区划代码", "Area code", "area_code", SC_TEXT, NULL},
	{"所在区划", "Area", "area_code", SC_AREA, NULL},
	{"加入日期", "Joined on", "joined_on", SC_TEXT, NULL},
	{"在岗", "Active", "active", SC_BOOL, NULL},
	{"结对儿童", "Children paired", "open_pairs", SC_INT, NULL},
	{"备注", "Notes", "notes", SC_TEXT, NULL},
};

int api_caring_mothers(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	const char *active = http_query(r, "active"), *area = http_query(r, "area");
	caring_filter f;
	talk_place pl;
	mothers_ctx x;
	int64_t n[3];
	char hi[20];
	int limit, rc, fmt, en;

	if (!mothers_place(p, &pl))
		return api_error(r, 403, "forbidden",
				 "caring mothers are kept by the centre, townships, child directors and schools", NULL);
	if (api_limit(r, LIST_DEFAULT, MOTHERS_MAX, &limit) || api_sheet_params(r, SHEET_JSON, 1, &fmt, &en))
		return 0;
	if (active && strcmp(active, "1") != 0 && strcmp(active, "0") != 0)
		return api_error(r, 422, "validation_failed", "active must be 1 or 0", "active");
	f = (caring_filter){p->county_code, pl.lo[0] ? pl.lo : NULL, pl.lo[0] ? pl.hi : NULL, pl.school_id,
			    active && strcmp(active, "1") == 0};
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
	if (fmt != SHEET_JSON)
		limit = MOTHERS_EXPORT_MAX;
	memset(&x, 0, sizeof(x));
	x.a = a;
	x.p = p;
	x.items = json_array();
	rc = store_caring_mothers(c, &f, limit, mother_cb, &x);
	if (rc == WB_OK && fmt != SHEET_JSON) /* audited: it names volunteers, with their phones */
		return api_sheet_items(r, a, p, x.items, fmt, en, en ? "Caring mothers" : "爱心妈妈", "caring-mothers",
				       mother_cols, WB_ARRAY_LEN(mother_cols), "caring.export", "caring_mother",
				       json_pack("{s:s?, s:s?}", "area", area, "active", active));
	if (rc == WB_OK)
		rc = store_caring_totals(c, &f, n);
	if (rc) {
		json_decref(x.items);
		return api_fail(r, rc);
	}
	return api_json(r, 200,
			json_pack("{s:o, s:{s:I, s:I, s:I}}", "items", x.items, "totals", "mothers", (json_int_t)n[0],
				  "active", (json_int_t)n[1], "paired", (json_int_t)n[2]));
}

static const api_field mother_fields[] = {
	{"name", JSON_STRING, 1, NAME_CHARS * 4},
	{"phone", JSON_STRING, 0, 24},
	{"area_code", JSON_STRING, 0, 16},
	{"joined_on", JSON_STRING, 0, 16},
	{"notes", JSON_STRING, 0, MOTHER_NOTES * 4},
	{"active", JSON_TRUE, 0, 0},
	{NULL, 0, 0, 0},
};

/* Name, phone and notes of body into m (create: the name is required). 0,
 * or -1 after a 422. */
static int mother_facts(http_req *r, const app *a, json_t *body, caring_mother_rec *m)
{
	const char *name = api_str(body, "name"), *phone = api_str(body, "phone"), *notes = api_str(body, "notes");

	if (name) {
		/* blanks at either end dropped: full-width and zero-width ones
		 * too, so that a name of blanks alone is no name */
		char trimmed[NAME_CHARS * 4 + 1];

		wb_strlcpy(trimmed, name, sizeof(trimmed));
		wb_trim(trimmed);
		if (!*trimmed || api_utf8_chars(trimmed) > NAME_CHARS)
			return api_error(r, 422, "validation_failed", "name must have 1 to 30 characters", "name"), -1;
		wb_strlcpy(m->name, trimmed, sizeof(m->name));
	}
	if (phone && !*phone) {
		m->phone_enc[0] = m->phone_mask[0] = '\0';
	} else if (phone) {
		int rc = api_phone_store(a, phone, m->phone_enc, m->phone_mask, sizeof(m->phone_mask));

		if (rc == WB_EINVAL)
			return api_error(r, 422, "validation_failed",
					 "phone must be digits (mobile or landline with area code)", "phone"),
			       -1;
		if (rc)
			return api_fail(r, rc), -1;
	}
	if (notes) {
		if (api_utf8_chars(notes) > MOTHER_NOTES)
			return api_error(r, 422, "validation_failed", "notes may have at most 200 characters", "notes"),
			       -1;
		wb_strlcpy(m->notes, notes, sizeof(m->notes));
	}
	return 0;
}

static int mother_insert_fn(store_conn *c, void *arg)
{
	return store_caring_mother_insert(c, arg);
}

int api_caring_mother_create(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	caring_mother_rec *m = calloc(1, sizeof(*m));
	json_t *body = NULL;
	talk_place pl;
	audit_entry e;
	area_rec ar;
	const char *area;
	char today[11];
	int rc;

	if (!m)
		return api_fail(r, WB_ENOMEM);
	if (!mothers_place(p, &pl)) {
		api_error(r, 403, "forbidden",
			  "caring mothers are kept by the centre, townships, child directors and schools", NULL);
		goto out;
	}
	date_format(clock_today_ymd(), today);
	if (api_body(r, &body) || api_check_fields(r, body, mother_fields) || mother_facts(r, a, body, m))
		goto out;
	if (json_object_get(body, "joined_on")) {
		int ymd;

		if (date_parse(api_str(body, "joined_on"), &ymd) != WB_OK || ymd > clock_today_ymd() ||
		    ymd < EARLIEST_YMD) {
			api_error(r, 422, "validation_failed",
				  "joined_on must be a date YYYY-MM-DD from " EARLIEST_DAY " to today", "joined_on");
			goto out;
		}
		date_format(ymd, m->joined_on);
	} else {
		wb_strlcpy(m->joined_on, today, sizeof(m->joined_on));
	}
	/* a school's mothers are of its place, as its talks are */
	m->school_id = pl.school_id;
	talks_place_school_area(c, p, &pl);
	area = api_str(body, "area_code");
	wb_strlcpy(m->area_code, area ? area : pl.lo[0] ? pl.lo : p->county_code, sizeof(m->area_code));
	if (!area_level_of(m->area_code) || strlen(m->area_code) > 12 ||
	    store_area_get(c, m->area_code, &ar) != WB_OK || strcmp(ar.county_code, p->county_code) != 0 ||
	    !talks_place_covers(&pl, m->area_code)) {
		api_error(r, 422, "validation_failed", "area_code must be the county, a township or a village of yours",
			  "area_code");
		goto out;
	}
	wb_strlcpy(m->county_code, p->county_code, sizeof(m->county_code));
	m->active = 1;
	m->created_at = m->updated_at = clock_now();
	m->created_by = p->user_id;
	api_audit_init(r, p, &e);
	audit_entry_set(&e, "caring.create", "area", m->area_code, "ok");
	api_conn_release(r);
	rc = audit_submit(a->audit, &e, mother_insert_fn, m);
	if (rc)
		api_fail(r, rc);
	else
		api_json(r, 201, mother_json(a, p, m));
out:
	json_decref(body);
	free(m);
	return 0;
}

/* The mother of path parameter id if she is in p's place: 0, or -1 after
 * 403/404. */
static int mother_load(http_req *r, store_conn *c, const sec_principal *p, caring_mother_rec *m)
{
	talk_place pl;
	int64_t id;
	int rc;

	if (api_id_param(r, "id", &id))
		return -1;
	if (!mothers_place(p, &pl))
		return api_error(r, 403, "forbidden",
				 "caring mothers are kept by the centre, townships, child directors and schools", NULL),
		       -1;
	rc = store_caring_mother_get(c, p->county_code, id, m);
	if (rc == WB_OK && !in_place(&pl, m))
		rc = WB_ENOTFOUND;
	if (rc == WB_ENOTFOUND)
		return api_error(r, 404, "not_found", "no such caring mother", NULL), -1;
	if (rc)
		return api_fail(r, rc), -1;
	return 0;
}

/* A pairing; its child, when outside the caller's scope (moved away,
 * archived, not of the caller's place), is null with child_outside_scope
 * true, as a programme's returns: the keeper sees the pairing and since
 * when, and ends it, without the child's name or id. */
static json_t *pair_json(const caring_pair_rec *pr)
{
	json_t *o = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s?, s:s}", "id", (json_int_t)pr->id, "mother_id",
			      (json_int_t)pr->mother_id, "mother", pr->mother_name, "mother_area", pr->mother_area,
			      "started_on", pr->started_on, "ended_on", pr->ended_on[0] ? pr->ended_on : NULL,
			      "end_note", pr->end_note);

	if (!o)
		return NULL;
	api_child_ref(o, pr->child_hidden ? 0 : pr->child_id, pr->child_name, pr->child_village, pr->child_hidden);
	return o;
}

typedef struct pairs_ctx {
	json_t *items;
	int named; /* pairings whose child was named */
} pairs_ctx;

static int pair_cb(const caring_pair_rec *pr, void *arg)
{
	pairs_ctx *x = arg;

	json_array_append_new(x->items, pair_json(pr));
	if (!pr->child_hidden)
		x->named++;
	return WB_OK;
}

/* Answers mother id with every one of her pairings (a child outside p's
 * scope not named), auditing the read when it names a child. */
static int mother_answer(http_req *r, app *a, store_conn *c, const sec_principal *p, const caring_mother_rec *m,
			 int status)
{
	pairs_ctx x = {json_array(), 0};
	json_t *o;
	audit_entry e;
	int rc = store_caring_pairs(c, &p->scope, m->id, 0, pair_cb, &x);

	if (rc == WB_OK && x.named > 0) {
		api_audit_init(r, p, &e);
		wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, m->id);
		audit_entry_set(&e, "caring.read", "caring_mother", e.object_id, "ok");
		if (api_audit_read(r, a, &e) != WB_OK)
			rc = WB_ESTORE;
	}
	if (rc) {
		json_decref(x.items);
		return api_fail(r, rc);
	}
	o = mother_json(a, p, m);
	json_object_set_new(o, "pairs", x.items);
	return api_json(r, status, o);
}

int api_caring_mother_get(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	caring_mother_rec m;

	if (mother_load(r, c, p, &m))
		return 0;
	return mother_answer(r, a, c, p, &m, 200);
}

static int mother_update_fn(store_conn *c, void *arg)
{
	return store_caring_mother_update(c, arg);
}

int api_caring_mother_update(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	caring_mother_rec m;
	json_t *body = NULL, *act;
	audit_entry e;
	int rc;

	if (mother_load(r, c, p, &m))
		return 0;
	if (api_body(r, &body) || api_check_fields_ex(r, body, mother_fields, 0) || mother_facts(r, a, body, &m))
		goto out;
	if (json_object_get(body, "area_code") || json_object_get(body, "joined_on")) {
		api_error(r, 422, "validation_failed", "a caring mother's place and joining day do not change",
			  json_object_get(body, "area_code") ? "area_code" : "joined_on");
		goto out;
	}
	act = json_object_get(body, "active");
	if (act) {
		if (json_is_false(act) && m.open_pairs > 0) {
			api_error(r, 409, "conflict", "end her pairings before she leaves", "active");
			goto out;
		}
		m.active = json_is_true(act);
	}
	m.updated_at = clock_now();
	api_audit_init(r, p, &e);
	wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, m.id);
	audit_entry_set(&e, "caring.update", "caring_mother", e.object_id, "ok");
	api_audit_detail(&e, json_pack("{s:b}", "active", m.active));
	api_conn_release(r);
	rc = audit_submit(a->audit, &e, mother_update_fn, &m);
	if (rc == WB_ECONFLICT) /* paired meanwhile */
		api_error(r, 409, "conflict", "end her pairings before she leaves", "active");
	else if (rc)
		api_fail(r, rc);
	else
		mother_answer(r, a, api_conn(r), p, &m, 200);
out:
	json_decref(body);
	return 0;
}

static int pair_insert_fn(store_conn *c, void *arg)
{
	return store_caring_pair_insert(c, arg);
}

static const api_field pair_fields[] = {
	{"child_id", JSON_INTEGER, 1, 0},
	{"started_on", JSON_STRING, 0, 16},
	{NULL, 0, 0, 0},
};

int api_caring_pair_create(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	caring_mother_rec m;
	caring_pair_rec pr;
	json_t *body = NULL;
	audit_entry e;
	child_rec ch;
	char today[11];
	int rc;

	if (mother_load(r, c, p, &m))
		return 0;
	memset(&pr, 0, sizeof(pr));
	date_format(clock_today_ymd(), today);
	if (api_body(r, &body) || api_check_fields(r, body, pair_fields) ||
	    api_past_day(r, body, "started_on", today, pr.started_on))
		goto out;
	if (!m.active) {
		api_error(r, 409, "conflict", "she is no longer active", NULL);
		goto out;
	}
	if (strcmp(pr.started_on, m.joined_on) < 0) {
		api_error(r, 422, "validation_failed", "started_on may not be before she joined", "started_on");
		goto out;
	}
	if (api_body_child(r, c, p, body, "child_id must be a child of your area", &ch))
		goto out;
	wb_strlcpy(pr.county_code, p->county_code, sizeof(pr.county_code));
	pr.mother_id = m.id;
	pr.child_id = ch.id;
	pr.created_at = clock_now();
	pr.created_by = p->user_id;
	api_audit_init(r, p, &e);
	wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, ch.id);
	audit_entry_set(&e, "caring.pair", "child", e.object_id, "ok");
	api_audit_detail(&e, json_pack("{s:I}", "mother", (json_int_t)m.id));
	api_conn_release(r);
	rc = audit_submit(a->audit, &e, pair_insert_fn, &pr);
	if (rc == WB_ECONFLICT) {
		api_error(r, 409, "conflict", "the child is paired with a caring mother already", "child_id");
	} else if (rc == WB_ENOTFOUND) { /* she left meanwhile */
		api_error(r, 409, "conflict", "she is no longer active", NULL);
	} else if (rc) {
		api_fail(r, rc);
	} else {
		m.open_pairs++;
		mother_answer(r, a, api_conn(r), p, &m, 201);
	}
out:
	json_decref(body);
	return 0;
}

typedef struct end_job {
	const char *county, *note;
	char day[11];
	int64_t id, by;
	caring_pair_rec out;
} end_job;

static int pair_end_fn(store_conn *c, void *arg)
{
	end_job *j = arg;

	return store_caring_pair_end(c, j->county, j->id, j->day, j->note, j->by, &j->out);
}

static const api_field end_fields[] = {
	{"ended_on", JSON_STRING, 0, 16},
	{"note", JSON_STRING, 0, END_NOTE_CHARS * 4},
	{NULL, 0, 0, 0},
};

int api_caring_pair_end(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	json_t *body = NULL;
	end_job j;
	caring_pair_rec x;
	talk_place pl;
	caring_mother_rec m;
	audit_entry e;
	char today[11];
	const char *note;
	int64_t id;
	int rc;

	if (api_id_param(r, "id", &id))
		return 0;
	if (!mothers_place(p, &pl))
		return api_error(r, 403, "forbidden",
				 "caring mothers are kept by the centre, townships, child directors and schools", NULL);
	memset(&j, 0, sizeof(j));
	memset(&x, 0, sizeof(x));
	date_format(clock_today_ymd(), today);
	if (api_body(r, &body) || api_check_fields(r, body, end_fields) ||
	    api_past_day(r, body, "ended_on", today, j.day))
		goto out;
	note = api_str(body, "note");
	if (note && api_utf8_chars(note) > END_NOTE_CHARS) {
		api_error(r, 422, "validation_failed", "note may have at most 100 characters", "note");
		goto out;
	}
	/* the pairing must be of a mother of p's place: her keeper ends it even
	 * when the child is now outside p's scope (not named in the answer) */
	rc = store_caring_pair_get(c, &p->scope, id, &x);
	if (rc == WB_OK)
		rc = store_caring_mother_get(c, p->county_code, x.mother_id, &m);
	if (rc == WB_OK && !in_place(&pl, &m))
		rc = WB_ENOTFOUND;
	if (rc == WB_ENOTFOUND) {
		api_error(r, 404, "not_found", "no such pairing", NULL);
		goto out;
	} else if (rc) {
		api_fail(r, rc);
		goto out;
	}
	if (x.ended_on[0]) {
		api_error(r, 409, "conflict", "the pairing has ended already", NULL);
		goto out;
	}
	if (strcmp(j.day, x.started_on) < 0) {
		api_error(r, 422, "validation_failed", "ended_on may not be before the pairing started", "ended_on");
		goto out;
	}
	j.county = p->county_code;
	j.note = note ? note : "";
	j.id = id;
	j.by = p->user_id;
	api_audit_init(r, p, &e);
	wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, x.child_id);
	audit_entry_set(&e, "caring.unpair", "child", e.object_id, "ok");
	api_audit_detail(&e, json_pack("{s:I}", "mother", (json_int_t)x.mother_id));
	api_conn_release(r);
	rc = audit_submit(a->audit, &e, pair_end_fn, &j);
	if (rc == WB_ENOTFOUND) {
		api_error(r, 409, "conflict", "the pairing has ended already", NULL);
	} else if (rc) {
		api_fail(r, rc);
	} else {
		wb_strlcpy(x.ended_on, j.day, sizeof(x.ended_on));
		wb_strlcpy(x.end_note, j.note, sizeof(x.end_note));
		api_json(r, 200, pair_json(&x));
	}
out:
	json_decref(body);
	return 0;
}

/* ---- a child's care ---- */

int api_child_care(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	json_t *pairs, *sessions = NULL;
	counselling_filter f;
	pairs_ctx px = {NULL, 0};
	counsel_ctx x;
	child_rec ch;
	int64_t id;
	int rc;

	if (api_id_param(r, "id", &id))
		return 0;
	if (p->scope.children == SCOPE_NONE || p->scope.children == SCOPE_REFERRAL)
		return api_error(r, 403, "forbidden", "a child's care is read with the child's file", NULL);
	rc = store_child_get(c, &p->scope, id, &ch);
	if (rc)
		return api_child_fail(r, a, p, id, "child.care", rc);
	px.items = pairs = json_array();
	rc = store_caring_pairs(c, &p->scope, 0, id, pair_cb, &px);
	memset(&x, 0, sizeof(x));
	if (rc == WB_OK && (api_role_is(p, "school") || api_role_is(p, "center"))) {
		/* counselling: the child's school (notes too) and the centre */
		f = (counselling_filter){
			p->county_code, api_role_is(p, "school") ? p->unit_id : 0, id, NULL, NULL, NULL};
		x.a = a;
		x.items = sessions = json_array();
		x.notes = api_role_is(p, "school");
		rc = store_counselling(c, &f, NULL, LIST_DEFAULT, counsel_cb, &x);
	}
	if (rc == WB_OK) {
		if (api_audit_child_read(r, a, p, id, "child.care") != WB_OK)
			rc = WB_ESTORE;
	}
	if (rc) {
		json_decref(pairs);
		json_decref(sessions);
		return api_fail(r, rc);
	}
	return api_json(r, 200,
			json_pack("{s:I, s:o, s:o}", "child_id", (json_int_t)id, "caring", pairs, "counselling",
				  sessions ? sessions : json_null()));
}
