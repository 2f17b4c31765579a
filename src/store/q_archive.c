/* Archiving and retention; see q_archive.h. */
#include "q_archive.h"

#include <stdlib.h>
#include <string.h>

#include "../domain/namekey.h"
#include "q_followups.h"
#include "../util/wb.h"

#define ERASED_TEXT   "（已清除）"
#define ARCHIVED_TEXT "档案归档"

/* The child's categories of state `state` (and, when reason is given, of
 * that end reason), each "category" into names (at most max), read before
 * they are changed. */
static int categories_in(store_conn *c, int64_t id, const char *state, const char *reason, char names[][32], int max,
			 int *n)
{
	store_stmt *st = NULL;
	int rc = conn_query(c, &st,
			    "SELECT category FROM child_categories WHERE child_id = ? AND state = ? AND (? = '' OR "
			    "end_reason = ?) ORDER BY id",
			    "isss", id, state, reason ? reason : "", reason ? reason : "");

	*n = 0;
	while (rc == STORE_ROW && *n < max) {
		stmt_copy(c, st, 0, names[(*n)++], 32);
		rc = stmt_step(c, st);
	}
	if (st)
		stmt_reset(c, st);
	return rc < 0 ? rc : WB_OK;
}

/*
 * The child's confirmed categories end with the archiving (end reason
 * "archived", on the archive's day, not before a category began), each
 * with its line of history as a person's end has ("left_behind: confirmed"
 * -> "left_behind: ended archived"): an archived child holds no category
 * of active work, and a restore knows which ones the archive ended.
 */
static int categories_end(store_conn *c, const char *county, int64_t id, const char *day, int64_t at, int64_t by)
{
	char names[CATEGORY_ROWS_MAX][32], was[64], now[64];
	int n = 0, rc = categories_in(c, id, "confirmed", NULL, names, CATEGORY_ROWS_MAX, &n);

	if (rc == WB_OK && n > 0)
		rc = conn_query(c, NULL,
				"UPDATE child_categories SET state = 'ended', end_date = CASE WHEN start_date > ? "
				"THEN start_date ELSE ? END, end_reason = '" CATEGORY_END_ARCHIVED
				"', conflict = 0, updated_at = ? WHERE child_id = ? AND state = 'confirmed'",
				"ssii", day, day, at, id);
	for (int i = 0; rc >= 0 && i < n; i++) {
		wb_snprintf(was, sizeof(was), "%s: confirmed", names[i]);
		wb_snprintf(now, sizeof(now), "%s: ended " CATEGORY_END_ARCHIVED, names[i]);
		rc = store_child_change_add(c, county, id, at, by, "category", was, now);
	}
	return rc < 0 ? rc : WB_OK;
}

/* A restore gives back the categories the archive ended, and only those
 * ("left_behind: ended archived" -> "left_behind: confirmed"); whether
 * they still hold is then judged as for any child (registry.c). */
static int categories_reopen(store_conn *c, const char *county, int64_t id, int64_t at, int64_t by)
{
	char names[CATEGORY_ROWS_MAX][32], was[64], now[64];
	int n = 0, rc = categories_in(c, id, "ended", CATEGORY_END_ARCHIVED, names, CATEGORY_ROWS_MAX, &n);

	if (rc == WB_OK && n > 0)
		rc = conn_query(
			c, NULL,
			"UPDATE child_categories SET state = 'confirmed', end_date = NULL, end_reason = NULL, "
			"updated_at = ? WHERE child_id = ? AND state = 'ended' AND end_reason = '" CATEGORY_END_ARCHIVED
			"'",
			"ii", at, id);
	for (int i = 0; rc >= 0 && i < n; i++) {
		wb_snprintf(was, sizeof(was), "%s: ended " CATEGORY_END_ARCHIVED, names[i]);
		wb_snprintf(now, sizeof(now), "%s: confirmed", names[i]);
		rc = store_child_change_add(c, county, id, at, by, "category", was, now);
	}
	return rc < 0 ? rc : WB_OK;
}

