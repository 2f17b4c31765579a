/*
 * Unit tests for src/security/access.h (membership -> store_scope) and for
 * the two places that apply a scope: scope_covers_place (the C check used
 * before a write) and scope_children_sql (the WHERE clause of every read),
 * both in src/store/q_children.c. The last test runs the SQL on a real
 * SQLite store and checks that it selects exactly the children the C check
 * covers, so the two can never drift apart.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/domain/area.h"
#include "../../src/security/access.h"
#include "../../src/store/model.h"
#include "../../src/util/wb.h"
#include "tu_store.h"

static membership_rec member(const char *role, const char *area, int64_t unit_id)
{
	membership_rec m;

	memset(&m, 0, sizeof(m));
	m.id = 1;
	m.user_id = 1;
	wb_strlcpy(m.county_code, "370831", sizeof(m.county_code));
	wb_strlcpy(m.role, role, sizeof(m.role));
	wb_strlcpy(m.area_code, area, sizeof(m.area_code));
	m.unit_id = unit_id;
	return m;
}

static const char *scope_name(enum scope_children s)
{
	switch (s) {
	case SCOPE_NONE: return "NONE";
	case SCOPE_COUNTY: return "COUNTY";
	case SCOPE_AREA: return "AREA";
	case SCOPE_GRID: return "GRID";
	case SCOPE_SCHOOL: return "SCHOOL";
	case SCOPE_REFERRAL: return "REFERRAL";
	}
	return "?";
}

static void test_scope_for_every_role(void **state)
{
	static const struct {
		const char *role, *area;
		int64_t unit;
		int rc;
		enum scope_children want;
		const char *lo, *hi, *grid;
	} cases[] = {
		{"center", "370831", 0, WB_OK, SCOPE_COUNTY, "", "", ""},
		{"supervisor", "370831101", 0, WB_OK, SCOPE_AREA, "370831101", "370831101:", ""},
		{"station", "370831101", 0, WB_OK, SCOPE_AREA, "370831101", "370831101:", ""},
		{"station", "370831001", 0, WB_OK, SCOPE_AREA, "370831001", "370831001:", ""},
		{"director", "370831101201", 0, WB_OK, SCOPE_AREA, "370831101201", "370831101201:", ""},
		{"grid", "370831101201001", 0, WB_OK, SCOPE_GRID, "", "", "370831101201001"},
		{"school", "", 7, WB_OK, SCOPE_SCHOOL, "", "", ""},
		{"school", "370831101", 7, WB_OK, SCOPE_SCHOOL, "", "", ""},
		/* departments and organisations: only children of their active referrals */
		{"department", "", 3, WB_OK, SCOPE_REFERRAL, "", "", ""},
		{"org", "", 4, WB_OK, SCOPE_REFERRAL, "", "", ""},
		{"department", "370831", 3, WB_OK, SCOPE_REFERRAL, "", "", ""}, /* an area gives a unit role nothing */
		{"admin", "370831", 0, WB_OK, SCOPE_NONE, "", "", ""},
		{"auditor", "370831", 0, WB_OK, SCOPE_NONE, "", "", ""},
		{"committee", "370831", 0, WB_OK, SCOPE_NONE, "", "", ""},
		/* memberships that do not fit their role */
		{"school", "", 0, WB_EINVAL, SCOPE_NONE, "", "", ""}, /* a school role without a school */
		{"director", "", 0, WB_EINVAL, SCOPE_NONE, "", "", ""},
		{"station", "", 0, WB_EINVAL, SCOPE_NONE, "", "", ""},
		{"center", "", 0, WB_EINVAL, SCOPE_NONE, "", "", ""},
		{"grid", "", 0, WB_EINVAL, SCOPE_NONE, "", "", ""},
		{"department", "", 0, WB_EINVAL, SCOPE_NONE, "", "", ""}, /* a unit role without a unit */
		{"director", "37083110120", 0, WB_EINVAL, SCOPE_NONE, "", "", ""},
		{"station", "37083110a", 0, WB_EINVAL, SCOPE_NONE, "", "", ""},
	};

	(void)state;
	for (size_t i = 0; i < WB_ARRAY_LEN(cases); i++) {
		membership_rec m = member(cases[i].role, cases[i].area, cases[i].unit);
		const role_def *def = role_find(cases[i].role);
		store_scope sc;
		int rc;

		assert_non_null(def);
		memset(&sc, 'Z', sizeof(sc));
		rc = sec_scope_for(&m, def, &sc);
		if (rc != cases[i].rc)
			fail_msg("case %zu %s@\"%s\": rc %s, want %s", i, cases[i].role, cases[i].area, wb_strerror(rc),
				 wb_strerror(cases[i].rc));
		if (sc.children != cases[i].want)
			fail_msg("case %zu %s@\"%s\": scope %s, want %s", i, cases[i].role, cases[i].area,
				 scope_name(sc.children), scope_name(cases[i].want));
		assert_string_equal(sc.county_code, "370831");
		assert_string_equal(sc.lo, cases[i].lo);
		assert_string_equal(sc.hi, cases[i].hi);
		assert_string_equal(sc.grid, cases[i].grid);
		assert_int_equal(sc.unit_id,
				 cases[i].want == SCOPE_SCHOOL || cases[i].want == SCOPE_REFERRAL ? cases[i].unit : 0);
	}
}

