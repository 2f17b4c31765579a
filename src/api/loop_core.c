/*
 * The closed loop's engine (see loop.h): configuration with a short cache,
 * the notification fan-out, the overdue scan, and the JSON every loop
 * endpoint shares. Kept apart from the handlers so that the command line
 * and the server's workers run exactly the same code as the API.
 */
#include "loop.h"
#include "../util/buf.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../domain/date.h"
#include "../domain/category.h"
#include "../util/clock.h"
#include "../util/log.h"
#include "../store/q_followups.h"
#include "../util/wb.h"
#include "followups_api.h"
#include "registry.h"

#define CONFIG_SETTING  "loop.config"
#define CONFIG_CACHE_MS 5000
#define CONFIG_SLOTS    16

/* ---- configuration ---- */

typedef struct config_slot {
	char county[8];
	int64_t loaded_ms;
	deadline_config cfg;
} config_slot;

static config_slot config_cache[CONFIG_SLOTS];
static pthread_mutex_t config_mu = PTHREAD_MUTEX_INITIALIZER;

#define DATES_FIRST 20000101
#define DATES_LAST  20991231

/* A list of dates; weekend_only: each a Saturday or a Sunday (a make-up
 * working day, 调休上班, is a weekend day that is worked). */
static int apply_dates(json_t *arr, int *list, int *n, const char *key, int weekend_only, char *err, size_t errlen)
{
	static const deadline_config plain; /* no holidays: the week alone */
	size_t i;
	json_t *v;

	if (!json_is_array(arr) || json_array_size(arr) > DEADLINE_DATES_MAX) {
		wb_snprintf(err, errlen, "%s must be a list of at most %d dates (YYYY-MM-DD)", key, DEADLINE_DATES_MAX);
		return WB_EINVAL;
	}
	*n = 0;
	json_array_foreach(arr, i, v)
	{
		int ymd;

		/* a mistyped year (1900, 2206) would be kept and never used */
		if (date_parse(json_string_value(v), &ymd) != WB_OK || ymd < DATES_FIRST || ymd > DATES_LAST) {
			wb_snprintf(err, errlen, "%s[%zu] must be a real date as YYYY-MM-DD from 2000 to 2099", key, i);
			return WB_EINVAL;
		}
		if (weekend_only && deadline_is_working_day(&plain, ymd)) {
			wb_snprintf(err, errlen,
				    "%s[%zu] must be a Saturday or a Sunday (a weekend day that is worked)", key, i);
			return WB_EINVAL;
		}
		deadline_date_add(list, n, ymd);
	}
	return WB_OK;
}

int loop_config_apply(json_t *j, deadline_config *cfg, char *err, size_t errlen, const char **field)
{
	const char *key;
	json_t *v;

	*field = NULL;
	json_object_foreach(j, key, v)
	{
		*field = key;
		if (strcmp(key, "deadlines") == 0) {
			const char *step;
			json_t *spec;

			if (!json_is_object(v)) {
				wb_snprintf(err, errlen, "deadlines must be an object of steps");
				return WB_EINVAL;
			}
			json_object_foreach(v, step, spec)
			{
				enum deadline_step s;
				const char *tier;
				json_t *val;

				if (deadline_step_parse(step, &s) != 0) {
					wb_snprintf(err, errlen, "deadlines: unknown step '%.40s'", step);
					return WB_EINVAL;
				}
				if (!json_is_object(spec)) {
					wb_snprintf(err, errlen,
						    "deadlines.%s must be an object of normal and/or urgent, as "
						    "{\"normal\": \"3d\", \"urgent\": \"12h\"}",
						    step);
					return WB_EINVAL;
				}
				json_object_foreach(spec, tier, val)
				{
					deadline_spec d;
					int urgent = strcmp(tier, "urgent") == 0;

					if ((!urgent && strcmp(tier, "normal") != 0) ||
					    deadline_spec_parse(json_string_value(val), &d) != 0) {
						wb_snprintf(
							err, errlen,
							"deadlines.%s: give normal and/or urgent as \"3d\" (working "
							"days) or \"12h\" (hours)",
							step);
						return WB_EINVAL;
					}
					if (urgent)
						cfg->urgent[s] = d;
					else
						cfg->normal[s] = d;
				}
			}
		} else if (strcmp(key, "holidays") == 0) {
			if (apply_dates(v, cfg->holidays, &cfg->nholidays, key, 0, err, errlen))
				return WB_EINVAL;
		} else if (strcmp(key, "workdays") == 0) {
			if (apply_dates(v, cfg->workdays, &cfg->nworkdays, key, 1, err, errlen))
				return WB_EINVAL;
		} else if (strcmp(key, "alert_repeat_hours") == 0) {
			if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 24 * 365) {
				wb_snprintf(err, errlen, "alert_repeat_hours must be a whole number from 0 to 8760");
				return WB_EINVAL;
			}
			cfg->alert_repeat_s = json_integer_value(v) * 3600;
		} else {
			wb_snprintf(err, errlen, "unknown setting '%.40s'", key);
			return WB_EINVAL;
		}
	}
	/* the whole configuration holds together: an urgent step is not given
	 * longer than a normal one, and no day is both a holiday and a
	 * make-up working day */
	for (int s = 0; s < DL_STEP_COUNT; s++) {
		const deadline_spec *u = &cfg->urgent[s], *n = &cfg->normal[s];
		long uh = u->amount * (u->unit == 'd' ? 24L : 1L), nh = n->amount * (n->unit == 'd' ? 24L : 1L);

		if (u->amount > 0 && n->amount > 0 && uh > nh) {
			*field = "deadlines";
			wb_snprintf(err, errlen, "deadlines.%s: urgent may not be longer than normal",
				    deadline_step_name((enum deadline_step)s));
			return WB_EINVAL;
		}
	}
	for (int i = 0; i < cfg->nworkdays; i++)
		for (int k = 0; k < cfg->nholidays; k++)
			if (cfg->workdays[i] == cfg->holidays[k]) {
				*field = "workdays";
				wb_snprintf(err, errlen, "%04d-%02d-%02d is both a holiday and a working day",
					    cfg->workdays[i] / 10000, cfg->workdays[i] / 100 % 100,
					    cfg->workdays[i] % 100);
				return WB_EINVAL;
			}
	*field = NULL;
	return WB_OK;
}

static json_t *dates_json(const int *list, int n)
{
	json_t *a = json_array();
	char d[16];

	for (int i = 0; i < n; i++) {
		wb_snprintf(d, sizeof(d), "%04d-%02d-%02d", list[i] / 10000, list[i] / 100 % 100, list[i] % 100);
		json_array_append_new(a, json_string(d));
	}
	return a;
}

json_t *loop_config_json(const deadline_config *cfg)
{
	json_t *dl = json_object();
	char n[16], u[16];

	for (int s = 0; s < DL_STEP_COUNT; s++) {
		deadline_spec_format(cfg->normal[s], n, sizeof(n));
		deadline_spec_format(cfg->urgent[s], u, sizeof(u));
		json_object_set_new(dl, deadline_step_name((enum deadline_step)s),
				    json_pack("{s:s, s:s}", "normal", n, "urgent", u));
	}
	return json_pack("{s:o, s:o, s:o, s:I}", "deadlines", dl, "holidays", dates_json(cfg->holidays, cfg->nholidays),
			 "workdays", dates_json(cfg->workdays, cfg->nworkdays), "alert_repeat_hours",
			 (json_int_t)(cfg->alert_repeat_s / 3600));
}

