/*
 * Unit tests for the downloads of src/api/sheet.c: a list's JSON items
 * written as CSV through a column table (every kind of column, Chinese and
 * English words, defused formulas, quoting), the answer's headers, and the
 * XLSX workbook, read back with the import's own reader, whose temporary
 * file is gone once the answer is made or dropped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../src/api/sheet.h"
#include "../../src/http/http.h"
#include "../../src/util/buf.h"
#include "../../src/util/table.h"
#include "../../src/util/wb.h"

static const sheet_word words[] = {
	{"urgent", "紧急", "Urgent"},
	{"normal", "一般", "Normal"},
	{NULL, NULL, NULL},
};

static const sheet_col cols[] = {
	{"编号", "ID", "id", SC_INT, NULL},
	{"金额", "Amount", "cents", SC_YUAN, NULL},
	{"时间", "At", "at", SC_TIME, NULL},
	{"是否", "Flag", "flag", SC_BOOL, NULL},
	{"紧急", "Urgency", "urgency", SC_WORD, words},
	{"其他", "Other", "other", SC_WORD, words},
	{"比例", "Share", "share", SC_PCT, NULL},
	{"姓名", "Name", "child.name", SC_TEXT, NULL},
	{"缺", "Missing", "nothing.here", SC_TEXT, NULL},
	{"公式", "Formula", "formula", SC_TEXT, NULL},
	{"逗号", "Comma", "comma", SC_TEXT, NULL},
};

static json_t *item(void)
{
	/* 2026-01-01T00:00:00Z is 08:00 in China Standard Time */
	return json_pack("{s:I, s:I, s:I, s:b, s:s, s:s, s:f, s:{s:s}, s:s, s:s}", "id", (json_int_t)42, "cents",
			 (json_int_t)-150, "at", (json_int_t)1767225600, "flag", 1, "urgency", "urgent", "other",
			 "mystery", "share", 0.5, "child", "name", "张三", "formula", "=1+2", "comma", "a,\"b\"");
}

static void req_init(http_req *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->body, 1 << 20);
	buf_init(&r->out, 8 << 20);
}

static void req_cleanup(http_req *r)
{
	for (int i = 0; i < r->nheaders; i++) {
		free(r->headers[i][0]);
		free(r->headers[i][1]);
	}
	buf_cleanup(&r->body);
	buf_cleanup(&r->out);
}

static const char *header(const http_req *r, const char *name)
{
	for (int i = 0; i < r->nheaders; i++)
		if (strcmp(r->headers[i][0], name) == 0)
			return r->headers[i][1];
	return NULL;
}

static void test_csv_every_kind(void **state)
{
	http_req r;
	api_sheet sh;
	json_t *it = item();
	char *text;

	(void)state;
	req_init(&r);
	assert_int_equal(api_sheet_begin_cols(&sh, &r, SHEET_CSV, 0, "测试", cols, WB_ARRAY_LEN(cols)), WB_OK);
	api_sheet_json_row(&sh, it, cols, WB_ARRAY_LEN(cols));
	assert_int_equal(api_sheet_end(&sh, &r, "list", 20261129), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.content_type, "text/csv; charset=utf-8");
	assert_string_equal(header(&r, "Content-Disposition"), "attachment; filename=\"list-20261129.csv\"");
	assert_string_equal(header(&r, "X-Export-Rows"), "1");
	text = strndup(r.out.data, r.out.len);
	assert_string_equal(text, "\xEF\xBB\xBF"
				  "编号,金额,时间,是否,紧急,其他,比例,姓名,缺,公式,逗号\r\n"
				  "42,-1.50,2026-01-01 08:00,是,紧急,mystery,50.0,张三,,'=1+2,\"a,\"\"b\"\"\"\r\n");
	free(text);
	json_decref(it);
	req_cleanup(&r);
}

static int count_lines(const http_req *r)
{
	int n = 0;

	for (size_t i = 0; i < r->out.len; i++)
		n += r->out.data[i] == '\n';
	return n;
}

static void test_csv_english(void **state)
{
	http_req r;
	api_sheet sh;
	json_t *it = item();
	char *text;

	(void)state;
	req_init(&r);
	json_object_set_new(it, "flag", json_false());
	json_object_set_new(it, "at", json_integer(0));
	json_object_set_new(it, "share", json_null());
	assert_int_equal(api_sheet_begin_cols(&sh, &r, SHEET_CSV, 1, "Test", cols, 6), WB_OK);
	api_sheet_json_row(&sh, it, cols, 6);
	api_sheet_json_row(&sh, it, cols, 6);
	assert_int_equal(api_sheet_end(&sh, &r, "list", 0), 0);
	assert_string_equal(header(&r, "Content-Disposition"), "attachment; filename=\"list.csv\"");
	assert_string_equal(header(&r, "X-Export-Rows"), "2");
	text = strndup(r.out.data, r.out.len);
	assert_string_equal(text, "\xEF\xBB\xBFID,Amount,At,Flag,Urgency,Other\r\n"
				  "42,-1.50,,no,Urgent,mystery\r\n"
				  "42,-1.50,,no,Urgent,mystery\r\n");
	free(text);
	json_decref(it);
	req_cleanup(&r);
}

