/*
 * Unit tests for src/security/keys.h: field encryption round trip and
 * tamper detection, the blind index (deterministic per key, different
 * across keys), token generation and hashing, the chain hash, constant-time
 * string comparison, and the key file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../src/security/keys.h"
#include "../../src/util/buf.h"
#include "../../src/util/wb.h"

static sec_keys ka, kb;

static int setup(void **state)
{
	unsigned char ma[32], mb[32];

	(void)state;
	if (sec_init() != WB_OK)
		return -1;
	for (int i = 0; i < 32; i++) {
		ma[i] = (unsigned char)i;
		mb[i] = (unsigned char)(i + 1);
	}
	sec_keys_derive(ma, &ka);
	sec_keys_derive(mb, &kb);
	return 0;
}

static int is_hex64(const char *s)
{
	if (strlen(s) != 64)
		return 0;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return 0;
	return 1;
}

static void test_derive(void **state)
{
	unsigned char m[32];
	sec_keys again;

	(void)state;
	for (int i = 0; i < 32; i++)
		m[i] = (unsigned char)i;
	sec_keys_derive(m, &again);
	assert_memory_equal(&again, &ka, sizeof(ka)); /* deterministic */
	assert_memory_not_equal(&ka, &kb, sizeof(ka));
	/* one key per purpose */
	assert_memory_not_equal(ka.id_key, ka.bidx_key, 32);
	assert_memory_not_equal(ka.id_key, ka.token_key, 32);
	assert_memory_not_equal(ka.id_key, ka.audit_key, 32);
	assert_memory_not_equal(ka.bidx_key, ka.token_key, 32);
	assert_memory_not_equal(ka.bidx_key, ka.audit_key, 32);
	assert_memory_not_equal(ka.token_key, ka.audit_key, 32);
}

static void test_encrypt_round_trip(void **state)
{
	static const char *const plains[] = {
		"11010519491231002X",
		"",
		"x",
		"\xe5\xbc\xa0\xe4\xb8\x89",
		"0123456789012345678901234567890123456789012345678901234567890123", /* 64 = the maximum */
	};

	(void)state;
	for (size_t i = 0; i < WB_ARRAY_LEN(plains); i++) {
		char enc[SEC_ENC_MAX], enc2[SEC_ENC_MAX], out[80];

		assert_int_equal(sec_encrypt_field(&ka, plains[i], enc), WB_OK);
		assert_true(strlen(enc) < SEC_ENC_MAX);
		if (strlen(plains[i]) >= 6)
			assert_null(strstr(enc, plains[i])); /* not in the clear */
		assert_int_equal(sec_decrypt_field(&ka, enc, out, sizeof(out)), WB_OK);
		assert_string_equal(out, plains[i]);
		/* a fresh nonce each time: equal values do not give equal ciphertexts */
		assert_int_equal(sec_encrypt_field(&ka, plains[i], enc2), WB_OK);
		assert_string_not_equal(enc, enc2);
		assert_int_equal(sec_decrypt_field(&ka, enc2, out, sizeof(out)), WB_OK);
		assert_string_equal(out, plains[i]);
		/* the other key cannot read it */
		assert_int_equal(sec_decrypt_field(&kb, enc, out, sizeof(out)), WB_ECRYPTO);
	}
}

static void test_encrypt_too_long(void **state)
{
	char plain[66], enc[SEC_ENC_MAX];

	(void)state;
	memset(plain, '1', 65);
	plain[65] = '\0';
	assert_int_equal(sec_encrypt_field(&ka, plain, enc), WB_ETOOBIG);
}

static void test_decrypt_small_output(void **state)
{
	char enc[SEC_ENC_MAX], out[32];

	(void)state;
	assert_int_equal(sec_encrypt_field(&ka, "11010519491231002X", enc), WB_OK);
	memset(out, '#', sizeof(out));
	assert_int_equal(sec_decrypt_field(&ka, enc, out, 18), WB_ETOOBIG); /* no room for the NUL */
	assert_int_equal(out[18], '#');
	assert_int_equal(sec_decrypt_field(&ka, enc, out, 19), WB_OK);
	assert_string_equal(out, "11010519491231002X");
}

static int b64val(char c)
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = strchr(alpha, c);

	return p && c ? (int)(p - alpha) : -1;
}

