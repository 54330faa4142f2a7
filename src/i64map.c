/* i64map.c -- see i64map.h.  Linear probing with backward-shift deletion
 * (no tombstones), load factor kept under 3/4. */
#include "i64map.h"

#include <stdlib.h>

static size_t slot_of(uint64_t key, size_t cap)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdULL;
	key ^= key >> 33;
	return (size_t)key & (cap - 1);
}

void i64map_init(struct i64map *m)
{
	m->slots = NULL;
	m->cap = m->n = 0;
}

void i64map_free(struct i64map *m)
{
	free(m->slots);
	i64map_init(m);
}

static struct i64map_slot *find(const struct i64map *m, int64_t key)
{
	if (!m->cap || key == 0)
		return NULL;
	for (size_t i = slot_of((uint64_t)key, m->cap);; i = (i + 1) & (m->cap - 1)) {
		if (m->slots[i].key == key)
			return &m->slots[i];
		if (m->slots[i].key == 0)
			return NULL;
	}
}

void *i64map_get(const struct i64map *m, int64_t key)
{
	struct i64map_slot *s = find(m, key);
	return s ? s->val : NULL;
}

static void place(struct i64map_slot *slots, size_t cap, int64_t key, void *val)
{
	size_t i = slot_of((uint64_t)key, cap);
	while (slots[i].key != 0)
		i = (i + 1) & (cap - 1);
	slots[i].key = key;
	slots[i].val = val;
}

static int grow(struct i64map *m)
{
	size_t cap = m->cap ? m->cap * 2 : 16;
	struct i64map_slot *s = calloc(cap, sizeof *s);
	if (!s)
		return -1;
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key)
			place(s, cap, m->slots[i].key, m->slots[i].val);
	free(m->slots);
	m->slots = s;
	m->cap = cap;
	return 0;
}

int i64map_put(struct i64map *m, int64_t key, void *val)
{
	if (key == 0)
		return -1;
	struct i64map_slot *s = find(m, key);
	if (s) {
		s->val = val;
		return 0;
	}
	if ((m->n + 1) * 4 > m->cap * 3 && grow(m) < 0)
		return -1;
	place(m->slots, m->cap, key, val);
	m->n++;
	return 0;
}

void *i64map_del(struct i64map *m, int64_t key)
{
	struct i64map_slot *s = find(m, key);
	if (!s)
		return NULL;
	void *old = s->val;
	size_t mask = m->cap - 1, hole = (size_t)(s - m->slots);
	/* shift later members of the cluster back so lookups never stop early */
	for (size_t j = (hole + 1) & mask; m->slots[j].key; j = (j + 1) & mask) {
		size_t home = slot_of((uint64_t)m->slots[j].key, m->cap);
		/* move j into the hole unless its home lies cyclically in (hole, j] */
		int in_range = hole <= j ? (home > hole && home <= j)
					 : (home > hole || home <= j);
		if (!in_range) {
			m->slots[hole] = m->slots[j];
			hole = j;
		}
	}
	m->slots[hole].key = 0;
	m->slots[hole].val = NULL;
	m->n--;
	return old;
}
