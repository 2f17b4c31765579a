/*
 * The closed loop's state machine (SPEC §4): a help request (求助/个案)
 * travels from the village up to the township, the centre and the
 * departments, and its result back down to the child. This module is the
 * one place that says which step may follow which, and who may take it: a
 * table of rules (action, from-states, role, to-state, conditions). The API
 * asks it before every write and lists the caller's allowed next steps from
 * it, so the UI and the 409 answers can never disagree with the rules.
 *
 * It also says, per state, who holds the request (village, township,
 * centre, departments), who is alerted when the step is overdue, and whom
 * each step notifies. Pure: no I/O, no clock.
 *
 *   reported ─review→ township_review ─resolve→ resolved_locally ─┐
 *                          └─forward→ forwarded ─accept→ accepted  │
 *   accepted ─refer→ referred ─(all referrals ended)→ referrals_done
 *   referrals_done ─send_result→ result_sent ─────────────────────┤
 *   resolved_locally | result_sent ─deliver_feedback→ feedback_delivered
 *   feedback_delivered ─close→ closed ─reopen→ accepted | township_review
 *   any open state ─withdraw (with a reason)→ withdrawn
 *
 * Referrals (one per department or organisation) have their own small
 * machine: pending ─accept→ accepted ─complete→ done; pending ─decline→
 * declined (back to the centre); the centre may cancel an active one.
 */
#ifndef WB_CASE_H
#define WB_CASE_H

#include <stdint.h>

enum case_state {
	CS_NONE = 0, /* before filing */
	CS_REPORTED,
	CS_TOWNSHIP_REVIEW,
	CS_RESOLVED_LOCALLY,
	CS_FORWARDED,
	CS_ACCEPTED,
	CS_REFERRED,
	CS_REFERRALS_DONE,
	CS_RESULT_SENT,
	CS_FEEDBACK_DELIVERED,
	CS_CLOSED,
	CS_WITHDRAWN,
	CS_COUNT
};

enum case_action {
	CA_FILE = 0, /* not taken through case_transition: see case_initial_state */
	CA_REVIEW,
	CA_RESOLVE,
	CA_FORWARD,
	CA_ACCEPT,
	CA_SEND_BACK,
	CA_REFER,
	CA_REFERRALS_COMPLETE, /* taken by the system when the last referral ends */
	CA_SEND_RESULT,
	CA_DELIVER_FEEDBACK,
	CA_CLOSE,
	CA_REOPEN,
	CA_WITHDRAW,
	CA_SET_PRIORITY,    /* no state change */
	CA_LINK_CHILD,      /* no state change */
	CA_POLICE_FEEDBACK, /* no state change */
	CA_COUNT
};

/* Facts about the request and the caller that some rules depend on. */
typedef struct case_ctx {
	int is_filer;    /* the caller filed the request */
	int is_police;   /* the caller acts for the public-security unit */
	int local;       /* the request never went up to the centre */
	int mandatory;   /* a mandatory report (强制报告) */
	int police_done; /* the police's feedback to the reporter is recorded */
	int linked;      /* the request is linked to a registered child */
	int elsewhere;   /* the request's place is outside the caller's area: its filer
			  * reads it as their own filing (one the centre linked to a
			  * child of another village); the township's and the village's
			  * steps are not theirs */
} case_ctx;

/* Stable names ("township_review", "deliver_feedback", ...). */
const char *case_state_name(enum case_state s);
const char *case_action_name(enum case_action a);
/* Parse a name; 0 on success, -1 for an unknown name. */
int case_state_parse(const char *s, enum case_state *out);
int case_action_parse(const char *s, enum case_action *out);

/* 1 for every state but closed and withdrawn. */
int case_is_open(enum case_state s);
/* 1 if the action changes no state (priority, link, police feedback). */
int case_action_keeps_state(enum case_action a);

/*
 * May role take action from state s? Returns 0 and the state that follows
 * in *to_out (== s for actions that keep the state); WB_EFORBIDDEN if the
 * role may never take this action; WB_ECONFLICT if it may, but not now
 * (wrong state or a condition of ctx fails); WB_EINVAL for CA_FILE and
 * CA_REFERRALS_COMPLETE, which no caller takes.
 */
