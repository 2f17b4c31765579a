/*
 * Fuzz target: http_match and http_param (src/http/http.h). The input is
 * "pattern\npath": the pattern is matched against the path, and the path
 * is also routed through the real route table. On every match the promises
 * are checked: at most HTTP_MAX_PARAMS non-empty parameters shorter than
 * 64 bytes without a '/', each found again by http_param, and putting the
 * values back into the pattern gives the path exactly.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/api/api.h"
#include "../../src/http/http.h"
#include "../../src/util/buf.h"
#include "../../src/util/wb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_match(const char *pattern, const char *path, const http_req *r)
{
	buf rebuilt;
	int k = 0;

	if (r->nparams < 0 || r->nparams > HTTP_MAX_PARAMS)
		abort();
	buf_init(&rebuilt, 1 << 16);
	for (const char *p = pattern; *p;) {
		if (*p == '{') {
			const char *end = strchr(p, '}');
			const char *v;
			char name[256];
			size_t nl;

			if (!end || k >= r->nparams)
				abort();
			v = r->param_values[k];
			if (!v[0] || strlen(v) >= sizeof(r->param_values[0]) || strchr(v, '/'))
				abort();
			nl = (size_t)(end - p - 1);
			/* http_param finds the first parameter of that name */
			if (nl < sizeof(name) && !memchr(p + 1, '{', nl)) {
				const char *found;

				memcpy(name, p + 1, nl);
				name[nl] = '\0';
				found = http_param(r, name);
				if (!found)
					abort();
			}
			if (buf_puts(&rebuilt, v) != WB_OK)
				abort();
			k++;
			p = end + 1;
		} else {
			if (buf_append(&rebuilt, p, 1) != WB_OK)
				abort();
			p++;
		}
	}
	if (k != r->nparams || strcmp(rebuilt.data ? rebuilt.data : "", path) != 0)
		abort();
	buf_cleanup(&rebuilt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in, *nl, *pattern, *path;
	http_req r;

	if (size > 4096)
		return 0;
	in = malloc(size + 1);
	if (!in)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	nl = strchr(in, '\n');
	if (nl) {
		*nl = '\0';
		pattern = in;
		path = nl + 1;
	} else {
		pattern = "/api/v1/children/{id}/history";
		path = in;
	}
	memset(&r, 0, sizeof(r));
	if (http_match(pattern, path, &r))
		check_match(pattern, path, &r);
	for (const http_route *rt = api_routes; rt->method; rt++) {
		memset(&r, 0, sizeof(r));
		if (http_match(rt->pattern, path, &r))
			check_match(rt->pattern, path, &r);
	}
	free(in);
	return 0;
}
