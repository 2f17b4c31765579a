/*
 * Working-day arithmetic on a holiday calendar, without the C library's
 * time zone machinery: China Standard Time is a fixed UTC+8 (no daylight
 * saving), and days are converted with the civil-from-days algorithm, so
 * the result never depends on the server's TZ setting.
 */
#include "deadline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/buf.h"
#include "../util/wb.h"
#include "date.h"

#define CST_OFFSET (8 * 3600)
#define DAY        86400

static const char *const step_names[DL_STEP_COUNT] = {
	[DL_REPORTED] = "reported",
	[DL_TOWNSHIP_REVIEW] = "township_review",
	[DL_RESOLVED_LOCALLY] = "resolved_locally",
	[DL_FORWARDED] = "forwarded",
	[DL_ACCEPTED] = "accepted",
	[DL_REFERRALS_DONE] = "referrals_done",
	[DL_RESULT_SENT] = "result_sent",
	[DL_FEEDBACK_DELIVERED] = "feedback_delivered",
	[DL_REFERRAL_PENDING] = "referral_pending",
	[DL_REFERRAL_ACCEPTED] = "referral_accepted",
	[DL_POLICE_FEEDBACK] = "police_feedback",
};

void deadline_config_default(deadline_config *c)
{
	/* working days for normal steps, hours for urgent ones */
	static const struct {
		int normal_d, urgent_h;
	} def[DL_STEP_COUNT] = {
		[DL_REPORTED] = {1, 2},          [DL_TOWNSHIP_REVIEW] = {3, 12},
		[DL_RESOLVED_LOCALLY] = {3, 24}, [DL_FORWARDED] = {1, 4},
		[DL_ACCEPTED] = {2, 8},          [DL_REFERRALS_DONE] = {2, 8},
		[DL_RESULT_SENT] = {3, 24},      [DL_FEEDBACK_DELIVERED] = {2, 24},
		[DL_REFERRAL_PENDING] = {1, 4},  [DL_REFERRAL_ACCEPTED] = {10, 72},
		[DL_POLICE_FEEDBACK] = {5, 24},
	};

	memset(c, 0, sizeof(*c));
	for (int i = 0; i < DL_STEP_COUNT; i++) {
		c->normal[i].amount = def[i].normal_d;
		c->normal[i].unit = 'd';
		c->urgent[i].amount = def[i].urgent_h;
		c->urgent[i].unit = 'h';
	}
	c->alert_repeat_s = 24 * 3600;
}

const char *deadline_step_name(enum deadline_step s)
{
	return s >= 0 && s < DL_STEP_COUNT ? step_names[s] : "none";
}

int deadline_step_parse(const char *s, enum deadline_step *out)
{
	for (int i = 0; s && i < DL_STEP_COUNT; i++)
		if (strcmp(s, step_names[i]) == 0) {
			*out = (enum deadline_step)i;
			return 0;
		}
	return -1;
}

int deadline_spec_parse(const char *s, deadline_spec *out)
{
	char num[8];
	size_t n;
	long long v;

	if (!s)
		return -1;
	n = strlen(s);
	if (n < 2 || n > 5 || (s[n - 1] != 'd' && s[n - 1] != 'h'))
		return -1;
	memcpy(num, s, n - 1);
	num[n - 1] = '\0';
	for (size_t i = 0; i < n - 1; i++)
		if (num[i] < '0' || num[i] > '9')
			return -1;
	if (wb_parse_int64(num, 1, s[n - 1] == 'd' ? 365 : 2160, &v) != WB_OK)
		return -1;
	out->amount = (int)v;
	out->unit = s[n - 1];
	return 0;
}

