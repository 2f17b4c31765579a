/*
 * The HTTP layer: libmicrohttpd glue, a router with path parameters, capped
 * request bodies, response building with the security headers, request ids
 * and the access log. It knows nothing of the API's resources: the API layer
 * hands it a route table.
 */
#ifndef WB_HTTP_H
#define WB_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "../util/buf.h"

#define HTTP_MAX_PARAMS  4
#define HTTP_MAX_HEADERS 8

typedef struct http_req http_req;

typedef int (*http_handler)(http_req *r, void *ctx);

/* Work a request waits for after its handler returned (see http_defer). */
typedef void (*http_defer_fn)(http_req *r, void *arg);

/* Route flags. */
enum {
	/* The handler is short and never waits on another thread except
	 * through http_defer: it runs on the event thread that read the
	 * request. Every other handler runs on a worker thread, where it may
	 * block (a database write, a password hash, an import). */
	HTTP_INLINE = 1,
};

typedef struct http_route {
	const char *method;  /* "GET", "POST", ... */
	const char *pattern; /* "/api/v1/children/{id}" */
	http_handler handler;
	const void *data; /* handed to the handler through r->route */
	size_t body_max;  /* this route's body cap; 0 = the server's */
	unsigned flags;   /* HTTP_INLINE */
} http_route;

struct http_req {
	void *conn; /* struct MHD_Connection * */
	const char *method;
	const char *path;
	buf body;
	size_t body_max;
	int body_too_big;
	int large_slot; /* holds one of the server's large-upload slots (taken at start_ms) */
	char request_id[24];
	char client_addr[48];
	int64_t start_ms;
	const char *route_pattern;
	const http_route *route;
	const char *param_names[HTTP_MAX_PARAMS];
	char param_values[HTTP_MAX_PARAMS][64];
	int nparams;
	/* response */
	int status;
	buf out;
	const char *content_type;
	const char *cache_control;
	char *headers[HTTP_MAX_HEADERS][2];
	int nheaders;
	int64_t user_id; /* for the access log, set by the API layer */
	void *app_state; /* the API layer's per-request state (its store connection) */
	int static_file; /* response body is external (not in out) */
	const void *static_data;
	size_t static_len;
	/* the server's */
	int phase;              /* where the request is (server.c) */
	int on_event_thread;    /* the handler runs on an event thread */
	http_defer_fn defer_fn; /* set by http_defer */
	void *defer_arg;
	struct http_req *qnext; /* the worker queue */
};

/* Reverse proxies whose X-Forwarded-For is believed (IPv4 addresses and
 * CIDR blocks). */
#define HTTP_MAX_PROXIES 16
typedef struct http_proxies {
	int n;
	uint32_t addr[HTTP_MAX_PROXIES], mask[HTTP_MAX_PROXIES];
} http_proxies;

/* Parses a comma (or space) separated list; on error err names the entry. */
int http_proxies_parse(const char *list, http_proxies *out, char *err, size_t errlen);
/* 1 if the IPv4 address addr is one of p's. */
int http_proxies_match(const http_proxies *p, const char *addr);
/* The client's address: peer, or when peer is a trusted proxy the
 * rightmost X-Forwarded-For hop that is not (X-Real-IP without that
 * header). A hop that is not an IP address ends the walk. */
void http_client_from(const http_proxies *p, const char *peer, const char *xff, const char *xreal, char *out,
		      size_t outlen);

typedef struct http_config {
	const char *address; /* "127.0.0.1" */
	int port;
	unsigned connection_limit;
	unsigned per_ip_limit;
	unsigned timeout_s;
	size_t memory_limit;
	size_t body_max;
	int log_access;
	unsigned event_threads;      /* threads reading and writing connections (0: one per core) */
	unsigned workers;            /* threads running the handlers that may block (0: 64) */
	const http_proxies *proxies; /* trusted reverse proxies, parsed; NULL: none */
	/* Bodies larger than body_max (to routes with a larger cap) received
	 * at once; beyond it such a request is answered 503 before its body
	 * is read (0: no limit). */
	unsigned large_uploads;
	/* Bytes per second a body holding a large-upload slot must average,
	 * counted from timeout_s after it took the slot; a slower one is cut
	 * (the connection closed, the slot freed). 0: no floor. */
	size_t upload_min_rate;
	/* Called on the first call of a request to a route whose body cap is
	 * above body_max, before any byte of its body is read, with r->route
	 * and the path parameters set: it may answer (set r->status and r->out,
	 * e.g. 401 or 403), and the body is then never read. NULL: none. */
	http_handler early;
} http_config;

typedef struct http_server http_server;

/* Starts serving routes (NULL-terminated by method == NULL). fallback (may
 * be NULL) handles requests that match no route (static files). */
int http_start(const http_config *cfg, const http_route *routes, http_handler fallback, void *ctx, http_server **out);
/* The port actually bound (useful with port 0). */
int http_port(const http_server *s);
/* Stops accepting, lets in-flight requests finish, frees the server. */
void http_stop(http_server *s);

/* Request accessors. */
const char *http_param(const http_req *r, const char *name);
const char *http_query(const http_req *r, const char *name);
const char *http_header(const http_req *r, const char *name);
const char *http_cookie(const http_req *r, const char *name);

/* Response helpers: set status and body. */
void http_set_status(http_req *r, int status);
/* Adds a response header (copied). */
int http_add_header(http_req *r, const char *name, const char *value);

/*
 * Deferred answers. A handler on an event thread must not wait for another
 * thread (the audit writer's commit): it finishes its response as if that
 * work succeeded and calls http_defer(r, fn, arg). When the handler has
 * returned, the connection is suspended and fn(r, arg) is called; fn (or
 * whatever it starts) may rewrite the response and then calls
 * http_resume(r) exactly once, from any thread, to have it sent.
 * Only a handler on an event thread may defer (http_can_defer tells); on a
 * worker thread it simply blocks.
 */
int http_can_defer(const http_req *r);
void http_defer(http_req *r, http_defer_fn fn, void *arg);
void http_resume(http_req *r);

/* Matches path against pattern; fills params. Returns 1 on a match. Exposed
 * for unit tests. */
int http_match(const char *pattern, const char *path, http_req *r);

#endif
