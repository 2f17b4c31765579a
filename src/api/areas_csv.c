/*
 * Area CSV: one row per area, "code,name[,kind]", UTF-8 or GB18030 (what
 * Excel writes on Chinese Windows), optional header. Every row is checked
 * before anything is written, so a bad file changes nothing. Codes already
 * seen in the file are kept in a hash set, so a large file costs linear time.
 * Rows of areas the tree has already rename them or change nothing; areas
 * are never deleted (children and accounts refer to them).
 */
#include "areas_csv.h"

#include <stdlib.h>
#include <string.h>

#include "../domain/area.h"
#include "../domain/fields.h"
#include "../util/buf.h"
#include "../util/table.h"
#include "../util/wb.h"

typedef struct code_set {
	char (*codes)[16];
	size_t cap;
} code_set;

/* Adds code; returns 1 if it was already there. */
static int set_add(code_set *set, const char *code)
{
	for (size_t i = (size_t)(wb_fnv1a(code) % set->cap);; i = (i + 1) % set->cap) {
		if (!set->codes[i][0]) {
			wb_strlcpy(set->codes[i], code, sizeof(set->codes[0]));
			return 0;
		}
		if (strcmp(set->codes[i], code) == 0)
			return 1;
	}
}

static int set_has(const code_set *set, const char *code)
{
	for (size_t i = (size_t)(wb_fnv1a(code) % set->cap);; i = (i + 1) % set->cap) {
		if (!set->codes[i][0])
			return 0;
		if (strcmp(set->codes[i], code) == 0)
			return 1;
	}
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

/* The names a header gives the columns (the area download's among them). */
static const char *const header_names[] = {
	"code|代码|区划代码|地区代码|编码",
	"name|名称|区划名称|地区名称",
	"kind|类型|区划类型",
};

static int fail(char *err, size_t errlen, const char *msg)
{
	wb_strlcpy(err, msg, errlen);
	return WB_EINVAL;
}

int areas_csv_parse(areas_csv *out, const char *data, size_t len, const char *county, store_conn *c, int *line_out,
		    char *err, size_t errlen)
{
	code_set seen = {0};
	table t;
	int rc, header;

	memset(out, 0, sizeof(*out));
	rc = table_read_list(&t, data, len, AREAS_CSV_MAX_ROWS, line_out, err, errlen);
	if (rc)
		goto out;
	header = table_header(&t, header_names, 3);
	if (header < 0) {
		*line_out = (int)t.rows[0].line;
		table_header_error(&t, header_names, 3, "code,name,kind (or 代码,名称,类型)", err, errlen);
		rc = WB_EINVAL;
		goto out;
	}
	seen.cap = t.nrows * 2 + 1;
	seen.codes = calloc(seen.cap, sizeof(*seen.codes));
	out->rows = calloc(t.nrows ? t.nrows : 1, sizeof(*out->rows));
	out->ops = calloc(t.nrows ? t.nrows : 1, 1);
	if (!seen.codes || !out->rows || !out->ops) {
		rc = WB_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < t.nrows; i++) {
		char code[32], name[256], kind[64];
		area_rec *ar = &out->rows[out->n];
		area_rec existing;
		const char *level;

		*line_out = (int)t.rows[i].line;
		wb_strlcpy(code, table_cell(&t, i, 0), sizeof(code));
		if (t.rows[i].n > 3) {
			rc = fail(err, errlen, "expected at most three columns: code,name,kind");
			goto out;
		}
		if (i == 0 && header)
			continue; /* any other first row is data, checked as the rest */
		if (t.rows[i].n < 2) {
			rc = fail(err, errlen, "expected code,name[,kind]");
			goto out;
		}
		level = area_level_of(code);
		if (!level) {
			rc = fail(err, errlen, "column code: not a 6/9/12/15-digit area code");
			goto out;
		}
		if (!area_within(code, county)) {
			wb_snprintf(err, errlen, "column code: area is outside county %s", county);
			rc = WB_EINVAL;
			goto out;
		}
		if (wb_strlcpy(name, table_cell(&t, i, 1), sizeof(name)) != WB_OK ||
		    strlen(table_cell(&t, i, 1)) >= sizeof(ar->name)) {
			rc = fail(err, errlen, "column name: too long");
			goto out;
		}
		if (!name[0]) {
			rc = fail(err, errlen, "column name: empty");
			goto out;
		}
		/* the rule of every name the API takes (a unit's, an account's) */
		if (!field_valid_name(name)) {
			rc = fail(err, errlen, "column name: control or invisible characters");
			goto out;
		}
		if (set_add(&seen, code)) {
			rc = fail(err, errlen, "column code: duplicate in file");
			goto out;
		}
		rc = store_area_get(c, code, &existing);
		if (rc != WB_OK && rc != WB_ENOTFOUND)
			goto out;
		out->ops[out->n] = rc == WB_OK ? AREAS_CSV_UNCHANGED : AREAS_CSV_ADD;
		/* a new area's number is one of SPEC §2's, whatever kind the file
		 * gives it (township 000 or 400 was added when a kind was given,
		 * refused when not); an area the tree has is left as it is */
		if (out->ops[out->n] == AREAS_CSV_ADD && strcmp(level, "township") == 0 && !area_township_kind(code)) {
			rc = fail(err, errlen, "column code: a township's number is 001 to 399");
			goto out;
		}
		if (out->ops[out->n] == AREAS_CSV_ADD && strcmp(level, "village") == 0 &&
		    strcmp(code + 9, "000") == 0) {
			rc = fail(err, errlen, "column code: a village's number is 001 to 999, not 000");
			goto out;
		}
		memset(ar, 0, sizeof(*ar));
		wb_strlcpy(ar->code, code, sizeof(ar->code));
		wb_strlcpy(ar->county_code, county, sizeof(ar->county_code));
		wb_strlcpy(ar->level, level, sizeof(ar->level));
		wb_strlcpy(ar->name, name, sizeof(ar->name));
		area_parent_of(code, ar->parent_code, sizeof(ar->parent_code));
		kind[0] = '\0';
		if (t.rows[i].n >= 3) {
			if (wb_strlcpy(kind, table_cell(&t, i, 2), sizeof(kind)) != WB_OK) {
				rc = fail(err, errlen, "column kind: too long");
				goto out;
			}
			if (kind[0] && !area_kind_valid(level, kind)) {
				wb_snprintf(err, errlen, "column kind: a %s is one of %s", level, area_kinds_of(level));
				rc = WB_EINVAL;
				goto out;
			}
		}
		if (!kind[0] && out->ops[out->n] == AREAS_CSV_UNCHANGED)
			wb_strlcpy(kind, existing.kind, sizeof(kind)); /* a known area keeps its kind */
		if (!kind[0]) {
			const char *k = default_kind(level, code);

			if (!k) {
				rc = fail(err, errlen, "column code: a township's number is 001 to 399");
				goto out;
			}
			wb_strlcpy(kind, k, sizeof(kind));
		}
		wb_strlcpy(ar->kind, kind, sizeof(ar->kind));
		if (out->ops[out->n] == AREAS_CSV_UNCHANGED) {
			if (strcmp(existing.name, ar->name) != 0 || strcmp(existing.kind, ar->kind) != 0) {
				out->ops[out->n] = AREAS_CSV_RENAME;
				out->renamed++;
			} else {
				out->unchanged++;
			}
			out->n++;
			continue; /* its parent is in the tree already */
		}
		out->added++;
		if (ar->parent_code[0] && !set_has(&seen, ar->parent_code) &&
		    store_area_get(c, ar->parent_code, &existing) != WB_OK) {
			wb_snprintf(err, errlen, "column code: parent area %s is unknown", ar->parent_code);
			rc = WB_EINVAL;
			goto out;
		}
		out->n++;
	}
	if (out->n == 0) {
		rc = fail(err, errlen, "no rows");
		goto out;
	}
	rc = WB_OK;
out:
	free(seen.codes);
	table_cleanup(&t);
	return rc;
}

int areas_csv_apply(const areas_csv *csv, store_conn *c, int64_t now)
{
	for (int i = 0; i < csv->n; i++) {
		int rc = csv->ops[i] == AREAS_CSV_ADD      ? store_area_insert(c, &csv->rows[i], now)
			 : csv->ops[i] == AREAS_CSV_RENAME ? store_area_rename(c, &csv->rows[i])
							   : WB_OK;

		if (rc)
			return rc;
	}
	return WB_OK;
}

void areas_csv_cleanup(areas_csv *csv)
{
	free(csv->rows);
	free(csv->ops);
	memset(csv, 0, sizeof(*csv));
}
