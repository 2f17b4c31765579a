/*
 * /api/v1/imports: upload a CSV or XLSX list of children, follow its
 * progress, download its report. The file is parsed at once (a broken file
 * is refused with 422); validation and the changes run in a worker thread
 * as one job of the writer, so an import is one transaction: all or
 * nothing, or row by row when asked.
 */
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../util/clock.h"
#include "../util/log.h"
#include "../util/wb.h"
#include "api.h"
#include "sheet.h"
#include "import.h"

#define JOBS_MAX 16

typedef struct job_slot {
	import_job *job;
	int64_t owner;
	char county[8];
	int running;
} job_slot;

static pthread_mutex_t jobs_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t jobs_cv = PTHREAD_COND_INITIALIZER;
static job_slot jobs[JOBS_MAX];
static int jobs_running;

typedef struct worker_arg {
	app *a;
	import_job *job;
	audit_entry e;
} worker_arg;

/* The import's audit detail: its counts and, when rows named children
 * outside the caller's area (a number tried is a number found), how many
 * and the first of those children's ids, as a refused registration is
 * audited on its own; a refused file's reason (the job's message, which
 * names no one) when reason is not NULL. */
static void import_detail(const import_job *j, audit_entry *e, const char *reason)
{
	json_t *d =
		json_pack("{s:I, s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "import", (json_int_t)j->import_id, "mode",
			  j->row_by_row ? "rows" : "all", "rows", (json_int_t)j->rows, "created",
			  (json_int_t)j->created, "updated", (json_int_t)j->updated, "errors", (json_int_t)j->errors,
			  "conflicts", (json_int_t)j->conflicts, "skipped", (json_int_t)j->skipped);

	if (d && j->outside) {
		json_t *ids = json_array();
		long n = j->outside < IMPORT_OUTSIDE_IDS ? j->outside : IMPORT_OUTSIDE_IDS;

		for (long i = 0; i < n; i++)
			json_array_append_new(ids, json_integer(j->outside_ids[i]));
		json_object_set_new(d, "outside_area", json_integer(j->outside));
		json_object_set_new(d, "outside_ids", ids);
	}
	if (reason)
		api_audit_detail_reason(e, d, reason);
	else
		api_audit_detail(e, d);
}

static int apply_fn(store_conn *c, void *arg)
{
	worker_arg *w = arg;
	import_job *j = w->job;
	int rc = import_apply(c, j);

	/* a file refused whole (its header, or rows in error in all-or-nothing
	 * mode) is the user's input refused, audited as "rejected" with the
	 * reason the job shows, not as a failure of the server */
	if (rc == WB_EINVAL && !j->message[0])
		wb_snprintf(j->message, sizeof(j->message), "%ld %s in the file; nothing was imported", j->errors,
			    j->errors == 1 ? "error" : "errors");
	import_detail(j, &w->e, rc == WB_EINVAL ? j->message : NULL);
	if (rc == WB_EINVAL)
		wb_strlcpy(w->e.outcome, "rejected", sizeof(w->e.outcome));
	return rc;
}

static int analyze_fn(store_conn *c, void *arg)
{
	(void)arg;
	return store_analyze(c);
}

static int save_fn(store_conn *c, void *arg)
{
	return import_save(c, arg, clock_now());
}

