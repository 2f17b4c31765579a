/*
 * What talks (talks.c) lend to the villages' scorecard: the place whose
 * talks a caller follows.
 */
#ifndef WB_TALKS_API_H
#define WB_TALKS_API_H

#include <stdint.h>

#include "../security/access.h"

typedef struct talk_place {
	char lo[16], hi[17]; /* an area code range; lo "" = the county */
	int64_t school_id;   /* a school's own talks */
} talk_place;

/* The place of p's talks: 1, or 0 when p's role holds and follows none. */
int talks_place(const sec_principal *p, talk_place *out);
/* Whether area is a township or village code inside pl. */
int talks_place_has(const talk_place *pl, const char *area);

#endif
