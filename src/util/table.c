/*
 * Tables from CSV and XLSX files; see table.h.
 *
 * No Debian C library reads XLSX, so this reads it with libzip (the
 * container) and expat (the XML): shared strings first, then the first
 * sheet, streaming, with caps on what is inflated so a zip bomb stops early.
 *
 * A date in a workbook is a number (days since 1900, or 1904) that a
 * number format shows as a date. The styles say which cells have such a
 * format; their numbers are read as the day they show, "YYYY-MM-DD" (with
 * " HH:MM" when a date-time format shows a time of day), so a birth date
 * typed into Excel arrives as the date, not as 42430. A number format is a
 * date's only by its date tokens: "General" or "0.0E+00" show the number.
 */
#include "table.h"

#include <expat.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <zip.h>

#include "buf.h"
#include "wb.h"

#define XLSX_MAX_ENTRY   (256u << 20) /* inflated size of one part */
#define XLSX_MAX_RATIO   200          /* inflated / compressed */
#define XLSX_MAX_STRINGS 1000000
#define XLSX_MAX_XFS     65536 /* cell formats of a workbook */
#define XLSX_MAX_NUMFMTS 1024  /* its own number formats */

void table_init(table *t)
{
	memset(t, 0, sizeof(*t));
}

void table_cleanup(table *t)
{
	free(t->arena);
	free(t->cells);
	free(t->numbers);
	free(t->rows);
	memset(t, 0, sizeof(*t));
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t ncap;
	void *np;

	if (need <= *cap)
		return WB_OK;
	ncap = *cap ? *cap : 256;
	while (ncap < need)
		ncap *= 2;
	np = realloc(*p, ncap * size);
	if (!np)
		return WB_ENOMEM;
	*p = np;
	*cap = ncap;
	return WB_OK;
}

int table_begin_row(table *t, uint32_t line)
{
	int rc;

	if (t->nrows >= TABLE_MAX_ROWS)
		return WB_ETOOBIG;
	rc = grow((void **)&t->rows, &t->rows_cap, t->nrows + 1, sizeof(*t->rows));
	if (rc)
		return rc;
	t->rows[t->nrows].first = (uint32_t)t->ncells;
	t->rows[t->nrows].n = 0;
	t->rows[t->nrows].line = line;
	t->nrows++;
	return WB_OK;
}

int table_add_cell(table *t, const char *s, size_t len)
{
	table_row *row = &t->rows[t->nrows - 1];
	char *cell;
	int rc;

	if (row->n >= TABLE_MAX_COLS || len > TABLE_MAX_CELL)
		return WB_ETOOBIG;
	rc = grow((void **)&t->cells, &t->cells_cap, t->ncells + 1, sizeof(*t->cells));
	if (rc == WB_OK)
		rc = grow((void **)&t->numbers, &t->numbers_cap, t->ncells + 1, 1);
	if (rc == WB_OK)
		rc = grow((void **)&t->arena, &t->arena_cap, t->arena_len + len + 1, 1);
	if (rc)
		return rc;
	if (t->arena_len > UINT32_MAX - len - 1)
		return WB_ETOOBIG;
	memcpy(t->arena + t->arena_len, s, len);
	t->arena[t->arena_len + len] = '\0';
	/* every import reads " 370831..." as the code it is */
	cell = wb_trim(t->arena + t->arena_len);
	/* the ' a CSV file of ours put before a formula's first character
	 * (api_csv_defuse: before =x, and before '=x as well), and that
	 * alone: an exported list reads back as it was, not with one more '
	 * each round */
	if (cell[0] == '\'' && cell[strspn(cell, "'")] && strchr(TABLE_FORMULA_STARTS, cell[strspn(cell, "'")]))
		wb_trim(memmove(cell, cell + 1, strlen(cell)));
	len = strlen(cell);
	t->numbers[t->ncells] = 0;
	t->cells[t->ncells++] = (uint32_t)t->arena_len;
	t->arena_len += len + 1;
	row->n++;
	return WB_OK;
}

void table_mark_number(table *t)
{
	if (t->ncells)
		t->numbers[t->ncells - 1] = 1;
}

