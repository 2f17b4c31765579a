/*
 * Parsing an area tree from CSV (code,name[,kind]) and applying it in one
 * transaction. Shared by the API and `weibao import-areas`.
 */
#ifndef WB_AREAS_CSV_H
#define WB_AREAS_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "../store/model.h"

#define AREAS_CSV_MAX_ROWS 100000

typedef struct areas_csv {
	area_rec *rows;
	int n;
} areas_csv;

/* Parses and validates every row (codes well formed, inside county, parent
 * known either in the file earlier or in the database). On error returns
 * WB_EINVAL with the 1-based line in *line_out and a reason in err. */
int areas_csv_parse(areas_csv *out, const char *data, size_t len, const char *county, store_conn *c, int *line_out,
		    char *err, size_t errlen);
/* Inserts every row; the caller runs this inside a transaction. */
int areas_csv_apply(const areas_csv *csv, store_conn *c, int64_t now);
void areas_csv_cleanup(areas_csv *csv);

#endif
