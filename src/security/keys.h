/*
 * Key material and the primitives built on it: field encryption of ID
 * numbers (XChaCha20-Poly1305), the keyed blind index for exact lookup
 * (keyed BLAKE2b), token generation and hashing, and the audit chain MAC.
 *
 * One 32-byte master key lives in a key file (hex, mode 0600); purpose keys
 * are derived from it with libsodium's KDF so that no two uses share a key.
 */
#ifndef WB_KEYS_H
#define WB_KEYS_H

#include <stddef.h>

#define SEC_HASH_HEX  65  /* 32-byte digest as hex + NUL */
#define SEC_TOKEN_LEN 44  /* 32 random bytes, base64url without padding + NUL */
#define SEC_ENC_MAX   160 /* encrypted ID number as base64 + NUL */

typedef struct sec_keys {
	unsigned char id_key[32];
	unsigned char bidx_key[32];
	unsigned char token_key[32];
	unsigned char audit_key[32];
	unsigned char stored_key[32]; /* answers kept for an Idempotency-Key replay */
	unsigned char check_key[32];  /* the key check value a database keeps */
} sec_keys;

/* Initializes libsodium; call once at start. */
int sec_init(void);
/* Loads the master key from path; with create, writes a new random key
 * (mode 0600) if the file does not exist. */
int sec_keys_load(const char *path, int create, sec_keys *out);
/* Writes a new random key to path, which must not exist (mode 0600,
 * synced), and derives its purpose keys. WB_EIO when path exists or the
 * write failed (the caller removes a file it made). For weibao rekey. */
int sec_keys_create(const char *path, sec_keys *out);
/* Derives the purpose keys from a 32-byte master key (tests). */
void sec_keys_derive(const unsigned char master[32], sec_keys *out);

/* The key check value, as hex: a keyed hash of a fixed label under a
 * purpose key of its own. A database keeps it to tell its key from another
 * installation's; it reveals nothing of the key. */
void sec_key_check(const sec_keys *k, char out[SEC_HASH_HEX]);

/* Encrypts a NUL-terminated value to base64 text (nonce || ciphertext). */
int sec_encrypt_field(const sec_keys *k, const char *plain, char out[SEC_ENC_MAX]);
/* Decrypts what sec_encrypt_field produced into out (size outlen). */
int sec_decrypt_field(const sec_keys *k, const char *enc, char *out, size_t outlen);
/* Encrypts a text of any length (an answer kept for a replay) with its own
 * key to base64 (nonce || ciphertext) in *out (malloc'd). WB_ENOMEM. */
int sec_encrypt_text(const sec_keys *k, const char *plain, char **out);
/* Decrypts what sec_encrypt_text produced into *out (malloc'd): WB_OK, or
 * WB_ECRYPTO when enc is not such a text (altered, or another key). */
int sec_decrypt_text(const sec_keys *k, const char *enc, char **out);
/* Keyed blind index of a value, as hex. */
void sec_blind_index(const sec_keys *k, const char *plain, char out[SEC_HASH_HEX]);
/* A new random token (base64url). */
void sec_token_new(char out[SEC_TOKEN_LEN]);
/* Keyed hash of a token, as hex: what the database stores. */
void sec_token_hash(const sec_keys *k, const char *token, char out[SEC_HASH_HEX]);
/* Keyed hash over (prev hex || data) for the audit chain. */
void sec_chain_hash(const sec_keys *k, const char *prev_hex, const char *data, size_t len, char out[SEC_HASH_HEX]);
/* Constant-time comparison of two NUL-terminated strings. */
int sec_streq(const char *a, const char *b);

#endif
