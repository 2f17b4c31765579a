/*
 * The closed loop's rules (src/domain/case.c, src/domain/deadline.c) and
 * the overdue scan on a real store with a fake clock (src/api/loop_core.c):
 *
 *   - the transition table per role, the conditions (filer, local path,
 *     mandatory report, public security), 403 vs 409, the allowed lists;
 *   - the referral machine;
 *   - working days with weekends, a holiday calendar and make-up working
 *     days, urgent steps in hours, the overdue boundary, the parsers;
 *   - the scan: one alert per breach to the township's supervisor, none on
 *     a second run, one more after the repeat interval (clock_fake);
 *   - the referral grant (SCOPE_REFERRAL) selecting exactly the children of
 *     active referrals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/api/loop.h"
#include "../../src/domain/area.h"
#include "../../src/domain/case.h"
#include "../../src/domain/date.h"
#include "../../src/domain/deadline.h"
#include "../../src/security/access.h"
#include "../../src/util/clock.h"
#include "../../src/util/wb.h"
#include "tu_store.h"

/* ---- the state machine ---- */

enum {
	F = 1,
	L = 2,
	M = 4,
	P = 8,
	PD = 16,
	LK = 32,
	E = 64
}; /* ctx flags: filer, local, mandatory, police, police done, linked, elsewhere */

static case_ctx ctx_of(int flags)
{
	case_ctx c = {0};

	c.is_filer = !!(flags & F);
	c.local = !!(flags & L);
	c.mandatory = !!(flags & M);
	c.is_police = !!(flags & P);
	c.police_done = !!(flags & PD);
	c.linked = !!(flags & LK);
	c.elsewhere = !!(flags & E);
	return c;
}

/* A row of a transition table, for the case and the referral machines
 * alike: from a state, an action by a role in a context (ctx_of flags for
 * a case; for a referral, 1 when it is the role's own unit), the answer,
 * and the state it leads to (the NONE state when refused: a refusal
 * leaves the output alone). */
typedef struct step_row {
	int from, action;
	const char *role;
	int ctx, rc, to;
} step_row;

static void expect_case_step(size_t i, const step_row *r)
{
	case_ctx c = ctx_of(r->ctx);
	enum case_state to = CS_NONE;
	int rc = case_transition((enum case_state)r->from, (enum case_action)r->action, r->role, &c, &to);

	if (rc != r->rc || (int)to != r->to)
		fail_msg("case %zu: %s %s by %s: rc %s to %s, want %s to %s", i,
			 case_state_name((enum case_state)r->from), case_action_name((enum case_action)r->action),
			 r->role, wb_strerror(rc), case_state_name(to), wb_strerror(r->rc),
			 case_state_name((enum case_state)r->to));
}

static void expect_referral_step(size_t i, const step_row *r)
{
	enum referral_state to = RS_NONE;
	int rc = referral_transition((enum referral_state)r->from, (enum referral_action)r->action, r->role, r->ctx,
				     &to);

	if (rc != r->rc || (int)to != r->to)
		fail_msg("referral case %zu: %s %s by %s (own unit %d): rc %s to %s, want %s to %s", i,
			 referral_state_name((enum referral_state)r->from),
			 referral_action_name((enum referral_action)r->action), r->role, r->ctx, wb_strerror(rc),
			 referral_state_name(to), wb_strerror(r->rc), referral_state_name((enum referral_state)r->to));
}