/* A CSV that would not fit in the answer is refused whole, never cut. */
static void test_csv_too_big(void **state)
{
	http_req r;
	api_sheet sh;
	json_t *it = item();
	char *text;

	(void)state;
	req_init(&r);
	r.out.max = 300; /* a small answer: the rows below need more */
	assert_int_equal(api_sheet_begin_cols(&sh, &r, SHEET_CSV, 1, "Test", cols, 6), WB_OK);
	for (int i = 0; i < 20; i++)
		api_sheet_json_row(&sh, it, cols, 6);
	assert_int_equal(api_sheet_end(&sh, &r, "list", 0), 0);
	assert_int_equal(r.status, 422);
	assert_null(header(&r, "X-Export-Rows"));
	assert_null(header(&r, "Content-Disposition"));
	text = strndup(r.out.data, r.out.len);
	assert_non_null(strstr(text, "too_many_entries"));
	assert_null(strstr(text, "mystery")); /* no row of the file */
	free(text);
	json_decref(it);
	req_cleanup(&r);
}

/* A totals row is written but not counted as a data row. */
static void test_summary_row(void **state)
{
	http_req r;
	api_sheet sh;
	json_t *it = item();

	(void)state;
	req_init(&r);
	assert_int_equal(api_sheet_begin_cols(&sh, &r, SHEET_CSV, 1, "Test", cols, 2), WB_OK);
	api_sheet_json_row(&sh, it, cols, 2);
	api_sheet_json_row(&sh, it, cols, 2);
	api_sheet_json_row(&sh, it, cols, 2); /* the totals */
	api_sheet_summary_row(&sh);
	assert_int_equal(api_sheet_end(&sh, &r, "list", 0), 0);
	assert_string_equal(header(&r, "X-Export-Rows"), "2");
	assert_int_equal(count_lines(&r), 4); /* the header, two rows and the totals */
	json_decref(it);
	req_cleanup(&r);
}

