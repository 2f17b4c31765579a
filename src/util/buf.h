/*
 * Growable byte buffers with a hard size cap.
 *
 * Every buffer that holds input or output has a maximum: appending past it
 * fails with WB_ETOOBIG and leaves the buffer unchanged, so a hostile input
 * can never grow memory without bound. The content is always NUL-terminated.
 */
#ifndef WB_BUF_H
#define WB_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
} buf;

/* Initializes an empty buffer that may grow up to max bytes. */
void buf_init(buf *b, size_t max);
/* Frees the storage; the buffer can be initialized again. */
void buf_cleanup(buf *b);
/* Empties the buffer, keeping its storage. */
void buf_reset(buf *b);
/* Makes room for n more bytes (fewer if the cap is nearer) so that the
 * appends that follow need not grow the storage step by step. */
int buf_grow(buf *b, size_t n);
/* Appends n bytes. Returns WB_OK, WB_ETOOBIG or WB_ENOMEM. */
int buf_append(buf *b, const void *p, size_t n);
/* Appends a NUL-terminated string. */
int buf_puts(buf *b, const char *s);
/* Appends printf-style formatted text. */
int buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(buf *b, const char *fmt, va_list ap);
/* Hands the storage to the caller (who frees it) and empties the buffer. */
char *buf_steal(buf *b);

/* Bounded string copy: always terminates, returns WB_ETOOBIG on truncation. */
int wb_strlcpy(char *dst, const char *src, size_t size);
/* The same, a text too long cut before the UTF-8 character that does not
 * fit, never inside it (a broken character is refused by PostgreSQL and
 * cannot be shown as JSON). */
int wb_strlcpy_utf8(char *dst, const char *src, size_t size);
/* Bounded snprintf that reports truncation as WB_ETOOBIG. */
int wb_snprintf(char *dst, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Drops leading and trailing blanks in place: ASCII white space, the
 * ideographic space U+3000 (what a Chinese input method types), the
 * no-break and other Unicode spaces, and the invisible zero-width
 * characters and byte-order mark a copied text brings. Returns s. */
char *wb_trim(char *s);
/* 1 when s holds nothing but blanks (as wb_trim's), or nothing. */
int wb_is_blank(const char *s);
/* 1 when s starts or ends with a blank (as wb_trim's). */
int wb_blank_edge(const char *s);
/*
 * A file name someone sent, fit to show and to save under: valid UTF-8
 * without control characters (C0, DEL, C1), Unicode format characters
 * (Cf: the right-to-left override U+202E and the other bidirectional
 * marks, zero-width characters, U+FEFF...), line and paragraph separators,
 * quotes, path separators or the characters a file system refuses
 * (\ / : * ? " < > | ;), without blanks or dots at either end. ext (e.g.
 * "png"; NULL or "" for none): the name then ends in .ext, its own
 * extension (1 to 10 letters or digits after the last dot) replaced,
 * or .ext appended. At most max bytes (cut on a character boundary, the
 * extension kept) and less than outlen; empty when nothing of the name
 * is left.
 */
void wb_file_name(const char *in, const char *ext, size_t max, char *out, size_t outlen);
/*
 * Makes room for element n of a growable array: arrayp is the address of the
 * array's pointer (T **), *cap how many elements of size bytes it holds.
 * While n < *cap nothing changes; else the array is reallocated to twice
 * *cap elements (first when empty) and *cap updated. WB_ENOMEM, or
 * WB_ETOOBIG past max elements; the array is unchanged then.
 */
int wb_grow(void *arrayp, size_t n, size_t *cap, size_t size, size_t first, size_t max);
/* Parses a whole decimal integer in [min, max]; returns WB_EINVAL otherwise. */
int wb_parse_int64(const char *s, long long min, long long max, long long *out);

#endif