void table_end_row(table *t)
{
	table_row *row;

	if (!t->nrows)
		return;
	row = &t->rows[t->nrows - 1];
	for (uint16_t k = 0; k < row->n; k++)
		if (t->arena[t->cells[row->first + k]])
			return;
	/* a blank row is not a row: its cells go too */
	t->ncells = row->first;
	t->arena_len = row->n ? t->cells[row->first] : t->arena_len;
	t->nrows--;
}

const char *table_cell(const table *t, size_t row, int col)
{
	if (row >= t->nrows || col < 0 || col >= t->rows[row].n)
		return "";
	return t->arena + t->cells[t->rows[row].first + (uint32_t)col];
}

int table_cell_is_number(const table *t, size_t row, int col)
{
	if (row >= t->nrows || col < 0 || col >= t->rows[row].n)
		return 0;
	return t->numbers[t->rows[row].first + (uint32_t)col];
}

/* Whether s is one of the '|'-separated names. */
static int names_has(const char *names, const char *s)
{
	size_t n = strlen(s);

	for (const char *p = names; *p;) {
		const char *end = strchr(p, '|');
		size_t k = end ? (size_t)(end - p) : strlen(p);

		if (k == n && n && strncasecmp(p, s, n) == 0)
			return 1;
		p += k + (end ? 1 : 0);
	}
	return 0;
}

int table_header(const table *t, const char *const *cols, int ncols)
{
	if (!t->nrows || !names_has(cols[0], table_cell(t, 0, 0)))
		return 0;
	for (int k = 1; k < t->rows[0].n; k++) {
		const char *s = table_cell(t, 0, k);

		if (s[0] && (k >= ncols || !names_has(cols[k], s)))
			return -1;
	}
	return 1;
}

int table_header_unknown(const table *t, const char *const *cols, int ncols, char *name, size_t n)
{
	for (int k = 1; t->nrows && k < t->rows[0].n; k++) {
		const char *s = table_cell(t, 0, k);
		size_t len = strlen(s);

		if (!s[0] || (k < ncols && names_has(cols[k], s)))
			continue;
		if (n == 0)
			return k;
		if (len >= n)
			for (len = n - 1; len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80; len--)
				;
		memcpy(name, s, len);
		name[len] = '\0';
		return k;
	}
	return -1;
}

/* ---- charsets ---- */

int utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	while (p < end) {
		unsigned char c = *p;
		int n;

		if (c < 0x80) {
			p++;
			continue;
		}
		if ((c & 0xE0) == 0xC0 && c >= 0xC2)
			n = 1;
		else if ((c & 0xF0) == 0xE0)
			n = 2;
		else if ((c & 0xF8) == 0xF0 && c <= 0xF4)
			n = 3;
		else
			return 0;
		if (end - p <= n)
			return 0;
		for (int i = 1; i <= n; i++)
			if ((p[i] & 0xC0) != 0x80)
				return 0;
		p += n + 1;
	}
	return 1;
}

int gb18030_to_utf8(const char *in, size_t len, char **out, size_t *outlen)
{
	iconv_t cd = iconv_open("UTF-8", "GB18030");
	size_t cap = len * 2 + 16, left_in = len, left_out;
	char *dst, *ip = (char *)in, *op;

	*out = NULL;
	if (cd == (iconv_t)-1)
		return WB_EINVAL;
	dst = malloc(cap);
	if (!dst) {
		iconv_close(cd);
		return WB_ENOMEM;
	}
	op = dst;
	left_out = cap - 1;
	if (iconv(cd, &ip, &left_in, &op, &left_out) == (size_t)-1) {
		free(dst);
		iconv_close(cd);
		return WB_EINVAL;
	}
	iconv_close(cd);
	*op = '\0';
	*out = dst;
	*outlen = (size_t)(op - dst);
	return WB_OK;
}

/* ---- CSV ---- */