int loop_config_load(store_conn *c, const char *county, deadline_config *out)
{
	int64_t now = clock_mono_ms();
	char *stored = NULL;
	int rc;

	pthread_mutex_lock(&config_mu);
	for (int i = 0; i < CONFIG_SLOTS; i++) {
		if (config_cache[i].loaded_ms && strcmp(config_cache[i].county, county) == 0 &&
		    now - config_cache[i].loaded_ms < CONFIG_CACHE_MS) {
			*out = config_cache[i].cfg;
			pthread_mutex_unlock(&config_mu);
			return WB_OK;
		}
	}
	pthread_mutex_unlock(&config_mu);
	deadline_config_default(out);
	rc = store_setting_get(c, county, CONFIG_SETTING, &stored);
	if (rc == WB_OK) {
		json_t *j = json_loads(stored, 0, NULL);
		char err[200];
		const char *field;

		if (!j || loop_config_apply(j, out, err, sizeof(err), &field) != WB_OK) {
			/* a broken setting must not stop the loop: defaults, loudly */
			log_error("loop: the stored configuration of county %s is invalid; using the defaults", county);
			deadline_config_default(out);
		}
		json_decref(j);
		free(stored);
	} else if (rc != WB_ENOTFOUND) {
		return rc;
	}
	pthread_mutex_lock(&config_mu);
	{
		int slot = 0;

		for (int i = 0; i < CONFIG_SLOTS; i++) {
			if (strcmp(config_cache[i].county, county) == 0 || !config_cache[i].loaded_ms) {
				slot = i;
				break;
			}
			if (config_cache[i].loaded_ms < config_cache[slot].loaded_ms)
				slot = i;
		}
		wb_strlcpy(config_cache[slot].county, county, sizeof(config_cache[slot].county));
		config_cache[slot].cfg = *out;
		config_cache[slot].loaded_ms = now;
	}
	pthread_mutex_unlock(&config_mu);
	return WB_OK;
}

void loop_config_forget(const char *county)
{
	pthread_mutex_lock(&config_mu);
	for (int i = 0; i < CONFIG_SLOTS; i++)
		if (strcmp(config_cache[i].county, county) == 0)
			config_cache[i].loaded_ms = 0;
	pthread_mutex_unlock(&config_mu);
}

int loop_state_step(enum case_state s)
{
	switch (s) {
	case CS_REPORTED: return DL_REPORTED;
	case CS_TOWNSHIP_REVIEW: return DL_TOWNSHIP_REVIEW;
	case CS_RESOLVED_LOCALLY: return DL_RESOLVED_LOCALLY;
	case CS_FORWARDED: return DL_FORWARDED;
	case CS_ACCEPTED: return DL_ACCEPTED;
	case CS_REFERRALS_DONE: return DL_REFERRALS_DONE;
	case CS_RESULT_SENT: return DL_RESULT_SENT;
	case CS_FEEDBACK_DELIVERED: return DL_FEEDBACK_DELIVERED;
	default: return -1; /* referred: the referrals carry the deadlines */
	}
}

int64_t loop_state_due(const deadline_config *cfg, enum case_state s, int short_deadlines, int64_t since)
{
	int step = loop_state_step(s);

	return step < 0 ? 0 : deadline_due(cfg, (enum deadline_step)step, short_deadlines, since);
}

int loop_texts_check(http_req *r, json_t *obj, const loop_text *limits, const char *path)
{
	char msg[120], name[128];

	for (const loop_text *t = limits; t->key; t++) {
		const char *s = api_str(obj, t->key);

		if (!s || api_utf8_chars(s) <= t->chars)
			continue;
		if (path)
			wb_snprintf(name, sizeof(name), "%s.%s", path, t->key);
		else
			wb_strlcpy(name, t->key, sizeof(name));
		wb_snprintf(msg, sizeof(msg), "%s may have at most %zu characters", t->key, t->chars);
		api_error(r, 422, "too_long", msg, name);
		return -1;
	}
	return 0;
}

/* ---- notifications ---- */

typedef struct unit_list {
	int64_t ids[32];
	int n;
} unit_list;

static int collect_active_unit(const referral_rec *f, void *arg)
{
	unit_list *u = arg;
	enum referral_state s;

	if (referral_state_parse(f->state, &s) == 0 && referral_is_active(s) && u->n < (int)WB_ARRAY_LEN(u->ids))
		u->ids[u->n++] = f->unit_id;
	return WB_OK;
}

static const char *audience_name(unsigned bit)
{
	switch (bit) {
	case AUD_STATION: return "station";
	case AUD_SUPERVISOR: return "supervisor";
	case AUD_DIRECTOR: return "director";
	case AUD_CENTER: return "center";
	case AUD_COMMITTEE: return "committee";
	case AUD_UNITS: return "unit";
	case AUD_FILER: return "filer";
	case AUD_POLICE: return "public_security";
	default: return "none";
	}
}

/* The webhook payload: the event and where the request stands, never a
 * name, an ID number or a narrative. Every string is from a fixed
 * vocabulary or an area code, so no escaping is needed. A unit's payload
 * (departments, organisations, the police) names no township: what a unit
 * may know of the place follows its referral's grant, which it reads
 * through the API (loop_request_json). */
static void payload_of(char *out, size_t outlen, const request_rec *q, const char *event, int64_t referral_id,
		       const char *stage, int64_t due_at, int64_t at, const char *audience, int with_place)
{
	char ref[24] = "null", due[24] = "null", town[16] = "null";

	if (referral_id)
		wb_snprintf(ref, sizeof(ref), "%" PRId64, referral_id);
	if (due_at)
		wb_snprintf(due, sizeof(due), "%" PRId64, due_at);
	if (with_place)
		wb_snprintf(town, sizeof(town), "\"%s\"", q->township_code);
	wb_snprintf(out, outlen,
		    "{\"event\":\"%s\",\"county_code\":\"%s\",\"township_code\":%s,\"request_id\":%" PRId64
		    ",\"referral_id\":%s,\"state\":\"%s\",\"stage\":\"%s\",\"due_at\":%s,\"urgency\":\"%s\","
		    "\"priority\":%s,\"mandatory\":%s,\"audience\":\"%s\",\"at\":%" PRId64 "}",
		    event, q->county_code, town, q->id, ref, q->state, stage ? stage : q->state, due, q->urgency,
		    q->priority ? "true" : "false", q->mandatory ? "true" : "false", audience, at);
}

/* Whether a county has any enabled webhook, cached for a few seconds
 * (forgotten when one is set here): most counties have none, and then a
 * step spares the statements that would queue deliveries. */
typedef struct hooks_slot {
	char county[8];
	int64_t loaded_ms;
	int any;
} hooks_slot;

static hooks_slot hooks_cache[CONFIG_SLOTS];
static pthread_mutex_t hooks_mu = PTHREAD_MUTEX_INITIALIZER;

static int county_has_hooks(store_conn *c, const char *county)
{
	int64_t now = clock_mono_ms();
	store_stmt *st = NULL;
	int any = 1, slot = 0, rc;

	pthread_mutex_lock(&hooks_mu);
	for (int i = 0; i < CONFIG_SLOTS; i++) {
		if (hooks_cache[i].loaded_ms && strcmp(hooks_cache[i].county, county) == 0 &&
		    now - hooks_cache[i].loaded_ms < CONFIG_CACHE_MS) {
			any = hooks_cache[i].any;
			pthread_mutex_unlock(&hooks_mu);
			return any;
		}
	}
	pthread_mutex_unlock(&hooks_mu);
	rc = conn_query(c, &st, "SELECT 1 FROM webhooks WHERE county_code = ? AND enabled = 1 LIMIT 1", "s", county);
	if (rc < 0)
		return 1; /* unknown: look each time */
	any = rc == STORE_ROW;
	stmt_reset(c, st);
	pthread_mutex_lock(&hooks_mu);
	for (int i = 0; i < CONFIG_SLOTS; i++) {
		if (strcmp(hooks_cache[i].county, county) == 0 || !hooks_cache[i].loaded_ms) {
			slot = i;
			break;
		}
		if (hooks_cache[i].loaded_ms < hooks_cache[slot].loaded_ms)
			slot = i;
	}
	wb_strlcpy(hooks_cache[slot].county, county, sizeof(hooks_cache[slot].county));
	hooks_cache[slot].any = any;
	hooks_cache[slot].loaded_ms = now;
	pthread_mutex_unlock(&hooks_mu);
	return any;
}

