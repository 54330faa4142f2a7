/* idmap.c -- see idmap.h. */
#include "idmap.h"

#include <stdlib.h>

#include "array.h"

static size_t slot_of(int64_t key, size_t cap)
{
	/* splitmix64 finaliser: game ids are dense and sequential, so the raw
	 * value would cluster */
	uint64_t x = (uint64_t)key;
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return (size_t)x & (cap - 1);
}

void idmap_init(struct idmap *m)
{
	m->keys = NULL;
	m->vals = NULL;
	m->cap = m->n = 0;
}

void idmap_free(struct idmap *m)
{
	free(m->keys);
	free(m->vals);
	idmap_init(m);
}

void idmap_free_with(struct idmap *m, void (*free_val)(void *val))
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->vals[i])
			free_val(m->vals[i]);
	idmap_free(m);
}

void *idmap_get(const struct idmap *m, int64_t key)
{
	if (!m->cap)
		return NULL;
	for (size_t i = slot_of(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
		if (!m->vals[i])
			return NULL;
		if (m->keys[i] == key)
			return m->vals[i];
	}
}

static int grow(struct idmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 16;
	int64_t *keys = malloc(cap * sizeof *keys);
	void **vals = calloc(cap, sizeof *vals);
	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -1;
	}
	for (size_t j = 0; j < m->cap; j++) {
		if (!m->vals[j])
			continue;
		size_t i = slot_of(m->keys[j], cap);
		while (vals[i])
			i = (i + 1) & (cap - 1);
		keys[i] = m->keys[j];
		vals[i] = m->vals[j];
	}
	free(m->keys);
	free(m->vals);
	m->keys = keys;
	m->vals = vals;
	m->cap = cap;
	return 0;
}

/* The slot holding key, or the empty slot ending its probe run; the map
 * must have slots. */
static size_t find_slot(const struct idmap *m, int64_t key)
{
	size_t i = slot_of(key, m->cap);
	while (m->vals[i] && m->keys[i] != key)
		i = (i + 1) & (m->cap - 1);
	return i;
}

int idmap_put(struct idmap *m, int64_t key, void *val)
{
	/* Look the key up first: replacing a value never allocates, so it
	 * cannot fail (condidx_remove() relies on that to move a list head). */
	if (m->cap) {
		size_t i = find_slot(m, key);
		if (m->vals[i]) {
			m->vals[i] = val;
			return 0;
		}
	}
	/* load factor at most 1/2 keeps probe runs short */
	if ((m->n + 1) * 2 > m->cap && grow(m) < 0)
		return -1;
	size_t i = find_slot(m, key);
	m->n++;
	m->keys[i] = key;
	m->vals[i] = val;
	return 0;
}

void *idmap_del(struct idmap *m, int64_t key)
{
	if (!m->cap)
		return NULL;
	size_t mask = m->cap - 1, i = slot_of(key, m->cap);
	while (m->vals[i] && m->keys[i] != key)
		i = (i + 1) & mask;
	void *old = m->vals[i];
	if (!old)
		return NULL;
	/* backward shift: pull later members of the run into the hole when
	 * their home slot does not lie cyclically between hole and them */
	size_t hole = i;
	for (size_t j = (i + 1) & mask; m->vals[j]; j = (j + 1) & mask) {
		size_t home = slot_of(m->keys[j], m->cap);
		int movable = hole <= j ? (home <= hole || home > j)
					: (home <= hole && home > j);
		if (movable) {
			m->keys[hole] = m->keys[j];
			m->vals[hole] = m->vals[j];
			hole = j;
		}
	}
	m->vals[hole] = NULL;
	m->n--;
	return old;
}

int idmap_next(const struct idmap *m, size_t *pos, int64_t *key, void **val)
{
	for (; *pos < m->cap; (*pos)++) {
		if (m->vals[*pos]) {
			*key = m->keys[*pos];
			*val = m->vals[*pos];
			(*pos)++;
			return 1;
		}
	}
	return 0;
}

int idvec_push(struct idvec *iv, int64_t id)
{
	int64_t *v = array_grow(iv->v, &iv->cap, iv->n, sizeof *v, 4);
	if (!v)
		return -1;
	iv->v = v;
	iv->v[iv->n++] = id;
	return 0;
}

int idvec_remove(struct idvec *iv, int64_t id)
{
	for (size_t i = 0; i < iv->n; i++) {
		if (iv->v[i] == id) {
			iv->v[i] = iv->v[--iv->n];
			return 1;
		}
	}
	return 0;
}

void idvec_free(struct idvec *iv)
{
	free(iv->v);
	iv->v = NULL;
	iv->n = iv->cap = 0;
}
