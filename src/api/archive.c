/*
 * Archiving and retention (SPEC §9: "a child who turns 18 leaves active
 * work; records are archived per configured retention"):
 *
 *   POST /api/v1/children/{id}/archive     out of active work, with the reason
 *   POST /api/v1/children/{id}/restore     back into active work
 *   GET  /api/v1/children/archived         the archive of the caller's scope
 *   GET|PUT /api/v1/registry/archive-config  grace after 18, years kept
 *
 * An archived child is out of every list, search, plan, matching and
 * count of active work (scope_children_sql leaves it out); the registry's
 * desk — the centre, supervisors and stations — still lists and opens it,
 * and may bring it back. The daily job archives every child some days
 * after the 18th birthday and, once an archived record has been kept the
 * configured years, erases its personal data: the row and its figures
 * stay, and so does the audit log.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../domain/area.h"
#include "../domain/category.h"
#include "../domain/date.h"
#include "../domain/entitlement.h"
#include "../store/q_archive.h"
#include "../store/q_loop.h"
#include "../util/clock.h"
#include "../util/wb.h"
#include "api.h"
#include "sheet.h"
#include "archive_api.h"
#include "registry.h"
#include "visits_api.h"

#define SETTING            "registry.archive"
#define GRACE_DEFAULT      90
#define GRACE_MAX          3650
#define YEARS_DEFAULT      10
#define YEARS_MIN          1
#define YEARS_MAX          100
#define LIST_DEFAULT       50
#define LIST_MAX           200
#define ARCHIVE_EXPORT_MAX 50000
#define NOTE_CHARS         200

static const char *const reasons[] = {"adult", "moved_away", "deceased", "duplicate", "other", NULL};

int api_reads_archive(const sec_principal *p)
{
	return strcmp(p->role, "center") == 0 || strcmp(p->role, "supervisor") == 0 || strcmp(p->role, "station") == 0;
}

static int desk_only(http_req *r, const sec_principal *p)
{
	if (api_reads_archive(p) && p->scope.children != SCOPE_NONE)
		return 1;
	api_error(r, 403, "forbidden", "the archive is kept by the centre and the townships", NULL);
	return 0;
}

/* ---- configuration ---- */

int archive_config_load(store_conn *c, const char *county, archive_config *cfg)
{
	char *text = NULL;
	json_t *j, *g, *y;
	int rc;

	cfg->adult_grace_days = GRACE_DEFAULT;
	cfg->retention_years = YEARS_DEFAULT;
	rc = store_setting_get(c, county, SETTING, &text);
	if (rc == WB_ENOTFOUND)
		return WB_OK;
	if (rc)
		return rc;
	j = json_loads(text, 0, NULL);
	free(text);
	g = json_object_get(j, "adult_grace_days");
	y = json_object_get(j, "retention_years");
	if (json_is_integer(g))
		cfg->adult_grace_days = (int)json_integer_value(g);
	if (json_is_integer(y))
		cfg->retention_years = (int)json_integer_value(y);
	json_decref(j);
	return WB_OK;
}

static json_t *config_json(const archive_config *cfg)
{
	return json_pack("{s:i, s:i}", "adult_grace_days", cfg->adult_grace_days, "retention_years",
			 cfg->retention_years);
}

int api_archive_config_get(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	archive_config cfg;
	int rc;

	(void)a;
	if (!desk_only(r, p))
		return 0;
	rc = archive_config_load(c, p->county_code, &cfg);
	return rc ? api_fail(r, rc) : api_json(r, 200, config_json(&cfg));
}

static const api_field config_fields[] = {
	{"adult_grace_days", JSON_INTEGER, 0, 0},
	{"retention_years", JSON_INTEGER, 0, 0},
	{NULL, 0, 0, 0},
};

int api_archive_config_put(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	archive_config cfg;
	json_t *body = NULL, *v;
	int rc;

	if (strcmp(p->role, "center") != 0) {
		api_error(r, 403, "forbidden", "the archive's periods are set by the county centre", NULL);
		goto out;
	}
	if (api_body(r, &body) || api_check_fields(r, body, config_fields))
		goto out;
	rc = archive_config_load(c, p->county_code, &cfg);
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	if ((v = json_object_get(body, "adult_grace_days"))) {
		if (json_integer_value(v) < 0 || json_integer_value(v) > GRACE_MAX) {
			api_error(r, 422, "validation_failed",
				  "adult_grace_days must be a number of days from 0 to 3650", "adult_grace_days");
			goto out;
		}
		cfg.adult_grace_days = (int)json_integer_value(v);
	}
	if ((v = json_object_get(body, "retention_years"))) {
		if (json_integer_value(v) < YEARS_MIN || json_integer_value(v) > YEARS_MAX) {
			api_error(r, 422, "validation_failed",
				  "retention_years must be a number of years from 1 to 100", "retention_years");
			goto out;
		}
		cfg.retention_years = (int)json_integer_value(v);
	}
	api_setting_save(r, a, p, SETTING, "archive.config.update", config_json(&cfg));
out:
	json_decref(body);
	return 0;
}

