/* test_mirror_reuse.c -- a merge writes a changed record into the memory
 * of the record it replaces where the new value fits (mirror.c,
 * read_record()): a world's name, ids, resources, traits and trade
 * routes, a fleet's name and cargo.
 *
 * Deltas that shrink, grow and restore every such member, merged into one
 * mirror one after another, give the records a fresh mirror gives for the
 * same text.  And when memory runs out at any allocation of such a merge
 * (malloc, calloc and realloc wrapped at link time, -Wl,--wrap; see
 * am/mirror.am), the merge fails, the records left are whole (every
 * string and list is read here; ASan and memcheck see a bad read or a
 * leak), and the next merge restores them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_fail.h"
#include "mirror.h"
#include "mirror_scan.h"
#include "tap.h"

/* One answer: world 7 and fleet 8, the world's name and traits of sizes
 * set by k, its other lists and the fleet by g (read after the traits:
 * one may grow while the other shrinks). */
static char *answer(int k, int g)
{
	size_t cap = 1 << 16, n = 0;
	char *t = malloc(cap);
	n += (size_t)snprintf(t + n, cap - n,
			      "[{\"class\":\"world\",\"id\":7,\"name\":\"%.*s\",\"sovereignID\":5,"
			      "\"nearObjIDs\":[",
			      1 + k * 3, "Abcdefghijklmnopqrstuvwxyz");
	for (int i = 0; i < 10 + 25 * g; i++)
		n += (size_t)snprintf(t + n, cap - n, "%s%d", i ? "," : "", 6000001 + 7 * i + g);
	n += (size_t)snprintf(t + n, cap - n, "],\"resources\":[");
	for (int i = 0; i < 2 + 3 * g; i++)
		n += (size_t)snprintf(t + n, cap - n, "%s%d,%d", i ? "," : "", 100 + i, 1000 * g + i);
	n += (size_t)snprintf(t + n, cap - n, "],\"traits\":[");
	for (int i = 0; i < 1 + 2 * k; i++)
		n += (size_t)snprintf(t + n, cap - n,
				      "%s{\"allocation\":%d.5,\"buildData\":[%d,50.0,null,%d,25.%d,null],"
				      "\"targetAllocation\":10.0,\"traitID\":%d}",
				      i ? "," : "", k + i, 140 + i, 170 + k, i, 60 + i);
	n += (size_t)snprintf(t + n, cap - n, ",%d],\"tradeRoutes\":[", 39 + k);
	for (int i = 0; i < g; i++)
		n += (size_t)snprintf(t + n, cap - n,
				      "%s{\"partnerObjID\":%d,\"imports\":[%d,1.5,2.5,null],"
				      "\"exports\":[]}",
				      i ? "," : "", 2000 + i, 300 + g);
	n += (size_t)snprintf(t + n, cap - n,
			      "]},{\"class\":\"fleet\",\"id\":8,\"name\":\"%.*s\",\"sovereignID\":5,"
			      "\"anchorObjID\":7,\"resources\":[1,%d%s]}]",
			      2 + g * 4, "Fleet of the first order, k", 10 + g,
			      g % 2 ? ",2,3,4,5" : "");
	return t;
}

static struct mirror_scanned *scan(int k, int g)
{
	char *t = answer(k, g), err[256];
	struct mirror_scanned *a = mirror_scan(t, strlen(t), 100, err, sizeof err);
	free(t);
	return a;
}

static struct mirror *fresh(int k, int g)
{
	char err[256];
	struct mirror *m = mirror_new();
	struct mirror_scanned *a = scan(k, g);
	mirror_merge_scanned(m, a, 1, err, sizeof err);
	mirror_scanned_free(a);
	return m;
}

/* Every byte a reader may touch, summed: out of bounds or freed, the
 * sanitizers say so. */
static unsigned long touch(const struct mirror *m)
{
	unsigned long sum = 0;
	const struct mirror_world *w = mirror_world(m, 7);
	const struct mirror_fleet *f = mirror_fleet(m, 8);
	if (w) {
		sum += strlen(w->name);
		for (size_t i = 0; i < w->nnear; i++)
			sum += (unsigned long)w->near[i];
		for (size_t i = 0; i < 2 * w->nres; i++)
			sum += (unsigned long)w->res[i];
		for (size_t i = 0; i < w->ntraits; i++)
			for (uint32_t b = 0; w->traits[i].build && b < w->traits[i].nbuild; b++)
				sum += (unsigned long)w->traits[i].build[b].resource;
		for (size_t i = 0; i < w->nroutes; i++)
			for (uint32_t b = 0; b < w->routes[i].nimports; b++)
				sum += (unsigned long)w->routes[i].imports[b].resource;
	}
	if (f) {
		sum += strlen(f->name);
		for (size_t i = 0; i < 2 * f->nres; i++)
			sum += (unsigned long)f->res[i];
	}
	return sum;
}

