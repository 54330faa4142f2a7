/* array.c -- see array.h. */
#include "array.h"

#include <stdint.h>
#include <stdlib.h>

void *array_grow(void *v, size_t *cap, size_t n, size_t elem, size_t first)
{
	if (n < *cap)
		return v;
	if (*cap > SIZE_MAX / 2)
		return NULL;
	size_t c = *cap ? *cap * 2 : (first ? first : 1);
	if (elem && c > SIZE_MAX / elem)
		return NULL;
	void *grown = realloc(v, c * elem);
	if (grown)
		*cap = c;
	return grown;
}