int table_read_csv(table *t, const char *data, size_t len, uint32_t *line_out, char *err, size_t errlen)
{
	char *converted = NULL;
	size_t i = 0, clen = 0;
	uint32_t line = 1; /* the row a spreadsheet shows: one a record, blank ones too */
	buf cell;
	int rc = WB_OK;

	*line_out = 0;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
		data += 3;
		len -= 3;
	}
	if (!utf8_valid(data, len)) {
		if (gb18030_to_utf8(data, len, &converted, &clen) != WB_OK) {
			wb_snprintf(err, errlen, "the file is neither UTF-8 nor GB18030 text");
			return WB_EINVAL;
		}
		data = converted;
		len = clen;
	}
	buf_init(&cell, TABLE_MAX_CELL);
	while (i < len && rc == WB_OK) {
		int quoted = 0, end_row = 0;
		uint32_t start_line = line;

		rc = table_begin_row(t, start_line);
		if (rc) {
			wb_snprintf(err, errlen, "too many rows (at most %d)", TABLE_MAX_ROWS - 1);
			break;
		}
		while (!end_row && rc == WB_OK) {
			buf_reset(&cell);
			quoted = 0;
			if (i < len && data[i] == '"') {
				quoted = 1;
				i++;
			}
			for (;;) {
				char ch;

				if (i >= len) {
					if (quoted) {
						wb_snprintf(err, errlen, "a quoted cell is not closed");
						rc = WB_EINVAL;
					}
					end_row = 1;
					break;
				}
				ch = data[i++];
				if (quoted) {
					if (ch == '"') {
						if (i < len && data[i] == '"') {
							i++;
						} else {
							quoted = 0;
							continue;
						}
					}
					/* a line break inside quotes is part of the cell:
					 * the row a spreadsheet shows goes on */
				} else if (ch == ',') {
					break;
				} else if (ch == '\r' || ch == '\n') {
					if (ch == '\r' && i < len && data[i] == '\n')
						i++;
					line++;
					end_row = 1;
					break;
				}
				if (buf_append(&cell, &ch, 1) != WB_OK) {
					wb_snprintf(err, errlen, "a cell is longer than %d bytes", TABLE_MAX_CELL);
					rc = WB_ETOOBIG;
					break;
				}
			}
			if (rc == WB_OK && table_add_cell(t, cell.data ? cell.data : "", cell.len) != WB_OK) {
				wb_snprintf(err, errlen, "too many columns (at most %d)", TABLE_MAX_COLS);
				rc = WB_ETOOBIG;
			}
		}
		/* a blank line is not a row, nor a cleared one (",,,") */
		if (rc == WB_OK)
			table_end_row(t);
		if (rc)
			*line_out = start_line;
	}
	buf_cleanup(&cell);
	free(converted);
	return rc;
}

/* ---- XLSX ---- */

typedef struct xml_state {
	table *t;
	/* shared strings */
	char **strings;
	size_t nstrings, strings_cap;
	/* parsing */
	int in_si, in_t, in_v, in_is;
	int cell_type;   /* 's' shared, 'i' inline, 'b' bool, 'n' number/other */
	int cell_number; /* a number cell (t="n" or no type) */
	int col;         /* 0-based column of the current cell */
	int next_col;
	buf text;
	int failed;
	char err[128];
	/* dates: for each cell format (xf), whether it shows a date */
	uint8_t *xf_date; /* XF_* */
	size_t nxf;
	struct {
		int id;
		uint8_t kind;
	} numfmt[XLSX_MAX_NUMFMTS];
	size_t nnumfmt;
	int in_cellxfs;
	int date1904;
	uint8_t cell_date; /* the current cell's XF_* */
} xml_state;

enum { XF_NUMBER = 0, XF_DATE = 1, XF_DATETIME = 2 };

static void xml_fail(xml_state *x, const char *msg)
{
	if (!x->failed)
		wb_strlcpy(x->err, msg, sizeof(x->err));
	x->failed = 1;
}

static const char *attr(const char **atts, const char *name)
{
	for (int i = 0; atts[i]; i += 2)
		if (strcmp(atts[i], name) == 0)
			return atts[i + 1];
	return NULL;
}

static void XMLCALL on_chars(void *ud, const XML_Char *s, int len)
{
	xml_state *x = ud;

	if ((x->in_t || x->in_v) && buf_append(&x->text, s, (size_t)len) != WB_OK)
		xml_fail(x, "a cell is too long");
}

static void XMLCALL sst_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	xml_state *x = ud;

	(void)atts;
	if (strcmp(name, "si") == 0) {
		x->in_si = 1;
		buf_reset(&x->text);
	} else if (x->in_si && strcmp(name, "t") == 0) {
		x->in_t = 1;
	}
}

