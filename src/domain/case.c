/*
 * The closed loop's rules as tables (see case.h). Everything a reviewer
 * needs to check "who may do what when" is in `rules` and `ref_rules`
 * below; the functions only read them.
 */
#include "case.h"

#include <string.h>

#include "../util/wb.h"

static const char *const state_names[CS_COUNT] = {
	[CS_NONE] = "none",
	[CS_REPORTED] = "reported",
	[CS_TOWNSHIP_REVIEW] = "township_review",
	[CS_RESOLVED_LOCALLY] = "resolved_locally",
	[CS_FORWARDED] = "forwarded",
	[CS_ACCEPTED] = "accepted",
	[CS_REFERRED] = "referred",
	[CS_REFERRALS_DONE] = "referrals_done",
	[CS_RESULT_SENT] = "result_sent",
	[CS_FEEDBACK_DELIVERED] = "feedback_delivered",
	[CS_CLOSED] = "closed",
	[CS_WITHDRAWN] = "withdrawn",
};

static const char *const action_names[CA_COUNT] = {
	[CA_FILE] = "file",
	[CA_REVIEW] = "review",
	[CA_RESOLVE] = "resolve",
	[CA_FORWARD] = "forward",
	[CA_ACCEPT] = "accept",
	[CA_SEND_BACK] = "send_back",
	[CA_REFER] = "refer",
	[CA_REFERRALS_COMPLETE] = "referrals_complete",
	[CA_SEND_RESULT] = "send_result",
	[CA_DELIVER_FEEDBACK] = "deliver_feedback",
	[CA_CLOSE] = "close",
	[CA_REOPEN] = "reopen",
	[CA_WITHDRAW] = "withdraw",
	[CA_SET_PRIORITY] = "set_priority",
	[CA_LINK_CHILD] = "link_child",
	[CA_POLICE_FEEDBACK] = "police_feedback",
};

const char *case_state_name(enum case_state s)
{
	return s >= 0 && s < CS_COUNT ? state_names[s] : "none";
}

const char *case_action_name(enum case_action a)
{
	return a >= 0 && a < CA_COUNT ? action_names[a] : "unknown";
}

int case_state_parse(const char *s, enum case_state *out)
{
	for (int i = CS_REPORTED; s && i < CS_COUNT; i++)
		if (strcmp(s, state_names[i]) == 0) {
			*out = (enum case_state)i;
			return 0;
		}
	return -1;
}

int case_action_parse(const char *s, enum case_action *out)
{
	for (int i = 0; s && i < CA_COUNT; i++)
		if (strcmp(s, action_names[i]) == 0) {
			*out = (enum case_action)i;
			return 0;
		}
	return -1;
}

int case_is_open(enum case_state s)
{
	return s > CS_NONE && s < CS_COUNT && s != CS_CLOSED && s != CS_WITHDRAWN;
}

int case_action_keeps_state(enum case_action a)
{
	return a == CA_SET_PRIORITY || a == CA_LINK_CHILD || a == CA_POLICE_FEEDBACK;
}

/* ---- the transition table ---- */

#define B(s) (1u << (s))
#define OPEN                                                                                                  \
	(B(CS_REPORTED) | B(CS_TOWNSHIP_REVIEW) | B(CS_RESOLVED_LOCALLY) | B(CS_FORWARDED) | B(CS_ACCEPTED) | \
	 B(CS_REFERRED) | B(CS_REFERRALS_DONE) | B(CS_RESULT_SENT) | B(CS_FEEDBACK_DELIVERED))
#define ALL_BUT_WITHDRAWN (OPEN | B(CS_CLOSED))

enum cond {
	C_FILER = 1 << 0,          /* the caller filed the request */
	C_LOCAL = 1 << 1,          /* the request never left the township */
	C_NOT_MANDATORY = 1 << 2,  /* not a mandatory report */
	C_POLICE = 1 << 3,         /* the caller acts for public security */
	C_MANDATORY = 1 << 4,      /* a mandatory report */
	C_POLICE_PENDING = 1 << 5, /* its police feedback is not recorded yet */
	C_UNLINKED = 1 << 6,       /* not linked to a registered child yet */
};

typedef struct rule {
	enum case_action action;
	unsigned from;      /* bit mask of states */
	const char *role;   /* "*" = any role (then a condition says who) */
	enum case_state to; /* CS_NONE: the state stays */
	unsigned cond;
} rule;

