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

/* the length of the blank at s (0 when there is none) */
static size_t blank_at(const char *s)
{
	if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\v' || *s == '\f')
		return 1;
	if ((unsigned char)s[0] == 0xE3 && (unsigned char)s[1] == 0x80 && (unsigned char)s[2] == 0x80)
		return 3;
	return 0;
}

int wb_is_blank(const char *s)
{
	size_t k;

	while ((k = blank_at(s)) > 0)
		s += k;
	return *s == '\0';
}

char *wb_trim(char *s)
{
	size_t start = 0, end, k;

	while ((k = blank_at(s + start)) > 0)
		start += k;
	end = start + strlen(s + start);
	for (;;) {
		if (end > start && blank_at(s + end - 1) == 1)
			end--;
		else if (end >= start + 3 && blank_at(s + end - 3) == 3)
			end -= 3;
		else
			break;
	}
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