static void *worker_main(void *arg)
{
	worker_arg *w = arg;
	import_job *j = w->job;
	int rc = audit_submit_alone(w->a->audit, &w->e, apply_fn, w);
	const char *final;

	if (rc == WB_OK) {
		final = "done";
	} else if (rc == WB_EINVAL) {
		/* nothing was written: the writer rolled the job back */
		j->created = j->updated = j->unchanged = j->skipped = 0;
		final = "rejected";
		if (!j->message[0])
			wb_snprintf(j->message, sizeof(j->message), "%ld %s in the file; nothing was imported",
				    j->errors, j->errors == 1 ? "error" : "errors");
	} else {
		j->created = j->updated = j->unchanged = j->skipped = 0;
		final = "failed";
		wb_snprintf(j->message, sizeof(j->message), "the import failed (%s); nothing was imported",
			    wb_strerror(rc));
	}
	/* the report is saved before anyone can see the import as finished */
	wb_strlcpy(j->final_status, final, sizeof(j->final_status));
	atomic_store(&j->finished, 1);
	if (audit_submit(w->a->audit, NULL, save_fn, j) != WB_OK)
		log_error("import %" PRId64 ": its report could not be saved", j->import_id);
	if (rc == WB_OK && j->created + j->updated > 1000)
		audit_submit(w->a->audit, NULL, analyze_fn, NULL); /* the planner's statistics after a bulk load */
	pthread_mutex_lock(&jobs_mu);
	wb_strlcpy(j->status, final, sizeof(j->status));
	atomic_store(&j->percent, 100);
	pthread_mutex_unlock(&jobs_mu);
	pthread_mutex_lock(&jobs_mu);
	for (int i = 0; i < JOBS_MAX; i++)
		if (jobs[i].job == j)
			jobs[i].running = 0;
	jobs_running--;
	pthread_cond_broadcast(&jobs_cv);
	pthread_mutex_unlock(&jobs_mu);
	free(w);
	return NULL;
}

void imports_wait_idle(void)
{
	pthread_mutex_lock(&jobs_mu);
	while (jobs_running > 0)
		pthread_cond_wait(&jobs_cv, &jobs_mu);
	pthread_mutex_unlock(&jobs_mu);
}

/* Keeps the job in a slot (evicting the oldest finished one). */
static int keep_job(import_job *j, int64_t owner, const char *county)
{
	int slot = -1;

	pthread_mutex_lock(&jobs_mu);
	for (int i = 0; i < JOBS_MAX && slot < 0; i++)
		if (!jobs[i].job)
			slot = i;
	for (int i = 0; i < JOBS_MAX && slot < 0; i++)
		if (!jobs[i].running)
			slot = i;
	if (slot >= 0) {
		if (jobs[slot].job) {
			import_job_cleanup(jobs[slot].job);
			free(jobs[slot].job);
		}
		jobs[slot].job = j;
		jobs[slot].owner = owner;
		wb_strlcpy(jobs[slot].county, county, sizeof(jobs[slot].county));
		jobs[slot].running = 1;
		jobs_running++;
	}
	pthread_mutex_unlock(&jobs_mu);
	return slot >= 0 ? WB_OK : WB_EBUSY;
}

/* Gives back the slot keep_job took for j, which never started (its row
 * could not be saved): j stays the caller's to free. */
static void drop_job(import_job *j)
{
	pthread_mutex_lock(&jobs_mu);
	for (int i = 0; i < JOBS_MAX; i++)
		if (jobs[i].job == j) {
			jobs[i].job = NULL;
			jobs[i].running = 0;
			jobs_running--;
		}
	pthread_cond_broadcast(&jobs_cv);
	pthread_mutex_unlock(&jobs_mu);
}

static const char *mode_param(http_req *r, int *row_by_row)
{
	const char *m = http_query(r, "mode");

	*row_by_row = m && strcmp(m, "rows") == 0;
	if (m && strcmp(m, "rows") != 0 && strcmp(m, "all") != 0)
		return NULL;
	return "ok";
}

