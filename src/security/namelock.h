/*
 * Lockout for user names that do not exist. An existing account is locked
 * after lock_max failed logins within the window; an unknown name must
 * answer the same way after the same number of failures, or the lockout
 * tells an attacker which names exist. Unknown names are kept here, in
 * memory only (never as user rows), hashed with a per-process random key,
 * in a fixed table whose size does not depend on the traffic: a full table
 * forgets its least recently used names first, unlocked before locked.
 */
#ifndef WB_NAMELOCK_H
#define WB_NAMELOCK_H

#include <stdint.h>

/* Sets the failures that lock (max, >= 1) and the window in seconds; forgets
 * every name. Without it, or if memory cannot be had, names never lock. */
void namelock_init(int max, int64_t window_s);
/* 1 if the unknown name is locked. */
int namelock_locked(const char *name);
/* Counts a failed login for the unknown name at `now`; 1 if this failure
 * locks it (the max-th within the window), else 0. */
int namelock_fail(const char *name, int64_t now);
/* Frees the table. */
void namelock_free(void);

#endif
