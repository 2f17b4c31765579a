/*
 * Unit tests for src/util/buf.h: capped buffers (a failed append leaves the
 * buffer exactly as it was), bounded printf, wb_strlcpy / wb_snprintf
 * truncation, wb_parse_int64 bounds and garbage, and wb_file_name.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/util/buf.h"
#include "../../src/util/wb.h"

static void test_append_within_cap(void **state)
{
	buf b;

	(void)state;
	buf_init(&b, 10);
	assert_int_equal(b.len, 0);
	assert_int_equal(buf_append(&b, "hello", 5), WB_OK);
	assert_int_equal(buf_puts(&b, "world"), WB_OK); /* exactly max */
	assert_int_equal(b.len, 10);
	assert_string_equal(b.data, "helloworld");
	assert_true(b.cap <= b.max + 1); /* never allocates past the cap */
	buf_cleanup(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
}

static void test_append_past_cap_leaves_buffer_unchanged(void **state)
{
	static const size_t n[] = {3, 100, SIZE_MAX / 2, SIZE_MAX - 6, SIZE_MAX - 1, SIZE_MAX};
	buf b;

	(void)state;
	buf_init(&b, 8);
	assert_int_equal(buf_puts(&b, "abcdef"), WB_OK);
	for (size_t i = 0; i < WB_ARRAY_LEN(n); i++) {
		size_t len = b.len, cap = b.cap;
		char *data = b.data;

		/* huge lengths must fail on the size check, before any read of p
		 * and without an overflow in len + n */
		if (buf_append(&b, "xyz", n[i]) != WB_ETOOBIG)
			fail_msg("append of %zu bytes past the cap accepted", n[i]);
		assert_int_equal(b.len, len);
		assert_int_equal(b.cap, cap);
		assert_ptr_equal(b.data, data);
		assert_string_equal(b.data, "abcdef");
	}
	assert_int_equal(buf_puts(&b, "123"), WB_ETOOBIG);
	assert_int_equal(buf_printf(&b, "%d", 123), WB_ETOOBIG);
	assert_string_equal(b.data, "abcdef");
	assert_int_equal(buf_puts(&b, "12"), WB_OK); /* what fits still fits */
	assert_string_equal(b.data, "abcdef12");
	assert_int_equal(buf_append(&b, "", 0), WB_OK); /* nothing more is still fine at the cap */
	assert_int_equal(buf_puts(&b, "3"), WB_ETOOBIG);
	buf_cleanup(&b);
}

static void test_zero_cap(void **state)
{
	buf b;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(buf_append(&b, "", 0), WB_OK);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	assert_int_equal(buf_puts(&b, "a"), WB_ETOOBIG);
	assert_int_equal(buf_printf(&b, "%s", ""), WB_OK);
	assert_int_equal(buf_printf(&b, "%c", 'a'), WB_ETOOBIG);
	assert_int_equal(b.len, 0);
	buf_cleanup(&b);
}

static void test_growth_and_binary(void **state)
{
	char chunk[1000];
	buf b;

	(void)state;
	for (size_t i = 0; i < sizeof(chunk); i++)
		chunk[i] = (char)(i % 251); /* includes NUL bytes */
	buf_init(&b, 100000);
	for (int i = 0; i < 100; i++)
		assert_int_equal(buf_append(&b, chunk, sizeof(chunk)), WB_OK);
	assert_int_equal(b.len, 100000);
	assert_int_equal(b.data[b.len], '\0'); /* terminated even when full */
	for (int i = 0; i < 100; i++)
		assert_memory_equal(b.data + (size_t)i * sizeof(chunk), chunk, sizeof(chunk));
	assert_int_equal(buf_append(&b, chunk, 1), WB_ETOOBIG);
	buf_cleanup(&b);
}

static void test_printf(void **state)
{
	buf b;

	(void)state;
	buf_init(&b, 64);
	assert_int_equal(buf_printf(&b, "%s=%d", "a", 1), WB_OK);
	assert_int_equal(buf_printf(&b, ",%s=%lld", "b", -9223372036854775807LL - 1), WB_OK);
	assert_string_equal(b.data, "a=1,b=-9223372036854775808");
	assert_int_equal(b.len, strlen(b.data));
	/* a long expansion past the cap fails whole, not truncated */
	assert_int_equal(buf_printf(&b, "%0100d", 7), WB_ETOOBIG);
	assert_string_equal(b.data, "a=1,b=-9223372036854775808");
	assert_int_equal(buf_printf(&b, "%037d", 7), WB_OK); /* 26 + 37 = 63 */
	assert_int_equal(b.len, 63);
	assert_int_equal(buf_printf(&b, "%d", 12), WB_ETOOBIG);
	assert_int_equal(buf_printf(&b, "%d", 1), WB_OK); /* 64 == max */
	assert_int_equal(b.len, 64);
	buf_cleanup(&b);
}

