/*
 * The caller: who they are, in which membership they act, and the one place
 * where (role, area subtree, unit, referral grants) becomes a store_scope
 * that every query of personal data takes.
 */
#ifndef WB_ACCESS_H
#define WB_ACCESS_H

#include <stdint.h>

#include "../domain/roles.h"
#include "../store/model.h"

typedef struct sec_principal {
	int64_t user_id;
	int64_t membership_id;
	int64_t session_id;
	int64_t unit_id;
	char username[64];
	char display_name[128];
	char role[16];
	char county_code[8];
	char area_code[16];
	const role_def *def;
	store_scope scope;
	int via_cookie;
	int must_change_password;
} sec_principal;

/* Computes the scope of a membership. WB_EINVAL if the membership does not
 * fit its role (e.g. a director without a village). */
int sec_scope_for(const membership_rec *m, const role_def *def, store_scope *out);

/*
 * The help requests (closed loop) a caller may see, as a store_scope over
 * the request's place: the children's scope of the role, applied to where
 * the request belongs; for department and org users the requests with an
 * active referral to their unit; for the committee every request of the
 * county with *meta_only_out = 1 (no narrative, no child's details).
 * Everyone also sees the requests they filed themselves (the store adds it).
 */
int sec_request_scope(const sec_principal *p, store_scope *out, int *meta_only_out);

/* Fills p from a user and the membership they act in. */
int sec_principal_init(sec_principal *p, const user_rec *u, const membership_rec *m, int64_t session_id);

#endif
