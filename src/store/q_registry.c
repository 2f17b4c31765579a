/*
 * Queries over guardians and the category rows of children. Callers have
 * already checked that the child is inside their scope (the review list,
 * which spans children, applies the scope itself).
 */
#include <string.h>

#include "../util/wb.h"
#include "model.h"

#define GUARDIAN_CHUNK 1024 /* 11 placeholders a row */

int store_guardians_insert_many(store_conn *c, const char *county, const int64_t *child_ids,
				const guardian_rec *const *g, const int *ng, int n, int64_t now)
{
	int rc = WB_OK, ci = 0, gi = 0; /* the next guardian to write: g[ci][gi] */
	int total = 0;

	for (int i = 0; i < n; i++)
		total += ng[i];
	while (rc == WB_OK && total > 0) {
		int k = store_chunk_rows(total, GUARDIAN_CHUNK);
		store_stmt *st = NULL;

		rc = conn_prepare_rows(c,
				       "INSERT INTO guardians (county_code, child_id, relation, name, phone_enc, "
				       "phone_mask, status, status_since, work_place, created_at, updated_at) VALUES ",
				       "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", k, NULL, &st);
		for (int r = 0; rc == WB_OK && r < k; r++) {
			const guardian_rec *one;
			store_args a = {0};

			while (gi >= ng[ci]) {
				ci++;
				gi = 0;
			}
			one = &g[ci][gi++];
			args_text(&a, county);
			args_int(&a, child_ids[ci]);
			args_text(&a, one->relation);
			args_text(&a, one->name);
			args_opt_text(&a, one->phone_enc);
			args_opt_text(&a, one->phone_mask);
			args_text(&a, one->status);
			args_opt_text(&a, one->status_since);
			args_opt_text(&a, one->work_place);
			args_int(&a, now);
			args_int(&a, now);
			rc = stmt_bind_args_at(c, st, 11 * r + 1, &a);
		}
		if (rc == WB_OK)
			rc = stmt_step(c, st);
		if (st)
			stmt_reset(c, st);
		rc = rc < 0 ? rc : WB_OK;
		total -= k;
	}
	return rc;
}

int store_guardians_insert(store_conn *c, const char *county, int64_t child_id, const guardian_rec *g, int n,
			   int64_t now)
{
	return n > 0 ? store_guardians_insert_many(c, county, &child_id, &g, &n, 1, now) : WB_OK;
}

int store_guardians_replace(store_conn *c, const char *county, int64_t child_id, const guardian_rec *g, int n,
			    int64_t now)
{
	int rc = conn_query(c, NULL, "DELETE FROM guardians WHERE child_id = ?", "i", child_id);

	return rc < 0 ? rc : store_guardians_insert(c, county, child_id, g, n, now);
}

void store_guardian_row(store_conn *c, store_stmt *st, int b, guardian_rec *g)
{
	memset(g, 0, sizeof(*g));
	g->id = stmt_int64(c, st, b);
	stmt_copy(c, st, b + 1, g->relation, sizeof(g->relation));
	stmt_copy(c, st, b + 2, g->name, sizeof(g->name));
	stmt_copy(c, st, b + 3, g->phone_enc, sizeof(g->phone_enc));
	stmt_copy(c, st, b + 4, g->phone_mask, sizeof(g->phone_mask));
	stmt_copy(c, st, b + 5, g->status, sizeof(g->status));
	stmt_copy(c, st, b + 6, g->status_since, sizeof(g->status_since));
	stmt_copy(c, st, b + 7, g->work_place, sizeof(g->work_place));
}

int store_guardians_load(store_conn *c, int64_t child_id, guardian_rec *out, int max, int *n_out)
{
	store_stmt *st = NULL;
	int rc = conn_prepare(c, "SELECT " GUARDIAN_COLS " FROM guardians g WHERE g.child_id = ? ORDER BY g.id", &st);

	*n_out = 0;
	if (rc == WB_OK)
		rc = stmt_bind_int64(c, st, 1, child_id);
	while (rc == WB_OK && *n_out < max && (rc = stmt_step(c, st)) == STORE_ROW) {
		store_guardian_row(c, st, 0, &out[(*n_out)++]);
		rc = WB_OK;
	}
	stmt_reset(c, st);
	return rc < 0 ? rc : WB_OK;
}

