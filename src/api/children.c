/*
 * /api/v1/children: register, read, list and change children.
 *
 * Scope is applied by the store; here we check the role may write, that a
 * child is placed inside the caller's area, validate every field (ID numbers
 * per GB 11643 via domain/idnum), encrypt the ID number with a blind index
 * for lookup, mask it unless the role needs it whole, keep a history of
 * every change, and audit every read and write.
 */
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "../domain/date.h"
#include "../domain/area.h"
#include "../domain/fields.h"
#include "../domain/idnum.h"
#include "../util/clock.h"
#include "../util/log.h"
#include "../util/wb.h"
#include "api.h"
#include "archive_api.h"
#include "sheet.h"
#include "loop.h"
#include "registry.h"

#define LIST_DEFAULT 50
#define LIST_MAX     200

json_t *api_child_json(const app *a, const sec_principal *p, const child_rec *ch)
{
	json_t *j =
		json_pack("{s:I, s:s, s:s?, s:s?, s:s, s:I, s:I, s:I}", "id", (json_int_t)ch->id, "name", ch->name,
			  "sex", ch->sex[0] ? ch->sex : NULL, "birth_date", ch->birth_date[0] ? ch->birth_date : NULL,
			  "village_code", ch->village_code, "version", (json_int_t)ch->version, "created_at",
			  (json_int_t)ch->created_at, "updated_at", (json_int_t)ch->updated_at);

	if (!j)
		return NULL;
	json_object_set_new(j, "grid_code", ch->grid_code[0] ? json_string(ch->grid_code) : json_null());
	json_object_set_new(j, "hukou_area_code",
			    ch->hukou_area_code[0] ? json_string(ch->hukou_area_code) : json_null());
	json_object_set_new(j, "hukou_type", ch->hukou_type[0] ? json_string(ch->hukou_type) : json_null());
	json_object_set_new(j, "grade", ch->grade[0] ? json_string(ch->grade) : json_null());
	json_object_set_new(j, "disability_grade", json_integer(ch->disability_grade));
	json_object_set_new(j, "disability_type",
			    ch->disability_type[0] ? json_string(ch->disability_type) : json_null());
	json_object_set_new(j, "serious_illness",
			    ch->serious_illness[0] ? json_string(ch->serious_illness) : json_null());
	json_object_set_new(j, "family_poverty", json_boolean(ch->family_poverty));
	json_object_set_new(j, "adopted", json_boolean(ch->adopted));
	json_object_set_new(j, "director_id", ch->director_id ? json_integer(ch->director_id) : json_null());
	json_object_set_new(j, "risk_level", json_string(ch->risk_level[0] ? ch->risk_level : "low"));
	json_object_set_new(j, "notes", ch->notes[0] ? json_string(ch->notes) : json_null());
	json_object_set_new(j, "school_id", ch->school_id ? json_integer(ch->school_id) : json_null());
	if (!ch->id_enc[0]) {
		json_object_set_new(j, "id_number", json_null());
	} else if (p->def->full_id) {
		char plain[32];

		if (sec_decrypt_field(&a->keys, ch->id_enc, plain, sizeof(plain)) == WB_OK)
			json_object_set_new(j, "id_number", json_string(plain));
		else
			json_object_set_new(j, "id_number", json_string(ch->id_mask));
		json_object_set_new(j, "id_number_masked", json_false());
	} else {
		json_object_set_new(j, "id_number", json_string(ch->id_mask));
		json_object_set_new(j, "id_number_masked", json_true());
	}
	if (ch->archived_at) {
		/* out of active work (SPEC §9): when, why, and whether erased */
		json_object_set_new(j, "archived_at", json_integer(ch->archived_at));
		json_object_set_new(j, "archive_reason", json_string(ch->archive_reason));
		json_object_set_new(j, "archive_note",
				    ch->archive_note[0] ? json_string(ch->archive_note) : json_null());
		json_object_set_new(j, "erased_at", ch->erased_at ? json_integer(ch->erased_at) : json_null());
	}
	return j;
}

static const api_field child_fields[] = {
	{"name", JSON_STRING, 1, FIELD_MAX_CHILD_NAME},
	{"id_number", JSON_STRING, 0, 32},
	{"sex", JSON_STRING, 0, 1},
	{"birth_date", JSON_STRING, 0, 10},
	{"village_code", JSON_STRING, 1, 12},
	{"grid_code", JSON_STRING, 0, 15},
	{"school_id", JSON_INTEGER, 0, 0},
	{"version", JSON_INTEGER, 0, 0},
	{"hukou_area_code", JSON_STRING, 0, 12},
	{"hukou_type", JSON_STRING, 0, 5},
	{"grade", JSON_STRING, 0, FIELD_MAX_GRADE},
	{"disability_grade", JSON_INTEGER, 0, 0},
	{"disability_type", JSON_STRING, 0, FIELD_MAX_DISABILITY},
	{"serious_illness", JSON_STRING, 0, FIELD_MAX_ILLNESS},
	{"family_poverty", JSON_TRUE, 0, 0},
	{"adopted", JSON_TRUE, 0, 0},
	{"director_id", JSON_INTEGER, 0, 0},
	{"risk_level", JSON_STRING, 0, 16}, /* the vocabulary is checked by registry_apply_fields */
	{"notes", JSON_STRING, 0, FIELD_MAX_NOTES},
	{"guardians", JSON_ARRAY, 0, 0},
	{"duplicate_ok", JSON_TRUE, 0, 0}, /* registration: another child of the same name, birth and village */
	{NULL, 0, 0, 0},
};

/*
 * A registration of someone the archive would take at once (18 and past the
 * county's grace days, SPEC §9: a child who turns 18 leaves active work) is
 * refused: such a birth date is almost always a mistyped year. A record
 * that grows up stays, and may be corrected.
 */
static int grown_up(http_req *r, store_conn *c, const child_rec *ch, int have_id)
{
	int birth, due = 0;

	if (date_parse(ch->birth_date, &birth) != WB_OK ||
	    archive_due(c, ch->county_code, birth, clock_today_ymd(), &due) != WB_OK || !due)
		return 0;
	api_error(r, 422, "validation_failed",
		  "the person is 18 or older and past the archive's grace days: the registry keeps minors",
		  have_id ? "id_number" : "birth_date");
	return 1;
}

/*
 * Applies the fields present in body onto ch (a new record or a copy of the
 * stored one), validating each. Writes the error and returns -1 on failure.
 */
