/* mirror_load.c -- benchmark (not a test): time and memory to load one full
 * getObjects answer into the mirror.
 *
 * The answer is built from the real excerpt (read in place, never copied):
 * its world and fleet objects, with every field and quirk they have, are
 * cloned under new ids and spread positions until the answer holds the
 * asked number of worlds (and a fifth as many fleets).  The answer is
 * serialised to text first, so the figure includes parsing, as when the
 * answer comes off the wire.
 *
 *   mirror_load gen EXCERPT.json WORLDS OUT.json   build an answer
 *   mirror_load load ANSWER.json [ROUNDS]          measure, in a fresh process
 *   mirror_load delta ANSWER.json [ROUNDS [DELTA.json]]
 *                                                  a watch's changes merged into
 *                                                  the loaded mirror: DELTA.json
 *                                                  (a delta answer of the same
 *                                                  galaxy, such as fleetsim's),
 *                                                  or 182 worlds and 100 fleets
 *                                                  of ANSWER.json
 *
 * load prints the answer's size, the median parse and merge times over
 * ROUNDS fresh mirrors, the heap the mirror keeps after the JSON is freed,
 * and the peak resident memory, with the part the loading itself added. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "mirror.h"
#include "mirror_scan.h"

static long status_kb(const char *key)
{
	FILE *fp = fopen("/proc/self/status", "r");
	char line[256];
	long v = -1;
	size_t kl = strlen(key);
	while (fp && fgets(line, sizeof line, fp))
		if (!strncmp(line, key, kl) && line[kl] == ':')
			v = atol(line + kl + 1);
	if (fp)
		fclose(fp);
	return v;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static json_t *synth(const json_t *excerpt, int nworlds)
{
	json_t *worlds = json_array(), *fleets = json_array(), *out = json_array();
	for (size_t i = 0; i < json_array_size(excerpt); i++) {
		json_t *o = json_array_get(excerpt, i);
		const char *c = json_string_value(json_object_get(o, "class"));
		if (c && !strcmp(c, "world"))
			json_array_append(worlds, o);
		else if (c && !strcmp(c, "fleet"))
			json_array_append(fleets, o);
		else if (c && (!strcmp(c, "sovereign") || !strcmp(c, "update")))
			json_array_append(out, o);
	}
	unsigned seed = 42;
	for (int i = 0; i < nworlds; i++) {
		json_t *w = json_deep_copy(json_array_get(worlds, (size_t)i % json_array_size(worlds)));
		json_object_set_new(w, "id", json_integer(100000 + i));
		double x = (double)(rand_r(&seed) % 400000) / 100 - 2000;
		double y = (double)(rand_r(&seed) % 400000) / 100 - 2000;
		json_object_set_new(w, "pos", json_pack("[f,f]", x, y));
		json_object_del(w, "nearObjIDs");
		json_array_append_new(out, w);
		if (i % 5 == 0) {
			json_t *f = json_deep_copy(json_array_get(fleets, (size_t)(i / 5) %
								     json_array_size(fleets)));
			json_object_set_new(f, "id", json_integer(1000000 + i));
			json_object_set_new(f, "anchorObjID", json_integer(100000 + i));
			json_object_set_new(f, "pos", json_pack("[f,f]", x, y));
			json_array_append_new(out, f);
		}
	}
	json_decref(worlds);
	json_decref(fleets);
	return out;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	long n = ftell(fp);
	rewind(fp);
	char *buf = n > 0 ? malloc((size_t)n) : NULL;
	if (buf && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

static int gen(const char *excerpt_path, int nworlds, const char *out)
{
	json_error_t je;
	json_t *excerpt = json_load_file(excerpt_path, 0, &je);
	if (!json_is_array(excerpt)) {
		fprintf(stderr, "%s: %s\n", excerpt_path, je.text);
		return 1;
	}
	json_t *answer = synth(excerpt, nworlds);
	json_decref(excerpt);
	int rc = json_dump_file(answer, out, JSON_COMPACT);
	json_decref(answer);
	return rc ? 1 : 0;
}

/* An answer read one of two ways: jansson's whole tree, or the scanner's
 * flat values (fleetd's path: mirror_scan() and mirror_merge_scanned()). */
