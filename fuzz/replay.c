/* replay.c -- a plain main() for a fuzz target: feeds it every file of its
 * committed corpus, once each, in name order, so `make check` replays all
 * that fuzzing found (deterministic, no libFuzzer needed).
 *
 * With arguments, each names a file or a folder to replay instead (to
 * reproduce a crash file: `fuzz/replay_ipint crash-1234`).  Without, the
 * corpus is $TOP_SRCDIR/fuzz/corpus/FUZZ_NAME (the test environment sets
 * TOP_SRCDIR).  An empty corpus is a failure: a renamed folder would
 * otherwise pass silently. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#ifndef FUZZ_NAME
#error "FUZZ_NAME (the target's corpus folder) must be defined"
#endif

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	size_t cap = 4096, n = 0;
	uint8_t *buf = malloc(cap);
	for (;;) {
		if (!buf) {
			fclose(f);
			fprintf(stderr, "replay: out of memory\n");
			return -1;
		}
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		uint8_t *nb = realloc(buf, cap *= 2);
		if (!nb)
			free(buf);
		buf = nb;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		fprintf(stderr, "replay: %s: read error\n", path);
		return -1;
	}
	/* an exact-size copy, so ASan sees any read past the input's end */
	uint8_t *exact = malloc(n ? n : 1);
	if (!exact) {
		free(buf);
		return -1;
	}
	memcpy(exact, buf, n);
	free(buf);
	LLVMFuzzerTestOneInput(exact, n);
	free(exact);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of dir, in name order; the count in *count. */
static int replay_dir(const char *dir, size_t *count)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	int rc = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof *nn);
			if (!nn) {
				rc = -1;
				break;
			}
			names = nn;
		}
		size_t len = strlen(dir) + strlen(e->d_name) + 2;
		if (!(names[n] = malloc(len))) {
			rc = -1;
			break;
		}
		snprintf(names[n++], len, "%s/%s", dir, e->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, by_name);
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (rc == 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
			if (replay_file(names[i]) < 0)
				rc = -1;
			else
				(*count)++;
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

static int replay_path(const char *path, size_t *count)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode))
		return replay_dir(path, count);
	if (replay_file(path) < 0)
		return -1;
	(*count)++;
	return 0;
}

int main(int argc, char **argv)
{
	size_t count = 0;
	int rc = 0;
	if (argc > 1) {
		for (int i = 1; i < argc && rc == 0; i++)
			rc = replay_path(argv[i], &count);
	} else {
		const char *top = getenv("TOP_SRCDIR");
		char dir[4096];
		snprintf(dir, sizeof dir, "%s/fuzz/corpus/%s", top ? top : ".", FUZZ_NAME);
		rc = replay_path(dir, &count);
	}
	if (rc == 0 && count == 0) {
		fprintf(stderr, "replay: no corpus files for %s\n", FUZZ_NAME);
		rc = -1;
	}
	if (rc == 0)
		printf("%s: %zu corpus files replayed, no finding\n", FUZZ_NAME, count);
	return rc == 0 ? 0 : 1;
}