static int apply_fields(http_req *r, const app *a, store_conn *c, const sec_principal *p, json_t *body, child_rec *ch,
			int creating)
{
	json_t *v;
	const char *s;
	char msg[200];
	int have_id = ch->id_enc[0] != 0;
	idnum id;

	if ((s = api_str(body, "name"))) {
		/* blanks at either end are dropped, as the form and the import
		 * drop them; what is left is judged as the import judges it */
		char name[FIELD_MAX_CHILD_NAME * 2];

		if (strlen(s) >= sizeof(name))
			return api_error(r, 422, "validation_failed", "name is too long", "name"), -1;
		wb_strlcpy(name, s, sizeof(name));
		wb_trim(name);
		if (field_check_text(FT_CHILD_NAME, name) != FIELD_OK)
			return api_error(r, 422, "validation_failed",
					 "name must be non-empty text without control or invisible characters", "name"),
			       -1;
		wb_strlcpy(ch->name, name, sizeof(ch->name));
	}
	v = json_object_get(body, "id_number");
	if (v && json_is_null(v)) {
		ch->id_enc[0] = ch->id_bidx[0] = ch->id_mask[0] = '\0';
		have_id = 0;
	} else if (v) {
		enum idnum_error ie = idnum_parse(json_string_value(v), clock_today_ymd(), &id);

		if (ie != IDNUM_OK)
			return api_error(r, 422, "invalid_id_number", idnum_strerror(ie), "id_number"), -1;
		if (sec_encrypt_field(&a->keys, id.number, ch->id_enc) != WB_OK)
			return api_fail(r, WB_ECRYPTO), -1;
		sec_blind_index(&a->keys, id.number, ch->id_bidx);
		idnum_mask(id.number, ch->id_mask);
		have_id = 1;
		if ((s = api_str(body, "sex")) && s[0] != id.sex)
			return api_error(r, 422, "validation_failed", "sex does not match the ID number", "sex"), -1;
		if ((s = api_str(body, "birth_date")) && strcmp(s, id.birth) != 0)
			return api_error(r, 422, "validation_failed", "birth_date does not match the ID number",
					 "birth_date"),
			       -1;
		ch->sex[0] = id.sex;
		ch->sex[1] = '\0';
		wb_strlcpy(ch->birth_date, id.birth, sizeof(ch->birth_date));
	}
	if (!have_id || !v) {
		if ((s = api_str(body, "sex"))) {
			if (strcmp(s, "M") != 0 && strcmp(s, "F") != 0)
				return api_error(r, 422, "validation_failed", "sex must be M or F", "sex"), -1;
			if (have_id && s[0] != ch->sex[0])
				return api_error(r, 422, "validation_failed", "sex does not match the ID number",
						 "sex"),
				       -1;
			wb_strlcpy(ch->sex, s, sizeof(ch->sex));
		}
		if ((s = api_str(body, "birth_date"))) {
			int ymd;

			if (date_parse(s, &ymd) != WB_OK)
				return api_error(r, 422, "validation_failed",
						 "birth_date must be a real date as YYYY-MM-DD", "birth_date"),
				       -1;
			if (ymd > clock_today_ymd())
				return api_error(r, 422, "validation_failed", "birth_date is in the future",
						 "birth_date"),
				       -1;
			if (have_id && strcmp(s, ch->birth_date) != 0)
				return api_error(r, 422, "validation_failed", "birth_date does not match the ID number",
						 "birth_date"),
				       -1;
			wb_strlcpy(ch->birth_date, s, sizeof(ch->birth_date));
		}
	}
	if (!have_id && (!ch->sex[0] || !ch->birth_date[0])) {
		const char *f = !ch->sex[0] ? "sex" : "birth_date";

		wb_snprintf(msg, sizeof(msg), "%s is required when there is no ID number", f);
		return api_error(r, 422, "required", msg, f), -1;
	}
	if (creating && grown_up(r, c, ch, have_id))
		return -1;
	if ((s = api_str(body, "village_code"))) {
		char name[128];

		/* the areas' cache (api/cache.c) knows the area as well as the store */
		if (!area_level_of(s) || strcmp(area_level_of(s), "village") != 0 ||
		    api_area_name(c, s, name, sizeof(name)) != WB_OK)
			return api_error(r, 422, "validation_failed",
					 "village_code must be the code of a village or community", "village_code"),
			       -1;
		/* a move to another village leaves the old village's grid */
		if (creating || strcmp(s, ch->village_code) != 0)
			ch->grid_code[0] = '\0';
		wb_strlcpy(ch->village_code, s, sizeof(ch->village_code));
		/* a grid worker registers the children of the own grid */
		if (creating && p->scope.children == SCOPE_GRID && !json_object_get(body, "grid_code") &&
		    area_within(p->scope.grid, s))
			wb_strlcpy(ch->grid_code, p->scope.grid, sizeof(ch->grid_code));
	}
	v = json_object_get(body, "grid_code");
	if (v && json_is_null(v)) {
		ch->grid_code[0] = '\0';
	} else if (v) {
		char name[128];

		s = json_string_value(v);
		if (strlen(s) != 15 || !area_within(s, ch->village_code) ||
		    api_area_name(c, s, name, sizeof(name)) != WB_OK)
			return api_error(r, 422, "validation_failed", "grid_code must be a grid of the child's village",
					 "grid_code"),
			       -1;
		wb_strlcpy(ch->grid_code, s, sizeof(ch->grid_code));
	}
	v = json_object_get(body, "school_id");
	if (v && json_is_null(v)) {
		ch->school_id = 0;
	} else if (v) {
		unit_rec u;

		if (store_unit_get(c, json_integer_value(v), &u) != WB_OK || strcmp(u.kind, "school") != 0 ||
		    strcmp(u.county_code, p->county_code) != 0)
			return api_error(r, 422, "validation_failed", "school_id must be a school of this county",
					 "school_id"),
			       -1;
		ch->school_id = u.id;
	}
	if (!scope_covers_place(&p->scope, ch->village_code, ch->grid_code)) {
		/* a grid worker's own village with another grid (or none): the
		 * grid is what is wrong, as the import says */
		if (p->scope.children == SCOPE_GRID && area_within(p->scope.grid, ch->village_code))
			return api_error(r, 403, "outside_scope", "the grid is outside your area", "grid_code"), -1;
		return api_error(r, 403, "outside_scope", "the village is outside your area", "village_code"), -1;
	}
	return 0;
}

typedef struct create_job {
	child_rec *ch;
	audit_entry *e; /* appended after this job runs: gets the new id */
	guardian_input *gi;
	int check_same;  /* no ID number, no duplicate_ok: look for the same person first */
	int64_t same_id; /* out: the live child of the same name, birth date and village */
} create_job;