int store_child_archive(store_conn *c, int64_t id, const char *reason, const char *note, const char *day, int64_t at,
			int64_t by)
{
	char month[8];

	store_stmt *st = NULL;
	store_args a = {0};
	int rc = conn_query(
		c, &st,
		"UPDATE children SET archived_at = ?, archive_reason = ?, archive_note = ?, version = version + "
		"1, updated_at = ?, updated_by = ? WHERE id = ? AND archived_at IS NULL RETURNING county_code",
		"issiii", at, reason, store_null_if_empty(note), at, by, id);
	char county[8] = "";

	wb_strlcpy(month, day, sizeof(month));
	if (rc == STORE_ROW) {
		stmt_copy(c, st, 0, county, sizeof(county));
		stmt_reset(c, st);
		rc = WB_OK;
	} else {
		return rc < 0 ? rc : WB_ECONFLICT;
	}
	rc = store_child_change_add(c, county, id, at, by, "archived", NULL, reason);
	if (rc == WB_OK && note && *note)
		rc = store_child_change_add(c, county, id, at, by, "archive_note", NULL, note);
	if (rc == WB_OK)
		rc = categories_end(c, county, id, day, at, by);
	/* benefits end with this month; one that has not started yet ends
	 * before its first month, so it pays nothing (as a receipt cancelled
	 * before it started); places in projects end */
	args_text(&a, month);
	args_int(&a, at);
	args_opt_int(&a, by);
	args_int(&a, id);
	if (rc == WB_OK)
		rc = conn_query_args(c, NULL,
				     "UPDATE benefit_receipts SET to_month = ?, end_reason = '"
				     "档案归档"
				     "', ended_at = ?, ended_by = ? WHERE child_id = ? AND "
				     "to_month IS NULL",
				     &a);
	if (rc >= 0) {
		memset(&a, 0, sizeof(a));
		args_int(&a, at);
		args_opt_int(&a, by);
		args_int(&a, id);
		rc = conn_query_args(c, NULL,
				     "UPDATE project_children SET removed_at = ?, removed_by = ?, removed_reason = '"
				     "档案归档"
				     "' WHERE child_id = ? AND removed_at IS NULL",
				     &a);
	}
	/* nobody is to visit an archived child: the open follow-up visits of
	 * its requests are cancelled (a restore does not bring them back) */
	if (rc >= 0)
		rc = store_follow_ups_cancel_open(c, 0, id, at, by, NULL);
	if (rc >= 0) {
		/* the caring mother's pairing ends with the archiving */
		memset(&a, 0, sizeof(a));
		args_text(&a, day);
		args_text(&a, day);
		args_opt_int(&a, by);
		args_int(&a, id);
		rc = conn_query_args(c, NULL,
				     "UPDATE caring_pairs SET ended_on = CASE WHEN started_on > ? THEN started_on "
				     "ELSE ? END, end_note = '"
				     "档案归档"
				     "', ended_by = ? WHERE child_id = ? AND ended_on IS NULL",
				     &a);
	}
	return rc < 0 ? rc : WB_OK;
}

int store_child_restore(store_conn *c, int64_t id, const char *note, int64_t at, int64_t by)
{
	store_stmt *st = NULL;
	char county[8] = "", reason[16] = "";
	int rc = conn_query(c, &st,
			    "SELECT county_code, archive_reason FROM children WHERE id = ? AND archived_at IS NOT NULL "
			    "AND erased_at IS NULL",
			    "i", id);

	if (rc != STORE_ROW)
		return rc < 0 ? rc : WB_ECONFLICT;
	stmt_copy(c, st, 0, county, sizeof(county));
	stmt_copy(c, st, 1, reason, sizeof(reason));
	stmt_reset(c, st);
	rc = conn_query(c, NULL,
			"UPDATE children SET archived_at = NULL, archive_reason = NULL, archive_note = NULL, version = "
			"version + 1, updated_at = ?, updated_by = ? WHERE id = ?",
			"iii", at, by, id);
	if (rc < 0)
		return rc;
	rc = store_child_change_add(c, county, id, at, by, "archived", reason, NULL);
	if (rc == WB_OK && note && *note)
		rc = store_child_change_add(c, county, id, at, by, "restore_note", NULL, note);
	if (rc == WB_OK)
		rc = categories_reopen(c, county, id, at, by);
	return rc;
}

