/* Login rate limiting; see ratelimit.h. */
#include "ratelimit.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

#define RL_SLOTS 4096

typedef struct rl_slot {
	int64_t window;
	int count;
} rl_slot;

static rl_slot slots[RL_SLOTS];
static pthread_mutex_t rl_mu = PTHREAD_MUTEX_INITIALIZER;
static int rl_budget = 0, rl_window = 60;
static unsigned char rl_key[crypto_shorthash_KEYBYTES];

void ratelimit_init(int per_window, int window_s)
{
	pthread_mutex_lock(&rl_mu);
	rl_budget = per_window;
	rl_window = window_s > 0 ? window_s : 60;
	randombytes_buf(rl_key, sizeof(rl_key));
	memset(slots, 0, sizeof(slots));
	pthread_mutex_unlock(&rl_mu);
}

int ratelimit_take(const char *addr, int64_t now)
{
	unsigned char h[crypto_shorthash_BYTES];
	uint64_t v = 0;
	rl_slot *s;
	int ok;

	if (rl_budget <= 0)
		return 1;
	crypto_shorthash(h, (const unsigned char *)addr, strlen(addr), rl_key);
	memcpy(&v, h, sizeof(v));
	pthread_mutex_lock(&rl_mu);
	s = &slots[v % RL_SLOTS];
	if (s->window != now / rl_window) {
		s->window = now / rl_window;
		s->count = 0;
	}
	ok = s->count < rl_budget;
	if (ok)
		s->count++;
	pthread_mutex_unlock(&rl_mu);
	return ok;
}