static json_t *job_json(const import_job *j)
{
	json_t *o =
		json_pack("{s:I, s:s, s:s, s:s, s:s, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:s}", "id",
			  (json_int_t)j->import_id, "status", j->status, "file_name", j->file_name, "format", j->format,
			  "mode", j->row_by_row ? "rows" : "all", "percent", atomic_load(&j->percent), "rows",
			  (json_int_t)j->rows, "created", (json_int_t)j->created, "updated", (json_int_t)j->updated,
			  "unchanged", (json_int_t)j->unchanged, "errors", (json_int_t)j->errors, "conflicts",
			  (json_int_t)j->conflicts, "skipped", (json_int_t)j->skipped, "message", j->message);
	json_t *arr = json_array();

	for (size_t i = 0; atomic_load(&j->finished) && i < j->nissues && i < 100; i++)
		json_array_append_new(arr, json_pack("{s:i, s:s, s:s, s:s}", "row", (int)j->issues[i].row, "column",
						     j->issues[i].column, "kind", j->issues[i].kind, "reason",
						     j->issues[i].reason));
	json_object_set_new(o, "issues", arr);
	json_object_set_new(o, "ignored_columns", import_ignored_json(j));
	return o;
}

/* The ignored columns an import saved (a JSON array), [] if none. */
static json_t *saved_ignored(const char *text)
{
	json_t *a = text && text[0] ? json_loads(text, 0, NULL) : NULL;

	if (json_is_array(a))
		return a;
	json_decref(a);
	return json_array();
}

int api_imports_create(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	const char *name = http_query(r, "file_name"), *mapping = http_query(r, "mapping");
	import_job *j = NULL;
	worker_arg *w = NULL;
	json_error_t je;
	pthread_attr_t attr;
	pthread_t th;
	int row_by_row, rc;

	(void)c;
	if (!p->def->write_children)
		return api_error(r, 403, "forbidden", "your role may not import children", NULL);
	if (!mode_param(r, &row_by_row))
		return api_error(r, 422, "validation_failed", "mode must be all or rows", "mode");
	if (r->body.len == 0)
		return api_error(r, 422, "validation_failed", "the request body must be the CSV or XLSX file", "file");
	j = calloc(1, sizeof(*j));
	if (!j)
		return api_fail(r, WB_ENOMEM);
	if (mapping) {
		j->mapping = json_loads(mapping, JSON_REJECT_DUPLICATES, &je);
		if (!j->mapping || !json_is_object(j->mapping)) {
			json_decref(j->mapping);
			free(j);
			return api_error(r, 422, "validation_failed",
					 "mapping must be a JSON object {\"header\": \"field\"}", "mapping");
		}
	}
	j->keys = &a->keys;
	j->scope = p->scope;
	wb_strlcpy(j->county, p->county_code, sizeof(j->county));
	j->user_id = p->user_id;
	j->row_by_row = row_by_row;
	/* shown in the list of imports and the children's history: a name
	 * without control or direction-changing characters */
	wb_file_name(name, NULL, 100, j->file_name, sizeof(j->file_name));
	if (!j->file_name[0])
		wb_strlcpy(j->file_name, "upload", sizeof(j->file_name));
	if (import_load(j, r->body.data, r->body.len) != WB_OK) {
		api_error(r, 422, "invalid_file", j->message, "file");
		goto fail;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		api_fail(r, WB_ENOMEM);
		goto fail;
	}
	/* a slot first: an import refused as busy leaves no row behind (its
	 * row, saved first, stayed 'running' for good) */
	if (keep_job(j, p->user_id, p->county_code) != WB_OK) {
		free(w);
		api_error(r, 503, "busy", "too many imports are running; try again shortly", NULL);
		goto fail;
	}
	rc = audit_submit(a->audit, NULL, save_fn, j); /* the imports row, status running */
	if (rc) {
		drop_job(j);
		free(w);
		api_fail(r, rc);
		goto fail;
	}
	w->a = a;
	w->job = j;
	api_audit_init(r, p, &w->e);
	wb_snprintf(w->e.object_id, sizeof(w->e.object_id), "%" PRId64, j->import_id);
	audit_entry_set(&w->e, "child.import", "import", w->e.object_id, "ok");
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &attr, worker_main, w) != 0) {
		pthread_attr_destroy(&attr);
		/* run it here instead */
		worker_main(w);
	} else {
		pthread_attr_destroy(&attr);
	}
	{
		char loc[64];

		wb_snprintf(loc, sizeof(loc), "/api/v1/imports/%" PRId64, j->import_id);
		http_add_header(r, "Location", loc);
	}
	pthread_mutex_lock(&jobs_mu);
	api_json(r, 202, job_json(j));
	pthread_mutex_unlock(&jobs_mu);
	return 0;
