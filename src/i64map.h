/* i64map.h -- an open-addressing hash map from int64 keys to pointers.
 *
 * Used by the job engine for its in-memory indexes (job id -> record,
 * fleet -> lease holder, fleet/world -> waiting jobs), where 100,000
 * entries must cost a few bytes each.  Keys must be non-zero (0 marks an
 * empty slot).  Owns only its slot array, never the values. */
#ifndef FLEETD_I64MAP_H
#define FLEETD_I64MAP_H

#include <stddef.h>
#include <stdint.h>

struct i64map_slot {
	int64_t key;
	void *val;
};

struct i64map {
	struct i64map_slot *slots;
	size_t cap; /* a power of two, or 0 */
	size_t n;
};

void i64map_init(struct i64map *m);
void i64map_free(struct i64map *m);
void *i64map_get(const struct i64map *m, int64_t key);
/* Insert or replace.  -1 on ENOMEM or key 0. */
int i64map_put(struct i64map *m, int64_t key, void *val);
/* Remove; returns the old value or NULL. */
void *i64map_del(struct i64map *m, int64_t key);

#endif
