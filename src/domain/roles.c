/* The role table; see roles.h. Least privilege: only the centre sees whole
 * ID numbers; the field roles who phone guardians see their numbers; only
 * area-bound field roles and the centre edit children; the centre and the
 * township confirm categories. */
#include "roles.h"

#include <stdio.h>
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

/* The roles' Chinese names, as staff write them in a list of accounts
 * (the web UI's catalogue says the same). */
static const char *const labels[][2] = {
	{"未保委员会", "committee"}, {"县未保中心", "center"}, {"儿童督导员", "supervisor"},
	{"乡镇工作站", "station"},   {"儿童主任", "director"}, {"网格员", "grid"},
	{"职能部门", "department"},  {"社会组织", "org"},      {"学校", "school"},
	{"数据保护专员", "auditor"}, {"系统管理员", "admin"},
};

const role_def *role_find_any(const char *name)
{
	const role_def *r = role_find(name);

	for (size_t i = 0; !r && i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(labels[i][0], name) == 0)
			r = role_find(labels[i][1]);
	return r;
}

void role_names_text(char *out, size_t n)
{
	size_t len = 0;

	if (n == 0)
		return;
	out[0] = '\0';
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]) && len < n; i++) {
		int w = snprintf(out + len, n - len, "%s%s (%s)", i ? ", " : "", labels[i][0], labels[i][1]);

		if (w < 0)
			break;
		len += (size_t)w;
	}
}

/* The roles' English names, as the web UI's English catalogue says them. */
static const char *const labels_en[][2] = {
	{"Protection committee", "committee"},  {"County centre", "center"},    {"Child supervisor", "supervisor"},
	{"Township work station", "station"},   {"Child director", "director"}, {"Grid worker", "grid"},
	{"Department", "department"},           {"Social organisation", "org"}, {"School", "school"},
	{"Data protection officer", "auditor"}, {"Administrator", "admin"},
};

const char *role_label_en(const char *name)
{
	for (size_t i = 0; i < sizeof(labels_en) / sizeof(labels_en[0]); i++)
		if (strcmp(labels_en[i][1], name) == 0)
			return labels_en[i][0];
	return name;
}

const char *role_label_zh(const char *name)
{
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(labels[i][1], name) == 0)
			return labels[i][0];
	return name;
}