static const rule rules[] = {
	/* township: review, then resolve locally or forward to the centre */
	{CA_REVIEW, B(CS_REPORTED), "station", CS_TOWNSHIP_REVIEW, 0},
	{CA_RESOLVE, B(CS_TOWNSHIP_REVIEW), "station", CS_RESOLVED_LOCALLY, 0},
	{CA_FORWARD, B(CS_TOWNSHIP_REVIEW), "station", CS_FORWARDED, 0},
	/* centre: accept (or take over a request stuck in a township), send
	 * back, refer, and send the result down */
	{CA_ACCEPT, B(CS_FORWARDED) | B(CS_REPORTED) | B(CS_TOWNSHIP_REVIEW), "center", CS_ACCEPTED, 0},
	{CA_SEND_BACK, B(CS_FORWARDED), "center", CS_TOWNSHIP_REVIEW, C_NOT_MANDATORY},
	{CA_REFER, B(CS_ACCEPTED) | B(CS_REFERRED) | B(CS_REFERRALS_DONE), "center", CS_REFERRED, 0},
	{CA_SEND_RESULT, B(CS_REFERRALS_DONE), "center", CS_RESULT_SENT, 0},
	/* village: the director delivers the result and records the feedback */
	{CA_DELIVER_FEEDBACK, B(CS_RESOLVED_LOCALLY) | B(CS_RESULT_SENT), "director", CS_FEEDBACK_DELIVERED, 0},
	/* closing and reopening */
	{CA_CLOSE, B(CS_FEEDBACK_DELIVERED), "center", CS_CLOSED, 0},
	{CA_CLOSE, B(CS_FEEDBACK_DELIVERED), "station", CS_CLOSED, C_LOCAL},
	{CA_REOPEN, B(CS_CLOSED), "center", CS_ACCEPTED, 0},
	{CA_REOPEN, B(CS_CLOSED), "station", CS_TOWNSHIP_REVIEW, C_LOCAL},
	/* withdrawing, always with a reason */
	{CA_WITHDRAW, B(CS_REPORTED), "*", CS_WITHDRAWN, C_FILER},
	{CA_WITHDRAW, B(CS_REPORTED) | B(CS_TOWNSHIP_REVIEW), "station", CS_WITHDRAWN, 0},
	/* a mandatory report is public security's to check: it is not withdrawn */
	{CA_WITHDRAW, OPEN, "center", CS_WITHDRAWN, C_NOT_MANDATORY},
	/* steps that keep the state */
	{CA_SET_PRIORITY, OPEN, "center", CS_NONE, 0},
	{CA_SET_PRIORITY, OPEN, "committee", CS_NONE, 0},
	{CA_LINK_CHILD, ALL_BUT_WITHDRAWN, "center", CS_NONE, C_UNLINKED},
	{CA_LINK_CHILD, ALL_BUT_WITHDRAWN, "station", CS_NONE, C_UNLINKED},
	{CA_LINK_CHILD, ALL_BUT_WITHDRAWN, "director", CS_NONE, C_UNLINKED},
	{CA_POLICE_FEEDBACK, ALL_BUT_WITHDRAWN, "department", CS_NONE, C_POLICE | C_MANDATORY | C_POLICE_PENDING},
};

static int role_matches(const char *rule_role, const char *role)
{
	return strcmp(rule_role, "*") == 0 || strcmp(rule_role, role) == 0;
}

static int cond_holds(unsigned cond, const case_ctx *c)
{
	if ((cond & C_FILER) && !c->is_filer)
		return 0;
	if ((cond & C_LOCAL) && !c->local)
		return 0;
	if ((cond & C_NOT_MANDATORY) && c->mandatory)
		return 0;
	if ((cond & C_POLICE) && !c->is_police)
		return 0;
	if ((cond & C_MANDATORY) && !c->mandatory)
		return 0;
	if ((cond & C_POLICE_PENDING) && c->police_done)
		return 0;
	if ((cond & C_UNLINKED) && c->linked)
		return 0;
	return 1;
}

int case_transition(enum case_state s, enum case_action a, const char *role, const case_ctx *ctx,
		    enum case_state *to_out)
{
	static const case_ctx none = {0};
	int role_may = 0;

	if (a == CA_FILE || a == CA_REFERRALS_COMPLETE || a < 0 || a >= CA_COUNT)
		return WB_EINVAL;
	if (!ctx)
		ctx = &none;
	for (size_t i = 0; i < WB_ARRAY_LEN(rules); i++) {
		const rule *r = &rules[i];

		if (r->action != a || !role_matches(r->role, role))
			continue;
		/* the township's desk and the village's directors act for their
		 * own place only, whoever filed the request */
		if (ctx->elsewhere && (strcmp(r->role, "station") == 0 || strcmp(r->role, "director") == 0))
			continue;
		role_may = 1;
		if (s <= CS_NONE || s >= CS_COUNT || !(r->from & B(s)) || !cond_holds(r->cond, ctx))
			continue;
		*to_out = r->to == CS_NONE ? s : r->to;
		return WB_OK;
	}
	return role_may ? WB_ECONFLICT : WB_EFORBIDDEN;
}