static int create_fn(store_conn *c, void *arg)
{
	create_job *j = arg;
	child_facts f;
	int rc;

	/* in the write's own transaction, so that registrations sent at once
	 * see each other: the entry of the refused write says why (see
	 * append_entry) */
	j->same_id = 0;
	wb_strlcpy(j->e->outcome, "ok", sizeof(j->e->outcome));
	if (j->check_same) {
		rc = store_child_insert_new_person(c, j->ch, &j->same_id);
		if (rc == WB_ECONFLICT && j->same_id) {
			wb_strlcpy(j->e->outcome, "possible_duplicate", sizeof(j->e->outcome));
			return WB_ECONFLICT;
		}
		j->same_id = 0;
	} else {
		rc = store_child_insert(c, j->ch);
	}
	/* the only other conflict of an insert is the number's unique index */
	if (rc == WB_ECONFLICT)
		wb_strlcpy(j->e->outcome, "duplicate_id_number", sizeof(j->e->outcome));
	if (rc == WB_OK)
		wb_snprintf(j->e->object_id, sizeof(j->e->object_id), "%" PRId64, j->ch->id);
	if (rc == WB_OK && j->gi->have)
		rc = store_guardians_insert(c, j->ch->county_code, j->ch->id, j->gi->g, j->gi->n, j->ch->created_at);
	registry_facts(j->ch, j->gi->g, j->gi->n, &f);
	if (rc == WB_OK)
		rc = registry_recompute(c, j->ch->county_code, j->ch->id, NULL, &f, clock_today_ymd(),
					j->ch->created_at, NULL);
	return rc;
}

/* The child with the guardians and categories given and its village's
 * name, as a caller in p sees it. */
static json_t *child_full_json(const app *a, const sec_principal *p, store_conn *c, const child_rec *ch,
			       const guardian_rec *g, int ng, const category_rec *k, int nk)
{
	json_t *j = api_child_json(a, p, ch);
	char village[128];

	if (!j)
		return NULL;
	json_object_set_new(j, "guardians", registry_guardians_json(a, p, g, ng));
	json_object_set_new(j, "categories", registry_categories_json(c, k, nk));
	if (api_area_name(c, ch->village_code, village, sizeof(village)) == WB_OK)
		json_object_set_new(j, "village_name", json_string(village));
	/* the household registration may be in another county of the
	 * database, whose areas the caller cannot look up: named here */
	if (ch->hukou_area_code[0] && api_area_name(c, ch->hukou_area_code, village, sizeof(village)) == WB_OK)
		json_object_set_new(j, "hukou_area_name", json_string(village));
	return j;
}

/* The child with its guardians and categories as stored now (after a
 * write: the answer shows what was committed). */
static json_t *full_child_json(const app *a, const sec_principal *p, store_conn *c, const child_rec *ch)
{
	child_rec now;
	guardian_rec g[GUARDIANS_MAX];
	category_rec k[CATEGORY_ROWS_MAX];
	int ng = 0, nk = 0;

	if (store_child_full(c, &p->scope, ch->id, &now, g, &ng, k, &nk) != WB_OK)
		return NULL;
	return child_full_json(a, p, c, &now, g, ng, k, nk);
}

static int can_write(http_req *r, const sec_principal *p)
{
	if (!p->def->write_children) {
		api_error(r, 403, "forbidden", "your role may not register or change children", NULL);
		return 0;
	}
	return 1;
}

/*
 * A number registered to another child refuses the write (409). The
 * write's own audit entry records the refusal (outcome
 * duplicate_id_number, set by the job): the answer tells that the number
 * exists somewhere in the county, and a trail of such refusals is what a
 * data-protection officer looks for when someone tries numbers.
 */
static void refuse_duplicate(http_req *r)
{
	api_error(r, 409, "duplicate_id_number", "a child with this ID number is already registered", "id_number");
}

/*
 * Without an ID number nothing unique tells two children apart, and a
 * second registration of one child is the registry's commonest mistake: a
 * live child of the same name, birth date and village (create_fn looks)
 * refuses it: 409 possible_duplicate, with that child's id when the caller
 * may open it, until the caller says this is another child
 * (duplicate_ok: true).
 */
static void refuse_possible_duplicate(http_req *r, store_conn *c, const sec_principal *p, int64_t id)
{
	child_rec seen;
	json_t *err;

	err = json_pack("{s:s, s:s, s:s}", "code", "possible_duplicate", "message",
			"a child of this name and birth date is registered in this village already; send "
			"duplicate_ok: true if this is another child",
			"field", "name");
	if (c && store_child_get(c, &p->scope, id, &seen) == WB_OK)
		json_object_set_new(err, "existing_id", json_integer(id));
	api_json(r, 409, json_pack("{s:o}", "error", err));
}

int api_children_create(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	json_t *body = NULL;
	child_rec ch;
	audit_entry e;
	guardian_input gi;
	create_job j = {&ch, &e, &gi, 0, 0};
	int rc;

	if (!can_write(r, p))
		return 0;
	if (api_body(r, &body) || api_check_fields(r, body, child_fields))
		goto out;
	if (json_object_get(body, "version")) {
		api_error(r, 422, "unknown_field", "version is set by the server", "version");
		goto out;
	}
	memset(&ch, 0, sizeof(ch));
	wb_strlcpy(ch.county_code, p->county_code, sizeof(ch.county_code));
	if (apply_fields(r, a, c, p, body, &ch, 1) || registry_apply_fields(r, a, c, p, body, &ch, &gi))
		goto out;
	j.check_same = !ch.id_bidx[0] && !json_is_true(json_object_get(body, "duplicate_ok"));
	ch.created_at = ch.updated_at = clock_now();
	ch.created_by = ch.updated_by = p->user_id;
	api_audit_init(r, p, &e);
	audit_entry_set(&e, "child.create", "child", "", "ok");
	api_conn_release(r); /* the job runs on the writer's connection */
	c = NULL;
	rc = audit_submit_retryable(a->audit, &e, create_fn, &j); /* create_fn sets afresh what it sets */
	if (rc == WB_ECONFLICT && j.same_id) {
		refuse_possible_duplicate(r, api_conn(r), p, j.same_id);
		goto out;
	}
	if (rc == WB_ECONFLICT) {
		refuse_duplicate(r);
		goto out;
	}
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	{
		char loc[64];

		wb_snprintf(loc, sizeof(loc), "/api/v1/children/%" PRId64, ch.id);
		http_add_header(r, "Location", loc);
	}
	api_json(r, 201, full_child_json(a, p, api_conn(r), &ch));
out:
	json_decref(body);
	return 0;
}

