/* Schools, counselling and caring mothers; see q_schools.h. */
#include "q_schools.h"

#include <stdlib.h>
#include <string.h>

#include "../util/buf.h"
#include "../util/wb.h"

/* ---- schools and their rooms ---- */

int store_schools(store_conn *c, const school_filter *f, school_cb cb, void *arg)
{
	store_stmt *st = NULL;
	store_args a = {0};
	school_row s;
	buf sql;
	int rc;

	buf_init(&sql, 8192);
	rc = buf_puts(&sql,
		      "SELECT u.id, u.code, u.name, COALESCE(u.area_code, ''), COALESCE(r.activity_station, 0), "
		      "COALESCE(r.counselling_room, 0), COALESCE(r.counsellors, 0), COALESCE(r.opened_on, ''), "
		      "COALESCE(r.updated_at, 0), (SELECT COUNT(*) FROM children c WHERE c.school_id = u.id AND "
		      "c.archived_at IS NULL), COALESCE(k.n, 0), COALESCE(k.individual, 0), COALESCE(k.attended, 0), "
		      "COALESCE(k.referred, 0), COALESCE(cp.n, 0) FROM units u LEFT JOIN "
		      "school_rooms r ON r.school_id = u.id LEFT JOIN (SELECT school_id, COUNT(*) AS n, SUM(CASE WHEN "
		      "mode = 'individual' THEN 1 ELSE 0 END) AS individual, SUM(pupils) AS attended, SUM(CASE WHEN "
		      "concern = 'refer' THEN 1 ELSE 0 END) AS referred FROM counselling_sessions WHERE county_code = "
		      "? AND held_on >= ? AND held_on <= ? AND voided_at IS NULL GROUP BY school_id) k ON k.school_id "
		      "= u.id LEFT JOIN "
		      "(SELECT c.school_id, COUNT(*) AS n FROM caring_pairs p JOIN children c ON c.id = p.child_id "
		      "WHERE p.county_code = ? AND p.ended_on IS NULL AND c.school_id IS NOT NULL GROUP BY "
		      "c.school_id) cp ON cp.school_id = u.id WHERE u.county_code = ? AND u.kind = 'school'");
	args_text(&a, f->county);
	args_text(&a, f->from);
	args_text(&a, f->to);
	args_text(&a, f->county);
	args_text(&a, f->county);
	if (rc == WB_OK && f->lo) {
		rc = buf_puts(&sql, " AND u.area_code >= ? AND u.area_code < ?");
		args_text(&a, f->lo);
		args_text(&a, f->hi);
	}
	if (rc == WB_OK && f->school_id) {
		rc = buf_puts(&sql, " AND u.id = ?");
		args_int(&a, f->school_id);
	}
	if (rc == WB_OK)
		rc = buf_puts(&sql, " ORDER BY u.code");
	if (rc == WB_OK)
		rc = conn_query_args(c, &st, sql.data, &a);
	while (rc == STORE_ROW) {
		memset(&s, 0, sizeof(s));
		s.id = stmt_int64(c, st, 0);
		stmt_copy(c, st, 1, s.code, sizeof(s.code));
		stmt_copy(c, st, 2, s.name, sizeof(s.name));
		stmt_copy(c, st, 3, s.area_code, sizeof(s.area_code));
		s.activity_station = (int)stmt_int64(c, st, 4);
		s.counselling_room = (int)stmt_int64(c, st, 5);
		s.counsellors = stmt_int64(c, st, 6);
		stmt_copy(c, st, 7, s.opened_on, sizeof(s.opened_on));
		s.rooms_updated_at = stmt_int64(c, st, 8);
		s.pupils = stmt_int64(c, st, 9);
		s.sessions = stmt_int64(c, st, 10);
		s.individual = stmt_int64(c, st, 11);
		s.attended = stmt_int64(c, st, 12);
		s.referred = stmt_int64(c, st, 13);
		s.paired = stmt_int64(c, st, 14);
		rc = cb(&s, arg);
		if (rc != WB_OK)
			break;
		rc = stmt_step(c, st);
	}
	if (st)
		stmt_reset(c, st);
	buf_cleanup(&sql);
	return rc == STORE_DONE ? WB_OK : rc;
}