static void XMLCALL sst_end(void *ud, const XML_Char *name)
{
	xml_state *x = ud;

	if (strcmp(name, "t") == 0) {
		x->in_t = 0;
	} else if (strcmp(name, "si") == 0) {
		x->in_si = 0;
		if (x->nstrings >= XLSX_MAX_STRINGS) {
			xml_fail(x, "too many shared strings");
			return;
		}
		if (grow((void **)&x->strings, &x->strings_cap, x->nstrings + 1, sizeof(char *)) != WB_OK) {
			xml_fail(x, "out of memory");
			return;
		}
		x->strings[x->nstrings] = strdup(x->text.data ? x->text.data : "");
		if (!x->strings[x->nstrings])
			xml_fail(x, "out of memory");
		x->nstrings++;
	}
}

/*
 * Whether a number format code shows a date, a date with a time, or
 * neither. Date tokens are y, d, m (a month unless beside h or s, where it
 * is minutes) and 年, 月, 日; quoted text, [colour], [$-locale] and
 * [h] parts, escaped characters, "General", the E+ / E- of scientific
 * notation and AM/PM are not: "General" and "0.0E+00" show numbers.
 */
static uint8_t format_kind(const char *code)
{
	static const char *const cjk[] = {"年", "月", "日"};
	int date = 0, time = 0, month = 0;

	for (const char *p = code; *p; p++) {
		int cjk_date = 0;

		for (size_t i = 0; i < WB_ARRAY_LEN(cjk); i++)
			if (strncmp(p, cjk[i], strlen(cjk[i])) == 0) {
				p += strlen(cjk[i]) - 1;
				cjk_date = 1;
				break;
			}
		if (cjk_date) {
			date = 1;
		} else if (*p == '"') {
			while (p[1] && p[1] != '"')
				p++;
			if (p[1])
				p++;
		} else if (*p == '[') {
			if (p[1] == 'h' || p[1] == 'H' || p[1] == 'm' || p[1] == 'M' || p[1] == 's' || p[1] == 'S')
				time = 1; /* elapsed time */
			while (p[1] && p[1] != ']')
				p++;
			if (p[1])
				p++;
		} else if (*p == '\\' || *p == '_' || *p == '*') {
			if (p[1])
				p++;
		} else if (strncasecmp(p, "General", 7) == 0) {
			p += 6;
		} else if (strncasecmp(p, "AM/PM", 5) == 0) {
			p += 4;
		} else if (strncasecmp(p, "A/P", 3) == 0) {
			p += 2;
		} else if ((*p == 'E' || *p == 'e') && (p[1] == '+' || p[1] == '-')) {
			p++; /* 0.0E+00 */
		} else if (*p == 'y' || *p == 'Y' || *p == 'd' || *p == 'D') {
			date = 1;
		} else if (*p == 'm' || *p == 'M') {
			month = 1;
		} else if (*p == 'h' || *p == 'H' || *p == 's' || *p == 'S') {
			time = 1;
		}
	}
	if (month && !time)
		date = 1; /* mmm, mm-yy; "mm:ss" and "h:mm" are times of day */
	return date ? (time ? XF_DATETIME : XF_DATE) : XF_NUMBER;
}

/* The built-in formats that show dates (ECMA-376 18.8.30, and the ids
 * Chinese Excel gives its 年月日 formats). */
static uint8_t builtin_kind(int id)
{
	if ((id >= 14 && id <= 17) || (id >= 27 && id <= 31) || id == 36 || (id >= 50 && id <= 54) || id == 57 ||
	    id == 58)
		return XF_DATE;
	if (id == 22)
		return XF_DATETIME;
	return XF_NUMBER;
}