int case_transition(enum case_state s, enum case_action a, const char *role, const case_ctx *ctx,
		    enum case_state *to_out);
/* The actions role may take from s, in table order, into out (at most
 * max); returns how many. */
int case_allowed(enum case_state s, const char *role, const case_ctx *ctx, enum case_action *out, int max);

/* 1 if role may file requests (director, grid, school, station, center). */
int case_may_file(const char *role);
/* The state a new request starts in: reported (village, grid, school),
 * township_review (filed by the station itself), accepted (the centre,
 * e.g. from the hotline), forwarded (a mandatory report: township review
 * is skipped and public security is referred at once). */
enum case_state case_initial_state(const char *role, int mandatory);

/* Who holds a request in a state. */
enum case_tier {
	TIER_NONE = 0, /* closed or withdrawn */
	TIER_VILLAGE,  /* the child director delivers */
	TIER_TOWNSHIP, /* the township station */
	TIER_CENTRE,   /* the county centre */
	TIER_UNITS,    /* the departments / organisations of the active referrals */
};
enum case_tier case_holder(enum case_state s, int local);
const char *case_tier_name(enum case_tier t);

/* Whom an overdue step alerts: the township supervisor for village and
 * township steps, the centre and the committee for centre and department
 * steps (referrals and the police's feedback use AUD_CENTER|AUD_COMMITTEE). */
enum case_audience {
	AUD_STATION = 1 << 0,    /* station staff of the request's township */
	AUD_SUPERVISOR = 1 << 1, /* the township's child supervisor */
	AUD_DIRECTOR = 1 << 2,   /* child directors of the request's village */
	AUD_CENTER = 1 << 3,     /* the county centre */
	AUD_COMMITTEE = 1 << 4,  /* the committee's leaders */
	AUD_UNITS = 1 << 5,      /* the units of the referrals concerned */
	AUD_FILER = 1 << 6,      /* whoever filed the request */
	AUD_POLICE = 1 << 7,     /* the public-security unit */
};
unsigned case_alert_audience(enum case_state s, int local);
/* Whom a step notifies (besides the caller, who is never notified). */
unsigned case_audience(enum case_action a, enum case_state from, enum case_state to, const case_ctx *ctx);

/* ---- referrals ---- */

enum referral_state { RS_NONE = 0, RS_PENDING, RS_ACCEPTED, RS_DECLINED, RS_DONE, RS_CANCELLED, RS_COUNT };
enum referral_action { RA_ACCEPT = 0, RA_DECLINE, RA_PROGRESS, RA_COMPLETE, RA_CANCEL, RA_COUNT };

const char *referral_state_name(enum referral_state s);
const char *referral_action_name(enum referral_action a);
int referral_state_parse(const char *s, enum referral_state *out);
int referral_action_parse(const char *s, enum referral_action *out);
/* Pending or accepted: the unit is working on it and may read the child. */
int referral_is_active(enum referral_state s);
/*
 * May a caller take action on a referral in state s? own_unit says the
 * caller acts for the referred unit (department or org role). Returns 0
 * and *to_out, WB_EFORBIDDEN or WB_ECONFLICT as case_transition does.
 */
int referral_transition(enum referral_state s, enum referral_action a, const char *role, int own_unit,
			enum referral_state *to_out);
/* The referral actions allowed now, into out (at most max); returns how many. */
int referral_allowed(enum referral_state s, const char *role, int own_unit, enum referral_action *out, int max);
/* Whom a referral step notifies. */
unsigned referral_audience(enum referral_action a);

/* ---- vocabularies ---- */

/* 1 if s is a request kind: medical, schooling, living_hardship,
 * guardianship, abuse_violence, bullying, psychological, legal, other. */
int case_kind_valid(const char *s);
/* normal or urgent */
int case_urgency_valid(const char *s);
/* How the child/guardian judged the help: satisfied, basically_satisfied,
 * dissatisfied. */
int case_rating_valid(const char *s);
/* A field group a referral may grant beyond the basic facts (name, sex,
 * birth date, age): address, id_number, guardians, health, school, family. */
int case_field_valid(const char *s);

#endif
