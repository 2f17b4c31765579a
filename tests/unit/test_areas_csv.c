/*
 * Unit tests for src/api/areas_csv.h: parsing and checking an area tree
 * from CSV (code,name[,kind]; optional header and BOM; RFC 4180 quotes)
 * against a real SQLite store that already holds county 370831, township
 * 370831101 and village 370831101201. Every row is checked before anything
 * is written, with the 1-based line of the first problem.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/api/areas_csv.h"
#include "../../src/domain/area.h"
#include "../../src/store/model.h"
#include "../../src/util/wb.h"
#include "tu_store.h"

static tu_store ts;
static store_conn *conn;

static void seed(const char *code, const char *kind)
{
	area_rec a;

	memset(&a, 0, sizeof(a));
	wb_strlcpy(a.code, code, sizeof(a.code));
	wb_strlcpy(a.county_code, "370831", sizeof(a.county_code));
	wb_strlcpy(a.level, area_level_of(code), sizeof(a.level));
	area_parent_of(code, a.parent_code, (int)sizeof(a.parent_code));
	wb_strlcpy(a.kind, kind, sizeof(a.kind));
	wb_strlcpy(a.name, code, sizeof(a.name));
	assert_int_equal(store_area_insert(conn, &a, 1), WB_OK);
}

static int setup(void **state)
{
	(void)state;
	if (tu_store_open(&ts, 1) != WB_OK)
		return -1;
	conn = store_acquire(ts.s);
	seed("370831", "county");
	seed("370831101", "town");
	seed("370831101201", "village");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	store_release(conn);
	tu_store_close(&ts);
	return 0;
}

static int parse(const char *data, size_t len, areas_csv *csv, int *line, char *err, size_t errlen)
{
	err[0] = '\0';
	return areas_csv_parse(csv, data, len, "370831", conn, line, err, errlen);
}

static void test_accepted_files(void **state)
{
	static const struct {
		const char *data;
		int rows;
		const char *code1, *name1, *kind1, *parent1; /* the first row */
	} cases[] = {
		{"370831102,Town B\n370831102201,Village B1\n370831102201001,Grid 1\n", 3, "370831102", "Town B",
		 "town", "370831"},
		{"code,name,kind\n370831102,X\n", 1, "370831102", "X", "town", "370831"},
		{"\xef\xbb\xbf"
		 "370831001,\"Street, A\",subdistrict\r\n370831001001,\"Say \"\"hi\"\"\"\r\n",
		 2, "370831001", "Street, A", "subdistrict", "370831"},
		{"370831201,Township\n", 1, "370831201", "Township", "township", "370831"},
		{"370831101202,Next village\n370831101202001,Grid\n", 2, "370831101202", "Next village", "village",
		 "370831101"},
		{"370831101201002,Grid under a stored village\n", 1, "370831101201002", "Grid under a stored village",
		 "grid", "370831101201"},
		{"370831101203,Community,community\n", 1, "370831101203", "Community", "community", "370831101"},
		{"  370831102 ,  Padded  ,  town  \n", 1, "370831102", "Padded", "town", "370831"},
		{"\n\n370831102,After blank lines\n\n", 1, "370831102", "After blank lines", "town", "370831"},
		{"370831102,No final newline", 1, "370831102", "No final newline", "town", "370831"},
		{"370831102,\xe6\x96\xb0\xe5\x9f\x8e\xe9\x95\x87\n", 1, "370831102",
		 "\xe6\x96\xb0\xe5\x9f\x8e\xe9\x95\x87", "town", "370831"},
	};

	(void)state;
	for (size_t i = 0; i < WB_ARRAY_LEN(cases); i++) {
		areas_csv csv;
		char err[200];
		int line = -1;
		int rc = parse(cases[i].data, strlen(cases[i].data), &csv, &line, err, sizeof(err));

		if (rc != WB_OK)
			fail_msg("case %zu rejected at line %d: %s", i, line, err);
		assert_int_equal(csv.n, cases[i].rows);
		assert_string_equal(csv.rows[0].code, cases[i].code1);
		assert_string_equal(csv.rows[0].name, cases[i].name1);
		assert_string_equal(csv.rows[0].kind, cases[i].kind1);
		assert_string_equal(csv.rows[0].parent_code, cases[i].parent1);
		assert_string_equal(csv.rows[0].county_code, "370831");
		assert_string_equal(csv.rows[0].level, area_level_of(cases[i].code1));
		/* and it applies (inside a transaction that is rolled back) */
		assert_int_equal(conn_begin_write(conn), WB_OK);
		assert_int_equal(areas_csv_apply(&csv, conn, 1), WB_OK);
		assert_int_equal(conn_rollback(conn), WB_OK);
		areas_csv_cleanup(&csv);
		assert_null(csv.rows);
	}
}

