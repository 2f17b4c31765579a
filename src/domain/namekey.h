/*
 * Sort keys of people's names: the order Chinese office software uses, by
 * pinyin (阿明 < 李四 < 王五 < 张三), Latin names among them by their
 * letters. ICU's collator for "zh" (its default, pinyin) makes a binary
 * sort key; it is written as text whose byte order is the key's (an
 * order-keeping base 64), so the database compares keys with memcmp on both
 * drivers (SQLite's BINARY, PostgreSQL's COLLATE "C") and an index on the
 * key serves ORDER BY.
 *
 * The collator is opened once per process and only read after
 * (ucol_getSortKey takes a const collator; ICU's const APIs are thread-safe).
 */
#ifndef WB_NAMEKEY_H
#define WB_NAMEKEY_H

#include <stddef.h>

/* Room for the key of any name of a child (at most 127 bytes), with its NUL. */
#define NAME_KEY_MAX 1400

/*
 * The sort key of name (UTF-8) into out: never empty for a non-empty name.
 * Bytes that are not UTF-8 count as U+FFFD. WB_OK, or WB_ETOOBIG if the
 * key does not fit n, WB_ESTORE if ICU cannot open the collator (out is
 * then "").
 */
int name_key(const char *name, char *out, size_t n);

/* The collator's version (ICU's, with its rules' and the data's), e.g.
 * "zh 153.112.32.8": keys made by two versions may not compare. "" if ICU
 * cannot open the collator. */
const char *name_key_version(void);

#endif