int store_school_rooms_put(store_conn *c, const char *county, const school_row *s, int64_t at, int64_t by)
{
	int rc = conn_query(
		c, NULL,
		"INSERT INTO school_rooms (school_id, county_code, activity_station, counselling_room, "
		"counsellors, opened_on, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT "
		"(school_id) DO UPDATE SET activity_station = excluded.activity_station, counselling_room = "
		"excluded.counselling_room, counsellors = excluded.counsellors, opened_on = excluded.opened_on, "
		"updated_at = excluded.updated_at, updated_by = excluded.updated_by",
		"isiiisii", s->id, county, (int64_t)s->activity_station, (int64_t)s->counselling_room, s->counsellors,
		store_null_if_empty(s->opened_on), at, by);

	return rc < 0 ? rc : WB_OK;
}

/* ---- counselling sessions ---- */

int store_counselling_insert(store_conn *c, counselling_rec *s)
{
	store_stmt *st = NULL;
	store_args a = {0};
	int rc;

	args_text(&a, s->county_code);
	args_int(&a, s->school_id);
	args_opt_int(&a, s->child_id);
	args_text(&a, s->held_on);
	args_text(&a, s->mode);
	args_text(&a, s->topic);
	args_int(&a, s->pupils);
	args_text(&a, s->concern);
	args_opt_text(&a, s->notes_enc);
	args_int(&a, s->created_at);
	args_int(&a, s->created_by);
	rc = conn_query_args(
		c, &st,
		"INSERT INTO counselling_sessions (county_code, school_id, child_id, held_on, mode, topic, "
		"pupils, concern, notes_enc, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
		"?) RETURNING id",
		&a);
	return stmt_result_int64(c, st, rc, WB_ESTORE, &s->id);
}

int store_counselling_void(store_conn *c, int64_t school_id, int64_t id, int64_t at, int64_t by, const char *reason)
{
	store_stmt *st = NULL;
	int64_t voided = 0;
	int rc = conn_query(c, &st,
			    "SELECT COALESCE(voided_at, 0) FROM counselling_sessions WHERE id = ? AND school_id = ?",
			    "ii", id, school_id);

	rc = stmt_result_int64(c, st, rc, WB_ENOTFOUND, &voided);
	if (rc)
		return rc;
	if (voided)
		return WB_ECONFLICT;
	st = NULL;
	rc = conn_query(
		c, &st,
		"UPDATE counselling_sessions SET voided_at = ?, voided_by = ?, void_reason = ? WHERE id = ? AND "
		"voided_at IS NULL RETURNING id",
		"iisi", at, by, reason, id);
	return stmt_result_int64(c, st, rc, WB_ECONFLICT, &voided);
}

/* The WHERE clause of the filter on the sessions (alias k), for the list
 * and its totals alike. */
static int counselling_where(const counselling_filter *f, buf *sql, store_args *a)
{
	int rc = buf_puts(sql, " WHERE k.county_code = ?");

	args_text(a, f->county);
	if (rc == WB_OK && f->school_id) {
		rc = buf_puts(sql, " AND k.school_id = ?");
		args_int(a, f->school_id);
	}
	if (rc == WB_OK && f->child_id) {
		rc = buf_puts(sql, " AND k.child_id = ?");
		args_int(a, f->child_id);
	}
	if (rc == WB_OK && f->from) {
		rc = buf_puts(sql, " AND k.held_on >= ? AND k.held_on <= ?");
		args_text(a, f->from);
		args_text(a, f->to);
	}
	if (rc == WB_OK && f->concern) {
		rc = buf_puts(sql, " AND k.concern = ?");
		args_text(a, f->concern);
	}
	return rc;
}

