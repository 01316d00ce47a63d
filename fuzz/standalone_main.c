/*
 * standalone_main.c -- replay inputs through a fuzz target without
 * libFuzzer: the regression test of every fuzz/fuzz_<name>.c.
 *
 *   fuzz_<name>_replay CORPUS-DIR [DIR-OR-FILE...]
 *
 * Runs LLVMFuzzerTestOneInput once for every regular file under the given
 * paths (directories are read one level deep, in name order). Each input is
 * copied into a buffer of exactly its size, as libFuzzer does, so that
 * AddressSanitizer and valgrind see a read past its end. The first path (the
 * seed corpus) must exist and hold at least one file; later paths (the
 * regression inputs) may be missing. Prints each input's name before
 * running it, so a crash names its input. Exit 0 if every input ran.
 */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Defined by targets that need it (weak: most do not). */
#pragma weak LLVMFuzzerInitialize

#define INPUT_MAX ((size_t)16 * 1024 * 1024)

static int run_file(const char *path)
{
	FILE *f = NULL;
	uint8_t *buf = NULL;
	struct stat st;
	size_t n = 0;
	int r = -1;

	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return 1; /* not a regular file: skipped */
	if ((size_t)st.st_size > INPUT_MAX) {
		fprintf(stderr, "%s: larger than %zu bytes\n", path, INPUT_MAX);
		return -1;
	}
	n = (size_t)st.st_size;
	/* An empty input gets a 1-byte allocation that the target must not
	 * read (size 0). */
	if ((buf = malloc(n > 0 ? n : 1)) == NULL ||
	    (f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		goto out;
	}
	if (n > 0 && fread(buf, 1, n, f) != n) {
		fprintf(stderr, "%s: short read\n", path);
		goto out;
	}
	printf("input %s (%zu bytes)\n", path, n);
	fflush(stdout);
	(void)LLVMFuzzerTestOneInput(buf, n);
	r = 0;
out:
	if (f != NULL)
		fclose(f);
	free(buf);
	return r;
}

static int not_hidden(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

/* Run every file of a directory, in name order. Returns the number run,
 * or -1 on error. */
static long run_dir(const char *dir)
{
	struct dirent **list = NULL;
	char path[4096];
	long ran = 0;
	int n = scandir(dir, &list, not_hidden, alphasort);

	if (n < 0) {
		fprintf(stderr, "%s: %s\n", dir, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n && ran >= 0; i++) {
		int r = snprintf(path, sizeof path, "%s/%s", dir,
		                 list[i]->d_name);
		if (r >= 0 && (size_t)r < sizeof path)
			r = run_file(path);
		else
			r = -1;
		if (r < 0)
			ran = -1;
		else if (r == 0)
			ran++;
	}
	for (int i = 0; i < n; i++)
		free(list[i]);
	free(list);
	return ran;
}

int main(int argc, char **argv)
{
	struct stat st;
	long total = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS-DIR [DIR-OR-FILE...]\n",
		        argv[0]);
		return 2;
	}
	if (LLVMFuzzerInitialize != NULL)
		(void)LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		long n;
		if (stat(argv[i], &st) != 0) {
			if (i == 1) {
				fprintf(stderr, "%s: no seed corpus: %s\n",
				        argv[0], argv[i]);
				return 1;
			}
			continue; /* no regression inputs yet */
		}
		n = S_ISDIR(st.st_mode) ? run_dir(argv[i])
		                        : (run_file(argv[i]) == 0 ? 1 : 0);
		if (n < 0)
			return 1;
		if (i == 1 && n == 0) {
			fprintf(stderr, "%s: seed corpus %s is empty\n",
			        argv[0], argv[i]);
			return 1;
		}
		total += n;
	}
	printf("%s: %ld inputs ran\n", argv[0], total);
	return 0;
}