/*
 * access.h: "WB_EINVAL if the membership does not fit its role". A role
 * anchored at a township, village or grid must not get a wider scope (or
 * any scope) from a membership at another level. A bug once (fixed):
 * sec_scope_for only checked that the code was well formed, not that its
 * level matched def->anchor, so a director with a county code got
 * SCOPE_COUNTY. The CLI validates the level when it creates a membership,
 * but the function that is "the only place that decides which children a
 * caller can see" must not rely on that.
 */
static void test_scope_for_anchor_mismatch(void **state)
{
	static const struct {
		const char *role, *area;
	} cases[] = {
		{"director", "370831"},          /* village role at the county */
		{"director", "370831101"},       /* village role at a township */
		{"grid", "370831101201"},        /* grid role at a village */
		{"grid", "370831"},              /* grid role at the county */
		{"station", "370831"},           /* township role at the county */
		{"supervisor", "370831"},        /* township role at the county */
		{"station", "370831101201"},     /* township role at a village */
		{"center", "370831101"},         /* county role at a township */
		{"director", "370831101201001"}, /* village role at a grid */
	};
	int bad = 0;

	(void)state;
	for (size_t i = 0; i < WB_ARRAY_LEN(cases); i++) {
		membership_rec m = member(cases[i].role, cases[i].area, 0);
		store_scope sc;
		int rc = sec_scope_for(&m, role_find(cases[i].role), &sc);

		if (rc != WB_EINVAL || sc.children != SCOPE_NONE) {
			print_message("  %s at %s: rc %s, scope %s; want invalid, no children\n", cases[i].role,
				      cases[i].area, wb_strerror(rc), scope_name(sc.children));
			bad++;
		}
	}
	if (bad)
		fail_msg("%d membership(s) of the wrong level got a scope", bad);
}

static void test_principal_init(void **state)
{
	user_rec u;
	membership_rec m = member("director", "370831101201", 0);
	sec_principal p;

	(void)state;
	memset(&u, 0, sizeof(u));
	u.id = 42;
	u.must_change_password = 1;
	wb_strlcpy(u.username, "li.director", sizeof(u.username));
	wb_strlcpy(u.display_name, "Li", sizeof(u.display_name));
	m.id = 9;
	assert_int_equal(sec_principal_init(&p, &u, &m, 77), WB_OK);
	assert_int_equal(p.user_id, 42);
	assert_int_equal(p.membership_id, 9);
	assert_int_equal(p.session_id, 77);
	assert_int_equal(p.must_change_password, 1);
	assert_string_equal(p.username, "li.director");
	assert_string_equal(p.role, "director");
	assert_string_equal(p.area_code, "370831101201");
	assert_ptr_equal(p.def, role_find("director"));
	assert_int_equal(p.scope.children, SCOPE_AREA);
	assert_string_equal(p.scope.lo, "370831101201");

	m = member("wizard", "370831", 0);
	assert_int_equal(sec_principal_init(&p, &u, &m, 77), WB_EINVAL);
	assert_null(p.def);
}

static store_scope scope_of(const char *role, const char *area, int64_t unit)
{
	membership_rec m = member(role, area, unit);
	store_scope sc;

	assert_int_equal(sec_scope_for(&m, role_find(role), &sc), WB_OK);
	return sc;
}

