/*
 * Fuzz target: json_out (src/util/json_out.h), the compact writer of every
 * API answer, against jansson's own writer. Any input jansson reads (any
 * JSON value, NUL escapes allowed) is written by both; the texts must be
 * byte for byte the same, and json_out's text must read back as an equal
 * value. A real that JSON cannot write (jansson never makes one from text)
 * is the only refusal allowed.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/util/buf.h"
#include "../../src/util/json_out.h"
#include "../../src/util/wb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t e;
	json_t *v = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
	char *want;
	json_t *back;
	buf b;

	if (!v)
		return 0;
	want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	buf_init(&b, 1u << 24);
	if (json_out(&b, v) != WB_OK || !want || b.len != strlen(want) || memcmp(b.data, want, b.len) != 0)
		abort();
	back = json_loadb(b.data, b.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
	if (!back || !json_equal(back, v))
		abort();
	json_decref(back);
	free(want);
	buf_cleanup(&b);
	json_decref(v);
	return 0;
}
