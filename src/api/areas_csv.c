/*
 * Area CSV: one row per area, "code,name[,kind]", UTF-8, optional header.
 * Quoted fields follow RFC 4180. Every row is checked before anything is
 * written, so a bad file changes nothing.
 */
#include "areas_csv.h"

#include <stdlib.h>
#include <string.h>

#include "../domain/area.h"
#include "../util/buf.h"
#include "../util/wb.h"

#define CSV_MAX_FIELDS 8
#define CSV_FIELD_MAX  256

/* Reads one record from *pos; fills up to CSV_MAX_FIELDS fields. Returns
 * the number of fields, 0 at the end, -1 on a malformed record. */
static int csv_record(const char *data, size_t len, size_t *pos, char fields[CSV_MAX_FIELDS][CSV_FIELD_MAX])
{
	size_t i = *pos, fl = 0;
	int nf = 0, quoted = 0, any = 0;

	if (i >= len)
		return 0;
	fields[0][0] = '\0';
	while (i < len) {
		char ch = data[i++];

		any = 1;
		if (quoted) {
			if (ch == '"') {
				if (i < len && data[i] == '"') {
					i++;
				} else {
					quoted = 0;
					continue;
				}
			}
		} else if (ch == '"' && fl == 0) {
			quoted = 1;
			continue;
		} else if (ch == ',') {
			fields[nf][fl] = '\0';
			if (++nf >= CSV_MAX_FIELDS)
				return -1;
			fl = 0;
			fields[nf][0] = '\0';
			continue;
		} else if (ch == '\n' || ch == '\r') {
			if (ch == '\r' && i < len && data[i] == '\n')
				i++;
			break;
		}
		if (fl + 1 >= CSV_FIELD_MAX)
			return -1;
		fields[nf][fl++] = ch;
	}
	if (quoted)
		return -1;
	fields[nf][fl] = '\0';
	*pos = i;
	return any ? nf + 1 : 0;
}

static void trim(char *s)
{
	size_t n = strlen(s), b = 0;

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	while (s[b] == ' ' || s[b] == '\t')
		b++;
	if (b)
		memmove(s, s + b, n - b + 1);
}

static int known_in_file(const areas_csv *csv, const char *code)
{
	for (int i = csv->n - 1; i >= 0; i--)
		if (strcmp(csv->rows[i].code, code) == 0)
			return 1;
	return 0;
}

static const char *default_kind(const char *level, const char *code)
{
	if (strcmp(level, "township") == 0)
		return area_township_kind(code);
	if (strcmp(level, "village") == 0)
		return "village";
	if (strcmp(level, "grid") == 0)
		return "grid";
	return "county";
}

int areas_csv_parse(areas_csv *out, const char *data, size_t len, const char *county, store_conn *c, int *line_out,
		    char *err, size_t errlen)
{
	char f[CSV_MAX_FIELDS][CSV_FIELD_MAX];
	size_t pos = 0;
	int cap = 0, nf;

	memset(out, 0, sizeof(*out));
	*line_out = 0;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		pos = 3;
	while ((nf = csv_record(data, len, &pos, f)) != 0) {
		area_rec *ar;
		area_rec existing;
		const char *level;

		(*line_out)++;
		if (nf < 0)
			return wb_snprintf(err, errlen, "malformed CSV record"), WB_EINVAL;
		if (nf == 1 && f[0][0] == '\0')
			continue;
		trim(f[0]);
		if (*line_out == 1 && !area_level_of(f[0]))
			continue; /* header */
		if (nf < 2)
			return wb_snprintf(err, errlen, "expected code,name[,kind]"), WB_EINVAL;
		trim(f[1]);
		level = area_level_of(f[0]);
		if (!level)
			return wb_snprintf(err, errlen, "column code: not a 6/9/12/15-digit area code"), WB_EINVAL;
		if (!area_within(f[0], county))
			return wb_snprintf(err, errlen, "column code: area is outside county %s", county), WB_EINVAL;
		if (!f[1][0])
			return wb_snprintf(err, errlen, "column name: empty"), WB_EINVAL;
		if (strlen(f[1]) >= sizeof(existing.name))
			return wb_snprintf(err, errlen, "column name: too long"), WB_EINVAL;
		if (out->n >= AREAS_CSV_MAX_ROWS)
			return wb_snprintf(err, errlen, "too many rows"), WB_ETOOBIG;
		if (known_in_file(out, f[0]))
			return wb_snprintf(err, errlen, "column code: duplicate in file"), WB_EINVAL;
		if (store_area_get(c, f[0], &existing) == WB_OK)
			return wb_snprintf(err, errlen, "column code: area already exists"), WB_EINVAL;
		if (out->n == cap) {
			int ncap = cap ? cap * 2 : 64;
			area_rec *p = realloc(out->rows, (size_t)ncap * sizeof(*p));

			if (!p)
				return WB_ENOMEM;
			out->rows = p;
			cap = ncap;
		}
		ar = &out->rows[out->n];
		memset(ar, 0, sizeof(*ar));
		wb_strlcpy(ar->code, f[0], sizeof(ar->code));
		wb_strlcpy(ar->county_code, county, sizeof(ar->county_code));
		wb_strlcpy(ar->level, level, sizeof(ar->level));
		wb_strlcpy(ar->name, f[1], sizeof(ar->name));
		area_parent_of(f[0], ar->parent_code, sizeof(ar->parent_code));
		if (nf >= 3) {
			trim(f[2]);
			wb_strlcpy(ar->kind, f[2], sizeof(ar->kind));
		}
		if (!ar->kind[0]) {
			const char *k = default_kind(level, f[0]);

			if (!k)
				return wb_snprintf(err, errlen, "column code: township number out of range"), WB_EINVAL;
			wb_strlcpy(ar->kind, k, sizeof(ar->kind));
		}
		if (ar->parent_code[0] && !known_in_file(out, ar->parent_code) &&
		    store_area_get(c, ar->parent_code, &existing) != WB_OK)
			return wb_snprintf(err, errlen, "column code: parent area %s is unknown", ar->parent_code),
			       WB_EINVAL;
		out->n++;
	}
	if (out->n == 0)
		return wb_snprintf(err, errlen, "no rows"), WB_EINVAL;
	return WB_OK;
}

int areas_csv_apply(const areas_csv *csv, store_conn *c, int64_t now)
{
	for (int i = 0; i < csv->n; i++) {
		int rc = store_area_insert(c, &csv->rows[i], now);

		if (rc)
			return rc;
	}
	return WB_OK;
}

void areas_csv_cleanup(areas_csv *csv)
{
	free(csv->rows);
	csv->rows = NULL;
	csv->n = 0;
}
