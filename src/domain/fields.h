/*
 * Validation of the plain fields of the registry, shared by the API and
 * the importer. Pure functions.
 */
#ifndef WB_FIELDS_H
#define WB_FIELDS_H

#include <stddef.h>

/* 1 if s is a usable person's name: non-empty, no control characters, no
 * leading or trailing space (nor the ideographic space U+3000). */
int field_valid_name(const char *s);
/* 1 for a mobile (1xxxxxxxxxx) or landline number (digits, one hyphen). */
int field_valid_phone(const char *s);
/* 138****5678 */
void field_mask_phone(const char *s, char *out, size_t outlen);

#endif