static void test_transitions_per_role(void **state)
{
	static const step_row cases[] = {
		/* the story of SPEC §4, step by step, by the role whose step it is */
		{CS_REPORTED, CA_REVIEW, "station", L, WB_OK, CS_TOWNSHIP_REVIEW},
		{CS_TOWNSHIP_REVIEW, CA_FORWARD, "station", L, WB_OK, CS_FORWARDED},
		{CS_TOWNSHIP_REVIEW, CA_RESOLVE, "station", L, WB_OK, CS_RESOLVED_LOCALLY},
		{CS_FORWARDED, CA_ACCEPT, "center", 0, WB_OK, CS_ACCEPTED},
		{CS_ACCEPTED, CA_REFER, "center", 0, WB_OK, CS_REFERRED},
		{CS_REFERRED, CA_REFER, "center", 0, WB_OK, CS_REFERRED},
		{CS_REFERRALS_DONE, CA_REFER, "center", 0, WB_OK, CS_REFERRED},
		{CS_REFERRALS_DONE, CA_SEND_RESULT, "center", 0, WB_OK, CS_RESULT_SENT},
		{CS_RESULT_SENT, CA_DELIVER_FEEDBACK, "director", 0, WB_OK, CS_FEEDBACK_DELIVERED},
		{CS_RESOLVED_LOCALLY, CA_DELIVER_FEEDBACK, "director", L, WB_OK, CS_FEEDBACK_DELIVERED},
		{CS_FEEDBACK_DELIVERED, CA_CLOSE, "center", 0, WB_OK, CS_CLOSED},
		{CS_FEEDBACK_DELIVERED, CA_CLOSE, "station", L, WB_OK, CS_CLOSED},
		{CS_CLOSED, CA_REOPEN, "center", 0, WB_OK, CS_ACCEPTED},
		{CS_CLOSED, CA_REOPEN, "station", L, WB_OK, CS_TOWNSHIP_REVIEW},
		/* the centre takes over a request stuck in a township, or sends it back */
		{CS_REPORTED, CA_ACCEPT, "center", L, WB_OK, CS_ACCEPTED},
		{CS_TOWNSHIP_REVIEW, CA_ACCEPT, "center", L, WB_OK, CS_ACCEPTED},
		{CS_FORWARDED, CA_SEND_BACK, "center", 0, WB_OK, CS_TOWNSHIP_REVIEW},
		{CS_FORWARDED, CA_SEND_BACK, "center", M, WB_ECONFLICT, CS_NONE}, /* a mandatory report stays up */
		{CS_REFERRED, CA_WITHDRAW, "center", 0, WB_OK, CS_WITHDRAWN},
		{CS_REFERRED, CA_WITHDRAW, "center", M, WB_ECONFLICT, CS_NONE}, /* nor is it withdrawn */
		{CS_FORWARDED, CA_WITHDRAW, "center", M, WB_ECONFLICT, CS_NONE},
		/* a step out of turn: the role may take it, but not now */
		{CS_REPORTED, CA_FORWARD, "station", L, WB_ECONFLICT, CS_NONE},
		{CS_FORWARDED, CA_FORWARD, "station", 0, WB_ECONFLICT, CS_NONE},
		{CS_ACCEPTED, CA_SEND_RESULT, "center", 0, WB_ECONFLICT, CS_NONE},
		{CS_REFERRED, CA_SEND_RESULT, "center", 0, WB_ECONFLICT, CS_NONE},
		{CS_REFERRALS_DONE, CA_DELIVER_FEEDBACK, "director", 0, WB_ECONFLICT, CS_NONE},
		{CS_RESULT_SENT, CA_CLOSE, "center", 0, WB_ECONFLICT, CS_NONE}, /* only after the feedback */
		{CS_CLOSED, CA_CLOSE, "center", 0, WB_ECONFLICT, CS_NONE},
		{CS_FEEDBACK_DELIVERED, CA_CLOSE, "station", 0, WB_ECONFLICT, CS_NONE}, /* the centre's request */
		{CS_CLOSED, CA_REOPEN, "station", 0, WB_ECONFLICT, CS_NONE},
		/* a step the role may never take */
		{CS_REPORTED, CA_REVIEW, "director", 0, WB_EFORBIDDEN, CS_NONE},
		{CS_FORWARDED, CA_ACCEPT, "station", 0, WB_EFORBIDDEN, CS_NONE},
		{CS_ACCEPTED, CA_REFER, "committee", 0, WB_EFORBIDDEN, CS_NONE},
		{CS_RESULT_SENT, CA_DELIVER_FEEDBACK, "center", 0, WB_EFORBIDDEN, CS_NONE},
		{CS_RESULT_SENT, CA_DELIVER_FEEDBACK, "grid", 0, WB_EFORBIDDEN, CS_NONE},
		{CS_REFERRED, CA_REFER, "department", 0, WB_EFORBIDDEN, CS_NONE},
		{CS_FEEDBACK_DELIVERED, CA_CLOSE, "director", 0, WB_EFORBIDDEN, CS_NONE},
		{CS_ACCEPTED, CA_SET_PRIORITY, "station", 0, WB_EFORBIDDEN, CS_NONE},
		{CS_REPORTED, CA_REVIEW, "auditor", 0, WB_EFORBIDDEN, CS_NONE},
		/* withdrawing: the filer while reported, the station in its stages, the centre always */
		{CS_REPORTED, CA_WITHDRAW, "director", F, WB_OK, CS_WITHDRAWN},
		{CS_REPORTED, CA_WITHDRAW, "school", F, WB_OK, CS_WITHDRAWN},
		{CS_REPORTED, CA_WITHDRAW, "director", 0, WB_ECONFLICT, CS_NONE},
		{CS_TOWNSHIP_REVIEW, CA_WITHDRAW, "director", F, WB_ECONFLICT, CS_NONE},
		{CS_TOWNSHIP_REVIEW, CA_WITHDRAW, "station", 0, WB_OK, CS_WITHDRAWN},
		{CS_REFERRED, CA_WITHDRAW, "station", 0, WB_ECONFLICT, CS_NONE},
		{CS_REFERRED, CA_WITHDRAW, "center", 0, WB_OK, CS_WITHDRAWN},
		{CS_CLOSED, CA_WITHDRAW, "center", 0, WB_ECONFLICT, CS_NONE},
		{CS_WITHDRAWN, CA_WITHDRAW, "center", 0, WB_ECONFLICT, CS_NONE},
		/* steps that keep the state */
		{CS_REFERRED, CA_SET_PRIORITY, "committee", 0, WB_OK, CS_REFERRED},
		{CS_REPORTED, CA_SET_PRIORITY, "center", 0, WB_OK, CS_REPORTED},
		{CS_CLOSED, CA_SET_PRIORITY, "center", 0, WB_ECONFLICT, CS_NONE},
		{CS_REPORTED, CA_LINK_CHILD, "director", 0, WB_OK, CS_REPORTED},
		{CS_REPORTED, CA_LINK_CHILD, "director", LK, WB_ECONFLICT, CS_NONE},
		{CS_CLOSED, CA_LINK_CHILD, "center", 0, WB_OK, CS_CLOSED},
		{CS_WITHDRAWN, CA_LINK_CHILD, "center", 0, WB_ECONFLICT, CS_NONE},
		{CS_FORWARDED, CA_POLICE_FEEDBACK, "department", M | P, WB_OK, CS_FORWARDED},
		{CS_FORWARDED, CA_POLICE_FEEDBACK, "department", M, WB_ECONFLICT, CS_NONE}, /* not the police */
		{CS_FORWARDED, CA_POLICE_FEEDBACK, "department", P, WB_ECONFLICT, CS_NONE}, /* not mandatory */
		{CS_FORWARDED, CA_POLICE_FEEDBACK, "department", M | P | PD, WB_ECONFLICT, CS_NONE}, /* given already */
		{CS_FORWARDED, CA_POLICE_FEEDBACK, "center", M, WB_EFORBIDDEN, CS_NONE},
		/* a filer reading a request of another place (the centre linked it
		 * to a child there) takes none of that place's steps, but withdraws
		 * it as its filer */
		{CS_RESULT_SENT, CA_DELIVER_FEEDBACK, "director", F | E, WB_EFORBIDDEN, CS_NONE},
		{CS_TOWNSHIP_REVIEW, CA_RESOLVE, "station", F | L | E, WB_EFORBIDDEN, CS_NONE},
		{CS_REPORTED, CA_LINK_CHILD, "director", F | E, WB_EFORBIDDEN, CS_NONE},
		{CS_REPORTED, CA_WITHDRAW, "station", F | E, WB_OK, CS_WITHDRAWN},
		{CS_TOWNSHIP_REVIEW, CA_WITHDRAW, "station", F | E, WB_ECONFLICT, CS_NONE},
		{CS_ACCEPTED, CA_REFER, "center", E, WB_OK, CS_REFERRED},
		/* no caller takes these */
		{CS_NONE, CA_FILE, "director", 0, WB_EINVAL, CS_NONE},
		{CS_REFERRED, CA_REFERRALS_COMPLETE, "center", 0, WB_EINVAL, CS_NONE},
	};

	(void)state;
	for (size_t i = 0; i < WB_ARRAY_LEN(cases); i++)
		expect_case_step(i, &cases[i]);
}