fail:
	json_decref(j->mapping);
	import_job_cleanup(j);
	free(j);
	return 0;
}

int api_import_get(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	store_stmt *st = NULL;
	int64_t id;
	int rc;

	(void)a;
	if (api_id_param(r, "id", &id))
		return 0;
	pthread_mutex_lock(&jobs_mu);
	for (int i = 0; i < JOBS_MAX; i++) {
		if (jobs[i].job && jobs[i].job->import_id == id && jobs[i].owner == p->user_id) {
			rc = api_json(r, 200, job_json(jobs[i].job));
			pthread_mutex_unlock(&jobs_mu);
			return rc;
		}
	}
	pthread_mutex_unlock(&jobs_mu);
	rc = conn_query(c, &st,
			"SELECT status, file_name, file_format, mode, rows_total, created, updated, unchanged, errors, "
			"conflicts, COALESCE(message, ''), skipped, COALESCE(ignored_columns, '') FROM imports WHERE "
			"id = ? AND user_id = ? AND county_code = ?",
			"iis", id, p->user_id, p->county_code);
	if (rc != STORE_ROW)
		return api_fail(r, rc < 0 ? rc : WB_ENOTFOUND);
	{
		json_t *o = json_pack(
			"{s:I, s:s, s:s, s:s, s:s, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:[]}", "id",
			(json_int_t)id, "status", stmt_text(c, st, 0), "file_name", stmt_text(c, st, 1), "format",
			stmt_text(c, st, 2), "mode", stmt_text(c, st, 3), "percent", 100, "rows",
			(json_int_t)stmt_int64(c, st, 4), "created", (json_int_t)stmt_int64(c, st, 5), "updated",
			(json_int_t)stmt_int64(c, st, 6), "unchanged", (json_int_t)stmt_int64(c, st, 7), "errors",
			(json_int_t)stmt_int64(c, st, 8), "conflicts", (json_int_t)stmt_int64(c, st, 9), "skipped",
			(json_int_t)stmt_int64(c, st, 11), "message", stmt_text(c, st, 10), "issues");

		json_object_set_new(o, "ignored_columns", saved_ignored(stmt_text(c, st, 12)));
		stmt_reset(c, st);
		return api_json(r, 200, o);
	}
}

/* One row of an import's report: the file's row number, then column,
 * kind and reason ("" where none). */
typedef void (*issue_fn)(int64_t row, const char *const cols[3], void *arg);

/* Calls fn for every issue of import id, in the order they were found. */
static int each_issue(store_conn *c, int64_t id, issue_fn fn, void *arg)
{
	store_stmt *st = NULL;
	int rc = conn_prepare(c,
			      "SELECT row_number, COALESCE(column_name, ''), kind, reason FROM import_issues WHERE "
			      "import_id = ? ORDER BY id",
			      &st);

	if (rc == WB_OK)
		rc = stmt_bind_int64(c, st, 1, id);
	while (rc == WB_OK && (rc = stmt_step(c, st)) == STORE_ROW) {
		const char *cols[3];

		for (int k = 0; k < 3; k++)
			cols[k] = stmt_text(c, st, k + 1) ? stmt_text(c, st, k + 1) : "";
		fn(stmt_int64(c, st, 0), cols, arg);
		rc = WB_OK;
	}
	stmt_reset(c, st);
	return rc < 0 ? rc : WB_OK;
}

