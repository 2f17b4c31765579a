/*
 * The roles of SPEC §1 and what each may do. Pure data and rules; the
 * access module turns a membership into a query scope from these.
 */
#ifndef WB_ROLES_H
#define WB_ROLES_H

#include <stddef.h>

enum role_anchor {
	ANCHOR_COUNTY,   /* membership at a county (6-digit area) */
	ANCHOR_TOWNSHIP, /* at a township (9-digit area) */
	ANCHOR_VILLAGE,  /* at a village/community (12-digit area) */
	ANCHOR_GRID,     /* at a grid (15-digit area) */
	ANCHOR_UNIT,     /* at a department, organisation or school */
};

enum role_child_access {
	CHILD_ACCESS_NONE,   /* never a child's file */
	CHILD_ACCESS_AREA,   /* children living in the membership's area subtree */
	CHILD_ACCESS_SCHOOL, /* pupils of the membership's school */
	CHILD_ACCESS_GRANT,  /* only through an active referral grant */
};

typedef struct role_def {
	const char *name;
	enum role_anchor anchor;
	const char *unit_kind; /* for ANCHOR_UNIT: "department", "org", "school" */
	enum role_child_access child_access;
	int full_id;            /* may see whole ID and phone numbers */
	int write_children;     /* may register and edit children */
	int read_audit;         /* may read the audit log */
	int manage_users;       /* may manage accounts and areas */
	int full_phone;         /* may see guardians' whole phone numbers */
	int confirm_categories; /* may confirm, reject and end categories */
	int export_children;    /* may export lists of children (within scope) */
} role_def;

/* The definition of a role by name, or NULL. */
const role_def *role_find(const char *name);
/* The same, by name or by the role's Chinese name (儿童主任). */
const role_def *role_find_any(const char *name);
/* The names role_find_any takes, for an error that says them:
 * "县未保中心 (center), 乡镇工作站 (station), ...", cut to n bytes. */
void role_names_text(char *out, size_t n);
/* The Chinese name of a role (儿童主任 for director), or name itself. */
const char *role_label_zh(const char *name);
/* The English name of a role (Child director for director), or name itself. */
const char *role_label_en(const char *name);
/* All roles, terminated by an entry with name NULL. */
const role_def *role_all(void);

#endif
