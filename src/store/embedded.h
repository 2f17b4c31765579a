/*
 * Files embedded into the binary at build time (scripts/embed.cmake):
 * the SQL migrations of both dialects and, when built, the web UI.
 */
#ifndef WB_EMBEDDED_H
#define WB_EMBEDDED_H

#include <stddef.h>

typedef struct embedded_file {
	const char *name;          /* path relative to the embedded root */
	const unsigned char *data; /* NUL-terminated */
	size_t len;
	/* the web UI's: the same bytes gzip-compressed (NULL: not smaller, or
	 * not a type that compresses) */
	const unsigned char *gz;
	size_t gz_len;
	const char *etag; /* the start of the SHA-256 of data, hex */
} embedded_file;

extern const embedded_file embedded_migrations_sqlite[];
extern const embedded_file embedded_migrations_pg[];
extern const size_t embedded_migrations_sqlite_count;
extern const size_t embedded_migrations_pg_count;

#endif