static void test_quoted_fields(void **state)
{
	static const char data[] = "370831102,\"a,b\"\n370831103,\"\"\"quoted\"\"\"\n370831104,\"\",town\n";
	areas_csv csv;
	char err[200];
	int line;

	(void)state;
	/* the third row has an empty (quoted) name */
	assert_int_equal(parse(data, sizeof(data) - 1, &csv, &line, err, sizeof(err)), WB_EINVAL);
	assert_int_equal(line, 3);
	assert_non_null(strstr(err, "name"));
	areas_csv_cleanup(&csv);
	/* the first two rows alone */
	assert_int_equal(parse(data, (size_t)(strstr(data, "370831104") - data), &csv, &line, err, sizeof(err)), WB_OK);
	assert_int_equal(csv.n, 2);
	assert_string_equal(csv.rows[0].name, "a,b");
	assert_string_equal(csv.rows[1].name, "\"quoted\"");
	areas_csv_cleanup(&csv);
}

static void test_rejected_files(void **state)
{
	char long_name[200], long_field[300];
	const struct {
		const char *data;
		int rc, line;
		const char *err; /* a word the reason must contain */
	} cases[] = {
		{"", WB_EINVAL, 0, "no rows"},
		{"code,name\n", WB_EINVAL, 1, "no rows"},
		{"\n\n", WB_EINVAL, 0, "no rows"},      /* blank lines are not rows */
		{",,\n , \n", WB_EINVAL, 0, "no rows"}, /* nor cleared ones */
		{"代码,名称,类型\n", WB_EINVAL, 1, "no rows"},
		/* a first row that is no header is data: refused, not skipped */
		{"3708311053,Ten digits\n370831102,Ok\n", WB_EINVAL, 1, "code"},
		{"代码,村名\n370831102,Ok\n", WB_EINVAL, 1, "header"},
		{"370832101,Other county\n", WB_EINVAL, 1, "outside"},
		{"370831102,A\n370831102,A again\n", WB_EINVAL, 2, "duplicate"},
		{"370831103201,Orphan\n", WB_EINVAL, 1, "parent"},
		{"370831102201,Child first\n370831102,Parent after\n", WB_EINVAL, 1, "parent"},
		{"370831102,Ok\n37083110x,Bad code\n", WB_EINVAL, 2, "code"},
		{"370831102,Ok\n3708311,Seven digits\n", WB_EINVAL, 2, "code"},
		{"370831000,Township 000\n", WB_EINVAL, 1, "township"},
		{"370831400,Township 400\n", WB_EINVAL, 1, "township"},
		/* nor with a kind given */
		{"370831000,Township 000,subdistrict\n", WB_EINVAL, 1, "township"},
		{"370831450,Zone 450,town\n", WB_EINVAL, 1, "township"},
		{"370831102000,Village 000,village\n", WB_EINVAL, 1, "village"},
		{"370831102,\n", WB_EINVAL, 1, "name"},
		{"370831102,   \n", WB_EINVAL, 1, "name"},
		{"370831102\n", WB_EINVAL, 1, "code,name"},
		{"a,b,c,d,e,f,g,h,i\n", WB_EINVAL, 1, "columns"},
		{"370831102,\"unterminated\n", WB_EINVAL, 1, "quoted"},
		{"\n\n370832101,Line three\n", WB_EINVAL, 3, "outside"},
		{long_name, WB_EINVAL, 1, "too long"},
		{long_field, WB_EINVAL, 1, "too long"},
	};

	(void)state;
	/* a 96-byte name does not fit area_rec.name[96] with its NUL */
	memcpy(long_name, "370831102,", 10);
	memset(long_name + 10, 'n', 96);
	long_name[106] = '\0';
	/* a 260-byte name is refused */
	memcpy(long_field, "370831102,", 10);
	memset(long_field + 10, 'f', 260);
	long_field[270] = '\0';
	for (size_t i = 0; i < WB_ARRAY_LEN(cases); i++) {
		areas_csv csv;
		char err[200];
		int line = -1;
		int rc = parse(cases[i].data, strlen(cases[i].data), &csv, &line, err, sizeof(err));

		if (rc != cases[i].rc || line != cases[i].line || !strstr(err, cases[i].err))
			fail_msg("case %zu: got %s at line %d (%s), want %s at line %d (%s)", i, wb_strerror(rc), line,
				 err, wb_strerror(cases[i].rc), cases[i].line, cases[i].err);
		areas_csv_cleanup(&csv);
	}
	/* 95 bytes fit */
	long_name[105] = '\0';
	{
		areas_csv csv;
		char err[200];
		int line;

		assert_int_equal(parse(long_name, strlen(long_name), &csv, &line, err, sizeof(err)), WB_OK);
		areas_csv_cleanup(&csv);
	}
}

