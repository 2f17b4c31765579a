/* Key file handling and the libsodium primitives described in keys.h. */
#include "keys.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/wb.h"

int sec_init(void)
{
	return sodium_init() < 0 ? WB_ECRYPTO : WB_OK;
}

void sec_keys_derive(const unsigned char master[32], sec_keys *out)
{
	crypto_kdf_derive_from_key(out->id_key, 32, 1, "wb-idnum", master);
	crypto_kdf_derive_from_key(out->bidx_key, 32, 2, "wb-bidx_", master);
	crypto_kdf_derive_from_key(out->token_key, 32, 3, "wb-token", master);
	crypto_kdf_derive_from_key(out->audit_key, 32, 4, "wb-audit", master);
	crypto_kdf_derive_from_key(out->stored_key, 32, 5, "wb-store", master);
	crypto_kdf_derive_from_key(out->check_key, 32, 6, "wb-check", master);
}

static int write_new_key(const char *path, unsigned char master[32])
{
	char hex[65];
	int fd, rc = WB_OK;

	randombytes_buf(master, 32);
	sodium_bin2hex(hex, sizeof(hex), master, 32);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		return WB_EIO;
	if (write(fd, hex, 64) != 64 || write(fd, "\n", 1) != 1)
		rc = WB_EIO;
	if (fsync(fd) != 0)
		rc = WB_EIO;
	close(fd);
	sodium_memzero(hex, sizeof(hex));
	return rc;
}

int sec_keys_create(const char *path, sec_keys *out)
{
	unsigned char master[32];
	int rc = write_new_key(path, master);

	if (rc == WB_OK)
		sec_keys_derive(master, out);
	sodium_memzero(master, sizeof(master));
	return rc;
}

int sec_keys_load(const char *path, int create, sec_keys *out)
{
	unsigned char master[32];
	char hex[80];
	size_t binlen = 0;
	FILE *f;
	int rc = WB_OK;

	f = fopen(path, "r");
	if (!f) {
		if (errno != ENOENT || !create)
			return WB_ECRYPTO;
		rc = write_new_key(path, master);
		if (rc)
			return rc;
		sec_keys_derive(master, out);
		sodium_memzero(master, sizeof(master));
		return WB_OK;
	}
	if (!fgets(hex, sizeof(hex), f))
		rc = WB_ECRYPTO;
	fclose(f);
	if (rc == WB_OK && (sodium_hex2bin(master, sizeof(master), hex, 64, NULL, &binlen, NULL) != 0 || binlen != 32))
		rc = WB_ECRYPTO;
	if (rc == WB_OK)
		sec_keys_derive(master, out);
	sodium_memzero(master, sizeof(master));
	sodium_memzero(hex, sizeof(hex));
	return rc;
}

int sec_encrypt_field(const sec_keys *k, const char *plain, char out[SEC_ENC_MAX])
{
	unsigned char
		buf[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + 64 + crypto_aead_xchacha20poly1305_ietf_ABYTES];
	const size_t nb = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
	size_t plen = strlen(plain);
	unsigned long long clen = 0;

	if (plen > 64)
		return WB_ETOOBIG;
	randombytes_buf(buf, nb);
	crypto_aead_xchacha20poly1305_ietf_encrypt(buf + nb, &clen, (const unsigned char *)plain, plen, NULL, 0, NULL,
						   buf, k->id_key);
	sodium_bin2base64(out, SEC_ENC_MAX, buf, nb + (size_t)clen, sodium_base64_VARIANT_ORIGINAL);
	return WB_OK;
}

int sec_decrypt_field(const sec_keys *k, const char *enc, char *out, size_t outlen)
{
	unsigned char
		buf[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + 64 + crypto_aead_xchacha20poly1305_ietf_ABYTES];
	const size_t nb = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
	unsigned long long mlen = 0;
	size_t blen = 0;

	if (sodium_base642bin(buf, sizeof(buf), enc, strlen(enc), NULL, &blen, NULL, sodium_base64_VARIANT_ORIGINAL) !=
		    0 ||
	    blen < nb + crypto_aead_xchacha20poly1305_ietf_ABYTES)
		return WB_ECRYPTO;
	if (blen - nb - crypto_aead_xchacha20poly1305_ietf_ABYTES >= outlen)
		return WB_ETOOBIG;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)out, &mlen, NULL, buf + nb, blen - nb, NULL, 0,
						       buf, k->id_key) != 0)
		return WB_ECRYPTO;
	out[mlen] = '\0';
	return WB_OK;
}

