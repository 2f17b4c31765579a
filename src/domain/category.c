/* Category rules; see category.h. Pure functions only. */
#include "category.h"

#include <stdio.h>
#include <string.h>

#include "date.h"
#include "idnum.h"

static const char *const status_names[GS__COUNT] = {
	"unknown",           "present",         "working_away", "deceased",   "missing",  "lost_contact",
	"severe_disability", "serious_illness", "imprisoned",   "drug_rehab", "detained", "guardianship_revoked",
	"deported",
};

static const char *const category_names[CAT__COUNT] = {"orphan", "de_facto_unsupported", "left_behind",
						       "in_difficulty"};

void category_config_default(category_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->incapacity[GS_LOST_CONTACT] = 1;
	cfg->incapacity[GS_SEVERE_DISABILITY] = 1;
	cfg->incapacity[GS_SERIOUS_ILLNESS] = 1;
	cfg->incapacity[GS_IMPRISONED] = 1;
	cfg->incapacity[GS_DRUG_REHAB] = 1;
	cfg->incapacity[GS_DETAINED] = 1;
	cfg->incapacity[GS_GUARDIANSHIP_REVOKED] = 1;
	cfg->incapacity[GS_DEPORTED] = 1;
	cfg->birthday = BIRTHDAY_ON_DAY;
	cfg->leapday = LEAPDAY_MARCH_1;
	memset(cfg->difficulty, 1, sizeof(cfg->difficulty));
}

static const char *const difficulty_names[4] = {"family_poverty", "own_disability", "own_serious_illness",
						"guardianship_failure"};

/* Calls each(name) for the comma-separated items of list; -1 if one fails. */
static int each_item(const char *list, int (*each)(const char *name, void *arg), void *arg)
{
	char item[40];

	while (*list) {
		size_t n = strcspn(list, ",");
		size_t b = 0, e = n;

		while (b < e && list[b] == ' ')
			b++;
		while (e > b && list[e - 1] == ' ')
			e--;
		if (e - b >= sizeof(item))
			return -1;
		memcpy(item, list + b, e - b);
		item[e - b] = '\0';
		if (item[0] && each(item, arg) != 0)
			return -1;
		list += n;
		if (*list == ',')
			list++;
	}
	return 0;
}

static int set_incapable(const char *name, void *arg)
{
	category_config *cfg = arg;
	enum guardian_status s;

	if (guardian_status_parse(name, &s) != 0 || s == GS_UNKNOWN || s == GS_PRESENT || s == GS_WORKING_AWAY ||
	    s == GS_DECEASED || s == GS_MISSING)
		return -1;
	cfg->incapacity[s] = 1;
	return 0;
}

static int set_difficulty(const char *name, void *arg)
{
	category_config *cfg = arg;

	for (int i = 0; i < 4; i++)
		if (strcmp(name, difficulty_names[i]) == 0) {
			cfg->difficulty[i] = 1;
			return 0;
		}
	return -1;
}

int category_config_parse(category_config *cfg, const char *incapacity, const char *birthday, const char *leapday,
			  const char *difficulty, char *err, size_t errlen)
{
	if (incapacity && incapacity[0]) {
		memset(cfg->incapacity, 0, sizeof(cfg->incapacity));
		if (each_item(incapacity, set_incapable, cfg) != 0) {
			snprintf(err, errlen,
				 "category_incapacity: each item must be a guardian status of incapacity "
				 "(lost_contact, severe_disability, serious_illness, imprisoned, drug_rehab, "
				 "detained, guardianship_revoked, deported)");
			return -1;
		}
	}
	if (birthday && birthday[0]) {
		if (strcmp(birthday, "on_day") == 0)
			cfg->birthday = BIRTHDAY_ON_DAY;
		else if (strcmp(birthday, "day_after") == 0)
			cfg->birthday = BIRTHDAY_DAY_AFTER;
		else {
			snprintf(err, errlen, "category_birthday must be on_day or day_after");
			return -1;
		}
	}
	if (leapday && leapday[0]) {
		if (strcmp(leapday, "mar1") == 0)
			cfg->leapday = LEAPDAY_MARCH_1;
		else if (strcmp(leapday, "feb28") == 0)
			cfg->leapday = LEAPDAY_FEB_28;
		else {
			snprintf(err, errlen, "category_leapday must be mar1 or feb28");
			return -1;
		}
	}
	if (difficulty && difficulty[0]) {
		memset(cfg->difficulty, 0, sizeof(cfg->difficulty));
		if (each_item(difficulty, set_difficulty, cfg) != 0) {
			snprintf(err, errlen,
				 "category_difficulty: each item must be family_poverty, own_disability, "
				 "own_serious_illness or guardianship_failure");
			return -1;
		}
	}
	return 0;
}

