/*
 * A table of text cells read from a CSV or XLSX file, held in one arena.
 * Readers enforce caps on rows, columns and cell size so a hostile file
 * cannot exhaust memory; the first row is usually the header.
 */
#ifndef WB_TABLE_H
#define WB_TABLE_H

#include <stddef.h>
#include <stdint.h>

#define TABLE_MAX_ROWS 200001 /* header + 200,000 rows */
#define TABLE_MAX_COLS 64
#define TABLE_MAX_CELL 4096

typedef struct table_row {
	uint32_t first; /* index of the row's first cell in cells[] */
	uint16_t n;     /* number of cells */
	uint32_t line;  /* 1-based row as a spreadsheet shows the file: a CSV record
			 * (a line break inside a quoted cell starts no row; a blank
			 * line is a row), an XLSX row's number */
} table_row;

typedef struct table {
	char *arena; /* NUL-terminated cell texts */
	size_t arena_len, arena_cap;
	uint32_t *cells;  /* offsets into arena */
	uint8_t *numbers; /* for each cell: 1 if an XLSX number cell (not a date) */
	size_t ncells, cells_cap, numbers_cap;
	table_row *rows;
	size_t nrows, rows_cap;
} table;

void table_init(table *t);
void table_cleanup(table *t);
/* The text of cell col of row (""" when the row is shorter), without
 * blanks at either end: the readers trim every cell. */
const char *table_cell(const table *t, size_t row, int col);
/* 1 if that cell was a number in an XLSX workbook (not a date): a long
 * number there has lost its digits past the 15th. */
int table_cell_is_number(const table *t, size_t row, int col);
/* Whether the first row is a header: cols[k] lists the names column k may
 * have, separated by '|' (English compared without case). 1 when the first
 * cell names the first column and every other non-empty cell its own; 0
 * when the first cell names no column (the row is data); -1 when the first
 * cell names the first column but another cell does not name its column. */
int table_header(const table *t, const char *const *cols, int ncols);
/* For a header table_header refuses (-1): the index of its first column
 * that names none of cols (past ncols, or not one of the names), its text
 * into name (n bytes, cut at a whole UTF-8 character), so the error can
 * name it; -1 if there is none. */
int table_header_unknown(const table *t, const char *const *cols, int ncols, char *name, size_t n);
/* The error of a header that is not one of cols: "a header names the
 * columns EXPECTED; its column K, 'NAME', is not one of them" (the first
 * cell it does not know, when there is one). */
void table_header_error(const table *t, const char *const *cols, int ncols, const char *expected, char *err,
			size_t errlen);

/* The first characters that make a spreadsheet take a cell for a formula
 * (OWASP's = + - @ tab carriage return, and a line feed): a CSV file we
 * write puts a ' before such a cell (api_csv_defuse). */
#define TABLE_FORMULA_STARTS "=+-@\t\r\n"

/* Building (used by the readers). A cell is stored trimmed (wb_trim), and
 * a defused cell ("'", perhaps more of them, and one of
 * TABLE_FORMULA_STARTS) without its first "'",
 * so that a file we wrote reads back as the text it was written from; a
 * row whose cells are all empty (or blank) is dropped by table_end_row, as
 * a spreadsheet writes a cleared row: ",,,," or formatted empty cells. */
int table_begin_row(table *t, uint32_t line);
int table_add_cell(table *t, const char *s, size_t len);
void table_mark_number(table *t);
void table_end_row(table *t);

/* CSV (RFC 4180) in UTF-8 — a GB18030 file is converted first; a UTF-8 BOM
 * is skipped. On error returns WB_EINVAL/WB_ETOOBIG with the row at fault
 * in *line_out (numbered as a spreadsheet shows it, as table_row.line:
 * messages say "row N") and a reason in err. */
int table_read_csv(table *t, const char *data, size_t len, uint32_t *line_out, char *err, size_t errlen);
/* A reference list (areas, units, accounts) as CSV, or as an XLSX workbook
 * (its first sheet) when the data is a zip archive: at most max_rows rows
 * after an optional header; the failing row in *line_out (as a spreadsheet
 * numbers it)
 * (0 when the file as a whole is wrong). t is initialised here; clean it
 * up whatever the result. */
int table_read_list(table *t, const char *data, size_t len, size_t max_rows, int *line_out, char *err, size_t errlen);
/* The first worksheet of an XLSX file (zip + SpreadsheetML), with limits on
 * entry sizes and compression ratio. */
int table_read_xlsx(table *t, const char *data, size_t len, char *err, size_t errlen);

/* 1 if the bytes are valid UTF-8. */
int utf8_valid(const char *s, size_t len);
/* Converts GB18030 to UTF-8 into *out (malloc'd, NUL-terminated). */
int gb18030_to_utf8(const char *in, size_t len, char **out, size_t *outlen);

#endif