/* Text longer than the room the buffer has (formatted again after it
 * grows), next to text that fits where it is. */
static void test_printf_grows(void **state)
{
	char big[5000];
	buf b;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	buf_init(&b, 1u << 20);
	assert_int_equal(buf_printf(&b, "<%s>", "a"), WB_OK);
	assert_int_equal(buf_printf(&b, "%s|%d", big, 42), WB_OK);
	assert_int_equal(b.len, 3 + 4999 + 3);
	assert_memory_equal(b.data, "<a>xxx", 6);
	assert_string_equal(b.data + 3 + 4999, "|42");
	assert_int_equal(buf_printf(&b, "%s", "!"), WB_OK);
	assert_string_equal(b.data + b.len - 4, "|42!");
	buf_cleanup(&b);
}

static void test_reset_and_steal(void **state)
{
	buf b;
	char *s;

	(void)state;
	buf_init(&b, 32);
	buf_reset(&b); /* on an empty buffer */
	s = buf_steal(&b);
	assert_non_null(s);
	assert_string_equal(s, ""); /* steal always returns a string */
	free(s);

	assert_int_equal(buf_puts(&b, "abc"), WB_OK);
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	assert_int_equal(buf_puts(&b, "xyz"), WB_OK);
	s = buf_steal(&b);
	assert_string_equal(s, "xyz");
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	free(s);
	/* usable again after steal, with the same cap */
	assert_int_equal(buf_puts(&b, "0123456789012345678901234567890123"), WB_ETOOBIG);
	assert_int_equal(buf_puts(&b, "ok"), WB_OK);
	buf_cleanup(&b);
}

static void test_strlcpy(void **state)
{
	static const struct {
		const char *src;
		size_t size;
		int rc;
		const char *want;
	} cases[] = {
		{"hello", 6, WB_OK, "hello"},
		{"hello", 10, WB_OK, "hello"},
		{"hello", 5, WB_ETOOBIG, "hell"},
		{"hello", 2, WB_ETOOBIG, "h"},
		{"hello", 1, WB_ETOOBIG, ""},
		{"", 1, WB_OK, ""},
		{"\xe5\x84\xbf", 3, WB_ETOOBIG, "\xe5\x84"}, /* bytes, not characters */
	};

	(void)state;
	for (size_t i = 0; i < WB_ARRAY_LEN(cases); i++) {
		char dst[16];

		memset(dst, '#', sizeof(dst));
		if (wb_strlcpy(dst, cases[i].src, cases[i].size) != cases[i].rc)
			fail_msg("case %zu: wrong status", i);
		assert_string_equal(dst, cases[i].want);
		assert_int_equal(dst[cases[i].size], '#'); /* never writes past size */
	}
	{
		char dst[4] = "abc";

		assert_int_equal(wb_strlcpy(dst, "x", 0), WB_ETOOBIG);
		assert_string_equal(dst, "abc"); /* size 0 writes nothing */
	}
}

static void test_snprintf(void **state)
{
	char dst[8];

	(void)state;
	memset(dst, '#', sizeof(dst));
	assert_int_equal(wb_snprintf(dst, 6, "%d-%s", 12, "ab"), WB_OK);
	assert_string_equal(dst, "12-ab");
	assert_int_equal(wb_snprintf(dst, 6, "%d-%s", 12, "abc"), WB_ETOOBIG);
	assert_string_equal(dst, "12-ab");
	assert_int_equal(dst[6], '#');
	assert_int_equal(wb_snprintf(dst, sizeof(dst), "%s", ""), WB_OK);
	assert_string_equal(dst, "");
}

