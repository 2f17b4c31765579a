/*
 * Queries over children and their change history. The caller's scope is
 * part of every SELECT and UPDATE here (scope_children_sql), so a record
 * outside it is not found rather than refused.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "../domain/namekey.h"
#include "../util/log.h"
#include "../util/wb.h"
#include "model.h"

#define CHILD_COLS                                                                                          \
	"c.id, c.county_code, c.name, COALESCE(c.id_enc, ''), COALESCE(c.id_bidx, ''), "                    \
	"COALESCE(c.id_mask, ''), COALESCE(c.sex, ''), COALESCE(c.birth_date, ''), c.village_code, "        \
	"COALESCE(c.grid_code, ''), COALESCE(c.school_id, 0), c.version, c.created_at, c.created_by, "      \
	"c.updated_at, c.updated_by, COALESCE(c.hukou_area_code, ''), COALESCE(c.hukou_type, ''), "         \
	"COALESCE(c.grade, ''), c.disability_grade, COALESCE(c.disability_type, ''), "                      \
	"COALESCE(c.serious_illness, ''), c.family_poverty, c.adopted, COALESCE(c.director_id, 0), "        \
	"c.risk_level, COALESCE(c.notes, ''), COALESCE(c.archived_at, 0), COALESCE(c.archive_reason, ''), " \
	"COALESCE(c.erased_at, 0), COALESCE(c.archive_note, '')"
#define CHILD_NCOLS 31 /* the columns of CHILD_COLS (child_row reads them) */

int scope_child_named_sql(const store_scope *sc, const char *alias, const char *when, const char *otherwise, buf *sql,
			  store_args *args)
{
	int rc;

	if (!sc)
		return buf_puts(sql, otherwise);
	rc = buf_printf(sql, "CASE WHEN %s", when);
	if (rc == WB_OK)
		rc = scope_children_sql(sc, alias, sql, args);
	return rc == WB_OK ? buf_puts(sql, " THEN 1 ELSE 0 END") : rc;
}

int scope_children_sql(const store_scope *sc, const char *alias, buf *sql, store_args *args)
{
	int rc = scope_place_sql(sc, alias, sql, args);

	/* an archived child has left active work: only asked for by name */
	if (!sc->with_archived)
		rc = rc ? rc : buf_printf(sql, " AND %s.archived_at IS NULL", alias);
	return rc;
}

int scope_place_sql(const store_scope *sc, const char *alias, buf *sql, store_args *args)
{
	int rc = buf_printf(sql, " AND %s.county_code = ?", alias);

	args_text(args, sc->county_code);
	switch (sc->children) {
	case SCOPE_COUNTY: break;
	case SCOPE_AREA:
		rc = rc ? rc : buf_printf(sql, " AND %s.village_code >= ? AND %s.village_code < ?", alias, alias);
		args_text(args, sc->lo);
		args_text(args, sc->hi);
		break;
	case SCOPE_GRID:
		rc = rc ? rc : buf_printf(sql, " AND %s.grid_code = ?", alias);
		args_text(args, sc->grid);
		break;
	case SCOPE_SCHOOL:
		rc = rc ? rc : buf_printf(sql, " AND %s.school_id = ?", alias);
		args_int(args, sc->unit_id);
		break;
	case SCOPE_REFERRAL:
		/* the grant ends with the referral: only pending or accepted ones */
		rc = rc ? rc
			: buf_printf(sql,
				     " AND %s.id IN (SELECT f.child_id FROM referrals f WHERE f.unit_id = ? AND "
				     "f.child_id IS NOT NULL AND f.state IN ('pending', 'accepted'))",
				     alias);
		args_int(args, sc->unit_id);
		break;
	case SCOPE_NONE:
	default: rc = rc ? rc : buf_puts(sql, " AND 1 = 0"); break;
	}
	return rc;
}