static void expect_allowed(enum case_state s, const char *role, int flags, const char *want)
{
	enum case_action acts[CA_COUNT];
	case_ctx c = ctx_of(flags);
	char got[256] = "";
	int n = case_allowed(s, role, &c, acts, CA_COUNT);

	for (int i = 0; i < n; i++) {
		size_t off = strlen(got);

		wb_snprintf(got + off, sizeof(got) - off, "%s%s", i ? " " : "", case_action_name(acts[i]));
	}
	if (strcmp(got, want) != 0)
		fail_msg("%s as %s: allowed \"%s\", want \"%s\"", case_state_name(s), role, got, want);
}

static void test_allowed_lists(void **state)
{
	(void)state;
	expect_allowed(CS_REPORTED, "station", L, "review withdraw link_child");
	expect_allowed(CS_TOWNSHIP_REVIEW, "station", L, "resolve forward withdraw link_child");
	expect_allowed(CS_TOWNSHIP_REVIEW, "station", L | LK, "resolve forward withdraw");
	expect_allowed(CS_FORWARDED, "center", LK, "accept send_back withdraw set_priority");
	expect_allowed(CS_FORWARDED, "center", M | LK, "accept set_priority");
	expect_allowed(CS_ACCEPTED, "center", LK, "refer withdraw set_priority");
	expect_allowed(CS_RESULT_SENT, "director", LK, "deliver_feedback");
	expect_allowed(CS_REPORTED, "director", F, "withdraw link_child");
	expect_allowed(CS_CLOSED, "center", LK, "reopen");
	expect_allowed(CS_WITHDRAWN, "center", 0, "");
	expect_allowed(CS_REFERRED, "committee", LK, "set_priority");
	expect_allowed(CS_REFERRED, "department", M | P | LK, "police_feedback");
	expect_allowed(CS_REFERRED, "auditor", LK, "");
}

/* Every combination: the allowed list and case_transition agree; only
 * withdraw leads to withdrawn; nothing leaves withdrawn; closing only
 * from feedback_delivered. */
static void test_table_consistency(void **state)
{
	static const char *const roles[] = {"committee",  "center", "supervisor", "station", "director", "grid",
					    "department", "org",    "school",     "auditor", "admin"};

	(void)state;
	for (int s = CS_REPORTED; s < CS_COUNT; s++)
		for (size_t r = 0; r < WB_ARRAY_LEN(roles); r++)
			for (int flags = 0; flags < 64; flags++) {
				enum case_action acts[CA_COUNT];
				case_ctx c = ctx_of(flags);
				int n = case_allowed((enum case_state)s, roles[r], &c, acts, CA_COUNT), listed = 0;

				for (int a = CA_REVIEW; a < CA_COUNT; a++) {
					enum case_state to = CS_NONE;
					int rc = case_transition((enum case_state)s, (enum case_action)a, roles[r], &c,
								 &to);
					int in = 0;

					for (int k = 0; k < n; k++)
						in |= (int)acts[k] == a;
					assert_int_equal(in, rc == WB_OK);
					listed += in;
					if (rc != WB_OK)
						continue;
					assert_true(to > CS_NONE && to < CS_COUNT);
					assert_int_not_equal(s, CS_WITHDRAWN);
					if (to == CS_WITHDRAWN)
						assert_int_equal(a, CA_WITHDRAW);
					if (to == CS_CLOSED && (int)to != s)
						assert_int_equal(s, CS_FEEDBACK_DELIVERED);
					if (case_action_keeps_state((enum case_action)a))
						assert_int_equal(to, s);
				}
				assert_int_equal(listed, n);
			}
}

