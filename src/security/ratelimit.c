/* Login rate limiting; see ratelimit.h. */
#include "ratelimit.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

#define RL_SLOTS    4096
#define RL_PROBES   8  /* slots an address may take, from its hash on */
#define RL_ADDR_LEN 48 /* an IPv6 address as text fits */

/* A token bucket per slot: full at first, refilled at budget per window,
 * one token an attempt. Unlike counts per clock minute it gives no double
 * budget across a minute's turn. Tokens are kept in 1/RL_UNIT parts. */
#define RL_UNIT 1000000LL

typedef struct rl_slot {
	int64_t last;           /* when the bucket was last refilled (0: never used) */
	int64_t tokens;         /* in 1/RL_UNIT tokens */
	char addr[RL_ADDR_LEN]; /* whose bucket it is */
} rl_slot;

static rl_slot slots[RL_SLOTS];
static pthread_mutex_t rl_mu = PTHREAD_MUTEX_INITIALIZER;
static int rl_budget = 0, rl_window = 60;
static unsigned char rl_key[crypto_shorthash_KEYBYTES];

/* The logins in progress, one entry each (an address may have up to
 * rl_checks); beyond BUSY_MAX at once a login is refused as busy. */
#define BUSY_MAX 1024
#define BUSY_LEN 48

static char busy[BUSY_MAX][BUSY_LEN];
static int busy_n;
static int rl_checks = 1; /* password checks at once per address (0: any) */
static pthread_mutex_t busy_mu = PTHREAD_MUTEX_INITIALIZER;

void ratelimit_init(int per_window, int window_s, int checks)
{
	pthread_mutex_lock(&rl_mu);
	rl_budget = per_window;
	rl_window = window_s > 0 ? window_s : 60;
	randombytes_buf(rl_key, sizeof(rl_key));
	memset(slots, 0, sizeof(slots));
	pthread_mutex_unlock(&rl_mu);
	pthread_mutex_lock(&busy_mu);
	rl_checks = checks;
	pthread_mutex_unlock(&busy_mu);
}

/* addr's slot among the RL_PROBES from hash v on: the one that holds it,
 * else the first free one (never used, or unused for a whole window: its
 * bucket would be full again, so nothing is lost by forgetting it), given
 * to addr with a full bucket; when every one holds another address that
 * is still counting, the first (shared). Called with rl_mu held. */
static rl_slot *find_slot(const char *addr, uint64_t v, int64_t now)
{
	rl_slot *free_slot = NULL;
	size_t len = strlen(addr);

	if (len >= RL_ADDR_LEN)
		len = RL_ADDR_LEN - 1;
	for (int i = 0; i < RL_PROBES; i++) {
		rl_slot *s = &slots[(v + (uint64_t)i) % RL_SLOTS];

		if (s->last && strncmp(s->addr, addr, len) == 0 && s->addr[len] == '\0')
			return s;
		if (!free_slot && (!s->last || now - s->last >= rl_window))
			free_slot = s;
	}
	if (!free_slot)
		return &slots[v % RL_SLOTS];
	memset(free_slot, 0, sizeof(*free_slot));
	memcpy(free_slot->addr, addr, len);
	return free_slot;
}

int ratelimit_take(const char *addr, int64_t now)
{
	unsigned char h[crypto_shorthash_BYTES];
	uint64_t v = 0;
	rl_slot *s;
	int64_t full;
	int ok;

	if (rl_budget <= 0)
		return 1;
	crypto_shorthash(h, (const unsigned char *)addr, strlen(addr), rl_key);
	memcpy(&v, h, sizeof(v));
	pthread_mutex_lock(&rl_mu);
	s = find_slot(addr, v, now);
	full = (int64_t)rl_budget * RL_UNIT;
	if (!s->last || now - s->last >= rl_window) {
		s->tokens = full; /* unused for a whole window: full again */
	} else if (now > s->last) {
		s->tokens += (now - s->last) * full / rl_window;
		if (s->tokens > full)
			s->tokens = full;
	}
	if (now > s->last)
		s->last = now;
	ok = s->tokens >= RL_UNIT;
	if (ok)
		s->tokens -= RL_UNIT;
	pthread_mutex_unlock(&rl_mu);
	return ok;
}

/* addr cut to an entry's length; its length. */
static size_t busy_key(const char *addr)
{
	size_t len = strlen(addr);

	return len >= BUSY_LEN ? BUSY_LEN - 1 : len;
}

static int busy_is(int i, const char *addr, size_t len)
{
	return strncmp(busy[i], addr, len) == 0 && busy[i][len] == '\0';
}

int ratelimit_busy_enter(const char *addr)
{
	size_t len = busy_key(addr);
	int ok, n = 0;

	pthread_mutex_lock(&busy_mu);
	for (int i = 0; i < busy_n; i++)
		n += busy_is(i, addr, len);
	ok = (rl_checks <= 0 || n < rl_checks) && busy_n < BUSY_MAX;
	if (ok) {
		memcpy(busy[busy_n], addr, len);
		busy[busy_n][len] = '\0';
		busy_n++;
	}
	pthread_mutex_unlock(&busy_mu);
	return ok;
}

void ratelimit_busy_leave(const char *addr)
{
	size_t len = busy_key(addr);

	pthread_mutex_lock(&busy_mu);
	for (int i = 0; i < busy_n; i++) {
		if (busy_is(i, addr, len)) {
			busy_n--;
			if (i != busy_n)
				memcpy(busy[i], busy[busy_n], BUSY_LEN);
			break;
		}
	}
	pthread_mutex_unlock(&busy_mu);
}