/* Codes the tree has already: the same name changes nothing, another name
 * (or another kind given) renames, a kind left out keeps the stored one. */
static void test_known_codes(void **state)
{
	static const char data[] = "370831101,370831101\n"                  /* as stored */
				   "370831101201,New name\n"                /* renamed */
				   "370831101202,A new village\n"           /* added */
				   "370831101202001,Its grid,urban_grid\n"; /* added under a new parent */
	areas_csv csv;
	area_rec got;
	char err[200];
	int line;

	(void)state;
	assert_int_equal(parse(data, sizeof(data) - 1, &csv, &line, err, sizeof(err)), WB_OK);
	assert_int_equal(csv.n, 4);
	assert_int_equal(csv.ops[0], AREAS_CSV_UNCHANGED);
	assert_string_equal(csv.rows[0].kind, "town"); /* kept, not derived */
	assert_int_equal(csv.ops[1], AREAS_CSV_RENAME);
	assert_int_equal(csv.ops[2], AREAS_CSV_ADD);
	assert_int_equal(csv.ops[3], AREAS_CSV_ADD);
	assert_int_equal(csv.added, 2);
	assert_int_equal(csv.renamed, 1);
	assert_int_equal(csv.unchanged, 1);
	assert_int_equal(conn_begin_write(conn), WB_OK);
	assert_int_equal(areas_csv_apply(&csv, conn, 1), WB_OK);
	assert_int_equal(store_area_get(conn, "370831101201", &got), WB_OK);
	assert_string_equal(got.name, "New name");
	assert_string_equal(got.kind, "village");
	assert_int_equal(store_area_get(conn, "370831101", &got), WB_OK);
	assert_string_equal(got.name, "370831101");
	assert_int_equal(store_area_get(conn, "370831101202001", &got), WB_OK);
	assert_int_equal(conn_rollback(conn), WB_OK);
	areas_csv_cleanup(&csv);

	/* a kind given that differs changes the kind */
	assert_int_equal(parse("370831101201,370831101201,community\n", 36, &csv, &line, err, sizeof(err)), WB_OK);
	assert_int_equal(csv.ops[0], AREAS_CSV_RENAME);
	assert_string_equal(csv.rows[0].kind, "community");
	areas_csv_cleanup(&csv);
}