int store_counselling(store_conn *c, const counselling_filter *f, const store_scope *sc, int limit, counselling_cb cb,
		      void *arg)
{
	store_stmt *st = NULL;
	store_args a = {0};
	counselling_rec *s = malloc(sizeof(*s));
	buf sql;
	int rc;

	if (!s)
		return WB_ENOMEM;
	buf_init(&sql, 8192);
	/* column 18: the pupil may be named to the caller (a group names
	 * nobody; sc NULL: the caller checked the child) */
	rc = buf_puts(&sql, "SELECT k.id, k.school_id, COALESCE(k.child_id, 0), k.pupils, k.created_at, k.created_by, "
			    "k.held_on, k.mode, k.topic, k.concern, COALESCE(k.notes_enc, ''), COALESCE(c.name, ''), "
			    "COALESCE(c.village_code, ''), COALESCE(s.name, ''), COALESCE(u.display_name, ''), "
			    "COALESCE(k.voided_at, 0), COALESCE(w.display_name, ''), COALESCE(k.void_reason, ''), ");
	if (rc == WB_OK)
		rc = scope_child_named_sql(sc, "c", "k.child_id IS NOT NULL", "1", &sql, &a);
	if (rc == WB_OK)
		rc = buf_puts(&sql,
			      " FROM counselling_sessions k LEFT JOIN children c ON c.id = k.child_id LEFT JOIN "
			      "units s ON s.id = k.school_id LEFT JOIN users u ON u.id = k.created_by LEFT JOIN users "
			      "w ON w.id = k.voided_by");
	if (rc == WB_OK)
		rc = counselling_where(f, &sql, &a);
	if (rc == WB_OK)
		rc = buf_puts(&sql, " ORDER BY k.held_on DESC, k.id DESC LIMIT ?");
	args_int(&a, limit);
	if (rc == WB_OK)
		rc = conn_query_args(c, &st, sql.data, &a);
	while (rc == STORE_ROW) {
		memset(s, 0, sizeof(*s));
		s->id = stmt_int64(c, st, 0);
		s->school_id = stmt_int64(c, st, 1);
		s->child_id = stmt_int64(c, st, 2);
		s->pupils = stmt_int64(c, st, 3);
		s->created_at = stmt_int64(c, st, 4);
		s->created_by = stmt_int64(c, st, 5);
		wb_strlcpy(s->county_code, f->county, sizeof(s->county_code));
		stmt_copy(c, st, 6, s->held_on, sizeof(s->held_on));
		stmt_copy(c, st, 7, s->mode, sizeof(s->mode));
		stmt_copy(c, st, 8, s->topic, sizeof(s->topic));
		stmt_copy(c, st, 9, s->concern, sizeof(s->concern));
		stmt_copy(c, st, 10, s->notes_enc, sizeof(s->notes_enc));
		stmt_copy(c, st, 11, s->child_name, sizeof(s->child_name));
		stmt_copy(c, st, 12, s->child_village, sizeof(s->child_village));
		stmt_copy(c, st, 13, s->school_name, sizeof(s->school_name));
		stmt_copy(c, st, 14, s->by_name, sizeof(s->by_name));
		s->voided_at = stmt_int64(c, st, 15);
		stmt_copy(c, st, 16, s->voider, sizeof(s->voider));
		stmt_copy(c, st, 17, s->void_reason, sizeof(s->void_reason));
		if (s->child_id && !stmt_int64(c, st, 18)) {
			s->child_id = 0; /* a pupil outside the caller's scope: not named */
			s->child_name[0] = s->child_village[0] = '\0';
			s->hidden = 1;
		}
		rc = cb(s, arg);
		if (rc != WB_OK)
			break;
		rc = stmt_step(c, st);
	}
	if (st)
		stmt_reset(c, st);
	buf_cleanup(&sql);
	free(s);
	return rc == STORE_DONE ? WB_OK : rc;
}

/* ---- caring mothers ---- */

int store_caring_mother_insert(store_conn *c, caring_mother_rec *m)
{
	store_stmt *st = NULL;
	store_args a = {0};
	int rc;

	args_text(&a, m->county_code);
	args_text(&a, m->area_code);
	args_opt_int(&a, m->school_id);
	args_text(&a, m->name);
	args_opt_text(&a, m->phone_enc);
	args_opt_text(&a, m->phone_mask);
	args_text(&a, m->joined_on);
	args_text(&a, m->notes);
	args_int(&a, m->created_at);
	args_int(&a, m->created_by);
	args_int(&a, m->updated_at);
	rc = conn_query_args(c, &st,
			     "INSERT INTO caring_mothers (county_code, area_code, school_id, name, phone_enc, "
			     "phone_mask, joined_on, active, notes, created_at, created_by, updated_at) VALUES (?, ?, "
			     "?, ?, ?, ?, ?, 1, ?, ?, ?, ?) RETURNING id",
			     &a);
	return stmt_result_int64(c, st, rc, WB_ESTORE, &m->id);
}

