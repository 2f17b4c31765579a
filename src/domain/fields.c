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

int field_valid_phone(const char *s)
{
	size_t n = strlen(s), digits = 0, hyphens = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else if (s[i] == '-' && i > 0)
			hyphens++;
		else
			return 0;
	}
	return hyphens <= 1 && digits >= 7 && digits <= 12;
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
