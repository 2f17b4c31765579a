/*
 * Deadlines of the closed loop (SPEC §4): every step has one, from
 * configuration, by step and urgency. Normal steps count working days on
 * the county's calendar (weekends and configured public holidays are not
 * working days; configured make-up working days (调休) on a weekend are);
 * urgent steps — and every step of a request flagged priority ("green
 * light all the way") — count hours around the clock.
 *
 * "N working days" means: by the end (23:59:59 China Standard Time) of the
 * N-th working day after the day the step started. A step started on a
 * Saturday with 1 working day is due on Monday 23:59:59; a step of 12 hours
 * started at 10:00 is due at 22:00 the same day. A step is overdue when
 * now > due.
 *
 * Pure: times are parameters (seconds since the epoch), never the clock.
 */
#ifndef WB_DEADLINE_H
#define WB_DEADLINE_H

#include <stddef.h>
#include <stdint.h>

/* The steps that have a deadline. */
enum deadline_step {
	DL_REPORTED = 0,       /* the station picks the request up */
	DL_TOWNSHIP_REVIEW,    /* the station resolves or forwards */
	DL_RESOLVED_LOCALLY,   /* the director delivers the local result */
	DL_FORWARDED,          /* the centre accepts */
	DL_ACCEPTED,           /* the centre refers */
	DL_REFERRALS_DONE,     /* the centre sends the result down */
	DL_RESULT_SENT,        /* the director delivers the result */
	DL_FEEDBACK_DELIVERED, /* the request is closed */
	DL_REFERRAL_PENDING,   /* a department accepts or declines */
	DL_REFERRAL_ACCEPTED,  /* a department finishes (when the centre gave no due date) */
	DL_POLICE_FEEDBACK,    /* public security gives feedback to the reporter */
	DL_STEP_COUNT
};

/* An amount of time: working days ('d') or hours ('h'). */
typedef struct deadline_spec {
	int amount;
	char unit;
} deadline_spec;

#define DEADLINE_DATES_MAX 512

typedef struct deadline_config {
	deadline_spec normal[DL_STEP_COUNT];
	deadline_spec urgent[DL_STEP_COUNT]; /* also used by priority requests */
	int holidays[DEADLINE_DATES_MAX];    /* YYYYMMDD, sorted, unique */
	int nholidays;
	int workdays[DEADLINE_DATES_MAX]; /* make-up working days, YYYYMMDD, sorted, unique */
	int nworkdays;
	int64_t alert_repeat_s; /* an overdue step alerts again after this long; 0 = once only */
} deadline_config;

/* The built-in defaults (no holidays; alerts repeat after 24 hours). */
void deadline_config_default(deadline_config *c);

/* The step's stable name ("township_review", "referral_pending", ...). */
const char *deadline_step_name(enum deadline_step s);
/* Parse a step name; 0 or -1. */
int deadline_step_parse(const char *s, enum deadline_step *out);

/* Parses "3d" (1..365 working days) or "12h" (1..2160 hours); 0 or -1. */
int deadline_spec_parse(const char *s, deadline_spec *out);
/* Writes a spec back as text ("3d"). */
void deadline_spec_format(deadline_spec s, char *out, size_t outlen);

/* Adds a date to a sorted unique list (of at most DEADLINE_DATES_MAX);
 * 0, or -1 when full. */
int deadline_date_add(int *list, int *n, int ymd);

/* 1 if the day YYYYMMDD is a working day on c's calendar. */
int deadline_is_working_day(const deadline_config *c, int ymd);
/* The local (UTC+8) day of t as YYYYMMDD. */
int deadline_local_ymd(int64_t t);

/* start + spec: end of the N-th working day after start's day, or start +
 * N hours. */
int64_t deadline_add(const deadline_config *c, int64_t start, deadline_spec spec);
/* The due time of step s started at start: the urgent table for urgent or
 * priority requests, the normal one otherwise. */
int64_t deadline_due(const deadline_config *c, enum deadline_step s, int urgent, int64_t start);
/* 1 if a step due at due is overdue at now (due 0 = no deadline). */
int deadline_overdue(int64_t due, int64_t now);

/* Parses an ISO 8601 time "2026-12-10T09:00:00+08:00" (offset Z or ±HH:MM,
 * seconds optional, fractions of a second ignored) or whole seconds since
 * the epoch; 0 or -1. */
int deadline_time_parse(const char *s, int64_t *out);

#endif