int case_allowed(enum case_state s, const char *role, const case_ctx *ctx, enum case_action *out, int max)
{
	int n = 0;

	for (int a = CA_REVIEW; a < CA_COUNT && n < max; a++) {
		enum case_state to;

		if (case_transition(s, (enum case_action)a, role, ctx, &to) == WB_OK)
			out[n++] = (enum case_action)a;
	}
	return n;
}

int case_may_file(const char *role)
{
	static const char *const filers[] = {"director", "grid", "school", "station", "center"};

	for (size_t i = 0; i < WB_ARRAY_LEN(filers); i++)
		if (strcmp(role, filers[i]) == 0)
			return 1;
	return 0;
}

enum case_state case_initial_state(const char *role, int mandatory)
{
	if (mandatory)
		return CS_FORWARDED;
	if (strcmp(role, "station") == 0)
		return CS_TOWNSHIP_REVIEW;
	if (strcmp(role, "center") == 0)
		return CS_ACCEPTED;
	return CS_REPORTED;
}

enum case_tier case_holder(enum case_state s, int local)
{
	switch (s) {
	case CS_REPORTED:
	case CS_TOWNSHIP_REVIEW: return TIER_TOWNSHIP;
	case CS_RESOLVED_LOCALLY:
	case CS_RESULT_SENT: return TIER_VILLAGE;
	case CS_FORWARDED:
	case CS_ACCEPTED:
	case CS_REFERRALS_DONE: return TIER_CENTRE;
	case CS_REFERRED: return TIER_UNITS;
	case CS_FEEDBACK_DELIVERED: return local ? TIER_TOWNSHIP : TIER_CENTRE;
	default: return TIER_NONE;
	}
}

const char *case_tier_name(enum case_tier t)
{
	switch (t) {
	case TIER_VILLAGE: return "village";
	case TIER_TOWNSHIP: return "township";
	case TIER_CENTRE: return "centre";
	case TIER_UNITS: return "units";
	default: return "none";
	}
}

unsigned case_alert_audience(enum case_state s, int local)
{
	switch (case_holder(s, local)) {
	case TIER_VILLAGE:
	case TIER_TOWNSHIP: return AUD_SUPERVISOR;
	case TIER_CENTRE:
	case TIER_UNITS: return AUD_CENTER | AUD_COMMITTEE;
	default: return 0;
	}
}

unsigned case_audience(enum case_action a, enum case_state from, enum case_state to, const case_ctx *ctx)
{
	int local = ctx && ctx->local;

	switch (a) {
	case CA_FILE:
		if (to == CS_FORWARDED)
			return AUD_CENTER | AUD_POLICE; /* mandatory: both at once, in parallel */
		return to == CS_REPORTED ? AUD_STATION : 0;
	case CA_RESOLVE: return AUD_DIRECTOR | AUD_FILER;
	case CA_FORWARD: return AUD_CENTER;
	case CA_ACCEPT: return AUD_FILER | (from == CS_FORWARDED ? 0 : AUD_STATION);
	case CA_SEND_BACK: return AUD_STATION;
	case CA_REFER: return AUD_UNITS;
	case CA_REFERRALS_COMPLETE: return AUD_CENTER;
	case CA_SEND_RESULT: return AUD_DIRECTOR | AUD_FILER;
	case CA_DELIVER_FEEDBACK: return local ? AUD_STATION : AUD_CENTER;
	case CA_CLOSE: return AUD_FILER;
	case CA_REOPEN: return to == CS_ACCEPTED ? AUD_CENTER : AUD_STATION;
	case CA_WITHDRAW: return AUD_FILER | AUD_STATION | (local ? 0 : AUD_CENTER) | AUD_UNITS;
	case CA_SET_PRIORITY: {
		/* whoever holds the step is told too: its deadline changed */
		enum case_tier t = case_holder(from, local);

		return AUD_COMMITTEE | AUD_CENTER | (t == TIER_TOWNSHIP ? AUD_STATION : 0) |
		       (t == TIER_UNITS ? AUD_UNITS : 0) | (t == TIER_VILLAGE ? AUD_DIRECTOR : 0);
	}
	case CA_POLICE_FEEDBACK: return AUD_FILER | AUD_CENTER;
	default: return 0;
	}
}

/* ---- referrals ---- */

