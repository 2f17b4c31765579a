/*
 * Importing children's lists (CSV in UTF-8 or GB18030, XLSX): column
 * mapping with Chinese headers, validation of every row with a report
 * naming row, column and reason, deduplication by ID number within the file
 * and against the registry, and reconciliation that fills empty facts but
 * never overwrites a different recorded value (a conflict is reported).
 * A new row for someone 18 or older (past the archive's grace days) is
 * skipped and reported, not registered: the registry keeps minors.
 *
 * All or nothing by default: one bad row and nothing is written. Row by row
 * on request: good rows are applied, bad rows reported. Importing the same
 * file twice changes nothing the second time.
 */
#ifndef WB_IMPORT_H
#define WB_IMPORT_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdint.h>

#include "../security/keys.h"
#include "../store/model.h"
#include "../util/table.h"

#define IMPORT_MAX_ISSUES 20000

typedef struct import_issue {
	uint32_t row;
	char column[48];
	char kind[10]; /* error, conflict, skipped (a new row of an adult: not registered) */
	char reason[320];
} import_issue;

#define IMPORT_OUTSIDE_IDS 24
#define IMPORT_IGNORED_MAX 32  /* ignored columns named (a file's header rarely has more) */
#define IMPORT_COLUMN_MAX  128 /* bytes of an ignored column's header kept */

typedef struct import_job {
	/* input */
	const sec_keys *keys;
	store_scope scope;
	char county[8];
	int64_t user_id;
	int row_by_row;
	char file_name[128];
	char format[8];
	json_t *mapping; /* optional {"header": "field"} (borrowed) */
	table t;
	/* progress and results */
	int bulk; /* set by import_apply: SQLite, all or nothing (no savepoints) */
	atomic_int percent;
	atomic_int finished;
	int64_t import_id;
	char status[12];                                           /* running, done, rejected, failed (shown) */
	char final_status[12];                                     /* the outcome, saved before it is shown */
	long rows, created, updated, unchanged, errors, conflicts; /* issues of each kind */
	long skipped; /* new rows of adults, not registered (issues of kind skipped) */
	/* rows whose ID number belongs to a child outside the caller's area:
	 * the refusal tells that the number is registered, so the audit entry
	 * counts them and names the first of those children */
	long outside;
	int64_t outside_ids[IMPORT_OUTSIDE_IDS];
	import_issue *issues;
	size_t nissues;
	char message[256];
	/* the header's columns the import does not know (no field, no mapping):
	 * their cells are not read, and the answer, the report and the CLI name
	 * them (import_load) */
	char ignored[IMPORT_IGNORED_MAX][IMPORT_COLUMN_MAX];
	int nignored;
	int ignored_more; /* columns past IMPORT_IGNORED_MAX, not named */
} import_job;

/* Prepares a job: reads data (CSV or XLSX, detected) into the job's table.
 * On a file-level error returns WB_EINVAL with job->message set. */
int import_load(import_job *j, const char *data, size_t len);
/* The ignored columns of j as a JSON array of their headers (and "…" for
 * more than could be named). */
json_t *import_ignored_json(const import_job *j);
/* The reason an ignored column is listed with (the report's rows and the
 * CLI's lines): "the import does not know this column; its cells were not
 * read", in Chinese when zh. */
const char *import_ignored_reason(int zh);

/* Runs validation and (unless rejected) the changes, inside the caller's
 * transaction. Returns WB_OK when applied (fully, or row by row), WB_EINVAL
 * when rejected (nothing must be kept: the caller rolls back). */
int import_apply(store_conn *c, import_job *j);
/* Frees what the job holds. */
void import_job_cleanup(import_job *j);

/* Persists the import's summary (insert when import_id is 0, else update)
 * and, when finished, its issues. */
int import_save(store_conn *c, import_job *j, int64_t now);

/* The field a column header stands for ("name", "id_number", ...), or NULL. */
const char *import_header_field(const char *header);
/* A birth date as departments' lists write it (2016-3-5, 2016/3/5,
 * 2016.03.05, 2016年3月5日, a time of day after it ignored) as
 * "YYYY-MM-DD" into iso and *ymd; WB_EINVAL if it is none of these. */
int import_list_date(const char *s, int *ymd, char iso[11]);
/* An ID number typed with full-width digits (３７０８…, an input method's
 * full-width mode) as the ASCII digits it stands for, into out
 * (IMPORT_ID_ASCII bytes): U+FF10..U+FF19, Ｘ/ｘ, and the full-width
 * asterisk ＊ of a masked number as '*' (so that a number masked with it
 * is recognised as masked). Returns s itself when it has none of them, or
 * when the result would not fit (then the number is wrong anyway). The
 * import and the reconciliation read numbers so. */
#define IMPORT_ID_ASCII 24
const char *import_id_number_ascii(const char *s, char out[IMPORT_ID_ASCII]);

/* The first header text that stands for a field ("father_status": its
 * Chinese header), or NULL for a text that names no field. */
const char *import_field_header(const char *field);

/* An issue's reason in Chinese into out (1), or 0 for a reason not known
 * here (the report's file then gives the English). */
int import_reason_zh(const char *reason, char *out, size_t n);

/* The known columns, for documentation and the UI's mapping screen. */
json_t *import_fields_json(void);
/* The columns of an import template, in the importer's order: each field's
 * Chinese header (zh) and its name (en), at most n; returns how many. */
size_t import_template_columns(const char **zh, const char **en, size_t n);

#endif
