/*
 * The closed loop's background work inside `weibao serve`: a thread that
 * runs the overdue scan every scan_interval seconds, and a thread that
 * delivers queued webhook calls.
 *
 * Deliveries are rows (webhook_deliveries): a step queues them in its own
 * transaction, so nothing is sent for a step that did not commit and
 * nothing queued is lost on a restart. The delivery thread takes due rows,
 * POSTs each with libcurl (bounded by a timeout, no redirects, http and
 * https only), and records the outcome through the writer: delivered on a
 * 2xx, otherwise the next attempt after backoff * 2^(attempts-1) (at most
 * an hour), and failed after max_attempts.
 *
 * The body is {"id","event","attempt","sent_at","data"}: data is the
 * payload queued with the step (event, request id, step, due time — no
 * names, no ID numbers). X-Weibao-Signature is "sha256=" + hex
 * HMAC-SHA256(secret, raw body); X-Weibao-Timestamp repeats sent_at, which
 * the signature covers since it is inside the body. Receivers should
 * reject old timestamps and dedupe by id.
 */
#include <curl/curl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../util/clock.h"
#include "../util/log.h"
#include "../util/wb.h"
#include "loop.h"

#define DUE_BATCH    16
#define IDLE_WAIT_MS 1000
#define BACKOFF_CAP  (3600 * 1000LL)

struct loop_workers {
	app *a;
	loop_options o;
	pthread_t scan_th, hook_th;
	int have_scan, have_hook;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;
	int kicked;
};

static pthread_mutex_t current_mu = PTHREAD_MUTEX_INITIALIZER;
static loop_workers *current;

void loop_webhooks_kick(void)
{
	pthread_mutex_lock(&current_mu);
	if (current) {
		pthread_mutex_lock(&current->mu);
		current->kicked = 1;
		pthread_cond_broadcast(&current->cv);
		pthread_mutex_unlock(&current->mu);
	}
	pthread_mutex_unlock(&current_mu);
}

/* Waits up to ms (or until stopped or kicked). Returns 1 when stopping. */
static int wait_ms(loop_workers *w, int64_t ms, int wake_on_kick)
{
	struct timespec until;
	int stop;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += (time_t)(ms / 1000);
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&w->mu);
	while (!w->stop && !(wake_on_kick && w->kicked))
		if (pthread_cond_timedwait(&w->cv, &w->mu, &until) != 0)
			break;
	if (wake_on_kick)
		w->kicked = 0;
	stop = w->stop;
	pthread_mutex_unlock(&w->mu);
	return stop;
}

/* ---- the overdue scan ---- */

static void *scan_main(void *arg)
{
	loop_workers *w = arg;

	do {
		loop_scan_result res;
		int rc = loop_scan_submit(w->a->audit, w->a->db, clock_now(), &res);

		if (rc)
			log_warn("loop: the overdue scan failed (%s)", wb_strerror(rc));
		else if (res.requests + res.referrals + res.police + res.follow_ups)
			log_info("loop: overdue alerts raised: %d requests, %d referrals, %d police feedback, %d "
				 "follow-up visits (%d repeats)",
				 res.requests, res.referrals, res.police, res.follow_ups, res.repeats);
	} while (!wait_ms(w, w->o.scan_interval_s * 1000, 0));
	return NULL;
}

/* ---- webhook deliveries ---- */

typedef struct due_list {
	delivery_rec *d[DUE_BATCH];
	int n;
} due_list;

static int collect_due(const delivery_rec *d, void *arg)
{
	due_list *l = arg;
	delivery_rec *copy;

	if (l->n >= DUE_BATCH)
		return WB_OK;
	copy = malloc(sizeof(*copy));
	if (!copy)
		return WB_ENOMEM;
	*copy = *d;
	l->d[l->n++] = copy;
	return WB_OK;
}

typedef struct result_job {
	int64_t id;
	const char *state;
	int attempts;
	int64_t next_ms;
	int status;
	const char *error;
	int64_t delivered_at;
} result_job;

static int result_fn(store_conn *c, void *arg)
{
	result_job *j = arg;

	return store_delivery_result(c, j->id, j->state, j->attempts, j->next_ms, j->status, j->error, j->delivered_at);
}

static size_t discard(char *ptr, size_t size, size_t n, void *arg)
{
	(void)ptr;
	(void)arg;
	return size * n;
}

