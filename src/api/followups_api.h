/*
 * Follow-up visits (回访) of help requests (followups.c): what the rest of
 * the API takes from them.
 */
#ifndef WB_FOLLOWUPS_API_H
#define WB_FOLLOWUPS_API_H

#include <jansson.h>
#include <stdint.h>

#include "../security/access.h"
#include "../store/store.h"

/* The follow-ups of a request as a JSON array as viewer reads them (the
 * request's viewer has been checked), or NULL on a store error. */
json_t *follow_ups_json_of(store_conn *c, int64_t request_id, const sec_principal *viewer);

#endif
