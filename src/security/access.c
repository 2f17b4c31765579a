/*
 * Scope computation. This is the only function that decides which children
 * a caller can see; the store applies its result in SQL.
 */
#include "access.h"

#include <string.h>

#include "../domain/area.h"
#include "../util/buf.h"
#include "../util/wb.h"

int sec_scope_for(const membership_rec *m, const role_def *def, store_scope *out)
{
	size_t n = strlen(m->area_code);

	memset(out, 0, sizeof(*out));
	wb_strlcpy(out->county_code, m->county_code, sizeof(out->county_code));
	out->children = SCOPE_NONE;
	switch (def->child_access) {
	case CHILD_ACCESS_NONE: return WB_OK;
	case CHILD_ACCESS_GRANT:
		/* children with an active referral to the unit, and only those
		 * (the store's subquery ends the grant with the referral) */
		if (!m->unit_id)
			return WB_EINVAL;
		out->children = SCOPE_REFERRAL;
		out->unit_id = m->unit_id;
		return WB_OK;
	case CHILD_ACCESS_SCHOOL:
		if (!m->unit_id)
			return WB_EINVAL;
		out->children = SCOPE_SCHOOL;
		out->unit_id = m->unit_id;
		return WB_OK;
	case CHILD_ACCESS_AREA: break;
	}
	{
		/* the membership's area must be of the level the role works at */
		static const size_t want[] = {[ANCHOR_COUNTY] = 6,
					      [ANCHOR_TOWNSHIP] = 9,
					      [ANCHOR_VILLAGE] = 12,
					      [ANCHOR_GRID] = 15,
					      [ANCHOR_UNIT] = 0};

		if (!area_level_of(m->area_code) || n != want[def->anchor])
			return WB_EINVAL;
	}
	if (n == 6) {
		out->children = SCOPE_COUNTY;
	} else if (n == 15) {
		out->children = SCOPE_GRID;
		wb_strlcpy(out->grid, m->area_code, sizeof(out->grid));
	} else {
		/* every village code in the subtree sorts in [code, code + ":") */
		out->children = SCOPE_AREA;
		wb_strlcpy(out->lo, m->area_code, sizeof(out->lo));
		wb_snprintf(out->hi, sizeof(out->hi), "%s:", m->area_code);
	}
	return WB_OK;
}

int sec_principal_init(sec_principal *p, const user_rec *u, const membership_rec *m, int64_t session_id)
{
	memset(p, 0, sizeof(*p));
	p->def = role_find(m->role);
	if (!p->def)
		return WB_EINVAL;
	p->user_id = u->id;
	p->membership_id = m->id;
	p->session_id = session_id;
	p->unit_id = m->unit_id;
	p->must_change_password = u->must_change_password;
	wb_strlcpy(p->username, u->username, sizeof(p->username));
	wb_strlcpy(p->display_name, u->display_name, sizeof(p->display_name));
	wb_strlcpy(p->role, m->role, sizeof(p->role));
	wb_strlcpy(p->county_code, m->county_code, sizeof(p->county_code));
	wb_strlcpy(p->area_code, m->area_code, sizeof(p->area_code));
	return sec_scope_for(m, p->def, &p->scope);
}

int sec_request_scope(const sec_principal *p, store_scope *out, int *meta_only_out)
{
	*out = p->scope;
	*meta_only_out = 0;
	if (strcmp(p->role, "committee") == 0) {
		/* the leaders follow every request of the county, without the
		 * child's file or the narrative */
		out->children = SCOPE_COUNTY;
		*meta_only_out = 1;
	}
	return WB_OK;
}
