/* Units from CSV: kind,code,name[,area_code] (units_csv.h). */
#include "units_csv.h"

#include <stdlib.h>
#include <string.h>

#include "../domain/fields.h"
#include "../domain/units.h"
#include "../util/buf.h"
#include "../util/table.h"
#include "../util/wb.h"

/* The kind a cell names (English or Chinese), or NULL. */
static const char *kind_of(const char *s)
{
	static const char *const names[][2] = {
		{"department", "department"}, {"职能部门", "department"}, {"部门", "department"}, {"org", "org"},
		{"社会组织", "org"},          {"school", "school"},       {"学校", "school"},
	};

	for (size_t i = 0; i < WB_ARRAY_LEN(names); i++)
		if (strcmp(s, names[i][0]) == 0)
			return names[i][1];
	return NULL;
}

/* Copies cell col of row i into out (the reader has trimmed it). */
static void cell(const table *t, size_t i, int col, char *out, size_t n)
{
	wb_strlcpy(out, table_cell(t, i, col), n);
}

/* The names a header gives the columns (the unit download's among them). */
static const char *const header_names[] = {
	"kind|类型|单位类型",
	"code|代码|单位代码",
	"name|名称|单位名称",
	"area_code|area|所在区划|所在地区|所在地区代码|地区代码|区划代码|地区|区划",
};

static int fail(char *err, size_t errlen, const char *msg)
{
	wb_strlcpy(err, msg, errlen);
	return WB_EINVAL;
}

int units_csv_parse(units_csv *out, const char *data, size_t len, const char *county, store_conn *c, int *line_out,
		    char *err, size_t errlen)
{
	table t;
	int rc, header;

	memset(out, 0, sizeof(*out));
	rc = table_read_list(&t, data, len, UNITS_CSV_MAX_ROWS, line_out, err, errlen);
	if (rc)
		goto out;
	header = table_header(&t, header_names, 4);
	if (header < 0) {
		*line_out = (int)t.rows[0].line;
		table_header_error(&t, header_names, 4, "kind,code,name,area_code (or 类型,代码,名称,所在区划)", err,
				   errlen);
		rc = WB_EINVAL;
		goto out;
	}
	out->rows = calloc(t.nrows ? t.nrows : 1, sizeof(*out->rows));
	out->ops = calloc(t.nrows ? t.nrows : 1, 1);
	if (!out->rows || !out->ops) {
		rc = WB_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < t.nrows; i++) {
		char kind_cell[64], code[64], name[256], area[32];
		unit_rec *u = &out->rows[out->n], have;
		const char *kind;
		area_rec ar;

		*line_out = (int)t.rows[i].line;
		cell(&t, i, 0, kind_cell, sizeof(kind_cell));
		kind = kind_of(kind_cell);
		if (i == 0 && header)
			continue; /* any other first row is data, checked as the rest */
		if (t.rows[i].n > 4) {
			rc = fail(err, errlen, "expected at most four columns: kind,code,name,area_code");
			goto out;
		}
		if (!kind) {
			rc = fail(err, errlen, "column kind: department, org or school");
			goto out;
		}
		cell(&t, i, 1, code, sizeof(code));
		cell(&t, i, 2, name, sizeof(name));
		cell(&t, i, 3, area, sizeof(area));
		if (!unit_code_ok(code)) {
			rc = fail(err, errlen, "column code: 2 to 31 lower-case letters, digits or '_'");
			goto out;
		}
		if (!name[0]) {
			rc = fail(err, errlen, "column name: empty");
			goto out;
		}
		if (strlen(name) > 120) {
			rc = fail(err, errlen, "column name: too long");
			goto out;
		}
		/* as POST /api/v1/units takes a name */
		if (!field_valid_name(name)) {
			rc = fail(err, errlen, "column name: control or invisible characters");
			goto out;
		}
		for (int k = 0; k < out->n; k++)
			if (strcmp(out->rows[k].kind, kind) == 0 && strcmp(out->rows[k].code, code) == 0) {
				rc = fail(err, errlen, "column code: duplicate in file");
				goto out;
			}
		memset(u, 0, sizeof(*u));
		if (area[0]) {
			rc = store_area_get(c, area, &ar);
			if (rc == WB_ENOTFOUND || (rc == WB_OK && strcmp(ar.county_code, county) != 0)) {
				rc = fail(err, errlen, "column area_code: not an area of this county");
				goto out;
			}
			if (rc)
				goto out;
			wb_strlcpy(u->area_code, area, sizeof(u->area_code));
		}
		rc = store_unit_find(c, county, kind, code, &have);
		if (rc != WB_OK && rc != WB_ENOTFOUND)
			goto out;
		if (rc == WB_OK) {
			u->id = have.id;
			if (!area[0]) /* a known unit keeps its area unless the file names one */
				wb_strlcpy(u->area_code, have.area_code, sizeof(u->area_code));
		}
		wb_strlcpy(u->county_code, county, sizeof(u->county_code));
		wb_strlcpy(u->kind, kind, sizeof(u->kind));
		wb_strlcpy(u->code, code, sizeof(u->code));
		wb_strlcpy(u->name, name, sizeof(u->name));
		if (rc == WB_ENOTFOUND) {
			out->ops[out->n] = AREAS_CSV_ADD;
			out->added++;
		} else if (strcmp(have.name, u->name) != 0 || strcmp(have.area_code, u->area_code) != 0) {
			out->ops[out->n] = AREAS_CSV_RENAME;
			out->renamed++;
		} else {
			out->ops[out->n] = AREAS_CSV_UNCHANGED;
			out->unchanged++;
		}
		out->n++;
	}
	if (out->n == 0) {
		rc = fail(err, errlen, "no rows");
		goto out;
	}
	rc = WB_OK;
out:
	table_cleanup(&t);
	return rc;
}

int units_csv_apply(const units_csv *csv, store_conn *c, int64_t now)
{
	for (int i = 0; i < csv->n; i++) {
		int64_t id;
		int rc = csv->ops[i] == AREAS_CSV_ADD      ? store_unit_insert(c, &csv->rows[i], now, &id)
			 : csv->ops[i] == AREAS_CSV_RENAME ? store_unit_update(c, &csv->rows[i])
							   : WB_OK;

		if (rc)
			return rc;
	}
	return WB_OK;
}

void units_csv_cleanup(units_csv *csv)
{
	free(csv->rows);
	free(csv->ops);
	memset(csv, 0, sizeof(*csv));
}
