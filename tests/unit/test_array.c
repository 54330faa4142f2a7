/* test_array.c -- array_grow (array.c): room without moving, doubling from
 * the first capacity, contents kept, and the overflow refusals that leave
 * the caller's block and capacity alone. */
#include <stdint.h>
#include <stdlib.h>

#include "array.h"
#include "tap.h"

int main(void)
{
	size_t cap = 0, n = 0;
	int *v = NULL;
	for (int i = 0; i < 100; i++) {
		int *g = array_grow(v, &cap, n, sizeof *v, 4);
		CHECK(g != NULL);
		if (!g)
			break;
		v = g;
		v[n++] = i;
	}
	CHECK_EQ_INT(cap, 128); /* 4, 8, ..., 128 */
	int ok = 1;
	for (int i = 0; i < 100; i++)
		ok &= v[i] == i;
	CHECK(ok);
	CHECK(array_grow(v, &cap, 100, sizeof *v, 4) == v); /* room: not moved */
	size_t huge = SIZE_MAX / 2 + 1;
	CHECK(array_grow(v, &huge, huge, sizeof *v, 4) == NULL);
	CHECK(huge == SIZE_MAX / 2 + 1);
	size_t big = SIZE_MAX / 4; /* doubled: more than SIZE_MAX / 4 ints */
	CHECK(array_grow(v, &big, big, sizeof *v, 4) == NULL); /* bytes overflow */
	CHECK(big == SIZE_MAX / 4);
	size_t zero = 0;
	void *one = array_grow(NULL, &zero, 0, 16, 0); /* first 0 counts as 1 */
	CHECK(one != NULL && zero == 1);
	free(one);
	free(v);
	return tap_done();
}
