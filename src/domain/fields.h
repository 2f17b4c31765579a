/*
 * Validation of the plain fields of the registry, shared by the API and
 * the importer. Pure functions.
 */
#ifndef WB_FIELDS_H
#define WB_FIELDS_H

#include <stddef.h>

/* 1 if s is a usable person's name: non-empty, no control characters, no
 * blank at either end (wb_trim's blanks: spaces of every kind, U+3000,
 * zero-width characters) and no invisible character anywhere (zero-width
 * spaces and joiners, direction marks, the soft hyphen). */
int field_valid_name(const char *s);
/* 1 for a mobile number (11 digits, 13x-19x) or a landline number with its
 * area code (0 + 2 or 3 digits, then 7 or 8; a hyphen may follow the area
 * code): a number without its area code cannot be dialled from elsewhere
 * and is easily a mobile number missing digits. */
int field_valid_phone(const char *s);
/* A phone number as people write it, with spaces or hyphens between its
 * digits (138-0013-8001, 138 0013 8001, 0537-123 4567), as its digits
 * alone into out (n bytes): 1 if those digits are a phone number
 * field_valid_phone takes, 0 otherwise. */
int field_phone_digits(const char *s, char *out, size_t n);
/* 138****5678 */
void field_mask_phone(const char *s, char *out, size_t outlen);

/* The longest texts of a child's record and of a guardian, in bytes of
 * UTF-8 (a Chinese character is 3), as POST /children takes them and the
 * importer reads them; each fits its buffer in store/model.h. */
#define FIELD_MAX_CHILD_NAME    96
#define FIELD_MAX_GRADE         20
#define FIELD_MAX_DISABILITY    20
#define FIELD_MAX_ILLNESS       90
#define FIELD_MAX_NOTES         1000
#define FIELD_MAX_GUARDIAN_NAME 60
#define FIELD_MAX_GUARDIAN_WORK 120
#define FIELD_MAX_DISPLAY_NAME  120 /* an account's, in bytes */

/* 1 if s has no control character (C0, DEL or C1); multiline lets line
 * breaks and tabs through (notes). */
int field_valid_text(const char *s, int multiline);

/*
 * The free texts of a child's record and of a guardian. POST and PATCH
 * /children and the importer judge them by field_check_text alone, so that
 * what the form takes can be imported and the reverse.
 */
enum field_text {
	FT_CHILD_NAME, /* a name: non-empty, no blank at either end */
	FT_GRADE,
	FT_ILLNESS,
	FT_NOTES,         /* multiline: line breaks and tabs pass */
	FT_GUARDIAN_NAME, /* a name */
	FT_GUARDIAN_WORK,
};
enum field_fault {
	FIELD_OK = 0,
	FIELD_CONTROL,  /* a control character (C0, DEL or C1) */
	FIELD_BLANKS,   /* a name that is empty or has a blank at either end */
	FIELD_TOO_LONG, /* longer than field_text_max bytes */
};
enum field_fault field_check_text(enum field_text t, const char *s);
/* The longest text of the field in bytes (the FIELD_MAX_ above). */
size_t field_text_max(enum field_text t);

/* The disability types POST /children takes (codes), in the form's order. */
#define FIELD_DISABILITY_TYPES 7
extern const char *const field_disability_codes[FIELD_DISABILITY_TYPES];
/* The code of a disability type written as its code (visual), or, when
 * labels is set, as its Chinese name (视力残疾) or that name without 残疾
 * (视力), as the form shows them; NULL for anything else. */
const char *field_disability_code(const char *s, int labels);

#endif
