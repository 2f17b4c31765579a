/*
 * Han characters that ICU's pinyin order for "zh" leaves out, each with a
 * common character of the same reading (generated: rare_readings.c).
 */
#ifndef WB_RARE_READINGS_H
#define WB_RARE_READINGS_H

#include <stddef.h>
#include <stdint.h>

typedef struct rare_reading {
	uint32_t rare; /* the character, a code point */
	uint16_t as;   /* read as this one (U+4E00..U+9FA5) */
} rare_reading;

/* sorted by rare */
extern const rare_reading rare_readings[];
extern const size_t rare_readings_len;

#endif