int store_caring_mother_update(store_conn *c, const caring_mother_rec *m)
{
	store_stmt *st = NULL;
	int64_t id;
	int rc;

	/* she leaves only once her pairings have ended: checked in the write's
	 * transaction, so that no pairing made meanwhile is left open */
	if (!m->active) {
		rc = conn_query(c, &st,
				"SELECT 1 FROM caring_mothers m WHERE m.id = ? AND m.active = 1 AND EXISTS (SELECT 1 "
				"FROM caring_pairs p WHERE p.mother_id = m.id AND p.ended_on IS NULL)",
				"i", m->id);
		if (rc == STORE_ROW) {
			stmt_reset(c, st);
			return WB_ECONFLICT;
		}
		if (rc < 0)
			return rc;
	}
	rc = conn_query(c, &st,
			"UPDATE caring_mothers SET name = ?, phone_enc = ?, phone_mask = ?, notes = ?, active = ?, "
			"updated_at = ? WHERE id = ? AND county_code = ? RETURNING id",
			"ssssiiis", m->name, store_null_if_empty(m->phone_enc), store_null_if_empty(m->phone_mask),
			m->notes, (int64_t)m->active, m->updated_at, m->id, m->county_code);

	return stmt_result_int64(c, st, rc, WB_ENOTFOUND, &id);
}

#define CM_COLS                                                                                               \
	"SELECT m.id, COALESCE(m.school_id, 0), m.created_at, m.created_by, m.updated_at, m.active, "         \
	"m.county_code, m.area_code, m.name, COALESCE(m.phone_enc, ''), COALESCE(m.phone_mask, ''), "         \
	"m.joined_on, m.notes, (SELECT COUNT(*) FROM caring_pairs p WHERE p.mother_id = m.id AND p.ended_on " \
	"IS NULL) FROM caring_mothers m"

static void mother_row(store_conn *c, store_stmt *st, caring_mother_rec *m)
{
	memset(m, 0, sizeof(*m));
	m->id = stmt_int64(c, st, 0);
	m->school_id = stmt_int64(c, st, 1);
	m->created_at = stmt_int64(c, st, 2);
	m->created_by = stmt_int64(c, st, 3);
	m->updated_at = stmt_int64(c, st, 4);
	m->active = (int)stmt_int64(c, st, 5);
	stmt_copy(c, st, 6, m->county_code, sizeof(m->county_code));
	stmt_copy(c, st, 7, m->area_code, sizeof(m->area_code));
	stmt_copy(c, st, 8, m->name, sizeof(m->name));
	stmt_copy(c, st, 9, m->phone_enc, sizeof(m->phone_enc));
	stmt_copy(c, st, 10, m->phone_mask, sizeof(m->phone_mask));
	stmt_copy(c, st, 11, m->joined_on, sizeof(m->joined_on));
	stmt_copy(c, st, 12, m->notes, sizeof(m->notes));
	m->open_pairs = stmt_int64(c, st, 13);
}

int store_caring_mother_get(store_conn *c, const char *county, int64_t id, caring_mother_rec *out)
{
	store_stmt *st = NULL;
	int rc = conn_query(c, &st, CM_COLS " WHERE m.id = ? AND m.county_code = ?", "is", id, county);

	if (rc != STORE_ROW)
		return rc == STORE_DONE ? WB_ENOTFOUND : rc;
	mother_row(c, st, out);
	stmt_reset(c, st);
	return WB_OK;
}

/* " WHERE ..." of the filter on caring_mothers m. */
static int mothers_where(const caring_filter *f, buf *sql, store_args *a)
{
	int rc = buf_puts(sql, " WHERE m.county_code = ?");

	args_text(a, f->county);
	if (rc == WB_OK && f->lo) {
		rc = buf_puts(sql, " AND m.area_code >= ? AND m.area_code < ?");
		args_text(a, f->lo);
		args_text(a, f->hi);
	}
	if (rc == WB_OK && f->school_id) {
		rc = buf_puts(sql, " AND m.school_id = ?");
		args_int(a, f->school_id);
	}
	if (rc == WB_OK && f->active_only)
		rc = buf_puts(sql, " AND m.active = 1");
	return rc;
}

int store_caring_totals(store_conn *c, const caring_filter *f, int64_t n[3])
{
	store_stmt *st = NULL;
	store_args a = {0};
	buf sql;
	int rc;

	memset(n, 0, 3 * sizeof(n[0]));
	buf_init(&sql, 4096);
	rc = buf_puts(&sql,
		      "SELECT COUNT(*), COALESCE(SUM(m.active), 0), COALESCE(SUM((SELECT COUNT(*) FROM "
		      "caring_pairs p WHERE p.mother_id = m.id AND p.ended_on IS NULL)), 0) FROM caring_mothers m");
	if (rc == WB_OK)
		rc = mothers_where(f, &sql, &a);
	if (rc == WB_OK)
		rc = conn_query_args(c, &st, sql.data, &a);
	if (rc == STORE_ROW) {
		for (int i = 0; i < 3; i++)
			n[i] = stmt_int64(c, st, i);
		stmt_reset(c, st);
		rc = WB_OK;
	}
	buf_cleanup(&sql);
	return rc == STORE_DONE ? WB_OK : rc;
}

