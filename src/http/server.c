/*
 * libmicrohttpd glue.
 *
 * Threading: a few event threads (libmicrohttpd's thread pool on epoll)
 * read and write every connection. A route flagged HTTP_INLINE runs its
 * handler right there; it never blocks on another thread, and when its
 * answer must wait for the audit writer's commit it defers it (http_defer):
 * the connection is suspended and resumed by the writer, so an event thread
 * serves other connections meanwhile instead of sleeping. Every other
 * handler may block (a write through the writer, a password hash, an
 * import): its connection is suspended and the request handed to a pool of
 * worker threads, which resume the connection when the answer is ready.
 * Limits on connections, per-IP connections, idle time and per-connection
 * memory are set explicitly.
 *
 * The response is queued on the second (or later) call of the access
 * handler, never the first: queueing on the first call makes libmicrohttpd
 * close every keep-alive connection. Request bodies are accumulated into a
 * capped buffer; anything larger than body_max is answered 413.
 *
 * A route may take bodies larger than body_max (an import, an attachment).
 * A request to such a route is checked before any byte of its body is read
 * (cfg.early: the credentials and the role's right to the route), so that
 * nobody unauthenticated makes the server hold megabytes; and a body that
 * may be larger than body_max (declared so, or chunked) takes one of
 * cfg.large_uploads slots until it is answered, so that the memory held
 * for bodies stays bounded. Without a slot free it is answered 503 at once.
 * An answer on the first call goes out before the body (after it the
 * connection is closed); with Expect: 100-continue the client is not asked
 * for the body at all.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../util/clock.h"
#include "../util/log.h"
#include "../util/wb.h"
#include "http.h"

struct http_server {
	struct MHD_Daemon *daemon;
	const http_route *routes;
	http_handler fallback;
	void *ctx;
	http_config cfg;
	http_proxies proxies; /* a copy of *cfg.proxies (n = 0: none) */
	uint32_t boot_id;
	atomic_uint_fast64_t counter;
	atomic_int active;   /* requests between first call and completion */
	atomic_int stopping; /* set by http_stop: answer no new requests */
	atomic_uint large;   /* large-upload slots taken */
	/* the worker pool and its queue */
	pthread_t *workers;
	unsigned nworkers;
	pthread_mutex_t qmu;
	pthread_cond_t qcv;
	http_req *qhead, *qtail;
	int qstop;
};

/* http_req.phase */
enum {
	PH_NEW = 0,   /* headers and body being received */
	PH_SUSPENDED, /* on a worker, or the handler's deferred work runs */
	PH_DONE,      /* the response is ready to be queued */
};

