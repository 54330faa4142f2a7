/* alloc_fail.h -- a failing allocator for unit tests of what a program
 * does when memory runs out.  A test that includes it links with
 * -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc (see am/jobs.am,
 * am/mirror.am): the calls of the code linked into it (libfleetd.a,
 * libcommon.a, the test) come here, shared libraries' calls do not.
 * Include it in one file of the test only: it defines the wrappers. */
#ifndef FLEETD_TEST_ALLOC_FAIL_H
#define FLEETD_TEST_ALLOC_FAIL_H

#include <stdlib.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);

/* Allocations that still succeed before every one fails; negative (the
 * start): none fails.  0: every one fails. */
static long alloc_left = -1;

static int alloc_fails(void)
{
	if (alloc_left < 0)
		return 0;
	if (alloc_left == 0)
		return 1;
	alloc_left--;
	return 0;
}

void *__wrap_malloc(size_t n)
{
	return alloc_fails() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return alloc_fails() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
	return alloc_fails() ? NULL : __real_realloc(p, n);
}

#endif