void loop_webhooks_forget(const char *county)
{
	pthread_mutex_lock(&hooks_mu);
	for (int i = 0; i < CONFIG_SLOTS; i++)
		if (strcmp(hooks_cache[i].county, county) == 0)
			hooks_cache[i].loaded_ms = 0;
	pthread_mutex_unlock(&hooks_mu);
}

/* The audiences told by role at a place of the request: the township's
 * desk, the village's directors, the county's centre and committee. */
static const struct {
	unsigned bit;
	const char *role;
	enum case_tier tier;
} PLACE_AUDIENCE[] = {
	{AUD_STATION, "station", TIER_TOWNSHIP},   {AUD_SUPERVISOR, "supervisor", TIER_TOWNSHIP},
	{AUD_DIRECTOR, "director", TIER_VILLAGE},  {AUD_CENTER, "center", TIER_CENTRE},
	{AUD_COMMITTEE, "committee", TIER_CENTRE},
};

/* The role and area of the audience bit into t; 0 if bit is not told by
 * role at a place. *tier_out (may be NULL): its tier. */
static int place_target(const request_rec *q, unsigned bit, notify_target *t, enum case_tier *tier_out)
{
	for (size_t i = 0; i < WB_ARRAY_LEN(PLACE_AUDIENCE); i++) {
		enum case_tier tier = PLACE_AUDIENCE[i].tier;

		if (PLACE_AUDIENCE[i].bit != bit)
			continue;
		t->role = PLACE_AUDIENCE[i].role;
		t->area_code = tier == TIER_TOWNSHIP  ? q->township_code
			       : tier == TIER_VILLAGE ? q->village_code
						      : q->county_code;
		if (tier_out)
			*tier_out = tier;
		return 1;
	}
	return 0;
}

/* The audience's members by role and place (the filer may be one of them). */
static int place_targets(const request_rec *q, unsigned audience, notify_target out[WB_ARRAY_LEN(PLACE_AUDIENCE)])
{
	int n = 0;

	for (size_t i = 0; i < WB_ARRAY_LEN(PLACE_AUDIENCE); i++) {
		if (!(audience & PLACE_AUDIENCE[i].bit))
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		place_target(q, PLACE_AUDIENCE[i].bit, &out[n++], NULL);
	}
	return n;
}

int loop_fanout(store_conn *c, const request_rec *q, unsigned audience, const char *event, int64_t referral_id,
		const int64_t *units, int nunits, int64_t police_unit, const char *stage, int64_t due_at, int64_t at,
		int64_t actor, int *queued_out)
{
	char payload[768], owner_township[40], owner_county[40], owner_unit[40];
	notify_event e = {q->county_code, event, q->id, referral_id, stage ? stage : q->state, due_at, at, actor,
			  payload,        0,     0};
	unit_list active = {.n = 0};
	notify_target told[WB_ARRAY_LEN(PLACE_AUDIENCE)];
	int hooks = county_has_hooks(c, q->county_code);
	int rc = WB_OK, ntold = 0;

	wb_snprintf(owner_township, sizeof(owner_township), "area:%s", q->township_code);
	wb_snprintf(owner_county, sizeof(owner_county), "area:%s", q->county_code);
	if ((audience & AUD_UNITS) && !units) {
		rc = store_referrals_of(c, q->id, collect_active_unit, &active);
		units = active.ids;
		nunits = active.n;
	}
	for (unsigned bit = 1; rc == WB_OK && bit <= AUD_POLICE; bit <<= 1) {
		notify_target t = {0};
		enum case_tier tier;

		if (!(audience & bit))
			continue;
		if (hooks)
			payload_of(payload, sizeof(payload), q, event, referral_id, e.stage, due_at, at,
				   audience_name(bit), bit != AUD_UNITS && bit != AUD_POLICE);
		e.payload = hooks ? payload : NULL;
		if (place_target(q, bit, &t, &tier)) {
			/* the township's gateway reaches its directors too */
			t.webhook_owner = tier == TIER_CENTRE ? owner_county : owner_township;
			/* one who holds two of the roles told gets one message */
			t.told = told;
			t.ntold = ntold;
			rc = store_notify(c, &t, &e, queued_out);
			memset(&told[ntold], 0, sizeof(told[ntold]));
			told[ntold].role = t.role;
			told[ntold].area_code = t.area_code;
			ntold++;
			continue;
		}
		switch (bit) {
		case AUD_FILER: {
			/* one message: a filer who is also one of the roles told (the
			 * village's director who filed) is not told twice */
			notify_target roles[WB_ARRAY_LEN(PLACE_AUDIENCE)];
			int covered = 0;

			rc = store_member_of_any(c, q->reporter_id, q->county_code, roles,
						 place_targets(q, audience, roles), &covered);
			if (rc || covered)
				continue;
			t.user_id = q->reporter_id;
			break;
		}
		case AUD_POLICE:
			if (!police_unit)
				continue;
			t.unit_id = police_unit;
			wb_snprintf(owner_unit, sizeof(owner_unit), "unit:%" PRId64, police_unit);
			t.webhook_owner = owner_unit;
			break;
		case AUD_UNITS:
			for (int i = 0; rc == WB_OK && i < nunits; i++) {
				notify_target u = {0};

				u.unit_id = units[i];
				wb_snprintf(owner_unit, sizeof(owner_unit), "unit:%" PRId64, units[i]);
				u.webhook_owner = owner_unit;
				rc = store_notify(c, &u, &e, queued_out);
			}
			continue;
		default: continue;
		}
		rc = store_notify(c, &t, &e, queued_out);
	}
	return rc;
}

int loop_child_moved(store_conn *c, int64_t child_id, const char *village, const char *grid, int64_t actor_id,
		     const char *actor_role, int64_t at, int *moved_out, int *queued_out)
{
	request_rec *q = malloc(sizeof(*q));
	step_rec *s = malloc(sizeof(*s));
	int64_t *ids = NULL;
	size_t n = 0;
	int rc = q && s ? store_requests_elsewhere(c, child_id, village, grid, &ids, &n) : WB_ENOMEM;

	if (moved_out)
		*moved_out = 0;
	for (size_t i = 0; rc == WB_OK && i < n; i++) {
		enum case_state st = CS_NONE;
		int other_village, other_township;
		unsigned audience = 0;

		rc = store_request_get(c, NULL, 0, ids[i], q);
		if (rc == WB_OK)
			rc = store_request_move(c, q->id, village, grid, at);
		if (rc)
			break;
		other_village = strcmp(q->village_code, village) != 0;
		other_township = strncmp(q->township_code, village, 9) != 0;
		wb_strlcpy(q->village_code, village, sizeof(q->village_code));
		wb_strlcpy(q->grid_code, grid, sizeof(q->grid_code));
		wb_snprintf(q->township_code, sizeof(q->township_code), "%.9s", village);
		if (moved_out)
			(*moved_out)++;
		if (!other_village)
			continue; /* another grid of the village: its place alone */
		if (other_township)
			rc = store_request_alert_renew(c, q->county_code, q->id, q->state, q->state_since);
		memset(s, 0, sizeof(*s));
		wb_strlcpy(s->county_code, q->county_code, sizeof(s->county_code));
		wb_strlcpy(s->township_code, q->township_code, sizeof(s->township_code));
		s->request_id = q->id;
		wb_strlcpy(s->action, "child_moved", sizeof(s->action));
		wb_strlcpy(s->to_state, q->state, sizeof(s->to_state));
		s->actor_id = actor_id;
		wb_strlcpy(s->actor_role, actor_id ? actor_role : "system", sizeof(s->actor_role));
		s->at = at;
		if (rc == WB_OK)
			rc = store_step_add(c, s);
		case_state_parse(q->state, &st);
		audience = AUD_DIRECTOR;
		if (other_township && case_holder(st, strcmp(q->handled_by, "township") == 0) == TIER_TOWNSHIP)
			audience |= AUD_STATION;
		if (rc == WB_OK)
			rc = loop_fanout(c, q, audience, "request.child_moved", 0, NULL, 0, 0, NULL, q->step_due_at, at,
					 actor_id, queued_out);
	}
	free(ids);
	free(q);
	free(s);
	return rc;
}

