/* mirror_load.c -- benchmark tool (built by `make bench`, never installed):
 * how long fleetd takes to turn a full getObjects answer into its mirror,
 * and how much memory that costs.  Runs the same two calls fleetd's
 * session makes on a full answer -- jsonx_parse of the bytes, then
 * mirror_merge(full = 1) -- on a dump read from a file, RUNS times, each
 * into a fresh mirror, and prints one line per run:
 *   run=N parse_ms=P merge_ms=M total_ms=T
 * then "bytes=B objects=O fleets=F worlds=W rss0_kb=S rss_kb=R hwm_kb=H":
 * resident memory with only the dump read, then with the last mirror
 * still alive, and the peak.  Touches nothing else. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "jsonx.h"
#include "mirror.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap);
	size_t got;
	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			char *b = realloc(buf, cap *= 2);
			if (!b) {
				free(buf);
				buf = NULL;
			}
			buf = b;
		}
	}
	fclose(f);
	*len = n;
	return buf;
}

/* VmRSS / VmHWM of this process, in kB. */
static long status_kb(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long v = -1;
	size_t k = strlen(key);
	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, key, k) == 0 && line[k] == ':')
			v = strtol(line + k + 1, NULL, 10);
	if (f)
		fclose(f);
	return v;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: mirror_load GETOBJECTS.json RUNS\n");
		return 2;
	}
	size_t len;
	char *buf = read_all(argv[1], &len);
	int runs = atoi(argv[2]);
	if (!buf || runs < 1) {
		fprintf(stderr, "mirror_load: cannot read %s\n", argv[1]);
		return 1;
	}
	long rss0 = status_kb("VmRSS"); /* the dump itself is in memory already */
	char err[256];
	size_t objects = 0, fleets = 0, worlds = 0;
	for (int i = 1; i <= runs; i++) {
		double t0 = now_ms();
		json_t *answer = jsonx_parse(buf, len, 0, err, sizeof err);
		double t1 = now_ms();
		struct mirror *m = answer ? mirror_new() : NULL;
		if (!m || mirror_merge(m, answer, 1, err, sizeof err) < 0) {
			fprintf(stderr, "mirror_load: %s\n", err);
			return 1;
		}
		double t2 = now_ms();
		printf("run=%d parse_ms=%.2f merge_ms=%.2f total_ms=%.2f\n", i, t1 - t0, t2 - t1,
		       t2 - t0);
		objects = json_array_size(answer);
		fleets = mirror_fleet_count(m);
		worlds = mirror_world_count(m);
		json_decref(answer);
		if (i < runs)
			mirror_free(m);
		else
			printf("bytes=%zu objects=%zu fleets=%zu worlds=%zu rss0_kb=%ld rss_kb=%ld "
			       "hwm_kb=%ld\n",
			       len, objects, fleets, worlds, rss0, status_kb("VmRSS"), status_kb("VmHWM"));
		if (i == runs)
			mirror_free(m);
	}
	free(buf);
	return 0;
}
