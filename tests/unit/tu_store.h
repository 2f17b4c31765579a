/*
 * Shared helper for the unit tests that need a real store: a fresh SQLite
 * database in a temporary file, migrated to the newest schema, removed
 * again (with its WAL and shared-memory files) when the test is done.
 *
 * Header-only so that every test_*.c stays one self-contained executable.
 */
#ifndef TU_STORE_H
#define TU_STORE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/store/store.h"
#include "../../src/util/buf.h"
#include "../../src/util/log.h"
#include "../../src/util/wb.h"

typedef struct tu_store {
	char path[64]; /* the database file */
	store *s;
} tu_store;

/* Creates and migrates a temporary SQLite store with pool size `size`.
 * Returns WB_OK or the failing status (with the reason on stderr). */
static inline int tu_store_open(tu_store *t, int size)
{
	char url[80], err[256] = "";
	int fd, version = 0, rc;

	memset(t, 0, sizeof(*t));
	log_set_level(LOG_WARN);
	wb_strlcpy(t->path, "/tmp/weibao-unit-XXXXXX", sizeof(t->path));
	fd = mkstemp(t->path);
	if (fd < 0)
		return WB_EIO;
	close(fd);
	wb_snprintf(url, sizeof(url), "sqlite:%s", t->path);
	rc = store_open(url, size, &t->s, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "tu_store_open: %s: %s\n", wb_strerror(rc), err);
		unlink(t->path);
		return rc;
	}
	rc = store_migrate(t->s, &version);
	if (rc) {
		fprintf(stderr, "tu_store_open: migrate: %s\n", wb_strerror(rc));
		store_close(t->s);
		t->s = NULL;
		unlink(t->path);
	}
	return rc;
}

/* Closes the store and removes its files. */
static inline void tu_store_close(tu_store *t)
{
	char side[80];

	if (t->s)
		store_close(t->s);
	t->s = NULL;
	if (!t->path[0])
		return;
	unlink(t->path);
	wb_snprintf(side, sizeof(side), "%s-wal", t->path);
	unlink(side);
	wb_snprintf(side, sizeof(side), "%s-shm", t->path);
	unlink(side);
	t->path[0] = '\0';
}

#endif