/* An ASCII capital letter made small; any other byte (UTF-8 too) kept. */
static char ascii_small(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

int name_filter_sql(const store_conn *c, const char *name, const char *alias, buf *sql, store_args *args)
{
	size_t o = 0;

	if (!name || !name[0])
		return WB_OK;
	/* % and _ in the query are characters, not wildcards; ASCII letters
	 * small, as the name is compared (name_fold_open, _close) */
	for (const char *q = name; *q && o + 2 < sizeof(args->scratch2); q++) {
		if (*q == '%' || *q == '_' || *q == '\\')
			args->scratch2[o++] = '\\';
		args->scratch2[o++] = ascii_small(*q);
	}
	args->scratch2[o] = '\0';
	args_text(args, args->scratch2);
	return buf_printf(sql, " AND %s%s.name%s LIKE '%%' || ? || '%%' ESCAPE '\\'", c->drv->name_fold_open, alias,
			  c->drv->name_fold_close);
}

int area_filter_sql(const char *area, const char *alias, buf *sql, store_args *args)
{
	size_t n = area ? strlen(area) : 0;

	if (n == 0)
		return WB_OK;
	if (n == 15) {
		args_text(args, area);
		return buf_printf(sql, " AND %s.grid_code = ?", alias);
	}
	if (n == 6) {
		args_text(args, area);
		return buf_printf(sql, " AND %s.county_code = ?", alias);
	}
	/* village codes of the subtree are the range [area, area + ":") */
	args_text(args, area);
	args_text(args, area);
	return buf_printf(sql, " AND %s.village_code >= ? AND %s.village_code < ? || ':'", alias, alias);
}

void store_scope_county(store_scope *sc, const char *county)
{
	memset(sc, 0, sizeof(*sc));
	wb_strlcpy(sc->county_code, county, sizeof(sc->county_code));
	sc->children = SCOPE_COUNTY;
}

int scope_covers_place(const store_scope *sc, const char *village_code, const char *grid_code)
{
	switch (sc->children) {
	case SCOPE_COUNTY: return strncmp(village_code, sc->county_code, strlen(sc->county_code)) == 0;
	case SCOPE_AREA: return strcmp(village_code, sc->lo) >= 0 && strcmp(village_code, sc->hi) < 0;
	case SCOPE_GRID:
		/* the own grid, in its own village (a grid code begins with its village's) */
		return grid_code && strcmp(grid_code, sc->grid) == 0 && village_code[0] &&
		       strncmp(grid_code, village_code, strlen(village_code)) == 0;
	default: return 0;
	}
}

/* Byte length of the UTF-8 character at s (1 for a stray byte). */
static size_t utf8_len(const char *s)
{
	unsigned char c = (unsigned char)*s;
	size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;

	for (size_t i = 1; i < n; i++)
		if (!s[i])
			return i;
	return n;
}

#define GRAMS_MAX     128
#define GRAMS_INDEXED 16 /* grams of a name in the index: a very long name's first characters */

/* Characters worth indexing: any non-ASCII character (Chinese and other
 * scripts) and ASCII letters; digits, spaces and punctuation are not (a
 * digit would put every child with a number in the name on one list). */
static int indexable(const char *p)
{
	unsigned char c = (unsigned char)*p;

	return c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* A gram as the index keeps it: ASCII letters small, so that a search
 * finds Anna by "anna" (name_filter_sql folds the same way). */
static void gram_fold(char *g)
{
	for (; *g; g++)
		*g = ascii_small(*g);
}

/* The indexable characters of a name and the pairs of adjacent ones, ASCII
 * letters small (gram_fold). */
static int name_grams(const char *name, char grams[GRAMS_MAX][12])
{
	const char *prev = NULL;
	int n = 0;

	for (const char *p = name; *p && n < GRAMS_MAX - 1;) {
		size_t len = utf8_len(p);

		if (!indexable(p)) {
			prev = NULL;
			p += len;
			continue;
		}
		memcpy(grams[n], p, len);
		grams[n][len] = '\0';
		gram_fold(grams[n++]);
		if (prev && (size_t)(p - prev) + len < sizeof(grams[0])) {
			memcpy(grams[n], prev, (size_t)(p - prev) + len);
			grams[n][(size_t)(p - prev) + len] = '\0';
			gram_fold(grams[n++]);
		}
		prev = p;
		p += len;
	}
	return n;
}

/* county and gram zero-padded and side by side: one memcmp orders them
 * as the index does (county, gram: bytes; a shorter text first) */
struct gram_row {
	char county[8];
	char gram[12];
	int64_t child_id;
};

_Static_assert(offsetof(gram_row, gram) == sizeof(((gram_row *)0)->county), "county and gram side by side");

static int cmp_gram_row(const void *a, const void *b)
{
	const gram_row *x = a, *y = b;
	int c = memcmp(x->county, y->county, sizeof(x->county) + sizeof(x->gram));

	return c ? c : (x->child_id > y->child_id) - (x->child_id < y->child_id);
}

#define GRAM_CHUNK 4096

/* The grams of a name that are indexed (a very long name: its first
 * characters). */
static int indexed_grams(const char *name, char grams[GRAMS_MAX][12])
{
	int k = name_grams(name, grams);

	return k > GRAMS_INDEXED ? GRAMS_INDEXED : k;
}

int store_grams_collect(store_grams *g, const child_rec *const *ch, int n)
{
	for (int i = 0; i < n; i++) {
		char grams[GRAMS_MAX][12];
		int k = indexed_grams(ch[i]->name, grams);

		/* room for the last of the k rows */
		while (k > 0 && g->n + (size_t)k > g->cap) {
			int rc = wb_grow(&g->rows, g->n + (size_t)k - 1, &g->cap, sizeof(*g->rows), 1024, SIZE_MAX);

			if (rc != WB_OK)
				return rc;
		}
		for (int x = 0; x < k; x++) {
			gram_row *r = &g->rows[g->n++];

			memset(r, 0, offsetof(gram_row, child_id));
			wb_strlcpy(r->county, ch[i]->county_code, sizeof(r->county));
			wb_strlcpy(r->gram, grams[x], sizeof(r->gram));
			r->child_id = ch[i]->id;
		}
	}
	return WB_OK;
}

void store_grams_free(store_grams *g)
{
	free(g->rows);
	memset(g, 0, sizeof(*g));
}

/*
 * Writes the collected rows sorted, so that the index is written in key
 * order (a bulk load's whole index at once: mostly appends), in multi-row
 * INSERTs; g is empty afterwards. A chunk is a power of two rows with the
 * last row repeated to fill it (ON CONFLICT DO NOTHING skips the repeats),
 * so that one child's grams take one statement, one round trip on
 * PostgreSQL.
 */
int store_grams_write(store_conn *c, store_grams *g)
{
	int rc = WB_OK;

	qsort(g->rows, g->n, sizeof(*g->rows), cmp_gram_row);
	for (size_t done = 0; rc == WB_OK && done < g->n;) {
		size_t left = g->n - done;
		int k = store_chunk_rows_up(left < GRAM_CHUNK ? (int)left : GRAM_CHUNK, GRAM_CHUNK);
		size_t take = left < (size_t)k ? left : (size_t)k;
		store_stmt *st = NULL;

		rc = conn_prepare_rows(c, "INSERT INTO child_name_grams (county_code, gram, child_id) VALUES ",
				       "(?, ?, ?)", k, " ON CONFLICT DO NOTHING", &st);
		for (int i = 0; rc == WB_OK && i < k; i++) {
			const gram_row *r = &g->rows[done + ((size_t)i < take ? (size_t)i : take - 1)];

			rc = stmt_bind_text(c, st, 3 * i + 1, r->county);
			if (rc == WB_OK)
				rc = stmt_bind_text(c, st, 3 * i + 2, r->gram);
			if (rc == WB_OK)
				rc = stmt_bind_int64(c, st, 3 * i + 3, r->child_id);
		}
		if (rc == WB_OK)
			rc = stmt_step(c, st);
		if (st)
			stmt_reset(c, st);
		rc = rc < 0 ? rc : WB_OK;
		done += take;
	}
	g->n = 0;
	return rc;
}

int store_children_load_begin(store_conn *c, store_children_load *load, int drop_indexes)
{
	memset(load, 0, sizeof(*load));
	return drop_indexes ? store_indexes_drop(c, "children", &load->ix) : WB_OK;
}

int store_children_load_end(store_conn *c, store_children_load *load)
{
	int rc = store_grams_write(c, &load->grams);

	if (rc == WB_OK && load->ix.n)
		rc = store_indexes_build(c, &load->ix);
	return rc;
}

void store_children_load_free(store_children_load *load)
{
	store_indexes_free(&load->ix);
	store_grams_free(&load->grams);
}

/* Writes the name index of n children that have none. */
static int write_grams_many(store_conn *c, const child_rec *const *ch, int n)
{
	store_grams g = {0};
	int rc = store_grams_collect(&g, ch, n);

	if (rc == WB_OK)
		rc = store_grams_write(c, &g);
	store_grams_free(&g);
	return rc;
}

static int write_grams(store_conn *c, const child_rec *ch)
{
	return write_grams_many(c, &ch, 1);
}

/* Removes the index rows of a child's former name (by the index's key:
 * there is no index by child). */
static int delete_grams(store_conn *c, const char *county, int64_t child_id, const char *name)
{
	char grams[GRAMS_MAX][12];
	int k = indexed_grams(name, grams), rc = WB_OK;

	for (int g = 0; g < k && rc >= 0; g++)
		rc = conn_query(c, NULL,
				"DELETE FROM child_name_grams WHERE county_code = ? AND gram = ? AND child_id = ?",
				"ssi", county, grams[g], child_id);
	return rc < 0 ? rc : WB_OK;
}

int store_name_grams_backfill(store_conn *c, int64_t *done_out)
{
	store_stmt *st = NULL;
	int64_t last = 0, done = 0;
	int rc = WB_OK;

	for (;;) {
		child_rec batch[256];
		const child_rec *p[256];
		int n = 0;

		rc = conn_prepare(c, "SELECT id, county_code, name FROM children WHERE id > ? ORDER BY id LIMIT 256",
				  &st);
		if (rc == WB_OK)
			rc = stmt_bind_int64(c, st, 1, last);
		while (rc == WB_OK && (rc = stmt_step(c, st)) == STORE_ROW) {
			batch[n].id = stmt_int64(c, st, 0);
			stmt_copy(c, st, 1, batch[n].county_code, sizeof(batch[n].county_code));
			stmt_copy(c, st, 2, batch[n].name, sizeof(batch[n].name));
			n++;
			rc = WB_OK;
		}
		stmt_reset(c, st);
		if (rc < 0)
			break;
		for (int i = 0; i < n; i++)
			p[i] = &batch[i];
		if (rc >= 0 && n)
			rc = write_grams_many(c, p, n);
		if (rc < 0 || n == 0)
			break;
		done += n;
		last = batch[n - 1].id;
	}
	*done_out = done;
	return rc < 0 ? rc : WB_OK;
}

#define NAME_KEY_SETTING "name_key_collator"
#define NAME_KEY_BATCH   256 /* children keyed by one UPDATE */

static int record_version(store_conn *c)
{
	int rc = conn_query(c, NULL,
			    "INSERT INTO settings (county_code, name, value) VALUES ('', ?, ?) "
			    "ON CONFLICT (county_code, name) DO UPDATE SET value = excluded.value",
			    "ss", NAME_KEY_SETTING, name_key_version());

	return rc < 0 ? rc : WB_OK;
}

int store_name_keys_needed(store_conn *c, int *all, int *missing)
{
	store_stmt *st = NULL;
	const char *running = name_key_version();
	int children, rc;

	*all = *missing = 0;
	if (!running[0])
		return WB_ESTORE;
	rc = conn_query(c, NULL, "SELECT 1 FROM children LIMIT 1", "");
	if (rc < 0)
		return rc;
	children = rc == STORE_ROW;
	rc = conn_query(c, &st, "SELECT value FROM settings WHERE county_code = '' AND name = ?", "s",
			NAME_KEY_SETTING);
	if (rc == STORE_ROW) {
		const char *v = stmt_text(c, st, 0);

		*all = strcmp(v ? v : "", running) != 0;
		stmt_reset(c, st);
	} else if (rc == STORE_DONE) {
		*all = 1; /* no version yet: a database of before schema 0031, or a new one */
	} else {
		return rc;
	}
	if (!children) {
		/* nothing to key: the version is recorded, without an audit entry
		 * (a new database, before its first child) */
		rc = *all ? record_version(c) : WB_OK;
		*all = 0;
		return rc;
	}
	if (!*all) {
		rc = conn_query(c, NULL, "SELECT 1 FROM children WHERE name_key IS NULL LIMIT 1", "");
		if (rc < 0)
			return rc;
		*missing = rc == STORE_ROW;
	}
	return WB_OK;
}

int store_name_keys_fill(store_conn *c, int all, int64_t *done_out)
{
	char(*keys)[NAME_KEY_MAX] = malloc(NAME_KEY_BATCH * sizeof(*keys));
	int64_t ids[NAME_KEY_BATCH], last = 0, done = 0;
	int rc = keys ? WB_OK : WB_ENOMEM;

	while (rc == WB_OK) {
		store_stmt *st = NULL;
		int n = 0;

		rc = conn_query(c, &st,
				all ? "SELECT id, name FROM children WHERE id > ? ORDER BY id LIMIT 256"
				    : "SELECT id, name FROM children WHERE id > ? AND name_key IS NULL ORDER BY id "
				      "LIMIT 256",
				"i", last);
		while (rc == STORE_ROW) {
			const char *name = stmt_text(c, st, 1);

			ids[n] = stmt_int64(c, st, 0);
			rc = name_key(name ? name : "", keys[n], NAME_KEY_MAX);
			n++;
			rc = rc == WB_OK ? stmt_step(c, st) : rc;
		}
		if (st)
			stmt_reset(c, st);
		if (rc < 0 || n == 0)
			break;
		/* a chunk's keys by one statement (a power of two rows a statement) */
		for (int at = 0; rc >= 0 && at < n;) {
			int k = store_chunk_rows(n - at, NAME_KEY_BATCH);

			st = NULL;
			rc = conn_prepare_rows(c, "WITH v (id, k) AS (VALUES ", "(CAST(? AS BIGINT), ?)", k,
					       ") UPDATE children SET name_key = v.k FROM v WHERE children.id = v.id",
					       &st);
			for (int i = 0; rc == WB_OK && i < k; i++) {
				rc = stmt_bind_int64(c, st, 2 * i + 1, ids[at + i]);
				if (rc == WB_OK)
					rc = stmt_bind_text(c, st, 2 * i + 2, keys[at + i]);
			}
			if (rc == WB_OK)
				rc = stmt_step(c, st);
			if (st)
				stmt_reset(c, st);
			at += k;
		}
		if (rc < 0)
			break;
		rc = WB_OK;
		done += n;
		last = ids[n - 1];
	}
	free(keys);
	if (rc >= 0)
		rc = record_version(c);
	*done_out = done;
	return rc < 0 ? rc : WB_OK;
}

static void child_row_at(store_conn *c, store_stmt *st, int b, child_rec *ch)
{
	memset(ch, 0, sizeof(*ch));
	ch->id = stmt_int64(c, st, b);
	stmt_copy(c, st, b + 1, ch->county_code, sizeof(ch->county_code));
	stmt_copy(c, st, b + 2, ch->name, sizeof(ch->name));
	stmt_copy(c, st, b + 3, ch->id_enc, sizeof(ch->id_enc));
	stmt_copy(c, st, b + 4, ch->id_bidx, sizeof(ch->id_bidx));
	stmt_copy(c, st, b + 5, ch->id_mask, sizeof(ch->id_mask));
	stmt_copy(c, st, b + 6, ch->sex, sizeof(ch->sex));
	stmt_copy(c, st, b + 7, ch->birth_date, sizeof(ch->birth_date));
	stmt_copy(c, st, b + 8, ch->village_code, sizeof(ch->village_code));
	stmt_copy(c, st, b + 9, ch->grid_code, sizeof(ch->grid_code));
	ch->school_id = stmt_int64(c, st, b + 10);
	ch->version = stmt_int64(c, st, b + 11);
	ch->created_at = stmt_int64(c, st, b + 12);
	ch->created_by = stmt_int64(c, st, b + 13);
	ch->updated_at = stmt_int64(c, st, b + 14);
	ch->updated_by = stmt_int64(c, st, b + 15);
	stmt_copy(c, st, b + 16, ch->hukou_area_code, sizeof(ch->hukou_area_code));
	stmt_copy(c, st, b + 17, ch->hukou_type, sizeof(ch->hukou_type));
	stmt_copy(c, st, b + 18, ch->grade, sizeof(ch->grade));
	ch->disability_grade = (int)stmt_int64(c, st, b + 19);
	stmt_copy(c, st, b + 20, ch->disability_type, sizeof(ch->disability_type));
	stmt_copy(c, st, b + 21, ch->serious_illness, sizeof(ch->serious_illness));
	ch->family_poverty = (int)stmt_int64(c, st, b + 22);
	ch->adopted = (int)stmt_int64(c, st, b + 23);
	ch->director_id = stmt_int64(c, st, b + 24);
	stmt_copy(c, st, b + 25, ch->risk_level, sizeof(ch->risk_level));
	stmt_copy(c, st, b + 26, ch->notes, sizeof(ch->notes));
	ch->archived_at = stmt_int64(c, st, b + 27);
	stmt_copy(c, st, b + 28, ch->archive_reason, sizeof(ch->archive_reason));
	ch->erased_at = stmt_int64(c, st, b + 29);
	stmt_copy(c, st, b + 30, ch->archive_note, sizeof(ch->archive_note));
}

static void child_row(store_conn *c, store_stmt *st, child_rec *ch)
{
	child_row_at(c, st, 0, ch);
}

/* The facts columns shared by insert and update, in this order. */
static void facts_args(const child_rec *ch, store_args *a)
{
	args_opt_text(a, ch->hukou_area_code);
	args_opt_text(a, ch->hukou_type);
	args_opt_text(a, ch->grade);
	args_int(a, ch->disability_grade);
	args_opt_text(a, ch->disability_type);
	args_opt_text(a, ch->serious_illness);
	args_int(a, ch->family_poverty);
	args_int(a, ch->adopted);
	args_opt_int(a, ch->director_id);
	args_text(a, ch->risk_level[0] ? ch->risk_level : "low");
	args_opt_text(a, ch->notes);
}

/* The identity and place columns shared by insert and update, from name
 * to school_id, in this order. */
static void identity_args(const child_rec *ch, store_args *a)
{
	args_text(a, ch->name);
	args_opt_text(a, ch->id_enc);
	args_opt_text(a, ch->id_bidx);
	args_opt_text(a, ch->id_mask);
	args_opt_text(a, ch->sex);
	args_opt_text(a, ch->birth_date);
	args_text(a, ch->village_code);
	args_opt_text(a, ch->grid_code);
	args_opt_int(a, ch->school_id);
}

/* A new child's row: the columns, then the placeholders of one row after
 * its id (the 26 values of child_args, and version 1). The id, the record
 * number, comes from child_numbers (take_numbers), not from the table's
 * sequence: see migration 0029. */
#define CHILD_COLUMNS                                                                                            \
	"INSERT INTO children (id, county_code, name, id_enc, id_bidx, id_mask, sex, birth_date, village_code, " \
	"grid_code, school_id, created_at, created_by, updated_at, updated_by, hukou_area_code, hukou_type, "    \
	"grade, disability_grade, disability_type, serious_illness, family_poverty, adopted, director_id, "      \
	"risk_level, notes, name_key, version) "
#define CHILD_INSERT   CHILD_COLUMNS "VALUES "
#define CHILD_ROW_VALS "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1"
#define CHILD_ROW_REST CHILD_ROW_VALS ")"
#define CHILD_ROW      "(?, " CHILD_ROW_REST

/* A live child of this county, name, birth date and village (in this
 * order of placeholders): the one a registration without an ID number
 * would repeat. */
#define SAME_PERSON_SQL                                                                                       \
	"SELECT id FROM children WHERE county_code = ? AND name = ? AND birth_date = ? AND village_code = ? " \
	"AND archived_at IS NULL ORDER BY id LIMIT 1"
#define CHILD_ROW_ARGS 27 /* the id, then child_args */

/*
 * Takes the next n record numbers: *first is the first of them. In the
 * write's transaction, so that a rollback (a refused registration, the
 * writer's batch run again) gives them back: the numbers have no gaps. The
 * row's lock queues a concurrent writer until this transaction ends.
 */
static int take_numbers(store_conn *c, int n, int64_t *first)
{
	store_stmt *st = NULL;
	int rc = conn_query(c, &st, "UPDATE child_numbers SET last = last + ? WHERE id = 1 RETURNING last", "i",
			    (int64_t)n);

	if (rc == STORE_ROW) {
		*first = stmt_int64(c, st, 0) - n + 1;
		rc = WB_OK;
	} else if (rc >= 0) {
		rc = WB_ESTORE; /* no counter row: schema 0029 makes it */
	}
	stmt_reset(c, st);
	return rc;
}

/* The 26 values of a new child's row, in the order of the INSERTs below;
 * key (NAME_KEY_MAX) gets the name's sort key and must live until bound. */
static int child_args(const child_rec *ch, char *key, store_args *a)
{
	int rc = name_key(ch->name, key, NAME_KEY_MAX);

	args_text(a, ch->county_code);
	identity_args(ch, a);
	args_int(a, ch->created_at);
	args_int(a, ch->created_by);
	args_int(a, ch->updated_at);
	args_int(a, ch->updated_by);
	facts_args(ch, a);
	args_text(a, key);
	return rc;
}

int store_child_insert(store_conn *c, child_rec *ch)
{
	return store_children_insert_many(c, &ch, 1);
}

#define CHILD_CHUNK 1024 /* 27 placeholders a row */

int store_children_insert_many(store_conn *c, child_rec *const *ch, int n)
{
	return store_children_insert_rows(c, ch, n, NULL);
}

/*
 * One child and its name's index in one statement, for a driver whose
 * statements are round trips (PostgreSQL): the grams are inserted from the
 * child's row by a data-modifying WITH. The grams are padded to a power of
 * two with the last one repeated (ON CONFLICT DO NOTHING skips repeats), so
 * that a few statement texts serve every name. Returns WB_ENOTFOUND when the
 * name has no indexed gram (the caller inserts the plain way).
 */
static int insert_one_with_grams(store_conn *c, child_rec *ch, int64_t *same_id)
{
	char grams[GRAMS_MAX][12];
	int k = indexed_grams(ch->name, grams), slots, rc;
	store_args a = {0};
	store_stmt *st = NULL;
	char key[NAME_KEY_MAX];
	buf sql;

	if (k == 0)
		return WB_ENOTFOUND;
	slots = store_chunk_rows_up(k, GRAMS_INDEXED);
	buf_init(&sql, 4096);
	/* the number from child_numbers in the same statement (see
	 * take_numbers): no round trip of its own. With same_id, the look
	 * for the same person (store_child_same_person) is in it too: when
	 * d finds one, n takes no number and c inserts nothing. */
	if (same_id) {
		rc = buf_puts(&sql, "WITH d AS (" SAME_PERSON_SQL "), n AS (UPDATE child_numbers SET last = last + 1 "
				    "WHERE id = 1 AND NOT EXISTS (SELECT 1 FROM d) RETURNING last), "
				    "c AS (" CHILD_COLUMNS "SELECT n.last, " CHILD_ROW_VALS " FROM n ");
		args_text(&a, ch->county_code);
		args_text(&a, ch->name);
		args_opt_text(&a, ch->birth_date);
		args_text(&a, ch->village_code);
	} else {
		rc = buf_puts(&sql, "WITH n AS (UPDATE child_numbers SET last = last + 1 WHERE id = 1 RETURNING last), "
				    "c AS (" CHILD_INSERT "((SELECT last FROM n), " CHILD_ROW_REST " ");
	}
	if (rc == WB_OK)
		rc = buf_puts(&sql,
			      "RETURNING id, county_code), g AS (INSERT INTO child_name_grams (county_code, gram, "
			      "child_id) SELECT c.county_code, v.gram, c.id FROM c, (VALUES ");
	for (int i = 0; rc == WB_OK && i < slots; i++)
		rc = buf_puts(&sql, i ? ", (?)" : "(?::text)");
	if (rc == WB_OK)
		rc = buf_puts(&sql, same_id ? ") AS v (gram) ON CONFLICT DO NOTHING) SELECT id, 0 FROM c "
					      "UNION ALL SELECT 0, id FROM d"
					    : ") AS v (gram) ON CONFLICT DO NOTHING) SELECT id FROM c");
	if (rc == WB_OK)
		rc = conn_prepare(c, sql.data, &st);
	buf_cleanup(&sql);
	if (rc == WB_OK)
		rc = child_args(ch, key, &a);
	for (int i = 0; i < slots; i++)
		args_text(&a, grams[i < k ? i : k - 1]);
	if (rc == WB_OK)
		rc = stmt_bind_args_at(c, st, 1, &a);
	if (rc == WB_OK && (rc = stmt_step(c, st)) == STORE_ROW) {
		ch->id = stmt_int64(c, st, 0);
		ch->version = 1;
		rc = WB_OK;
		if (same_id && !ch->id) {
			*same_id = stmt_int64(c, st, 1);
			rc = WB_ECONFLICT;
		}
	} else if (rc >= 0) {
		rc = WB_ESTORE;
	}
	if (st)
		stmt_reset(c, st);
	return rc;
}

int store_child_insert_new_person(store_conn *c, child_rec *ch, int64_t *same_id)
{
	int rc;

	*same_id = 0;
	if (!c->drv->local_statements) {
		ch->id = 0;
		rc = insert_one_with_grams(c, ch, same_id);
		if (rc != WB_ENOTFOUND)
			return rc;
		*same_id = 0;
	}
	rc = store_child_same_person(c, ch->county_code, ch->name, ch->birth_date, ch->village_code, same_id);
	if (rc == WB_OK)
		return WB_ECONFLICT;
	if (rc != WB_ENOTFOUND)
		return rc;
	*same_id = 0;
	return store_child_insert(c, ch);
}

int store_children_insert_rows(store_conn *c, child_rec *const *ch, int n, store_grams *grams)
{
	char *keys; /* the sort keys of a chunk's names, NAME_KEY_MAX each */
	int rc = WB_OK;

	if (n == 1 && !grams && !c->drv->local_statements) {
		ch[0]->id = 0;
		rc = insert_one_with_grams(c, ch[0], NULL);
		if (rc != WB_ENOTFOUND)
			return rc;
		rc = WB_OK;
	}

	for (int i = 0; i < n; i++)
		ch[i]->id = 0;
	keys = malloc((size_t)store_chunk_rows(n, CHILD_CHUNK) * NAME_KEY_MAX);
	if (!keys && n)
		return WB_ENOMEM;
	for (int done = 0; rc == WB_OK && done < n;) {
		int k = store_chunk_rows(n - done, CHILD_CHUNK), got = 0;
		int64_t first = 0;
		store_stmt *st = NULL;

		rc = take_numbers(c, k, &first);
		if (rc == WB_OK)
			rc = conn_prepare_rows(c, CHILD_INSERT, CHILD_ROW, k, " RETURNING id", &st);
		for (int i = 0; rc == WB_OK && i < k; i++) {
			store_args a = {0};

			args_int(&a, first + i);
			rc = child_args(ch[done + i], keys + (size_t)i * NAME_KEY_MAX, &a);
			if (rc == WB_OK)
				rc = stmt_bind_args_at(c, st, CHILD_ROW_ARGS * i + 1, &a);
		}
		while (rc == WB_OK && (rc = stmt_step(c, st)) == STORE_ROW) {
			got++;
			rc = WB_OK;
		}
		if (st)
			stmt_reset(c, st);
		if (rc == STORE_DONE)
			rc = got == k ? WB_OK : WB_ESTORE;
		if (rc == WB_OK) {
			for (int i = 0; i < k; i++) {
				ch[done + i]->id = first + i;
				ch[done + i]->version = 1;
			}
		} else if (first && c->drv->failure_keeps_tx) {
			/* the failed INSERT is undone, the transaction goes on
			 * (SQLite): its numbers are given back, so that a caller
			 * that carries on leaves no gap */
			conn_query(c, NULL, "UPDATE child_numbers SET last = last - ? WHERE id = 1", "i", (int64_t)k);
		}
		done += k;
	}
	free(keys);
	if (rc == WB_OK && grams)
		return store_grams_collect(grams, (const child_rec *const *)ch, n);
	return rc == WB_OK ? write_grams_many(c, (const child_rec *const *)ch, n) : rc;
}

int store_child_get(store_conn *c, const store_scope *sc, int64_t id, child_rec *out)
{
	store_stmt *st = NULL;
	store_args a = {0};
	buf sql;
	int rc;

	buf_init(&sql, 4096);
	rc = buf_puts(&sql, "SELECT " CHILD_COLS " FROM children c WHERE c.id = ?");
	args_int(&a, id);
	if (rc == WB_OK)
		rc = scope_children_sql(sc, "c", &sql, &a);
	if (rc == WB_OK)
		rc = conn_prepare_args(c, sql.data, &a, &st);
	if (rc == WB_OK)
		rc = stmt_step(c, st);
	if (rc == STORE_ROW) {
		child_row(c, st, out);
		rc = WB_OK;
	} else if (rc == STORE_DONE) {
		rc = WB_ENOTFOUND;
	}
	stmt_reset(c, st);
	buf_cleanup(&sql);
	return rc;
}

#define GET_MANY_CHUNK 512 /* ids a query */

int store_children_get_many(store_conn *c, const char *county, const int64_t *ids, int n, child_rec *out, int *n_out)
{
	int rc = WB_OK;

	*n_out = 0;
	for (int done = 0; rc == WB_OK && done < n;) {
		int k = store_chunk_rows(n - done, GET_MANY_CHUNK);
		store_stmt *st = NULL;

		rc = conn_prepare_rows(c, "SELECT " CHILD_COLS " FROM children c WHERE c.county_code = ? AND c.id IN (",
				       "?", k, ")", &st);
		if (rc == WB_OK)
			rc = stmt_bind_text(c, st, 1, county);
		for (int i = 0; rc == WB_OK && i < k; i++)
			rc = stmt_bind_int64(c, st, i + 2, ids[done + i]);
		while (rc == WB_OK && (rc = stmt_step(c, st)) == STORE_ROW) {
			if (*n_out < n)
				child_row_at(c, st, 0, &out[(*n_out)++]);
			rc = WB_OK;
		}
		if (st)
			stmt_reset(c, st);
		rc = rc < 0 ? rc : WB_OK;
		done += k;
	}
	return rc;
}

/*
 * The FROM clause of a list or count. With a name query the name index
 * drives: the rows of child_name_grams for the query's first character (or
 * first two) come in child id order, so a page stops early and a count
 * touches only the candidates; LIKE in filter_sql checks the whole query.
 * CROSS JOIN keeps SQLite from starting at children instead.
 */
static int from_sql(const store_scope *sc, const child_filter *f, buf *sql, store_args *a, const char **id_col)
{
	size_t l1, glen;

	*id_col = "c.id";
	if (!f->name || !f->name[0] || !indexable(f->name))
		return buf_puts(sql, " FROM children c WHERE 1 = 1");
	l1 = utf8_len(f->name);
	glen = f->name[l1] && indexable(f->name + l1) ? l1 + utf8_len(f->name + l1) : l1;
	if (glen >= sizeof(a->scratch))
		return buf_puts(sql, " FROM children c WHERE 1 = 1");
	memcpy(a->scratch, f->name, glen);
	a->scratch[glen] = '\0';
	gram_fold(a->scratch);
	args_text(a, sc->county_code);
	args_text(a, a->scratch);
	*id_col = "g.child_id";
	return buf_puts(sql, " FROM child_name_grams g CROSS JOIN children c WHERE g.county_code = ? AND g.gram = ? "
			     "AND c.id = g.child_id");
}

static int filter_sql(const store_conn *c, const store_scope *sc, const child_filter *f, buf *sql, store_args *a)
{
	int rc = scope_children_sql(sc, "c", sql, a);

	if (rc == WB_OK)
		rc = area_filter_sql(f->area, "c", sql, a);
	if (rc == WB_OK)
		rc = name_filter_sql(c, f->name, "c", sql, a);
	if (rc == WB_OK && f->id_bidx) {
		rc = buf_puts(sql, " AND c.id_bidx = ?");
		args_text(a, f->id_bidx);
	}
	if (rc == WB_OK && f->school_id) {
		rc = buf_puts(sql, " AND c.school_id = ?");
		args_int(a, f->school_id);
	}
	if (rc == WB_OK && f->director_id) {
		rc = buf_puts(sql, " AND c.director_id = ?");
		args_int(a, f->director_id);
	}
	if (rc == WB_OK && f->risk_level) {
		rc = buf_puts(sql, " AND c.risk_level = ?");
		args_text(a, f->risk_level);
	}
	if (rc == WB_OK && f->born_after) {
		rc = buf_puts(sql, " AND c.birth_date > ?");
		args_text(a, f->born_after);
	}
	if (rc == WB_OK && f->born_on_or_before) {
		rc = buf_puts(sql, " AND c.birth_date <= ?");
		args_text(a, f->born_on_or_before);
	}
	if (rc == WB_OK && f->category) {
		/* the category's rows (a few thousand) drive; with statistics
		 * (store_analyze) the planner looks children up by id */
		rc = buf_printf(sql,
				" AND c.id IN (SELECT k.child_id FROM child_categories k WHERE k.county_code = ? AND "
				"k.category = ? AND k.state %s)",
				f->category_state ? "= ?" : "IN ('suggested', 'confirmed')");
		args_text(a, sc->county_code);
		args_text(a, f->category);
		if (f->category_state)
			args_text(a, f->category_state);
	}
	if (rc == WB_OK && f->guardian_status) {
		rc = buf_puts(sql, " AND EXISTS (SELECT 1 FROM guardians g WHERE g.child_id = c.id AND g.status = ?)");
		args_text(a, f->guardian_status);
	}
	return rc;
}

/*
 * A page is chosen first and its rows are read after: the inner SELECT
 * finds the ids of the page (filters, order, limit), the outer one reads
 * only those rows. The inner query needs only indexed columns for the usual
 * filters (county, area range, category, id), so PostgreSQL answers it with
 * an index-only scan instead of reading the heap row of every child of a
 * township to keep fifty (12,000 rows read for a page of a township: 15-30
 * ms). SQLite already defers the row read; for it the two forms cost alike.
 *
 * With total_out, the inner SELECT also counts the whole filtered set
 * (COUNT(*) OVER (), computed before ORDER BY and LIMIT): the first page and
 * its total from one pass over the set instead of two queries that each
 * find the same rows. A cursor narrows the set, so with one the total comes
 * from store_child_count as before; so does a name search's.
 */
int store_child_page(store_conn *c, const store_scope *sc, const child_filter *f, child_cb cb, void *arg,
		     int64_t *total_out)
{
	store_stmt *st = NULL;
	store_args a = {0};
	const char *id_col, *order;
	int narrowed = f->sort == CHILD_SORT_ID ? f->after_id > 0 : f->after_value != NULL;
	/* not for a name search: there the page stops early in the name index
	 * and the count is the cost; counting in the page query cost SQLite
	 * ~15 % more CPU per search */
	int with_total = total_out && !narrowed && !(f->name && f->name[0]);
	char *after_key = NULL;
	buf sql;
	int rc;

	if (total_out)
		*total_out = 0;
	switch (f->sort) {
	case CHILD_SORT_NAME: order = " ORDER BY c.name_key, c.id"; break;
	case CHILD_SORT_BIRTH: order = " ORDER BY COALESCE(c.birth_date, ''), c.id"; break;
	case CHILD_SORT_BIRTH_DESC: order = " ORDER BY COALESCE(c.birth_date, '') DESC, c.id"; break;
	default: order = " ORDER BY c.id"; break;
	}
	buf_init(&sql, 4096);
	rc = buf_puts(&sql, with_total ? "SELECT " CHILD_COLS
					 ", p.total FROM (SELECT c.id AS id, COUNT(*) OVER () AS total"
				       : "SELECT " CHILD_COLS " FROM (SELECT c.id AS id");
	if (rc == WB_OK)
		rc = from_sql(sc, f, &sql, &a, &id_col);
	if (f->sort == CHILD_SORT_ID) {
		if (rc == WB_OK)
			rc = buf_printf(&sql, " AND %s > ?", id_col);
		args_int(&a, f->after_id);
	} else if (f->after_value) {
		/* keyset paging on (value, id); birth dates may be missing (""); a
		 * name is compared by its sort key (the cursor keeps the name) */
		const char *col = f->sort == CHILD_SORT_NAME ? "c.name_key" : "COALESCE(c.birth_date, '')";
		const char *cmp = f->sort == CHILD_SORT_BIRTH_DESC ? "<" : ">";
		const char *v = f->after_value;

		if (f->sort == CHILD_SORT_NAME) {
			after_key = malloc(NAME_KEY_MAX);
			rc = after_key ? name_key(f->after_value, after_key, NAME_KEY_MAX) : WB_ENOMEM;
			v = after_key;
		}
		/* the key's bound on its own too: the index scan starts at the
		 * cursor (PostgreSQL read the county's keys from the first, 100,000
		 * index rows for a page at 王) */
		if (rc == WB_OK && f->sort == CHILD_SORT_NAME) {
			rc = buf_puts(&sql, " AND c.name_key >= ?");
			args_text(&a, v);
		}
		if (rc == WB_OK)
			rc = buf_printf(&sql, " AND (%s %s ? OR (%s = ? AND c.id > ?))", col, cmp, col);
		args_text(&a, v);
		args_text(&a, v);
		args_int(&a, f->after_id);
	}
	if (rc == WB_OK)
		rc = filter_sql(c, sc, f, &sql, &a);
	if (rc == WB_OK)
		rc = f->sort == CHILD_SORT_ID ? buf_printf(&sql, " ORDER BY %s", id_col) : buf_puts(&sql, order);
	if (rc == WB_OK)
		rc = buf_printf(&sql, " LIMIT ?) p CROSS JOIN children c WHERE c.id = p.id%s", order);
	args_int(&a, f->limit);
	/* A category has 30 to 2,000 children in the demo county, an area 1 to
	 * 150,000: planned once for any values (PostgreSQL's generic plan), the
	 * page always scanned the area's index entries (~2 ms for a township);
	 * planned for its values it starts from a small category (0.2 ms) */
	if (rc == WB_OK)
		rc = f->category ? conn_prepare_args_replan(c, sql.data, &a, &st)
				 : conn_prepare_args(c, sql.data, &a, &st);
	while (rc == WB_OK && (rc = stmt_step(c, st)) == STORE_ROW) {
		child_rec ch;

		child_row(c, st, &ch);
		if (with_total)
			*total_out = stmt_int64(c, st, CHILD_NCOLS);
		rc = cb(&ch, arg);
	}
	stmt_reset(c, st);
	buf_cleanup(&sql);
	free(after_key);
	if (rc >= 0 && total_out && !with_total)
		rc = store_child_count(c, sc, f, total_out);
	return rc < 0 ? rc : WB_OK;
}

int store_child_list(store_conn *c, const store_scope *sc, const child_filter *f, child_cb cb, void *arg)
{
	return store_child_page(c, sc, f, cb, arg, NULL);
}

int store_child_count(store_conn *c, const store_scope *sc, const child_filter *f, int64_t *out)
{
	store_stmt *st = NULL;
	store_args a = {0};
	const char *id_col;
	buf sql;
	int rc;

	*out = 0;
	buf_init(&sql, 4096);
	rc = buf_puts(&sql, "SELECT COUNT(*)");
	if (rc == WB_OK)
		rc = from_sql(sc, f, &sql, &a, &id_col);
	if (rc == WB_OK)
		rc = filter_sql(c, sc, f, &sql, &a);
	if (rc == WB_OK)
		rc = conn_query_args(c, &st, sql.data, &a);
	rc = stmt_result_int64(c, st, rc, WB_OK, out);
	buf_cleanup(&sql);
	return rc;
}

int store_child_update(store_conn *c, const store_scope *sc, child_rec *ch, int64_t expected_version)
{
	store_stmt *st = NULL;
	store_args a = {0};
	char old_name[sizeof(ch->name)], key[NAME_KEY_MAX];
	buf sql;
	int rc;

	rc = name_key(ch->name, key, sizeof(key));
	if (rc != WB_OK)
		return rc;
	/* the former name, whose index rows go if the name changes */
	rc = conn_query(c, &st, "SELECT name FROM children WHERE id = ?", "i", ch->id);
	if (rc != STORE_ROW)
		return rc < 0 ? rc : WB_ECONFLICT;
	stmt_copy(c, st, 0, old_name, sizeof(old_name));
	stmt_reset(c, st);
	st = NULL;
	buf_init(&sql, 4096);
	rc = buf_puts(&sql,
		      "UPDATE children SET name = ?, id_enc = ?, id_bidx = ?, id_mask = ?, sex = ?, birth_date = ?, "
		      "village_code = ?, grid_code = ?, school_id = ?, version = version + 1, updated_at = ?, "
		      "updated_by = ?, hukou_area_code = ?, hukou_type = ?, grade = ?, disability_grade = ?, "
		      "disability_type = ?, serious_illness = ?, family_poverty = ?, adopted = ?, director_id = ?, "
		      "risk_level = ?, notes = ?, name_key = ? "
		      "WHERE id = ? AND version = ? AND id IN (SELECT c.id FROM children c WHERE c.id = ?");
	identity_args(ch, &a);
	args_int(&a, ch->updated_at);
	args_int(&a, ch->updated_by);
	facts_args(ch, &a);
	args_text(&a, key);
	args_int(&a, ch->id);
	args_int(&a, expected_version);
	args_int(&a, ch->id);
	if (rc == WB_OK)
		rc = scope_children_sql(sc, "c", &sql, &a);
	if (rc == WB_OK)
		rc = buf_puts(&sql, ") RETURNING version");
	if (rc == WB_OK)
		rc = conn_query_args(c, &st, sql.data, &a);
	/* no row: the caller checked existence and scope first */
	rc = stmt_result_int64(c, st, rc, WB_ECONFLICT, &ch->version);
	buf_cleanup(&sql);
	if (rc != WB_OK || strcmp(old_name, ch->name) == 0)
		return rc;
	rc = delete_grams(c, ch->county_code, ch->id, old_name);
	return rc == WB_OK ? write_grams(c, ch) : rc;
}

int store_child_change_add_visit(store_conn *c, const char *county, int64_t child_id, int64_t at, int64_t user_id,
				 const char *field, const char *old_value, const char *new_value, int64_t visit_id)
{
	int rc = conn_query(c, NULL,
			    "INSERT INTO child_changes (county_code, child_id, at, user_id, field, old_value, "
			    "new_value, visit_id) VALUES (?, ?, ?, ?, ?, ?, ?, NULLIF(?, 0))",
			    "siiisssi", county, child_id, at, user_id, field, old_value, new_value, visit_id);

	return rc < 0 ? rc : WB_OK;
}

int store_child_change_add(store_conn *c, const char *county, int64_t child_id, int64_t at, int64_t user_id,
			   const char *field, const char *old_value, const char *new_value)
{
	return store_child_change_add_visit(c, county, child_id, at, user_id, field, old_value, new_value, 0);
}

int store_child_changes(store_conn *c, int64_t child_id, change_cb cb, void *arg)
{
	store_stmt *st = NULL;
	int rc = conn_prepare(c,
			      "SELECT h.at, h.user_id, h.field, h.old_value, h.new_value, COALESCE(u.display_name, '') "
			      "FROM child_changes h LEFT JOIN users u ON u.id = h.user_id WHERE h.child_id = ? "
			      "ORDER BY h.id LIMIT 1000",
			      &st);

	if (rc == WB_OK)
		rc = stmt_bind_int64(c, st, 1, child_id);
	while (rc == WB_OK && (rc = stmt_step(c, st)) == STORE_ROW)
		rc = cb(stmt_int64(c, st, 0), stmt_int64(c, st, 1), stmt_text(c, st, 5), stmt_text(c, st, 2),
			stmt_text(c, st, 3), stmt_text(c, st, 4), arg);
	stmt_reset(c, st);
	return rc < 0 ? rc : WB_OK;
}

int store_analyze(store_conn *c)
{
	return conn_exec(c, "ANALYZE");
}

#define ANALYZE_TABLES_MAX 128

/*
 * SQLite, every table but the audit log in full, the audit log from a
 * sample of each index (analysis_limit). ANALYZE takes the write lock, which
 * the writer then waits for: the registry's tables take a few tenths of a
 * second for a county (150,000 children), the audit log grows without end.
 * A sample must not be used for the others: every index starts with the
 * county, and from 1,000 entries SQLite took one county's children for
 * 1,001 rows; the centre's registry list and download, by id, then read and
 * sorted the county's whole index for every page (a download of 150,000
 * children: 33 s instead of 1 s).
 */
static int analyze_sqlite(store_conn *c)
{
	char names[ANALYZE_TABLES_MAX][64];
	store_stmt *st = NULL;
	int n = 0, rc;

	rc = conn_prepare(c,
			  "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND "
			  "name <> 'audit_log' ORDER BY name",
			  &st);
	while (rc == WB_OK && (rc = stmt_step(c, st)) == STORE_ROW) {
		const char *name = stmt_text(c, st, 0);

		rc = WB_OK;
		if (n < ANALYZE_TABLES_MAX && store_plain_name(name) && strlen(name) < sizeof(names[0]))
			wb_strlcpy(names[n++], name, sizeof(names[0]));
		else
			log_warn("store: table %s left out of the statistics", name ? name : "?");
	}
	if (st)
		stmt_reset(c, st);
	if (rc < 0)
		return rc;
	for (int i = 0; i < n; i++) {
		char sql[96];

		wb_snprintf(sql, sizeof(sql), "ANALYZE %s", names[i]);
		rc = conn_exec(c, sql);
		if (rc != WB_OK)
			return rc;
	}
	return conn_exec(c, "PRAGMA analysis_limit = 1000; ANALYZE audit_log; PRAGMA analysis_limit = 0");
}

int store_analyze_beside(store *s)
{
	store_conn *c = store_acquire(s);
	int rc;

	if (!c)
		return WB_ESTORE;
	rc = c->drv->local_statements ? analyze_sqlite(c) : conn_exec(c, "ANALYZE");
	store_release(c);
	return rc;
}

/*
 * PostgreSQL: VACUUM marks a page all-visible only if it may set the
 * "committed" hint bit of every row on it, and it may set that bit only once
 * the commit's WAL is flushed (its clog group's latest asynchronous commit,
 * which ANALYZE's commits move). With synchronous_commit = off (the test
 * cluster), the demo's VACUUM (ANALYZE) left the visibility map of children,
 * guardians and the name index empty; with the load committed synchronously
 * (store_load_commit_durable) and the VACUUM, which commits nothing, before
 * the ANALYZE, it is full. Either change alone was not enough.
 */
int store_after_load(store_conn *c)
{
	int rc = WB_OK;

	for (int i = 0; rc == WB_OK && i < 3 && c->drv->after_load_sql[i]; i++)
		rc = conn_exec(c, c->drv->after_load_sql[i]);
	return rc;
}

int store_load_commit_durable(store_conn *c)
{
	return c->drv->load_commit_sql ? conn_exec(c, c->drv->load_commit_sql) : WB_OK;
}

/* ", NULL" for each column of a child, a guardian, a category row: the
 * other kinds' columns in store_child_full's query. PostgreSQL resolves
 * the type of a UNION's column pair by pair, and two untyped NULLs become
 * text: the category columns, NULL in both of the first two branches, are
 * typed in the first (i = BIGINT, t = TEXT, in the order of CAT_COLS). */
static char nulls[3][CHILD_NCOLS * 6 + 1];
static char cat_typed[CAT_NCOLS * 26 + 1];
/* store_child_full's query before and after the scope's conditions, made
 * once (formatting them at every read cost a tenth of the read) */
static char *full_head, *full_tail;
static pthread_once_t nulls_once = PTHREAD_ONCE_INIT;

static void nulls_init(void)
{
	const int count[3] = {CHILD_NCOLS, GUARDIAN_NCOLS, CAT_NCOLS};
	const char *types = "iitttiiitttttii";
	size_t o = 0;

	for (int r = 0; r < 3; r++)
		for (int i = 0; i < count[r]; i++)
			memcpy(nulls[r] + 6 * i, ", NULL", 7);
	for (int i = 0; i < CAT_NCOLS; i++) {
		const char *t = types[i] == 'i' ? ", CAST(NULL AS BIGINT)" : ", CAST(NULL AS TEXT)";
		size_t n = strlen(t);

		memcpy(cat_typed + o, t, n + 1);
		o += n;
	}
	{
		buf h, t;

		buf_init(&h, 16384);
		buf_init(&t, 16384);
		if (buf_printf(&h, "SELECT 0, c.id, " CHILD_COLS "%s%s FROM children c WHERE c.id = ?", nulls[1],
			       cat_typed) == WB_OK &&
		    buf_printf(&t,
			       " UNION ALL SELECT 1, g.id%s, " GUARDIAN_COLS "%s FROM guardians g WHERE g.child_id = ?"
			       " UNION ALL SELECT 2, k.id%s%s, " CAT_COLS
			       " FROM child_categories k WHERE k.child_id = ?"
			       " ORDER BY 1, 2",
			       nulls[0], nulls[2], nulls[0], nulls[1]) == WB_OK) {
			full_head = buf_steal(&h);
			full_tail = buf_steal(&t);
		}
		buf_cleanup(&h);
		buf_cleanup(&t);
	}
}

/*
 * Where statements cost no round trip (store_driver.local_statements): the
 * child, then its guardians and its category rows, three short statements.
 * Elsewhere one query of three kinds of rows, told apart by the first column: the
 * child (0, with the scope's conditions), its guardians (1) and its
 * category rows (2), ordered by their ids (second column), each kind in its
 * own range of columns (NULL in the others). Guardians and categories of a child outside the scope may come
 * back; they are dropped with it.
 */
int store_child_full(store_conn *c, const store_scope *sc, int64_t id, child_rec *ch, guardian_rec *g, int *ng,
		     category_rec *k, int *nk)
{
	enum { GB = 2 + CHILD_NCOLS, KB = GB + GUARDIAN_NCOLS };
	store_stmt *st = NULL;
	store_args a = {0};
	int found = 0, rc;
	buf sql;

	*ng = *nk = 0;
	if (c->drv->local_statements) {
		rc = store_child_get(c, sc, id, ch);
		if (rc == WB_OK)
			rc = store_guardians_load(c, id, g, GUARDIANS_MAX, ng);
		if (rc == WB_OK)
			rc = store_categories_load(c, id, k, CATEGORY_ROWS_MAX, nk);
		if (rc != WB_OK)
			*ng = *nk = 0;
		return rc;
	}
	pthread_once(&nulls_once, nulls_init);
	if (!full_head || !full_tail)
		return WB_ENOMEM;
	buf_init(&sql, 16384);
	rc = buf_grow(&sql, strlen(full_head) + strlen(full_tail) + 256);
	if (rc == WB_OK)
		rc = buf_puts(&sql, full_head);
	args_int(&a, id);
	if (rc == WB_OK)
		rc = scope_children_sql(sc, "c", &sql, &a);
	if (rc == WB_OK)
		rc = buf_puts(&sql, full_tail);
	args_int(&a, id);
	args_int(&a, id);
	if (rc == WB_OK)
		rc = conn_prepare_args(c, sql.data, &a, &st);
	while (rc == WB_OK && (rc = stmt_step(c, st)) == STORE_ROW) {
		int kind = (int)stmt_int64(c, st, 0);

		rc = WB_OK;
		if (kind == 0) {
			child_row_at(c, st, 2, ch);
			found = 1;
		} else if (kind == 1 && *ng < GUARDIANS_MAX) {
			store_guardian_row(c, st, GB, &g[(*ng)++]);
		} else if (kind == 2 && *nk < CATEGORY_ROWS_MAX) {
			store_category_row(c, st, KB, &k[(*nk)++]);
		}
	}
	if (st)
		stmt_reset(c, st);
	buf_cleanup(&sql);
	if (rc < 0)
		return rc;
	if (!found) {
		*ng = *nk = 0;
		return WB_ENOTFOUND;
	}
	return WB_OK;
}

int store_child_same_person(store_conn *c, const char *county, const char *name, const char *birth_date,
			    const char *village_code, int64_t *id_out)
{
	store_stmt *st = NULL;
	int rc = conn_query(c, &st, SAME_PERSON_SQL, "ssss", county, name, birth_date, village_code);

	return stmt_result_int64(c, st, rc, WB_ENOTFOUND, id_out);
}
