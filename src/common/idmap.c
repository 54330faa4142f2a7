/* idmap.c -- see idmap.h. */
#include "idmap.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

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
	m->slots = NULL;
	m->cap = m->n = 0;
}

void idmap_free(struct idmap *m)
{
	free(m->slots);
	idmap_init(m);
}

void idmap_free_with(struct idmap *m, void (*free_val)(void *val))
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].val)
			free_val(m->slots[i].val);
	idmap_free(m);
}

void *idmap_get(const struct idmap *m, int64_t key)
{
	if (!m->cap)
		return NULL;
	const struct idmap_slot *s = m->slots + slot_of(key, m->cap);
	const struct idmap_slot *end = m->slots + m->cap;
	for (;;) {
		if (!s->val || s->key == key)
			return s->val;
		if (++s == end)
			s = m->slots;
	}
}

/* Zeroed room for cap slots.  A table of at least HUGE_TABLE bytes starts
 * on a huge-page boundary and asks the kernel for huge pages: a lookup in
 * the mirror's or the engine's big maps lands on a random slot, and with
 * 4 KiB pages nearly every one also missed the TLB (the native profile of
 * the arrival watch spent about 5 % of it in idmap_get() for ~2,000
 * lookups). */
#define HUGE_TABLE ((size_t)2 << 20)
static struct idmap_slot *slots_alloc(size_t cap)
{
	size_t bytes = cap * sizeof(struct idmap_slot);
	if (bytes < HUGE_TABLE)
		return calloc(cap, sizeof(struct idmap_slot));
	void *p;
	if (posix_memalign(&p, HUGE_TABLE, bytes) != 0)
		return NULL;
#ifdef MADV_HUGEPAGE
	madvise(p, bytes, MADV_HUGEPAGE); /* a hint: no huge pages is fine */
#endif
	memset(p, 0, bytes);
	return p;
}

static int grow(struct idmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 16;
	if (cap > SIZE_MAX / sizeof(struct idmap_slot))
		return -1;
	struct idmap_slot *slots = slots_alloc(cap);
	if (!slots)
		return -1;
	for (size_t j = 0; j < m->cap; j++) {
		if (!m->slots[j].val)
			continue;
		size_t i = slot_of(m->slots[j].key, cap);
		while (slots[i].val)
			i = (i + 1) & (cap - 1);
		slots[i] = m->slots[j];
	}
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	return 0;
}

/* The slot holding key, or the empty slot ending its probe run; the map
 * must have slots. */
static size_t find_slot(const struct idmap *m, int64_t key)
{
	size_t i = slot_of(key, m->cap);
	while (m->slots[i].val && m->slots[i].key != key)
		i = (i + 1) & (m->cap - 1);
	return i;
}

int idmap_put(struct idmap *m, int64_t key, void *val)
{
	/* Look the key up first: replacing a value never allocates, so it
	 * cannot fail (condidx_remove() relies on that to move a list head). */
	if (m->cap) {
		size_t i = find_slot(m, key);
		if (m->slots[i].val) {
			m->slots[i].val = val;
			return 0;
		}
	}
	/* load factor at most 1/2 keeps probe runs short */
	if ((m->n + 1) * 2 > m->cap && grow(m) < 0)
		return -1;
	size_t i = find_slot(m, key);
	m->n++;
	m->slots[i] = (struct idmap_slot){key, val};
	return 0;
}

void *idmap_del(struct idmap *m, int64_t key)
{
	if (!m->cap)
		return NULL;
	size_t mask = m->cap - 1, i = find_slot(m, key);
	void *old = m->slots[i].val;
	if (!old)
		return NULL;
	/* backward shift: pull later members of the run into the hole when
	 * their home slot does not lie cyclically between hole and them */
	size_t hole = i;
	for (size_t j = (i + 1) & mask; m->slots[j].val; j = (j + 1) & mask) {
		size_t home = slot_of(m->slots[j].key, m->cap);
		int movable = hole <= j ? (home <= hole || home > j)
					: (home <= hole && home > j);
		if (movable) {
			m->slots[hole] = m->slots[j];
			hole = j;
		}
	}
	m->slots[hole].val = NULL;
	m->n--;
	return old;
}

int idmap_next(const struct idmap *m, size_t *pos, int64_t *key, void **val)
{
	for (; *pos < m->cap; (*pos)++) {
		if (m->slots[*pos].val) {
			*key = m->slots[*pos].key;
			*val = m->slots[*pos].val;
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