static void test_names_and_vocabularies(void **state)
{
	enum case_state s;
	enum case_action a;

	(void)state;
	for (int i = CS_REPORTED; i < CS_COUNT; i++) {
		assert_int_equal(case_state_parse(case_state_name((enum case_state)i), &s), 0);
		assert_int_equal(s, i);
	}
	for (int i = 0; i < CA_COUNT; i++) {
		assert_int_equal(case_action_parse(case_action_name((enum case_action)i), &a), 0);
		assert_int_equal(a, i);
	}
	assert_int_equal(case_state_parse("none", &s), -1);
	assert_int_equal(case_action_parse("Review", &a), -1);
	assert_int_equal(case_action_parse(NULL, &a), -1);
	assert_true(case_kind_valid("abuse_violence"));
	assert_false(case_kind_valid("abuse"));
	assert_true(case_urgency_valid("urgent"));
	assert_false(case_urgency_valid("asap"));
	assert_true(case_rating_valid("basically_satisfied"));
	assert_false(case_rating_valid("ok"));
	assert_true(case_field_valid("guardians"));
	assert_false(case_field_valid("name"));
	assert_true(case_may_file("school"));
	assert_false(case_may_file("department"));
	assert_false(case_may_file("committee"));
	assert_int_equal(case_initial_state("director", 0), CS_REPORTED);
	assert_int_equal(case_initial_state("school", 1), CS_FORWARDED); /* township review is skipped */
	assert_int_equal(case_initial_state("station", 0), CS_TOWNSHIP_REVIEW);
	assert_int_equal(case_initial_state("center", 0), CS_ACCEPTED);
}

static void test_holders_and_audiences(void **state)
{
	case_ctx c = ctx_of(0);

	(void)state;
	assert_int_equal(case_holder(CS_REPORTED, 1), TIER_TOWNSHIP);
	assert_int_equal(case_holder(CS_RESULT_SENT, 0), TIER_VILLAGE);
	assert_int_equal(case_holder(CS_REFERRED, 0), TIER_UNITS);
	assert_int_equal(case_holder(CS_FEEDBACK_DELIVERED, 1), TIER_TOWNSHIP);
	assert_int_equal(case_holder(CS_FEEDBACK_DELIVERED, 0), TIER_CENTRE);
	assert_int_equal(case_holder(CS_CLOSED, 0), TIER_NONE);
	/* village and township steps alert the supervisor; centre and department steps the centre and committee */
	assert_int_equal(case_alert_audience(CS_REPORTED, 1), AUD_SUPERVISOR);
	assert_int_equal(case_alert_audience(CS_TOWNSHIP_REVIEW, 1), AUD_SUPERVISOR);
	assert_int_equal(case_alert_audience(CS_RESULT_SENT, 0), AUD_SUPERVISOR);
	assert_int_equal(case_alert_audience(CS_ACCEPTED, 0), AUD_CENTER | AUD_COMMITTEE);
	assert_int_equal(case_alert_audience(CS_REFERRED, 0), AUD_CENTER | AUD_COMMITTEE);
	assert_int_equal(case_alert_audience(CS_CLOSED, 0), 0);
	/* a mandatory report reaches the centre and public security at once */
	assert_int_equal(case_audience(CA_FILE, CS_NONE, CS_FORWARDED, &c), AUD_CENTER | AUD_POLICE);
	assert_int_equal(case_audience(CA_FILE, CS_NONE, CS_REPORTED, &c), AUD_STATION);
	assert_int_equal(case_audience(CA_FORWARD, CS_TOWNSHIP_REVIEW, CS_FORWARDED, &c), AUD_CENTER);
	assert_int_equal(case_audience(CA_SET_PRIORITY, CS_ACCEPTED, CS_ACCEPTED, &c), AUD_COMMITTEE | AUD_CENTER);
	/* a new priority changes the held step's deadline: its holder is told */
	assert_int_equal(case_audience(CA_SET_PRIORITY, CS_REPORTED, CS_REPORTED, &c),
			 AUD_COMMITTEE | AUD_CENTER | AUD_STATION);
	assert_int_equal(case_audience(CA_SET_PRIORITY, CS_REFERRED, CS_REFERRED, &c),
			 AUD_COMMITTEE | AUD_CENTER | AUD_UNITS);
	assert_int_equal(case_audience(CA_SET_PRIORITY, CS_RESULT_SENT, CS_RESULT_SENT, &c),
			 AUD_COMMITTEE | AUD_CENTER | AUD_DIRECTOR);
	assert_true(case_audience(CA_SEND_RESULT, CS_REFERRALS_DONE, CS_RESULT_SENT, &c) & AUD_DIRECTOR);
}

static void test_referral_machine(void **state)
{
	static const step_row cases[] = {
		/* ctx: 1 for the role's own unit */
		{RS_PENDING, RA_ACCEPT, "department", 1, WB_OK, RS_ACCEPTED},
		{RS_PENDING, RA_ACCEPT, "org", 1, WB_OK, RS_ACCEPTED},
		{RS_PENDING, RA_DECLINE, "department", 1, WB_OK, RS_DECLINED},
		{RS_ACCEPTED, RA_PROGRESS, "department", 1, WB_OK, RS_ACCEPTED},
		{RS_ACCEPTED, RA_COMPLETE, "org", 1, WB_OK, RS_DONE},
		{RS_PENDING, RA_COMPLETE, "department", 1, WB_ECONFLICT, RS_NONE}, /* accept first */
		{RS_DONE, RA_COMPLETE, "department", 1, WB_ECONFLICT, RS_NONE},
		{RS_ACCEPTED, RA_DECLINE, "department", 1, WB_ECONFLICT, RS_NONE},
		{RS_PENDING, RA_ACCEPT, "department", 0, WB_EFORBIDDEN, RS_NONE}, /* another unit's */
		{RS_PENDING, RA_ACCEPT, "center", 0, WB_EFORBIDDEN, RS_NONE},
		{RS_PENDING, RA_CANCEL, "center", 0, WB_OK, RS_CANCELLED},
		{RS_ACCEPTED, RA_CANCEL, "center", 0, WB_OK, RS_CANCELLED},
		{RS_DONE, RA_CANCEL, "center", 0, WB_ECONFLICT, RS_NONE},
		{RS_PENDING, RA_CANCEL, "department", 1, WB_EFORBIDDEN, RS_NONE},
		{RS_PENDING, RA_ACCEPT, "school", 1, WB_EFORBIDDEN, RS_NONE},
	};

	(void)state;
	for (size_t i = 0; i < WB_ARRAY_LEN(cases); i++)
		expect_referral_step(i, &cases[i]);
	assert_true(referral_is_active(RS_PENDING));
	assert_true(referral_is_active(RS_ACCEPTED));
	assert_false(referral_is_active(RS_DONE));
	assert_false(referral_is_active(RS_DECLINED));
	assert_false(referral_is_active(RS_CANCELLED));
}

