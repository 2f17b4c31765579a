/* Compact JSON writer; see json_out.h. */
#include "json_out.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "wb.h"

static int out_string(buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t run = 0;
	int rc = buf_append(b, "\"", 1);

	for (size_t i = 0; rc == WB_OK && i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		char esc[7] = {'\\', 0, 0, 0, 0, 0, 0};
		size_t len = 2;

		if (ch >= 0x20 && ch != '"' && ch != '\\')
			continue;
		rc = buf_append(b, s + run, i - run);
		switch (ch) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[ch >> 4];
			esc[5] = hex[ch & 15];
			len = 6;
		}
		if (rc == WB_OK)
			rc = buf_append(b, esc, len);
		run = i + 1;
	}
	if (rc == WB_OK)
		rc = buf_append(b, s + run, n - run);
	return rc == WB_OK ? buf_append(b, "\"", 1) : rc;
}

static int out_real(buf *b, double v)
{
	char text[40];
	int n;

	if (!isfinite(v))
		return WB_EINVAL;
	n = snprintf(text, sizeof(text), "%.17g", v);
	if (n <= 0 || (size_t)n >= sizeof(text) - 2)
		return WB_EINVAL;
	if (!strpbrk(text, ".eE")) { /* a real stays a real: 1 -> 1.0 */
		memcpy(text + n, ".0", 3);
	} else {
		char *e = strchr(text, 'e');

		/* exponents as jansson writes them: 1e+20 -> 1e20, 1e-05 -> 1e-5 */
		if (e) {
			char *d = e + 1;

			if (*d == '+')
				memmove(d, d + 1, strlen(d + 1) + 1);
			else if (*d == '-')
				d++;
			while (*d == '0' && d[1])
				memmove(d, d + 1, strlen(d + 1) + 1);
		}
	}
	return buf_puts(b, text);
}

int json_out(buf *b, const json_t *j)
{
	char num[24];
	int rc = WB_OK, first = 1;

	switch (json_typeof(j)) {
	case JSON_OBJECT: {
		const char *key;
		json_t *v;

		rc = buf_append(b, "{", 1);
		json_object_foreach((json_t *)j, key, v)
		{
			if (rc == WB_OK && !first)
				rc = buf_append(b, ",", 1);
			first = 0;
			if (rc == WB_OK)
				rc = out_string(b, key, strlen(key));
			if (rc == WB_OK)
				rc = buf_append(b, ":", 1);
			if (rc == WB_OK)
				rc = json_out(b, v);
			if (rc != WB_OK)
				break;
		}
		return rc == WB_OK ? buf_append(b, "}", 1) : rc;
	}
	case JSON_ARRAY:
		rc = buf_append(b, "[", 1);
		for (size_t i = 0; rc == WB_OK && i < json_array_size(j); i++) {
			if (i)
				rc = buf_append(b, ",", 1);
			if (rc == WB_OK)
				rc = json_out(b, json_array_get(j, i));
		}
		return rc == WB_OK ? buf_append(b, "]", 1) : rc;
	case JSON_STRING: return out_string(b, json_string_value(j), json_string_length(j));
	case JSON_INTEGER:
		wb_snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(j));
		return buf_puts(b, num);
	case JSON_REAL: return out_real(b, json_real_value(j));
	case JSON_TRUE: return buf_append(b, "true", 4);
	case JSON_FALSE: return buf_append(b, "false", 5);
	case JSON_NULL: return buf_append(b, "null", 4);
	}
	return WB_EINVAL;
}