int store_child_erase(store_conn *c, int64_t id, int64_t at)
{
	static const char *const more[] = {
		/* the guardians are people of their own: who they were to the
		 * child and what became of them (imprisoned, ill, away) go with
		 * their names; the categories derived from them stay */
		"DELETE FROM guardians WHERE child_id = ?",
		"DELETE FROM child_name_grams WHERE child_id = ?",
		"UPDATE visits SET findings = '" ERASED_TEXT "' WHERE child_id = ?",
		"UPDATE child_changes SET old_value = NULL, new_value = NULL WHERE child_id = ?",
		"UPDATE counselling_sessions SET notes_enc = NULL WHERE child_id = ?",
		"UPDATE follow_ups SET note = '' WHERE child_id = ?",
		"DELETE FROM request_attachments WHERE request_id IN (SELECT id FROM help_requests WHERE child_id = ?)",
		"UPDATE help_requests SET narrative = '" ERASED_TEXT "', child_desc = NULL, result = NULL, feedback = "
		"NULL, police_feedback = NULL, withdraw_reason = NULL WHERE child_id = ?",
		/* what the departments were asked and answered, and the notes
		 * of the steps, speak of the child as the request does */
		"UPDATE referrals SET ask = '" ERASED_TEXT "', result = NULL, decline_reason = NULL "
		"WHERE request_id IN (SELECT id FROM help_requests WHERE child_id = ?)",
		"UPDATE request_steps SET note = NULL WHERE request_id IN "
		"(SELECT id FROM help_requests WHERE child_id = ?)",
		/* why a suggestion was rejected, the reference of the evidence */
		"UPDATE child_categories SET evidence_ref = NULL WHERE child_id = ?",
		"UPDATE visits SET void_reason = '" ERASED_TEXT "' WHERE child_id = ? AND void_reason IS NOT NULL",
		"UPDATE counselling_sessions SET void_reason = '" ERASED_TEXT
		"' WHERE child_id = ? AND void_reason IS NOT NULL",
		/* a person's words; the archive's own reason (档案归档) stays */
		"UPDATE caring_pairs SET end_note = '" ERASED_TEXT
		"' WHERE child_id = ? AND end_note <> '' AND end_note <> '" ARCHIVED_TEXT "'",
		"UPDATE project_children SET services = '', removed_reason = CASE WHEN removed_reason = '" ARCHIVED_TEXT
		"' THEN removed_reason WHEN removed_reason IS NULL THEN NULL ELSE '" ERASED_TEXT
		"' END WHERE child_id = ?",
		"UPDATE benefit_receipts SET end_reason = '" ERASED_TEXT
		"' WHERE child_id = ? AND end_reason IS NOT NULL AND end_reason <> '" ARCHIVED_TEXT "'",
		"UPDATE entitlement_gap_checks SET note = '' WHERE child_id = ?",
	};
	char key[NAME_KEY_MAX];
	int rc = name_key(ERASED_TEXT, key, sizeof(key));

	if (rc != WB_OK)
		return rc;
	/* what could single the child out goes (with the name and number: its
	 * sex, school, grid, household type, disability and family facts);
	 * what the figures are counted by stays: its village, risk level and
	 * director, its categories with their reasons and dates, the archive's
	 * reason and time, the counts of its visits and requests */
	rc = conn_query(c, NULL,
			"UPDATE children SET name = '" ERASED_TEXT
			"', name_key = ?, id_enc = NULL, id_bidx = NULL, id_mask = NULL, "
			"birth_date = NULL, notes = NULL, serious_illness = NULL, disability_type = NULL, "
			"hukou_area_code = NULL, grade = NULL, archive_note = NULL, sex = NULL, school_id = NULL, "
			"grid_code = NULL, hukou_type = NULL, disability_grade = 0, family_poverty = 0, adopted = 0, "
			"erased_at = ?, version = version + 1 WHERE id = ?",
			"sii", key, at, id);

	for (size_t i = 0; rc >= 0 && i < WB_ARRAY_LEN(more); i++)
		rc = conn_query(c, NULL, more[i], "i", id);
	return rc < 0 ? rc : WB_OK;
}

/* The ids (column 0) of sql's rows with a's values, into a new array. */
static int ids_of(store_conn *c, const char *sql, const store_args *a, int64_t **out, size_t *n)
{
	store_stmt *st = NULL;
	size_t cap = 0;
	int rc = conn_query_args(c, &st, sql, a);

	*out = NULL;
	*n = 0;
	while (rc == STORE_ROW) {
		if ((rc = wb_grow(out, *n, &cap, sizeof(**out), 256, SIZE_MAX)) != WB_OK)
			break;
		(*out)[(*n)++] = stmt_int64(c, st, 0);
		rc = stmt_step(c, st);
	}
	if (st)
		stmt_reset(c, st);
	return rc < 0 ? rc : WB_OK;
}