static void XMLCALL styles_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	xml_state *x = ud;

	if (x->failed)
		return;
	if (strcmp(name, "numFmt") == 0) {
		const char *id = attr(atts, "numFmtId"), *code = attr(atts, "formatCode");

		if (id && code && x->nnumfmt < XLSX_MAX_NUMFMTS) {
			x->numfmt[x->nnumfmt].id = (int)strtol(id, NULL, 10);
			x->numfmt[x->nnumfmt].kind = format_kind(code);
			x->nnumfmt++;
		}
	} else if (strcmp(name, "cellXfs") == 0) {
		x->in_cellxfs = 1;
	} else if (x->in_cellxfs && strcmp(name, "xf") == 0) {
		const char *id = attr(atts, "numFmtId");
		int fmt = id ? (int)strtol(id, NULL, 10) : 0;
		uint8_t kind = builtin_kind(fmt);

		if (x->nxf >= XLSX_MAX_XFS) {
			xml_fail(x, "too many cell formats");
			return;
		}
		for (size_t i = 0; i < x->nnumfmt; i++)
			if (x->numfmt[i].id == fmt)
				kind = x->numfmt[i].kind;
		x->xf_date[x->nxf++] = kind;
	}
}

static void XMLCALL styles_end(void *ud, const XML_Char *name)
{
	xml_state *x = ud;

	if (strcmp(name, "cellXfs") == 0)
		x->in_cellxfs = 0;
}

static void XMLCALL workbook_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	xml_state *x = ud;

	if (strcmp(name, "workbookPr") == 0) {
		const char *v = attr(atts, "date1904");

		x->date1904 = v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
	}
}

static void XMLCALL workbook_end(void *ud, const XML_Char *name)
{
	(void)ud;
	(void)name;
}

/* A date cell's number as "YYYY-MM-DD" into out (SERIAL_DATE_MAX bytes),
 * a date-time cell's as "YYYY-MM-DD HH:MM" (":SS" when there are seconds;
 * the day alone at midnight); 0 if it is no day (not a number, out of
 * range). */
#define SERIAL_DATE_MAX 20
static int serial_date(const char *v, uint8_t kind, int date1904, char out[SERIAL_DATE_MAX])
{
	char *end;
	double serial = strtod(v, &end);
	long long days, secs = 0, y, m, d;
	struct tm tm;
	time_t t;

	if (end == v || *end || !(serial >= 1 && serial < 2958466))
		return 0;
	days = (long long)serial;
	if (kind == XF_DATETIME) {
		/* to the second, as Excel shows it (23:59:59.7 is the next day) */
		long long total = (long long)(serial * 86400.0 + 0.5);

		days = total / 86400;
		secs = total % 86400;
	}
	/* days from 1970-01-01: serial 1 is 1900-01-01, and Excel counts a
	 * 29 February 1900 that never was (serial 60) */
	if (date1904)
		days -= 24107;
	else
		days -= days >= 61 ? 25569 : 25568;
	/* the calendar day of that many days after 1970-01-01 */
	t = (time_t)(days * 86400);
	if (!gmtime_r(&t, &tm))
		return 0;
	y = tm.tm_year + 1900LL;
	m = tm.tm_mon + 1LL;
	d = tm.tm_mday;
	if (y < 1900 || y > 9999)
		return 0;
	if (!secs)
		wb_snprintf(out, SERIAL_DATE_MAX, "%04lld-%02lld-%02lld", y, m, d);
	else if (secs % 60)
		wb_snprintf(out, SERIAL_DATE_MAX, "%04lld-%02lld-%02lld %02lld:%02lld:%02lld", y, m, d, secs / 3600,
			    secs / 60 % 60, secs % 60);
	else
		wb_snprintf(out, SERIAL_DATE_MAX, "%04lld-%02lld-%02lld %02lld:%02lld", y, m, d, secs / 3600,
			    secs / 60 % 60);
	return 1;
}

/* "BC12" -> column 54 (0-based); -1 if malformed. */
static int col_of_ref(const char *ref)
{
	int col = 0, n = 0;

	for (; *ref >= 'A' && *ref <= 'Z'; ref++, n++)
		col = col * 26 + (*ref - 'A' + 1);
	if (n == 0 || n > 3)
		return -1;
	return col - 1;
}