void deadline_spec_format(deadline_spec s, char *out, size_t outlen)
{
	wb_snprintf(out, outlen, "%d%c", s.amount, s.unit);
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int in_sorted(const int *list, int n, int v)
{
	int lo = 0, hi = n;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (list[mid] == v)
			return 1;
		if (list[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

int deadline_date_add(int *list, int *n, int ymd)
{
	int i;

	if (in_sorted(list, *n, ymd))
		return 0;
	if (*n >= DEADLINE_DATES_MAX)
		return -1;
	for (i = *n; i > 0 && list[i - 1] > ymd; i--)
		list[i] = list[i - 1];
	list[i] = ymd;
	(*n)++;
	return 0;
}

static int working_day(const deadline_config *c, int64_t day)
{
	int ymd = date_from_days(day);
	int64_t wd = floor_div(day + 4, 7) * -7 + day + 4; /* 0 = Sunday (1970-01-01 was a Thursday) */

	if (in_sorted(c->workdays, c->nworkdays, ymd))
		return 1;
	if (in_sorted(c->holidays, c->nholidays, ymd))
		return 0;
	return wd != 0 && wd != 6;
}

int deadline_is_working_day(const deadline_config *c, int ymd)
{
	return working_day(c, date_days(ymd));
}

int deadline_local_ymd(int64_t t)
{
	return date_from_days(floor_div(t + CST_OFFSET, DAY));
}

int64_t deadline_add(const deadline_config *c, int64_t start, deadline_spec spec)
{
	int64_t day;
	int counted = 0;

	if (spec.unit == 'h')
		return start + (int64_t)spec.amount * 3600;
	day = floor_div(start + CST_OFFSET, DAY);
	/* bounded: at most 365 working days, and a calendar cannot hold more
	 * than DEADLINE_DATES_MAX holidays */
	for (int i = 0; i < 4 * 366 + DEADLINE_DATES_MAX && counted < spec.amount; i++) {
		day++;
		if (working_day(c, day))
			counted++;
	}
	return (day + 1) * DAY - CST_OFFSET - 1;
}

int64_t deadline_due(const deadline_config *c, enum deadline_step s, int urgent, int64_t start)
{
	if (s < 0 || s >= DL_STEP_COUNT)
		return 0;
	return deadline_add(c, start, urgent ? c->urgent[s] : c->normal[s]);
}

int deadline_overdue(int64_t due, int64_t now)
{
	return due > 0 && now > due;
}

int deadline_time_parse(const char *s, int64_t *out)
{
	int ymd, h, mi, sec = 0, oh = 0, om = 0;
	size_t n, i;
	int sign = 1;
	char day[11];

	if (!s || !*s)
		return -1;
	n = strlen(s);
	if (s[0] >= '0' && s[0] <= '9' && strspn(s, "0123456789") == n) {
		long long v;

		if (wb_parse_int64(s, 0, 253402300799LL, &v) != WB_OK)
			return -1;
		*out = v;
		return 0;
	}
	if (n < 16)
		return -1;
	memcpy(day, s, 10);
	day[10] = '\0';
	if (date_parse(day, &ymd) != WB_OK || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || digits(s + 11, 2, &h) ||
	    digits(s + 14, 2, &mi) || h > 23 || mi > 59)
		return -1;
	i = 16;
	if (i < n && s[i] == ':') {
		if (i + 3 > n || digits(s + i + 1, 2, &sec) || sec > 59)
			return -1;
		i += 3;
		if (i < n && s[i] == '.') { /* fractions of a second: ignored */
			i++;
			if (i >= n || s[i] < '0' || s[i] > '9')
				return -1;
			while (i < n && s[i] >= '0' && s[i] <= '9')
				i++;
		}
	}
	if (i == n)
		return -1; /* an offset is required: a time without one is ambiguous */
	if (s[i] == 'Z' && i + 1 == n) {
		oh = om = 0;
	} else if ((s[i] == '+' || s[i] == '-') && i + 6 == n && s[i + 3] == ':' && !digits(s + i + 1, 2, &oh) &&
		   !digits(s + i + 4, 2, &om) && oh <= 14 && om <= 59) {
		sign = s[i] == '-' ? -1 : 1;
	} else {
		return -1;
	}
	*out = date_days(ymd) * DAY + h * 3600 + mi * 60 + sec - sign * (oh * 3600 + om * 60);
	return 0;
}
