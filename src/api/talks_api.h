/*
 * What talks (talks.c) lend to the villages' scorecard: the place whose
 * talks a caller follows.
 */
#ifndef WB_TALKS_API_H
#define WB_TALKS_API_H

#include <stdint.h>

#include "../security/access.h"
#include "../store/store.h"

typedef struct talk_place {
	char lo[16], hi[17]; /* an area code range; lo "" = the county */
	int64_t school_id;   /* a school's own talks */
} talk_place;

/* The place of p's talks: 1, or 0 when p's role holds and follows none. */
int talks_place(const sec_principal *p, talk_place *out);
/* Whether area is a township or village code inside pl. */
int talks_place_has(const talk_place *pl, const char *area);
/* Whether area (any level) is inside pl's range (lo "": the county). */
int talks_place_covers(const talk_place *pl, const char *area);
/* A school's place as the range of its area (the county's when it has
 * none), where its new talks and caring mothers go: not another
 * township's village, whose lists, scorecard and report would count them.
 * Other places are left as they are. */
void talks_place_school_area(store_conn *c, const sec_principal *p, talk_place *pl);

#endif
