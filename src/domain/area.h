/*
 * Area codes (GB/T 2260 and the statistical division codes): 6-digit
 * county, 9-digit township (001-099 subdistrict, 100-199 town, 200-399
 * township), 12-digit village or community, 15-digit grid (our extension:
 * village code + 3 digits).
 */
#ifndef WB_AREA_H
#define WB_AREA_H

/* Returns the level name ("county", "township", "village", "grid") for a
 * well-formed code, or NULL. */
const char *area_level_of(const char *code);
/* Writes the parent code of code into out (size >= 16); "" for a county. */
int area_parent_of(const char *code, char *out, int outlen);
/* 1 if child lies within (or equals) ancestor. */
int area_within(const char *child, const char *ancestor);
/* For a township code: "subdistrict", "town" or "township" by its number. */
const char *area_township_kind(const char *code9);
/* 1 if kind names an area of level: county; subdistrict, town or township;
 * village or community; grid, urban_grid or rural_service_a (a rural
 * service area, cut to the column's 15 bytes). */
int area_kind_valid(const char *level, const char *kind);
/* The kinds of a level, comma-separated, for an error message. */
const char *area_kinds_of(const char *level);

#endif