/* ---- one child ---- */

typedef struct archive_job {
	int64_t id, at, by;
	const char *reason, *note, *county;
	char day[11];
	int restore;
} archive_job;

static int archive_fn(store_conn *c, void *arg)
{
	archive_job *j = arg;
	int rc;

	if (!j->restore)
		return store_child_archive(c, j->id, j->reason, j->note, j->day, j->at, j->by);
	/* the categories the archiving ended come back, judged again as any
	 * child's: one whose age limit passed meanwhile ends on its birthday */
	rc = store_child_restore(c, j->id, j->note, j->at, j->by);
	return rc ? rc : registry_rederive(c, j->county, j->id, date_ymd(j->day), j->at);
}

static const api_field archive_fields[] = {
	{"reason", JSON_STRING, 1, 16},
	{"note", JSON_STRING, 0, NOTE_CHARS * 4},
	{NULL, 0, 0, 0},
};

static const api_field restore_fields[] = {
	{"note", JSON_STRING, 0, NOTE_CHARS * 4},
	{NULL, 0, 0, 0},
};

/* Archives (restore 0) or restores the child of the path. */
static int archive_change(http_req *r, app *a, store_conn *c, const sec_principal *p, int restore)
{
	json_t *body = NULL;
	store_scope sc = p->scope;
	archive_job job;
	audit_entry e;
	child_rec *ch = malloc(sizeof(*ch));
	const char *reason = NULL, *note;
	int64_t id;
	int rc, ok = 0;

	if (!ch)
		return api_fail(r, WB_ENOMEM);
	if (api_id_param(r, "id", &id) || !desk_only(r, p) || api_body(r, &body) ||
	    api_check_fields(r, body, restore ? restore_fields : archive_fields))
		goto out;
	sc.with_archived = 1;
	rc = store_child_get(c, &sc, id, ch);
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	note = api_str(body, "note");
	if (note && api_utf8_chars(note) > NOTE_CHARS) {
		api_error(r, 422, "validation_failed", "note may have at most 200 characters", "note");
		goto out;
	}
	if (!restore) {
		reason = api_str(body, "reason");
		for (int i = 0; reasons[i]; i++)
			ok |= strcmp(reason, reasons[i]) == 0;
		if (!ok) {
			api_error(r, 422, "validation_failed",
				  "reason must be adult, moved_away, deceased, duplicate or other", "reason");
			goto out;
		}
		if (strcmp(reason, "adult") == 0 &&
		    category_age(registry_config(), date_ymd(ch->birth_date), clock_today_ymd()) < 18) {
			api_error(r, 422, "validation_failed", "the child is not 18 yet", "reason");
			goto out;
		}
		if (ch->archived_at) {
			api_error(r, 409, "conflict", "the child is archived already", NULL);
			goto out;
		}
	} else {
		if (!ch->archived_at || ch->erased_at) {
			api_error(r, 409, "conflict",
				  ch->erased_at ? "the record was erased after its retention: it cannot come back"
						: "the child is not archived",
				  NULL);
			goto out;
		}
		if (category_age(registry_config(), date_ymd(ch->birth_date), clock_today_ymd()) >= 18) {
			api_error(r, 409, "conflict", "a grown-up stays in the archive", NULL);
			goto out;
		}
	}
	memset(&job, 0, sizeof(job));
	job.id = id;
	job.at = clock_now();
	job.by = p->user_id;
	job.reason = reason;
	job.note = note;
	job.restore = restore;
	job.county = ch->county_code;
	date_format(clock_today_ymd(), job.day);
	api_audit_init(r, p, &e);
	wb_snprintf(e.object_id, sizeof(e.object_id), "%" PRId64, id);
	audit_entry_set(&e, restore ? "child.restore" : "child.archive", "child", e.object_id, "ok");
	api_audit_detail(&e, json_pack("{s:s?}", "reason", reason));
	api_conn_release(r);
	rc = audit_submit(a->audit, &e, archive_fn, &job);
	if (rc == WB_ECONFLICT) {
		api_error(r, 409, "conflict", restore ? "the child is not archived" : "the child is archived already",
			  NULL);
		goto out;
	}
	if (rc) {
		api_fail(r, rc);
		goto out;
	}
	rc = store_child_get(api_conn(r), &sc, id, ch);
	if (rc)
		api_fail(r, rc);
	else
		api_json(r, 200, api_child_json(a, p, ch));
out:
	json_decref(body);
	free(ch);
	return 0;
}

