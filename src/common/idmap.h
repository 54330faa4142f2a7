/* idmap.h -- a hash table from 64-bit ids to pointers, and a small growable
 * vector of ids.
 *
 * Open addressing with linear probing and backward-shift deletion (no
 * tombstones), so lookups stay O(1) however many objects come and go.  The
 * map owns only its arrays; the values belong to the caller.  Used by the
 * mirror for objects, the catalogue and its fleet indexes. */
#ifndef FLEETD_IDMAP_H
#define FLEETD_IDMAP_H

#include <stddef.h>
#include <stdint.h>

struct idmap {
	int64_t *keys;
	void **vals;   /* NULL marks an empty slot; values are never NULL */
	size_t cap;    /* a power of two, or 0 */
	size_t n;
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