/* ---- the overdue scan ---- */

typedef struct scan_ctx {
	store_conn *c;
	int64_t now;
	loop_scan_result *out;
	int count_only;
	int found;
} scan_ctx;

static int scan_one(const overdue_rec *o, void *arg)
{
	scan_ctx *s = arg;
	request_rec *q;
	unsigned audience;
	int rc;

	if (s->count_only) {
		s->found++;
		return WB_OK;
	}
	q = malloc(sizeof(*q));
	if (!q)
		return WB_ENOMEM;
	rc = store_request_get(s->c, NULL, 0, o->request_id, q);
	if (rc == WB_OK)
		rc = store_alert_raise(s->c, o, s->now);
	if (rc == WB_OK) {
		enum case_state st = CS_NONE;

		if (o->referral_id || strcmp(o->stage, "police_feedback") == 0) {
			audience = AUD_CENTER | AUD_COMMITTEE; /* department steps */
		} else {
			case_state_parse(o->stage, &st);
			audience = case_alert_audience(st, strcmp(o->handled_by, "township") == 0);
		}
		rc = loop_fanout(s->c, q, audience, "deadline.overdue", o->referral_id, NULL, 0, 0, o->stage, o->due_at,
				 s->now, 0, &s->out->queued);
	}
	if (rc == WB_OK) {
		if (o->referral_id)
			s->out->referrals++;
		else if (strcmp(o->stage, "police_feedback") == 0)
			s->out->police++;
		else
			s->out->requests++;
		s->out->repeats += o->alerted;
	}
	free(q);
	return rc;
}

/* An open follow-up visit past its day: the child's village's directors,
 * who make the visit, and its township's supervisor, who sees that it is
 * made (where the child lives now, as the list of follow-ups is scoped).
 * The message names the request (whose page lists its follow-ups) and the
 * end of the follow-up's day, never the child. */
static int scan_follow_up(const follow_up_due *f, void *arg)
{
	scan_ctx *s = arg;
	request_rec *q;
	int ymd = date_ymd(f->due_on), rc;
	int64_t due_at;

	if (s->count_only) {
		s->found++;
		return WB_OK;
	}
	if (!ymd)
		return WB_OK;
	due_at = date_day_start(date_add_days(ymd, 1));
	q = malloc(sizeof(*q));
	if (!q)
		return WB_ENOMEM;
	rc = store_request_get(s->c, NULL, 0, f->request_id, q);
	/* the visit is to the child where it lives now: a closed request
	 * stays where it was handled, its follow-ups go with the child */
	if (rc == WB_OK && q->child_village[0] && strcmp(q->child_village, q->village_code) != 0) {
		wb_strlcpy(q->village_code, q->child_village, sizeof(q->village_code));
		wb_strlcpy(q->grid_code, q->child_grid, sizeof(q->grid_code));
		wb_snprintf(q->township_code, sizeof(q->township_code), "%.9s", q->child_village);
	}
	if (rc == WB_OK)
		rc = store_follow_up_alerted(s->c, f->id, s->now);
	if (rc == WB_OK)
		rc = loop_fanout(s->c, q, AUD_DIRECTOR | AUD_SUPERVISOR, "follow_up.overdue", 0, NULL, 0, 0,
				 "follow_up", due_at, s->now, 0, &s->out->queued);
	if (rc == WB_OK) {
		s->out->follow_ups++;
		s->out->repeats += f->alerts > 0;
	}
	free(q);
	return rc;
}

static int scan_county(store_conn *c, const char *county, int64_t now, scan_ctx *s)
{
	deadline_config *cfg = malloc(sizeof(*cfg));
	int64_t repeat_before;
	int rc;

	if (!cfg)
		return WB_ENOMEM;
	rc = loop_config_load(c, county, cfg);
	repeat_before = rc == WB_OK && cfg->alert_repeat_s ? now - cfg->alert_repeat_s : 0;
	if (rc == WB_OK)
		rc = store_overdue(c, county, now, repeat_before, s->count_only ? 1 : 5000, scan_one, s);
	if (rc == WB_OK && !(s->count_only && s->found)) {
		char today[11];

		date_format(clock_ymd_of(now), today);
		rc = store_follow_ups_to_alert(c, county, today, repeat_before, s->count_only ? 1 : 5000,
					       scan_follow_up, s);
	}
	free(cfg);
	return rc;
}

typedef struct county_list {
	char codes[64][8];
	int n;
} county_list;

static int counties_of(store_conn *c, county_list *out)
{
	store_stmt *st = NULL;
	int rc = conn_prepare(c, "SELECT code FROM areas WHERE level = 'county' ORDER BY code LIMIT 64", &st);

	out->n = 0;
	while (rc == WB_OK && (rc = stmt_step(c, st)) == STORE_ROW) {
		stmt_copy(c, st, 0, out->codes[out->n], sizeof(out->codes[0]));
		out->n++;
		rc = WB_OK;
	}
	stmt_reset(c, st);
	return rc < 0 ? rc : WB_OK;
}

int loop_scan(store_conn *c, const char *county, int64_t now, loop_scan_result *out)
{
	scan_ctx s = {c, now, out, 0, 0};

	return scan_county(c, county, now, &s);
}

int loop_scan_needed(store_conn *c, const char *county, int64_t now)
{
	loop_scan_result dummy = {0};
	scan_ctx s = {c, now, &dummy, 1, 0};
	int rc = scan_county(c, county, now, &s);

	return rc != WB_OK || s.found > 0;
}

typedef struct scan_job {
	const char *county;
	int64_t now;
	loop_scan_result *out;
	audit_entry *e;
} scan_job;

static int scan_fn(store_conn *c, void *arg)
{
	scan_job *j = arg;
	int rc;

	memset(j->out, 0, sizeof(*j->out));
	rc = loop_scan(c, j->county, j->now, j->out);
	wb_snprintf(j->e->detail, sizeof(j->e->detail),
		    "{\"at\":%" PRId64 ",\"requests\":%d,\"referrals\":%d,\"police\":%d,\"follow_ups\":%d,"
		    "\"repeats\":%d}",
		    j->now, j->out->requests, j->out->referrals, j->out->police, j->out->follow_ups, j->out->repeats);
	return rc;
}