static int same_ints(const int64_t *a, size_t na, const int64_t *b, size_t nb)
{
	return na == nb && (!na || memcmp(a, b, na * sizeof *a) == 0);
}

static int same_traits(const struct mirror_world *a, const struct mirror_world *b)
{
	if (a->ntraits != b->ntraits)
		return 0;
	for (size_t i = 0; i < a->ntraits; i++) {
		const struct mirror_trait *x = &a->traits[i], *y = &b->traits[i];
		if (x->id != y->id || x->alloc != y->alloc || x->target_alloc != y->target_alloc ||
		    x->nbuild != y->nbuild || !x->build != !y->build)
			return 0;
		for (uint32_t k = 0; x->build && k < x->nbuild; k++)
			if (x->build[k].resource != y->build[k].resource ||
			    x->build[k].percent != y->build[k].percent)
				return 0;
	}
	return 1;
}

static int same_routes(const struct mirror_world *a, const struct mirror_world *b)
{
	if (a->nroutes != b->nroutes)
		return 0;
	for (size_t i = 0; i < a->nroutes; i++) {
		const struct mirror_route *x = &a->routes[i], *y = &b->routes[i];
		if (x->partner != y->partner || x->nimports != y->nimports ||
		    x->nexports != y->nexports)
			return 0;
		for (uint32_t k = 0; k < x->nimports; k++)
			if (x->imports[k].resource != y->imports[k].resource ||
			    x->imports[k].amount != y->imports[k].amount)
				return 0;
	}
	return 1;
}

/* World 7 and fleet 8 as a fresh load of answer (k, g) has them. */
static int as_fresh(const struct mirror *m, int k, int g)
{
	struct mirror *r = fresh(k, g);
	const struct mirror_world *w = mirror_world(m, 7), *rw = mirror_world(r, 7);
	const struct mirror_fleet *f = mirror_fleet(m, 8), *rf = mirror_fleet(r, 8);
	int same = w && rw && f && rf && !strcmp(w->name, rw->name) &&
		   same_ints(w->near, w->nnear, rw->near, rw->nnear) &&
		   same_ints(w->res, 2 * w->nres, rw->res, 2 * rw->nres) && same_traits(w, rw) &&
		   same_routes(w, rw) && w->trading == rw->trading && !strcmp(f->name, rf->name) &&
		   same_ints(f->res, 2 * f->nres, rf->res, 2 * rf->nres) && f->anchor == rf->anchor;
	mirror_free(r);
	if (!same)
		fprintf(stderr, "differs from a fresh load of answer %d, %d\n", k, g);
	return same;
}

static int merge(struct mirror *m, int k, int g)
{
	char err[256];
	struct mirror_scanned *a = scan(k, g);
	int rc = mirror_merge_scanned(m, a, 0, err, sizeof err);
	mirror_scanned_free(a);
	return rc;
}

int main(void)
{
	/* shrink, grow, restore: each member in the old one's memory or not */
	static const int order[] = {3, 1, 0, 4, 2, 2, 4, 3};
	struct mirror *m = fresh(2, 2);
	CHECK(as_fresh(m, 2, 2));
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
		int k = order[i], g = order[(i + 3) % 8];
		CHECK_EQ_INT(merge(m, k, g), 0);
		CHECK(as_fresh(m, k, g));
	}
	mirror_free(m);

	/* out of memory at each allocation of a merge that grows or shrinks
	 * the records (the first: a world's traits taken over, then its
	 * trade routes not): refused or done, the records stay readable, and
	 * the next merge gives the fresh records again */
	static const int from[][2] = {{4, 1}, {1, 4}, {4, 4}, {2, 2}};
	static const int to[][2] = {{1, 4}, {4, 1}, {1, 1}, {2, 2}};
	int failed = 0;
	for (size_t c = 0; c < sizeof from / sizeof from[0]; c++) {
		for (long left = 0; left < 40; left++) {
			m = fresh(from[c][0], from[c][1]);
			struct mirror_scanned *a = scan(to[c][0], to[c][1]);
			char err[256];
			alloc_left = left;
			int rc = mirror_merge_scanned(m, a, 0, err, sizeof err);
			alloc_left = -1;
			mirror_scanned_free(a);
			failed += rc < 0;
			CHECK(touch(m) > 0);
			CHECK_EQ_INT(merge(m, to[c][0], to[c][1]), 0);
			CHECK(as_fresh(m, to[c][0], to[c][1]));
			mirror_free(m);
		}
	}
	CHECK(failed > 0);
	return tap_done();
}
