/* GB 11643 validation and conversion; pure, no I/O. See idnum.h. */
#include "idnum.h"

#include <string.h>

static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
static const char check_map[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};

char idnum_check_char(const char *first17)
{
	int sum = 0;

	for (int i = 0; i < 17; i++)
		sum += (first17[i] - '0') * weights[i];
	return check_map[sum % 11];
}

int idnum_valid_date(int y, int m, int d)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	int max;

	if (m < 1 || m > 12 || d < 1)
		return 0;
	max = mdays[m - 1] + (m == 2 && leap);
	return d <= max;
}

static int digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int num(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

enum idnum_error idnum_parse(const char *in, int today_ymd, idnum *out)
{
	char n[19];
	size_t len = strlen(in);
	int y, m, d, ymd;

	memset(out, 0, sizeof(*out));
	if (len == 15) {
		if (!digits(in, 15))
			return IDNUM_CHARS;
		memcpy(n, in, 6);
		n[6] = '1';
		n[7] = '9';
		memcpy(n + 8, in + 6, 9);
		n[17] = idnum_check_char(n);
		n[18] = '\0';
	} else if (len == 18) {
		if (!digits(in, 17))
			return IDNUM_CHARS;
		memcpy(n, in, 19);
		if (n[17] == 'x')
			n[17] = 'X';
		if (!(n[17] == 'X' || (n[17] >= '0' && n[17] <= '9')))
			return IDNUM_CHARS;
	} else {
		return IDNUM_LENGTH;
	}
	y = num(n + 6, 4);
	m = num(n + 10, 2);
	d = num(n + 12, 2);
	if (!idnum_valid_date(y, m, d))
		return IDNUM_DATE;
	if (y < 1900)
		return IDNUM_TOO_OLD;
	ymd = y * 10000 + m * 100 + d;
	if (ymd > today_ymd)
		return IDNUM_FUTURE;
	if (idnum_check_char(n) != n[17])
		return IDNUM_CHECKSUM;
	memcpy(out->number, n, 19);
	memcpy(out->area, n, 6);
	out->area[6] = '\0';
	out->birth_ymd = ymd;
	out->birth[0] = n[6];
	out->birth[1] = n[7];
	out->birth[2] = n[8];
	out->birth[3] = n[9];
	out->birth[4] = '-';
	out->birth[5] = n[10];
	out->birth[6] = n[11];
	out->birth[7] = '-';
	out->birth[8] = n[12];
	out->birth[9] = n[13];
	out->birth[10] = '\0';
	out->sex = ((n[16] - '0') % 2) ? 'M' : 'F';
	return IDNUM_OK;
}

const char *idnum_strerror(enum idnum_error e)
{
	switch (e) {
	case IDNUM_OK: return "ok";
	case IDNUM_LENGTH: return "ID number must have 18 characters (or 15 for a legacy number)";
	case IDNUM_CHARS: return "ID number must be digits, with X allowed only as the last character";
	case IDNUM_DATE: return "ID number contains a birth date that does not exist";
	case IDNUM_FUTURE: return "ID number contains a birth date in the future";
	case IDNUM_TOO_OLD: return "ID number contains a birth date before 1900";
	case IDNUM_CHECKSUM: return "ID number check character is wrong";
	}
	return "invalid ID number";
}

void idnum_mask(const char *number18, char out[19])
{
	memcpy(out, number18, 6);
	memset(out + 6, '*', 8);
	memcpy(out + 14, number18 + 14, 4);
	out[18] = '\0';
}
