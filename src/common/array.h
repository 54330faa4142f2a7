/* array.h -- the one way a growing array makes room: its capacity doubles
 * (from `first`), checked against overflow, and the caller keeps the old
 * block if memory runs out.  Owns nothing: the array is the caller's. */
#ifndef FLEETD_ARRAY_H
#define FLEETD_ARRAY_H

#include <stddef.h>

/* The array v (*cap elements of elem bytes, n in use) with room for one
 * more: v itself when there is room, else the grown block with *cap
 * updated; NULL (v still valid, *cap unchanged) when it cannot grow. */
void *array_grow(void *v, size_t *cap, size_t n, size_t elem, size_t first);

#endif