/* ---- deadlines ---- */

static int64_t at(const char *iso)
{
	int64_t t = 0;

	if (deadline_time_parse(iso, &t) != 0)
		fail_msg("cannot parse %s", iso);
	return t;
}

static void expect_time_refused(const char *s)
{
	int64_t t;

	assert_int_equal(deadline_time_parse(s, &t), -1);
}

static void expect_spec_refused(const char *s)
{
	deadline_spec spec;

	assert_int_equal(deadline_spec_parse(s, &spec), -1);
}

/* A step of spec started at the time start is due at the time due. */
static void expect_due_by(const deadline_config *cfg, const char *start, deadline_spec spec, const char *due)
{
	assert_int_equal(deadline_add(cfg, at(start), spec), at(due));
}

static void test_time_parse(void **state)
{
	(void)state;
	assert_int_equal(at("2026-12-10T09:00:00+08:00"), 1796864400);
	assert_int_equal(at("2026-12-10T01:00:00Z"), 1796864400);
	assert_int_equal(at("2026-12-10T01:00Z"), 1796864400);
	assert_int_equal(at("2026-12-10T01:00:00.999Z"), 1796864400); /* what JavaScript's toISOString() gives */
	expect_time_refused("2026-12-10T01:00:00.Z");
	assert_int_equal(at("2026-12-09T20:00:00-05:00"), 1796864400);
	assert_int_equal(at("1796864400"), 1796864400);
	expect_time_refused("2026-12-10T09:00:00"); /* no offset: ambiguous */
	expect_time_refused("2026-02-30T09:00:00Z");
	expect_time_refused("2026-12-10T24:00:00Z");
	expect_time_refused("");
	expect_time_refused("12h");
	assert_int_equal(deadline_local_ymd(at("2026-12-10T23:59:59+08:00")), 20261210);
	assert_int_equal(deadline_local_ymd(at("2026-12-10T16:00:00Z")), 20261211); /* midnight in Beijing */
}

static void test_spec_and_dates(void **state)
{
	deadline_spec s;
	int ymd, list[DEADLINE_DATES_MAX], n = 0;
	char out[16];

	(void)state;
	assert_int_equal(deadline_spec_parse("3d", &s), 0);
	assert_int_equal(s.amount, 3);
	assert_int_equal(s.unit, 'd');
	assert_int_equal(deadline_spec_parse("2160h", &s), 0);
	deadline_spec_format(s, out, sizeof(out));
	assert_string_equal(out, "2160h");
	assert_int_equal(deadline_spec_parse("365d", &s), 0);
	expect_spec_refused("366d");
	expect_spec_refused("2161h");
	expect_spec_refused("0d");
	expect_spec_refused("-1d");
	expect_spec_refused("d");
	expect_spec_refused("3w");
	expect_spec_refused("1.5d");
	expect_spec_refused(NULL);
	assert_int_equal(date_parse("2028-02-29", &ymd), WB_OK);
	assert_int_equal(ymd, 20280229);
	assert_int_equal(date_parse("2026-02-29", &ymd), WB_EINVAL);
	assert_int_equal(date_parse("2026-1-01", &ymd), WB_EINVAL);
	/* the calendar list stays sorted and unique */
	deadline_date_add(list, &n, 20261003);
	deadline_date_add(list, &n, 20261001);
	deadline_date_add(list, &n, 20261002);
	deadline_date_add(list, &n, 20261001);
	assert_int_equal(n, 3);
	assert_int_equal(list[0], 20261001);
	assert_int_equal(list[2], 20261003);
}

static void test_working_days(void **state)
{
	deadline_config cfg;
	deadline_spec d1 = {1, 'd'}, d3 = {3, 'd'}, d5 = {5, 'd'}, h12 = {12, 'h'};

	(void)state;
	deadline_config_default(&cfg);
	/* Monday 10:00 + 1 working day: by the end of Tuesday */
	expect_due_by(&cfg, "2026-11-30T10:00:00+08:00", d1, "2026-12-01T23:59:59+08:00");
	/* Friday + 1: Monday; Saturday and Sunday + 1: Monday too */
	expect_due_by(&cfg, "2026-12-04T17:30:00+08:00", d1, "2026-12-07T23:59:59+08:00");
	expect_due_by(&cfg, "2026-12-05T09:00:00+08:00", d1, "2026-12-07T23:59:59+08:00");
	expect_due_by(&cfg, "2026-12-06T23:00:00+08:00", d1, "2026-12-07T23:59:59+08:00");
	/* Friday + 3: Wednesday; + 5: the next Friday */
	expect_due_by(&cfg, "2026-12-04T10:00:00+08:00", d3, "2026-12-09T23:59:59+08:00");
	expect_due_by(&cfg, "2026-12-04T10:00:00+08:00", d5, "2026-12-11T23:59:59+08:00");
	/* the local day counts, not the UTC one: 00:30 Tuesday in Beijing is Monday in UTC */
	expect_due_by(&cfg, "2026-12-01T00:30:00+08:00", d1, "2026-12-02T23:59:59+08:00");
	/* urgent: hours around the clock, weekends included */
	expect_due_by(&cfg, "2026-12-05T20:00:00+08:00", h12, "2026-12-06T08:00:00+08:00");
	assert_false(deadline_is_working_day(&cfg, 20261205));
	assert_true(deadline_is_working_day(&cfg, 20261207));
}

