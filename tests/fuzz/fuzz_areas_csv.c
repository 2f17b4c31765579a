/*
 * Fuzz target: areas_csv_parse (src/api/areas_csv.h), the CSV importer of
 * the area tree. Parent lookups need a store: LLVMFuzzerInitialize opens a
 * one-connection SQLite store in memory, migrates it, and seeds county
 * 370831 with one township and one village.
 *
 * Promises checked on every input: an accepted file yields only
 * well-formed codes inside the county, non-empty names, each parent either
 * earlier in the file or already stored; and applying it inside a
 * transaction succeeds (the parser's "a bad file changes nothing" relies
 * on catching every problem before the first insert). The transaction is
 * rolled back so every input starts from the same database.
 *
 * Every accepted name and kind must also be valid UTF-8 (what the JSON API
 * needs to show them): the parser once stored whatever bytes the file held
 * (fixed; corpus/areas_csv/fixed_*, test_encoding_and_kind_length in
 * tests/unit/test_areas_csv.c).
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/api/areas_csv.h"
#include "../../src/domain/area.h"
#include "../../src/store/model.h"
#include "../../src/store/store.h"
#include "../../src/util/log.h"
#include "../../src/util/wb.h"

#define COUNTY "370831"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static store *db;
static store_conn *conn;

static void seed(const char *code, const char *kind)
{
	area_rec a;

	memset(&a, 0, sizeof(a));
	wb_strlcpy(a.code, code, sizeof(a.code));
	wb_strlcpy(a.county_code, COUNTY, sizeof(a.county_code));
	wb_strlcpy(a.level, area_level_of(code), sizeof(a.level));
	area_parent_of(code, a.parent_code, (int)sizeof(a.parent_code));
	wb_strlcpy(a.kind, kind, sizeof(a.kind));
	wb_strlcpy(a.name, code, sizeof(a.name));
	if (store_area_insert(conn, &a, 1) != WB_OK)
		abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[256];
	int version;

	(void)argc;
	(void)argv;
	log_set_level(LOG_ERROR);
	/* ":memory:" is one database per connection: a pool of one keeps it */
	if (store_open("sqlite::memory:", 1, &db, err, sizeof(err)) != WB_OK) {
		fprintf(stderr, "fuzz_areas_csv: %s\n", err);
		abort();
	}
	if (store_migrate(db, &version) != WB_OK)
		abort();
	conn = store_acquire(db);
	seed(COUNTY, "county");
	seed(COUNTY "101", "town");
	seed(COUNTY "101201", "village");
	return 0;
}

/* Text the JSON API can show: jansson refuses anything that is not valid
 * UTF-8 (overlong forms, surrogates, code points above U+10FFFF too). */
static int utf8_ok(const char *s)
{
	json_t *j = json_string(s);
	int ok = j != NULL;

	json_decref(j);
	return ok;
}

static int known_before(const areas_csv *csv, int i, const char *code)
{
	area_rec a;

	for (int k = 0; k < i; k++)
		if (strcmp(csv->rows[k].code, code) == 0)
			return 1;
	return store_area_get(conn, code, &a) == WB_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	areas_csv csv;
	char err[256];
	int line = 0, rc;

	if (!conn)
		LLVMFuzzerInitialize(NULL, NULL);
	err[0] = '\0';
	rc = areas_csv_parse(&csv, (const char *)data, size, COUNTY, conn, &line, err, sizeof(err));
	if (rc == WB_OK) {
		if (csv.n <= 0)
			abort();
		for (int i = 0; i < csv.n; i++) {
			const area_rec *a = &csv.rows[i];
			char parent[16];

			if (!area_level_of(a->code) || strcmp(area_level_of(a->code), a->level) != 0)
				abort();
			if (!area_within(a->code, COUNTY) || strcmp(a->county_code, COUNTY) != 0)
				abort();
			if (!a->name[0] || !a->kind[0])
				abort();
			if (area_parent_of(a->code, parent, (int)sizeof(parent)) != 0 || strcmp(parent, a->parent_code))
				abort();
			if (parent[0] && !known_before(&csv, i, parent))
				abort();
			if (!utf8_ok(a->name) || !utf8_ok(a->kind))
				abort();
		}
		if (conn_begin_write(conn) != WB_OK)
			abort();
		if (areas_csv_apply(&csv, conn, 1) != WB_OK) {
			fprintf(stderr, "fuzz_areas_csv: parsed file failed to apply\n");
			abort();
		}
		if (conn_rollback(conn) != WB_OK)
			abort();
	} else {
		if (!err[0] || line < 0)
			abort();
	}
	areas_csv_cleanup(&csv);
	return 0;
}
