/*
 * The four focus categories of SPEC §3, derived by rules from a child's
 * facts. A derived category is only a suggestion; a person confirms it with
 * evidence (kept elsewhere). Pure: no I/O, no clock (today is a parameter).
 *
 *   orphan (孤儿): under 18, both parents deceased or declared missing, not
 *     adopted.
 *   de facto unsupported (事实无人抚养儿童): under 18, not an orphan, and
 *     both parents in the incapacity set, or one deceased/declared missing
 *     and the other in the incapacity set. The set is provincial
 *     configuration.
 *   rural left-behind (农村留守儿童): under 16, rural household
 *     registration, both parents working away, or one away and the other
 *     without guardianship capacity (deceased, missing or in the set).
 *   in difficulty (困境儿童): family poverty, own disability or serious
 *     illness, or guardianship failure (the de facto unsupported case);
 *     sub-types are county configuration.
 *
 * Age is in full years (周岁). Whether a birthday counts on the day itself
 * or the day after, and when a 29 February birthday counts in other years,
 * is configuration.
 */
#ifndef WB_CATEGORY_H
#define WB_CATEGORY_H

#include <stddef.h>
#include <stdint.h>

enum guardian_status {
	GS_UNKNOWN = 0,
	GS_PRESENT,      /* present and caring */
	GS_WORKING_AWAY, /* working away from home */
	GS_DECEASED,
	GS_MISSING,           /* declared missing by a court */
	GS_LOST_CONTACT,      /* lost contact for 6 months or more */
	GS_SEVERE_DISABILITY, /* grade 1-2, or grade 3-4 mental/intellectual */
	GS_SERIOUS_ILLNESS,
	GS_IMPRISONED,           /* 6 months or more */
	GS_DRUG_REHAB,           /* compulsory drug rehabilitation */
	GS_DETAINED,             /* other deprivation of liberty, 6 months or more */
	GS_GUARDIANSHIP_REVOKED, /* revoked by a court */
	GS_DEPORTED,
	GS__COUNT
};

enum category { CAT_ORPHAN = 0, CAT_UNSUPPORTED, CAT_LEFT_BEHIND, CAT_DIFFICULTY, CAT__COUNT };

/* Why a category was suggested (or why it ended). */
enum category_reason {
	CR_NONE = 0,
	CR_BOTH_PARENTS_DEAD_OR_MISSING,
	CR_BOTH_PARENTS_INCAPABLE,
	CR_ONE_DEAD_OTHER_INCAPABLE,
	CR_BOTH_PARENTS_AWAY,
	CR_ONE_AWAY_OTHER_INCAPABLE,
	CR_FAMILY_POVERTY,
	CR_OWN_DISABILITY,
	CR_OWN_SERIOUS_ILLNESS,
	CR_GUARDIANSHIP_FAILURE,
	/* end reasons */
	CR_END_AGE_16,
	CR_END_AGE_18,
	CR_END_PARENT_RETURNED,
	CR_END_ADOPTED,
	CR_END_GUARDIAN_CAPABLE,
	CR_END_OTHER,
};

enum birthday_rule {
	BIRTHDAY_ON_DAY = 0,    /* a year is complete on the birthday itself */
	BIRTHDAY_DAY_AFTER = 1, /* ... on the day after the birthday */
};

enum leapday_rule {
	LEAPDAY_MARCH_1 = 0, /* 29 Feb birthdays count on 1 March in common years */
	LEAPDAY_FEB_28 = 1,  /* ... on 28 February */
};

typedef struct category_config {
	/* incapacity[s] = 1 when guardian status s counts as "without capacity" */
	unsigned char incapacity[GS__COUNT];
	enum birthday_rule birthday;
	enum leapday_rule leapday;
	/* which sub-types of "in difficulty" the county counts (county
	 * configuration): family poverty, own disability, own serious
	 * illness, guardianship failure */
	unsigned char difficulty[4];
} category_config;

typedef struct child_facts {
	int birth_ymd;   /* YYYYMMDD; 0 = unknown (no category by age) */
	int rural_hukou; /* rural household registration */
	int adopted;
	int disability_grade; /* 0 none, 1-4 */
	int serious_illness;
	int family_poverty; /* minimum-living-allowance or extreme-poverty family */
	enum guardian_status father;
	enum guardian_status mother;
} child_facts;

typedef struct category_result {
	unsigned char has[CAT__COUNT];
	enum category_reason reason[CAT__COUNT];
} category_result;

/* The provincial default: every status of SPEC §3's incapacity set. */
void category_config_default(category_config *cfg);
/*
 * Applies configuration text onto cfg (NULL or "" leaves a setting alone):
 * incapacity — comma-separated guardian statuses; birthday — "on_day" or
 * "day_after"; leapday — "mar1" or "feb28"; difficulty — comma-separated
 * sub-types among family_poverty, own_disability, own_serious_illness,
 * guardianship_failure. Returns 0, or -1 with a reason in err.
 */
int category_config_parse(category_config *cfg, const char *incapacity, const char *birthday, const char *leapday,
			  const char *difficulty, char *err, size_t errlen);
/* Full years of age on today (YYYYMMDD) under cfg's birthday rules; -1 if
 * the birth date is unknown or after today. */
int category_age(const category_config *cfg, int birth_ymd, int today_ymd);
/* The first day (YYYYMMDD) on which a child born on birth_ymd is years
 * old under cfg's birthday rules (the birthday itself or the day after;
 * a 29 February birthday in a common year on 28 February or 1 March);
 * 0 if the birth date is unknown. */
int category_age_day(const category_config *cfg, int birth_ymd, int years);
/* Derives the categories of a child on today. */
void category_derive(const category_config *cfg, const child_facts *f, int today_ymd, category_result *out);
/*
 * Why a confirmed category no longer holds, given the facts before and now:
 * age limits first, then adoption, a parent who returned, a guardian who
 * regained capacity; CR_END_OTHER if it ended for another reason; CR_NONE
 * if it still holds.
 */
enum category_reason category_end_reason(const category_config *cfg, enum category cat, const child_facts *before,
					 const child_facts *now, int today_ymd);

/* Stable names for the API and storage. */
const char *category_name(enum category c);
int category_parse(const char *s, enum category *out);
const char *category_reason_name(enum category_reason r);
const char *guardian_status_name(enum guardian_status s);
int guardian_status_parse(const char *s, enum guardian_status *out);

#endif