int api_child_get(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	child_rec ch;
	guardian_rec g[GUARDIANS_MAX];
	category_rec k[CATEGORY_ROWS_MAX];
	int ng = 0, nk = 0;
	audit_entry e;
	json_t *j = NULL;
	int64_t id;
	int rc;
	role_def granted;
	sec_principal as_granted;
	char fields[256] = ""; /* a unit's granted field groups (SCOPE_REFERRAL) */

	if (api_id_param(r, "id", &id))
		return 0;
	if (p->scope.children == SCOPE_REFERRAL) {
		/* a unit that was granted the ID number or the guardians needs
		 * them whole to act on the referral (the police, SPEC §9: masked
		 * "unless the role needs them"); its lists stay masked */
		int any = 0;

		if (store_referral_grant(c, p->county_code, p->scope.unit_id, id, fields, sizeof(fields), &any) !=
		    WB_OK)
			fields[0] = '\0';
		else if (any) {
			granted = *p->def;
			granted.full_id = granted.full_id || loop_fields_have(fields, "id_number");
			granted.full_phone = granted.full_phone || loop_fields_have(fields, "guardians");
			as_granted = *p;
			as_granted.def = &granted;
			p = &as_granted;
		}
	}
	if (api_reads_archive(p)) {
		/* the registry's desk also opens an archived file */
		store_scope sc = p->scope;

		sc.with_archived = 1;
		rc = store_child_full(c, &sc, id, &ch, g, &ng, k, &nk);
	} else {
		rc = store_child_full(c, &p->scope, id, &ch, g, &ng, k, &nk);
	}
	api_audit_init(r, p, &e);
	wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, id);
	audit_entry_set(&e, "child.read", "child", e.object_id, rc == WB_OK ? "ok" : "not_found");
	if (rc == WB_OK) {
		/* how the ID number and the guardians' phones were shown: whole
		 * numbers read are what a data-protection officer looks for */
		const char *id_shown = !ch.id_enc[0] ? "none" : p->def->full_id ? "full" : "masked";
		int phones = 0;

		for (int i = 0; i < ng; i++)
			phones |= g[i].phone_enc[0] != '\0';
		if (p->scope.children == SCOPE_REFERRAL && !loop_fields_have(fields, "guardians"))
			phones = 0; /* the guardians were not granted: not shown at all */
		if (phones)
			wb_snprintf(e.detail, sizeof(e.detail), "{\"id_number\":\"%s\",\"phones\":\"%s\"}", id_shown,
				    p->def->full_phone ? "full" : "masked");
		else
			wb_snprintf(e.detail, sizeof(e.detail), "{\"id_number\":\"%s\"}", id_shown);
	}
	if (rc == WB_OK) {
		j = child_full_json(a, p, c, &ch, g, ng, k, nk);
		/* a department or organisation sees the fields its referrals
		 * grant, read above */
		if (p->scope.children == SCOPE_REFERRAL)
			j = loop_child_granted(fields, j);
	}
	/* Every read is done: give the connection back while the audit entry
	 * commits. The read is acknowledged only once that entry is durable. */
	if (api_audit_read(r, a, &e) != WB_OK) {
		json_decref(j);
		return api_fail(r, WB_ESTORE);
	}
	if (rc)
		return api_fail(r, rc);
	return api_json(r, 200, j);
}

typedef struct list_ctx {
	const app *a;
	const sec_principal *p;
	api_list list;
	char last_value[128]; /* the sort value of the last item (the cursor) */
	int sort;
	store_conn *c;
	int counts_only; /* limit=0: the total alone, nobody named */
} list_ctx;

static int list_cb(const child_rec *ch, void *arg)
{
	list_ctx *l = arg;

	if (l->counts_only)
		return WB_OK;

	api_list_add(&l->list, loop_child_restrict(l->c, l->p, ch->id, api_child_json(l->a, l->p, ch)), ch->id);
	wb_strlcpy(l->last_value, l->sort == CHILD_SORT_NAME ? ch->name : ch->birth_date, sizeof(l->last_value));
	return WB_OK;
}

typedef struct filter_bufs {
	char cursor_value[128];
	char bidx[SEC_HASH_HEX];
	char born_min[16];
	char born_max[16];
	char name[FIELD_MAX_CHILD_NAME * 4 + 1]; /* q without the blanks around it */
} filter_bufs;

static int filter_error(http_req *r, int status, const char *code, const char *message, const char *field)
{
	api_error(r, status, code, message, field);
	return -1;
}

/* Reads the list filters of the query string into f (strings point into
 * the request or into b). Writes a 422 and returns -1 on a bad value. */
/*
 * A referral grants a department the fields its case needs, not a search
 * of the referred children by the others: a filter by category, guardian,
 * risk, age, area or ID number would tell which referred child has them.
 * Only the name (always shown) and the order by name or id remain. 0, or
 * -1 after a 403 naming the filter.
 */
static int referral_filters_ok(http_req *r, const sec_principal *p)
{
	static const char *const refused[] = {"area",    "id_number", "category",  "risk_level", "guardian_status",
					      "age_min", "age_max",   "school_id", "director_id"};
	const char *sort = http_query(r, "sort");
	char msg[160];

	if (p->scope.children != SCOPE_REFERRAL)
		return 0;
	for (size_t i = 0; i < WB_ARRAY_LEN(refused); i++)
		if (http_query(r, refused[i])) {
			wb_snprintf(msg, sizeof(msg), "a referral does not allow filtering the children by %s",
				    refused[i]);
			api_error(r, 403, "forbidden", msg, refused[i]);
			return -1;
		}
	if (sort && strcmp(sort, "name") != 0 && strcmp(sort, "id") != 0) {
		api_error(r, 403, "forbidden", "a referral allows the children in the order of name or id only",
			  "sort");
		return -1;
	}
	return 0;
}

/* the longest q is a whole name, its % _ \\ escaped for LIKE */
_Static_assert(sizeof(((store_args *)0)->scratch2) > 2 * FIELD_MAX_CHILD_NAME, "name query");

/*
 * The last birth date (YYYYMMDD) of a child who is years old or older today
 * under the county's birthday rules (category_age: a year may count on the
 * day after the birthday, a 29 February birthday on 28 February or 1 March):
 * the age filters count as the categories and the archive do.
 */
static int born_by(int years)
{
	const category_config *cfg = registry_config();
	int today = clock_today_ymd();
	int md = today % 10000 == 229 ? 228 : today % 10000;
	int day = date_add_days((today / 10000 - years) * 10000 + md, 3);

	/* a few days at most: the rules move a birthday by a day or two */
	while (category_age(cfg, day, today) < years)
		day = date_add_days(day, -1);
	return day;
}

