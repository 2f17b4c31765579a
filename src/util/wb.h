/*
 * Common status codes shared by every layer.
 *
 * Every function that can fail returns an int: WB_OK (0) or one of the
 * negative codes below. Outputs go through parameters ending in _out. The
 * API layer maps these codes to HTTP statuses in exactly one place.
 */
#ifndef WB_H
#define WB_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum wb_status {
	WB_OK = 0,
	WB_ENOMEM = -1,     /* allocation failed or a size cap was exceeded */
	WB_EINVAL = -2,     /* input failed validation */
	WB_ENOTFOUND = -3,  /* no such record (or outside the caller's scope) */
	WB_ECONFLICT = -4,  /* unique key or version conflict */
	WB_ESTORE = -5,     /* database error */
	WB_EFORBIDDEN = -6, /* authenticated but not allowed */
	WB_EAUTH = -7,      /* not authenticated / bad credentials */
	WB_ETOOBIG = -8,    /* input larger than its cap */
	WB_ELOCKED = -9,    /* account locked */
	WB_EIO = -10,       /* file or network I/O failed */
	WB_EBUSY = -11,     /* resource temporarily exhausted */
	WB_ESCHEMA = -12,   /* database schema newer than this binary */
	WB_ECRYPTO = -13,   /* key missing or decryption failed */
};

/* Returns a short stable English name for a status code (never NULL). */
const char *wb_strerror(int status);

/* The program's version (the CLI prints it, the administrator's status shows it). */
#define WEIBAO_VERSION "0.1.0"

#define WB_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* 64-bit FNV-1a of s, continued from h (start from WB_FNV_BASIS): the one
 * hash of the program's in-memory tables (statement caches, import sets,
 * lock stripes). Not for anything an attacker must not predict. */
#define WB_FNV_BASIS 1469598103934665603ULL
static inline uint64_t wb_fnv1a_from(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}
static inline uint64_t wb_fnv1a(const char *s)
{
	return wb_fnv1a_from(WB_FNV_BASIS, s);
}

/* A hash of a long string (an SQL text of a few KiB), eight bytes a step:
 * FNV-1a's byte-by-byte multiply chain made the statement caches' lookup
 * cost as much as running a short statement. Same caveat as FNV-1a. */
static inline uint64_t wb_strhash(const char *s)
{
	size_t n = strlen(s), i = 0;
	uint64_t h = WB_FNV_BASIS ^ (uint64_t)n, w;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
		h ^= h >> 29;
	}
	w = 0;
	memcpy(&w, s + i, n - i);
	h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
	return h ^ (h >> 32);
}

#endif
