/* Field validation; see fields.h. */
#include "fields.h"

#include <stdio.h>
#include <string.h>

#include "../util/wb.h"

int field_valid_name(const char *s)
{
	size_t n = 0;

	for (const unsigned char *u = (const unsigned char *)s; *u; u++, n++)
		if (*u < 0x20 || *u == 0x7f)
			return 0;
	/* no blank at either end: the space, nor the ideographic space U+3000
	 * (E3 80 80) that a Chinese input method types */
	return n > 0 && s[0] != ' ' && s[n - 1] != ' ' &&
	       !(n >= 3 && (memcmp(s, "\xE3\x80\x80", 3) == 0 || memcmp(s + n - 3, "\xE3\x80\x80", 3) == 0));
}

int field_valid_text(const char *s, int multiline)
{
	for (const unsigned char *u = (const unsigned char *)s; *u; u++) {
		if (multiline && (*u == '\n' || *u == '\r' || *u == '\t'))
			continue;
		if (*u < 0x20 || *u == 0x7f)
			return 0;
		if (*u == 0xC2 && u[1] >= 0x80 && u[1] <= 0x9F)
			return 0; /* U+0080 to U+009F */
	}
	return 1;
}

int field_valid_phone(const char *s)
{
	size_t n = strlen(s), digits = 0, hyphen = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else if (s[i] == '-' && !hyphen && (i == 3 || i == 4))
			hyphen = i; /* after a 3- or 4-digit area code: 0537-1234567 */
		else
			return 0;
	}
	if (s[0] == '1') /* a mobile: 11 digits, 13x to 19x */
		return !hyphen && digits == 11 && s[1] >= '3';
	/* a landline with its area code: 0 + 2 or 3 digits, then 7 or 8 */
	return s[0] == '0' && s[1] != '0' && digits >= 10 && digits <= 12;
}

int field_phone_digits(const char *s, char *out, size_t n)
{
	size_t k = 0;

	if (n == 0)
		return 0;
	for (; *s; s++) {
		if (*s == ' ' || *s == '-')
			continue;
		if (k + 1 >= n)
			return out[0] = '\0', 0;
		out[k++] = *s;
	}
	out[k] = '\0';
	return field_valid_phone(out);
}

void field_mask_phone(const char *s, char *out, size_t outlen)
{
	size_t n = strlen(s);

	if (outlen == 0)
		return;
	if (n >= 7)
		snprintf(out, outlen, "%.3s****%s", s, s + n - 4);
	else
		snprintf(out, outlen, "****");
}