static int parse_filter(http_req *r, const app *a, child_filter *f, filter_bufs *b)
{
	const char *s;
	long long v;
	int age_min = 0;

	f->area = http_query(r, "area");
	if (f->area && !area_level_of(f->area))
		return filter_error(r, 422, "validation_failed", "area must be an area code", "area");
	if ((s = http_query(r, "q"))) {
		/* blanks at either end are not part of the name (names are
		 * stored without them, wb_trim): " 王 " or a pasted "王\u3000"
		 * finds 王; only blanks is no name. A name is found by the whole
		 * of it, up to a name's own limit. */
		if (strlen(s) >= sizeof(b->name) || wb_strlcpy(b->name, s, sizeof(b->name)) != WB_OK ||
		    strlen(wb_trim(b->name)) > FIELD_MAX_CHILD_NAME)
			return filter_error(r, 422, "validation_failed", "q is too long", "q");
		f->name = b->name[0] ? b->name : NULL;
	}
	if ((s = http_query(r, "id_number"))) {
		/* blanks around a pasted number are not part of it */
		char idtext[40];
		idnum id;

		if (wb_strlcpy(idtext, s, sizeof(idtext)) != WB_OK ||
		    idnum_parse(wb_trim(idtext), clock_today_ymd(), &id) != IDNUM_OK)
			return filter_error(r, 422, "invalid_id_number", "id_number is not a valid ID number",
					    "id_number");
		sec_blind_index(&a->keys, id.number, b->bidx);
		f->id_bidx = b->bidx;
	}
	if (api_query_id(r, "school_id", NULL, &f->school_id))
		return -1;
	f->category = http_query(r, "category");
	if (f->category) {
		enum category k;

		if (category_parse(f->category, &k) != 0)
			return filter_error(
				r, 422, "validation_failed",
				"category must be orphan, de_facto_unsupported, left_behind or in_difficulty",
				"category");
	}
	/* confirmed: as the overview and the reports count; suggested: the
	 * suggestions awaiting a decision; none: either */
	f->category_state = http_query(r, "category_state");
	if (f->category_state && strcmp(f->category_state, "confirmed") != 0 &&
	    strcmp(f->category_state, "suggested") != 0)
		return filter_error(r, 422, "validation_failed", "category_state must be confirmed or suggested",
				    "category_state");
	if (f->category_state && !f->category)
		return filter_error(r, 422, "validation_failed", "category_state needs a category", "category_state");
	f->risk_level = http_query(r, "risk_level");
	if (f->risk_level && strcmp(f->risk_level, "low") != 0 && strcmp(f->risk_level, "medium") != 0 &&
	    strcmp(f->risk_level, "high") != 0)
		return filter_error(r, 422, "validation_failed", "risk_level must be low, medium or high",
				    "risk_level");
	f->guardian_status = http_query(r, "guardian_status");
	if (f->guardian_status) {
		enum guardian_status gs;

		if (guardian_status_parse(f->guardian_status, &gs) != 0)
			return filter_error(r, 422, "validation_failed", "guardian_status is not in the vocabulary",
					    "guardian_status");
	}
	if (api_query_id(r, "director_id", NULL, &f->director_id))
		return -1;
	/* ages in full years (under the county's birthday rules, as the
	 * categories count them) become bounds on the birth date */
	if ((s = http_query(r, "age_min"))) {
		if (wb_parse_int64(s, 0, 30, &v) != WB_OK)
			return filter_error(r, 422, "validation_failed", "age_min must be 0 to 30", "age_min");
		age_min = (int)v;
		date_format(born_by(age_min), b->born_max);
		f->born_on_or_before = b->born_max;
	}
	if ((s = http_query(r, "age_max"))) {
		if (wb_parse_int64(s, 0, 30, &v) != WB_OK)
			return filter_error(r, 422, "validation_failed", "age_max must be 0 to 30", "age_max");
		if (v < age_min)
			return filter_error(r, 422, "validation_failed", "age_max may not be less than age_min",
					    "age_max");
		/* at most v: born after the last day of a child of v + 1 */
		date_format(born_by((int)v + 1), b->born_min);
		f->born_after = b->born_min;
	}
	if ((s = http_query(r, "sort"))) {
		if (strcmp(s, "id") == 0)
			f->sort = CHILD_SORT_ID;
		else if (strcmp(s, "name") == 0)
			f->sort = CHILD_SORT_NAME;
		else if (strcmp(s, "birth_date") == 0)
			f->sort = CHILD_SORT_BIRTH;
		else if (strcmp(s, "-birth_date") == 0)
			f->sort = CHILD_SORT_BIRTH_DESC;
		else
			return filter_error(r, 422, "validation_failed",
					    "sort must be id, name, birth_date or -birth_date", "sort");
	}
	if ((s = http_query(r, "cursor"))) {
		/* "ID" when sorted by id, "ID:VALUE" when sorted by a value */
		const char *colon = strchr(s, ':');
		char idtext[24];
		size_t n = colon ? (size_t)(colon - s) : strlen(s);

		if (n >= sizeof(idtext) || (f->sort != CHILD_SORT_ID) != (colon != NULL))
			return filter_error(r, 422, "validation_failed", "cursor is not valid", "cursor");
		memcpy(idtext, s, n);
		idtext[n] = '\0';
		if (wb_parse_int64(idtext, 0, INT64_MAX, &v) != WB_OK ||
		    (colon && wb_strlcpy(b->cursor_value, colon + 1, sizeof(b->cursor_value)) != WB_OK))
			return filter_error(r, 422, "validation_failed", "cursor is not valid", "cursor");
		f->after_id = v;
		if (colon)
			f->after_value = b->cursor_value;
	}
	return 0;
}

