/*
 * Parsing a list of units from CSV (kind,code,name[,area_code]) and
 * applying it in one transaction: the county's schools, organisations and
 * departments in one file. Like the area list, a known unit (same kind and
 * code) is renamed or left as it is; nothing is deleted.
 */
#ifndef WB_UNITS_CSV_H
#define WB_UNITS_CSV_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "../store/model.h"
#include "areas_csv.h" /* enum areas_csv_op: the same three outcomes */

#define UNITS_CSV_MAX_ROWS 5000

typedef struct units_csv {
	unit_rec *rows;
	unsigned char *ops; /* enum areas_csv_op of each row */
	int n;
	int added, renamed, unchanged;
} units_csv;

/* Parses and checks every row for county: kind (department, org, school,
 * or 职能部门, 社会组织, 学校), a unit code, a name, and an area of the
 * county when given. An optional header. On error returns WB_EINVAL with
 * the 1-based line in *line_out and a reason in err. */
int units_csv_parse(units_csv *out, const char *data, size_t len, const char *county, store_conn *c, int *line_out,
		    char *err, size_t errlen);
/* Adds and renames as parsed; the caller runs this inside a transaction. */
int units_csv_apply(const units_csv *csv, store_conn *c, int64_t now);
void units_csv_cleanup(units_csv *csv);

#endif