/* One attempt: 0 and the HTTP status, or an error text in err. */
static int post(loop_workers *w, const delivery_rec *d, int attempt, long *status, char *err, size_t errlen)
{
	char secret[128], body[2048], mac_hex[crypto_auth_hmacsha256_BYTES * 2 + 1], h[5][160];
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	struct curl_slist *hdrs = NULL;
	int64_t sent = clock_now();
	CURL *curl;
	CURLcode cc;
	int rc = 0;

	*status = 0;
	if (sec_decrypt_field(&w->a->keys, d->secret_enc, secret, sizeof(secret)) != WB_OK) {
		wb_snprintf(err, errlen, "the webhook's secret cannot be read (key changed?)");
		return -1;
	}
	if (wb_snprintf(body, sizeof(body),
			"{\"id\":%" PRId64 ",\"event\":\"%s\",\"attempt\":%d,\"sent_at\":%" PRId64 ",\"data\":%s}",
			d->id, d->event, attempt, sent, d->payload) != WB_OK) {
		wb_snprintf(err, errlen, "payload too large");
		sodium_memzero(secret, sizeof(secret));
		return -1;
	}
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, strlen(body));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(secret, sizeof(secret));
	sodium_bin2hex(mac_hex, sizeof(mac_hex), mac, sizeof(mac));
	wb_snprintf(h[0], sizeof(h[0]), "X-Weibao-Signature: sha256=%s", mac_hex);
	wb_snprintf(h[1], sizeof(h[1]), "X-Weibao-Timestamp: %" PRId64, sent);
	wb_snprintf(h[2], sizeof(h[2]), "X-Weibao-Event: %s", d->event);
	wb_snprintf(h[3], sizeof(h[3]), "X-Weibao-Delivery: %" PRId64, d->id);
	wb_snprintf(h[4], sizeof(h[4]), "Content-Type: application/json");
	for (int i = 0; i < 5; i++)
		hdrs = curl_slist_append(hdrs, h[i]);
	curl = curl_easy_init();
	if (!curl || !hdrs) {
		wb_snprintf(err, errlen, "out of memory");
		rc = -1;
		goto out;
	}
	curl_easy_setopt(curl, CURLOPT_URL, d->url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)w->o.webhook_timeout_s);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, (long)(w->o.webhook_timeout_s < 5 ? w->o.webhook_timeout_s : 5));
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(curl, CURLOPT_USERAGENT,
			 "weibao/"
			 "0.1");
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
	cc = curl_easy_perform(curl);
	if (cc != CURLE_OK) {
		wb_snprintf(err, errlen, "%s", curl_easy_strerror(cc));
		rc = -1;
		goto out;
	}
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
out:
	if (curl)
		curl_easy_cleanup(curl);
	curl_slist_free_all(hdrs);
	return rc;
}

static void deliver(loop_workers *w, const delivery_rec *d)
{
	result_job j = {d->id, "pending", d->attempts + 1, 0, 0, NULL, 0};
	char err[256] = "";
	long status = 0;
	int rc = post(w, d, d->attempts + 1, &status, err, sizeof(err));

	j.status = (int)status;
	if (rc == 0 && status >= 200 && status < 300) {
		j.state = "delivered";
		j.delivered_at = clock_now();
	} else {
		int64_t delay = w->o.webhook_backoff_ms;

		if (rc == 0)
			wb_snprintf(err, sizeof(err), "HTTP %ld", status);
		j.error = err;
		for (int i = 1; i < j.attempts && delay < BACKOFF_CAP; i++)
			delay *= 2;
		j.next_ms = clock_now_ms() + (delay < BACKOFF_CAP ? delay : BACKOFF_CAP);
		if (j.attempts >= w->o.webhook_max_attempts)
			j.state = "failed";
		log_warn("webhooks: delivery %" PRId64 " attempt %d failed (%s)%s", d->id, j.attempts, err,
			 strcmp(j.state, "failed") == 0 ? "; giving up" : "");
	}
	if (audit_submit(w->a->audit, NULL, result_fn, &j) != WB_OK)
		log_error("webhooks: the outcome of delivery %" PRId64 " could not be recorded", d->id);
}

static void *hook_main(void *arg)
{
	loop_workers *w = arg;

	for (;;) {
		due_list l = {.n = 0};
		int64_t next = 0, now_ms = clock_now_ms(), wait = IDLE_WAIT_MS;
		store_conn *c = store_acquire(w->a->db);
		int rc = store_deliveries_due(c, now_ms, DUE_BATCH, collect_due, &l);

		if (rc == WB_OK && l.n == 0)
			rc = store_deliveries_next(c, &next);
		store_release(c);
		if (rc)
			log_warn("webhooks: cannot read the delivery queue (%s)", wb_strerror(rc));
		for (int i = 0; i < l.n; i++) {
			pthread_mutex_lock(&w->mu);
			int stop = w->stop;
			pthread_mutex_unlock(&w->mu);

			if (!stop)
				deliver(w, l.d[i]);
			free(l.d[i]);
		}
		if (l.n > 0)
			wait = 0; /* look again: more may be due, or a retry soon */
		else if (next > 0 && next - clock_now_ms() < wait)
			wait = next - clock_now_ms() > 0 ? next - clock_now_ms() : 0;
		if (wait_ms(w, wait, 1))
			break;
	}
	return NULL;
}

int loop_workers_start(app *a, const loop_options *o, loop_workers **out)
{
	loop_workers *w = calloc(1, sizeof(*w));

	*out = NULL;
	if (!w)
		return WB_ENOMEM;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		free(w);
		return WB_EIO;
	}
	w->a = a;
	w->o = *o;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if (o->scan_interval_s > 0)
		w->have_scan = pthread_create(&w->scan_th, NULL, scan_main, w) == 0;
	w->have_hook = pthread_create(&w->hook_th, NULL, hook_main, w) == 0;
	pthread_mutex_lock(&current_mu);
	current = w;
	pthread_mutex_unlock(&current_mu);
	*out = w;
	return WB_OK;
}

void loop_workers_stop(loop_workers *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&current_mu);
	current = NULL;
	pthread_mutex_unlock(&current_mu);
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	if (w->have_scan)
		pthread_join(w->scan_th, NULL);
	if (w->have_hook)
		pthread_join(w->hook_th, NULL);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	curl_global_cleanup();
	free(w);
}
