/*
 * Unit tests for src/security/password.h: the policy (table-driven, cheap)
 * and Argon2id hashing. A hash costs ~60 ms and 64 MiB, so this file does
 * only three of them (one hash, one right and one wrong verification); the
 * rehash check uses a hash made with libsodium's minimum limits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "../../src/security/keys.h"
#include "../../src/security/password.h"
#include "../../src/util/wb.h"

static void test_policy(void **state)
{
	char len128[129], len129[130];
	const struct {
		const char *pw;
		int rc;
	} cases[] = {
		{"", WB_EINVAL},
		{"Ab1!", WB_EINVAL},
		{"Abcdefg1!", WB_EINVAL},  /* 9 */
		{"Abcdefgh1!", WB_OK},     /* 10, four classes */
		{"abcdefgh1A", WB_OK},     /* lower, digit, upper */
		{"abcdefgh1!", WB_OK},     /* lower, digit, symbol */
		{"ABCDEFGH1!", WB_OK},     /* upper, digit, symbol */
		{"abcdefghA!", WB_OK},     /* lower, upper, symbol */
		{"abcdefghij", WB_EINVAL}, /* one class */
		{"abcdefghi1", WB_EINVAL}, /* two classes */
		{"ABCDEFGHIJ", WB_EINVAL},
		{"1234567890", WB_EINVAL},
		{"!@#$%^&*()", WB_EINVAL},
		{"abcdeABCDE", WB_EINVAL}, /* two classes */
		{"abcde 1234", WB_OK},     /* a space is a symbol */
		{"Passw0rd12", WB_OK},
		{"\xe5\xaf\x86\xe7\xa0\x81\xe5\xaf\x86\xe7\xa0\x81"
		 "a1",
		 WB_OK}, /* non-ASCII counts as a symbol */
		{len128, WB_OK},
		{len129, WB_EINVAL},
	};

	(void)state;
	for (size_t i = 0; i < 128; i++)
		len128[i] = "aA1"[i % 3];
	len128[128] = '\0';
	memcpy(len129, len128, 128);
	len129[128] = 'b';
	len129[129] = '\0';
	for (size_t i = 0; i < WB_ARRAY_LEN(cases); i++) {
		const char *why = (const char *)1;
		int rc = sec_password_policy(cases[i].pw, &why);

		if (rc != cases[i].rc)
			fail_msg("case %zu (%zu bytes): got %s, want %s", i, strlen(cases[i].pw), wb_strerror(rc),
				 wb_strerror(cases[i].rc));
		if (rc == WB_OK)
			assert_null(why);
		else
			assert_true(why && strlen(why) > 0);
	}
}

static void test_generate(void **state)
{
	char a[24], b[24];

	(void)state;
	for (int i = 0; i < 20; i++) {
		const char *why;

		sec_password_generate(a);
		sec_password_generate(b);
		assert_int_equal(strlen(a), 16);
		assert_int_equal(sec_password_policy(a, &why), WB_OK);
		assert_string_not_equal(a, b);
		/* no look-alike characters */
		assert_null(strpbrk(a, "0O1lI"));
	}
}

static void test_hash_and_verify(void **state)
{
	char hash[SEC_PWHASH_MAX];
	int rehash = -1;

	(void)state;
	sec_password_init(1);
	assert_int_equal(sec_password_hash("Correct-Horse-9", hash), WB_OK);
	assert_true(strncmp(hash, "$argon2id$", 10) == 0);
	assert_null(strstr(hash, "Correct-Horse-9"));
	assert_int_equal(sec_password_verify(hash, "Correct-Horse-9", &rehash), WB_OK);
	assert_int_equal(rehash, 0);
	rehash = -1;
	assert_int_equal(sec_password_verify(hash, "correct-Horse-9", &rehash), WB_EAUTH);
	assert_int_equal(rehash, 0);
}

static void test_verify_garbage_hash(void **state)
{
	int rehash = -1;

	(void)state;
	assert_int_equal(sec_password_verify("", "x", &rehash), WB_EAUTH);
	assert_int_equal(sec_password_verify("not a hash", "x", &rehash), WB_EAUTH);
	assert_int_equal(sec_password_verify("$argon2id$v=19$m=65536,t=2,p=1$", "x", &rehash), WB_EAUTH);
	assert_int_equal(rehash, 0);
}

static void test_rehash_flag(void **state)
{
	char weak[crypto_pwhash_STRBYTES];
	int rehash = 0;

	(void)state;
	/* a hash made with other (here: the minimum) limits verifies, and is
	 * flagged for rehashing with the current policy */
	assert_int_equal(crypto_pwhash_str_alg(weak, "Old-Passw0rd", strlen("Old-Passw0rd"),
					       crypto_pwhash_argon2id_OPSLIMIT_MIN, crypto_pwhash_argon2id_MEMLIMIT_MIN,
					       crypto_pwhash_ALG_ARGON2ID13),
			 0);
	assert_int_equal(sec_password_verify(weak, "Old-Passw0rd", &rehash), WB_OK);
	assert_int_equal(rehash, 1);
	assert_int_equal(sec_password_verify(weak, "Old-Passw0rD", &rehash), WB_EAUTH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy),          cmocka_unit_test(test_generate),
		cmocka_unit_test(test_hash_and_verify), cmocka_unit_test(test_verify_garbage_hash),
		cmocka_unit_test(test_rehash_flag),
	};

	if (sec_init() != WB_OK)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
