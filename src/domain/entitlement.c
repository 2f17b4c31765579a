#include "entitlement.h"

#include <string.h>

#include "../util/buf.h"
#include "../util/wb.h"

static const char *const benefit_names[EB__COUNT] = {"monthly_allowance", "one_off_aid", "fee_waiver",
						     "insurance_subsidy", "in_kind"};
static const char *const unmet_names[EU__COUNT] = {"category", "age",     "hukou", "disability",
						   "poverty",  "illness", "ended", "excluded"};

void ent_rule_init(ent_rule *r)
{
	memset(r, 0, sizeof(*r));
	r->age_min = -1;
	r->age_max = -1;
}

unsigned ent_eval(const ent_rule *r, const ent_facts *f)
{
	unsigned unmet = 0;

	if (r->cats && !(r->cats & f->cats))
		unmet |= EU_CATEGORY;
	if (f->age < 0 || f->age > ENT_AGE_MAX || (r->age_min >= 0 && f->age < r->age_min) ||
	    (r->age_max >= 0 && f->age > r->age_max))
		unmet |= EU_AGE;
	if (r->hukou && r->hukou != f->hukou)
		unmet |= EU_HUKOU;
	if (r->disability_grades && (f->disability_grade < 1 || f->disability_grade > 4 ||
				     !(r->disability_grades & (1u << f->disability_grade))))
		unmet |= EU_DISABILITY;
	if (r->family_poverty && !f->family_poverty)
		unmet |= EU_POVERTY;
	if (r->serious_illness && !f->serious_illness)
		unmet |= EU_ILLNESS;
	return unmet;
}

const char *ent_benefit_name(enum ent_benefit b)
{
	return (unsigned)b < EB__COUNT ? benefit_names[b] : "";
}

int ent_benefit_parse(const char *s, enum ent_benefit *out)
{
	for (int i = 0; s && i < EB__COUNT; i++)
		if (strcmp(s, benefit_names[i]) == 0) {
			*out = (enum ent_benefit)i;
			return WB_OK;
		}
	return WB_EINVAL;
}

const char *ent_unmet_name(int i)
{
	return i >= 0 && i < EU__COUNT ? unmet_names[i] : "";
}

int month_parse(const char *s, int *ym_out)
{
	int y = 0, m;

	if (!s || strlen(s) != 7 || s[4] != '-')
		return WB_EINVAL;
	for (int i = 0; i < 4; i++) {
		if (s[i] < '0' || s[i] > '9')
			return WB_EINVAL;
		y = y * 10 + (s[i] - '0');
	}
	if (s[5] < '0' || s[5] > '9' || s[6] < '0' || s[6] > '9')
		return WB_EINVAL;
	m = (s[5] - '0') * 10 + (s[6] - '0');
	if (y < 1900 || m < 1 || m > 12)
		return WB_EINVAL;
	*ym_out = y * 100 + m;
	return WB_OK;
}

void month_format(int ym, char *out)
{
	wb_snprintf(out, 8, "%04d-%02d", ym / 100, ym % 100);
}

static int month_index(int ym)
{
	return (ym / 100) * 12 + (ym % 100 - 1);
}

int month_add(int ym, int n)
{
	int i = month_index(ym) + n;

	return (i / 12) * 100 + i % 12 + 1;
}

int month_diff(int a, int b)
{
	return month_index(b) - month_index(a);
}

int ent_pays_in(enum ent_benefit b, int from, int to, int ym)
{
	if (ym < from || (to != 0 && ym > to))
		return 0; /* outside the receipt (a cancelled one ends before it starts) */
	switch (b) {
	case EB_MONTHLY: return 1;
	case EB_FEE_WAIVER:
	case EB_INSURANCE: return month_diff(from, ym) % 12 == 0; /* yearly, on the first month */
	default: return ym == from;
	}
}
