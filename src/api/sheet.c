/*
 * Tables downloaded as CSV or XLSX (see sheet.h).
 */
#include "sheet.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "../util/buf.h"
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

void api_sheet_text(api_sheet *s, const char *v, int last)
{
	if (!v)
		v = "";
	if (s->fmt == SHEET_XLSX) {
		if (*v && worksheet_write_string(s->ws, s->row, s->col, v, NULL) != LXW_NO_ERROR)
			s->failed = 1;
	} else {
		api_csv_cell(s->out, v, last);
	}
	cell_done(s, last);
}

void api_sheet_int(api_sheet *s, int64_t v, int last)
{
	if (s->fmt == SHEET_XLSX) {
		if (worksheet_write_number(s->ws, s->row, s->col, (double)v, NULL) != LXW_NO_ERROR)
			s->failed = 1;
		cell_done(s, last);
	} else {
		char num[24];

		wb_snprintf(num, sizeof(num), "%" PRId64, v);
		api_sheet_text(s, num, last);
	}
}

static void number_text(api_sheet *s, const char *num, int last)
{
	if (s->fmt == SHEET_XLSX) {
		if (worksheet_write_number(s->ws, s->row, s->col, strtod(num, NULL), NULL) != LXW_NO_ERROR)
			s->failed = 1;
		cell_done(s, last);
	} else {
		api_sheet_text(s, num, last);
	}
}

void api_sheet_dec(api_sheet *s, double v, int places, int last)
{
	char num[48];

	wb_snprintf(num, sizeof(num), "%.*f", places < 0 ? 0 : places > 4 ? 4 : places, v);
	number_text(s, num, last);
}

void api_sheet_yuan(api_sheet *s, int64_t cents, int last)
{
	char num[32];

	wb_snprintf(num, sizeof(num), "%s%" PRId64 ".%02d", cents < 0 ? "-" : "", (cents < 0 ? -cents : cents) / 100,
		    (int)((cents < 0 ? -cents : cents) % 100));
	number_text(s, num, last);
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
	int rc = s->failed ? WB_EIO : WB_OK;

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
	return 0;
}
