/* json_alloc.c -- jansson's allocator: free lists per size class in front
 * of malloc() (see json_alloc.h).
 *
 * A request of n bytes (up to JSON_ALLOC_MAX) belongs to the class of the
 * next multiple of JSON_ALLOC_GRAIN, and a block made for it is malloc()'d
 * at exactly that size.  A freed block goes to the largest class its
 * usable size covers, so a block popped from a class always holds the
 * class's size, whatever made it.  A free block holds the next of its
 * list in its first bytes. */
#include "json_alloc.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "sanitizer.h"

#if defined(__GLIBC__) && !FLEETD_UNDER_ASAN
#define JSON_ALLOC_LISTS 1
#include <malloc.h>

#define NCLASSES (JSON_ALLOC_MAX / JSON_ALLOC_GRAIN)

static void *lists[NCLASSES];
static unsigned kept[NCLASSES];
static size_t total_kept; /* the sum of kept[] */

static void *ja_malloc(size_t n)
{
	if (n > JSON_ALLOC_MAX)
		return malloc(n);
	size_t c = n ? (n - 1) / JSON_ALLOC_GRAIN : 0;
	void *b = lists[c];
	if (!b)
		return malloc((c + 1) * JSON_ALLOC_GRAIN);
	memcpy(&lists[c], b, sizeof lists[c]);
	kept[c]--;
	total_kept--;
	return b;
}

static void ja_free(void *p)
{
	if (!p)
		return;
	size_t usable = malloc_usable_size(p);
	if (usable >= JSON_ALLOC_GRAIN) {
		size_t c = usable / JSON_ALLOC_GRAIN - 1;
		if (c < NCLASSES && kept[c] < JSON_ALLOC_KEEP_BYTES / ((c + 1) * JSON_ALLOC_GRAIN)) {
			memcpy(p, &lists[c], sizeof lists[c]);
			lists[c] = p;
			kept[c]++;
			total_kept++;
			return;
		}
	}
	free(p);
}
#endif

int json_alloc_install(void)
{
#ifdef JSON_ALLOC_LISTS
	json_set_alloc_funcs(ja_malloc, ja_free);
	return 0;
#else
	return -1;
#endif
}

size_t json_alloc_cached(void)
{
#ifdef JSON_ALLOC_LISTS
	return total_kept;
#else
	return 0;
#endif
}
