/*
 * Compact JSON text of a jansson value, appended to a buffer.
 *
 * The same text as json_dumps(j, JSON_COMPACT): keys in the order they were
 * set, UTF-8 as it is, only what JSON requires escaped. jansson's own
 * writer checks every object and array for loops through a table keyed by
 * the printed address of each one, which made writing a child's record as
 * costly as reading it from the database; ours needs no such check because
 * the values we answer with are trees built for the answer.
 */
#ifndef WB_JSON_OUT_H
#define WB_JSON_OUT_H

#include <jansson.h>

#include "buf.h"

/* WB_OK, WB_ETOOBIG past the buffer's cap (what was appended stays; reset
 * the buffer), WB_ENOMEM, or WB_EINVAL for a value JSON has no text for
 * (a real that is not finite). */
int json_out(buf *b, const json_t *j);

#endif
