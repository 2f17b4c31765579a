/*
 * Parsing an area tree from CSV (code,name[,kind]) and applying it in one
 * transaction. Shared by the API and `weibao import-areas`.
 */
#ifndef WB_AREAS_CSV_H
#define WB_AREAS_CSV_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "../store/model.h"

#define AREAS_CSV_MAX_ROWS 100000

/* What applying a row does to the area tree. */
enum areas_csv_op {
	AREAS_CSV_ADD,       /* a new area */
	AREAS_CSV_RENAME,    /* a known code with another name (or kind) */
	AREAS_CSV_UNCHANGED, /* a known code as it is */
};

typedef struct areas_csv {
	area_rec *rows;
	unsigned char *ops; /* enum areas_csv_op of each row */
	int n;
	int added, renamed, unchanged;
} areas_csv;

/* Parses and validates every row (codes well formed, inside county, parent
 * known either in the file earlier or in the database). A code the tree
 * has already is not an error: the row renames it (a name, or a kind
 * given, that differs) or leaves it as it is, so that the statistics
 * bureau's updated list can be imported again. On error returns WB_EINVAL
 * with the 1-based line in *line_out and a reason in err. */
int areas_csv_parse(areas_csv *out, const char *data, size_t len, const char *county, store_conn *c, int *line_out,
		    char *err, size_t errlen);
/* Adds and renames as parsed; the caller runs this inside a transaction. */
int areas_csv_apply(const areas_csv *csv, store_conn *c, int64_t now);
void areas_csv_cleanup(areas_csv *csv);

/* The audit detail of an import (areas.c): counts and the first renamed
 * codes. */
json_t *areas_import_detail(const areas_csv *csv);

#endif
