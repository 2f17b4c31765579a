/*
 * Tables downloaded as CSV or XLSX (see sheet.h).
 */
#include "sheet.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "../util/buf.h"
#include "../util/clock.h"
#include "../util/wb.h"

#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

int api_sheet_params(http_req *r, int def, int allow_json, int *fmt, int *en)
{
	const char *f = http_query(r, "format"), *l = http_query(r, "lang");

	*fmt = def;
	*en = l && strcmp(l, "en") == 0;
	if (f) {
		if (strcmp(f, "csv") == 0)
			*fmt = SHEET_CSV;
		else if (strcmp(f, "xlsx") == 0)
			*fmt = SHEET_XLSX;
		else if (allow_json && strcmp(f, "json") == 0)
			*fmt = SHEET_JSON;
		else
			return api_error(r, 422, "validation_failed",
					 allow_json ? "format must be json, csv or xlsx" : "format must be csv or xlsx",
					 "format"),
			       -1;
	}
	if (l && !*en && strcmp(l, "zh") != 0)
		return api_error(r, 422, "validation_failed", "lang must be zh or en", "lang"), -1;
	return 0;
}

int api_sheet_begin(api_sheet *s, http_req *r, int fmt, int en, const char *title, const char *const *zh,
		    const char *const *en_cols, size_t n)
{
	const char *const *cols = en ? en_cols : zh;

	memset(s, 0, sizeof(*s));
	s->fmt = fmt;
	s->en = en;
	s->out = &r->out;
	buf_reset(&r->out);
	if (fmt == SHEET_XLSX) {
		lxw_workbook_options opt = {.constant_memory = 1, .tmpdir = (char *)"/tmp", .use_zip64 = 0};
		int fd;

		wb_strlcpy(s->path, "/tmp/weibao-sheet-XXXXXX", sizeof(s->path));
		fd = mkstemp(s->path);
		if (fd < 0)
			return WB_EIO;
		close(fd);
		s->wb = workbook_new_opt(s->path, &opt);
		s->ws = s->wb ? workbook_add_worksheet(s->wb, title) : NULL;
		if (!s->ws) {
			api_sheet_drop(s);
			return WB_EIO;
		}
	} else {
		buf_puts(&r->out, "\xEF\xBB\xBF"); /* BOM: Excel reads the file as UTF-8 */
	}
	for (size_t i = 0; i < n; i++)
		api_sheet_text(s, cols[i], i + 1 == n);
	s->rows = 0;
	return WB_OK;
}

static void cell_done(api_sheet *s, int last)
{
	if (last) {
		s->row++;
		s->col = 0;
		s->rows++;
	} else {
		s->col++;
	}
}

void api_sheet_summary_row(api_sheet *s)
{
	if (s->rows > 0 && s->col == 0)
		s->rows--;
}

void api_sheet_text(api_sheet *s, const char *v, int last)
{
	if (!v)
		v = "";
	if (s->fmt == SHEET_XLSX) {
		if (*v && worksheet_write_string(s->ws, s->row, s->col, v, NULL) != LXW_NO_ERROR)
			s->failed = 1;
	} else {
		if (api_csv_cell(s->out, v, last) != WB_OK)
			s->failed = SHEET_FULL;
	}
	cell_done(s, last);
}

/* A number the server formatted (digits, a sign, a point): a number cell
 * in a workbook; in CSV written as it is, neither quoted nor defused (a
 * leading minus is a negative amount, not a formula). */
static void number_cell(api_sheet *s, const char *num, int last)
{
	if (s->fmt == SHEET_XLSX) {
		if (worksheet_write_number(s->ws, s->row, s->col, strtod(num, NULL), NULL) != LXW_NO_ERROR)
			s->failed = 1;
	} else if (buf_puts(s->out, num) != WB_OK || buf_puts(s->out, last ? "\r\n" : ",") != WB_OK) {
		s->failed = SHEET_FULL;
	}
	cell_done(s, last);
}

void api_sheet_int(api_sheet *s, int64_t v, int last)
{
	char num[24];

	wb_snprintf(num, sizeof(num), "%" PRId64, v);
	number_cell(s, num, last);
}

void api_sheet_dec(api_sheet *s, double v, int places, int last)
{
	char num[48];

	wb_snprintf(num, sizeof(num), "%.*f", places < 0 ? 0 : places > 4 ? 4 : places, v);
	number_cell(s, num, last);
}

void api_sheet_yuan(api_sheet *s, int64_t cents, int last)
{
	char num[32];

	wb_snprintf(num, sizeof(num), "%s%" PRId64 ".%02d", cents < 0 ? "-" : "", (cents < 0 ? -cents : cents) / 100,
		    (int)((cents < 0 ? -cents : cents) % 100));
	number_cell(s, num, last);
}