int sec_encrypt_text(const sec_keys *k, const char *plain, char **out)
{
	const size_t nb = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
	size_t plen = strlen(plain), blen = nb + plen + crypto_aead_xchacha20poly1305_ietf_ABYTES, olen;
	unsigned char *b = malloc(blen);
	unsigned long long clen = 0;

	*out = NULL;
	if (!b)
		return WB_ENOMEM;
	randombytes_buf(b, nb);
	crypto_aead_xchacha20poly1305_ietf_encrypt(b + nb, &clen, (const unsigned char *)plain, plen, NULL, 0, NULL, b,
						   k->stored_key);
	olen = sodium_base64_encoded_len(nb + (size_t)clen, sodium_base64_VARIANT_ORIGINAL);
	*out = malloc(olen);
	if (*out)
		sodium_bin2base64(*out, olen, b, nb + (size_t)clen, sodium_base64_VARIANT_ORIGINAL);
	free(b);
	return *out ? WB_OK : WB_ENOMEM;
}

int sec_decrypt_text(const sec_keys *k, const char *enc, char **out)
{
	const size_t nb = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, elen = strlen(enc);
	unsigned char *b = malloc(elen / 4 * 3 + 3);
	unsigned long long mlen = 0;
	size_t blen = 0;
	int rc = WB_ECRYPTO;

	*out = NULL;
	if (!b)
		return WB_ENOMEM;
	if (sodium_base642bin(b, elen / 4 * 3 + 3, enc, elen, NULL, &blen, NULL, sodium_base64_VARIANT_ORIGINAL) == 0 &&
	    blen >= nb + crypto_aead_xchacha20poly1305_ietf_ABYTES) {
		*out = malloc(blen - nb - crypto_aead_xchacha20poly1305_ietf_ABYTES + 1);
		rc = *out ? WB_OK : WB_ENOMEM;
		if (rc == WB_OK &&
		    crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)*out, &mlen, NULL, b + nb, blen - nb,
							       NULL, 0, b, k->stored_key) != 0) {
			free(*out);
			*out = NULL;
			rc = WB_ECRYPTO;
		}
		if (rc == WB_OK)
			(*out)[mlen] = '\0';
	}
	free(b);
	return rc;
}

static void keyed_hex(const unsigned char key[32], const void *data, size_t len, char out[SEC_HASH_HEX])
{
	unsigned char h[32];

	crypto_generichash(h, sizeof(h), data, len, key, 32);
	sodium_bin2hex(out, SEC_HASH_HEX, h, sizeof(h));
}

void sec_blind_index(const sec_keys *k, const char *plain, char out[SEC_HASH_HEX])
{
	keyed_hex(k->bidx_key, plain, strlen(plain), out);
}

void sec_key_check(const sec_keys *k, char out[SEC_HASH_HEX])
{
	static const char label[] = "weibao key check v1";

	keyed_hex(k->check_key, label, sizeof(label) - 1, out);
}

void sec_token_new(char out[SEC_TOKEN_LEN])
{
	unsigned char r[32];

	randombytes_buf(r, sizeof(r));
	sodium_bin2base64(out, SEC_TOKEN_LEN, r, sizeof(r), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void sec_token_hash(const sec_keys *k, const char *token, char out[SEC_HASH_HEX])
{
	keyed_hex(k->token_key, token, strlen(token), out);
}

void sec_chain_hash(const sec_keys *k, const char *prev_hex, const char *data, size_t len, char out[SEC_HASH_HEX])
{
	crypto_generichash_state st;
	unsigned char h[32];

	crypto_generichash_init(&st, k->audit_key, 32, sizeof(h));
	crypto_generichash_update(&st, (const unsigned char *)prev_hex, strlen(prev_hex));
	crypto_generichash_update(&st, (const unsigned char *)"\n", 1);
	crypto_generichash_update(&st, (const unsigned char *)data, len);
	crypto_generichash_final(&st, h, sizeof(h));
	sodium_bin2hex(out, SEC_HASH_HEX, h, sizeof(h));
}

int sec_streq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la != lb)
		return 0;
	return sodium_memcmp(a, b, la) == 0;
}
