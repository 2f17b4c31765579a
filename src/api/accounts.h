/*
 * Rules for accounts that the administrator's API (users.c) and the
 * command line (weibao user) share: what a user name may be, and which
 * place a role's membership must name.
 */
#ifndef WB_ACCOUNTS_H
#define WB_ACCOUNTS_H

#include <jansson.h>
#include <stdint.h>

#include "../store/model.h"

/* 1 if s is a user name an account may take: 3 to 63 characters of
 * letters, digits, '.', '_' and '-', starting with a letter or digit. */
int account_username_ok(const char *s);

/*
 * Checks a membership of role at area_code (the area roles) or unit_id
 * (department, org and school) and fills out (role, area or unit, county).
 * county limits the place to one county (NULL: any). WB_OK; WB_EINVAL with
 * the field at fault ("role", "area_code" or "unit_id") and a reason
 * (English) in *field and *why; or a store error.
 */
int account_membership(store_conn *c, const char *county, const char *role, const char *area_code, int64_t unit_id,
		       membership_rec *out, const char **field, const char **why);

/* The detail of a membership's audit entry (user.create, membership.add,
 * membership.remove), the same from the API and the command line: its
 * role and place. A new reference, for the caller to release. */
json_t *account_membership_detail(const membership_rec *m);

#endif