int api_children_list(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	child_filter f;
	list_ctx l = {.a = a, .p = p, .c = c};
	audit_entry e;
	filter_bufs fb;
	int64_t total = -1;
	json_t *j;
	int rc, counts_only;

	memset(&f, 0, sizeof(f));
	if (api_limit_counts(r, LIST_DEFAULT, LIST_MAX, &f.limit, &counts_only) || referral_filters_ok(r, p) ||
	    parse_filter(r, a, &f, &fb))
		return 0;
	if (counts_only) {
		/* the total alone: it comes with the page's first row */
		f.limit = 1;
		l.counts_only = 1;
	}
	api_list_init(&l.list);
	l.sort = f.sort;
	/* the first page carries the total */
	rc = store_child_page(c, &p->scope, &f, list_cb, &l, f.after_id ? NULL : &total);
	if (rc) {
		api_list_cleanup(&l.list);
		return api_fail(r, rc);
	}
	api_audit_init(r, p, &e);
	audit_entry_set(&e, "child.list", "child", "", "ok");
	j = json_pack("{s:s?, s:b, s:b, s:i}", "area", f.area, "name_search", f.name != NULL, "id_lookup",
		      f.id_bidx != NULL, "returned", l.list.n);
	if (j && counts_only && total >= 0)
		json_object_set_new(j, "total", json_integer(total));
	api_audit_detail(&e, j);
	/* the figures alone name nobody and are no read; a count of a name
	 * or an ID number is one ("is this child an orphan": limit=0 with
	 * id_number and category answers it as a row would) */
	if ((!counts_only || f.name || f.id_bidx) && api_audit_read(r, a, &e) != WB_OK) {
		api_list_cleanup(&l.list);
		return api_fail(r, WB_ESTORE);
	}
	j = json_pack("{s:o}", "items", l.list.items);
	if (j) {
		char cur[160];

		if (f.sort == CHILD_SORT_ID)
			wb_snprintf(cur, sizeof(cur), "%" PRId64, l.list.last_id);
		else
			wb_snprintf(cur, sizeof(cur), "%" PRId64 ":%s", l.list.last_id, l.last_value);
		json_object_set_new(j, "next_cursor",
				    !counts_only && l.list.n == f.limit ? json_string(cur) : json_null());
		if (total >= 0)
			json_object_set_new(j, "total", json_integer(total));
	}
	return api_json(r, 200, j);
}

typedef struct update_job {
	const store_scope *scope;
	child_rec *ch;
	const child_rec *old;
	int64_t version;
	int64_t user_id;
	const char *role;
	guardian_input *gi;
	audit_entry *e; /* its outcome names a refusal (see append_entry) */
	int dup_id;     /* out: the new ID number belongs to another child */
	int queued;     /* out: webhook deliveries queued (the requests that followed a move) */
} update_job;

/* Guardians (when the request carried them) and the category rows, from the
 * facts before and after, read under the writer so they are consistent. */
static int update_guardians_and_categories(store_conn *c, update_job *j)
{
	guardian_rec before[GUARDIANS_MAX];
	child_facts fb, fn;
	int nb = 0, rc;

	rc = store_guardians_load(c, j->ch->id, before, GUARDIANS_MAX, &nb);
	if (rc)
		return rc;
	registry_facts(j->old, before, nb, &fb);
	if (j->gi->have) {
		rc = store_guardians_replace(c, j->ch->county_code, j->ch->id, j->gi->g, j->gi->n, j->ch->updated_at);
		if (rc == WB_OK)
			rc = registry_record_guardian_changes(c, j->ch->county_code, j->ch->id, j->ch->updated_at,
							      j->user_id, before, nb, j->gi->g, j->gi->n);
		registry_facts(j->ch, j->gi->g, j->gi->n, &fn);
	} else {
		registry_facts(j->ch, before, nb, &fn);
	}
	if (rc == WB_OK)
		rc = registry_recompute(c, j->ch->county_code, j->ch->id, &fb, &fn, clock_today_ymd(),
					j->ch->updated_at, NULL);
	return rc;
}

static int update_fn(store_conn *c, void *arg)
{
	update_job *j = arg;
	int id_changed = strcmp(j->old->id_bidx, j->ch->id_bidx) != 0;
	int rc = WB_OK;

	/* A number registered to another child is a conflict of its own, not
	 * a stale version: tell them apart before the update. */
	if (id_changed && j->ch->id_bidx[0]) {
		store_scope county;
		child_filter f;
		int64_t n_same = 0;

		store_scope_county(&county, j->ch->county_code);
		/* an archived child keeps its number (a duplicate archived is
		 * still the record of it): the same refusal, not a stale version */
		county.with_archived = 1;
		memset(&f, 0, sizeof(f));
		f.id_bidx = j->ch->id_bidx;
		rc = store_child_count(c, &county, &f, &n_same);
		if (rc == WB_OK && n_same > 0) {
			j->dup_id = 1;
			wb_strlcpy(j->e->outcome, "duplicate_id_number", sizeof(j->e->outcome));
			rc = WB_ECONFLICT;
		}
	}
	if (rc == WB_OK)
		rc = store_child_update(c, j->scope, j->ch, j->version);
	if (rc == WB_OK)
		rc = registry_record_changes(c, j->ch->county_code, j->ch->id, j->ch->updated_at, j->user_id, j->old,
					     j->ch);
	/* masks can be equal for different numbers (a corrected birth date):
	 * compare the numbers, record the masks */
	if (rc == WB_OK && id_changed)
		rc = store_child_change_add(c, j->ch->county_code, j->ch->id, j->ch->updated_at, j->user_id,
					    "id_number", j->old->id_mask[0] ? j->old->id_mask : NULL,
					    j->ch->id_mask[0] ? j->ch->id_mask : NULL);
	if (rc == WB_OK)
		rc = update_guardians_and_categories(c, j);
	/* moved to another village (or grid): its open requests follow it,
	 * to the director and the township now responsible for the child */
	if (rc == WB_OK && (strcmp(j->old->village_code, j->ch->village_code) != 0 ||
			    strcmp(j->old->grid_code, j->ch->grid_code) != 0)) {
		int moved = 0;

		rc = loop_child_moved(c, j->ch->id, j->ch->village_code, j->ch->grid_code, j->user_id, j->role,
				      j->ch->updated_at, &moved, &j->queued);
		if (rc == WB_OK && moved)
			wb_snprintf(j->e->detail, sizeof(j->e->detail), "{\"requests_moved\":%d}", moved);
	}
	return rc;
}

/* A corrected birth date (or ID number) may not come after the start of
 * a category the child was confirmed in: the category's dates stay within
 * the child's life. 1 after a 422 naming the field that set the date. */
static int born_after_a_category(http_req *r, store_conn *c, const child_rec *old, const child_rec *ch)
{
	category_rec k[CATEGORY_ROWS_MAX];
	char msg[160];
	int n = 0;

	if (!ch->birth_date[0] || strcmp(ch->birth_date, old->birth_date) == 0 ||
	    store_categories_load(c, ch->id, k, CATEGORY_ROWS_MAX, &n) != WB_OK)
		return 0;
	for (int i = 0; i < n; i++)
		if (k[i].start_date[0] && strcmp(k[i].start_date, ch->birth_date) < 0) {
			wb_snprintf(msg, sizeof(msg), "the child's category %s began on %s, before this birth date",
				    k[i].category, k[i].start_date);
			api_error(r, 422, "validation_failed", msg,
				  strcmp(ch->id_bidx, old->id_bidx) != 0 ? "id_number" : "birth_date");
			return 1;
		}
	return 0;
}