int api_child_archive(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	return archive_change(r, a, c, p, 0);
}

int api_child_restore(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	return archive_change(r, a, c, p, 1);
}

/* ---- the archive's list ---- */

typedef struct list_ctx {
	const app *a;
	const sec_principal *p;
	api_list list;
} list_ctx;

static int list_cb(const child_rec *ch, void *arg)
{
	list_ctx *x = arg;

	api_list_add(&x->list, api_child_json(x->a, x->p, ch), ch->id);
	return WB_OK;
}

static const sheet_word reason_words[] = {
	{"adult", "已满18周岁", "Turned 18"},   {"moved_away", "迁出", "Moved away"}, {"deceased", "死亡", "Deceased"},
	{"duplicate", "重复登记", "Duplicate"}, {"other", "其他", "Other"},           {NULL, NULL, NULL},
};
static const sheet_col archived_cols[] = {
	{"编号", "ID", "id", SC_INT, NULL},
	{"姓名", "Name", "name", SC_TEXT, NULL},
	{"身份证号", "ID number", "id_number", SC_TEXT, NULL},
	{"性别", "Sex", "sex", SC_WORD, sheet_sex_words},
	{"出生日期", "Birth date", "birth_date", SC_TEXT, NULL},
	{"村（社区）代码", "Village code", "village_code", SC_TEXT, NULL},
	{"归档原因", "Reason", "archive_reason", SC_WORD, reason_words},
	{"归档时间", "Archived at", "archived_at", SC_TIME, NULL},
	{"说明", "Note", "archive_note", SC_TEXT, NULL},
	{"个人信息删除时间", "Erased at", "erased_at", SC_TIME, NULL},
};

/* The whole archive of the filter (up to ARCHIVE_EXPORT_MAX) as a
 * download, audited as child.export_archived. */
static int archived_export(http_req *r, app *a, store_conn *c, const sec_principal *p, const archived_filter *f,
			   int fmt, int en)
{
	list_ctx x = {a, p, {0}};
	int rc;

	api_list_init(&x.list);
	do {
		int before = x.list.n;

		rc = store_children_archived(c, &p->scope, f, x.list.last_id, 1000, list_cb, &x);
		if (rc || x.list.n - before < 1000)
			break;
	} while (x.list.n < ARCHIVE_EXPORT_MAX);
	if (rc) {
		api_list_cleanup(&x.list);
		return api_fail(r, rc);
	}
	return api_sheet_items(
		r, a, p, x.list.items, fmt, en, en ? "Archive" : "归档儿童", "archived-children", archived_cols,
		WB_ARRAY_LEN(archived_cols), "child.export_archived", "child",
		json_pack("{s:s?, s:s?, s:b}", "area", f->area, "reason", f->reason, "by_name", f->name != NULL));
}

int api_children_archived(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	const char *area = http_query(r, "area"), *reason = http_query(r, "reason"), *name = http_query(r, "name");
	archived_filter f = {area, reason, name};
	list_ctx x = {a, p, {0}};
	audit_entry e;
	int64_t after = 0;
	int limit, rc, fmt, en;

	if (!desk_only(r, p) || api_limit(r, LIST_DEFAULT, LIST_MAX, &limit) || api_query_cursor(r, &after) ||
	    api_sheet_params(r, SHEET_JSON, 1, &fmt, &en))
		return 0;
	if (area && !area_level_of(area))
		return api_error(r, 422, "validation_failed", "area must be an area code", "area");
	if (reason && !api_one_of(reason, reasons))
		return api_error(r, 422, "validation_failed",
				 "reason must be adult, moved_away, deceased, duplicate or other", "reason");
	if (name && (api_utf8_chars(name) > 30 || strlen(name) > 120))
		return api_error(r, 422, "validation_failed", "name may have at most 30 characters", "name");
	if (fmt != SHEET_JSON)
		return archived_export(r, a, c, p, &f, fmt, en);
	api_list_init(&x.list);
	rc = store_children_archived(c, &p->scope, &f, after, limit, list_cb, &x);
	if (rc) {
		api_list_cleanup(&x.list);
		return api_fail(r, rc);
	}
	api_audit_init(r, p, &e);
	audit_entry_set(&e, "child.list_archived", "child", "", "ok");
	api_audit_detail(&e, json_pack("{s:s?, s:s?, s:b, s:i}", "area", area, "reason", reason, "by_name",
				       name != NULL, "returned", x.list.n));
	return api_list_answer(r, a, &e, &x.list, limit);
}