void api_sheet_text_columns(api_sheet *s, size_t n)
{
	lxw_format *f;

	if (s->fmt != SHEET_XLSX || !n || s->failed)
		return;
	f = workbook_add_format(s->wb);
	if (!f) {
		s->failed = 1;
		return;
	}
	format_set_num_format_index(f, 49); /* the built-in "@": text */
	if (worksheet_set_column(s->ws, 0, (lxw_col_t)(n - 1), 16, f) != LXW_NO_ERROR)
		s->failed = 1;
}

void api_sheet_row(api_sheet *s, const char *const *cells, size_t n)
{
	for (size_t i = 0; i < n; i++)
		api_sheet_text(s, cells[i], i + 1 == n);
}

const char *api_sheet_ext(const api_sheet *s)
{
	return s->fmt == SHEET_XLSX ? "xlsx" : "csv";
}

static int read_into(const char *path, buf *out)
{
	char chunk[65536];
	FILE *f = fopen(path, "rb");
	size_t n;
	int rc = WB_OK;

	if (!f)
		return WB_EIO;
	while (rc == WB_OK && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		rc = buf_append(out, chunk, n);
	fclose(f);
	return rc;
}

void api_sheet_drop(api_sheet *s)
{
	if (s->wb)
		workbook_close(s->wb);
	s->wb = NULL;
	s->ws = NULL;
	if (s->path[0])
		unlink(s->path);
	s->path[0] = '\0';
}

int api_sheet_finish(api_sheet *s, http_req *r)
{
	/* a CSV larger than a response may be is refused whole, never cut */
	int rc = s->failed == SHEET_FULL ? WB_ETOOBIG : s->failed ? WB_EIO : WB_OK;

	if (s->finished)
		return 0;
	s->finished = 1;
	if (s->fmt == SHEET_XLSX) {
		lxw_error e = s->wb ? workbook_close(s->wb) : LXW_ERROR_MEMORY_MALLOC_FAILED;

		s->wb = NULL;
		if (rc == WB_OK && e != LXW_NO_ERROR)
			rc = WB_EIO;
		buf_reset(&r->out);
		if (rc == WB_OK)
			rc = read_into(s->path, &r->out);
		api_sheet_drop(s);
	}
	if (rc == WB_OK)
		return 0;
	buf_reset(&r->out);
	if (rc == WB_ETOOBIG)
		api_error(r, 422, "too_many_entries",
			  "the file would be larger than a response may be: narrow the filter", NULL);
	else
		api_fail(r, rc);
	return -1;
}

int api_sheet_end(api_sheet *s, http_req *r, const char *stem, int64_t stamp)
{
	char disp[128];

	if (api_sheet_finish(s, r))
		return 0;
	r->status = 200;
	r->content_type = s->fmt == SHEET_XLSX ? XLSX_TYPE : "text/csv; charset=utf-8";
	if (stamp > 0)
		wb_snprintf(disp, sizeof(disp), "attachment; filename=\"%s-%" PRId64 ".%s\"", stem, stamp,
			    api_sheet_ext(s));
	else
		wb_snprintf(disp, sizeof(disp), "attachment; filename=\"%s.%s\"", stem, api_sheet_ext(s));
	http_add_header(r, "Content-Disposition", disp);
	wb_snprintf(disp, sizeof(disp), "%" PRId64, s->rows);
	http_add_header(r, "X-Export-Rows", disp);
	return 0;
}

int api_sheet_begin_cols(api_sheet *s, http_req *r, int fmt, int en, const char *title, const sheet_col *cols, size_t n)
{
	const char *zh[64], *eng[64];

	if (n > 64)
		return WB_EINVAL;
	for (size_t i = 0; i < n; i++) {
		zh[i] = cols[i].zh;
		eng[i] = cols[i].en;
	}
	return api_sheet_begin(s, r, fmt, en, title, zh, eng, n);
}

const sheet_word sheet_sex_words[] = {{"M", "男", "M"}, {"F", "女", "F"}, {NULL, NULL, NULL}};
const sheet_word sheet_hukou_words[] = {{"rural", "农业", "rural"}, {"urban", "非农业", "urban"}, {NULL, NULL, NULL}};
const sheet_word sheet_risk_words[] = {
	{"low", "低", "low"}, {"medium", "中", "medium"}, {"high", "高", "high"}, {NULL, NULL, NULL}};
const sheet_word sheet_category_words[] = {
	{"orphan", "孤儿", "orphan"},
	{"de_facto_unsupported", "事实无人抚养儿童", "de facto unsupported"},
	{"left_behind", "农村留守儿童", "rural left-behind"},
	{"in_difficulty", "困境儿童", "in difficulty"},
	{NULL, NULL, NULL},
};

const char *sheet_word_of(const sheet_word *words, const char *code, int en)
{
	for (const sheet_word *w = words; w && w->code; w++)
		if (strcmp(w->code, code) == 0)
			return en ? w->en : w->zh;
	return code;
}

/* The value at path ("a.b": key b of the object at key a), or NULL. */
static const json_t *value_at(const json_t *item, const char *path)
{
	const char *dot;
	char key[64];

	while ((dot = strchr(path, '.'))) {
		size_t len = (size_t)(dot - path);

		if (len >= sizeof(key))
			return NULL;
		memcpy(key, path, len);
		key[len] = '\0';
		item = json_object_get(item, key);
		if (!json_is_object(item))
			return NULL;
		path = dot + 1;
	}
	return json_object_get(item, path);
}

static void json_cell(api_sheet *s, const json_t *v, const sheet_col *col, int last)
{
	char text[1024];

	switch (col->kind) {
	case SC_INT:
		if (json_is_integer(v))
			api_sheet_int(s, json_integer_value(v), last);
		else
			api_sheet_text(s, json_string_value(v), last);
		return;
	case SC_YUAN:
		if (json_is_integer(v))
			api_sheet_yuan(s, json_integer_value(v), last);
		else
			api_sheet_text(s, "", last);
		return;
	case SC_TIME:
		text[0] = '\0';
		if (json_is_integer(v) && json_integer_value(v) > 0) {
			time_t t = (time_t)(json_integer_value(v) + 8 * 3600);
			struct tm tm;

			if (gmtime_r(&t, &tm))
				strftime(text, sizeof(text), "%Y-%m-%d %H:%M", &tm);
		}
		api_sheet_text(s, text, last);
		return;
	case SC_BOOL: api_sheet_text(s, json_is_true(v) ? (s->en ? "yes" : "是") : (s->en ? "no" : "否"), last); return;
	case SC_WORD:
		api_sheet_text(s, json_is_string(v) ? sheet_word_of(col->words, json_string_value(v), s->en) : "",
			       last);
		return;
	case SC_AREA:
		text[0] = '\0';
		if (s->c && json_is_string(v) && api_area_name(s->c, json_string_value(v), text, sizeof(text)) != WB_OK)
			text[0] = '\0';
		api_sheet_text(s, text, last);
		return;
	case SC_PCT:
		if (json_is_number(v))
			api_sheet_dec(s, 100.0 * json_number_value(v), 1, last);
		else
			api_sheet_text(s, "", last);
		return;
	case SC_HOURS:
		if (json_is_integer(v))
			api_sheet_dec(s, (double)json_integer_value(v) / 3600.0, 1, last);
		else
			api_sheet_text(s, "", last);
		return;
	case SC_TEXT:
	default:
		if (json_is_integer(v)) {
			wb_snprintf(text, sizeof(text), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
			api_sheet_text(s, text, last);
		} else {
			api_sheet_text(s, json_string_value(v), last);
		}
		return;
	}
}

void api_sheet_json_row(api_sheet *s, const json_t *item, const sheet_col *cols, size_t n)
{
	for (size_t i = 0; i < n; i++)
		json_cell(s, value_at(item, cols[i].path), &cols[i], i + 1 == n);
}

int api_sheet_fail(api_sheet *s, http_req *r, int rc)
{
	api_sheet_drop(s);
	buf_reset(&r->out);
	return api_fail(r, rc);
}

int api_sheet_audited_end(api_sheet *s, http_req *r, app *a, const sec_principal *p, const char *action,
			  const char *object_type, json_t *detail, const char *stem, int64_t stamp)
{
	audit_entry e;

	if (api_sheet_finish(s, r)) {
		json_decref(detail);
		return 0;
	}
	if (!detail)
		detail = json_object();
	json_object_set_new(detail, "format", json_string(api_sheet_ext(s)));
	json_object_set_new(detail, "rows", json_integer(s->rows));
	api_audit_init(r, p, &e);
	audit_entry_set(&e, action, object_type, "", "ok");
	api_audit_detail(&e, detail);
	if (api_audit_read(r, a, &e) != WB_OK) {
		buf_reset(&r->out);
		return api_fail(r, WB_ESTORE);
	}
	return api_sheet_end(s, r, stem, stamp);
}

int api_sheet_items(http_req *r, app *a, const sec_principal *p, json_t *items, int fmt, int en, const char *title,
		    const char *stem, const sheet_col *cols, size_t n, const char *action, const char *object_type,
		    json_t *detail)
{
	api_sheet sh;
	const json_t *it;
	size_t i;
	int rc = api_sheet_begin_cols(&sh, r, fmt, en, title, cols, n);

	if (rc) {
		json_decref(items);
		json_decref(detail);
		return api_fail(r, rc);
	}
	sh.c = api_conn(r);
	json_array_foreach(items, i, it) api_sheet_json_row(&sh, it, cols, n);
	json_decref(items);
	if (action)
		return api_sheet_audited_end(&sh, r, a, p, action, object_type, detail, stem, clock_today_ymd());
	json_decref(detail);
	return api_sheet_end(&sh, r, stem, clock_today_ymd());
}
