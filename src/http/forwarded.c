/*
 * The client's address behind a reverse proxy. The TCP peer of a request
 * that came through nginx is nginx; the address of the person's machine is
 * in X-Forwarded-For, which anybody can also send. So the header is read
 * only when the peer is one of the configured proxies, and then from the
 * right: each proxy appends the address it saw, so the rightmost entry that
 * is not itself a trusted proxy is the client, and anything further left
 * is whatever the client claimed.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/buf.h"
#include "../util/wb.h"
#include "http.h"

/* One entry "a.b.c.d" or "a.b.c.d/len" of [s, s + n). */
static int parse_one(const char *s, size_t n, uint32_t *addr, uint32_t *mask)
{
	char text[32], *slash;
	struct in_addr in;
	long bits = 32;

	if (n == 0 || n >= sizeof(text))
		return WB_EINVAL;
	memcpy(text, s, n);
	text[n] = '\0';
	slash = strchr(text, '/');
	if (slash) {
		char *end;

		*slash = '\0';
		bits = strtol(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end != '\0' || bits < 0 || bits > 32)
			return WB_EINVAL;
	}
	if (inet_pton(AF_INET, text, &in) != 1)
		return WB_EINVAL;
	*mask = bits == 0 ? 0 : (uint32_t)(0xffffffffu << (32 - bits));
	*addr = ntohl(in.s_addr) & *mask;
	return WB_OK;
}

int http_proxies_parse(const char *list, http_proxies *out, char *err, size_t errlen)
{
	const char *p = list ? list : "";

	memset(out, 0, sizeof(*out));
	while (*p) {
		const char *start, *end;

		while (*p == ' ' || *p == ',')
			p++;
		if (!*p)
			break;
		start = p;
		while (*p && *p != ',' && *p != ' ')
			p++;
		end = p;
		if (out->n == HTTP_MAX_PROXIES) {
			wb_snprintf(err, errlen, "more than %d entries", HTTP_MAX_PROXIES);
			return WB_EINVAL;
		}
		if (parse_one(start, (size_t)(end - start), &out->addr[out->n], &out->mask[out->n]) != WB_OK) {
			wb_snprintf(err, errlen, "'%.*s' is not an IPv4 address or CIDR block (a.b.c.d or a.b.c.d/n)",
				    (int)(end - start > 40 ? 40 : end - start), start);
			return WB_EINVAL;
		}
		out->n++;
	}
	return WB_OK;
}

int http_proxies_match(const http_proxies *p, const char *addr)
{
	struct in_addr in;
	uint32_t a;

	if (!p || p->n == 0 || !addr || inet_pton(AF_INET, addr, &in) != 1)
		return 0;
	a = ntohl(in.s_addr);
	for (int i = 0; i < p->n; i++)
		if ((a & p->mask[i]) == p->addr[i])
			return 1;
	return 0;
}

/* An address as a client would be named: IPv4 or IPv6, nothing else. */
static int valid_address(const char *s)
{
	unsigned char b[16];

	return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

/* The hop of xff that ends at end (exclusive), trimmed, into hop (*ok: it
 * fits and is not empty); returns where the hop starts (after its comma,
 * or xff itself). */
static const char *hop_before(const char *xff, const char *end, char *hop, size_t hoplen, int *ok)
{
	const char *begin = end, *s, *e = end;
	size_t n;

	while (begin > xff && begin[-1] != ',')
		begin--;
	for (s = begin; s < e && (*s == ' ' || *s == '\t'); s++)
		;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	n = (size_t)(e - s);
	*ok = n > 0 && n < hoplen;
	if (*ok) {
		memcpy(hop, s, n);
		hop[n] = '\0';
	}
	return begin;
}

void http_client_from(const http_proxies *p, const char *peer, const char *xff, const char *xreal, char *out,
		      size_t outlen)
{
	wb_strlcpy(out, peer ? peer : "", outlen);
	if (!http_proxies_match(p, peer))
		return;
	if (xff && *xff) {
		const char *end = xff + strlen(xff);

		for (int hops = 0; hops < 32; hops++) {
			char hop[64];
			int ok;
			const char *start = hop_before(xff, end, hop, sizeof(hop), &ok);

			if (!ok || !valid_address(hop))
				return; /* not an address: keep the last trusted hop */
			wb_strlcpy(out, hop, outlen);
			if (!http_proxies_match(p, hop) || start == xff)
				return;  /* the first untrusted hop from the right: the client */
			end = start - 1; /* before the comma */
		}
		return;
	}
	if (xreal && valid_address(xreal))
		wb_strlcpy(out, xreal, outlen);
}
