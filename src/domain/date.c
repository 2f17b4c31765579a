/* Calendar days as "YYYY-MM-DD"; see date.h. */
#include "date.h"

#include <stdlib.h>
#include <string.h>

#include "../util/buf.h"
#include "../util/wb.h"
#include "idnum.h"

int date_parse(const char *s, int *ymd_out)
{
	int y, m, d;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return WB_EINVAL;
	/* every character but the two hyphens a digit, so that strtol reads
	 * exactly four, two and two of them */
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return WB_EINVAL;
	y = (int)strtol(s, NULL, 10);
	m = (int)strtol(s + 5, NULL, 10);
	d = (int)strtol(s + 8, NULL, 10);
	if (y < 1900 || !idnum_valid_date(y, m, d))
		return WB_EINVAL;
	*ymd_out = y * 10000 + m * 100 + d;
	return WB_OK;
}

int date_ymd(const char *s)
{
	int ymd;

	return date_parse(s, &ymd) == WB_OK ? ymd : 0;
}

int64_t date_days(int ymd)
{
	int64_t y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100, era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int date_from_days(int64_t z)
{
	int64_t era, doe, yoe, y, doy, mp, d, m;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	return (int)(y * 10000 + m * 100 + d);
}

int date_add_days(int ymd, int n)
{
	return date_from_days(date_days(ymd) + n);
}

void date_format(int ymd, char *out)
{
	wb_snprintf(out, 11, "%04d-%02d-%02d", ymd / 10000, ymd / 100 % 100, ymd % 100);
}

int64_t date_day_start(int ymd)
{
	return date_days(ymd) * 86400 - 8 * 3600;
}
