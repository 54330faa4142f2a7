/* test_idmap.c -- idmap_free_with(), the end of a map that owns its
 * values: every value is handed to the free function exactly once (after
 * puts, replaces and deletes that moved entries about), an empty or
 * never-used map hands none, and the map is empty and usable after. */
#include <stdlib.h>

#include "idmap.h"
#include "tap.h"

#define N 1000

static int freed[N + 1];

/* Values are malloc'd ints holding their key. */
static void count_free(void *v)
{
	int *k = v;
	if (*k >= 0 && *k <= N)
		freed[*k]++;
	free(k);
}

static int *val(int key)
{
	int *v = malloc(sizeof *v);
	if (v)
		*v = key;
	return v;
}

int main(void)
{
	struct idmap m;
	idmap_init(&m);
	idmap_free_with(&m, count_free); /* never used: nothing to free */
	for (int k = 1; k <= N; k++)
		CHECK(idmap_put(&m, k * 7919LL, val(k)) == 0);
	/* delete every third (the map shifts entries back), replace every fifth */
	for (int k = 3; k <= N; k += 3)
		count_free(idmap_del(&m, k * 7919LL));
	for (int k = 5; k <= N; k += 5) {
		void *old = idmap_get(&m, k * 7919LL);
		if (old) {
			CHECK(idmap_put(&m, k * 7919LL, val(k)) == 0);
			count_free(old);
		}
	}
	size_t left = m.n;
	for (int k = 0; k <= N; k++)
		freed[k] = 0;
	idmap_free_with(&m, count_free);
	size_t total = 0;
	for (int k = 1; k <= N; k++) {
		CHECK(freed[k] == (k % 3 ? 1 : 0));
		total += (size_t)freed[k];
	}
	CHECK_EQ_INT(total, left);
	CHECK_EQ_INT(m.n, 0);
	CHECK(idmap_get(&m, 7919) == NULL);
	CHECK(idmap_put(&m, 1, val(0)) == 0); /* usable again */
	freed[0] = 0;
	idmap_free_with(&m, count_free);
	CHECK_EQ_INT(freed[0], 1);
	return tap_done();
}