struct answer {
	json_t *tree;
	struct mirror_scanned *flat;
};

static int read_answer(const char *text, size_t len, int scan, struct answer *a)
{
	char err[128];
	json_error_t je;
	a->tree = NULL;
	a->flat = NULL;
	if (scan)
		a->flat = mirror_scan(text, len, 32, err, sizeof err);
	else
		a->tree = json_loadb(text, len, 0, &je);
	return a->tree || a->flat ? 0 : -1;
}

static int merge_answer(struct mirror *m, const struct answer *a, int full)
{
	char err[128];
	return a->flat ? mirror_merge_scanned(m, a->flat, full, err, sizeof err)
		       : mirror_merge(m, a->tree, full, err, sizeof err);
}

static void answer_free(struct answer *a)
{
	json_decref(a->tree);
	mirror_scanned_free(a->flat);
}

static int measure(const char *text, size_t len, int rounds, int scan)
{
	double parse[100], merge[100];
	size_t worlds = 0, fleets = 0;
	struct timespec c0, c1;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	for (int r = 0; r < rounds; r++) {
		int64_t t0 = clock_mono_ns();
		struct answer a;
		int rc = read_answer(text, len, scan, &a);
		int64_t t1 = clock_mono_ns();
		struct mirror *m = mirror_new();
		if (rc < 0 || merge_answer(m, &a, 1) < 0) {
			fprintf(stderr, "load failed\n");
			return 1;
		}
		int64_t t2 = clock_mono_ns();
		answer_free(&a);
		worlds = mirror_world_count(m);
		fleets = mirror_fleet_count(m);
		parse[r] = (double)(t1 - t0) / 1e6;
		merge[r] = (double)(t2 - t1) / 1e6;
		mirror_free(m);
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
	double cpu = ((double)(c1.tv_sec - c0.tv_sec) * 1e3 +
		      (double)(c1.tv_nsec - c0.tv_nsec) / 1e6) / rounds;
	qsort(parse, (size_t)rounds, sizeof parse[0], cmp_d);
	qsort(merge, (size_t)rounds, sizeof merge[0], cmp_d);
	printf("%s: %zu bytes, %zu worlds, %zu fleets; median of %d: read %.1f ms, "
	       "merge %.1f ms, total %.1f ms (CPU time %.1f ms per load, freeing included)\n",
	       scan ? "scanner (fleetd's path)" : "jansson tree   ", len, worlds, fleets,
	       rounds, parse[rounds / 2], merge[rounds / 2],
	       parse[rounds / 2] + merge[rounds / 2], cpu);
	return 0;
}

/* A watch's changes: the first nworlds worlds and nfleets fleets of the
 * answer, as text. */
static char *delta_of(const char *text, size_t len, size_t nworlds, size_t nfleets)
{
	json_t *all = json_loadb(text, len, 0, NULL), *out = json_array();
	for (size_t i = 0; i < json_array_size(all); i++) {
		json_t *o = json_array_get(all, i);
		const char *c = json_string_value(json_object_get(o, "class"));
		size_t *left = c && !strcmp(c, "world") ? &nworlds
			       : c && !strcmp(c, "fleet") ? &nfleets : NULL;
		if (left && *left) {
			json_array_append(out, o);
			(*left)--;
		}
	}
	char *s = json_dumps(out, JSON_COMPACT);
	json_decref(all);
	json_decref(out);
	return s;
}

/* One watch's changes read, merged and freed: the part a profile of a
 * watch looks at (valgrind --tool=callgrind --toggle-collect=delta_round),
 * hence never inlined. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int delta_round(struct mirror *m, const char *d, size_t dlen)
{
	struct answer da;
	int rc = read_answer(d, dlen, 1, &da) < 0 ? -1 : merge_answer(m, &da, 0);
	answer_free(&da);
	return rc;
}

/* Read and merge a watch's changes (delta, or the first worlds and fleets
 * of the answer when NULL) into a loaded mirror, as fleetd does every
 * watch: the median over rounds. */
static int measure_delta(const char *text, size_t len, int rounds, const char *delta)
{
	struct answer a;
	int ok = read_answer(text, len, 1, &a);
	struct mirror *m = mirror_new();
	if (ok < 0 || merge_answer(m, &a, 1) < 0) {
		fprintf(stderr, "load failed\n");
		return 1;
	}
	answer_free(&a);
	size_t dlen;
	char *d = delta ? read_file(delta, &dlen) : delta_of(text, len, 182, 100);
	if (!d) {
		fprintf(stderr, "%s: cannot read\n", delta);
		mirror_free(m);
		return 1;
	}
	if (!delta)
		dlen = strlen(d);
	double t[100];
	for (int r = 0; r < rounds; r++) {
		int64_t t0 = clock_mono_ns();
		int rc = delta_round(m, d, dlen);
		t[r] = (double)(clock_mono_ns() - t0) / 1e6;
		if (rc < 0) {
			fprintf(stderr, "delta failed\n");
			return 1;
		}
	}
	qsort(t, (size_t)rounds, sizeof t[0], cmp_d);
	printf("delta (%s): %zu bytes; median of %d: read + merge + free %.3f ms\n",
	       delta ? delta : "182 worlds, 100 fleets", dlen, rounds, t[rounds / 2]);
	free(d);
	mirror_free(m);
	return 0;
}

/* Peak memory of one load, in this fresh process: call it first. */
static void peak_of_one(const char *text, size_t len, int scan)
{
	long before = status_kb("VmRSS");
	struct answer a;
	read_answer(text, len, scan, &a);
	struct mirror *m = mirror_new();
	merge_answer(m, &a, 1);
	answer_free(&a);
	long peak = status_kb("VmHWM");
	size_t worlds = mirror_world_count(m);
	/* what the mirror keeps: the heap its freeing gives back */
	size_t with = mallinfo2().uordblks;
	mirror_free(m);
	size_t kept = with - mallinfo2().uordblks;
	printf("peak RSS %ld KiB, %ld KiB of it added by reading and merging; the "
	       "mirror keeps %.1f KiB (%.0f bytes per world)\n", peak, peak - before,
	       (double)kept / 1024, (double)kept / (double)(worlds ? worlds : 1));
}

static int load(const char *path, int rounds, int scan, int delta, const char *dpath)
{
	size_t len;
	char *text = read_file(path, &len);
	if (!text) {
		fprintf(stderr, "%s: cannot read\n", path);
		return 1;
	}
	if (delta) {
		int rc = measure_delta(text, len, rounds, dpath);
		free(text);
		return rc;
	}
	peak_of_one(text, len, scan);
	int rc = measure(text, len, rounds, scan);
	free(text);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "gen"))
		return gen(argv[2], atoi(argv[3]), argv[4]);
	int delta = argc >= 2 && !strcmp(argv[1], "delta");
	if ((argc == 3 || argc == 4 || (delta && argc == 5)) &&
	    (!strcmp(argv[1], "load") || !strcmp(argv[1], "load-jansson") || delta)) {
		int rounds = argc >= 4 ? atoi(argv[3]) : 7;
		if (rounds < 1 || rounds > 100) {
			fprintf(stderr, "ROUNDS: 1 to 100\n");
			return 2;
		}
		return load(argv[2], rounds, strcmp(argv[1], "load-jansson") != 0, delta,
			    argc == 5 ? argv[4] : NULL);
	}
	fprintf(stderr, "usage: %s gen EXCERPT.json WORLDS OUT.json\n"
			"       %s load|load-jansson ANSWER.json [ROUNDS]\n"
			"       %s delta ANSWER.json [ROUNDS [DELTA.json]]\n",
		argv[0], argv[0], argv[0]);
	return 2;
}