static const char *const ref_state_names[RS_COUNT] = {
	[RS_NONE] = "none",         [RS_PENDING] = "pending", [RS_ACCEPTED] = "accepted",
	[RS_DECLINED] = "declined", [RS_DONE] = "done",       [RS_CANCELLED] = "cancelled",
};

static const char *const ref_action_names[RA_COUNT] = {
	[RA_ACCEPT] = "accept",     [RA_DECLINE] = "decline", [RA_PROGRESS] = "progress",
	[RA_COMPLETE] = "complete", [RA_CANCEL] = "cancel",
};

const char *referral_state_name(enum referral_state s)
{
	return s >= 0 && s < RS_COUNT ? ref_state_names[s] : "none";
}

const char *referral_action_name(enum referral_action a)
{
	return a >= 0 && a < RA_COUNT ? ref_action_names[a] : "unknown";
}

int referral_state_parse(const char *s, enum referral_state *out)
{
	for (int i = RS_PENDING; s && i < RS_COUNT; i++)
		if (strcmp(s, ref_state_names[i]) == 0) {
			*out = (enum referral_state)i;
			return 0;
		}
	return -1;
}

int referral_action_parse(const char *s, enum referral_action *out)
{
	for (int i = 0; s && i < RA_COUNT; i++)
		if (strcmp(s, ref_action_names[i]) == 0) {
			*out = (enum referral_action)i;
			return 0;
		}
	return -1;
}

int referral_is_active(enum referral_state s)
{
	return s == RS_PENDING || s == RS_ACCEPTED;
}

typedef struct ref_rule {
	enum referral_action action;
	unsigned from;
	const char *role;       /* "unit": department or org acting for the referred unit */
	enum referral_state to; /* RS_NONE: stays */
} ref_rule;

static const ref_rule ref_rules[] = {
	{RA_ACCEPT, B(RS_PENDING), "unit", RS_ACCEPTED},
	{RA_DECLINE, B(RS_PENDING), "unit", RS_DECLINED},
	{RA_PROGRESS, B(RS_ACCEPTED), "unit", RS_NONE},
	{RA_COMPLETE, B(RS_ACCEPTED), "unit", RS_DONE},
	{RA_CANCEL, B(RS_PENDING) | B(RS_ACCEPTED), "center", RS_CANCELLED},
};

int referral_transition(enum referral_state s, enum referral_action a, const char *role, int own_unit,
			enum referral_state *to_out)
{
	int is_unit = own_unit && (strcmp(role, "department") == 0 || strcmp(role, "org") == 0);
	int role_may = 0;

	for (size_t i = 0; i < WB_ARRAY_LEN(ref_rules); i++) {
		const ref_rule *r = &ref_rules[i];

		if (r->action != a)
			continue;
		if (strcmp(r->role, "unit") == 0 ? !is_unit : strcmp(r->role, role) != 0)
			continue;
		role_may = 1;
		if (s <= RS_NONE || s >= RS_COUNT || !(r->from & B(s)))
			continue;
		*to_out = r->to == RS_NONE ? s : r->to;
		return WB_OK;
	}
	return role_may ? WB_ECONFLICT : WB_EFORBIDDEN;
}

int referral_allowed(enum referral_state s, const char *role, int own_unit, enum referral_action *out, int max)
{
	int n = 0;

	for (int a = 0; a < RA_COUNT && n < max; a++) {
		enum referral_state to;

		if (referral_transition(s, (enum referral_action)a, role, own_unit, &to) == WB_OK)
			out[n++] = (enum referral_action)a;
	}
	return n;
}

unsigned referral_audience(enum referral_action a)
{
	switch (a) {
	case RA_ACCEPT:
	case RA_DECLINE:
	case RA_COMPLETE: return AUD_CENTER;
	case RA_CANCEL: return AUD_UNITS;
	default: return 0;
	}
}

/* ---- vocabularies ---- */

static int in(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

int case_kind_valid(const char *s)
{
	static const char *const kinds[] = {"medical",       "schooling",      "living_hardship",
					    "guardianship",  "abuse_violence", "bullying",
					    "psychological", "legal",          "other"};

	return in(s, kinds, WB_ARRAY_LEN(kinds));
}

int case_urgency_valid(const char *s)
{
	static const char *const u[] = {"normal", "urgent"};

	return in(s, u, WB_ARRAY_LEN(u));
}

int case_rating_valid(const char *s)
{
	static const char *const r[] = {"satisfied", "basically_satisfied", "dissatisfied"};

	return in(s, r, WB_ARRAY_LEN(r));
}

int case_field_valid(const char *s)
{
	static const char *const f[] = {"address", "id_number", "guardians", "health", "school", "family"};

	return in(s, f, WB_ARRAY_LEN(f));
}
