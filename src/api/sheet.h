/*
 * A table downloaded from the API, as CSV or as an XLSX workbook (SPEC §8:
 * every table on screen can be exported). The handler writes the header
 * and the rows the same way for both; CSV goes straight into the response
 * body, XLSX into a temporary file (libxlsxwriter's constant-memory mode)
 * that is read into the body at the end and removed.
 *
 * CSV cells that a spreadsheet would take for a formula are defused with a
 * leading '; XLSX cells are written as strings or numbers, never formulas.
 */
#ifndef WB_API_SHEET_H
#define WB_API_SHEET_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "api.h"

enum { SHEET_JSON = 0, SHEET_CSV = 1, SHEET_XLSX = 2 };

#define SHEET_FULL 2

typedef struct api_sheet {
	int fmt; /* SHEET_CSV or SHEET_XLSX */
	int en;  /* English headers and words */
	buf *out;
	void *wb; /* lxw_workbook */
	void *ws; /* lxw_worksheet */
	uint32_t row;
	uint16_t col;
	int failed; /* 1: the workbook failed; SHEET_FULL: the answer is full */
	int finished;
	int64_t rows; /* data rows written */
	char path[40];
	store_conn *c; /* names SC_AREA columns (set by api_sheet_items) */
} api_sheet;

/*
 * ?format= (json, csv or xlsx; def when absent) and ?lang= (zh by default,
 * or en) of a table that can be downloaded. 0 with *fmt and *en, or -1
 * after a 422 naming the field. allow_json 0: json is refused.
 */
int api_sheet_params(http_req *r, int def, int allow_json, int *fmt, int *en);
/*
 * Starts the download of r: the header row of n columns (en or zh per
 * s->en). title names the XLSX worksheet. WB_OK, or WB_EIO when the
 * workbook cannot be made (nothing to free then).
 */
int api_sheet_begin(api_sheet *s, http_req *r, int fmt, int en, const char *title, const char *const *zh,
		    const char *const *en_cols, size_t n);
/* The next cell of the current row, text (NULL is empty) or a whole
 * number; last ends the row. */
void api_sheet_text(api_sheet *s, const char *v, int last);
void api_sheet_int(api_sheet *s, int64_t v, int last);
/* A number with places decimals (0-4): a percentage, an amount. */
void api_sheet_dec(api_sheet *s, double v, int places, int last);
/* An amount in cents, in yuan with two decimals. */
void api_sheet_yuan(api_sheet *s, int64_t cents, int last);
/* XLSX: columns 0 to n-1 formatted as text ("@"), so that what is typed
 * into them stays as typed (an ID number is not made a number that loses
 * its last digits); nothing for CSV. */
void api_sheet_text_columns(api_sheet *s, size_t n);
/* A whole row of n text cells. */
void api_sheet_row(api_sheet *s, const char *const *cells, size_t n);
/*
 * Completes the file in r's body (XLSX: the workbook closed and read in,
 * its temporary file removed): 0, or -1 after answering the error (the
 * body emptied). An export that is audited finishes, then audits, then
 * ends, so the audit names only files that were made.
 */
int api_sheet_finish(api_sheet *s, http_req *r);
/*
 * Ends the download (finishing it first if need be): status 200, its type,
 * the file name stem-stamp.csv or .xlsx (stem.csv for stamp 0) and the
 * number of data rows (X-Export-Rows). Returns 0, whether the file
 * went or an error was answered.
 */
int api_sheet_end(api_sheet *s, http_req *r, const char *stem, int64_t stamp);
/*
 * A list downloaded from the JSON items its page would show: the same
 * fields, so the file follows every rule of scope, masking and
 * confidentiality the list does. A column names the item's key (a.b for a
 * key of an object inside it) and how to write it.
 */
enum sheet_kind {
	SC_TEXT,  /* a string (a number shown as its digits) */
	SC_INT,   /* a whole number */
	SC_YUAN,  /* an amount in cents, shown in yuan */
	SC_TIME,  /* seconds since the epoch, shown as YYYY-MM-DD HH:MM in China Standard Time */
	SC_BOOL,  /* 是/否, yes/no */
	SC_WORD,  /* a code, shown as its word (words: code, zh, en; NULL code ends) */
	SC_PCT,   /* a share from 0 to 1, shown as a percentage with one decimal */
	SC_HOURS, /* a duration in seconds, shown in hours with one decimal */
	SC_AREA,  /* an area code, shown as the area's name (api_sheet_items) */
};
typedef struct sheet_word {
	const char *code, *zh, *en;
} sheet_word;
typedef struct sheet_col {
	const char *zh, *en;
	const char *path;
	enum sheet_kind kind;
	const sheet_word *words;
} sheet_col;
/* Starts a download whose header is cols' names. */
int api_sheet_begin_cols(api_sheet *s, http_req *r, int fmt, int en, const char *title, const sheet_col *cols,
			 size_t n);
/* Marks the row just written as a summary (a totals row): it is in the
 * file but not in the count of data rows (X-Export-Rows, the audit's
 * "rows"). */
void api_sheet_summary_row(api_sheet *s);
/* One row of the download from a list's JSON item. */
void api_sheet_json_row(api_sheet *s, const json_t *item, const sheet_col *cols, size_t n);
/*
 * A whole list answered as a download: items (a JSON array, consumed) as
 * rows of cols, in a worksheet called title and a file stem-today.csv or
 * .xlsx. With action, the download is audited as action on object_type
 * with detail (consumed; format and rows are added) before it is sent.
 * Returns 0.
 */
int api_sheet_items(http_req *r, app *a, const sec_principal *p, json_t *items, int fmt, int en, const char *title,
		    const char *stem, const sheet_col *cols, size_t n, const char *action, const char *object_type,
		    json_t *detail);
/* The word of a code in a vocabulary (the code itself if it has none). */
const char *sheet_word_of(const sheet_word *words, const char *code, int en);
/* The registry's codes in words, as the importer reads them back (男/女,
 * 农业/非农业, 低/中/高): sex, household registration, risk level, and the
 * four categories. */
extern const sheet_word sheet_sex_words[], sheet_hukou_words[], sheet_risk_words[], sheet_category_words[];
/*
 * Finishes s, audits it as action on object_type with detail (consumed;
 * format and rows are added), then ends it as stem-stamp: an audit entry
 * names only a file that was made, and a file goes only once its entry is
 * durable. Returns 0 (an error is answered).
 */
int api_sheet_audited_end(api_sheet *s, http_req *r, app *a, const sec_principal *p, const char *action,
			  const char *object_type, json_t *detail, const char *stem, int64_t stamp);
/* Drops s and answers the error rc. Returns 0. */
int api_sheet_fail(api_sheet *s, http_req *r, int rc);
/* Drops a download that will not be sent (after an error): no answer. */
void api_sheet_drop(api_sheet *s);
/* "csv" or "xlsx". */
const char *api_sheet_ext(const api_sheet *s);

#endif