int api_child_update(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	json_t *body = NULL;
	child_rec old, ch;
	audit_entry e;
	guardian_input gi;
	update_job j;
	int64_t id;
	int rc;

	if (api_id_param(r, "id", &id))
		return 0;
	if (api_body(r, &body) || api_check_fields_ex(r, body, child_fields, 0))
		goto out;
	rc = store_child_get(c, &p->scope, id, &old);
	if (rc) {
		api_child_fail(r, a, p, id, "child.update", rc);
		goto out;
	}
	if (!can_write(r, p))
		goto out;
	if (!json_is_integer(json_object_get(body, "version"))) {
		api_error(r, 422, "required", "field 'version' is required (the version you read)", "version");
		goto out;
	}
	ch = old;
	if (apply_fields(r, a, c, p, body, &ch, 0) || registry_apply_fields(r, a, c, p, body, &ch, &gi) ||
	    born_after_a_category(r, c, &old, &ch))
		goto out;
	ch.updated_at = clock_now();
	ch.updated_by = p->user_id;
	j.scope = &p->scope;
	j.ch = &ch;
	j.old = &old;
	j.version = json_integer_value(json_object_get(body, "version"));
	j.user_id = p->user_id;
	j.role = p->role;
	j.gi = &gi;
	j.e = &e;
	j.dup_id = 0;
	j.queued = 0;
	api_audit_init(r, p, &e);
	wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, id);
	audit_entry_set(&e, "child.update", "child", e.object_id, "ok");
	api_conn_release(r); /* the job runs on the writer's connection */
	c = NULL;
	rc = audit_submit(a->audit, &e, update_fn, &j);
	if (rc == WB_ECONFLICT && j.dup_id) {
		refuse_duplicate(r);
		goto out;
	}
	if (rc == WB_ECONFLICT) {
		api_error(r, 409, "version_conflict",
			  "the record was changed by someone else (or the ID number is already registered); reload and "
			  "try again",
			  "version");
		goto out;
	}
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	if (j.queued)
		loop_webhooks_kick();
	api_json(r, 200, full_child_json(a, p, api_conn(r), &ch));
out:
	json_decref(body);
	return 0;
}

static int history_cb(int64_t at, int64_t user_id, const char *by_name, const char *field, const char *o, const char *n,
		      void *arg)
{
	json_array_append_new(arg, json_pack("{s:I, s:I, s:s, s:s, s:s?, s:s?}", "at", (json_int_t)at, "user_id",
					     (json_int_t)user_id, "by_name", by_name ? by_name : "", "field", field,
					     "old", o, "new", n));
	return WB_OK;
}

int api_child_history(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	child_rec ch;
	json_t *items;
	int64_t id;
	int rc;

	if (api_id_param(r, "id", &id))
		return 0;
	if (p->scope.children == SCOPE_REFERRAL)
		return api_error(r, 403, "forbidden", "a referral grants the child's current facts, not their history",
				 NULL);
	{
		/* the desk reads an archived child's history with its file */
		store_scope sc = p->scope;

		sc.with_archived = api_reads_archive(p);
		rc = store_child_get(c, &sc, id, &ch);
	}
	if (rc)
		return api_child_fail(r, a, p, id, "child.history", rc);
	items = json_array();
	rc = store_child_changes(c, id, history_cb, items);
	if (rc || api_audit_child_read(r, a, p, id, "child.history") != WB_OK) {
		json_decref(items);
		return api_fail(r, WB_ESTORE);
	}
	return api_json(r, 200, json_pack("{s:o}", "items", items));
}

/* ---- export ---- */

#define EXPORT_MAX_ROWS 200000

typedef struct export_row {
	child_rec ch;
	char cats[160]; /* live categories, ";" between, "?" after a suggested one */
} export_row;

typedef struct export_ctx {
	const app *a;
	const sec_principal *p;
	store_conn *c; /* for the villages' names (cached) */
	int en;
	api_sheet *sh;
	export_row *page; /* EXPORT_PAGE rows, in the list's order */
	struct id_at {
		int64_t id;
		int i;
	} * byid;   /* the page's rows by id: its categories come in id order */
	int np, at; /* rows in the page; the row (of byid) categories are merged into */
	int n;
} export_ctx;

static int id_at_cmp(const void *x, const void *y)
{
	const struct id_at *a = x, *b = y;

	return a->id < b->id ? -1 : a->id > b->id;
}

#define EXPORT_PAGE 1000

/* Codes in words (as the importer reads them back) and the village's name
 * beside its code: a file for people first. */
static const char *const export_cols_zh[] = {"编号",           "姓名",       "身份证号", "性别",     "出生日期",
					     "村（社区）代码", "村（社区）", "网格代码", "户籍类型", "年级",
					     "残疾等级",       "风险等级",   "类别"};
static const char *const export_cols_en[] = {"ID",
					     "Name",
					     "ID number",
					     "Sex",
					     "Birth date",
					     "Village code",
					     "Village",
					     "Grid code",
					     "Household registration",
					     "Grade",
					     "Disability grade",
					     "Risk level",
					     "Categories"};

static int export_cb(const child_rec *ch, void *arg)
{
	export_ctx *x = arg;

	if (x->np >= EXPORT_PAGE)
		return WB_ETOOBIG;
	x->page[x->np].ch = *ch;
	x->page[x->np].cats[0] = '\0';
	x->np++;
	return WB_OK;
}

/* A category of the page's range, merged into its child's row (both come
 * in id order; a child outside the page, of another scope, is skipped). */
static int export_cat_cb(int64_t child_id, const char *category, int suggested, void *arg)
{
	export_ctx *x = arg;
	export_row *row;
	size_t off;

	while (x->at < x->np && x->byid[x->at].id < child_id)
		x->at++;
	if (x->at >= x->np || x->byid[x->at].id != child_id)
		return WB_OK;
	row = &x->page[x->byid[x->at].i];
	off = strlen(row->cats);
	wb_snprintf(row->cats + off, sizeof(row->cats) - off, "%s%s%s", off ? ";" : "", category, suggested ? "?" : "");
	return WB_OK;
}

/* The row's categories ("left_behind?;orphan", ? for a suggestion) in
 * words: 农村留守儿童（建议）;孤儿 */
