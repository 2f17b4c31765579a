/*
 * A main() for fuzz targets built without libFuzzer: feeds every file named
 * on the command line (or found directly inside a directory named there) to
 * LLVMFuzzerTestOneInput once, in name order. This is how the corpora run
 * as ordinary ctest tests under gcc and under the ASan+UBSan build.
 *
 * Exits non-zero if no input was found, so that a missing corpus cannot
 * pass silently; a crashing input crashes this program like the fuzzer.
 */
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../src/util/buf.h"
#include "../../src/util/wb.h"

#define REPLAY_MAX_INPUT (1u << 20) /* larger files are a corpus mistake */
#define REPLAY_MAX_FILES 10000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	buf b;
	char chunk[4096];
	size_t n;
	int rc = 0;

	if (!f) {
		fprintf(stderr, "replay: cannot open %s\n", path);
		return -1;
	}
	buf_init(&b, REPLAY_MAX_INPUT);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (buf_append(&b, chunk, n) != WB_OK) {
			fprintf(stderr, "replay: %s is larger than %u bytes\n", path, REPLAY_MAX_INPUT);
			rc = -1;
			break;
		}
	}
	fclose(f);
	if (rc == 0) {
		/* an exact-size heap copy, so that ASan sees reads past the end */
		uint8_t *copy = malloc(b.len ? b.len : 1);

		if (!copy) {
			rc = -1;
		} else {
			if (b.len)
				memcpy(copy, b.data, b.len);
			LLVMFuzzerTestOneInput(copy, b.len);
			free(copy);
		}
	}
	buf_cleanup(&b);
	return rc;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every regular file directly inside dir; returns how many, or -1. */
static int run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char *names[REPLAY_MAX_FILES];
	int n = 0, ran = 0, rc = 0;

	if (!d) {
		fprintf(stderr, "replay: cannot open directory %s\n", dir);
		return -1;
	}
	while ((de = readdir(d)) != NULL && n < REPLAY_MAX_FILES) {
		if (de->d_name[0] == '.')
			continue;
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			rc = -1;
			break;
		}
		n++;
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), by_name);
	for (int i = 0; i < n; i++) {
		char path[4096];
		struct stat st;

		if (rc == 0 && wb_snprintf(path, sizeof(path), "%s/%s", dir, names[i]) == WB_OK &&
		    stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			if (run_file(path) != 0)
				rc = -1;
			else
				ran++;
		}
		free(names[i]);
	}
	return rc ? -1 : ran;
}

int main(int argc, char **argv)
{
	int total = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
		return 2;
	}
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		struct stat st;
		int n;

		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "replay: %s does not exist\n", argv[i]);
			return 1;
		}
		if (S_ISDIR(st.st_mode)) {
			n = run_dir(argv[i]);
		} else {
			n = run_file(argv[i]) == 0 ? 1 : -1;
		}
		if (n < 0)
			return 1;
		total += n;
	}
	if (total == 0) {
		fprintf(stderr, "replay: no inputs found\n");
		return 1;
	}
	printf("replay: %d input(s) ran without a crash\n", total);
	return 0;
}