/* ---- the daily job ---- */

/* Born on or before this day (YYYYMMDD): 18 for at least the grace days
 * (where a year of age counts from the day after the birthday, 18 a day
 * later). */
static int adult_before_ymd(const archive_config *cfg, int today)
{
	return visits_adult_born_by(date_add_days(today, -cfg->adult_grace_days));
}

int archive_adult_before(store_conn *c, const char *county, int today, int *before_ymd)
{
	archive_config cfg;
	int rc = archive_config_load(c, county, &cfg);

	if (rc == WB_OK)
		*before_ymd = adult_before_ymd(&cfg, today);
	return rc;
}

int archive_due(store_conn *c, const char *county, int birth_ymd, int today, int *due)
{
	archive_config cfg;
	int rc;

	*due = 0;
	if (birth_ymd > today - 180000)
		return WB_OK; /* not 18 yet: no need to read the periods */
	rc = archive_config_load(c, county, &cfg);
	if (rc == WB_OK)
		*due = birth_ymd <= adult_before_ymd(&cfg, today);
	return rc;
}

int64_t archive_erase_before(int today, int years)
{
	int y = today / 10000 - years, md = today % 10000, last;
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	int today_leap = (today / 10000 % 4 == 0 && today / 10000 % 100 != 0) || today / 10000 % 400 == 0;

	/* the last day archived whose retention is over today: the same day
	 * years earlier; a record archived on 29 February is kept until 28
	 * February in a common year */
	if (md == 229 && !leap)
		md = 228;
	else if (md == 228 && !today_leap && leap)
		md = 229;
	last = y * 10000 + md;
	return date_day_start(date_add_days(last, 1));
}

int archive_sweep(store_conn *c, const char *county, int today, int64_t now, int *archived, int *erased)
{
	archive_config cfg;
	char adult_before[11], day[11];
	int rc = archive_config_load(c, county, &cfg);

	if (rc)
		return rc;
	date_format(adult_before_ymd(&cfg, today), adult_before);
	date_format(today, day);
	return store_archive_sweep(c, county, adult_before, archive_erase_before(today, cfg.retention_years), day, now,
				   ARCHIVE_SWEEP_BATCH, archived, erased);
}

/* ---- the files of erased attachments ---- */

#define FILE_GRACE_S   3600
#define UPLOAD_GRACE_S 86400

typedef struct hash_set {
	char (*sha)[65];
	size_t n, cap;
} hash_set;

static int hash_cb(const char *sha, void *arg)
{
	hash_set *h = arg;

	if (wb_grow(&h->sha, h->n, &h->cap, sizeof(*h->sha), 256, 1u << 24))
		return WB_ENOMEM;
	wb_strlcpy(h->sha[h->n++], sha, sizeof(h->sha[0]));
	return WB_OK;
}

static int hash_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int is_hash_name(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return 0;
	return n == 64;
}

int archive_files_sweep(store_conn *c, const char *dir, int64_t now, int *removed)
{
	hash_set h = {NULL, 0, 0};
	struct dirent *de;
	DIR *d;
	int rc;

	*removed = 0;
	if (!dir || !*dir)
		return WB_OK;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? WB_OK : WB_EIO; /* no attachment was ever stored */
	rc = store_attachment_hashes(c, hash_cb, &h);
	while (rc == WB_OK && (de = readdir(d)) != NULL) {
		char path[1200];
		struct stat stt;
		int upload = strncmp(de->d_name, ".upload-", 8) == 0;

		if (!upload &&
		    (!is_hash_name(de->d_name) || (h.n && bsearch(de->d_name, h.sha, h.n, sizeof(*h.sha), hash_cmp))))
			continue;
		if (wb_snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) != WB_OK || stat(path, &stt) != 0 ||
		    !S_ISREG(stt.st_mode) || (int64_t)stt.st_mtime > now - (upload ? UPLOAD_GRACE_S : FILE_GRACE_S))
			continue;
		if (unlink(path) == 0)
			(*removed)++;
	}
	closedir(d);
	free(h.sha);
	return rc;
}