int store_caring_mothers(store_conn *c, const caring_filter *f, int limit, caring_mother_cb cb, void *arg)
{
	store_stmt *st = NULL;
	store_args a = {0};
	caring_mother_rec *m = malloc(sizeof(*m));
	buf sql;
	int rc;

	if (!m)
		return WB_ENOMEM;
	buf_init(&sql, 8192);
	rc = buf_puts(&sql, CM_COLS);
	if (rc == WB_OK)
		rc = mothers_where(f, &sql, &a);
	if (rc == WB_OK)
		rc = buf_puts(&sql, " ORDER BY m.active DESC, m.area_code, m.id LIMIT ?");
	args_int(&a, limit);
	if (rc == WB_OK)
		rc = conn_query_args(c, &st, sql.data, &a);
	while (rc == STORE_ROW) {
		mother_row(c, st, m);
		rc = cb(m, arg);
		if (rc != WB_OK)
			break;
		rc = stmt_step(c, st);
	}
	if (st)
		stmt_reset(c, st);
	buf_cleanup(&sql);
	free(m);
	return rc == STORE_DONE ? WB_OK : rc;
}

int store_caring_pair_insert(store_conn *c, caring_pair_rec *p)
{
	store_stmt *st = NULL;
	int rc = conn_query(c, &st, "SELECT id FROM caring_pairs WHERE child_id = ? AND ended_on IS NULL", "i",
			    p->child_id);

	if (rc == STORE_ROW) {
		stmt_reset(c, st);
		return WB_ECONFLICT;
	}
	if (rc < 0)
		return rc;
	/* nor a mother who has left meanwhile */
	rc = conn_query(c, &st, "SELECT id FROM caring_mothers WHERE id = ? AND active = 1", "i", p->mother_id);
	if (rc == STORE_ROW)
		stmt_reset(c, st);
	else
		return rc == STORE_DONE ? WB_ENOTFOUND : rc;
	rc = conn_query(c, &st,
			"INSERT INTO caring_pairs (county_code, mother_id, child_id, started_on, created_at, "
			"created_by) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
			"siisii", p->county_code, p->mother_id, p->child_id, p->started_on, p->created_at,
			p->created_by);
	return stmt_result_int64(c, st, rc, WB_ESTORE, &p->id);
}

int store_caring_pair_end(store_conn *c, const char *county, int64_t id, const char *day, const char *note, int64_t by,
			  caring_pair_rec *out)
{
	store_stmt *st = NULL;
	int rc = conn_query(c, &st,
			    "UPDATE caring_pairs SET ended_on = ?, end_note = ?, ended_by = ? WHERE id = ? AND "
			    "county_code = ? AND ended_on IS NULL RETURNING mother_id, child_id, started_on",
			    "ssiis", day, note, by, id, county);

	if (rc != STORE_ROW)
		return rc == STORE_DONE ? WB_ENOTFOUND : rc;
	memset(out, 0, sizeof(*out));
	out->id = id;
	out->mother_id = stmt_int64(c, st, 0);
	out->child_id = stmt_int64(c, st, 1);
	stmt_copy(c, st, 2, out->started_on, sizeof(out->started_on));
	stmt_reset(c, st);
	wb_strlcpy(out->county_code, county, sizeof(out->county_code));
	wb_strlcpy(out->ended_on, day, sizeof(out->ended_on));
	wb_strlcpy(out->end_note, note, sizeof(out->end_note));
	return WB_OK;
}

/* The pairings of sc's county whose column `col` is v. With all, every
 * one (a mother's: her keeper ends them even when the child has moved out
 * of sc), the child's name and village only when the child is within sc
 * (child_hidden otherwise); without, only those whose child is within sc. */
