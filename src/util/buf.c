/*
 * Capped buffers and the few string helpers the house style allows in place
 * of the banned unbounded C library functions.
 */
#include "buf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wb.h"

void buf_init(buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void buf_cleanup(buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void buf_reset(buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

static int buf_reserve(buf *b, size_t extra)
{
	size_t need, ncap;
	char *p;

	if (extra > b->max || b->len > b->max - extra)
		return WB_ETOOBIG;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return WB_OK;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		ncap *= 2;
	if (ncap > b->max + 1)
		ncap = b->max + 1;
	p = realloc(b->data, ncap);
	if (!p)
		return WB_ENOMEM;
	b->data = p;
	b->cap = ncap;
	return WB_OK;
}

int buf_grow(buf *b, size_t n)
{
	return buf_reserve(b, n < b->max - b->len ? n : b->max - b->len);
}

int buf_append(buf *b, const void *p, size_t n)
{
	int rc = buf_reserve(b, n);

	if (rc)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return WB_OK;
}

int buf_puts(buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

/* Formats into the room the buffer has; only text longer than that is
 * measured and formatted a second time (glibc formats a measuring pass,
 * vsnprintf(NULL, 0), through a 64-byte scratch buffer: slow for long
 * text). */
int buf_vprintf(buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	size_t room, some = b->max - b->len < 63 ? b->max - b->len : 63;
	int n, rc;

	if (b->cap <= b->len + 1 && (rc = buf_reserve(b, some)) != WB_OK)
		return rc;
	room = b->cap - b->len; /* with the NUL's byte; never past max */
	va_copy(ap2, ap);
	n = vsnprintf(b->data + b->len, room, fmt, ap2);
	va_end(ap2);
	if (n >= 0 && (size_t)n < room) {
		b->len += (size_t)n;
		return WB_OK;
	}
	b->data[b->len] = '\0'; /* unchanged if it does not fit */
	if (n < 0)
		return WB_EINVAL;
	rc = buf_reserve(b, (size_t)n);
	if (rc)
		return rc;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return WB_OK;
}

int buf_printf(buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

char *buf_steal(buf *b)
{
	char *p = b->data;

	if (!p)
		p = calloc(1, 1);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}

int wb_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size == 0)
		return WB_ETOOBIG;
	if (n >= size) {
		memcpy(dst, src, size - 1);
		dst[size - 1] = '\0';
		return WB_ETOOBIG;
	}
	memcpy(dst, src, n + 1);
	return WB_OK;
}

int wb_strlcpy_utf8(char *dst, const char *src, size_t size)
{
	size_t n;

	if (wb_strlcpy(dst, src, size) == WB_OK)
		return WB_OK;
	n = strlen(dst);
	while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
		n--;
	dst[n] = '\0';
	return WB_ETOOBIG;
}

/*
 * The length of the blank at s (0 when there is none): ASCII white space;
 * the no-break space U+00A0 and the spaces U+2000-U+200A, U+202F, U+205F
 * that a page copied from the web brings; the ideographic space U+3000 of a
 * Chinese input method; and the invisible U+200B-U+200D, U+2060 and U+FEFF
 * (a byte-order mark) that a chat app's copy leaves around a name.
 */
static size_t blank_at(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	if (*u == ' ' || *u == '\t' || *u == '\n' || *u == '\r' || *u == '\v' || *u == '\f')
		return 1;
	if (u[0] == 0xC2 && u[1] == 0xA0)
		return 2;
	if (u[0] == 0xE2 && u[1] == 0x80 && ((u[2] >= 0x80 && u[2] <= 0x8D) || u[2] == 0xAF))
		return 3;
	if (u[0] == 0xE2 && u[1] == 0x81 && (u[2] == 0x9F || u[2] == 0xA0))
		return 3;
	if ((u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x80) || (u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF))
		return 3;
	return 0;
}

/* The length of the blank that ends s[0, end), or 0. A blank's first byte
 * is never a continuation byte, so a match is a whole character. */
static size_t blank_before(const char *s, size_t end)
{
	for (size_t k = 1; k <= 3 && k <= end; k++)
		if (blank_at(s + end - k) == k)
			return k;
	return 0;
}

int wb_is_blank(const char *s)
{
	size_t k;

	while ((k = blank_at(s)) > 0)
		s += k;
	return *s == '\0';
}

int wb_blank_edge(const char *s)
{
	return blank_at(s) > 0 || blank_before(s, strlen(s)) > 0;
}

char *wb_trim(char *s)
{
	size_t start = 0, end, k;

	while ((k = blank_at(s + start)) > 0)
		start += k;
	end = strlen(s);
	while (end > start && (k = blank_before(s, end)) > 0 && end - k >= start)
		end -= k;
	memmove(s, s + start, end - start);
	s[end - start] = '\0';
	return s;
}

int wb_snprintf(char *dst, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(dst, size, fmt, ap);
	va_end(ap);
	if (n < 0)
		return WB_EINVAL;
	return (size_t)n >= size ? WB_ETOOBIG : WB_OK;
}

/* The code point at s (UTF-8, *len its bytes), or -1 for a byte that
 * starts no valid character (*len 1). */
static long utf8_at(const unsigned char *s, size_t *len)
{
	unsigned char c = s[0];
	size_t n = c < 0x80                 ? 1
		   : c >= 0xC2 && c <= 0xDF ? 2
		   : c >= 0xE0 && c <= 0xEF ? 3
		   : c >= 0xF0 && c <= 0xF4 ? 4
					    : 0;
	long cp = n == 1 ? c : n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;

	*len = 1;
	if (n == 0)
		return -1;
	for (size_t k = 1; k < n; k++) {
		if ((s[k] & 0xC0) != 0x80)
			return -1;
		cp = cp << 6 | (s[k] & 0x3F);
	}
	/* overlong forms, surrogates, past U+10FFFF */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
		return -1;
	*len = n;
	return cp;
}

/* Control and format characters (Unicode Cc, Cf, Zl, Zp): invisible, or
 * turning what follows them around (U+202E shows "gnp.html" as
 * "lmth.png"). */
static int invisible(long cp)
{
	static const long ranges[][2] = {
		{0x00, 0x1F},       {0x7F, 0x9F},       {0xAD, 0xAD},       {0x600, 0x605},     {0x61C, 0x61C},
		{0x6DD, 0x6DD},     {0x70F, 0x70F},     {0x890, 0x891},     {0x8E2, 0x8E2},     {0x180E, 0x180E},
		{0x200B, 0x200F},   {0x2028, 0x202E},   {0x2060, 0x2064},   {0x2066, 0x206F},   {0xFEFF, 0xFEFF},
		{0xFFF9, 0xFFFB},   {0x110BD, 0x110BD}, {0x110CD, 0x110CD}, {0x13430, 0x1343F}, {0x1BCA0, 0x1BCA3},
		{0x1D173, 0x1D17A}, {0xE0001, 0xE0001}, {0xE0020, 0xE007F},
	};

	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		if (cp >= ranges[i][0] && cp <= ranges[i][1])
			return 1;
	return 0;
}

#define ALNUM "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

/* Drops blanks and dots at both ends of s[0..*n). */
static char *trim_name(char *s, size_t *n)
{
	size_t k;

	for (;;) {
		if (*n && (s[0] == '.' || s[0] == ' '))
			k = 1;
		else if (*n >= 3 && (k = blank_at(s)) == 3)
			;
		else
			break;
		s += k;
		*n -= k;
	}
	for (;;) {
		if (*n && (s[*n - 1] == '.' || s[*n - 1] == ' '))
			(*n)--;
		else if (*n >= 3 && blank_at(s + *n - 3) == 3)
			*n -= 3;
		else
			break;
	}
	return s;
}

void wb_file_name(const char *in, const char *ext, size_t max, char *out, size_t outlen)
{
	size_t n = 0, elen = ext ? strlen(ext) : 0, cut;
	char *clean = malloc(in ? strlen(in) + 1 : 1), *name;

	if (outlen)
		out[0] = '\0';
	if (!clean || !outlen)
		goto out;
	if (max > outlen - 1)
		max = outlen - 1;
	for (const unsigned char *p = (const unsigned char *)(in ? in : ""); *p;) {
		size_t len;
		long cp = utf8_at(p, &len);

		if (cp >= 0 && !invisible(cp) && !(cp < 0x80 && strchr("\"\\/;:<>|*?", (int)cp))) {
			memcpy(clean + n, p, len);
			n += len;
		}
		p += len;
	}
	clean[n] = '\0';
	name = trim_name(clean, &n);
	if (elen) {
		/* the name's own extension goes: the file is what its bytes are */
		size_t k = n, dot;

		while (k > 0 && name[k - 1] != '.' && k + 10 > n && strchr(ALNUM, name[k - 1]))
			k--;
		dot = k - 1;
		if (k > 0 && k < n && name[dot] == '.')
			n = dot;
		name = trim_name(name, &n);
		if (n == 0 || elen + 1 >= max)
			goto out;
	}
	/* at most max bytes with .ext, cut before a character, not inside */
	cut = elen ? max - elen - 1 : max;
	if (n > cut) {
		n = cut;
		while (n > 0 && ((unsigned char)name[n] & 0xC0) == 0x80)
			n--;
		name = trim_name(name, &n);
	}
	if (n == 0)
		goto out;
	memcpy(out, name, n);
	out[n] = '\0';
	if (elen) {
		out[n] = '.';
		memcpy(out + n + 1, ext, elen + 1);
	}
out:
	free(clean);
}

int wb_parse_int64(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	if (!s || !*s)
		return WB_EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return WB_EINVAL;
	*out = v;
	return WB_OK;
}

const char *wb_strerror(int status)
{
	switch (status) {
	case WB_OK: return "ok";
	case WB_ENOMEM: return "out of memory";
	case WB_EINVAL: return "invalid input";
	case WB_ENOTFOUND: return "not found";
	case WB_ECONFLICT: return "conflict";
	case WB_ESTORE: return "database error";
	case WB_EFORBIDDEN: return "forbidden";
	case WB_EAUTH: return "authentication failed";
	case WB_ETOOBIG: return "too large";
	case WB_ELOCKED: return "account locked";
	case WB_EIO: return "I/O error";
	case WB_EBUSY: return "busy";
	case WB_ESCHEMA: return "database schema is newer than this program";
	case WB_ECRYPTO: return "key or decryption error";
	default: return "unknown error";
	}
}

int wb_grow(void *arrayp, size_t n, size_t *cap, size_t size, size_t first, size_t max)
{
	size_t ncap = *cap ? *cap * 2 : first;
	void *a, *p;

	if (n < *cap)
		return WB_OK;
	if (ncap > max || ncap > SIZE_MAX / size)
		return WB_ETOOBIG;
	/* the pointer is copied, not read through a void **: it is a T * */
	memcpy(&a, arrayp, sizeof(a));
	p = realloc(a, ncap * size);
	if (!p)
		return WB_ENOMEM;
	memcpy(arrayp, &p, sizeof(p));
	*cap = ncap;
	return WB_OK;
}