static int prev_day(int ymd)
{
	int y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;

	if (d > 1)
		return ymd - 1;
	if (m == 1)
		return (y - 1) * 10000 + 1231;
	m--;
	for (d = 31; d > 28 && !idnum_valid_date(y, m, d); d--)
		;
	return y * 10000 + m * 100 + d;
}

int category_age(const category_config *cfg, int birth_ymd, int today_ymd)
{
	int by = birth_ymd / 10000, bmd = birth_ymd % 10000;
	int ty, tmd, leap, age, counts_md;

	if (birth_ymd <= 0 || birth_ymd > today_ymd)
		return -1;
	/* "the day after" means: age on the day after == age-on-the-day of yesterday */
	if (cfg->birthday == BIRTHDAY_DAY_AFTER) {
		if (birth_ymd == today_ymd)
			return 0;
		today_ymd = prev_day(today_ymd);
	}
	ty = today_ymd / 10000;
	tmd = today_ymd % 10000;
	age = ty - by;
	counts_md = bmd;
	leap = (ty % 4 == 0 && ty % 100 != 0) || ty % 400 == 0;
	if (bmd == 229 && !leap)
		counts_md = cfg->leapday == LEAPDAY_FEB_28 ? 228 : 301;
	if (tmd < counts_md)
		age--;
	return age;
}

int category_age_day(const category_config *cfg, int birth_ymd, int years)
{
	int y = birth_ymd / 10000 + years, md = birth_ymd % 10000, day;
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (birth_ymd <= 0)
		return 0;
	if (md == 229 && !leap)
		md = cfg->leapday == LEAPDAY_FEB_28 ? 228 : 301;
	day = y * 10000 + md;
	return cfg->birthday == BIRTHDAY_DAY_AFTER ? date_add_days(day, 1) : day;
}

static int dead_or_missing(enum guardian_status s)
{
	return s == GS_DECEASED || s == GS_MISSING;
}

static int incapable(const category_config *cfg, enum guardian_status s)
{
	return s > GS_UNKNOWN && s < GS__COUNT && cfg->incapacity[s];
}

