/*
 * Units: the departments, social organisations and schools a membership
 * can belong to instead of an area. Pure data and rules: the departments
 * every county has (SPEC §1), and what a unit's code may be.
 */
#ifndef WB_UNITS_H
#define WB_UNITS_H

#include <stddef.h>

typedef struct std_department {
	const char *code;   /* stable: the closed loop finds public_security by it */
	const char *prefix; /* the name is prefix + county name + suffix */
	const char *suffix;
} std_department;

/* The departments of SPEC §1, in order; *n gets their number. */
const std_department *units_standard_departments(size_t *n);
/* The name of department d in the county named county_name, into out. */
void unit_department_name(const std_department *d, const char *county_name, char *out, size_t n);
/* 1 if s may be a unit's code: 2 to 31 of a-z, 0-9 and '_', starting with a
 * letter or digit. */
int unit_code_ok(const char *s);
/* 1 if kind is department, org or school. */
int unit_kind_ok(const char *kind);

#endif
