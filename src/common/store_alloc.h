/* store_alloc.h -- the memory allocator SQLite is given (SQLITE_CONFIG_MALLOC).
 *
 * Why: Debian's SQLite is built with SQLITE_OMIT_LOOKASIDE, so every
 * register, cursor and record a statement uses comes from malloc() and
 * goes back to free() each time the statement is run and reset: about 20
 * malloc/free pairs per job INSERT, 40 per durable POST in all.  Here the
 * small blocks (up to STORE_ALLOC_MAX_CLASS bytes) are kept on a free list
 * per size class when freed and handed out again from it: a pointer pop
 * instead of malloc's bins.  So are the large ones up to
 * STORE_ALLOC_MAX_LARGE, in classes STORE_ALLOC_LARGE_GRAIN apart: a page
 * split or merge (balance) takes a page-sized buffer and a 9-15 KiB
 * scratch area and gives both back, two or three times a commit of the
 * arrival watch; from malloc() each was a search of its large bins and, as
 * a large request, a consolidation of every small chunk freed before it.
 * Larger blocks still go to malloc() directly.
 *
 * Bounds: each small class keeps at most STORE_ALLOC_KEEP free blocks and
 * each large class at most STORE_ALLOC_KEEP_BYTES of them (the rest go back
 * to free()), so what is held beyond SQLite's own peak use is about 1 MiB
 * of small blocks and 1 MiB of large ones.
 *
 * Single-threaded, as SQLite is used here (one loop thread owns every
 * connection, opened NOMUTEX): no lock.  Not installed in sanitizer builds,
 * so AddressSanitizer keeps seeing each of SQLite's blocks.
 *
 * Owns: the free lists and the methods given to SQLite.
 * Must not touch: SQLite's state beyond sqlite3_config(); memory it did
 * not hand out. */
#ifndef FLEETD_STORE_ALLOC_H
#define FLEETD_STORE_ALLOC_H

#include <stddef.h>

#define STORE_ALLOC_GRAIN 64       /* bytes between size classes */
#define STORE_ALLOC_MAX_CLASS 1024 /* the largest block kept on a list */
#define STORE_ALLOC_KEEP 64        /* free blocks kept per class at most */
#define STORE_ALLOC_LARGE_GRAIN 4096         /* bytes between large classes */
#define STORE_ALLOC_MAX_LARGE (64 * 1024)    /* the largest block kept */
#define STORE_ALLOC_KEEP_BYTES (64 * 1024)   /* kept per large class at most */

/* Give SQLite these methods; call before SQLite initialises (a later call
 * is refused by SQLite and changes nothing).  0 when installed, -1 when
 * not (refused, or a sanitizer build). */
int store_alloc_install(void);

/* For tests: blocks now on the free lists, in all classes. */
size_t store_alloc_cached(void);

#endif
