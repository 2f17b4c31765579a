/*
 * Unit tests for src/domain/namekey.h: names' sort keys by pinyin, as text
 * whose byte order is the collation's.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/domain/namekey.h"
#include "../../src/util/wb.h"

/* In the order county staff expect: Chinese names by pinyin (a shorter name
 * before its continuations; a surname by its own reading: 单 shàn, 曾
 * zēng; a rare character such as 𠮷 jí or 䶮 yǎn by its reading), then
 * Latin ones by their letters. */
static const char *const ordered[] = {
	"阿明",   "安琪",   "白雪",   "曹",     "曹操", "鸡利", "𠮷祥",  "纪明", "李四", "刘备",
	"欧阳娜", "欧阳修", "沙明",   "单田芳", "邵明", "王五", "王䶮",  "王语", "袁明", "曾明",
	"张",     "张三",   "张三丰", "赵六",   "Anna", "Bob",  "bobby", "Zoe",
};

static void test_pinyin_order(void **state)
{
	char a[NAME_KEY_MAX], b[NAME_KEY_MAX];

	(void)state;
	for (size_t i = 0; i + 1 < WB_ARRAY_LEN(ordered); i++) {
		assert_int_equal(name_key(ordered[i], a, sizeof(a)), WB_OK);
		assert_int_equal(name_key(ordered[i + 1], b, sizeof(b)), WB_OK);
		if (strcmp(a, b) >= 0)
			fail_msg("%s (%s) should sort before %s (%s)", ordered[i], a, ordered[i + 1], b);
	}
	/* not by code point: 阿 (U+963F) comes after 张 (U+5F20) there */
	assert_true(strcmp("阿明", "张三") > 0);
}

/* Rare characters, each between names of the readings before and after
 * its own (and so before 座 zuò, where the collator alone put them after
 * every Han name): extension A, a unified ideograph added after U+9FA5, extension
 * B, and 𠮷, which Unihan reads only through its variant 吉. */
static const char *const rare_triples[][3] = {
	{"秦明", "\xe3\x90\x80明", "屈明"},     /* 㐀 qiū (U+3400) */
	{"王严", "王䶮", "王燕"},               /* 䶮 yǎn, not first */
	{"山明", "\xe9\xbf\x83明", "善明"},     /* U+9FC3 shǎn */
	{"遮明", "\xf0\xaa\x9a\xa5明", "者明"}, /* U+2A6A5 zhé */
	{"除明", "\xf0\xac\xba\x93明", "触明"}, /* U+2CE93 chǔ */
	{"鸡明", "\xf0\xa0\xae\xb7祥", "纪明"}, /* 𠮷 jí */
};

static void test_rare_characters(void **state)
{
	char a[NAME_KEY_MAX], b[NAME_KEY_MAX], z[NAME_KEY_MAX];

	(void)state;
	assert_int_equal(name_key("座明", z, sizeof(z)), WB_OK); /* zuò, the end of pinyin */
	for (size_t i = 0; i < WB_ARRAY_LEN(rare_triples); i++) {
		assert_int_equal(name_key(rare_triples[i][1], b, sizeof(b)), WB_OK);
		for (int side = 0; side < 2; side++) {
			const char *other = rare_triples[i][side ? 2 : 0];

			assert_int_equal(name_key(other, a, sizeof(a)), WB_OK);
			if (side ? strcmp(b, a) >= 0 : strcmp(a, b) >= 0)
				fail_msg("%s should sort %s %s", rare_triples[i][1], side ? "before" : "after", other);
		}
		if (strncmp(rare_triples[i][1], "王", 3) != 0 && strcmp(b, z) >= 0)
			fail_msg("%s should sort before 座明", rare_triples[i][1]);
	}
}

static void test_key_text(void **state)
{
	char a[NAME_KEY_MAX], b[NAME_KEY_MAX];

	(void)state;
	assert_int_equal(name_key("张三", a, sizeof(a)), WB_OK);
	assert_int_equal(name_key("张三", b, sizeof(b)), WB_OK);
	assert_string_equal(a, b);
	assert_true(strlen(a) > 0);
	/* only the 64 order-keeping digits: plain ASCII text for both drivers */
	assert_true(strspn(a, "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz") == strlen(a));
	/* two names, two keys */
	assert_int_equal(name_key("张山", b, sizeof(b)), WB_OK);
	assert_string_not_equal(a, b);
	assert_true(strncmp(name_key_version(), "zh ", 3) == 0);
}

static void test_long_and_bad_names(void **state)
{
	char name[128], key[NAME_KEY_MAX], tiny[4];
	size_t o = 0;

	(void)state;
	/* the longest name a child may have: 42 Han characters (126 bytes) */
	while (o + 3 < sizeof(name)) {
		memcpy(name + o, "龘", 3);
		o += 3;
	}
	name[o] = '\0';
	assert_int_equal(name_key(name, key, sizeof(key)), WB_OK);
	assert_true(strlen(key) > 0);
	assert_int_equal(name_key(name, tiny, sizeof(tiny)), WB_ETOOBIG);
	assert_string_equal(tiny, "");
	/* bytes that are not UTF-8 still give a key */
	assert_int_equal(name_key("\xff\xfe张", key, sizeof(key)), WB_OK);
	assert_true(strlen(key) > 0);
	assert_int_equal(name_key("", key, sizeof(key)), WB_OK);
}

#define THREADS 4

static void *keys_in_thread(void *arg)
{
	char key[NAME_KEY_MAX], *want = arg;

	for (int r = 0; r < 2000; r++)
		for (size_t i = 0; i < WB_ARRAY_LEN(ordered); i++)
			if (name_key(ordered[i], key, sizeof(key)) != WB_OK ||
			    strcmp(key, want + i * NAME_KEY_MAX) != 0)
				return (void *)1;
	return NULL;
}

/* One collator for the process, read by every thread at once. */
static void test_threads(void **state)
{
	static char want[WB_ARRAY_LEN(ordered)][NAME_KEY_MAX];
	pthread_t t[THREADS];

	(void)state;
	for (size_t i = 0; i < WB_ARRAY_LEN(ordered); i++)
		assert_int_equal(name_key(ordered[i], want[i], NAME_KEY_MAX), WB_OK);
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, keys_in_thread, want), 0);
	for (int i = 0; i < THREADS; i++) {
		void *bad = NULL;

		assert_int_equal(pthread_join(t[i], &bad), 0);
		assert_null(bad);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pinyin_order), cmocka_unit_test(test_rare_characters),
		cmocka_unit_test(test_key_text),     cmocka_unit_test(test_long_and_bad_names),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
