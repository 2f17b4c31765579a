/*
 * Calendar days written "YYYY-MM-DD": the one parser of that text. The
 * API, the importer, the deadline calendar and the registry's sweep all
 * read dates through it, so a date one of them accepts is a date the
 * others accept too, unless a caller asks for more with a flag.
 *
 * A day is kept as the int YYYYMMDD (20240229): it sorts and compares as
 * the day does and needs no time zone. Pure.
 */
#ifndef WB_DATE_H
#define WB_DATE_H

/* What date_parse accepts beyond its default (0). */
enum date_flags {
	/* years 0000 to 1899 as well as 1900 to 9999 */
	DATE_ANY_YEAR = 1 << 0,
	/* each of the three numbers read as strtol(3) reads it: leading white
	 * space, a sign and trailing characters pass ("2024-1x-01" is
	 * 2024-01-01, "abcd-01-01" the year 0). Only so that the registry's
	 * checks answer as they did before there was one parser; new callers
	 * do not want it. */
	DATE_LAX_FIELDS = 1 << 1,
};

/* Parses s, exactly ten characters "YYYY-MM-DD" that name a real day of
 * the Gregorian calendar (29 February only in leap years) in the years
 * 1900 to 9999, widened by flags (enum date_flags). Returns WB_OK with
 * the day as YYYYMMDD in *ymd_out, or WB_EINVAL (s NULL or not such a
 * date) with *ymd_out untouched. */
int date_parse(const char *s, unsigned flags, int *ymd_out);

#endif
