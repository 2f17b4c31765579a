/* Visit kinds, flags and the visit plan; see visits.h. */
#include "visits.h"

#include <string.h>

#include "date.h"

static const char *const kind_names[VISIT__KINDS] = {"home", "school", "phone"};
static const char *const flag_names[VF__COUNT] = {"safety",       "health",        "schooling",
						  "guardianship", "psychological", "living"};
static const char *const risk_names[RISK__COUNT] = {"low", "medium", "high"};
static const char *const state_names[] = {"no_plan", "ok", "due_soon", "overdue", "never"};

void visit_plan_default(visit_plan_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->risk_days[RISK_LOW] = 0;
	cfg->risk_days[RISK_MEDIUM] = 30;
	cfg->risk_days[RISK_HIGH] = 14;
	for (int i = 0; i < CAT__COUNT; i++)
		cfg->category_days[i] = 30;
	cfg->due_soon_days = 7;
}

/* The shorter of two intervals, where 0 means none. */
static int shorter(int a, int b)
{
	if (a <= 0)
		return b > 0 ? b : 0;
	return b > 0 && b < a ? b : a;
}

int visit_interval(const visit_plan_config *cfg, enum visit_risk risk, unsigned cats)
{
	int days = risk >= 0 && risk < RISK__COUNT ? cfg->risk_days[risk] : 0;

	for (int i = 0; i < CAT__COUNT; i++)
		if (cats & (1u << i))
			days = shorter(days, cfg->category_days[i]);
	return days;
}

enum visit_state visit_plan_state(const visit_plan_config *cfg, int interval, int last_ymd, int today_ymd, int *due_ymd)
{
	*due_ymd = 0;
	if (interval <= 0)
		return VISIT_NO_PLAN;
	if (!last_ymd)
		return VISIT_NEVER;
	*due_ymd = date_add_days(last_ymd, interval);
	if (*due_ymd < today_ymd)
		return VISIT_OVERDUE;
	if (date_days(*due_ymd) - date_days(today_ymd) <= cfg->due_soon_days)
		return VISIT_DUE_SOON;
	return VISIT_OK;
}

static int parse(const char *const *names, int n, const char *s)
{
	for (int i = 0; s && i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

const char *visit_kind_name(enum visit_kind k)
{
	return k >= 0 && k < VISIT__KINDS ? kind_names[k] : "unknown";
}

int visit_kind_parse(const char *s, enum visit_kind *out)
{
	int i = parse(kind_names, VISIT__KINDS, s);

	if (i < 0)
		return -1;
	*out = (enum visit_kind)i;
	return 0;
}

const char *visit_flag_name(enum visit_flag f)
{
	return f >= 0 && f < VF__COUNT ? flag_names[f] : "unknown";
}

int visit_flag_parse(const char *s, enum visit_flag *out)
{
	int i = parse(flag_names, VF__COUNT, s);

	if (i < 0)
		return -1;
	*out = (enum visit_flag)i;
	return 0;
}

const char *visit_risk_name(enum visit_risk r)
{
	return r >= 0 && r < RISK__COUNT ? risk_names[r] : "unknown";
}

int visit_risk_parse(const char *s, enum visit_risk *out)
{
	int i = parse(risk_names, RISK__COUNT, s);

	if (i < 0)
		return -1;
	*out = (enum visit_risk)i;
	return 0;
}

const char *visit_state_name(enum visit_state s)
{
	return s >= 0 && s <= VISIT_NEVER ? state_names[s] : "unknown";
}

int visit_state_parse(const char *s, enum visit_state *out)
{
	int i = parse(state_names, VISIT_NEVER + 1, s);

	if (i < 0)
		return -1;
	*out = (enum visit_state)i;
	return 0;
}
