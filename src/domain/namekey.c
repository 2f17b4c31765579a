/*
 * Sort keys of names by ICU's "zh" collator (namekey.h).
 */
#include "namekey.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ucol.h>
#include <unicode/ustring.h>

#include "../util/wb.h"

static UCollator *coll;
static char version[64];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void open_collator(void)
{
	UErrorCode err = U_ZERO_ERROR;
	UVersionInfo v;
	UCollator *cl = ucol_open("zh", &err);

	if (U_FAILURE(err) || !cl) {
		if (cl)
			ucol_close(cl);
		return;
	}
	/* the collator's version covers ICU's code, the root rules and the
	 * tailoring: what a stored key depends on */
	ucol_getVersion(cl, v);
	snprintf(version, sizeof(version), "zh %u.%u.%u.%u", v[0], v[1], v[2], v[3]);
	coll = cl;
}

const char *name_key_version(void)
{
	pthread_once(&once, open_collator);
	return version;
}

/* 64 characters in ascending byte order: a base 64 that keeps the order. */
static const char digits[] = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

/* The bytes k[0..len) as 6-bit digits, most significant first (the last
 * digit padded with zero bits): a < b as bytes iff enc(a) < enc(b). */
static int encode(const uint8_t *k, size_t len, char *out, size_t n)
{
	size_t o = 0;
	unsigned acc = 0;
	int bits = 0;

	if ((len * 8 + 5) / 6 + 1 > n)
		return WB_ETOOBIG;
	for (size_t i = 0; i < len; i++) {
		acc = (acc << 8) | k[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			out[o++] = digits[(acc >> bits) & 63];
		}
	}
	if (bits > 0)
		out[o++] = digits[(acc << (6 - bits)) & 63];
	out[o] = '\0';
	return WB_OK;
}

int name_key(const char *name, char *out, size_t n)
{
	UErrorCode err = U_ZERO_ERROR;
	UChar wide[512], *w = wide;
	uint8_t raw[1024], *k = raw;
	int32_t wlen = 0, klen;
	int rc;

	if (n)
		out[0] = '\0';
	pthread_once(&once, open_collator);
	if (!coll)
		return WB_ESTORE;
	u_strFromUTF8WithSub(wide, (int32_t)WB_ARRAY_LEN(wide), &wlen, name, -1, 0xFFFD, NULL, &err);
	if (err == U_BUFFER_OVERFLOW_ERROR) {
		err = U_ZERO_ERROR;
		w = malloc(((size_t)wlen + 1) * sizeof(UChar));
		if (!w)
			return WB_ENOMEM;
		u_strFromUTF8WithSub(w, wlen + 1, &wlen, name, -1, 0xFFFD, NULL, &err);
	}
	if (U_FAILURE(err)) {
		if (w != wide)
			free(w);
		return WB_EINVAL;
	}
	klen = ucol_getSortKey(coll, w, wlen, raw, (int32_t)sizeof(raw));
	if (klen > (int32_t)sizeof(raw)) {
		k = malloc((size_t)klen);
		if (k)
			klen = ucol_getSortKey(coll, w, wlen, k, klen);
	}
	if (w != wide)
		free(w);
	if (!k)
		return WB_ENOMEM;
	/* the key ends with a 0 byte, which adds nothing to the order */
	rc = klen > 0 ? encode(k, (size_t)klen - 1, out, n) : WB_ESTORE;
	if (k != raw)
		free(k);
	return rc;
}