static void XMLCALL sheet_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	xml_state *x = ud;

	if (x->failed)
		return;
	if (strcmp(name, "row") == 0) {
		const char *r = attr(atts, "r");
		long line = r ? strtol(r, NULL, 10) : (long)x->t->nrows + 1;

		if (table_begin_row(x->t, (uint32_t)(line > 0 ? line : 0)) != WB_OK)
			xml_fail(x, "too many rows");
		x->next_col = 0;
	} else if (strcmp(name, "c") == 0) {
		const char *t = attr(atts, "t"), *ref = attr(atts, "r"), *style = attr(atts, "s");
		unsigned long xf = style ? strtoul(style, NULL, 10) : 0;

		x->cell_type = !t ? 'n' : strcmp(t, "s") == 0 ? 's' : strcmp(t, "inlineStr") == 0 ? 'i' : 'n';
		x->cell_number = !t || strcmp(t, "n") == 0;
		x->cell_date = x->cell_number && xf < x->nxf ? x->xf_date[xf] : XF_NUMBER;
		x->col = ref ? col_of_ref(ref) : x->next_col;
		if (x->col < 0 || x->col >= TABLE_MAX_COLS)
			xml_fail(x, "a cell reference is out of range");
		buf_reset(&x->text);
	} else if (strcmp(name, "v") == 0) {
		x->in_v = 1;
	} else if (strcmp(name, "is") == 0) {
		x->in_is = 1;
	} else if (x->in_is && strcmp(name, "t") == 0) {
		x->in_t = 1;
	}
}

static void XMLCALL sheet_end(void *ud, const XML_Char *name)
{
	xml_state *x = ud;

	if (x->failed)
		return;
	if (strcmp(name, "v") == 0) {
		x->in_v = 0;
	} else if (strcmp(name, "row") == 0) {
		table_end_row(x->t); /* formatted empty cells are no row */
	} else if (strcmp(name, "t") == 0) {
		x->in_t = 0;
	} else if (strcmp(name, "is") == 0) {
		x->in_is = 0;
	} else if (strcmp(name, "c") == 0) {
		const char *v = x->text.data ? x->text.data : "";
		char day[SERIAL_DATE_MAX];

		if (x->t->nrows == 0) {
			xml_fail(x, "a cell outside a row");
			return;
		}
		if (x->cell_type == 's') {
			char *end;
			unsigned long k = strtoul(v, &end, 10);

			if (*end || k >= x->nstrings) {
				xml_fail(x, "a shared string index is out of range");
				return;
			}
			v = x->strings[k];
		} else if (x->cell_type == 'n' && x->cell_date != XF_NUMBER &&
			   serial_date(v, x->cell_date, x->date1904, day)) {
			v = day;
		}
		/* fill skipped (empty) cells so columns stay aligned */
		while (x->next_col < x->col && !x->failed) {
			if (table_add_cell(x->t, "", 0) != WB_OK)
				xml_fail(x, "too many columns");
			x->next_col++;
		}
		if (!x->failed && table_add_cell(x->t, v, strlen(v)) != WB_OK)
			xml_fail(x, "a cell is too long or there are too many columns");
		else if (!x->failed && x->cell_number && v != day && *v)
			table_mark_number(x->t);
		x->next_col = x->col + 1;
	}
}

/* Reads one zip entry through expat with the given handlers, with limits. */
static int parse_entry(zip_t *z, const char *name, xml_state *x, XML_StartElementHandler s, XML_EndElementHandler e,
		       int optional)
{
	zip_stat_t st;
	zip_file_t *f;
	XML_Parser p;
	char chunk[65536];
	zip_int64_t n;
	uint64_t total = 0;
	int rc = WB_OK;

	if (zip_stat(z, name, 0, &st) != 0)
		return optional ? WB_OK : WB_EINVAL;
	if ((st.valid & ZIP_STAT_SIZE) && st.size > XLSX_MAX_ENTRY)
		return xml_fail(x, "a part of the file is too large"), WB_ETOOBIG;
	if ((st.valid & ZIP_STAT_COMP_SIZE) && st.comp_size > 0 && st.size / st.comp_size > XLSX_MAX_RATIO &&
	    st.size > (1u << 20))
		return xml_fail(x, "suspicious compression ratio"), WB_ETOOBIG;
	f = zip_fopen(z, name, 0);
	if (!f)
		return WB_EINVAL;
	p = XML_ParserCreate("UTF-8");
	if (!p) {
		zip_fclose(f);
		return WB_ENOMEM;
	}
	XML_SetUserData(p, x);
	XML_SetElementHandler(p, s, e);
	XML_SetCharacterDataHandler(p, on_chars);
	while ((n = zip_fread(f, chunk, sizeof(chunk))) > 0) {
		total += (uint64_t)n;
		if (total > XLSX_MAX_ENTRY) {
			xml_fail(x, "a part of the file is too large");
			rc = WB_ETOOBIG;
			break;
		}
		if (XML_Parse(p, chunk, (int)n, 0) == XML_STATUS_ERROR) {
			xml_fail(x, "the spreadsheet XML is malformed");
			rc = WB_EINVAL;
			break;
		}
		if (x->failed) {
			rc = WB_EINVAL;
			break;
		}
	}
	if (rc == WB_OK && n < 0)
		rc = WB_EINVAL;
	if (rc == WB_OK && XML_Parse(p, NULL, 0, 1) == XML_STATUS_ERROR) {
		xml_fail(x, "the spreadsheet XML is malformed");
		rc = WB_EINVAL;
	}
	XML_ParserFree(p);
	zip_fclose(f);
	return x->failed && rc == WB_OK ? WB_EINVAL : rc;
}