static void test_tampered_ciphertext(void **state)
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char enc[SEC_ENC_MAX], bad[SEC_ENC_MAX], out[64];
	size_t n;

	(void)state;
	assert_int_equal(sec_encrypt_field(&ka, "11010519491231002X", enc), WB_OK);
	n = strlen(enc);
	/* flip the top bit of every base64 digit (always a used bit): nonce,
	 * ciphertext and tag are all authenticated */
	for (size_t i = 0; i < n; i++) {
		int v = b64val(enc[i]);

		if (v < 0)
			continue; /* padding */
		memcpy(bad, enc, n + 1);
		bad[i] = alpha[v ^ 0x20];
		if (sec_decrypt_field(&ka, bad, out, sizeof(out)) != WB_ECRYPTO)
			fail_msg("flipping base64 digit %zu was not detected", i);
	}
	/* truncated, extended, empty, not base64 */
	for (size_t cut = 0; cut < n; cut += 7) {
		memcpy(bad, enc, cut);
		bad[cut] = '\0';
		if (sec_decrypt_field(&ka, bad, out, sizeof(out)) != WB_ECRYPTO)
			fail_msg("ciphertext cut to %zu characters accepted", cut);
	}
	assert_int_equal(wb_snprintf(bad, sizeof(bad), "%sAAAA", enc), WB_OK);
	assert_int_equal(sec_decrypt_field(&ka, bad, out, sizeof(out)), WB_ECRYPTO);
	assert_int_equal(sec_decrypt_field(&ka, "", out, sizeof(out)), WB_ECRYPTO);
	assert_int_equal(sec_decrypt_field(&ka, "!!!not base64!!!", out, sizeof(out)), WB_ECRYPTO);
	assert_int_equal(sec_decrypt_field(&ka, "11010519491231002X", out, sizeof(out)), WB_ECRYPTO);
	{
		/* far longer than any ciphertext: rejected, no overflow */
		char huge[1024];

		memset(huge, 'A', sizeof(huge) - 1);
		huge[sizeof(huge) - 1] = '\0';
		assert_int_equal(sec_decrypt_field(&ka, huge, out, sizeof(out)), WB_ECRYPTO);
	}
}

static void test_text_round_trip(void **state)
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *big = malloc(70000), *enc = NULL, *out = NULL, *enc2 = NULL;
	size_t n;

	(void)state;
	assert_non_null(big);
	/* an answer of any size, Chinese text included */
	for (size_t i = 0; i < 69999; i++)
		big[i] = (char)('a' + i % 26);
	big[69999] = '\0';
	memcpy(big, "{\"name\":\"\xe7\x8e\x8b\"}", 14);
	assert_int_equal(sec_encrypt_text(&ka, big, &enc), WB_OK);
	assert_null(strstr(enc, "abcdefghij"));
	assert_int_equal(sec_decrypt_text(&ka, enc, &out), WB_OK);
	assert_string_equal(out, big);
	free(out);
	out = NULL;
	/* a fresh nonce each time; another key cannot read it */
	assert_int_equal(sec_encrypt_text(&ka, big, &enc2), WB_OK);
	assert_string_not_equal(enc, enc2);
	assert_int_equal(sec_decrypt_text(&kb, enc, &out), WB_ECRYPTO);
	assert_null(out);
	/* one changed digit, a cut, nothing, not base64 */
	n = strlen(enc);
	enc[n / 2] = alpha[(strchr(alpha, enc[n / 2]) - alpha) ^ 0x20];
	assert_int_equal(sec_decrypt_text(&ka, enc, &out), WB_ECRYPTO);
	enc2[20] = '\0';
	assert_int_equal(sec_decrypt_text(&ka, enc2, &out), WB_ECRYPTO);
	assert_int_equal(sec_decrypt_text(&ka, "", &out), WB_ECRYPTO);
	assert_int_equal(sec_decrypt_text(&ka, "!!!not base64!!!", &out), WB_ECRYPTO);
	free(enc);
	free(enc2);
	/* the empty answer */
	assert_int_equal(sec_encrypt_text(&ka, "", &enc), WB_OK);
	assert_int_equal(sec_decrypt_text(&ka, enc, &out), WB_OK);
	assert_string_equal(out, "");
	free(enc);
	free(out);
	free(big);
}

static void test_blind_index(void **state)
{
	char a1[SEC_HASH_HEX], a2[SEC_HASH_HEX], b1[SEC_HASH_HEX], other[SEC_HASH_HEX], tok[SEC_HASH_HEX];

	(void)state;
	sec_blind_index(&ka, "11010519491231002X", a1);
	sec_blind_index(&ka, "11010519491231002X", a2);
	sec_blind_index(&kb, "11010519491231002X", b1);
	sec_blind_index(&ka, "11010519491231003X", other);
	sec_token_hash(&ka, "11010519491231002X", tok);
	assert_true(is_hex64(a1));
	assert_string_equal(a1, a2);     /* deterministic per key: exact lookup works */
	assert_string_not_equal(a1, b1); /* another master key, another index */
	assert_string_not_equal(a1, other);
	assert_string_not_equal(a1, tok); /* purposes do not share keys */
}