int loop_scan_submit(audit *au, store *db, int64_t now, loop_scan_result *out)
{
	county_list counties;
	store_conn *c = store_acquire(db);
	int rc = counties_of(c, &counties);

	store_release(c);
	memset(out, 0, sizeof(*out));
	for (int i = 0; rc == WB_OK && i < counties.n; i++) {
		loop_scan_result one;
		audit_entry e;
		scan_job j = {counties.codes[i], now, &one, &e};
		int needed;

		/* a cheap read first: most minutes nothing is due, and then
		 * neither the writer nor the audit log is troubled */
		c = store_acquire(db);
		needed = loop_scan_needed(c, counties.codes[i], now);
		store_release(c);
		if (!needed)
			continue;
		audit_entry_init(&e, counties.codes[i], 0, "system", "system", "local", "");
		audit_entry_set(&e, "loop.deadline_scan", "county", counties.codes[i], "ok");
		rc = audit_submit(au, &e, scan_fn, &j);
		out->requests += one.requests;
		out->referrals += one.referrals;
		out->police += one.police;
		out->follow_ups += one.follow_ups;
		out->repeats += one.repeats;
		out->queued += one.queued;
	}
	if (rc == WB_OK && out->queued)
		loop_webhooks_kick();
	return rc;
}

/* ---- JSON ---- */

json_t *loop_time(int64_t t)
{
	return t ? json_integer(t) : json_null();
}

int loop_viewer_init(loop_viewer *v, const app *a, store_conn *c, const sec_principal *p)
{
	memset(v, 0, sizeof(*v));
	v->a = a;
	v->p = p;
	v->c = c;
	v->now = clock_now();
	sec_request_scope(p, &v->scope, &v->meta_only);
	if (strcmp(p->role, "department") == 0 && p->unit_id) {
		unit_rec u;

		if (api_unit_get(c, p->unit_id, &u) == WB_OK && strcmp(u.code, "public_security") == 0)
			v->is_police = 1;
	}
	return WB_OK;
}

void loop_case_ctx(const loop_viewer *v, const request_rec *q, case_ctx *out)
{
	memset(out, 0, sizeof(*out));
	out->is_filer = q->reporter_id == v->p->user_id;
	out->is_police = v->is_police;
	out->local = strcmp(q->handled_by, "township") == 0;
	out->mandatory = q->mandatory;
	out->police_done = q->police_feedback_at != 0;
	out->linked = q->child_id != 0;
	out->elsewhere = !scope_covers_place(&v->scope, q->village_code, q->grid_code);
}

/* Who may know who filed a mandatory report: the centre, public security
 * and the reporter. */
static int reporter_visible(const loop_viewer *v, const request_rec *q)
{
	return !q->mandatory || strcmp(v->p->role, "center") == 0 || v->is_police || q->reporter_id == v->p->user_id;
}

int loop_child_readable(const loop_viewer *v, int64_t child_id, const char *village, const char *grid,
			int64_t school_id)
{
	const store_scope *sc = &v->p->scope;

	if (!child_id || v->meta_only)
		return 0;
	switch (sc->children) {
	case SCOPE_COUNTY:
	case SCOPE_AREA:
	case SCOPE_GRID: return village[0] && scope_covers_place(sc, village, grid);
	case SCOPE_SCHOOL: return sc->unit_id && school_id == sc->unit_id;
	case SCOPE_REFERRAL: {
		child_rec *ch = malloc(sizeof(*ch));
		int ok = ch && store_child_get(v->c, sc, child_id, ch) == WB_OK;

		free(ch);
		return ok;
	}
	default: return 0;
	}
}

static int child_readable(const loop_viewer *v, const request_rec *q)
{
	/* a unit's list row says it already (store_request_list) */
	if (q->unit_read && v->p->scope.children == SCOPE_REFERRAL && !v->meta_only)
		return q->child_id && q->child_in_scope;
	return loop_child_readable(v, q->child_id, q->child_village, q->child_grid, q->child_school_id);
}

static json_t *child_basic(int64_t id, const char *name, const char *sex, const char *birth)
{
	int ymd = date_ymd(birth);
	json_t *j = json_pack("{s:I, s:s}", "id", (json_int_t)id, "name", name);

	if (!j)
		return NULL;
	json_object_set_new(j, "sex", sex[0] ? json_string(sex) : json_null());
	json_object_set_new(j, "birth_date", birth[0] ? json_string(birth) : json_null());
	json_object_set_new(j, "age",
			    ymd ? json_integer(category_age(registry_config(), ymd, clock_today_ymd())) : json_null());
	return j;
}

static json_t *opt_text(const char *s, int hide)
{
	return !hide && s && s[0] ? json_string(s) : json_null();
}

/* The key of a text the server wrote itself (system: the step or referral
 * is the server's), for the web to say in the reader's language: the ask
 * of public security on a mandatory report. null for a person's words,
 * even the same ones, and for a text not shown. */
static json_t *system_text_key(int system, const char *s, int hide)
{
	return system && !hide && strcmp(s, LOOP_POLICE_ASK) == 0 ? json_string("mandatory_report") : json_null();
}

json_t *loop_allowed_json(const loop_viewer *v, const request_rec *q)
{
	enum case_action acts[CA_COUNT];
	enum case_state s = CS_NONE;
	case_ctx ctx;
	json_t *arr = json_array();
	int n;

	case_state_parse(q->state, &s);
	loop_case_ctx(v, q, &ctx);
	n = case_allowed(s, v->p->role, &ctx, acts, CA_COUNT);
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, json_string(case_action_name(acts[i])));
	return arr;
}

typedef struct detail_ctx {
	const loop_viewer *v;
	const request_rec *q;
	json_t *arr;
	json_t *units;
	int reporter_visible;
	const char *fields;   /* a unit reader's granted field groups, NULL for others */
	int64_t referred[64]; /* the units the request was ever referred to */
	int nreferred;
} detail_ctx;

int loop_unit_hides(const loop_viewer *v, int64_t unit_id)
{
	return v->scope.children == SCOPE_REFERRAL && unit_id && unit_id != v->scope.unit_id;
}

/* Whether the name of a person of role says where the child lives: the
 * people of a township, a village or a grid are named after it (王后楼村
 * 儿童主任), a school's after the school. A unit reader without the
 * `address` grant (fields) is told their role only. */
static int name_tells_place(const char *fields, const char *role)
{
	const role_def *def = role_find(role);

	if (!fields || loop_fields_have(fields, "address") || !def)
		return 0;
	if (def->anchor == ANCHOR_TOWNSHIP || def->anchor == ANCHOR_VILLAGE || def->anchor == ANCHOR_GRID)
		return 1;
	return def->child_access == CHILD_ACCESS_SCHOOL && !loop_fields_have(fields, "school");
}

/* Whether the unit of referral f holds its request, as v may see it: an
 * active referral, and to a department its own alone (that the police hold
 * a case is itself something to keep). */
static int holds_as_seen(const loop_viewer *v, const referral_rec *f)
{
	enum referral_state s = RS_NONE;

	referral_state_parse(f->state, &s);
	return referral_is_active(s) && (v->scope.children != SCOPE_REFERRAL || f->unit_id == v->scope.unit_id);
}

static int referral_item(const referral_rec *f, void *arg)
{
	detail_ctx *d = arg;
	int own = d->v->scope.children == SCOPE_REFERRAL;

	if (d->nreferred < (int)WB_ARRAY_LEN(d->referred))
		d->referred[d->nreferred++] = f->unit_id;
	/* a department sees its own referral, not the others': neither among
	 * the request's holders nor in the list */
	if (d->units && holds_as_seen(d->v, f))
		json_array_append_new(d->units,
				      json_pack("{s:I, s:s, s:s, s:I}", "unit_id", (json_int_t)f->unit_id, "code",
						f->unit_code, "name", f->unit_name, "referral_id", (json_int_t)f->id));
	if (own && f->unit_id != d->v->scope.unit_id)
		return WB_OK;
	json_array_append_new(d->arr, loop_referral_json(d->v, f, 0));
	return WB_OK;
}

/* Whether a step or a file of user actor, acting for unit, would tell who
 * filed the mandatory report of d to a reader who may not know: the
 * reporter's own, and their school's — a school's accounts see only their
 * own school's filings, so any of them on the request names the school.
 * The reader's own are theirs to see. */