static void test_parse_int64(void **state)
{
	static const struct {
		const char *s;
		long long min, max;
		int rc;
		long long want;
	} cases[] = {
		{"0", 0, 10, WB_OK, 0},
		{"10", 0, 10, WB_OK, 10},
		{"11", 0, 10, WB_EINVAL, 0},
		{"-1", 0, 10, WB_EINVAL, 0},
		{"-5", -10, 10, WB_OK, -5},
		{"-10", -10, 10, WB_OK, -10},
		{"-11", -10, 10, WB_EINVAL, 0},
		{"007", 0, 10, WB_OK, 7},
		{"9223372036854775807", LLONG_MIN, LLONG_MAX, WB_OK, LLONG_MAX},
		{"-9223372036854775808", LLONG_MIN, LLONG_MAX, WB_OK, LLONG_MIN},
		{"9223372036854775808", LLONG_MIN, LLONG_MAX, WB_EINVAL, 0}, /* overflow */
		{"-9223372036854775809", LLONG_MIN, LLONG_MAX, WB_EINVAL, 0},
		{"99999999999999999999999", 0, LLONG_MAX, WB_EINVAL, 0},
		{"", 0, 10, WB_EINVAL, 0},
		{"abc", 0, 10, WB_EINVAL, 0},
		{"1a", 0, 10, WB_EINVAL, 0},
		{"1 ", 0, 10, WB_EINVAL, 0},
		{"1.5", 0, 10, WB_EINVAL, 0},
		{"1e3", 0, 10000, WB_EINVAL, 0},
		{"0x10", 0, 100, WB_EINVAL, 0},
		{"-", 0, 10, WB_EINVAL, 0},
		{"--1", -10, 10, WB_EINVAL, 0},
		{"1,000", 0, 10000, WB_EINVAL, 0},
		{"\xef\xbc\x91", 0, 10, WB_EINVAL, 0}, /* full-width 1 */
		{"5", 6, 4, WB_EINVAL, 0},             /* empty range */
	};

	(void)state;
	for (size_t i = 0; i < WB_ARRAY_LEN(cases); i++) {
		long long out = 424242;
		int rc = wb_parse_int64(cases[i].s, cases[i].min, cases[i].max, &out);

		if (rc != cases[i].rc)
			fail_msg("case %zu \"%s\" in [%lld, %lld]: %s", i, cases[i].s, cases[i].min, cases[i].max,
				 wb_strerror(rc));
		if (rc == WB_OK && out != cases[i].want)
			fail_msg("case %zu \"%s\": got %lld, want %lld", i, cases[i].s, out, cases[i].want);
		if (rc != WB_OK && out != 424242)
			fail_msg("case %zu \"%s\": output written on error", i, cases[i].s);
	}
	{
		long long out = 1;

		assert_int_equal(wb_parse_int64(NULL, 0, 10, &out), WB_EINVAL);
		assert_int_equal(out, 1);
	}
}

static void test_strerror(void **state)
{
	(void)state;
	for (int s = 0; s >= WB_ECRYPTO; s--)
		assert_string_not_equal(wb_strerror(s), "unknown error");
	assert_string_equal(wb_strerror(WB_OK), "ok");
	assert_string_equal(wb_strerror(-999), "unknown error");
	assert_string_equal(wb_strerror(1), "unknown error");
}

/* wb_strhash (the statement caches' key): the same text gives the same
 * hash wherever it is stored; a change of any one byte, at any position of
 * the 8-byte steps and of the tail, or of the length, gives another. */
static void test_strhash(void **state)
{
	char a[64], b[64];
	uint64_t seen[64];

	(void)state;
	for (size_t len = 0; len < 40; len++) {
		for (size_t i = 0; i < len; i++)
			a[i] = (char)('a' + (i * 7) % 26);
		a[len] = '\0';
		memcpy(b + 1, a, len + 1);
		assert_true(wb_strhash(a) == wb_strhash(b + 1));
		seen[len] = wb_strhash(a);
		for (size_t j = 0; j < len; j++)
			assert_true(seen[j] != seen[len]); /* a shorter prefix hashes apart */
		for (size_t i = 0; i < len; i++) {
			char saved = a[i];

			a[i] = (char)(saved == 'z' ? 'y' : saved + 1);
			assert_true(wb_strhash(a) != seen[len]);
			a[i] = saved;
		}
	}
}

