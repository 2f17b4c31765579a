/*
 * Calendar days written "YYYY-MM-DD": the one parser of that text. The
 * API, the importer, the deadline calendar and the registry's sweep all
 * read dates through it, so a date one of them accepts is a date the
 * others accept too.
 *
 * A day is kept as the int YYYYMMDD (20240229): it sorts and compares as
 * the day does and needs no time zone. Pure.
 */
#ifndef WB_DATE_H
#define WB_DATE_H

#include <stdint.h>

/* Parses s, exactly ten characters "YYYY-MM-DD" (digits and the two
 * hyphens) that name a real day of the Gregorian calendar (29 February
 * only in leap years) in the years 1900 to 9999. Returns WB_OK with the
 * day as YYYYMMDD in *ymd_out, or WB_EINVAL (s NULL or not such a date)
 * with *ymd_out untouched. */
int date_parse(const char *s, int *ymd_out);
/* The day of s as YYYYMMDD, or 0 where s is not such a date (a stored
 * date that is empty). */
int date_ymd(const char *s);
/* Days from 1970-01-01 to the day ymd (YYYYMMDD; negative before), in the
 * proleptic Gregorian calendar: differences of days are differences of
 * these. */
int64_t date_days(int ymd);
/* The day (YYYYMMDD) that is days after 1970-01-01. */
int date_from_days(int64_t days);
/* The day n days after ymd (n may be negative). */
int date_add_days(int ymd, int n);
/* Writes ymd as "YYYY-MM-DD" into out (at least 11 bytes). */
void date_format(int ymd, char *out);
/* The first second (Unix time) of the day ymd in China Standard Time
 * (UTC+8): days are China's whatever the server's zone. */
int64_t date_day_start(int ymd);

#endif