static const sheet_word issue_kinds[] = {{"error", "错误", "error"},
					 {"conflict", "冲突", "conflict"},
					 {"skipped", "跳过", "skipped"},
					 {"ignored", "忽略", "ignored"},
					 {NULL, NULL, NULL}};

static void issue_row(int64_t row, const char *const cols[3], void *arg)
{
	api_sheet *sh = arg;

	const char *header = sh->en ? NULL : import_field_header(cols[0]);
	char zh[512];

	api_sheet_int(sh, row, 0);
	api_sheet_text(sh, header ? header : cols[0], 0); /* a missing column: by its header */
	api_sheet_text(sh, sheet_word_of(issue_kinds, cols[1], sh->en), 0);
	api_sheet_text(sh, !sh->en && import_reason_zh(cols[2], zh, sizeof(zh)) ? zh : cols[2], 1);
}

int api_import_report(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	static const char *const zh[4] = {"行号", "列", "类型", "原因"};
	static const char *const en[4] = {"Row", "Column", "Kind", "Reason"};
	store_stmt *st = NULL;
	json_t *ignored = NULL;
	api_sheet sh;
	int64_t id;
	int rc, fmt, lang_en;

	(void)a;
	if (api_id_param(r, "id", &id) || api_sheet_params(r, SHEET_CSV, 0, &fmt, &lang_en))
		return 0;
	rc = conn_query(c, &st,
			"SELECT status, COALESCE(ignored_columns, '') FROM imports WHERE id = ? AND user_id = ? AND "
			"county_code = ?",
			"iis", id, p->user_id, p->county_code);
	if (rc == STORE_ROW)
		ignored = saved_ignored(stmt_text(c, st, 1));
	stmt_reset(c, st);
	if (rc != STORE_ROW)
		return api_fail(r, rc < 0 ? rc : WB_ENOTFOUND);
	rc = api_sheet_begin(&sh, r, fmt, lang_en, lang_en ? "Import report" : "导入报告", zh, en, 4);
	/* first the columns of the header that were not read, on row 1 */
	for (size_t i = 0; rc == WB_OK && i < json_array_size(ignored); i++) {
		const char *cols[3] = {json_string_value(json_array_get(ignored, i)), "ignored",
				       import_ignored_reason(0)};

		if (cols[0])
			issue_row(1, cols, &sh);
	}
	json_decref(ignored);
	if (rc == WB_OK)
		rc = each_issue(c, id, issue_row, &sh);
	if (rc < 0) {
		api_sheet_drop(&sh);
		buf_reset(&r->out);
		return api_fail(r, rc);
	}
	{
		char stem[48];

		wb_snprintf(stem, sizeof(stem), "import-%" PRId64 "-report", id);
		return api_sheet_end(&sh, r, stem, 0);
	}
}

int api_import_fields(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	(void)a;
	(void)c;
	(void)p;
	return api_json(r, 200, json_pack("{s:o}", "fields", import_fields_json()));
}

/* GET /api/v1/imports/template: a file to fill in for POST /imports: the
 * header row alone, the columns the importer reads in its order, named as
 * it reads them (Chinese, or the field names with lang=en). No example
 * row: one left in a filled file would register a child who does not
 * exist. In the workbook every column is text, so an ID number typed in
 * keeps its 18 digits. */
int api_import_template(http_req *r, app *a, store_conn *c, const sec_principal *p)
{
	const char *zh[64], *eng[64];
	size_t n = import_template_columns(zh, eng, 64);
	api_sheet sh;
	int fmt, en, rc;

	(void)a;
	(void)c;
	(void)p;
	if (api_sheet_params(r, SHEET_XLSX, 0, &fmt, &en))
		return 0;
	rc = api_sheet_begin(&sh, r, fmt, en, en ? "Children" : "儿童", zh, eng, n);
	if (rc)
		return api_sheet_fail(&sh, r, rc);
	api_sheet_text_columns(&sh, n);
	return api_sheet_end(&sh, r, "children-import-template", 0);
}
