/*
 * Fuzz target: idnum_parse (src/domain/idnum.h) on arbitrary bytes, with
 * the module's own promises checked on every accepted input: the result is
 * 18 normalised characters with a correct check character, its fields agree
 * with the number, it is not after today, and parsing the result again
 * gives the same result.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/domain/idnum.h"

#define FUZZ_TODAY 20240315

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_ok(const char *in, const idnum *id)
{
	idnum again;
	char mask[19];

	if (strlen(id->number) != 18 || idnum_check_char(id->number) != id->number[17])
		abort();
	for (int i = 0; i < 17; i++)
		if (id->number[i] < '0' || id->number[i] > '9')
			abort();
	if (strlen(in) == 18 && memcmp(in, id->number, 17) != 0)
		abort();
	if (strlen(in) == 15 && (memcmp(in, id->number, 6) != 0 || memcmp(in + 6, id->number + 8, 9) != 0))
		abort();
	if (id->birth_ymd > FUZZ_TODAY || id->birth_ymd < 19000101)
		abort();
	if (memcmp(id->area, id->number, 6) != 0 || id->area[6] != '\0')
		abort();
	if (id->sex != ((id->number[16] - '0') % 2 ? 'M' : 'F'))
		abort();
	if (strlen(id->birth) != 10 || memcmp(id->birth, id->number + 6, 4) != 0 || id->birth[4] != '-')
		abort();
	if (idnum_parse(id->number, FUZZ_TODAY, &again) != IDNUM_OK || memcmp(&again, id, sizeof(again)) != 0)
		abort();
	idnum_mask(id->number, mask);
	if (strlen(mask) != 18 || memcmp(mask + 6, "********", 8) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[64];
	idnum id;
	enum idnum_error rc;

	if (size >= sizeof(in))
		size = sizeof(in) - 1;
	memcpy(in, data, size);
	in[size] = '\0';
	rc = idnum_parse(in, FUZZ_TODAY, &id);
	if (idnum_strerror(rc) == NULL)
		abort();
	if (rc == IDNUM_OK)
		check_ok(in, &id);
	else if (id.number[0] != '\0')
		abort(); /* nothing half-filled on error */
	return 0;
}