static void test_holiday_calendar(void **state)
{
	deadline_config cfg;
	deadline_spec d1 = {1, 'd'}, d3 = {3, 'd'};

	(void)state;
	deadline_config_default(&cfg);
	/* National Day week: 1-7 October off; Saturday 10 October a make-up working day */
	for (int d = 1; d <= 7; d++)
		deadline_date_add(cfg.holidays, &cfg.nholidays, 20261000 + d);
	deadline_date_add(cfg.workdays, &cfg.nworkdays, 20261010);
	assert_false(deadline_is_working_day(&cfg, 20261001)); /* a Thursday off */
	assert_true(deadline_is_working_day(&cfg, 20261010));  /* a Saturday on */
	assert_false(deadline_is_working_day(&cfg, 20261011));
	/* Wednesday 30 September + 1: Thursday 8 October */
	expect_due_by(&cfg, "2026-09-30T10:00:00+08:00", d1, "2026-10-08T23:59:59+08:00");
	/* + 3: 8, 9 and the make-up Saturday 10 October */
	expect_due_by(&cfg, "2026-09-30T10:00:00+08:00", d3, "2026-10-10T23:59:59+08:00");
	/* a step started on a holiday counts from the next working day */
	expect_due_by(&cfg, "2026-10-03T10:00:00+08:00", d1, "2026-10-08T23:59:59+08:00");
	/* the tables: urgent or priority requests get the hours */
	assert_int_equal(deadline_due(&cfg, DL_TOWNSHIP_REVIEW, 1, at("2026-10-03T10:00:00+08:00")),
			 at("2026-10-03T22:00:00+08:00"));
	assert_int_equal(deadline_due(&cfg, DL_TOWNSHIP_REVIEW, 0, at("2026-09-30T10:00:00+08:00")),
			 at("2026-10-10T23:59:59+08:00"));
}

static void test_overdue_with_fake_clock(void **state)
{
	deadline_config cfg;
	int64_t start = at("2026-11-30T10:00:00+08:00");
	int64_t due;

	(void)state;
	deadline_config_default(&cfg);
	due = deadline_due(&cfg, DL_REPORTED, 0, start);
	clock_fake(due);
	assert_false(deadline_overdue(due, clock_now())); /* due at the last second, not yet late */
	clock_fake(due + 1);
	assert_true(deadline_overdue(due, clock_now()));
	assert_false(deadline_overdue(0, clock_now())); /* no deadline: never overdue */
	clock_fake(0);
}

/* ---- the scan and the grant on a real store ---- */

static void add_area(store_conn *c, const char *code)
{
	area_rec a;

	memset(&a, 0, sizeof(a));
	wb_strlcpy(a.code, code, sizeof(a.code));
	wb_strlcpy(a.county_code, "370831", sizeof(a.county_code));
	wb_strlcpy(a.level, area_level_of(code), sizeof(a.level));
	area_parent_of(code, a.parent_code, (int)sizeof(a.parent_code));
	wb_strlcpy(a.kind, strlen(code) == 9 ? "subdistrict" : a.level, sizeof(a.kind));
	wb_strlcpy(a.name, code, sizeof(a.name));
	assert_int_equal(store_area_insert(c, &a, 1), WB_OK);
}

static int64_t add_user(store_conn *c, const char *name, const char *role, const char *area, int64_t unit)
{
	user_rec u;
	membership_rec m;

	memset(&u, 0, sizeof(u));
	memset(&m, 0, sizeof(m));
	wb_strlcpy(u.county_code, "370831", sizeof(u.county_code));
	wb_strlcpy(u.username, name, sizeof(u.username));
	wb_strlcpy(u.display_name, name, sizeof(u.display_name));
	wb_strlcpy(u.password_hash, "x", sizeof(u.password_hash));
	assert_int_equal(store_user_insert(c, &u, 1, &u.id), WB_OK);
	wb_strlcpy(m.county_code, "370831", sizeof(m.county_code));
	m.user_id = u.id;
	wb_strlcpy(m.role, role, sizeof(m.role));
	if (area)
		wb_strlcpy(m.area_code, area, sizeof(m.area_code));
	m.unit_id = unit;
	assert_int_equal(store_membership_insert(c, &m, 1, &m.id), WB_OK);
	return u.id;
}

/* A fresh store with the county 370831, its township 001 and that
 * township's village 001, in an open write transaction. */
static store_conn *open_county(tu_store *t)
{
	store_conn *c;

	assert_int_equal(tu_store_open(t, 1), WB_OK);
	c = store_acquire(t->s);
	assert_int_equal(conn_begin_write(c), WB_OK);
	add_area(c, "370831");
	add_area(c, "370831001");
	add_area(c, "370831001001");
	return c;
}

static void close_county(tu_store *t, store_conn *c)
{
	assert_int_equal(conn_commit(c), WB_OK);
	store_release(c);
	tu_store_close(t);
}

/* A director's medical request from village 370831001001, in state (held
 * by handled_by) since the time since. */
