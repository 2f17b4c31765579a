/* The role table; see roles.h. Least privilege: only the centre sees whole
 * ID numbers; the field roles who phone guardians see their numbers; only
 * area-bound field roles and the centre edit children; the centre and the
 * township confirm categories. */
#include "roles.h"

#include <string.h>

static const role_def roles[] = {
	{"committee", ANCHOR_COUNTY, NULL, CHILD_ACCESS_NONE, 0, 0, 0, 0, 0, 0, 0},
	{"center", ANCHOR_COUNTY, NULL, CHILD_ACCESS_AREA, 1, 1, 0, 0, 1, 1, 1},
	{"supervisor", ANCHOR_TOWNSHIP, NULL, CHILD_ACCESS_AREA, 0, 1, 0, 0, 1, 1, 1},
	{"station", ANCHOR_TOWNSHIP, NULL, CHILD_ACCESS_AREA, 0, 1, 0, 0, 1, 1, 1},
	{"director", ANCHOR_VILLAGE, NULL, CHILD_ACCESS_AREA, 0, 1, 0, 0, 1, 0, 1},
	{"grid", ANCHOR_GRID, NULL, CHILD_ACCESS_AREA, 0, 1, 0, 0, 1, 0, 1},
	{"department", ANCHOR_UNIT, "department", CHILD_ACCESS_GRANT, 0, 0, 0, 0, 0, 0, 0},
	{"org", ANCHOR_UNIT, "org", CHILD_ACCESS_GRANT, 0, 0, 0, 0, 0, 0, 0},
	{"school", ANCHOR_UNIT, "school", CHILD_ACCESS_SCHOOL, 0, 0, 0, 0, 0, 0, 0},
	{"auditor", ANCHOR_COUNTY, NULL, CHILD_ACCESS_NONE, 0, 0, 1, 0, 0, 0, 0},
	{"admin", ANCHOR_COUNTY, NULL, CHILD_ACCESS_NONE, 0, 0, 0, 1, 0, 0, 0},
	{NULL, ANCHOR_COUNTY, NULL, CHILD_ACCESS_NONE, 0, 0, 0, 0, 0, 0, 0},
};

const role_def *role_find(const char *name)
{
	for (const role_def *r = roles; r->name; r++)
		if (strcmp(r->name, name) == 0)
			return r;
	return NULL;
}

const role_def *role_all(void)
{
	return roles;
}
