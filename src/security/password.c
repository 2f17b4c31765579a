/* Argon2id hashing with a concurrency cap; see password.h. */
#include "password.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>
#include <unistd.h>

#include "../util/wb.h"

static pthread_mutex_t pw_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pw_cv = PTHREAD_COND_INITIALIZER;
static int pw_running, pw_max = 0;

void sec_password_init(int max_concurrent)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	pthread_mutex_lock(&pw_mu);
	pw_max = max_concurrent > 0 ? max_concurrent : (n > 0 ? (int)n : 1);
	pthread_mutex_unlock(&pw_mu);
}

static void pw_enter(void)
{
	pthread_mutex_lock(&pw_mu);
	if (pw_max == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		pw_max = n > 0 ? (int)n : 1;
	}
	while (pw_running >= pw_max)
		pthread_cond_wait(&pw_cv, &pw_mu);
	pw_running++;
	pthread_mutex_unlock(&pw_mu);
}

static void pw_leave(void)
{
	pthread_mutex_lock(&pw_mu);
	pw_running--;
	pthread_cond_signal(&pw_cv);
	pthread_mutex_unlock(&pw_mu);
}

int sec_password_hash(const char *pw, char out[SEC_PWHASH_MAX])
{
	int rc;

	pw_enter();
	rc = crypto_pwhash_str_alg(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
				   crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13);
	pw_leave();
	return rc == 0 ? WB_OK : WB_ENOMEM;
}

int sec_password_verify(const char *hash, const char *pw, int *rehash_out)
{
	int rc;

	*rehash_out = 0;
	pw_enter();
	rc = crypto_pwhash_str_verify(hash, pw, strlen(pw));
	pw_leave();
	if (rc != 0)
		return WB_EAUTH;
	*rehash_out = crypto_pwhash_str_needs_rehash(hash, crypto_pwhash_OPSLIMIT_INTERACTIVE,
						     crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0;
	return WB_OK;
}

static char dummy_hash[SEC_PWHASH_MAX];

static void dummy_init(void)
{
	if (sec_password_hash("weibao-dummy-Password-0", dummy_hash) != WB_OK)
		dummy_hash[0] = '\0';
}

void sec_password_dummy_verify(const char *pw)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	int rehash;

	pthread_once(&once, dummy_init);
	if (dummy_hash[0])
		(void)sec_password_verify(dummy_hash, pw, &rehash);
}

int sec_password_policy(const char *pw, const char **reason_out)
{
	size_t n = strlen(pw);
	int lower = 0, upper = 0, digit = 0, other = 0;

	*reason_out = NULL;
	if (n < 10) {
		*reason_out = "password must have at least 10 characters";
		return WB_EINVAL;
	}
	if (n > 128) {
		*reason_out = "password must have at most 128 characters";
		return WB_EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)pw[i];

		if (ch >= 'a' && ch <= 'z')
			lower = 1;
		else if (ch >= 'A' && ch <= 'Z')
			upper = 1;
		else if (ch >= '0' && ch <= '9')
			digit = 1;
		else
			other = 1;
	}
	if (lower + upper + digit + other < 3) {
		*reason_out = "password must mix at least three of: lower case, upper case, digits, symbols";
		return WB_EINVAL;
	}
	return WB_OK;
}

void sec_password_generate(char out[24])
{
	static const char alpha[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

	for (;;) {
		const char *why;

		for (int i = 0; i < 16; i++)
			out[i] = alpha[randombytes_uniform((uint32_t)(sizeof(alpha) - 1))];
		out[16] = '\0';
		if (sec_password_policy(out, &why) == WB_OK)
			return;
	}
}