static int reporter_side(const detail_ctx *d, int64_t actor, int64_t unit)
{
	if (d->reporter_visible)
		return 0;
	if (actor && actor == d->q->reporter_id)
		return 1;
	return d->q->reporter_unit_id && unit == d->q->reporter_unit_id && actor != d->v->p->user_id;
}

static int attachment_item(const attachment_rec *at, void *arg)
{
	detail_ctx *d = arg;
	/* the reporter of a mandatory report stays unknown through their files
	 * and their school's */
	int hide = reporter_side(d, at->uploaded_by, at->unit_id);
	char name[sizeof(at->file_name)];

	/* a referred unit's files are for the loop's staff and that unit, not
	 * for the other units (a diagnosis is not the civil affairs') */
	if (loop_unit_hides(d->v, at->uploader_unit_id))
		return WB_OK;
	api_attachment_name(at, name, sizeof(name));
	json_array_append_new(d->arr, json_pack("{s:I, s:s?, s:s, s:I, s:s, s:o, s:I}", "id", (json_int_t)at->id,
						"file_name", name[0] ? name : NULL, "content_type", at->content_type,
						"size", (json_int_t)at->size, "sha256", at->sha256, "uploaded_by",
						hide ? json_null() : json_integer(at->uploaded_by), "created_at",
						(json_int_t)at->created_at));
	return WB_OK;
}

static int step_item(const step_rec *s, void *arg)
{
	detail_ctx *d = arg;
	/* the reporter of a mandatory report: unknown through every step of
	 * theirs (a comment, a file, a link), not only the filing, and of
	 * their school's other accounts */
	int hide_actor =
		!d->reporter_visible && (strcmp(s->action, "file") == 0 || reporter_side(d, s->actor_id, s->unit_id));
	int64_t unit = s->referral_id ? s->unit_id : 0;
	/* a person named after their place (or school) is told by role alone
	 * to a unit that may not know where the child lives (or goes to school) */
	int by_role = s->actor_id && name_tells_place(d->fields, s->actor_role);
	json_t *j;

	/* a unit reads its own referral's steps and its own comments, not the
	 * other units' (their referrals, their words, the police's answer);
	 * the centre's, the township's and the village's steps are for all */
	for (int i = 0; !unit && i < d->nreferred; i++)
		if (d->referred[i] == s->unit_id)
			unit = s->unit_id;
	if (loop_unit_hides(d->v, unit))
		return WB_OK;
	j = json_pack("{s:I, s:I, s:s, s:s}", "id", (json_int_t)s->id, "at", (json_int_t)s->at, "action", s->action,
		      "to_state", s->to_state);
	if (!j)
		return WB_ENOMEM;
	json_object_set_new(j, "from_state", s->from_state[0] ? json_string(s->from_state) : json_null());
	json_object_set_new(j, "referral_id", s->referral_id ? json_integer(s->referral_id) : json_null());
	/* a reporter's school would name them, and a school's unit says it as
	 * its name does */
	json_object_set_new(j, "unit_id",
			    s->unit_id && !hide_actor && !by_role ? json_integer(s->unit_id) : json_null());
	if (hide_actor || !s->actor_id)
		json_object_set_new(
			j, "actor",
			hide_actor ? json_null()
				   : json_pack("{s:n, s:s, s:s}", "user_id", "name", "system", "role", "system"));
	else
		json_object_set_new(j, "actor",
				    json_pack("{s:I, s:o, s:s}", "user_id", (json_int_t)s->actor_id, "name",
					      by_role ? json_null() : json_string(s->actor_name), "role",
					      s->actor_role));
	json_object_set_new(j, "actor_hidden", json_boolean(hide_actor));
	json_object_set_new(j, "started_at", loop_time(s->stage_started_at));
	json_object_set_new(j, "due_at", loop_time(s->stage_due_at));
	json_object_set_new(j, "duration_s",
			    s->stage_started_at ? json_integer(s->at - s->stage_started_at) : json_null());
	json_object_set_new(j, "overdue", json_boolean(deadline_overdue(s->stage_due_at, s->at)));
	/* the police's answer is for those who may know the reporter, as on
	 * the request itself */
	json_object_set_new(j, "note",
			    opt_text(s->note, d->v->meta_only || (strcmp(s->action, "police_feedback") == 0 &&
								  !d->reporter_visible)));
	/* the system's refer step of a mandatory report: its note is the police referral's ask */
	json_object_set_new(j, "note_key",
			    system_text_key(!s->actor_id && strcmp(s->action, "refer") == 0, s->note, d->v->meta_only));
	/* a delivery's rating: kept on its step when a reopen clears the request's */
	json_object_set_new(j, "rating", opt_text(s->rating, d->v->meta_only));
	json_array_append_new(d->arr, j);
	return WB_OK;
}

/* cut_place: the village's or the township's code and name are left out
 * (a unit without the `address` grant): the tier alone says who holds it. */
static json_t *holder_json(const loop_viewer *v, const request_rec *q, int detail, int cut_place, json_t **units_out)
{
	enum case_state s = CS_NONE;
	enum case_tier t;
	json_t *h;
	const char *code = NULL;

	*units_out = NULL;
	case_state_parse(q->state, &s);
	t = case_holder(s, strcmp(q->handled_by, "township") == 0);
	if (t == TIER_NONE)
		return json_null();
	code = t == TIER_VILLAGE ? q->village_code : t == TIER_TOWNSHIP ? q->township_code : q->county_code;
	if (cut_place && (t == TIER_VILLAGE || t == TIER_TOWNSHIP))
		code = NULL;
	h = json_pack("{s:s, s:o, s:I}", "tier", case_tier_name(t), "area_code", code ? json_string(code) : json_null(),
		      "since", (json_int_t)q->state_since);
	if (h && code && detail) {
		char name[128];

		if (t != TIER_UNITS && api_area_name(v->c, code, name, sizeof(name)) == WB_OK)
			json_object_set_new(h, "name", json_string(name));
		if (t == TIER_UNITS) {
			*units_out = json_array();
			json_object_set(h, "units", *units_out);
		}
	}
	return h;
}

typedef struct unit_names {
	const loop_viewer *v;
	buf *b;
	const char *sep;
} unit_names;

static int unit_name_item(const referral_rec *f, void *arg)
{
	unit_names *u = arg;

	if (!holds_as_seen(u->v, f))
		return WB_OK;
	if (u->b->len)
		buf_puts(u->b, u->sep);
	buf_puts(u->b, f->unit_name);
	return WB_OK;
}

void loop_request_row_fill(const loop_viewer *v, const request_rec *q, json_t *j, const char *sep)
{
	json_t *h = json_object_get(j, "holder");
	const char *tier = json_string_value(json_object_get(h, "tier"));
	char name[128];

	if (!tier)
		return;
	if (strcmp(tier, "units") != 0) {
		const char *code = json_string_value(json_object_get(h, "area_code"));

		if (code && api_area_name(v->c, code, name, sizeof(name)) == WB_OK)
			json_object_set_new(h, "name", json_string(name));
		return;
	}
	{
		buf b;
		unit_names u = {v, &b, sep};

		buf_init(&b, 4096);
		if (store_referrals_of(v->c, q->id, unit_name_item, &u) == WB_OK && b.len)
			json_object_set_new(h, "name", json_string(b.data));
		buf_cleanup(&b);
	}
	if (v->scope.children != SCOPE_REFERRAL) {
		json_object_set_new(j, "due_at", loop_time(q->referrals_due_at));
		json_object_set_new(j, "overdue", json_boolean(deadline_overdue(q->referrals_due_at, v->now)));
	}
}

