/*
 * Two small in-memory caches in front of what every read request looks up:
 * the session behind a token (with its user and membership) and the names
 * of areas. Both are direct-mapped tables: a lookup either finds a fresh
 * entry or the caller reads the store and puts what it found.
 *
 * Freshness: an entry is used for at most a few seconds, and never after a
 * change made by this process. Every change of sessions, users or
 * memberships through the API calls api_cache_sessions_changed() once it
 * is committed; the generation it bumps is read before the store is, so an
 * entry read from a snapshot older than a change is never put as current.
 * Changes made by another process (the `weibao user` commands, area
 * imports from the CLI) take effect when the entry expires.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "../util/clock.h"
#include "../util/wb.h"
#include "api.h"

#define SESSION_SLOTS  256 /* power of two */
#define SESSION_TTL_MS 2000
#define AREA_SLOTS     2048 /* power of two; a county has ~600 areas */
#define AREA_WAYS      4    /* a name may sit in any of 4 slots of its set */
#define AREA_TTL_MS    30000
#define UNIT_SLOTS     256 /* power of two; a county has ~100 units */
#define UNIT_TTL_MS    30000
#define STRIPES        16

typedef struct session_entry {
	char token_hash[SEC_HASH_HEX];
	uint64_t gen;
	int64_t at_ms;
	session_rec s;
	user_rec u;
	membership_rec m;
} session_entry;

typedef struct area_entry {
	char code[16];
	uint64_t gen;
	int64_t at_ms;
	char name[128];
} area_entry;

typedef struct unit_entry {
	uint64_t gen;
	int64_t at_ms;
	unit_rec u; /* u.id == 0: empty */
} unit_entry;

static session_entry sessions[SESSION_SLOTS];
static unit_entry units[UNIT_SLOTS];
static area_entry areas[AREA_SLOTS];
static pthread_mutex_t stripes[STRIPES] = {
	PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
	PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
	PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
	PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
};
static _Atomic uint64_t session_gen = 1;
static _Atomic uint64_t area_gen = 1;
static _Atomic uint64_t unit_gen = 1;

static uint32_t slot_of(const char *s)
{
	return (uint32_t)wb_fnv1a(s);
}

uint64_t api_cache_session_generation(void)
{
	return atomic_load(&session_gen);
}

void api_cache_sessions_changed(void)
{
	atomic_fetch_add(&session_gen, 1);
}

int api_cache_session_get(const char *token_hash, session_rec *s, user_rec *u, membership_rec *m)
{
	uint32_t h = slot_of(token_hash);
	session_entry *e = &sessions[h & (SESSION_SLOTS - 1)];
	pthread_mutex_t *mu = &stripes[h % STRIPES];
	int hit = 0;

	pthread_mutex_lock(mu);
	if (e->gen == atomic_load(&session_gen) && clock_mono_ms() - e->at_ms < SESSION_TTL_MS &&
	    strcmp(e->token_hash, token_hash) == 0) {
		*s = e->s;
		*u = e->u;
		*m = e->m;
		hit = 1;
	}
	pthread_mutex_unlock(mu);
	return hit;
}

void api_cache_session_put(const char *token_hash, uint64_t gen, const session_rec *s, const user_rec *u,
			   const membership_rec *m)
{
	uint32_t h = slot_of(token_hash);
	session_entry *e = &sessions[h & (SESSION_SLOTS - 1)];
	pthread_mutex_t *mu = &stripes[h % STRIPES];

	pthread_mutex_lock(mu);
	wb_strlcpy(e->token_hash, token_hash, sizeof(e->token_hash));
	e->gen = gen;
	e->at_ms = clock_mono_ms();
	e->s = *s;
	e->u = *u;
	e->m = *m;
	/* the password hash is never needed to authenticate a session */
	memset(e->u.password_hash, 0, sizeof(e->u.password_hash));
	pthread_mutex_unlock(mu);
}

void api_cache_areas_changed(void)
{
	atomic_fetch_add(&area_gen, 1);
}

int api_area_name(store_conn *c, const char *code, char *name, size_t n)
{
	uint32_t h = slot_of(code);
	area_entry *set = &areas[(h * AREA_WAYS) & (AREA_SLOTS - 1)];
	pthread_mutex_t *mu = &stripes[h % STRIPES];
	uint64_t gen = atomic_load(&area_gen);
	int64_t now = clock_mono_ms();
	area_rec ar;
	int rc;

	pthread_mutex_lock(mu);
	for (int w = 0; w < AREA_WAYS; w++) {
		area_entry *e = &set[w];

		if (e->gen == gen && now - e->at_ms < AREA_TTL_MS && strcmp(e->code, code) == 0) {
			wb_strlcpy(name, e->name, n);
			pthread_mutex_unlock(mu);
			return WB_OK;
		}
	}
	pthread_mutex_unlock(mu);
	rc = store_area_get(c, code, &ar);
	if (rc != WB_OK)
		return rc;
	wb_strlcpy(name, ar.name, n);
	if (strlen(code) < sizeof(set->code) && strlen(ar.name) < sizeof(set->name)) {
		area_entry *e = &set[0];

		pthread_mutex_lock(mu);
		for (int w = 1; w < AREA_WAYS; w++) /* the one that is stale or oldest */
			if (set[w].gen != e->gen ? set[w].gen < e->gen : set[w].at_ms < e->at_ms)
				e = &set[w];
		wb_strlcpy(e->code, code, sizeof(e->code));
		wb_strlcpy(e->name, ar.name, sizeof(e->name));
		e->gen = gen;
		e->at_ms = clock_mono_ms();
		pthread_mutex_unlock(mu);
	}
	return WB_OK;
}

void api_cache_units_changed(void)
{
	atomic_fetch_add(&unit_gen, 1);
}

/*
 * Units (departments, organisations, schools) change rarely (a rename by
 * the administrator, which empties this cache once committed); the TTL
 * bounds how long a slot keeps one that another took over, and a change
 * made by another process.
 */
int api_unit_get(store_conn *c, int64_t id, unit_rec *out)
{
	unit_entry *e = &units[(uint64_t)id & (UNIT_SLOTS - 1)];
	pthread_mutex_t *mu = &stripes[(uint64_t)id % STRIPES];
	uint64_t gen = atomic_load(&unit_gen);
	int rc;

	pthread_mutex_lock(mu);
	if (id && e->u.id == id && e->gen == gen && clock_mono_ms() - e->at_ms < UNIT_TTL_MS) {
		*out = e->u;
		pthread_mutex_unlock(mu);
		return WB_OK;
	}
	pthread_mutex_unlock(mu);
	rc = store_unit_get(c, id, out);
	if (rc != WB_OK)
		return rc;
	pthread_mutex_lock(mu);
	e->u = *out;
	e->gen = gen;
	e->at_ms = clock_mono_ms();
	pthread_mutex_unlock(mu);
	return WB_OK;
}
