/*
 * The web UI: the single-page app is embedded in the binary at build time
 * (one file to deploy) or, in development, served from a folder. Hashed
 * assets are immutable; index.html is never cached; unknown paths that are
 * not API paths get index.html so that client-side routes work on reload.
 *
 * The embedded files of a type that compresses are also embedded gzipped
 * (scripts/embed.cmake): a client that accepts gzip gets those bytes with
 * Content-Encoding: gzip, any other the identity bytes; both answers say
 * Vary: Accept-Encoding. Each has its own ETag, so If-None-Match answers
 * 304 for the representation the client holds.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../store/embedded.h"
#include "../util/wb.h"
#include "api.h"

extern const embedded_file embedded_web[];
extern const size_t embedded_web_count;

static const char *mime_of(const char *path)
{
	static const char *const map[][2] = {
		{".html", "text/html; charset=utf-8"},
		{".js", "text/javascript; charset=utf-8"},
		{".mjs", "text/javascript; charset=utf-8"},
		{".css", "text/css; charset=utf-8"},
		{".json", "application/json"},
		{".svg", "image/svg+xml"},
		{".png", "image/png"},
		{".ico", "image/x-icon"},
		{".woff2", "font/woff2"},
		{".woff", "font/woff"},
		{".ttf", "font/ttf"},
		{".txt", "text/plain; charset=utf-8"},
	};
	const char *dot = strrchr(path, '.');

	if (dot)
		for (size_t i = 0; i < WB_ARRAY_LEN(map); i++)
			if (strcmp(dot, map[i][0]) == 0)
				return map[i][1];
	return "application/octet-stream";
}

static int safe_path(const char *p)
{
	if (p[0] != '/' || strstr(p, "..") || strchr(p, '\\') || strlen(p) > 200)
		return 0;
	return 1;
}

static const embedded_file *find_embedded(const char *rel)
{
	for (size_t i = 0; i < embedded_web_count; i++)
		if (strcmp(embedded_web[i].name, rel) == 0)
			return &embedded_web[i];
	return NULL;
}

static int ci_eq(const char *a, size_t n, const char *b)
{
	return strlen(b) == n && strncasecmp(a, b, n) == 0;
}

int api_accepts_gzip(const char *ae)
{
	int gzip_q = -1, star_q = -1; /* -1: not named; 0: refused; 1: accepted */
	const char *p = ae;

	if (!p)
		return 0;
	while (*p) {
		const char *tok;
		size_t n;
		int q = 1;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		tok = p;
		while (*p && *p != ',' && *p != ';' && *p != ' ' && *p != '\t')
			p++;
		n = (size_t)(p - tok);
		/* parameters: only q matters, and only whether it is 0 */
		while (*p && *p != ',') {
			if (*p == ';') {
				p++;
				while (*p == ' ' || *p == '\t')
					p++;
				if ((*p == 'q' || *p == 'Q') && p[1] == '=') {
					int digits = 0, nonzero = 0;

					p += 2;
					for (; (*p >= '0' && *p <= '9') || *p == '.'; p++)
						if (*p != '.') {
							digits++;
							nonzero |= *p != '0';
						}
					q = digits && !nonzero ? 0 : 1;
					continue;
				}
			}
			p++;
		}
		if (ci_eq(tok, n, "gzip") || ci_eq(tok, n, "x-gzip"))
			gzip_q = gzip_q == 0 ? 0 : q;
		else if (ci_eq(tok, n, "*"))
			star_q = q;
	}
	return gzip_q >= 0 ? gzip_q : star_q > 0;
}

/* 1 if the If-None-Match list inm names the ETag tag ("\"...\"") or is "*". */
static int etag_matches(const char *inm, const char *tag)
{
	const char *p = inm;

	if (!p)
		return 0;
	while (*p == ' ' || *p == '\t')
		p++;
	if (p[0] == '*' && (p[1] == '\0' || p[1] == ' '))
		return 1;
	return strstr(p, tag) != NULL;
}

/* Reads a file of the development folder into r->out. */
static int read_dev_file(http_req *r, const char *dir, const char *rel)
{
	char path[512];
	char chunk[16384];
	struct stat st;
	ssize_t n;
	int fd;

	if (wb_snprintf(path, sizeof(path), "%s/%s", dir, rel) != WB_OK)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	buf_reset(&r->out);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		if (buf_append(&r->out, chunk, (size_t)n) != WB_OK)
			break;
	close(fd);
	return 0;
}

/* A found file's answer: its status (200, or 304 without a body), type and caching. */
static int found(http_req *r, const char *rel, int status)
{
	r->status = status;
	r->content_type = mime_of(rel);
	r->cache_control = strncmp(rel, "assets/", 7) == 0 ? "public, max-age=31536000, immutable" : "no-cache";
	return 0;
}

static int serve(http_req *r, app *a, const char *rel)
{
	if (a->cfg.web_dir) {
		if (read_dev_file(r, a->cfg.web_dir, rel) != 0)
			return -1;
	} else {
		const embedded_file *f = find_embedded(rel);
		int gz;
		char tag[48];

		if (!f)
			return -1;
		gz = f->gz && api_accepts_gzip(http_header(r, "Accept-Encoding"));
		if (f->gz)
			http_add_header(r, "Vary", "Accept-Encoding");
		if (f->etag) {
			wb_snprintf(tag, sizeof(tag), "\"%s%s\"", f->etag, gz ? "-gz" : "");
			http_add_header(r, "ETag", tag);
			if (etag_matches(http_header(r, "If-None-Match"), tag)) {
				return found(r, rel, 304); /* the client holds these bytes: no body */
			}
		}
		r->static_file = 1;
		r->static_data = gz ? f->gz : f->data;
		r->static_len = gz ? f->gz_len : f->len;
		if (gz)
			http_add_header(r, "Content-Encoding", "gzip");
	}
	return found(r, rel, 200);
}

int api_static(http_req *r, void *ctx)
{
	app *a = ctx;
	const char *rel;

	if (!safe_path(r->path))
		return api_error(r, 404, "not_found", "no such resource", NULL);
	rel = r->path + 1;
	if (rel[0] && serve(r, a, rel) == 0)
		return 0;
	if (strncmp(rel, "assets/", 7) == 0)
		return api_error(r, 404, "not_found", "no such file", NULL);
	if (serve(r, a, "index.html") == 0)
		return 0;
	r->status = 404;
	r->content_type = "text/plain; charset=utf-8";
	buf_puts(&r->out, "The web UI is not built into this binary. Use the API under /api/v1.\n");
	return 0;
}