static void test_covers_place(void **state)
{
	static const struct {
		const char *role, *area;
		int64_t unit;
		const char *village, *grid;
		int want;
	} cases[] = {
		{"center", "370831", 0, "370831101201", NULL, 1},
		{"center", "370831", 0, "370831999999", "370831999999001", 1},
		{"center", "370831", 0, "370832101201", NULL, 0}, /* other county */
		{"center", "370831", 0, "370830101201", NULL, 0},
		{"station", "370831101", 0, "370831101201", NULL, 1},
		{"station", "370831101", 0, "370831101000", NULL, 1},
		{"station", "370831101", 0, "370831101999", "370831101999001", 1},
		{"station", "370831101", 0, "370831102201", NULL, 0}, /* next township */
		{"station", "370831101", 0, "370831100999", NULL, 0}, /* previous township */
		{"station", "370831101", 0, "370831110201", NULL, 0}, /* 37083110 prefix shared, 110 != 101 */
		{"station", "370831101", 0, "370831011201", NULL, 0},
		{"station", "370831101", 0, "370831", NULL, 0},
		{"station", "370831110", 0, "370831101201", NULL, 0}, /* and the other way round */
		{"station", "370831110", 0, "370831110201", NULL, 1},
		{"station", "370831102", 0, "370831101201", NULL, 0}, /* village of another township */
		{"station", "370831010", 0, "370831101201", NULL, 0},
		{"station", "370831010", 0, "370831010201", NULL, 1},
		{"director", "370831101201", 0, "370831101201", NULL, 1},
		{"director", "370831101201", 0, "370831101201", "370831101201003", 1},
		{"director", "370831101201", 0, "370831101202", NULL, 0},
		{"director", "370831101201", 0, "370831101200", NULL, 0},
		{"director", "370831101201", 0, "370831101210", NULL, 0},
		{"director", "370831101201", 0, "370831102201", NULL, 0},
		{"grid", "370831101201001", 0, "370831101201", "370831101201001", 1},
		{"grid", "370831101201001", 0, "370831101201", "370831101201002", 0},
		{"grid", "370831101201001", 0, "370831101201", NULL, 0}, /* no grid: not the grid's */
		{"grid", "370831101201001", 0, "370831101201", "", 0},
		{"school", "", 5, "370831101201", NULL, 0}, /* schools see pupils, not places */
		{"admin", "370831", 0, "370831101201", NULL, 0},
		{"auditor", "370831", 0, "370831101201", NULL, 0},
		{"committee", "370831", 0, "370831101201", NULL, 0},
		{"department", "", 3, "370831101201", NULL, 0},
	};

	(void)state;
	for (size_t i = 0; i < WB_ARRAY_LEN(cases); i++) {
		store_scope sc = scope_of(cases[i].role, cases[i].area, cases[i].unit);
		int got = scope_covers_place(&sc, cases[i].village, cases[i].grid);

		if (got != cases[i].want)
			fail_msg("case %zu: %s@%s covers %s/%s = %d, want %d", i, cases[i].role, cases[i].area,
				 cases[i].village, cases[i].grid ? cases[i].grid : "NULL", got, cases[i].want);
	}
}

/* Every township x every village of every township: a township scope
 * covers exactly its own villages, a village scope exactly itself. */
static void test_covers_place_exhaustive(void **state)
{
	static const char *const towns[] = {"001", "010", "099", "100", "101", "110", "111", "199", "200", "399"};
	static const char *const vills[] = {"000", "001", "010", "099", "100", "101", "110", "199", "201", "999"};

	(void)state;
	for (size_t t = 0; t < WB_ARRAY_LEN(towns); t++) {
		char town[10], vill_scope[13];
		store_scope ts, vs;

		wb_snprintf(town, sizeof(town), "370831%s", towns[t]);
		wb_snprintf(vill_scope, sizeof(vill_scope), "%s201", town);
		ts = scope_of("station", town, 0);
		vs = scope_of("director", vill_scope, 0);
		for (size_t u = 0; u < WB_ARRAY_LEN(towns); u++)
			for (size_t v = 0; v < WB_ARRAY_LEN(vills); v++) {
				char village[13];

				wb_snprintf(village, sizeof(village), "370831%s%s", towns[u], vills[v]);
				if (scope_covers_place(&ts, village, NULL) != area_within(village, town))
					fail_msg("township %s vs village %s", town, village);
				if (scope_covers_place(&vs, village, NULL) != (strcmp(village, vill_scope) == 0))
					fail_msg("village %s vs village %s", vill_scope, village);
			}
	}
}