static const char *const security_headers[][2] = {
	{"Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
				    "script-src 'self'; connect-src 'self'; font-src 'self' data:; object-src 'none'; "
				    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"},
	{"X-Content-Type-Options", "nosniff"},
	{"X-Frame-Options", "DENY"},
	{"Referrer-Policy", "no-referrer"},
	{"Cross-Origin-Opener-Policy", "same-origin"},
	{"Permissions-Policy", "camera=(), microphone=(), geolocation=()"},
};

int http_match(const char *pattern, const char *path, http_req *r)
{
	const char *p = pattern, *s = path;
	int n = 0;

	while (*p && *s) {
		if (*p == '{') {
			const char *end = strchr(p, '}');
			size_t len = 0;

			if (!end || n >= HTTP_MAX_PARAMS)
				return 0;
			while (s[len] && s[len] != '/')
				len++;
			if (len == 0 || len >= sizeof(r->param_values[0]))
				return 0;
			r->param_names[n] = p + 1;
			memcpy(r->param_values[n], s, len);
			r->param_values[n][len] = '\0';
			n++;
			s += len;
			p = end + 1;
			continue;
		}
		if (*p != *s)
			return 0;
		p++;
		s++;
	}
	if (*p || *s)
		return 0;
	r->nparams = n;
	return 1;
}

const char *http_param(const http_req *r, const char *name)
{
	size_t len = strlen(name);

	for (int i = 0; i < r->nparams; i++) {
		if (strncmp(r->param_names[i], name, len) == 0 && r->param_names[i][len] == '}')
			return r->param_values[i];
	}
	return NULL;
}

const char *http_query(const http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_header(const http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *http_cookie(const http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

void http_set_status(http_req *r, int status)
{
	r->status = status;
}

int http_add_header(http_req *r, const char *name, const char *value)
{
	if (r->nheaders >= HTTP_MAX_HEADERS)
		return WB_ETOOBIG;
	r->headers[r->nheaders][0] = strdup(name);
	r->headers[r->nheaders][1] = strdup(value);
	if (!r->headers[r->nheaders][0] || !r->headers[r->nheaders][1])
		return WB_ENOMEM;
	r->nheaders++;
	return WB_OK;
}

static void req_free(http_req *r)
{
	if (!r)
		return;
	buf_cleanup(&r->body);
	buf_cleanup(&r->out);
	for (int i = 0; i < r->nheaders; i++) {
		free(r->headers[i][0]);
		free(r->headers[i][1]);
	}
	free(r);
}

static void plain_error(http_req *r, int status, const char *code, const char *message)
{
	r->status = status;
	r->content_type = "application/json";
	buf_reset(&r->out);
	buf_printf(&r->out, "{\"error\":{\"code\":\"%s\",\"message\":\"%s\"}}", code, message);
}

/* Finds r's route (and fills its path parameters); NULL when none matches
 * the method and path. *path_matched tells whether the path matched under
 * another method. */
static const http_route *route_find(const http_server *s, http_req *r, int *path_matched)
{
	*path_matched = 0;
	for (const http_route *rt = s->routes; rt->method; rt++) {
		if (!http_match(rt->pattern, r->path, r))
			continue;
		*path_matched = 1;
		if (strcmp(rt->method, r->method) != 0)
			continue;
		r->route_pattern = rt->pattern;
		r->route = rt;
		return rt;
	}
	return NULL;
}

/* Runs r's handler (r->route, set by route_find) or answers 404/405 or
 * hands it to the fallback. */
static void dispatch(http_server *s, http_req *r, int path_matched)
{
	if (r->route) {
		r->route->handler(r, s->ctx);
		return;
	}
	if (path_matched) {
		plain_error(r, 405, "method_not_allowed", "method not allowed on this resource");
		return;
	}
	if (s->fallback && (strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0) &&
	    strncmp(r->path, "/api/", 5) != 0) {
		s->fallback(r, s->ctx);
		return;
	}
	plain_error(r, 404, "not_found", "no such resource");
}

/* Gives r's large-upload slot back, and its body with it: once r is
 * answered the body is not needed any more. */
static void large_release(http_server *s, http_req *r)
{
	if (!r->large_slot)
		return;
	r->large_slot = 0;
	buf_cleanup(&r->body);
	atomic_fetch_sub(&s->large, 1);
}

/* Takes a large-upload slot for r: 0 when all are taken. */
static int large_take(http_server *s, http_req *r)
{
	unsigned n = atomic_load(&s->large);

	do {
		if (s->cfg.large_uploads && n >= s->cfg.large_uploads)
			return 0;
	} while (!atomic_compare_exchange_weak(&s->large, &n, n + 1));
	r->large_slot = 1;
	return 1;
}

/* Whether r, holding a large-upload slot (taken on its first call, at
 * start_ms), sends its body too slowly to keep it: after the idle timeout's
 * grace it must have averaged upload_min_rate bytes a second (a body past
 * its cap, no longer kept, is answered 413 anyway). A client that sends nothing at all is
 * closed by the idle timeout; one that trickles a byte now and then, so
 * that the timeout never comes, is caught here. */
static int large_too_slow(const http_server *s, const http_req *r)
{
	int64_t grace_ms = (int64_t)s->cfg.timeout_s * 1000, late_ms;

	if (!r->large_slot || !s->cfg.upload_min_rate)
		return 0;
	late_ms = clock_mono_ms() - r->start_ms - grace_ms;
	return late_ms > 0 && (double)r->body.len * 1000.0 < (double)s->cfg.upload_min_rate * (double)late_ms;
}

/* Queues r's response. With closing, the connection is closed after it
 * (the server is stopping: clients must not send more on it). */
static enum MHD_Result send_response(http_server *s, struct MHD_Connection *conn, http_req *r, int closing)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	large_release(s, r);
	if (r->static_file)
		resp = MHD_create_response_from_buffer(r->static_len, (void *)r->static_data, MHD_RESPMEM_PERSISTENT);
	else
		resp = MHD_create_response_from_buffer(r->out.len, r->out.data ? r->out.data : (char *)"",
						       MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	for (size_t i = 0; i < WB_ARRAY_LEN(security_headers); i++)
		MHD_add_response_header(resp, security_headers[i][0], security_headers[i][1]);
	MHD_add_response_header(resp, "X-Request-Id", r->request_id);
	MHD_add_response_header(resp, "Content-Type", r->content_type ? r->content_type : "application/json");
	MHD_add_response_header(resp, "Cache-Control", r->cache_control ? r->cache_control : "no-store");
	for (int i = 0; i < r->nheaders; i++)
		MHD_add_response_header(resp, r->headers[i][0], r->headers[i][1]);
	if (closing)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	ret = MHD_queue_response(conn, (unsigned)(r->status ? r->status : 500), resp);
	MHD_destroy_response(resp);
	return ret;
}

static void client_address(struct MHD_Connection *conn, char *out, size_t outlen)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	out[0] = '\0';
	if (!ci || !ci->client_addr)
		return;
	if (ci->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)ci->client_addr)->sin_addr, out,
			  (socklen_t)outlen);
	else if (ci->client_addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)ci->client_addr)->sin6_addr, out,
			  (socklen_t)outlen);
}