static void test_trim(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{"", ""},
		{"   ", ""},
		{"\xE3\x80\x80 \t\xE3\x80\x80\n", ""},
		{" a ", "a"},
		{"\xE3\x80\x80\xE5\xA5\xBD\xE3\x80\x80", "\xE5\xA5\xBD"}, /* 　好　 */
		{"a  b", "a  b"},
		{"\xE5\xA5\xBD", "\xE5\xA5\xBD"},
		{"x\xE3\x80", "x\xE3\x80"},                       /* a cut sequence is not a blank */
		{"\xC2\xA0\xE5\xA5\xBD\xC2\xA0", "\xE5\xA5\xBD"}, /* no-break spaces */
		{"\xE2\x80\x8B\xE5\xA5\xBD\xE2\x80\x8B\xE2\x80\x8D", "\xE5\xA5\xBD"}, /* zero-width */
		{"\xEF\xBB\xBF a\xE2\x80\x83", "a"},                                  /* a BOM, an em space */
		{"\xE2\x80\x8B\xE2\x80\x8B", ""},
		{"a\xC2\xA0"
		 "b",
		 "a\xC2\xA0"
		 "b"},                    /* inside: kept */
		{"\xC2\xA9", "\xC2\xA9"}, /* the copyright sign is no blank */
	};

	(void)state;
	for (size_t i = 0; i < WB_ARRAY_LEN(cases); i++) {
		char s[32];

		wb_strlcpy(s, cases[i].in, sizeof(s));
		assert_ptr_equal(wb_trim(s), s);
		assert_string_equal(s, cases[i].want);
	}
}

static void test_file_name(void **state)
{
	static const struct {
		const char *in, *ext, *want;
	} cases[] = {
		{"诊断证明.html", "png", "诊断证明.png"},
		{"病历\xE2\x80\xAE"
		 "gnp.html",
		 "png", "病历gnp.png"}, /* U+202E, right-to-left override */
		{"a\xE2\x80\x8B" /* U+200B */ "b\xE2\x81\xA6" /* U+2066 */ "c\xC2\x85" /* U+0085 */
		 "d\xEF\xBB\xBF"                                                       /* U+FEFF */
		 "\xE2\x80\x8F" /* U+200F */ "e",
		 "pdf", "abcde.pdf"},
		{"a\x01"
		 "b\x7F\tc",
		 "jpg", "abc.jpg"},
		{"\xF3\xA0\x80\x81"
		 "tag\xF3\xA0\x81\xA1",
		 "png", "tag.png"}, /* U+E0001, U+E0061 */
		{"scan.PNG", "png", "scan.png"},
		{"photo.jpeg", "jpg", "photo.jpg"},
		{"report", "pdf", "report.pdf"},
		{"a.tar.gz", "png", "a.tar.png"},
		{"name.abcdefghijk", "png", "name.abcdefghijk.png"}, /* 11 letters: no extension */
		{"x.中文", "png", "x.中文.png"},
		{" .. 体检.html. ", "png", "体检.png"},
		{"a/b\\c:d*e?f\"g<h>i|j;k", "png", "abcdefghijk.png"},
		{"\xE2\x80\xAE. ", "png", ""},
		{"", "png", ""},
		{"\xFF\xC0\x80"
		 "ok\xED\xA0\x80",
		 "png", "ok.png"}, /* invalid UTF-8, a surrogate */
		{"名单\xE2\x80\xAE"
		 "vsc.exe",
		 NULL, "名单vsc.exe"},
		{"data.csv", "", "data.csv"},
	};
	char out[128], big[400];

	(void)state;
	for (size_t i = 0; i < WB_ARRAY_LEN(cases); i++) {
		wb_file_name(cases[i].in, cases[i].ext, 100, out, sizeof(out));
		assert_string_equal(out, cases[i].want);
	}
	wb_file_name(NULL, "png", 100, out, sizeof(out));
	assert_string_equal(out, "");
	/* 120 characters of 3 bytes: cut on a character, the extension kept */
	for (int i = 0; i < 120; i++)
		memcpy(big + i * 3, "字", 3);
	memcpy(big + 360, ".html", 6);
	wb_file_name(big, "png", 100, out, sizeof(out));
	assert_int_equal(strlen(out), 32 * 3 + 4);
	assert_string_equal(out + 96, ".png");
	/* outlen smaller than max */
	wb_file_name("abcdefghij.html", "png", 100, out, 8);
	assert_string_equal(out, "abc.png");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_within_cap),
		cmocka_unit_test(test_append_past_cap_leaves_buffer_unchanged),
		cmocka_unit_test(test_zero_cap),
		cmocka_unit_test(test_growth_and_binary),
		cmocka_unit_test(test_printf),
		cmocka_unit_test(test_printf_grows),
		cmocka_unit_test(test_reset_and_steal),
		cmocka_unit_test(test_strlcpy),
		cmocka_unit_test(test_snprintf),
		cmocka_unit_test(test_trim),
		cmocka_unit_test(test_file_name),
		cmocka_unit_test(test_parse_int64),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_strhash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
