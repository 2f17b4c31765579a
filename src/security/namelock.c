/* Lockout for unknown user names; see namelock.h. */
#include "namelock.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* The table holds at most NL_BYTES of failure times: with the default of
 * 5 failures a lock that is some 100,000 names; with the most the
 * configuration allows (1,000) still 500. Names hash into sets of NL_WAYS
 * slots; a new name takes a free slot of its set or evicts one. */
#define NL_BYTES (4u << 20)
#define NL_WAYS  8u
#define NL_HASH  16u

typedef struct nl_slot {
	unsigned char h[NL_HASH];
	int64_t used; /* last failure or look-up; 0: free */
	int locked;
	int n;    /* failure times held, at most nl_max */
	int head; /* next place in the ring */
} nl_slot;

static pthread_mutex_t nl_mu = PTHREAD_MUTEX_INITIALIZER;
static nl_slot *nl_slots;
static int64_t *nl_times; /* nl_max per slot, a ring */
static size_t nl_sets;
static int nl_max;
static int64_t nl_window;
static int64_t nl_tick; /* orders uses when the clock does not move */
static unsigned char nl_key[crypto_generichash_KEYBYTES];

void namelock_free(void)
{
	pthread_mutex_lock(&nl_mu);
	free(nl_slots);
	free(nl_times);
	nl_slots = NULL;
	nl_times = NULL;
	nl_sets = 0;
	pthread_mutex_unlock(&nl_mu);
}

void namelock_init(int max, int64_t window_s)
{
	size_t per, sets;

	namelock_free();
	if (max < 1)
		return;
	per = sizeof(nl_slot) + (size_t)max * sizeof(int64_t);
	sets = NL_BYTES / (per * NL_WAYS);
	if (sets < 1)
		sets = 1;
	pthread_mutex_lock(&nl_mu);
	nl_slots = calloc(sets * NL_WAYS, sizeof(nl_slot));
	nl_times = calloc(sets * NL_WAYS * (size_t)max, sizeof(int64_t));
	if (!nl_slots || !nl_times) {
		free(nl_slots);
		free(nl_times);
		nl_slots = NULL;
		nl_times = NULL;
	} else {
		nl_sets = sets;
		nl_max = max;
		nl_window = window_s;
		nl_tick = 0;
		randombytes_buf(nl_key, sizeof(nl_key));
	}
	pthread_mutex_unlock(&nl_mu);
}

/* The slot of name (with the lock held), or NULL if it is not there; with
 * `take`, a slot for it, evicting if need be. */
static nl_slot *nl_find(const char *name, int take)
{
	unsigned char h[NL_HASH];
	uint64_t v = 0;
	nl_slot *set, *victim = NULL;
	size_t i;

	if (!nl_slots)
		return NULL;
	crypto_generichash(h, sizeof(h), (const unsigned char *)name, strlen(name), nl_key, sizeof(nl_key));
	memcpy(&v, h, sizeof(v));
	set = &nl_slots[(v % nl_sets) * NL_WAYS];
	for (i = 0; i < NL_WAYS; i++)
		if (set[i].used && memcmp(set[i].h, h, NL_HASH) == 0)
			return &set[i];
	if (!take)
		return NULL;
	for (i = 0; i < NL_WAYS; i++) {
		nl_slot *s = &set[i];

		if (!s->used) {
			victim = s;
			break;
		}
		/* unlocked before locked, then the least recently used */
		if (!victim || (victim->locked && !s->locked) ||
		    (victim->locked == s->locked && s->used < victim->used))
			victim = s;
	}
	memset(victim, 0, sizeof(*victim));
	memcpy(victim->h, h, NL_HASH);
	return victim;
}

int namelock_locked(const char *name)
{
	nl_slot *s;
	int locked = 0;

	pthread_mutex_lock(&nl_mu);
	s = nl_find(name, 0);
	if (s && s->locked) {
		locked = 1;
		s->used = ++nl_tick;
	}
	pthread_mutex_unlock(&nl_mu);
	return locked;
}

int namelock_fail(const char *name, int64_t now)
{
	nl_slot *s;
	int64_t *t;
	int i, recent = 0, lock = 0;

	pthread_mutex_lock(&nl_mu);
	s = nl_find(name, 1);
	if (s) {
		t = &nl_times[(size_t)(s - nl_slots) * (size_t)nl_max];
		/* failures within the window before this one, as for an account */
		for (i = 0; i < s->n; i++)
			if (t[i] >= now - nl_window)
				recent++;
		t[s->head] = now;
		s->head = (s->head + 1) % nl_max;
		if (s->n < nl_max)
			s->n++;
		s->used = ++nl_tick;
		if (!s->locked && recent + 1 >= nl_max) {
			s->locked = 1;
			lock = 1;
		}
	}
	pthread_mutex_unlock(&nl_mu);
	return lock;
}
