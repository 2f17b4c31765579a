/*
 * Entitlements (应享尽享, SPEC §6): a policy's rule of eligibility over a
 * child's facts and confirmed categories, and the months benefits are paid
 * in. Pure: no I/O, no clock (today and ages are parameters).
 *
 * A rule is a conjunction: every condition it sets must hold; a rule that
 * sets none holds for every child under 18 (the registry's active work).
 */
#ifndef WB_ENTITLEMENT_H
#define WB_ENTITLEMENT_H

#include <stddef.h>
#include <stdint.h>

enum ent_benefit {
	EB_MONTHLY = 0, /* 月度补贴: paid every month of the receipt */
	EB_ONE_OFF,     /* 一次性救助 */
	EB_FEE_WAIVER,  /* 费用减免: yearly, in the first month and every 12th after */
	EB_INSURANCE,   /* 参保资助: yearly, like the fee waiver */
	EB_IN_KIND,     /* 实物帮扶 */
	EB__COUNT
};

/* Why a child does not meet a rule: one bit per condition. */
enum ent_unmet {
	EU_CATEGORY = 1 << 0,   /* none of the rule's categories is confirmed */
	EU_AGE = 1 << 1,        /* outside the age range (or 18 and over, or no birth date) */
	EU_HUKOU = 1 << 2,      /* another household registration */
	EU_DISABILITY = 1 << 3, /* no disability of the rule's grades */
	EU_POVERTY = 1 << 4,    /* not a family in poverty */
	EU_ILLNESS = 1 << 5,    /* no serious illness */
	EU_ENDED = 1 << 6,      /* the policy has stopped (停止执行): nobody is entitled */
	EU_EXCLUDED = 1 << 7,   /* receives a policy this one may not be had with (不得同时享受) */
};
#define EU__COUNT 8

#define ENT_AGE_MAX       17 /* the registry's work ends at 18 */
#define ENT_EXCLUDES_MAX  4  /* policies a rule may exclude */
#define ENT_RECEIVING_MAX 32 /* a child's open receipts the matching looks at */

typedef struct ent_rule {
	unsigned cats; /* bit 1 << enum category; 0 = any */
	int age_min;   /* full years, inclusive; -1 = not set */
	int age_max;
	int hukou;                  /* 0 any, 1 rural, 2 urban */
	unsigned disability_grades; /* bit 1 << grade (1..4); 0 = not set */
	int family_poverty;         /* 1 = required */
	int serious_illness;        /* 1 = required */
	/* not while receiving one of these policies (their codes): a benefit
	 * that may not be had together with another (不得同时享受); checked
	 * against the child's receipts, not by ent_eval */
	char excludes[ENT_EXCLUDES_MAX][32];
	int nexcludes;
} ent_rule;

typedef struct ent_facts {
	int age;   /* full years today; -1 if the birth date is unknown */
	int hukou; /* 0 unknown, 1 rural, 2 urban */
	int disability_grade;
	int family_poverty;
	int serious_illness;
	unsigned cats; /* confirmed categories */
	/* the policies the child receives now (open receipts), by id */
	int64_t receiving[ENT_RECEIVING_MAX];
	int nreceiving;
} ent_facts;

/* A rule that sets nothing. */
void ent_rule_init(ent_rule *r);
/* The conditions of r that f does not meet (enum ent_unmet bits); 0 if the
 * child is eligible. A child of 18 or more, or of unknown age, never is.
 * (The excluded policies are the caller's to check: the rule names them by
 * code, the facts by id.) */
unsigned ent_eval(const ent_rule *r, const ent_facts *f);

const char *ent_benefit_name(enum ent_benefit b);
int ent_benefit_parse(const char *s, enum ent_benefit *out);
/* The name of the unmet bit number i (0..EU__COUNT-1): "category", "age",
 * "hukou", "disability", "poverty", "illness", "ended", "excluded". */
const char *ent_unmet_name(int i);

/* Months as YYYYMM ints (202611). Parses "YYYY-MM" (years 1900-9999):
 * WB_OK or WB_EINVAL. */
int month_parse(const char *s, int *ym_out);
/* Writes ym as "YYYY-MM" into out (at least 8 bytes). */
void month_format(int ym, char *out);
/* The month n months after ym (n may be negative). */
int month_add(int ym, int n);
/* Months from a to b (b - a). */
int month_diff(int a, int b);
/* 1 if a receipt from..to (to 0 = open) of benefit b pays in month ym,
 * within the range only: a monthly allowance every month; a fee waiver and
 * an insurance subsidy every year, in the first month and each 12 months
 * after it while the receipt is open; one-off aid and in-kind help once, in
 * the first month. */
int ent_pays_in(enum ent_benefit b, int from, int to, int ym);

#endif
