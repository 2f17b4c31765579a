/* Units: the standard departments and the rules for codes (units.h). */
#include "units.h"

#include <string.h>

#include "../util/buf.h"
#include "../util/wb.h"

static const std_department departments[] = {
	{"public_security", "", "公安局"},
	{"procuratorate", "", "人民检察院"},
	{"court", "", "人民法院"},
	{"civil_affairs", "", "民政局"},
	{"education", "", "教育和体育局"},
	{"health", "", "卫生健康局"},
	{"medical_insurance", "", "医疗保障局"},
	{"hrss", "", "人力资源和社会保障局"},
	{"youth_league", "共青团", "委"},
	{"womens_federation", "", "妇女联合会"},
	{"guangongwei", "", "关心下一代工作委员会"},
};

const std_department *units_standard_departments(size_t *n)
{
	*n = WB_ARRAY_LEN(departments);
	return departments;
}

void unit_department_name(const std_department *d, const char *county_name, char *out, size_t n)
{
	wb_snprintf(out, n, "%s%s%s", d->prefix, county_name, d->suffix);
}

int unit_code_ok(const char *s)
{
	size_t n = strlen(s);

	if (n < 2 || n > 31 || s[0] == '_')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

int unit_kind_ok(const char *kind)
{
	return kind && (strcmp(kind, "department") == 0 || strcmp(kind, "org") == 0 || strcmp(kind, "school") == 0);
}