int table_read_xlsx(table *t, const char *data, size_t len, char *err, size_t errlen)
{
	zip_error_t ze;
	zip_source_t *src;
	zip_t *z = NULL;
	xml_state x;
	int rc;

	memset(&x, 0, sizeof(x));
	x.t = t;
	buf_init(&x.text, TABLE_MAX_CELL);
	zip_error_init(&ze);
	src = zip_source_buffer_create(data, len, 0, &ze);
	if (src)
		z = zip_open_from_source(src, ZIP_RDONLY, &ze);
	if (!z) {
		if (src)
			zip_source_free(src);
		zip_error_fini(&ze);
		buf_cleanup(&x.text);
		wb_snprintf(err, errlen, "not an XLSX file (cannot open it as a zip archive)");
		return WB_EINVAL;
	}
	x.xf_date = calloc(XLSX_MAX_XFS, 1);
	rc = x.xf_date ? parse_entry(z, "xl/sharedStrings.xml", &x, sst_start, sst_end, 1) : WB_ENOMEM;
	if (rc == WB_OK)
		rc = parse_entry(z, "xl/styles.xml", &x, styles_start, styles_end, 1);
	if (rc == WB_OK)
		rc = parse_entry(z, "xl/workbook.xml", &x, workbook_start, workbook_end, 1);
	if (rc == WB_OK)
		rc = parse_entry(z, "xl/worksheets/sheet1.xml", &x, sheet_start, sheet_end, 0);
	if (rc)
		wb_snprintf(err, errlen, "%s", x.failed ? x.err : "no first worksheet (xl/worksheets/sheet1.xml)");
	zip_close(z);
	zip_error_fini(&ze);
	for (size_t i = 0; i < x.nstrings; i++)
		free(x.strings[i]);
	free(x.strings);
	free(x.xf_date);
	buf_cleanup(&x.text);
	return rc;
}

int table_read_list(table *t, const char *data, size_t len, size_t max_rows, int *line_out, char *err, size_t errlen)
{
	uint32_t bad_line = 0;
	int rc;

	*line_out = 0;
	table_init(t);
	if (len >= 4 && memcmp(data, "PK\x03\x04", 4) == 0) /* a workbook, as the lists download */
		rc = table_read_xlsx(t, data, len, err, errlen);
	else
		rc = table_read_csv(t, data, len, &bad_line, err, errlen);
	if (rc) {
		*line_out = (int)bad_line;
		return rc;
	}
	if (t->nrows > max_rows + 1) {
		/* named by the first row past the limit (a header allowed for) */
		*line_out = (int)t->rows[max_rows + 1].line;
		wb_snprintf(err, errlen, "too many rows: at most %zu a file", max_rows);
		return WB_EINVAL;
	}
	return WB_OK;
}

void table_header_error(const table *t, const char *const *cols, int ncols, const char *expected, char *err,
			size_t errlen)
{
	char name[64];
	int k = table_header_unknown(t, cols, ncols, name, sizeof(name));

	if (k >= 0)
		wb_snprintf(err, errlen, "a header names the columns %s; its column %d, '%s', is not one of them",
			    expected, k + 1, name);
	else
		wb_snprintf(err, errlen, "a header names the columns %s", expected);
}