static void export_cats(const char *codes, int en, char *out, size_t n)
{
	char code[32];
	size_t off = 0;

	out[0] = '\0';
	while (*codes) {
		size_t len = strcspn(codes, ";");
		int suggested = len > 0 && codes[len - 1] == '?';

		wb_snprintf(code, sizeof(code), "%.*s", (int)(len - (size_t)suggested), codes);
		wb_snprintf(out + off, n - off, "%s%s%s", off ? ";" : "", sheet_word_of(sheet_category_words, code, en),
			    !suggested ? ""
			    : en       ? " (suggested)"
				       : "（建议）");
		off = strlen(out);
		codes += len + (codes[len] == ';');
	}
}

static void export_write(export_ctx *x, const export_row *row)
{
	const child_rec *ch = &row->ch;
	char idnum_text[32], village[128] = "", cats[256];

	wb_strlcpy(idnum_text, ch->id_mask, sizeof(idnum_text));
	if (ch->id_enc[0] && x->p->def->full_id &&
	    sec_decrypt_field(&x->a->keys, ch->id_enc, idnum_text, sizeof(idnum_text)) != WB_OK)
		wb_strlcpy(idnum_text, ch->id_mask, sizeof(idnum_text));
	api_sheet_int(x->sh, ch->id, 0);
	api_sheet_text(x->sh, ch->name, 0);
	api_sheet_text(x->sh, idnum_text, 0);
	api_sheet_text(x->sh, sheet_word_of(sheet_sex_words, ch->sex, x->en), 0);
	api_sheet_text(x->sh, ch->birth_date, 0);
	api_sheet_text(x->sh, ch->village_code, 0);
	api_area_name(x->c, ch->village_code, village, sizeof(village));
	api_sheet_text(x->sh, village, 0);
	api_sheet_text(x->sh, ch->grid_code, 0);
	api_sheet_text(x->sh, sheet_word_of(sheet_hukou_words, ch->hukou_type, x->en), 0);
	api_sheet_text(x->sh, ch->grade, 0);
	api_sheet_int(x->sh, ch->disability_grade, 0);
	api_sheet_text(x->sh, sheet_word_of(sheet_risk_words, ch->risk_level, x->en), 0);
	export_cats(row->cats, x->en, cats, sizeof(cats));
	api_sheet_text(x->sh, cats, 1);
}

/*
 * The audit detail of an export: every filter it applied, and only those
 * given, so a filtered export does not read as the whole register. The
 * name and the ID number are not written, only that they were asked for.
 */
static json_t *export_filter_detail(http_req *r, const child_filter *f)
{
	static const char *const texts[] = {"area",       "category",        "category_state",
					    "risk_level", "guardian_status", "sort"};
	static const char *const numbers[] = {"age_min", "age_max"};
	json_t *d = json_object();
	const char *s;
	long long v;

	if (!d)
		return NULL;
	for (size_t i = 0; i < WB_ARRAY_LEN(texts); i++)
		if ((s = http_query(r, texts[i])))
			json_object_set_new(d, texts[i], json_string(s));
	/* parse_filter has taken them: whole numbers of 0 to 30 */
	for (size_t i = 0; i < WB_ARRAY_LEN(numbers); i++)
		if ((s = http_query(r, numbers[i])) && wb_parse_int64(s, 0, 30, &v) == WB_OK)
			json_object_set_new(d, numbers[i], json_integer(v));
	if (f->name && f->name[0])
		json_object_set_new(d, "name_search", json_true());
	if (f->id_bidx)
		json_object_set_new(d, "id_lookup", json_true());
	if (f->school_id)
		json_object_set_new(d, "school_id", json_integer(f->school_id));
	if (f->director_id)
		json_object_set_new(d, "director_id", json_integer(f->director_id));
	return d;
}

int api_children_export(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	api_sheet sh;
	export_ctx x;
	child_filter f;
	filter_bufs fb;
	char after_value[sizeof(((child_rec *)0)->name)];
	int fmt, en, rc = WB_OK;

	if (!p->def->export_children)
		return api_error(r, 403, "forbidden", "your role may not export children's data", NULL);
	if (api_sheet_params(r, SHEET_XLSX, 0, &fmt, &en))
		return 0;
	memset(&f, 0, sizeof(f));
	if (parse_filter(r, a, &f, &fb))
		return 0;
	memset(&x, 0, sizeof(x));
	x.a = a;
	x.p = p;
	x.c = c;
	x.en = en;
	x.sh = &sh;
	rc = api_sheet_begin(&sh, r, fmt, en, en ? "Children" : "儿童台账", export_cols_zh, export_cols_en,
			     WB_ARRAY_LEN(export_cols_zh));
	if (rc)
		return api_fail(r, rc);
	/* a page of children, then their categories in one query, then the
	 * page's rows: two round trips per thousand children */
	x.page = malloc(EXPORT_PAGE * sizeof(*x.page));
	x.byid = malloc(EXPORT_PAGE * sizeof(*x.byid));
	if (!x.page || !x.byid)
		rc = WB_ENOMEM;
	/* in the list's order (sort=name or birth date pages on the last
	 * row's value and id, as the list's cursor does) */
	f.after_id = 0;
	f.after_value = NULL;
	while (rc == WB_OK && x.n < EXPORT_MAX_ROWS) {
		const export_row *last;

		x.np = x.at = 0;
		f.limit = EXPORT_PAGE;
		rc = store_child_list(c, &p->scope, &f, export_cb, &x);
		if (rc || x.np == 0)
			break;
		for (int i = 0; i < x.np; i++)
			x.byid[i] = (struct id_at){x.page[i].ch.id, i};
		if (f.sort != CHILD_SORT_ID)
			qsort(x.byid, (size_t)x.np, sizeof(*x.byid), id_at_cmp);
		rc = store_live_categories_range(c, p->county_code, x.byid[0].id - 1, x.byid[x.np - 1].id,
						 export_cat_cb, &x);
		for (int i = 0; rc == WB_OK && i < x.np; i++)
			export_write(&x, &x.page[i]);
		x.n += x.np;
		if (rc == WB_OK && sh.failed)
			rc = WB_EIO;
		if (x.np < EXPORT_PAGE)
			break;
		last = &x.page[x.np - 1];
		f.after_id = last->ch.id;
		if (f.sort != CHILD_SORT_ID) {
			wb_strlcpy(after_value, f.sort == CHILD_SORT_NAME ? last->ch.name : last->ch.birth_date,
				   sizeof(after_value));
			f.after_value = after_value;
		}
	}
	free(x.page);
	free(x.byid);
	if (rc)
		return api_sheet_fail(&sh, r, rc);
	api_sheet_audited_end(&sh, r, a, p, "child.export", "child", export_filter_detail(r, &f), "children",
			      clock_today_ymd());
	return 0;
}
