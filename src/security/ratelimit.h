/*
 * A rate limiter keyed by client address, for logins: a token bucket per
 * address of `per_window` attempts, refilled evenly over the window. Slots are
 * a fixed table (addresses hashed with a per-process random key), so memory
 * is bounded whatever the traffic. A slot holds its address: an address
 * whose slot is another's takes the next free one (one unused for a whole
 * window is free: its bucket would be full again) among a few; only when
 * all of those are in use by other addresses do two addresses share a
 * budget, which errs on the side of refusing.
 */
#ifndef WB_RATELIMIT_H
#define WB_RATELIMIT_H

#include <stdint.h>

/* Sets the budget per window (0 disables), the window length, and the
 * password checks an address may have at once (0: no limit; see below). */
void ratelimit_init(int per_window, int window_s, int checks);
/* 1 if one more attempt from addr is allowed now (and counts it), else 0. */
int ratelimit_take(const char *addr, int64_t now);

/*
 * Password checks at once per client address (`login_checks`, 1 by
 * default): Argon2id takes a core for a tenth of a second, and the checks
 * running at once are capped at the core count (password.c), so one
 * address sending many logins at once would make everyone else's wait.
 * ratelimit_busy_enter returns 1 and counts a check of addr when addr has
 * fewer in progress than allowed, else 0 (answer 429 at once);
 * ratelimit_busy_leave(addr) ends one. Unlike the buckets, the addresses
 * in progress are kept exactly (there are at most as many as workers).
 */
int ratelimit_busy_enter(const char *addr);
void ratelimit_busy_leave(const char *addr);

#endif
