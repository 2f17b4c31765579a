/*
 * What supporting programmes (programmes.c) lend to the demo county: the
 * record of a parent's return in the writer's transaction.
 */
#ifndef WB_PROGRAMMES_API_H
#define WB_PROGRAMMES_API_H

#include <stdint.h>

#include "../store/q_programmes.h"

/*
 * Records ret (programme_id, child_id, returned_on, created_by, county):
 * guardian_id of the child (within sc) becomes present since the return, a
 * line of the child's history, the categories derived again, and a
 * confirmed left-behind category that no longer holds ends with the reason
 * parent_returned (ret->left_behind_ended). WB_EINVAL or WB_ECONFLICT with
 * *error and *error_field when the guardian is not a parent working away;
 * WB_EINVAL on returned_on, with ret->away_since, when the return is dated
 * before the parent went away (the guardian's status_since).
 */
int programmes_record_return(store_conn *c, const store_scope *sc, programme_return_rec *ret, int64_t guardian_id,
			     int64_t at, int today, const char **error, const char **error_field);

#endif