static int pair_rows(store_conn *c, const store_scope *sc, const char *col, int64_t v, int all, caring_pair_cb cb,
		     void *arg)
{
	store_stmt *st = NULL;
	store_args a = {0};
	caring_pair_rec *p = malloc(sizeof(*p));
	buf sql;
	int rc;

	if (!p)
		return WB_ENOMEM;
	buf_init(&sql, 8192);
	rc = buf_puts(&sql, "SELECT p.id, p.mother_id, p.child_id, p.created_at, p.created_by, p.county_code, "
			    "p.started_on, COALESCE(p.ended_on, ''), p.end_note, c.name, c.village_code, m.name, "
			    "m.area_code, ");
	/* column 13: whether the child is within sc */
	if (rc == WB_OK)
		rc = scope_child_named_sql(all ? sc : NULL, "c", "1 = 1", "1", &sql, &a);
	if (rc == WB_OK)
		rc = buf_puts(&sql, " FROM caring_pairs p JOIN children c ON c.id = p.child_id JOIN caring_mothers m "
				    "ON m.id = p.mother_id WHERE p.county_code = ?");
	args_text(&a, sc->county_code);
	if (rc == WB_OK)
		rc = buf_printf(&sql, " AND %s = ?", col);
	args_int(&a, v);
	if (rc == WB_OK && !all)
		rc = scope_children_sql(sc, "c", &sql, &a);
	if (rc == WB_OK)
		rc = buf_puts(&sql, " ORDER BY p.ended_on IS NOT NULL, p.started_on DESC, p.id DESC LIMIT 200");
	if (rc == WB_OK)
		rc = conn_query_args(c, &st, sql.data, &a);
	while (rc == STORE_ROW) {
		memset(p, 0, sizeof(*p));
		p->id = stmt_int64(c, st, 0);
		p->mother_id = stmt_int64(c, st, 1);
		p->child_id = stmt_int64(c, st, 2);
		p->created_at = stmt_int64(c, st, 3);
		p->created_by = stmt_int64(c, st, 4);
		stmt_copy(c, st, 5, p->county_code, sizeof(p->county_code));
		stmt_copy(c, st, 6, p->started_on, sizeof(p->started_on));
		stmt_copy(c, st, 7, p->ended_on, sizeof(p->ended_on));
		stmt_copy(c, st, 8, p->end_note, sizeof(p->end_note));
		p->child_hidden = !stmt_int64(c, st, 13);
		if (!p->child_hidden) {
			stmt_copy(c, st, 9, p->child_name, sizeof(p->child_name));
			stmt_copy(c, st, 10, p->child_village, sizeof(p->child_village));
		}
		stmt_copy(c, st, 11, p->mother_name, sizeof(p->mother_name));
		stmt_copy(c, st, 12, p->mother_area, sizeof(p->mother_area));
		rc = cb(p, arg);
		if (rc != WB_OK)
			break;
		rc = stmt_step(c, st);
	}
	if (st)
		stmt_reset(c, st);
	buf_cleanup(&sql);
	free(p);
	return rc == STORE_DONE ? WB_OK : rc;
}

int store_caring_pairs(store_conn *c, const store_scope *sc, int64_t mother_id, int64_t child_id, caring_pair_cb cb,
		       void *arg)
{
	return mother_id ? pair_rows(c, sc, "p.mother_id", mother_id, 1, cb, arg)
			 : pair_rows(c, sc, "p.child_id", child_id, 0, cb, arg);
}

static int one_pair(const caring_pair_rec *p, void *arg)
{
	*(caring_pair_rec *)arg = *p;
	return WB_OK;
}

int store_caring_pair_get(store_conn *c, const store_scope *sc, int64_t id, caring_pair_rec *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = pair_rows(c, sc, "p.id", id, 1, one_pair, out);
	return rc == WB_OK && !out->id ? WB_ENOTFOUND : rc;
}

int store_counselling_totals(store_conn *c, const counselling_filter *f, int64_t out[4])
{
	store_stmt *st = NULL;
	store_args a = {0};
	buf sql;
	int rc;

	memset(out, 0, 4 * sizeof(*out));
	buf_init(&sql, 1024);
	rc = buf_puts(&sql, "SELECT COUNT(*), COALESCE(SUM(CASE WHEN k.mode = 'individual' THEN 1 ELSE 0 END), 0), "
			    "COALESCE(SUM(k.pupils), 0), COALESCE(SUM(CASE WHEN k.concern = 'refer' THEN 1 ELSE 0 "
			    "END), 0) FROM counselling_sessions k");
	if (rc == WB_OK)
		rc = counselling_where(f, &sql, &a);
	if (rc == WB_OK)
		rc = buf_puts(&sql, " AND k.voided_at IS NULL");
	if (rc == WB_OK)
		rc = conn_query_args(c, &st, sql.data, &a);
	if (rc == STORE_ROW) {
		for (int i = 0; i < 4; i++)
			out[i] = stmt_int64(c, st, i);
		rc = WB_OK;
	}
	if (st)
		stmt_reset(c, st);
	buf_cleanup(&sql);
	return rc < 0 ? rc : WB_OK;
}