static void make_request(request_rec *q, int64_t director, const char *state, const char *handled_by, int64_t since)
{
	memset(q, 0, sizeof(*q));
	wb_strlcpy(q->county_code, "370831", sizeof(q->county_code));
	wb_strlcpy(q->township_code, "370831001", sizeof(q->township_code));
	wb_strlcpy(q->village_code, "370831001001", sizeof(q->village_code));
	wb_strlcpy(q->kind, "medical", sizeof(q->kind));
	wb_strlcpy(q->urgency, "normal", sizeof(q->urgency));
	wb_strlcpy(q->narrative, "n", sizeof(q->narrative));
	wb_strlcpy(q->source, "director", sizeof(q->source));
	wb_strlcpy(q->state, state, sizeof(q->state));
	wb_strlcpy(q->handled_by, handled_by, sizeof(q->handled_by));
	wb_strlcpy(q->reporter_role, "director", sizeof(q->reporter_role));
	q->reporter_id = director;
	q->state_since = q->created_at = q->updated_at = since;
}

static int overdue_alerts(store_conn *c, int64_t user)
{
	store_stmt *st = NULL;
	int n = -1;

	if (conn_query(c, &st, "SELECT COUNT(*) FROM inbox WHERE user_id = ? AND event = ?", "is", user,
		       "deadline.overdue") == STORE_ROW)
		n = (int)stmt_int64(c, st, 0);
	stmt_reset(c, st);
	return n;
}

#define UNCHECKED (-1)

/* Runs the county's overdue scan at the (fake) clock's now: it raises
 * `requests` alerts for requests' steps, `repeats` of them repeats of an
 * earlier alert (UNCHECKED: not looked at). */
static void expect_scan(store_conn *c, int requests, int repeats)
{
	loop_scan_result res;

	memset(&res, 0, sizeof(res));
	assert_int_equal(loop_scan(c, "370831", clock_now(), &res), WB_OK);
	assert_int_equal(res.requests, requests);
	if (repeats != UNCHECKED)
		assert_int_equal(res.repeats, repeats);
}

static void test_scan_alerts_once_per_breach(void **state)
{
	tu_store t;
	store_conn *c;
	request_rec q;
	deadline_config cfg;
	int64_t director, supervisor, station, centre, start = at("2026-11-30T10:00:00+08:00");

	(void)state;
	c = open_county(&t);
	add_area(c, "370831002");
	director = add_user(c, "dir", "director", "370831001001", 0);
	supervisor = add_user(c, "sup", "supervisor", "370831001", 0);
	station = add_user(c, "sta", "station", "370831001", 0);
	centre = add_user(c, "cen", "center", "370831", 0);
	add_user(c, "sup2", "supervisor", "370831002", 0); /* another township's */
	deadline_config_default(&cfg);
	make_request(&q, director, "township_review", "township", start);
	q.step_due_at = loop_state_due(&cfg, CS_TOWNSHIP_REVIEW, 0, start); /* end of Thursday 3 December */
	assert_int_equal(store_request_insert(c, &q), WB_OK);

	/* the day before the deadline: nothing */
	clock_fake(at("2026-12-03T12:00:00+08:00"));
	expect_scan(c, 0, UNCHECKED);
	assert_false(loop_scan_needed(c, "370831", clock_now()));
	/* the morning after: one alert, to this township's supervisor only */
	clock_fake(at("2026-12-04T09:00:00+08:00"));
	assert_true(loop_scan_needed(c, "370831", clock_now()));
	expect_scan(c, 1, 0);
	assert_int_equal(overdue_alerts(c, supervisor), 1);
	assert_int_equal(overdue_alerts(c, station), 0);
	assert_int_equal(overdue_alerts(c, centre), 0);
	/* the same breach an hour later: no second alert */
	clock_fake(at("2026-12-04T10:00:00+08:00"));
	expect_scan(c, 0, UNCHECKED);
	assert_false(loop_scan_needed(c, "370831", clock_now()));
	assert_int_equal(overdue_alerts(c, supervisor), 1);
	/* after the repeat interval (24 h by default): once more */
	clock_fake(at("2026-12-05T09:00:00+08:00"));
	expect_scan(c, 1, 1);
	assert_int_equal(overdue_alerts(c, supervisor), 2);
	/* a new step is a new breach: the centre's step alerts the centre */
	wb_strlcpy(q.state, "accepted", sizeof(q.state));
	wb_strlcpy(q.handled_by, "centre", sizeof(q.handled_by));
	q.state_since = at("2026-12-05T09:30:00+08:00");
	q.step_due_at = q.state_since + 3600;
	assert_int_equal(store_request_update(c, &q, q.version), WB_OK);
	clock_fake(at("2026-12-05T11:00:00+08:00"));
	expect_scan(c, 1, 0);
	assert_int_equal(overdue_alerts(c, centre), 1);
	assert_int_equal(overdue_alerts(c, supervisor), 2);
	clock_fake(0);
	close_county(&t, c);
}

typedef struct seen {
	int64_t ids[8];
	int n;
} seen;

static int collect(const child_rec *ch, void *arg)
{
	seen *s = arg;

	if (s->n < 8)
		s->ids[s->n++] = ch->id;
	return WB_OK;
}

static int64_t add_unit(store_conn *c, const char *code)
{
	unit_rec u;
	int64_t id;

	memset(&u, 0, sizeof(u));
	wb_strlcpy(u.county_code, "370831", sizeof(u.county_code));
	wb_strlcpy(u.kind, "department", sizeof(u.kind));
	wb_strlcpy(u.code, code, sizeof(u.code));
	wb_strlcpy(u.name, "dept", sizeof(u.name));
	assert_int_equal(store_unit_insert(c, &u, 1, &id), WB_OK);
	return id;
}

