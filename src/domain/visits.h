/*
 * Visits (走访, SPEC §5): the kinds of visit, the risk flags a visitor can
 * raise, and the visit plan — how often a child is to be visited, given
 * the child's risk level and confirmed categories, and when the next visit
 * falls due. Pure: no I/O, no clock (today is a parameter).
 *
 * The plan's interval is the shortest of those that apply: a high-risk
 * orphan is visited as often as high risk asks, however long the orphans'
 * interval. A child with no category and low risk has no plan (0). A child
 * never visited is due at once.
 */
#ifndef WB_VISITS_H
#define WB_VISITS_H

#include "category.h"

enum visit_kind { VISIT_HOME = 0, VISIT_SCHOOL, VISIT_PHONE, VISIT__KINDS };

/* What a visitor saw that needs attention; a visit may raise several. */
enum visit_flag {
	VF_SAFETY = 0,   /* the child is not safe where they live */
	VF_HEALTH,       /* illness or injury not cared for */
	VF_SCHOOLING,    /* out of school or about to drop out */
	VF_GUARDIANSHIP, /* no one actually looks after the child */
	VF_PSYCHOLOGICAL,
	VF_LIVING, /* food, clothing, housing */
	VF__COUNT
};

enum visit_risk { RISK_LOW = 0, RISK_MEDIUM, RISK_HIGH, RISK__COUNT };

enum visit_state {
	VISIT_NO_PLAN = 0, /* nothing asks for visits */
	VISIT_OK,          /* the next visit is not due yet */
	VISIT_DUE_SOON,    /* due within the configured days */
	VISIT_OVERDUE,     /* past its due day */
	VISIT_NEVER,       /* has a plan and was never visited */
};

#define VISIT_DAYS_MAX     366 /* the longest interval one can configure */
#define VISIT_DUE_SOON_MAX 60

typedef struct visit_plan_config {
	int risk_days[RISK__COUNT];    /* 0: that risk level alone asks for no visits */
	int category_days[CAT__COUNT]; /* 0: that category alone asks for no visits */
	int due_soon_days;             /* "due soon" this many days before the due day */
} visit_plan_config;

/* High risk every 14 days, medium risk and every focus category every 30,
 * low risk without a category none; due soon 7 days ahead. */
void visit_plan_default(visit_plan_config *cfg);
/* Days between visits for a child of risk with the confirmed categories
 * cats (bit 1 << category); 0 = no plan. */
int visit_interval(const visit_plan_config *cfg, enum visit_risk risk, unsigned cats);
/*
 * Where a child stands on today (YYYYMMDD): interval from visit_interval,
 * last_ymd the day of the newest visit (0: never). *due_ymd gets the day
 * the next visit is due (0 when never visited or without a plan).
 */
enum visit_state visit_plan_state(const visit_plan_config *cfg, int interval, int last_ymd, int today_ymd,
				  int *due_ymd);

/* Stable names for the API and storage; parse returns 0 or -1. */
const char *visit_kind_name(enum visit_kind k);
int visit_kind_parse(const char *s, enum visit_kind *out);
const char *visit_flag_name(enum visit_flag f);
int visit_flag_parse(const char *s, enum visit_flag *out);
const char *visit_risk_name(enum visit_risk r);
int visit_risk_parse(const char *s, enum visit_risk *out);
const char *visit_state_name(enum visit_state s);
int visit_state_parse(const char *s, enum visit_state *out);

#endif