json_t *loop_request_json(const loop_viewer *v, const request_rec *q, int detail)
{
	int meta = v->meta_only;
	int show_reporter = reporter_visible(v, q);
	int show_child = child_readable(v, q);
	/* a unit reader: the field groups its referrals of q grant, which
	 * cut what the request says of the place (cut_place) as they cut
	 * the child's file */
	char fields[256] = "";
	const char *granted = NULL;
	int cut_place = 0;
	json_t *j, *units = NULL;

	if (v->scope.children == SCOPE_REFERRAL && q->reporter_id != v->p->user_id) {
		/* a list's row was read with its grant (store_request_list);
		 * a request read alone asks */
		if (q->unit_read)
			wb_strlcpy(fields, q->unit_fields, sizeof(fields));
		else if (store_referral_fields_of(v->c, q->id, v->scope.unit_id, fields, sizeof(fields)) != WB_OK)
			fields[0] = '\0';
		granted = fields;
		cut_place = !loop_fields_have(fields, "address");
	}

	j = json_pack("{s:I, s:s, s:s, s:b, s:b, s:s, s:I, s:o, s:b}", "id", (json_int_t)q->id, "kind", q->kind,
		      "urgency", q->urgency, "mandatory", q->mandatory, "priority", q->priority, "state", q->state,
		      "state_since", (json_int_t)q->state_since, "due_at", loop_time(q->step_due_at), "overdue",
		      deadline_overdue(q->step_due_at, v->now));
	if (!j)
		return NULL;
	/* the earliest deadline among the active referrals: what the centre
	 * chases while the request waits on departments (a department sees
	 * its own referral's deadline, not the others') */
	if (v->scope.children != SCOPE_REFERRAL) {
		json_object_set_new(j, "referrals_due_at", loop_time(q->referrals_due_at));
		json_object_set_new(j, "referrals_overdue",
				    json_boolean(deadline_overdue(q->referrals_due_at, v->now)));
	}
	json_object_set_new(j, "holder", holder_json(v, q, detail, cut_place, &units));
	json_object_set_new(j, "county_code", json_string(q->county_code));
	/* where the child lives is the `address` grant's: without it a unit
	 * is told neither the township, the village nor the grid */
	json_object_set_new(j, "township_code", cut_place ? json_null() : json_string(q->township_code));
	json_object_set_new(j, "village_code", cut_place ? json_null() : json_string(q->village_code));
	json_object_set_new(j, "grid_code", q->grid_code[0] && !cut_place ? json_string(q->grid_code) : json_null());
	if (!q->child_id)
		json_object_set_new(j, "child", json_null());
	else if (!show_child)
		/* that a child was linked, not who (the request's place says where) */
		json_object_set_new(j, "child", json_pack("{s:I, s:b}", "id", (json_int_t)q->child_id, "withheld", 1));
	else
		json_object_set_new(j, "child", child_basic(q->child_id, q->child_name, q->child_sex, q->child_birth));
	/* the filer's own words stay after a link: the township checks the
	 * link against them */
	json_object_set_new(j, "child_description", opt_text(q->child_desc, meta));
	json_object_set_new(j, "narrative", meta ? json_null() : json_string(q->narrative));
	/* the source names the reporter's role: hidden with the reporter */
	json_object_set_new(j, "source", show_reporter ? json_string(q->source) : json_null());
	if (show_reporter) {
		json_t *rep = json_pack("{s:I, s:s}", "user_id", (json_int_t)q->reporter_id, "role", q->reporter_role);

		/* a filer named after their village (or school) is told by role
		 * alone to a unit that may not know where the child lives */
		int by_role = name_tells_place(granted, q->reporter_role);

		json_object_set_new(rep, "unit_id",
				    q->reporter_unit_id && !by_role ? json_integer(q->reporter_unit_id) : json_null());
		if (detail && by_role) {
			json_object_set_new(rep, "name", json_null());
		} else if (detail) {
			user_rec u;

			if (store_user_get(v->c, q->reporter_id, &u) == WB_OK)
				json_object_set_new(rep, "name", json_string(u.display_name));
		}
		json_object_set_new(j, "reporter", rep);
	} else {
		json_object_set_new(j, "reporter", json_null());
	}
	json_object_set_new(j, "reporter_hidden", json_boolean(!show_reporter));
	json_object_set_new(j, "result", opt_text(q->result, meta));
	if (q->feedback_at)
		json_object_set_new(j, "feedback",
				    json_pack("{s:s, s:o, s:I}", "rating", q->feedback_rating, "text",
					      opt_text(q->feedback, meta), "at", (json_int_t)q->feedback_at));
	else
		json_object_set_new(j, "feedback", json_null());
	json_object_set_new(j, "withdraw_reason", opt_text(q->withdraw_reason, meta));
	if (q->mandatory)
		json_object_set_new(j, "police_feedback",
				    json_pack("{s:o, s:o, s:b, s:o}", "due_at", loop_time(q->police_due_at), "at",
					      loop_time(q->police_feedback_at), "overdue",
					      !q->police_feedback_at && deadline_overdue(q->police_due_at, v->now),
					      "text", opt_text(q->police_feedback, !show_reporter || meta)));
	else
		json_object_set_new(j, "police_feedback", json_null());
	json_object_set_new(j, "version", json_integer(q->version));
	json_object_set_new(j, "created_at", json_integer(q->created_at));
	json_object_set_new(j, "updated_at", json_integer(q->updated_at));
	json_object_set_new(j, "closed_at", loop_time(q->closed_at));
	if (detail) {
		detail_ctx d = {v, q, json_array(), units, show_reporter, granted, {0}, 0};
		enum case_state s = CS_NONE;

		json_object_set_new(j, "allowed_actions", loop_allowed_json(v, q));
		store_referrals_of(v->c, q->id, referral_item, &d);
		json_object_set_new(j, "referrals", d.arr);
		d.arr = json_array();
		if (!meta)
			store_attachments_of(v->c, q->id, attachment_item, &d);
		json_object_set_new(j, "attachments", d.arr);
		d.arr = json_array();
		store_steps_of(v->c, q->id, step_item, &d);
		case_state_parse(q->state, &s);
		json_object_set_new(j, "timeline",
				    json_pack("{s:o, s:{s:s, s:I, s:o, s:b}}", "steps", d.arr, "current", "stage",
					      q->state, "since", (json_int_t)q->state_since, "due_at",
					      loop_time(q->step_due_at), "overdue",
					      deadline_overdue(q->step_due_at, v->now)));
		/* follow-up visits to the child: for those who see the child */
		if (show_child && !v->p->def->unit_kind) {
			/* one the reporter of a mandatory report scheduled names
			 * them no more than their comments do (follow_up_json) */
			json_t *fu = follow_ups_json_of(v->c, q->id, v->p);

			json_object_set_new(j, "follow_ups", fu ? fu : json_array());
		}
	}
	json_decref(units);
	return j;
}

static json_t *fields_json(const char *fields)
{
	json_t *a = json_array();
	const char *p = fields;

	while (*p) {
		size_t n = strcspn(p, ",");

		if (n)
			json_array_append_new(a, json_stringn(p, n));
		p += n + (p[n] == ',');
	}
	return a;
}

/* Adds the summary of its request b to a referral's JSON j, and the child
 * while the referral (state s) is active and v may read the child (as the
 * request itself names it: loop_child_readable); a child v may not read is
 * said to be linked, not who. */