#define GUARDIANS_MANY_CHUNK 512 /* children a query */

int store_guardians_load_many(store_conn *c, const int64_t *child_ids, int n, int per_child, guardian_rec *out,
			      int64_t *child_out, int max, int *n_out)
{
	int rc = WB_OK;

	*n_out = 0;
	for (int done = 0; rc == WB_OK && done < n;) {
		int k = store_chunk_rows(n - done, GUARDIANS_MANY_CHUNK);
		int64_t last = 0;
		int run = 0; /* guardians kept of child last */
		store_stmt *st = NULL;

		rc = conn_prepare_rows(c, "SELECT g.child_id, " GUARDIAN_COLS " FROM guardians g WHERE g.child_id IN (",
				       "?", k, ") ORDER BY g.child_id, g.id", &st);
		for (int i = 0; rc == WB_OK && i < k; i++)
			rc = stmt_bind_int64(c, st, i + 1, child_ids[done + i]);
		while (rc == WB_OK && (rc = stmt_step(c, st)) == STORE_ROW) {
			int64_t child = stmt_int64(c, st, 0);

			rc = WB_OK;
			run = child == last ? run + 1 : 1;
			last = child;
			if (run > per_child)
				continue;
			if (*n_out >= max) {
				rc = WB_ENOMEM;
				break;
			}
			child_out[*n_out] = child;
			store_guardian_row(c, st, 1, &out[(*n_out)++]);
		}
		if (st)
			stmt_reset(c, st);
		rc = rc < 0 ? rc : WB_OK;
		done += k;
	}
	return rc;
}

void store_category_row(store_conn *c, store_stmt *st, int b, category_rec *k)
{
	memset(k, 0, sizeof(*k));
	k->id = stmt_int64(c, st, b);
	k->child_id = stmt_int64(c, st, b + 1);
	stmt_copy(c, st, b + 2, k->category, sizeof(k->category));
	stmt_copy(c, st, b + 3, k->state, sizeof(k->state));
	stmt_copy(c, st, b + 4, k->reason, sizeof(k->reason));
	k->suggested_at = stmt_int64(c, st, b + 5);
	k->confirmed_at = stmt_int64(c, st, b + 6);
	k->confirmed_by = stmt_int64(c, st, b + 7);
	stmt_copy(c, st, b + 8, k->evidence_type, sizeof(k->evidence_type));
	stmt_copy(c, st, b + 9, k->evidence_ref, sizeof(k->evidence_ref));
	stmt_copy(c, st, b + 10, k->start_date, sizeof(k->start_date));
	stmt_copy(c, st, b + 11, k->end_date, sizeof(k->end_date));
	stmt_copy(c, st, b + 12, k->end_reason, sizeof(k->end_reason));
	k->conflict = (int)stmt_int64(c, st, b + 13);
	k->updated_at = stmt_int64(c, st, b + 14);
}

int store_categories_load(store_conn *c, int64_t child_id, category_rec *out, int max, int *n_out)
{
	store_stmt *st = NULL;
	int rc = conn_prepare(c, "SELECT " CAT_COLS " FROM child_categories k WHERE k.child_id = ? ORDER BY k.id", &st);

	*n_out = 0;
	if (rc == WB_OK)
		rc = stmt_bind_int64(c, st, 1, child_id);
	while (rc == WB_OK && *n_out < max && (rc = stmt_step(c, st)) == STORE_ROW) {
		store_category_row(c, st, 0, &out[(*n_out)++]);
		rc = WB_OK;
	}
	stmt_reset(c, st);
	return rc < 0 ? rc : WB_OK;
}

int store_live_categories_range(store_conn *c, const char *county, int64_t after_id, int64_t last_id,
				live_category_cb cb, void *arg)
{
	store_stmt *st = NULL;
	int rc = conn_query(
		c, &st,
		"SELECT child_id, category, state FROM child_categories WHERE child_id > ? AND child_id <= ? "
		"AND county_code = ? AND state IN ('confirmed', 'suggested') ORDER BY child_id, id",
		"iis", after_id, last_id, county);

	while (rc == STORE_ROW) {
		rc = cb(stmt_int64(c, st, 0), stmt_text(c, st, 1), strcmp(stmt_text(c, st, 2), "suggested") == 0, arg);
		if (rc == WB_OK)
			rc = stmt_step(c, st);
	}
	stmt_reset(c, st);
	return rc < 0 ? rc : WB_OK;
}

