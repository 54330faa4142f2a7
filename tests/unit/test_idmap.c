/* test_idmap.c -- idmap_free_with(), the end of a map that owns its
 * values: every value is handed to the free function exactly once (after
 * puts, replaces and deletes that moved entries about), an empty or
 * never-used map hands none, and the map is empty and usable after.  And
 * the map against a plain array after a long random mix of puts, replaces
 * and deletes in a few hundred keys (probe runs that wrap around the end of
 * the slots, deletes that shift later entries back): every get, the count
 * and a walk with idmap_next() agree with the array.  And a map big enough
 * for its slots to come from the huge-page path (70,000 entries: 4 MiB of
 * slots) finds every entry, before and after deletes. */
#include <stdlib.h>

#include "idmap.h"
#include "rng.h"
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

#define MODEL_KEYS 300
#define MODEL_OPS 40000

/* Key k of the model: spread over the int64 range, negatives and 0 too. */
static int64_t model_key(int k)
{
	return k % 3 == 0 ? (int64_t)k : k % 3 == 1 ? -(int64_t)k * 1000003
						 : (int64_t)k << 40;
}

/* 1 if the map holds exactly model[] (NULL: absent), by get, n and a walk. */
static int agrees(const struct idmap *m, void *const model[MODEL_KEYS])
{
	size_t live = 0;
	for (int k = 0; k < MODEL_KEYS; k++) {
		if (idmap_get(m, model_key(k)) != model[k])
			return 0;
		live += model[k] != NULL;
	}
	size_t pos = 0, seen = 0;
	int64_t key;
	void *v;
	while (idmap_next(m, &pos, &key, &v)) {
		int found = 0;
		for (int k = 0; k < MODEL_KEYS; k++)
			found |= model_key(k) == key && model[k] == v;
		if (!found)
			return 0;
		seen++;
	}
	return m->n == live && seen == live;
}

static void check_model(void)
{
	static char vals[MODEL_KEYS][2]; /* two distinct values per key */
	void *model[MODEL_KEYS] = {0};
	struct idmap m;
	struct rng r;
	idmap_init(&m);
	rng_seed(&r, 12);
	int bad = 0;
	for (int op = 0; op < MODEL_OPS && !bad; op++) {
		int k = (int)rng_range(&r, 0, MODEL_KEYS - 1);
		/* deletes a little more often than puts at first, fewer later:
		 * the map fills, empties and refills */
		if (rng_range(&r, 0, 99) < (op % 10000 < 5000 ? 40 : 60)) {
			void *v = &vals[k][op & 1];
			bad |= idmap_put(&m, model_key(k), v) != 0;
			model[k] = v;
		} else {
			bad |= idmap_del(&m, model_key(k)) != model[k];
			model[k] = NULL;
		}
		if (op % 97 == 0)
			bad |= !agrees(&m, model);
	}
	CHECK(!bad);
	CHECK(agrees(&m, model));
	idmap_free(&m);
}

#define BIG_N 70000

static void check_big(void)
{
	static char v[2];
	struct idmap m;
	idmap_init(&m);
	int bad = 0;
	for (int64_t k = 1; k <= BIG_N; k++)
		bad |= idmap_put(&m, k * 11, &v[k & 1]) != 0;
	CHECK(!bad);
	CHECK(m.cap * sizeof(struct idmap_slot) >= (size_t)2 << 20);
	for (int64_t k = 1; k <= BIG_N; k += 2)
		bad |= idmap_del(&m, k * 11) != &v[1];
	for (int64_t k = 0; k <= BIG_N + 1; k++)
		bad |= idmap_get(&m, k * 11) != (k >= 1 && k <= BIG_N && !(k & 1) ? &v[0] : NULL);
	CHECK(!bad);
	CHECK_EQ_INT(m.n, BIG_N / 2);
	idmap_free(&m);
}

int main(void)
{
	check_model();
	check_big();
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