static void test_children_sql(void **state)
{
	static const struct {
		const char *role, *area;
		int64_t unit;
		const char *sql, *args;
	} cases[] = {
		{"center", "370831", 0, " AND x.county_code = ?", "s370831"},
		{"station", "370831101", 0, " AND x.county_code = ? AND x.village_code >= ? AND x.village_code < ?",
		 "s370831|s370831101|s370831101:"},
		{"grid", "370831101201001", 0, " AND x.county_code = ? AND x.grid_code = ?",
		 "s370831|s370831101201001"},
		{"school", "", 12, " AND x.county_code = ? AND x.school_id = ?", "s370831|i12"},
		{"admin", "370831", 0, " AND x.county_code = ? AND 1 = 0", "s370831"},
		{"department", "", 3,
		 " AND x.county_code = ? AND x.id IN (SELECT f.child_id FROM referrals f WHERE f.unit_id = ? AND "
		 "f.child_id IS NOT NULL AND f.state IN ('pending', 'accepted'))",
		 "s370831|i3"},
	};

	(void)state;
	for (size_t i = 0; i < WB_ARRAY_LEN(cases); i++) {
		store_scope sc = scope_of(cases[i].role, cases[i].area, cases[i].unit);
		store_args a;
		buf sql, args;

		memset(&a, 0, sizeof(a));
		buf_init(&sql, 1024);
		buf_init(&args, 1024);
		assert_int_equal(scope_children_sql(&sc, "x", &sql, &a), WB_OK);
		for (int k = 0; k < a.n; k++) {
			if (k)
				buf_puts(&args, "|");
			if (a.type[k] == 'i')
				buf_printf(&args, "i%lld", (long long)a.i[k]);
			else
				buf_printf(&args, "s%s", a.s[k]);
		}
		/* the place's condition, then: not archived (SPEC §9) */
		{
			char want[1024];

			wb_snprintf(want, sizeof(want), "%s AND x.archived_at IS NULL", cases[i].sql);
			if (strcmp(sql.data, want) != 0 || strcmp(args.data, cases[i].args) != 0)
				fail_msg("case %zu %s: got \"%s\" [%s]", i, cases[i].role, sql.data, args.data);
		}
		/* asked for archived children too, or for a place alone: no such condition */
		buf_reset(&sql);
		memset(&a, 0, sizeof(a));
		sc.with_archived = 1;
		assert_int_equal(scope_children_sql(&sc, "x", &sql, &a), WB_OK);
		assert_string_equal(sql.data, cases[i].sql);
		buf_reset(&sql);
		memset(&a, 0, sizeof(a));
		sc.with_archived = 0;
		assert_int_equal(scope_place_sql(&sc, "x", &sql, &a), WB_OK);
		assert_string_equal(sql.data, cases[i].sql);
		buf_cleanup(&sql);
		buf_cleanup(&args);
	}
}

/* ---- the SQL and the C check agree on a real database ---- */

static const char *const sql_towns[] = {"370831011", "370831101", "370831102", "370831110"};
static const char *const sql_vills[] = {"001", "201", "999"};
static const char *const sql_grids[] = {"", "001", "002"};

typedef struct seen {
	int64_t ids[256];
	int n;
} seen;

static int collect(const child_rec *ch, void *arg)
{
	seen *s = arg;

	if (s->n < (int)WB_ARRAY_LEN(s->ids))
		s->ids[s->n++] = ch->id;
	return WB_OK;
}

static int has(const seen *s, int64_t id)
{
	for (int i = 0; i < s->n; i++)
		if (s->ids[i] == id)
			return 1;
	return 0;
}

static void add_area(store_conn *c, const char *code, const char *county)
{
	area_rec a;
	const char *kind;

	memset(&a, 0, sizeof(a));
	wb_strlcpy(a.code, code, sizeof(a.code));
	wb_strlcpy(a.county_code, county, sizeof(a.county_code));
	wb_strlcpy(a.level, area_level_of(code), sizeof(a.level));
	area_parent_of(code, a.parent_code, (int)sizeof(a.parent_code));
	kind = strlen(code) == 9 ? area_township_kind(code) : a.level;
	wb_strlcpy(a.kind, kind ? kind : "town", sizeof(a.kind));
	wb_strlcpy(a.name, code, sizeof(a.name));
	assert_int_equal(store_area_insert(c, &a, 1), WB_OK);
}

