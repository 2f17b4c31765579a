/* Calendar days as "YYYY-MM-DD"; see date.h. */
#include "date.h"

#include <stdlib.h>
#include <string.h>

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
