/* json_alloc.h -- the memory allocator jansson is given
 * (json_set_alloc_funcs): free lists per size class in front of malloc().
 *
 * Why: a job's parsed spec, its step data and most answers are jansson
 * trees of many small blocks (an object, its hash table, each key, each
 * integer and string), built and freed whole.  The arrival watch frees
 * about 1,650 of them when its 100 jobs end; from glibc each free() cost
 * about 110 instructions, and the blocks that overflowed its per-size
 * cache went to fastbins that the next large request had to consolidate.
 * Here a freed block of up to JSON_ALLOC_MAX bytes goes on a list of its
 * class and the next request of that class pops it.
 *
 * Every block is an ordinary malloc() block (no header): what jansson
 * hands out, such as json_dumps() text, may be given to free() as its
 * documentation says, and a block jansson allocated before the install
 * may be freed through it.  The class of a freed block is read from
 * malloc_usable_size(), so the lists need glibc; elsewhere, and in
 * sanitizer builds (so that AddressSanitizer keeps seeing each block),
 * nothing is installed.
 *
 * Bounds: a class keeps at most JSON_ALLOC_KEEP_BYTES of free blocks, so
 * at most about 1 MiB is held beyond jansson's own peak use.
 * Single-threaded, as fleetd is (one loop thread uses jansson): no lock.
 *
 * Owns: the free lists.  Must not touch: blocks it did not get from
 * jansson. */
#ifndef FLEETD_JSON_ALLOC_H
#define FLEETD_JSON_ALLOC_H

#include <stddef.h>

#define JSON_ALLOC_GRAIN 16              /* bytes between size classes */
#define JSON_ALLOC_MAX 256               /* the largest block kept */
#define JSON_ALLOC_KEEP_BYTES (64 * 1024) /* kept per class at most */

/* Give jansson these functions.  0 when installed, -1 when not (no glibc,
 * or a sanitizer build). */
int json_alloc_install(void);

/* For tests: blocks now on the free lists, in all classes. */
size_t json_alloc_cached(void);

#endif