static void test_tokens(void **state)
{
	char t1[SEC_TOKEN_LEN], t2[SEC_TOKEN_LEN], h1[SEC_HASH_HEX], h2[SEC_HASH_HEX], hb[SEC_HASH_HEX];

	(void)state;
	sec_token_new(t1);
	sec_token_new(t2);
	assert_int_equal(strlen(t1), SEC_TOKEN_LEN - 1);
	assert_string_not_equal(t1, t2);
	for (const char *p = t1; *p; p++)
		assert_true((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
			    *p == '-' || *p == '_');
	sec_token_hash(&ka, t1, h1);
	sec_token_hash(&ka, t1, h2);
	sec_token_hash(&kb, t1, hb);
	assert_true(is_hex64(h1));
	assert_string_equal(h1, h2);
	assert_string_not_equal(h1, hb);
	sec_token_hash(&ka, t2, h2);
	assert_string_not_equal(h1, h2);
}

static void test_chain_hash(void **state)
{
	char h[SEC_HASH_HEX], same[SEC_HASH_HEX], prev2[SEC_HASH_HEX], data2[SEC_HASH_HEX], key2[SEC_HASH_HEX];
	char len2[SEC_HASH_HEX];
	const char *prev = "0000000000000000000000000000000000000000000000000000000000000000";

	(void)state;
	sec_chain_hash(&ka, prev, "1\n2\n", 4, h);
	sec_chain_hash(&ka, prev, "1\n2\n", 4, same);
	sec_chain_hash(&ka, "1000000000000000000000000000000000000000000000000000000000000000", "1\n2\n", 4, prev2);
	sec_chain_hash(&ka, prev, "1\n3\n", 4, data2);
	sec_chain_hash(&kb, prev, "1\n2\n", 4, key2);
	sec_chain_hash(&ka, prev, "1\n2\n", 3, len2); /* len counts, not strlen */
	assert_true(is_hex64(h));
	assert_string_equal(h, same);
	assert_string_not_equal(h, prev2);
	assert_string_not_equal(h, data2);
	assert_string_not_equal(h, key2);
	assert_string_not_equal(h, len2);
}

static void test_streq(void **state)
{
	static const struct {
		const char *a, *b;
		int want;
	} cases[] = {
		{"", "", 1},      {"a", "a", 1}, {"abc", "abc", 1}, {"abc", "abd", 0}, {"abc", "ab", 0},
		{"ab", "abc", 0}, {"", "a", 0},  {"a", "", 0},      {"Abc", "abc", 0}, {"abc\xff", "abc\xfe", 0},
	};

	(void)state;
	for (size_t i = 0; i < WB_ARRAY_LEN(cases); i++)
		if (sec_streq(cases[i].a, cases[i].b) != cases[i].want)
			fail_msg("case %zu: \"%s\" vs \"%s\"", i, cases[i].a, cases[i].b);
}

static void test_key_file(void **state)
{
	char dir[] = "/tmp/weibao-keys-XXXXXX", path[64], bad[64];
	sec_keys k1, k2;
	struct stat st;
	FILE *f;
	char line[100];

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(wb_snprintf(path, sizeof(path), "%s/master.key", dir), WB_OK);
	assert_int_equal(sec_keys_load(path, 0, &k1), WB_ECRYPTO); /* missing, no create */
	assert_int_equal(sec_keys_load(path, 1, &k1), WB_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	assert_int_equal(strlen(line), 65);
	line[64] = '\0';
	assert_true(is_hex64(line));
	assert_int_equal(sec_keys_load(path, 1, &k2), WB_OK); /* existing file is read, not replaced */
	assert_memory_equal(&k1, &k2, sizeof(k1));
	assert_int_equal(sec_keys_load(path, 0, &k2), WB_OK);
	assert_memory_equal(&k1, &k2, sizeof(k1));

	/* malformed key files */
	{
		static const char *const contents[] = {
			"", "zz\n", "0123\n", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e\n"};

		assert_int_equal(wb_snprintf(bad, sizeof(bad), "%s/bad.key", dir), WB_OK);
		for (size_t i = 0; i < WB_ARRAY_LEN(contents); i++) {
			f = fopen(bad, "w");
			assert_non_null(f);
			fputs(contents[i], f);
			fclose(f);
			if (sec_keys_load(bad, 1, &k2) != WB_ECRYPTO)
				fail_msg("malformed key file %zu accepted", i);
		}
		/* a well-formed file gives the keys sec_keys_derive gives */
		f = fopen(bad, "w");
		assert_non_null(f);
		fputs("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n", f);
		fclose(f);
		assert_int_equal(sec_keys_load(bad, 0, &k2), WB_OK);
		assert_memory_equal(&k2, &ka, sizeof(ka));
		unlink(bad);
	}
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_derive),
		cmocka_unit_test(test_encrypt_round_trip),
		cmocka_unit_test(test_encrypt_too_long),
		cmocka_unit_test(test_decrypt_small_output),
		cmocka_unit_test(test_tampered_ciphertext),
		cmocka_unit_test(test_text_round_trip),
		cmocka_unit_test(test_blind_index),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_chain_hash),
		cmocka_unit_test(test_streq),
		cmocka_unit_test(test_key_file),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
