/* Field validation; see fields.h. */
#include "fields.h"

#include <stdio.h>
#include <string.h>

#include "../util/buf.h"
#include "../util/wb.h"

/* An invisible character that has no place in a name: the zero-width
 * space and joiners U+200B-U+200F, the direction marks U+202A-U+202E and
 * U+2066-U+2069, U+2060-U+2064, the byte-order mark U+FEFF, the soft
 * hyphen U+00AD. A name holding one looks like another and is not found
 * by a search for what it shows. */
static int invisible_at(const unsigned char *u)
{
	if (u[0] == 0xC2 && u[1] == 0xAD)
		return 1;
	if (u[0] == 0xE2 && u[1] == 0x80 && ((u[2] >= 0x8B && u[2] <= 0x8F) || (u[2] >= 0xAA && u[2] <= 0xAE)))
		return 1;
	if (u[0] == 0xE2 && u[1] == 0x81 && ((u[2] >= 0xA0 && u[2] <= 0xA4) || (u[2] >= 0xA6 && u[2] <= 0xA9)))
		return 1;
	return u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF;
}

int field_valid_name(const char *s)
{
	if (!field_valid_text(s, 0) || !s[0] || wb_blank_edge(s))
		return 0;
	for (const unsigned char *u = (const unsigned char *)s; *u; u++)
		if (invisible_at(u))
			return 0;
	return 1;
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

enum field_fault field_check_text(enum field_text t, const char *s)
{
	int name = t == FT_CHILD_NAME || t == FT_GUARDIAN_NAME;

	if (!field_valid_text(s, t == FT_NOTES))
		return FIELD_CONTROL;
	if (name && !field_valid_name(s))
		return FIELD_BLANKS;
	if (strlen(s) > field_text_max(t))
		return FIELD_TOO_LONG;
	return FIELD_OK;
}

size_t field_text_max(enum field_text t)
{
	switch (t) {
	case FT_CHILD_NAME: return FIELD_MAX_CHILD_NAME;
	case FT_GRADE: return FIELD_MAX_GRADE;
	case FT_ILLNESS: return FIELD_MAX_ILLNESS;
	case FT_NOTES: return FIELD_MAX_NOTES;
	case FT_GUARDIAN_NAME: return FIELD_MAX_GUARDIAN_NAME;
	case FT_GUARDIAN_WORK: return FIELD_MAX_GUARDIAN_WORK;
	}
	return 0;
}

const char *const field_disability_codes[FIELD_DISABILITY_TYPES] = {
	"visual", "hearing", "speech", "physical", "intellectual", "mental", "multiple",
};

/* the Chinese names, in the order of the codes (the form's words) */
static const char *const disability_words[FIELD_DISABILITY_TYPES] = {
	"视力", "听力", "言语", "肢体", "智力", "精神", "多重",
};

const char *field_disability_code(const char *s, int labels)
{
	static const char suffix[] = "残疾";

	for (int i = 0; i < FIELD_DISABILITY_TYPES; i++) {
		size_t n = strlen(disability_words[i]);

		if (strcmp(s, field_disability_codes[i]) == 0)
			return field_disability_codes[i];
		if (labels && strncmp(s, disability_words[i], n) == 0 && (s[n] == '\0' || strcmp(s + n, suffix) == 0))
			return field_disability_codes[i];
	}
	return NULL;
}