int store_children_archived(store_conn *c, const store_scope *sc, const archived_filter *f, int64_t after_id, int limit,
			    int (*cb)(const child_rec *ch, void *arg), void *arg)
{
	store_scope all = *sc;
	store_args a = {0};
	child_rec *ch = malloc(sizeof(*ch));
	int64_t *ids = NULL;
	size_t n = 0;
	buf sql;
	int rc = ch ? WB_OK : WB_ENOMEM;

	all.with_archived = 1;
	buf_init(&sql, 2048);
	if (rc == WB_OK)
		rc = buf_puts(&sql, "SELECT c.id FROM children c WHERE c.archived_at IS NOT NULL");
	if (rc == WB_OK)
		rc = scope_children_sql(&all, "c", &sql, &a);
	if (rc == WB_OK)
		rc = area_filter_sql(f->area, "c", &sql, &a);
	if (rc == WB_OK && f->reason) {
		rc = buf_puts(&sql, " AND c.archive_reason = ?");
		args_text(&a, f->reason);
	}
	if (rc == WB_OK && f->name && f->name[0]) {
		rc = buf_puts(&sql, " AND c.erased_at IS NULL"); /* an erased record has no name */
		if (rc == WB_OK)
			rc = name_filter_sql(c, f->name, "c", &sql, &a);
	}
	if (rc == WB_OK && after_id) {
		rc = buf_puts(&sql, " AND c.id < ?");
		args_int(&a, after_id);
	}
	if (rc == WB_OK)
		rc = buf_puts(&sql, " ORDER BY c.id DESC LIMIT ?");
	args_int(&a, limit);
	/* the ids first, then each child through the one reader of a child */
	if (rc == WB_OK)
		rc = ids_of(c, sql.data, &a, &ids, &n);
	for (size_t i = 0; rc == WB_OK && i < n; i++) {
		rc = store_child_get(c, &all, ids[i], ch);
		if (rc == WB_OK)
			rc = cb(ch, arg);
	}
	free(ids);
	buf_cleanup(&sql);
	free(ch);
	return rc < 0 ? rc : WB_OK;
}

int store_archive_sweep(store_conn *c, const char *county, const char *adult_before, int64_t erase_before,
			const char *day, int64_t at, int limit, int *archived, int *erased)
{
	store_args a = {0}, b = {0};
	int64_t *ids = NULL;
	size_t n = 0;
	int rc;

	*archived = *erased = 0;
	args_text(&a, county);
	args_text(&a, adult_before);
	args_int(&a, limit);
	rc = ids_of(
		c,
		"SELECT id FROM children WHERE county_code = ? AND archived_at IS NULL AND birth_date <= ? ORDER BY id "
		"LIMIT ?",
		&a, &ids, &n);
	for (size_t i = 0; rc == WB_OK && i < n; i++) {
		rc = store_child_archive(c, ids[i], "adult", NULL, day, at, 0);
		if (rc == WB_OK)
			(*archived)++;
	}
	free(ids);
	ids = NULL;
	if (rc)
		return rc;
	args_text(&b, county);
	args_int(&b, erase_before);
	args_int(&b, limit);
	rc = ids_of(c,
		    "SELECT id FROM children WHERE county_code = ? AND archived_at IS NOT NULL AND archived_at < ? AND "
		    "erased_at IS NULL ORDER BY id LIMIT ?",
		    &b, &ids, &n);
	for (size_t i = 0; rc == WB_OK && i < n; i++) {
		rc = store_child_erase(c, ids[i], at);
		if (rc == WB_OK)
			(*erased)++;
	}
	free(ids);
	return rc;
}

int store_attachment_hashes(store_conn *c, int (*cb)(const char *sha, void *arg), void *arg)
{
	store_stmt *st = NULL;
	char sha[65];
	int rc = conn_query(c, &st, "SELECT DISTINCT sha256 FROM request_attachments ORDER BY sha256", "", NULL);

	while (rc == STORE_ROW) {
		stmt_copy(c, st, 0, sha, sizeof(sha));
		rc = cb(sha, arg);
		if (rc != WB_OK)
			break;
		rc = stmt_step(c, st);
	}
	if (st)
		stmt_reset(c, st);
	return rc == STORE_DONE ? WB_OK : rc;
}