static void test_sql_matches_covers_place(void **state)
{
	tu_store t;
	store_conn *c;
	child_rec kids[64];
	int nkids = 0;
	int64_t schools[2];

	(void)state;
	assert_int_equal(tu_store_open(&t, 1), WB_OK);
	c = store_acquire(t.s);
	assert_int_equal(conn_begin_write(c), WB_OK);
	add_area(c, "370831", "370831");
	for (size_t i = 0; i < WB_ARRAY_LEN(schools); i++) {
		unit_rec u;

		memset(&u, 0, sizeof(u));
		wb_strlcpy(u.county_code, "370831", sizeof(u.county_code));
		wb_strlcpy(u.kind, "school", sizeof(u.kind));
		wb_snprintf(u.code, sizeof(u.code), "s%zu", i);
		wb_strlcpy(u.name, "school", sizeof(u.name));
		assert_int_equal(store_unit_insert(c, &u, 1, &schools[i]), WB_OK);
	}
	for (size_t t9 = 0; t9 < WB_ARRAY_LEN(sql_towns); t9++) {
		add_area(c, sql_towns[t9], "370831");
		for (size_t v = 0; v < WB_ARRAY_LEN(sql_vills); v++) {
			char vill[13];

			wb_snprintf(vill, sizeof(vill), "%s%s", sql_towns[t9], sql_vills[v]);
			add_area(c, vill, "370831");
			for (size_t g = 0; g < WB_ARRAY_LEN(sql_grids); g++) {
				child_rec *ch = &kids[nkids];

				memset(ch, 0, sizeof(*ch));
				if (sql_grids[g][0]) {
					wb_snprintf(ch->grid_code, sizeof(ch->grid_code), "%s%s", vill, sql_grids[g]);
					add_area(c, ch->grid_code, "370831");
				}
				wb_strlcpy(ch->county_code, "370831", sizeof(ch->county_code));
				wb_snprintf(ch->name, sizeof(ch->name), "child %d", nkids);
				wb_strlcpy(ch->village_code, vill, sizeof(ch->village_code));
				ch->school_id = nkids % 3 == 2 ? 0 : schools[nkids % 3];
				ch->created_at = ch->updated_at = 1;
				ch->created_by = ch->updated_by = 1;
				assert_int_equal(store_child_insert(c, ch), WB_OK);
				nkids++;
			}
		}
	}
	assert_int_equal(conn_commit(c), WB_OK);

	{
		store_scope scopes[64];
		int ns = 0;

		scopes[ns++] = scope_of("center", "370831", 0);
		scopes[ns++] = scope_of("admin", "370831", 0);
		scopes[ns++] = scope_of("school", "", schools[0]);
		scopes[ns++] = scope_of("school", "", schools[1]);
		for (size_t t9 = 0; t9 < WB_ARRAY_LEN(sql_towns); t9++)
			scopes[ns++] = scope_of("station", sql_towns[t9], 0);
		for (int k = 0; k < nkids; k++) {
			if (ns < (int)WB_ARRAY_LEN(scopes) && kids[k].grid_code[0] == '\0')
				scopes[ns++] = scope_of("director", kids[k].village_code, 0);
			if (ns < (int)WB_ARRAY_LEN(scopes) && kids[k].grid_code[0])
				scopes[ns++] = scope_of("grid", kids[k].grid_code, 0);
		}
		for (int s = 0; s < ns; s++) {
			child_filter f;
			seen got;
			int expected = 0;

			memset(&f, 0, sizeof(f));
			memset(&got, 0, sizeof(got));
			f.limit = 1000;
			assert_int_equal(store_child_list(c, &scopes[s], &f, collect, &got), WB_OK);
			for (int k = 0; k < nkids; k++) {
				int want = scopes[s].children == SCOPE_SCHOOL
						   ? kids[k].school_id == scopes[s].unit_id
						   : scope_covers_place(&scopes[s], kids[k].village_code,
									kids[k].grid_code);
				child_rec one;

				expected += want;
				if (has(&got, kids[k].id) != want)
					fail_msg("scope %d (%s %s%s): child in %s/%s listed %d, covered %d", s,
						 scope_name(scopes[s].children), scopes[s].lo, scopes[s].grid,
						 kids[k].village_code, kids[k].grid_code, has(&got, kids[k].id), want);
				assert_int_equal(store_child_get(c, &scopes[s], kids[k].id, &one),
						 want ? WB_OK : WB_ENOTFOUND);
			}
			assert_int_equal(got.n, expected);
		}
	}
	store_release(c);
	tu_store_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scope_for_every_role),     cmocka_unit_test(test_scope_for_anchor_mismatch),
		cmocka_unit_test(test_principal_init),           cmocka_unit_test(test_covers_place),
		cmocka_unit_test(test_covers_place_exhaustive),  cmocka_unit_test(test_children_sql),
		cmocka_unit_test(test_sql_matches_covers_place),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