static void referral_set_request(const loop_viewer *v, json_t *j, const request_brief *b, enum referral_state s)
{
	json_t *child = json_null();

	json_object_set_new(j, "request",
			    json_pack("{s:I, s:s, s:s, s:b, s:b, s:s}", "id", (json_int_t)b->id, "kind", b->kind,
				      "urgency", b->urgency, "priority", b->priority, "mandatory", b->mandatory,
				      "state", b->state));
	if (b->child_id && referral_is_active(s)) {
		if (loop_child_readable(v, b->child_id, b->child_village, b->child_grid, b->child_school_id))
			child = child_basic(b->child_id, b->child_name, b->child_sex, b->child_birth);
		else
			child = json_pack("{s:I, s:b}", "id", (json_int_t)b->child_id, "withheld", 1);
	}
	json_object_set_new(j, "child", child);
}

int loop_referrals_add_requests(const loop_viewer *v, json_t *items)
{
	size_t n = json_array_size(items), i;
	int64_t *ids = NULL;
	request_brief *briefs = NULL;
	int nids = 0, found = 0, rc = WB_OK;
	json_t *it;

	if (n == 0)
		return WB_OK;
	ids = malloc(n * sizeof(*ids));
	briefs = malloc(n * sizeof(*briefs));
	if (!ids || !briefs) {
		rc = WB_ENOMEM;
		goto out;
	}
	json_array_foreach(items, i, it)
	{
		int64_t id = json_integer_value(json_object_get(it, "request_id"));
		int seen = 0;

		for (int k = 0; k < nids && !seen; k++)
			seen = ids[k] == id;
		if (!seen)
			ids[nids++] = id;
	}
	rc = store_request_briefs(v->c, v->p->county_code, ids, nids, briefs, &found);
	if (rc)
		goto out;
	json_array_foreach(items, i, it)
	{
		int64_t id = json_integer_value(json_object_get(it, "request_id"));
		enum referral_state s = RS_NONE;

		referral_state_parse(json_string_value(json_object_get(it, "state")), &s);
		for (int k = 0; k < found; k++) {
			if (briefs[k].id == id) {
				referral_set_request(v, it, &briefs[k], s);
				break;
			}
		}
	}
out:
	free(ids);
	free(briefs);
	return rc;
}

json_t *loop_referral_json(const loop_viewer *v, const referral_rec *f, int with_request)
{
	enum referral_state s = RS_NONE;
	enum referral_action acts[RA_COUNT];
	int own = (strcmp(v->p->role, "department") == 0 || strcmp(v->p->role, "org") == 0) &&
		  v->p->unit_id == f->unit_id;
	int hide = v->meta_only;
	json_t *j, *arr;
	int n;

	referral_state_parse(f->state, &s);
	j = json_pack("{s:I, s:I, s:{s:I, s:s, s:s, s:s}, s:s, s:I, s:o, s:o, s:b}", "id", (json_int_t)f->id,
		      "request_id", (json_int_t)f->request_id, "unit", "id", (json_int_t)f->unit_id, "code",
		      f->unit_code, "name", f->unit_name, "kind", f->unit_kind, "state", f->state, "state_since",
		      (json_int_t)f->state_since, "due_at", loop_time(f->due_at), "step_due_at",
		      loop_time(f->step_due_at), "overdue", deadline_overdue(f->step_due_at, v->now));
	if (!j)
		return NULL;
	json_object_set_new(j, "ask", opt_text(f->ask, hide));
	json_object_set_new(j, "ask_key", system_text_key(referral_is_mandatory_police(f), f->ask, hide));
	json_object_set_new(j, "fields", fields_json(f->fields));
	json_object_set_new(j, "decline_reason", opt_text(f->decline_reason, hide));
	json_object_set_new(j, "result", opt_text(f->result, hide));
	json_object_set_new(j, "version", json_integer(f->version));
	json_object_set_new(j, "created_at", json_integer(f->created_at));
	json_object_set_new(j, "ended_at", loop_time(f->ended_at));
	arr = json_array();
	n = referral_allowed(s, v->p->role, own, acts, RA_COUNT);
	for (int i = 0; i < n; i++)
		if (!((acts[i] == RA_DECLINE || acts[i] == RA_CANCEL) && referral_is_mandatory_police(f)) &&
		    !(acts[i] == RA_COMPLETE && referral_awaits_police_feedback(f)))
			json_array_append_new(arr, json_string(referral_action_name(acts[i])));
	json_object_set_new(j, "allowed_actions", arr);
	if (with_request) {
		request_brief b;
		int found = 0;

		if (store_request_briefs(v->c, v->p->county_code, &f->request_id, 1, &b, &found) == WB_OK && found)
			referral_set_request(v, j, &b, s);
	}
	return j;
}

/* ---- the referral grant on a child's file ---- */

static const char *const basic_keys[] = {"id", "name", "sex", "birth_date"};

static const struct {
	const char *group;
	const char *keys[7];
} field_groups[] = {
	{"address",
	 {"village_code", "village_name", "grid_code", "hukou_area_code", "hukou_area_name", "hukou_type", NULL}},
	{"id_number", {"id_number", "id_number_masked", NULL}},
	{"guardians", {"guardians", NULL}},
	{"health", {"disability_grade", "disability_type", "serious_illness", NULL}},
	{"school", {"school_id", "grade", NULL}},
	{"family", {"family_poverty", "adopted", "categories", "risk_level", NULL}},
};

int loop_fields_have(const char *fields, const char *group)
{
	size_t n = strlen(group);

	for (const char *p = fields; *p;) {
		size_t m = strcspn(p, ",");

		if (m == n && strncmp(p, group, n) == 0)
			return 1;
		p += m + (p[m] == ',');
	}
	return 0;
}

json_t *loop_child_restrict(store_conn *c, const sec_principal *p, int64_t child_id, json_t *full)
{
	char fields[256];
	int any = 0;

	if (!full || p->scope.children != SCOPE_REFERRAL)
		return full;
	if (store_referral_grant(c, p->county_code, p->scope.unit_id, child_id, fields, sizeof(fields), &any) != WB_OK)
		fields[0] = '\0';
	return loop_child_granted(fields, full);
}

json_t *loop_child_granted(const char *fields, json_t *full)
{
	json_t *out, *v;

	if (!full)
		return NULL;
	out = json_object();
	for (size_t i = 0; i < WB_ARRAY_LEN(basic_keys); i++)
		if ((v = json_object_get(full, basic_keys[i])))
			json_object_set(out, basic_keys[i], v);
	{
		const char *birth = json_string_value(json_object_get(full, "birth_date"));
		int ymd = birth ? date_ymd(birth) : 0;

		json_object_set_new(out, "age",
				    ymd ? json_integer(category_age(registry_config(), ymd, clock_today_ymd()))
					: json_null());
	}
	for (size_t g = 0; g < WB_ARRAY_LEN(field_groups); g++) {
		if (!loop_fields_have(fields, field_groups[g].group))
			continue;
		for (int k = 0; field_groups[g].keys[k]; k++)
			if ((v = json_object_get(full, field_groups[g].keys[k])))
				json_object_set(out, field_groups[g].keys[k], v);
	}
	json_object_set_new(out, "granted_fields", fields_json(fields));
	json_decref(full);
	return out;
}

void loop_audit_refused(http_req *r, app *a, const sec_principal *p, const char *kind, const char *action, int64_t id,
			const char *state, int64_t version, const char *outcome)
{
	audit_entry e;
	char name[sizeof(e.action)];

	api_audit_init(r, p, &e);
	wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, id);
	wb_snprintf(name, sizeof(name), "%s.%s", kind, action);
	audit_entry_set(&e, name, kind, e.object_id, outcome);
	api_audit_detail(&e, json_pack("{s:s, s:I}", "state", state, "version", (json_int_t)version));
	if (audit_submit(a->audit, &e, NULL, NULL) != WB_OK)
		log_warn("loop: the refused %s of %s %" PRId64 " could not be audited", action, kind, id);
}
