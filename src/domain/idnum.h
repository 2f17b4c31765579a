/*
 * Resident identity numbers (GB 11643-1999).
 *
 * 18 characters: 6-digit issuing area, 8-digit birth date, 3-digit sequence
 * (odd = male), 1 check character. Legacy 15-digit numbers (2-digit year,
 * no check character) are converted by inserting "19" and computing the
 * check. A lower-case x is accepted and stored upper case.
 */
#ifndef WB_IDNUM_H
#define WB_IDNUM_H

enum idnum_error {
	IDNUM_OK = 0,
	IDNUM_LENGTH,   /* not 15 or 18 characters */
	IDNUM_CHARS,    /* a non-digit where a digit belongs */
	IDNUM_DATE,     /* the birth date does not exist */
	IDNUM_FUTURE,   /* the birth date is after today */
	IDNUM_TOO_OLD,  /* born before 1900 */
	IDNUM_CHECKSUM, /* the check character is wrong */
};

typedef struct idnum {
	char number[19]; /* normalized 18 characters */
	char birth[11];  /* YYYY-MM-DD */
	int birth_ymd;   /* YYYYMMDD */
	char sex;        /* 'M' or 'F' */
	char area[7];    /* issuing area code */
} idnum;

/* Validates and normalizes in against today's date (YYYYMMDD). */
enum idnum_error idnum_parse(const char *in, int today_ymd, idnum *out);
/* The check character for the first 17 digits. */
char idnum_check_char(const char *first17);
/* A stable English reason for an error. */
const char *idnum_strerror(enum idnum_error e);
/* Writes the masked form (first 6 + 8 stars + last 4) into out[19]. */
void idnum_mask(const char *number18, char out[19]);
/* 1 if y/m/d is a real calendar date. */
int idnum_valid_date(int y, int m, int d);

#endif
