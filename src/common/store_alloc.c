/* store_alloc.c -- SQLite's allocator: free lists per size class in front
 * of malloc() (see store_alloc.h).
 *
 * Every block carries a header of BLOCK_HDR bytes before what SQLite sees,
 * holding its capacity (what xSize answers); BLOCK_HDR keeps the block as
 * aligned as malloc() made it.  A block of capacity up to
 * STORE_ALLOC_MAX_CLASS is "small": its capacity is a multiple of
 * STORE_ALLOC_GRAIN and names its class; one up to STORE_ALLOC_MAX_LARGE is
 * "large", a multiple of STORE_ALLOC_LARGE_GRAIN, its class numbered after
 * the small ones.  The lists hold the blocks as
 * malloc() gave them (header first), each free block the next of its class
 * where SQLite's bytes were, so a leak checker sees them all reachable. */
#include "store_alloc.h"

/* In a sanitizer build SQLite keeps its own allocator (see the header). */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifndef UNDER_ASAN
#define BLOCK_HDR 16
#define NSMALL (STORE_ALLOC_MAX_CLASS / STORE_ALLOC_GRAIN)
#define NCLASSES (NSMALL + STORE_ALLOC_MAX_LARGE / STORE_ALLOC_LARGE_GRAIN)

static char *lists[NCLASSES]; /* block starts (the header), or NULL */
static unsigned kept[NCLASSES];

static size_t round_up(size_t n, size_t grain)
{
	return (n + grain - 1) / grain * grain;
}

/* The capacity a request of n bytes gets. */
static size_t capacity_of(size_t n)
{
	if (n == 0)
		n = 1;
	if (n <= STORE_ALLOC_MAX_CLASS)
		return round_up(n, STORE_ALLOC_GRAIN);
	if (n <= STORE_ALLOC_MAX_LARGE)
		return round_up(n, STORE_ALLOC_LARGE_GRAIN);
	return round_up(n, 8);
}

/* The class of a capacity up to STORE_ALLOC_MAX_LARGE. */
static size_t class_of(size_t cap)
{
	if (cap <= STORE_ALLOC_MAX_CLASS)
		return cap / STORE_ALLOC_GRAIN - 1;
	return NSMALL + cap / STORE_ALLOC_LARGE_GRAIN - 1;
}

/* How many free blocks class c keeps at most. */
static unsigned keep_of(size_t c, size_t cap)
{
	return c < NSMALL ? STORE_ALLOC_KEEP : (unsigned)(STORE_ALLOC_KEEP_BYTES / cap);
}

static size_t cap_of(const void *p)
{
	size_t cap;
	memcpy(&cap, (const char *)p - BLOCK_HDR, sizeof cap);
	return cap;
}

static void *block_new(size_t cap)
{
	if (cap > SIZE_MAX - BLOCK_HDR)
		return NULL;
	char *b = malloc(BLOCK_HDR + cap);
	if (!b)
		return NULL;
	memcpy(b, &cap, sizeof cap);
	return b + BLOCK_HDR;
}

static void *am_malloc(int n)
{
	if (n < 0)
		return NULL;
	size_t cap = capacity_of((size_t)n);
	if (cap <= STORE_ALLOC_MAX_LARGE) {
		size_t c = class_of(cap);
		char *b = lists[c];
		if (b) {
			memcpy(&lists[c], b + BLOCK_HDR, sizeof lists[c]);
			kept[c]--;
			return b + BLOCK_HDR;
		}
	}
	return block_new(cap);
}

static void am_free(void *p)
{
	if (!p)
		return;
	size_t cap = cap_of(p);
	if (cap <= STORE_ALLOC_MAX_LARGE) {
		size_t c = class_of(cap);
		if (kept[c] < keep_of(c, cap)) {
			memcpy(p, &lists[c], sizeof lists[c]);
			lists[c] = (char *)p - BLOCK_HDR;
			kept[c]++;
			return;
		}
	}
	free((char *)p - BLOCK_HDR);
}

static int am_size(void *p)
{
	return p ? (int)cap_of(p) : 0;
}

static void *am_realloc(void *p, int n)
{
	if (!p)
		return am_malloc(n);
	if (n < 0)
		return NULL;
	size_t old = cap_of(p), cap = capacity_of((size_t)n);
	if (cap == old)
		return p;
	void *q = am_malloc(n);
	if (!q)
		return NULL; /* p stays SQLite's, as realloc() leaves it */
	memcpy(q, p, old < cap ? old : cap);
	am_free(p);
	return q;
}

static int am_roundup(int n)
{
	return n < 0 ? n : (int)capacity_of((size_t)n);
}

static int am_init(void *arg)
{
	(void)arg;
	return SQLITE_OK;
}

static void am_shutdown(void *arg)
{
	(void)arg;
}

int store_alloc_install(void)
{
	static const sqlite3_mem_methods m = {
		am_malloc, am_free, am_realloc, am_size, am_roundup, am_init, am_shutdown, NULL,
	};
	return sqlite3_config(SQLITE_CONFIG_MALLOC, &m) == SQLITE_OK ? 0 : -1;
}

size_t store_alloc_cached(void)
{
	size_t n = 0;
	for (size_t c = 0; c < NCLASSES; c++)
		n += kept[c];
	return n;
}

#else

int store_alloc_install(void)
{
	return -1;
}

size_t store_alloc_cached(void)
{
	return 0;
}

#endif
