/* idmap.h -- a hash table from 64-bit ids to pointers, and a small growable
 * vector of ids.
 *
 * Open addressing with linear probing and backward-shift deletion (no
 * tombstones), so lookups stay O(1) however many objects come and go.  A
 * key and its value sit side by side in one slot: a lookup in a map far
 * larger than the cache (the mirror's 134,000 fleets, the engine's 100,000
 * jobs) then misses once per probe, not once in a key array and again in
 * a value array.  The map owns only its slots; the values belong to the
 * caller.  Used by the mirror for objects, the catalogue and its fleet
 * indexes, and by the engine for its jobs and leases. */
#ifndef FLEETD_IDMAP_H
#define FLEETD_IDMAP_H

#include <stddef.h>
#include <stdint.h>

struct idmap_slot {
	int64_t key;
	void *val;     /* NULL marks an empty slot; values are never NULL */
};

struct idmap {
	struct idmap_slot *slots;
	size_t cap;    /* slots: a power of two, or 0 */
	size_t n;      /* slots in use */
};

void idmap_init(struct idmap *m);
void idmap_free(struct idmap *m);
/* For a map that owns its values: free_val(v) for each value v (it must
 * not change the map), then idmap_free(). */
void idmap_free_with(struct idmap *m, void (*free_val)(void *val));
void *idmap_get(const struct idmap *m, int64_t key);
/* Insert or replace (val must not be NULL).  -1 on ENOMEM, which only an
 * insert can meet: replacing the value of a present key never allocates. */
int idmap_put(struct idmap *m, int64_t key, void *val);
/* Remove key; returns the value it had, or NULL. */
void *idmap_del(struct idmap *m, int64_t key);
/* Visit every entry: start with *pos = 0; returns 0 when done. */
int idmap_next(const struct idmap *m, size_t *pos, int64_t *key, void **val);

struct idvec {
	int64_t *v;
	size_t n, cap;
};

int idvec_push(struct idvec *iv, int64_t id);
/* Remove the first occurrence of id (order not kept); 1 if found. */
int idvec_remove(struct idvec *iv, int64_t id);
void idvec_free(struct idvec *iv);

#endif
