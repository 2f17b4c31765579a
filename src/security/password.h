/*
 * Password hashing (Argon2id, libsodium INTERACTIVE limits) and the password
 * policy. Hashing costs ~60 ms and 64 MiB, so at most one hash per core runs
 * at a time; callers beyond that wait their turn.
 */
#ifndef WB_PASSWORD_H
#define WB_PASSWORD_H

#include <stddef.h>

#define SEC_PWHASH_MAX 128

/* Sets how many hashes may run at once (default: online cores). */
void sec_password_init(int max_concurrent);
/* Hashes pw into out. */
int sec_password_hash(const char *pw, char out[SEC_PWHASH_MAX]);
/* WB_OK if pw matches hash, WB_EAUTH otherwise. *rehash_out is set to 1 when
 * the hash was made with other limits than the current policy. */
int sec_password_verify(const char *hash, const char *pw, int *rehash_out);
/* Burns the same time as a verification, for unknown user names. */
void sec_password_dummy_verify(const char *pw);
/* WB_OK, or WB_EINVAL with a reason (English) in reason_out. */
int sec_password_policy(const char *pw, const char **reason_out);
/* A random password that satisfies the policy (for init and demo). */
void sec_password_generate(char out[24]);

#endif
