/* Area code rules; pure. See area.h. */
#include "area.h"

#include <string.h>

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

const char *area_level_of(const char *code)
{
	size_t n = strlen(code);

	if (!all_digits(code))
		return NULL;
	switch (n) {
	case 6: return "county";
	case 9: return "township";
	case 12: return "village";
	case 15: return "grid";
	default: return NULL;
	}
}

int area_parent_of(const char *code, char *out, int outlen)
{
	size_t n = strlen(code);
	size_t p = n == 15 ? 12 : n == 12 ? 9 : n == 9 ? 6 : 0;

	if (outlen < 16 || !area_level_of(code))
		return -1;
	memcpy(out, code, p);
	out[p] = '\0';
	return 0;
}

int area_within(const char *child, const char *ancestor)
{
	return strncmp(child, ancestor, strlen(ancestor)) == 0;
}

const char *area_township_kind(const char *code9)
{
	int v;

	if (strlen(code9) != 9 || !all_digits(code9))
		return NULL;
	v = (code9[6] - '0') * 100 + (code9[7] - '0') * 10 + (code9[8] - '0');
	if (v >= 1 && v <= 99)
		return "subdistrict";
	if (v >= 100 && v <= 199)
		return "town";
	if (v >= 200 && v <= 399)
		return "township";
	return NULL;
}

static const struct {
	const char *level, *kinds[3];
} KINDS[] = {
	{"county", {"county"}},
	{"township", {"subdistrict", "town", "township"}},
	{"village", {"village", "community"}},
	{"grid", {"grid", "urban_grid", "rural_service_a"}},
};
static const char *const KIND_LISTS[] = {"county", "subdistrict, town, township", "village, community",
					 "grid, urban_grid, rural_service_a"};

int area_kind_valid(const char *level, const char *kind)
{
	for (size_t i = 0; i < sizeof(KINDS) / sizeof(KINDS[0]); i++) {
		if (strcmp(KINDS[i].level, level) != 0)
			continue;
		for (size_t k = 0; k < 3 && KINDS[i].kinds[k]; k++)
			if (strcmp(KINDS[i].kinds[k], kind) == 0)
				return 1;
		return 0;
	}
	return 0;
}

const char *area_kinds_of(const char *level)
{
	for (size_t i = 0; i < sizeof(KINDS) / sizeof(KINDS[0]); i++)
		if (strcmp(KINDS[i].level, level) == 0)
			return KIND_LISTS[i];
	return "";
}