static int64_t add_child(store_conn *c, const char *name)
{
	child_rec ch;

	memset(&ch, 0, sizeof(ch));
	wb_strlcpy(ch.county_code, "370831", sizeof(ch.county_code));
	wb_strlcpy(ch.name, name, sizeof(ch.name));
	wb_strlcpy(ch.village_code, "370831001001", sizeof(ch.village_code));
	ch.created_at = ch.updated_at = ch.created_by = ch.updated_by = 1;
	assert_int_equal(store_child_insert(c, &ch), WB_OK);
	return ch.id;
}

/* The scope of a department user of unit. */
static void department_scope(int64_t unit, store_scope *sc_out)
{
	membership_rec m;

	memset(&m, 0, sizeof(m));
	wb_strlcpy(m.county_code, "370831", sizeof(m.county_code));
	wb_strlcpy(m.role, "department", sizeof(m.role));
	m.unit_id = unit;
	assert_int_equal(sec_scope_for(&m, role_find("department"), sc_out), WB_OK);
}

/* The scope lists n children, the first of them `first`. */
static void expect_listed(store_conn *c, const store_scope *sc, int n, int64_t first)
{
	child_filter cf;
	seen got;

	memset(&cf, 0, sizeof(cf));
	cf.limit = 10;
	memset(&got, 0, sizeof(got));
	assert_int_equal(store_child_list(c, sc, &cf, collect, &got), WB_OK);
	assert_int_equal(got.n, n);
	if (n > 0)
		assert_int_equal(got.ids[0], first);
}

static int get_child(store_conn *c, const store_scope *sc, int64_t id)
{
	child_rec one;

	return store_child_get(c, sc, id, &one);
}

/* What the referral grant of unit on child gives: the fields, or NULL for
 * no grant at all. */
static void expect_grant(store_conn *c, int64_t unit, int64_t child, const char *fields_want)
{
	char fields[64];
	int any = 0;

	assert_int_equal(store_referral_grant(c, "370831", unit, child, fields, sizeof(fields), &any), WB_OK);
	if (!fields_want) {
		assert_false(any);
		return;
	}
	assert_true(any);
	assert_string_equal(fields, fields_want);
}

static void test_referral_grant_scope(void **state)
{
	tu_store t;
	store_conn *c;
	int64_t kids[2], units[2], dir;
	request_rec q;
	referral_rec f;
	store_scope sc;

	(void)state;
	c = open_county(&t);
	dir = add_user(c, "dir", "director", "370831001001", 0);
	units[0] = add_unit(c, "d0");
	kids[0] = add_child(c, "child 0");
	units[1] = add_unit(c, "d1");
	kids[1] = add_child(c, "child 1");
	make_request(&q, dir, "referred", "centre", 1);
	q.child_id = kids[0];
	assert_int_equal(store_request_insert(c, &q), WB_OK);
	memset(&f, 0, sizeof(f));
	wb_strlcpy(f.county_code, "370831", sizeof(f.county_code));
	f.request_id = q.id;
	f.child_id = kids[0];
	f.unit_id = units[0];
	wb_strlcpy(f.ask, "help", sizeof(f.ask));
	wb_strlcpy(f.fields, "health,guardians", sizeof(f.fields));
	wb_strlcpy(f.state, "pending", sizeof(f.state));
	f.state_since = f.created_at = f.updated_at = f.created_by = 1;
	assert_int_equal(store_referral_insert(c, &f), WB_OK);

	department_scope(units[0], &sc);
	assert_int_equal(sc.children, SCOPE_REFERRAL);
	/* pending and accepted: the referred child and no other */
	for (int pass = 0; pass < 2; pass++) {
		expect_listed(c, &sc, 1, kids[0]);
		assert_int_equal(get_child(c, &sc, kids[0]), WB_OK);
		assert_int_equal(get_child(c, &sc, kids[1]), WB_ENOTFOUND);
		wb_strlcpy(f.state, "accepted", sizeof(f.state));
		assert_int_equal(store_referral_update(c, &f, f.version), WB_OK);
	}
	expect_grant(c, units[0], kids[0], "health,guardians");
	/* the other unit sees nothing */
	department_scope(units[1], &sc);
	assert_int_equal(get_child(c, &sc, kids[0]), WB_ENOTFOUND);
	/* done: the grant ends with the referral */
	department_scope(units[0], &sc);
	wb_strlcpy(f.state, "done", sizeof(f.state));
	assert_int_equal(store_referral_update(c, &f, f.version), WB_OK);
	assert_int_equal(get_child(c, &sc, kids[0]), WB_ENOTFOUND);
	expect_listed(c, &sc, 0, 0);
	expect_grant(c, units[0], kids[0], NULL);
	close_county(&t, c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transitions_per_role),
		cmocka_unit_test(test_allowed_lists),
		cmocka_unit_test(test_table_consistency),
		cmocka_unit_test(test_names_and_vocabularies),
		cmocka_unit_test(test_holders_and_audiences),
		cmocka_unit_test(test_referral_machine),
		cmocka_unit_test(test_time_parse),
		cmocka_unit_test(test_spec_and_dates),
		cmocka_unit_test(test_working_days),
		cmocka_unit_test(test_holiday_calendar),
		cmocka_unit_test(test_overdue_with_fake_clock),
		cmocka_unit_test(test_scan_alerts_once_per_breach),
		cmocka_unit_test(test_referral_grant_scope),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