void category_derive(const category_config *cfg, const child_facts *f, int today_ymd, category_result *out)
{
	int age = category_age(cfg, f->birth_ymd, today_ymd);
	enum guardian_status a = f->father, b = f->mother;

	memset(out, 0, sizeof(*out));
	if (age < 0 || age >= 18)
		return;
	if (dead_or_missing(a) && dead_or_missing(b) && !f->adopted) {
		out->has[CAT_ORPHAN] = 1;
		out->reason[CAT_ORPHAN] = CR_BOTH_PARENTS_DEAD_OR_MISSING;
	} else if (!f->adopted) {
		if (incapable(cfg, a) && incapable(cfg, b)) {
			out->has[CAT_UNSUPPORTED] = 1;
			out->reason[CAT_UNSUPPORTED] = CR_BOTH_PARENTS_INCAPABLE;
		} else if ((dead_or_missing(a) && incapable(cfg, b)) || (dead_or_missing(b) && incapable(cfg, a))) {
			out->has[CAT_UNSUPPORTED] = 1;
			out->reason[CAT_UNSUPPORTED] = CR_ONE_DEAD_OTHER_INCAPABLE;
		}
	}
	if (age < 16 && f->rural_hukou && !out->has[CAT_ORPHAN]) {
		int away_a = a == GS_WORKING_AWAY, away_b = b == GS_WORKING_AWAY;
		int unable_a = dead_or_missing(a) || incapable(cfg, a);
		int unable_b = dead_or_missing(b) || incapable(cfg, b);

		if (away_a && away_b) {
			out->has[CAT_LEFT_BEHIND] = 1;
			out->reason[CAT_LEFT_BEHIND] = CR_BOTH_PARENTS_AWAY;
		} else if ((away_a && unable_b) || (away_b && unable_a)) {
			out->has[CAT_LEFT_BEHIND] = 1;
			out->reason[CAT_LEFT_BEHIND] = CR_ONE_AWAY_OTHER_INCAPABLE;
		}
	}
	if (f->family_poverty && cfg->difficulty[0]) {
		out->has[CAT_DIFFICULTY] = 1;
		out->reason[CAT_DIFFICULTY] = CR_FAMILY_POVERTY;
	} else if (f->disability_grade > 0 && cfg->difficulty[1]) {
		out->has[CAT_DIFFICULTY] = 1;
		out->reason[CAT_DIFFICULTY] = CR_OWN_DISABILITY;
	} else if (f->serious_illness && cfg->difficulty[2]) {
		out->has[CAT_DIFFICULTY] = 1;
		out->reason[CAT_DIFFICULTY] = CR_OWN_SERIOUS_ILLNESS;
	} else if (out->has[CAT_UNSUPPORTED] && cfg->difficulty[3]) {
		out->has[CAT_DIFFICULTY] = 1;
		out->reason[CAT_DIFFICULTY] = CR_GUARDIANSHIP_FAILURE;
	}
}

enum category_reason category_end_reason(const category_config *cfg, enum category cat, const child_facts *before,
					 const child_facts *now, int today_ymd)
{
	category_result r;
	int age = category_age(cfg, now->birth_ymd, today_ymd);

	category_derive(cfg, now, today_ymd, &r);
	if (cat < 0 || cat >= CAT__COUNT || r.has[cat])
		return CR_NONE;
	if (age >= 18)
		return CR_END_AGE_18;
	if (cat == CAT_LEFT_BEHIND && age >= 16)
		return CR_END_AGE_16;
	if (now->adopted && !before->adopted)
		return CR_END_ADOPTED;
	if (cat == CAT_LEFT_BEHIND) {
		if ((before->father == GS_WORKING_AWAY && now->father == GS_PRESENT) ||
		    (before->mother == GS_WORKING_AWAY && now->mother == GS_PRESENT))
			return CR_END_PARENT_RETURNED;
	}
	if ((incapable(cfg, before->father) && !incapable(cfg, now->father) && !dead_or_missing(now->father)) ||
	    (incapable(cfg, before->mother) && !incapable(cfg, now->mother) && !dead_or_missing(now->mother)))
		return CR_END_GUARDIAN_CAPABLE;
	return CR_END_OTHER;
}

const char *category_name(enum category c)
{
	return c >= 0 && c < CAT__COUNT ? category_names[c] : "unknown";
}

int category_parse(const char *s, enum category *out)
{
	for (int i = 0; i < CAT__COUNT; i++)
		if (strcmp(s, category_names[i]) == 0) {
			*out = (enum category)i;
			return 0;
		}
	return -1;
}

const char *category_reason_name(enum category_reason r)
{
	static const char *const names[] = {
		"none",
		"both_parents_dead_or_missing",
		"both_parents_incapable",
		"one_dead_other_incapable",
		"both_parents_away",
		"one_away_other_incapable",
		"family_poverty",
		"own_disability",
		"own_serious_illness",
		"guardianship_failure",
		"turned_16",
		"turned_18",
		"parent_returned",
		"adopted",
		"guardian_regained_capacity",
		"other",
	};

	return (size_t)r < sizeof(names) / sizeof(names[0]) ? names[r] : "unknown";
}

const char *guardian_status_name(enum guardian_status s)
{
	return s >= 0 && s < GS__COUNT ? status_names[s] : "unknown";
}

int guardian_status_parse(const char *s, enum guardian_status *out)
{
	for (int i = 0; i < GS__COUNT; i++)
		if (strcmp(s, status_names[i]) == 0) {
			*out = (enum guardian_status)i;
			return 0;
		}
	return -1;
}
