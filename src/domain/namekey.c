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
#include "rare_readings.h"

/*
 * Surnames read otherwise than the character's common reading: a name
 * starting with one sorts as if it started with a character of the
 * surname's reading and tone (曾 is zēng, not céng; 单 shàn, not dān), where
 * staff look for it. SURNAMES_VERSION is part of the stored keys' version:
 * a change to the table makes every key again (see name_key_version).
 */
#define SURNAMES_VERSION "surnames-3"
static const struct {
	UChar surname, as;
} surnames[] = {
	{0x66FE, 0x589E}, /* 曾 as 增 zēng */
	{0x5355, 0x5584}, /* 单 as 善 shàn */
	{0x89E3, 0x8C22}, /* 解 as 谢 xiè */
	{0x4EC7, 0x6C42}, /* 仇 as 求 qiú */
	{0x533A, 0x6B27}, /* 区 as 欧 ōu */
	{0x67E5, 0x6E23}, /* 查 as 渣 zhā */
	{0x6734, 0x74E2}, /* 朴 as 瓢 piáo */
	{0x7FDF, 0x5B85}, /* 翟 as 宅 zhái */
	{0x4E50, 0x5CB3}, /* 乐 as 岳 yuè */
	{0x8983, 0x79E6}, /* 覃 as 秦 qín */
	{0x76D6, 0x845B}, /* 盖 as 葛 gě */
	{0x7F2A, 0x5999}, /* 缪 as 妙 miào */
	{0x79CD, 0x5D07}, /* 种 as 崇 chóng */
	{0x5458, 0x8FD0}, /* 员 as 运 yùn */
	{0x6298, 0x820C}, /* 折 as 舌 shé */
};

/*
 * Characters of names that the collator's pinyin order leaves out (CJK
 * extension A, the ideographs added after U+9FA5, extension B and beyond:
 * they would sort after every Han name), each read as a common character
 * of the same reading and tone (rare_readings.c, generated from Unihan:
 * 𠮷 as 及 jí, 䶮 as 衍 yǎn). Part of SURNAMES_VERSION: a change makes
 * every key again.
 */
static UChar32 rare_as(UChar32 ch)
{
	size_t lo = 0, hi = rare_readings_len;

	if (ch < 0x3400 || (ch >= 0x4E00 && ch <= 0x9FA5))
		return ch;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (rare_readings[mid].rare == (uint32_t)ch)
			return rare_readings[mid].as;
		if (rare_readings[mid].rare < (uint32_t)ch)
			lo = mid + 1;
		else
			hi = mid;
	}
	return ch;
}

/* w[0..*wlen) with the rare characters replaced (never longer). */
static void read_rare(UChar *w, int32_t *wlen)
{
	int32_t i = 0, out = 0;

	while (i < *wlen) {
		UChar32 ch;

		U16_NEXT(w, i, *wlen, ch);
		ch = rare_as(ch);
		U16_APPEND_UNSAFE(w, out, ch);
	}
	*wlen = out;
}

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
	snprintf(version, sizeof(version), "zh %u.%u.%u.%u " SURNAMES_VERSION, v[0], v[1], v[2], v[3]);
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
	/* a surname of its own reading (a name of two characters or more);
	 * before the rare characters are read, which may be read as one of
	 * the surnames' characters (𪚥 zhé as 折, not the surname shé) */
	for (size_t i = 0; wlen >= 2 && i < WB_ARRAY_LEN(surnames); i++)
		if (w[0] == surnames[i].surname) {
			w[0] = surnames[i].as;
			break;
		}
	read_rare(w, &wlen);
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