static void test_nothing_written_by_parse(void **state)
{
	static const char data[] = "370831102,T\n370831102201,V\n";
	areas_csv csv;
	area_rec a;
	char err[200];
	int line;

	(void)state;
	assert_int_equal(parse(data, sizeof(data) - 1, &csv, &line, err, sizeof(err)), WB_OK);
	assert_int_equal(store_area_get(conn, "370831102", &a), WB_ENOTFOUND);
	areas_csv_cleanup(&csv);
}

static int utf8_valid(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	while (*u) {
		int need = *u < 0x80                    ? 0
			   : (*u >= 0xc2 && *u <= 0xdf) ? 1
			   : (*u >= 0xe0 && *u <= 0xef) ? 2
			   : (*u >= 0xf0 && *u <= 0xf4) ? 3
							: -1;

		if (need < 0)
			return 0;
		for (int k = 1; k <= need; k++)
			if ((u[k] & 0xc0) != 0x80)
				return 0;
		u += need + 1;
	}
	return 1;
}

/*
 * A bug once (fixed): names and kinds were stored as whatever bytes the
 * file held. A CSV saved by Excel on a Chinese Windows is GBK/GB18030, not
 * UTF-8; such a name was accepted, and later every JSON answer that carried
 * it failed (the area dropped out of GET /api/v1/areas, and
 * GET /api/v1/areas/{code} answered 500). The kind column was cut to 15
 * bytes, possibly inside a character. Required: such a row is rejected
 * with its line number (or the kind stored whole); never a stored name or
 * kind that is not UTF-8.
 */
static void test_encoding_and_kind_length(void **state)
{
	static const struct {
		const char *data, *what;
	} cases[] = {
		{"370831102,\xd0\xc2\xb3\xc7\xd5\xf2\n", "GBK name (\xe6\x96\xb0\xe5\x9f\x8e\xe9\x95\x87 in GBK)"},
		{"370831102,Town\xff\n", "name with a stray 0xFF"},
		{"370831101202,V,"
		 "\xe6\x96\xb0\xe5\x9f\x8e\xe7\xa4\xbe\xe5\x8c\xba\xe5\xb1\x85\xe5\xa7\x94\xe4\xbc\x9a\n",
		 "21-byte kind (7 characters)"},
		{"370831102,T,a\xe7\xa4\xbe\xe5\x8c\xba\xe5\xb1\x85\xe6\xb0\x91\xe5\xa7\x94\n",
		 "16-byte kind cut inside a character"},
		{"370831102,T,development-zone-office\n", "22-byte ASCII kind"},
	};
	int bad = 0;

	(void)state;
	for (size_t i = 0; i < WB_ARRAY_LEN(cases); i++) {
		areas_csv csv;
		char err[200];
		int line;
		int rc = parse(cases[i].data, strlen(cases[i].data), &csv, &line, err, sizeof(err));

		if (rc == WB_OK) {
			for (int k = 0; k < csv.n; k++) {
				const char *given = strrchr(cases[i].data, ',') + 1;
				size_t glen = strcspn(given, "\n");

				if (!utf8_valid(csv.rows[k].name) || !utf8_valid(csv.rows[k].kind) ||
				    (strchr(cases[i].data, ',') != strrchr(cases[i].data, ',') &&
				     (strlen(csv.rows[k].kind) != glen ||
				      memcmp(csv.rows[k].kind, given, glen) != 0))) {
					print_message("  %s: accepted as name \"%s\", kind \"%s\"\n", cases[i].what,
						      csv.rows[k].name, csv.rows[k].kind);
					bad++;
				}
			}
		}
		areas_csv_cleanup(&csv);
	}
	if (bad)
		fail_msg("%d row(s) stored a name or kind that is not what the file said in UTF-8", bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted_files),           cmocka_unit_test(test_quoted_fields),
		cmocka_unit_test(test_rejected_files),           cmocka_unit_test(test_known_codes),
		cmocka_unit_test(test_nothing_written_by_parse), cmocka_unit_test(test_encoding_and_kind_length),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