int store_category_insert(store_conn *c, const char *county, category_rec *k)
{
	store_stmt *st = NULL;
	int rc = conn_query(c, &st,
			    "INSERT INTO child_categories (county_code, child_id, category, state, reason, "
			    "suggested_at, start_date, conflict, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?) "
			    "RETURNING id",
			    "sisssisi", county, k->child_id, k->category, k->state, k->reason, k->suggested_at,
			    store_null_if_empty(k->start_date), k->updated_at);

	return stmt_result_int64(c, st, rc, WB_ESTORE, &k->id);
}

int store_category_update(store_conn *c, const category_rec *k)
{
	store_args a = {0};
	int rc;

	args_text(&a, k->state);
	args_text(&a, k->reason);
	args_int(&a, k->confirmed_at);
	args_int(&a, k->confirmed_by);
	args_opt_text(&a, k->evidence_type);
	args_opt_text(&a, k->evidence_ref);
	args_opt_text(&a, k->start_date);
	args_opt_text(&a, k->end_date);
	args_opt_text(&a, k->end_reason);
	args_int(&a, k->conflict);
	args_int(&a, k->updated_at);
	args_int(&a, k->id);
	rc = conn_query_args(c, NULL,
			     "UPDATE child_categories SET state = ?, reason = ?, confirmed_at = ?, confirmed_by = ?, "
			     "evidence_type = ?, evidence_ref = ?, start_date = ?, end_date = ?, end_reason = ?, "
			     "conflict = ?, updated_at = ? WHERE id = ?",
			     &a);
	return rc < 0 ? rc : WB_OK;
}

int store_category_delete(store_conn *c, int64_t id)
{
	int rc = conn_query(c, NULL, "DELETE FROM child_categories WHERE id = ?", "i", id);

	return rc < 0 ? rc : WB_OK;
}

int store_category_review(store_conn *c, const store_scope *sc, int64_t after_id, int limit, category_cb cb, void *arg)
{
	store_stmt *st = NULL;
	store_args a = {0};
	buf sql;
	int rc;

	buf_init(&sql, 4096);
	rc = buf_puts(&sql, "SELECT " CAT_COLS ", c.name, c.village_code FROM child_categories k "
			    "JOIN children c ON c.id = k.child_id WHERE k.id > ? AND "
			    "(k.state = 'suggested' OR (k.state = 'confirmed' AND k.conflict = 1))");
	args_int(&a, after_id);
	if (rc == WB_OK)
		rc = scope_children_sql(sc, "c", &sql, &a);
	if (rc == WB_OK)
		rc = buf_puts(&sql, " ORDER BY k.id LIMIT ?");
	args_int(&a, limit);
	if (rc == WB_OK)
		rc = conn_prepare_args(c, sql.data, &a, &st);
	while (rc == WB_OK && (rc = stmt_step(c, st)) == STORE_ROW) {
		category_rec k;

		store_category_row(c, st, 0, &k);
		stmt_copy(c, st, 15, k.child_name, sizeof(k.child_name));
		stmt_copy(c, st, 16, k.village_code, sizeof(k.village_code));
		rc = cb(&k, arg);
	}
	stmt_reset(c, st);
	buf_cleanup(&sql);
	return rc < 0 ? rc : WB_OK;
}

int store_categories_confirmed(store_conn *c, const char *county, category_age_cb cb, void *arg)
{
	store_stmt *st = NULL;
	int rc = conn_prepare(c,
			      "SELECT " CAT_COLS ", COALESCE(c.birth_date, '') FROM child_categories k "
			      "JOIN children c ON c.id = k.child_id WHERE k.county_code = ? AND k.state IN "
			      "('confirmed', 'suggested') ORDER BY k.id",
			      &st);

	if (rc == WB_OK)
		rc = stmt_bind_text(c, st, 1, county);
	while (rc == WB_OK && (rc = stmt_step(c, st)) == STORE_ROW) {
		category_rec k;

		store_category_row(c, st, 0, &k);
		rc = cb(&k, stmt_text(c, st, 15), arg);
	}
	stmt_reset(c, st);
	return rc < 0 ? rc : WB_OK;
}