static void test_xlsx_reads_back(void **state)
{
	http_req r;
	api_sheet sh;
	json_t *it = item();
	char path[sizeof(sh.path)], err[200];
	table t;

	(void)state;
	req_init(&r);
	assert_int_equal(api_sheet_begin_cols(&sh, &r, SHEET_XLSX, 0, "测试", cols, WB_ARRAY_LEN(cols)), WB_OK);
	memcpy(path, sh.path, sizeof(path));
	assert_int_equal(access(path, F_OK), 0);
	api_sheet_json_row(&sh, it, cols, WB_ARRAY_LEN(cols));
	assert_int_equal(api_sheet_end(&sh, &r, "list", 20261129), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.content_type, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
	assert_string_equal(header(&r, "Content-Disposition"), "attachment; filename=\"list-20261129.xlsx\"");
	assert_int_not_equal(access(path, F_OK), 0); /* the temporary file is gone */
	assert_memory_equal(r.out.data, "PK\x03\x04", 4);

	table_init(&t);
	assert_int_equal(table_read_xlsx(&t, r.out.data, r.out.len, err, sizeof(err)), WB_OK);
	assert_int_equal(t.nrows, 2);
	assert_string_equal(table_cell(&t, 0, 0), "编号");
	assert_string_equal(table_cell(&t, 1, 0), "42");
	assert_string_equal(table_cell(&t, 1, 1), "-1.5");
	assert_string_equal(table_cell(&t, 1, 4), "紧急");
	assert_string_equal(table_cell(&t, 1, 6), "50");
	assert_string_equal(table_cell(&t, 1, 7), "张三");
	/* a workbook's text cell is text, never a formula: written as it is */
	assert_string_equal(table_cell(&t, 1, 9), "=1+2");
	table_cleanup(&t);
	json_decref(it);
	req_cleanup(&r);
}

static void test_xlsx_dropped(void **state)
{
	http_req r;
	api_sheet sh;
	char path[sizeof(sh.path)];

	(void)state;
	req_init(&r);
	assert_int_equal(api_sheet_begin_cols(&sh, &r, SHEET_XLSX, 1, "Test", cols, 3), WB_OK);
	memcpy(path, sh.path, sizeof(path));
	api_sheet_int(&sh, 1, 0);
	api_sheet_text(&sh, "x", 0);
	api_sheet_text(&sh, NULL, 1);
	assert_int_equal(api_sheet_fail(&sh, &r, WB_ESTORE), 0);
	assert_int_equal(r.status, 500);
	assert_int_not_equal(access(path, F_OK), 0);
	api_sheet_drop(&sh); /* twice is harmless */
	req_cleanup(&r);
}

/* Every cell a spreadsheet would run gets a ', however long it is, and the
 * import's reader takes exactly that ' off: the file reads back as the
 * texts it was written from. */
static void test_csv_defused_reads_back(void **state)
{
	static const char *const texts[] = {
		"=1+2", "+1", "-2+3", "@SUM(A1)", "\t=1+2x", "\r=1+2", "\n=1+2", "'=kept", "'plain", "a,\"b\"", "plain",
	};
	static const char *const want[] = {
		"=1+2", "+1", "-2+3", "@SUM(A1)", "=1+2x", "=1+2", "=1+2", "'=kept", "'plain", "a,\"b\"", "plain",
	};
	char *long_text = malloc(1 + 499 * 3 + 1);
	buf b;
	table t;
	uint32_t line = 0;
	char err[128];

	(void)state;
	assert_non_null(long_text);
	long_text[0] = '-';
	for (int i = 0; i < 499; i++)
		memcpy(long_text + 1 + i * 3, "\xE5\xAD\x97", 3); /* 字 */
	long_text[1 + 499 * 3] = '\0';
	buf_init(&b, 1 << 20);
	for (size_t i = 0; i < WB_ARRAY_LEN(texts); i++)
		assert_int_equal(api_csv_cell(&b, texts[i], 0), WB_OK);
	assert_int_equal(api_csv_cell(&b, long_text, 1), WB_OK);
	/* as written: a ' before the formula, inside the quotes where quoted */
	assert_non_null(strstr(b.data, "'=1+2,'+1,'-2+3,'@SUM(A1),'\t=1+2x,\"'\r=1+2\",\"'\n=1+2\",''=kept,'plain,"));
	assert_int_equal(strlen(strstr(b.data, "\"a,")) - strlen("\"a,\"\"b\"\"\",plain,") - 2,
			 strlen(long_text) + 1); /* the long cell whole, after its ' */
	table_init(&t);
	assert_int_equal(table_read_csv(&t, b.data, b.len, &line, err, sizeof(err)), WB_OK);
	assert_int_equal(t.nrows, 1);
	for (size_t i = 0; i < WB_ARRAY_LEN(texts); i++)
		assert_string_equal(table_cell(&t, 0, (int)i), want[i]);
	assert_string_equal(table_cell(&t, 0, (int)WB_ARRAY_LEN(texts)), long_text);
	table_cleanup(&t);
	buf_cleanup(&b);
	free(long_text);
}

/* Rows are numbered as a spreadsheet shows the file (as an XLSX file's
 * rows are): a line break inside a quoted cell starts no row, a blank line
 * is one (and dropped), and an error names the row its record starts on. */
static void test_csv_rows_as_spreadsheet(void **state)
{
	static const char data[] = "name,notes\r\n"
				   "A,\"two\r\nlines\"\r\n"
				   "B,\"three\nlines\nhere\"\r\n"
				   "\r\n"
				   "C,one\r\n";
	static const char bad[] = "name,notes\nA,\"two\nlines\"\nB,\"never\nclosed\n";
	uint32_t line;
	char err[128];
	table t;

	(void)state;
	table_init(&t);
	assert_int_equal(table_read_csv(&t, data, sizeof(data) - 1, &line, err, sizeof(err)), WB_OK);
	assert_int_equal(t.nrows, 4);
	assert_int_equal(t.rows[0].line, 1);
	assert_int_equal(t.rows[1].line, 2);
	assert_string_equal(table_cell(&t, 1, 1), "two\r\nlines");
	assert_int_equal(t.rows[2].line, 3);
	assert_int_equal(t.rows[3].line, 5); /* row 4 is the blank one */
	assert_string_equal(table_cell(&t, 3, 0), "C");
	table_cleanup(&t);

	table_init(&t);
	assert_int_equal(table_read_csv(&t, bad, sizeof(bad) - 1, &line, err, sizeof(err)), WB_EINVAL);
	assert_int_equal(line, 3);
	assert_non_null(strstr(err, "quoted"));
	table_cleanup(&t);
}

static void test_word_of(void **state)
{
	(void)state;
	assert_string_equal(sheet_word_of(words, "normal", 0), "一般");
	assert_string_equal(sheet_word_of(words, "normal", 1), "Normal");
	assert_string_equal(sheet_word_of(words, "other", 1), "other");
	assert_string_equal(sheet_word_of(NULL, "x", 0), "x");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_every_kind),
		cmocka_unit_test(test_csv_english),
		cmocka_unit_test(test_xlsx_reads_back),
		cmocka_unit_test(test_xlsx_dropped),
		cmocka_unit_test(test_summary_row),
		cmocka_unit_test(test_csv_too_big),
		cmocka_unit_test(test_word_of),
		cmocka_unit_test(test_csv_defused_reads_back),
		cmocka_unit_test(test_csv_rows_as_spreadsheet),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