static int hex_digit(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

/* %XX in the path and the query decoded as libmicrohttpd would, but for
 * %00: a NUL would end the text where it stands (/children/21%00x read as
 * /children/21), so it stays the three characters it was sent as, and an
 * id or a word with it in is refused as any other wrong one is. */
static size_t unescape(void *cls, struct MHD_Connection *conn, char *s)
{
	char *w = s;
	const char *p = s;

	(void)cls;
	(void)conn;
	while (*p) {
		int hi = p[0] == '%' ? hex_digit(p[1]) : -1, lo = hi >= 0 ? hex_digit(p[2]) : -1;

		if (lo >= 0 && (hi | lo) != 0) {
			*w++ = (char)(hi << 4 | lo);
			p += 3;
		} else {
			*w++ = *p++;
		}
	}
	*w = '\0';
	return (size_t)(w - s);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	http_server *s = cls;
	http_req *r = *con_cls;

	(void)version;
	if (!r) {
		const char *cl;
		int cl_small = 0;

		r = calloc(1, sizeof(*r));
		if (!r)
			return MHD_NO;
		r->conn = conn;
		r->method = method;
		r->path = url;
		r->start_ms = clock_mono_ms();
		{
			size_t cap = s->cfg.body_max;

			for (const http_route *rt = s->routes; rt->method; rt++)
				if (rt->body_max && strcmp(rt->method, method) == 0 && http_match(rt->pattern, url, r))
					cap = rt->body_max;
			r->nparams = 0;
			r->body_max = cap;
			buf_init(&r->body, cap);
		}
		buf_init(&r->out, 64u << 20);
		wb_snprintf(r->request_id, sizeof(r->request_id), "%08" PRIx32 "%012" PRIx64, s->boot_id,
			    (uint64_t)atomic_fetch_add(&s->counter, 1));
		client_address(conn, r->client_addr, sizeof(r->client_addr));
		if (s->proxies.n) {
			char peer[sizeof(r->client_addr)];

			memcpy(peer, r->client_addr, sizeof(peer));
			http_client_from(&s->proxies, peer,
					 MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Forwarded-For"),
					 MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Real-IP"),
					 r->client_addr, sizeof(r->client_addr));
		}
		*con_cls = r;
		atomic_fetch_add(&s->active, 1);
		/* During shutdown a kept-alive connection may still bring new
		 * requests; refusing them lets the drain finish. */
		if (atomic_load(&s->stopping)) {
			plain_error(r, 503, "shutting_down", "the server is shutting down; try again shortly");
			return send_response(s, conn, r, 1);
		}
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
		if (cl) {
			long long n = 0;

			if (wb_parse_int64(cl, 0, INT64_MAX, &n) == WB_OK) {
				if ((size_t)n > r->body_max) {
					plain_error(r, 413, "body_too_large", "request body is larger than allowed");
					return send_response(s, conn, r, atomic_load(&s->stopping));
				}
				cl_small = (size_t)n <= s->cfg.body_max;
			}
		}
		if (r->body_max > s->cfg.body_max) {
			int path_matched;

			/* before any byte of a body that may be large: who asks */
			if (s->cfg.early && route_find(s, r, &path_matched)) {
				s->cfg.early(r, s->ctx);
				if (r->status)
					return send_response(s, conn, r, atomic_load(&s->stopping));
			}
			if (!cl_small && !large_take(s, r)) {
				http_add_header(r, "Retry-After", "30");
				plain_error(r, 503, "too_many_uploads",
					    "too many large uploads are being received; try again shortly");
				return send_response(s, conn, r, atomic_load(&s->stopping));
			}
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (!r->body_too_big && buf_append(&r->body, upload_data, *upload_data_size) != WB_OK)
			r->body_too_big = 1;
		*upload_data_size = 0;
		if (large_too_slow(s, r)) {
			/* no answer can be queued while a body comes in: the
			 * connection is closed, and the slot freed with it */
			log_warn("request %s: large upload cut after %zu bytes in %" PRId64
				 " ms (slower than upload_min_rate)",
				 r->request_id, r->body.len, clock_mono_ms() - r->start_ms);
			return MHD_NO;
		}
		return MHD_YES;
	}
	if (r->phase == PH_DONE)
		return send_response(s, conn, r, atomic_load(&s->stopping));
	if (r->phase != PH_NEW || r->status)
		return MHD_YES; /* suspended, or answered on the first call (413, 503) */
	if (r->body_too_big) {
		plain_error(r, 413, "body_too_large", "request body is larger than allowed");
		return send_response(s, conn, r, atomic_load(&s->stopping));
	}
	{
		int path_matched;
		const http_route *rt = route_find(s, r, &path_matched);

		if (rt && !(rt->flags & HTTP_INLINE)) {
			r->phase = PH_SUSPENDED;
			MHD_suspend_connection(conn);
			pthread_mutex_lock(&s->qmu);
			if (s->qtail)
				s->qtail->qnext = r;
			else
				s->qhead = r;
			s->qtail = r;
			pthread_cond_signal(&s->qcv);
			pthread_mutex_unlock(&s->qmu);
			return MHD_YES;
		}
		r->on_event_thread = 1;
		dispatch(s, r, path_matched);
		r->on_event_thread = 0;
	}
	if (r->defer_fn) {
		r->phase = PH_SUSPENDED;
		MHD_suspend_connection(conn);
		r->defer_fn(r, r->defer_arg); /* it calls http_resume, maybe at once */
		return MHD_YES;
	}
	return send_response(s, conn, r, atomic_load(&s->stopping));
}

int http_can_defer(const http_req *r)
{
	return r->on_event_thread;
}

void http_defer(http_req *r, http_defer_fn fn, void *arg)
{
	r->defer_fn = fn;
	r->defer_arg = arg;
}

void http_resume(http_req *r)
{
	r->phase = PH_DONE;
	MHD_resume_connection(r->conn);
}

static void *worker_main(void *arg)
{
	http_server *s = arg;

	pthread_setname_np(pthread_self(), "wb-worker");
	for (;;) {
		http_req *r;

		pthread_mutex_lock(&s->qmu);
		while (!s->qhead && !s->qstop)
			pthread_cond_wait(&s->qcv, &s->qmu);
		r = s->qhead;
		if (!r) {
			pthread_mutex_unlock(&s->qmu);
			return NULL;
		}
		s->qhead = r->qnext;
		if (!s->qhead)
			s->qtail = NULL;
		r->qnext = NULL;
		pthread_mutex_unlock(&s->qmu);
		dispatch(s, r, 1); /* route_find found its route already */
		http_resume(r);
	}
}

static void workers_stop(http_server *s, unsigned n)
{
	pthread_mutex_lock(&s->qmu);
	s->qstop = 1;
	pthread_cond_broadcast(&s->qcv);
	pthread_mutex_unlock(&s->qmu);
	for (unsigned i = 0; i < n; i++)
		pthread_join(s->workers[i], NULL);
	free(s->workers);
	s->workers = NULL;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	http_server *s = cls;
	http_req *r = *con_cls;

	(void)conn;
	if (!r)
		return;
	large_release(s, r);
	if (s->cfg.log_access)
		log_info("access id=%s method=%s route=%s status=%d bytes=%zu ms=%" PRId64 " user=%" PRId64 "%s",
			 r->request_id, r->method, r->route_pattern ? r->route_pattern : "-", r->status,
			 r->static_file ? r->static_len : r->out.len, clock_mono_ms() - r->start_ms, r->user_id,
			 toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted=1");
	req_free(r);
	*con_cls = NULL;
	atomic_fetch_sub(&s->active, 1);
}

/* cfg's event threads, or one per core */
static unsigned event_threads(const http_config *cfg)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (cfg->event_threads)
		return cfg->event_threads;
	return n < 1 ? 1u : n > 64 ? 64u : (unsigned)n;
}

int http_start(const http_config *cfg, const http_route *routes, http_handler fallback, void *ctx, http_server **out)
{
	struct sockaddr_in sa;
	http_server *s = calloc(1, sizeof(*s));

	if (!s)
		return WB_ENOMEM;
	s->routes = routes;
	s->fallback = fallback;
	s->ctx = ctx;
	s->cfg = *cfg;
	s->boot_id = randombytes_random();
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)cfg->port);
	if (inet_pton(AF_INET, cfg->address, &sa.sin_addr) != 1) {
		log_error("http: listen address must be an IPv4 address");
		free(s);
		return WB_EINVAL;
	}
	if (cfg->proxies)
		s->proxies = *cfg->proxies;
	s->nworkers = cfg->workers ? cfg->workers : 64;
	pthread_mutex_init(&s->qmu, NULL);
	pthread_cond_init(&s->qcv, NULL);
	s->workers = calloc(s->nworkers, sizeof(*s->workers));
	if (!s->workers) {
		free(s);
		return WB_ENOMEM;
	}
	{
		pthread_attr_t at;
		unsigned i;

		pthread_attr_init(&at);
		pthread_attr_setstacksize(&at, (size_t)(512 * 1024));
		for (i = 0; i < s->nworkers; i++)
			if (pthread_create(&s->workers[i], &at, worker_main, s) != 0)
				break;
		pthread_attr_destroy(&at);
		if (i < s->nworkers) {
			log_error("http: cannot start the worker threads");
			workers_stop(s, i);
			free(s);
			return WB_ENOMEM;
		}
	}
	s->daemon = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC |
			MHD_USE_ERROR_LOG,
		(uint16_t)cfg->port, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		MHD_OPTION_THREAD_POOL_SIZE, event_threads(cfg), MHD_OPTION_CONNECTION_LIMIT, cfg->connection_limit,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->per_ip_limit, MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, cfg->memory_limit, MHD_OPTION_THREAD_STACK_SIZE,
		(size_t)(512 * 1024), MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024, MHD_OPTION_NOTIFY_COMPLETED,
		on_completed, s, MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL, MHD_OPTION_END);
	if (!s->daemon) {
		log_error("http: cannot listen on %s:%d", cfg->address, cfg->port);
		workers_stop(s, s->nworkers);
		free(s);
		return WB_EIO;
	}
	*out = s;
	return WB_OK;
}

int http_port(const http_server *s)
{
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);

	return di ? di->port : 0;
}

void http_stop(http_server *s)
{
	if (!s)
		return;
	atomic_store(&s->stopping, 1);
	MHD_quiesce_daemon(s->daemon);
	/* Let requests already inside a handler finish and be answered (at most
	 * 15 s), then close the remaining (idle keep-alive) connections. */
	for (int i = 0; i < 1500 && atomic_load(&s->active) > 0; i++) {
		struct timespec ts = {0, 10 * 1000 * 1000};

		nanosleep(&ts, NULL);
	}
	MHD_stop_daemon(s->daemon);
	workers_stop(s, s->nworkers);
	pthread_mutex_destroy(&s->qmu);
	pthread_cond_destroy(&s->qcv);
	free(s);
}
