/* jobcache.h -- the serialised answer of GET /v1/jobs/{id}, kept per job
 * until that job's row next changes.
 *
 * A fixed table of JOBCACHE_SLOTS entries, one per id modulo the size
 * (a newer job simply evicts an older one in its slot), with a cap on the
 * bytes held, so memory stays bounded however many jobs exist and a job
 * nobody reads costs nothing.  The cache owns only its copies of the
 * answers; it knows nothing of SQLite or HTTP.  Its callers (the engine)
 * must call jobcache_forget at every write of a job row and must put
 * only committed state in it. */
#ifndef FLEETD_JOBCACHE_H
#define FLEETD_JOBCACHE_H

#include <stddef.h>
#include <stdint.h>

#define JOBCACHE_SLOTS 2048
#define JOBCACHE_MAX_BYTES ((size_t)4 << 20)  /* all answers together */

struct jobcache_slot {
	int64_t id;  /* 0: empty */
	char *text;
	size_t len;
};

struct jobcache {
	struct jobcache_slot slot[JOBCACHE_SLOTS];
	size_t bytes;
	uint64_t hits, misses;
};

void jobcache_init(struct jobcache *c);
void jobcache_free(struct jobcache *c);
/* The cached answer for id (owned by the cache, valid until the next
 * call that changes it), or NULL. */
const char *jobcache_get(struct jobcache *c, int64_t id, size_t *len);
/* Keep a copy of text as id's answer; skipped (0) when it would pass the
 * byte cap, -1 on ENOMEM. */
int jobcache_put(struct jobcache *c, int64_t id, const char *text, size_t len);
/* id's row changed (or may have): drop its answer. */
void jobcache_forget(struct jobcache *c, int64_t id);

#endif
