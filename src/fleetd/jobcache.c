/* jobcache.c -- a bounded table of serialised job answers (see
 * jobcache.h).  Owns the copies it holds; never reads or writes the store,
 * never decides when an answer is stale (the engine says so). */
#include "jobcache.h"

#include <stdlib.h>
#include <string.h>

static struct jobcache_slot *slot_of(struct jobcache *c, int64_t id)
{
	return &c->slot[(uint64_t)id % JOBCACHE_SLOTS];
}

static void slot_clear(struct jobcache *c, struct jobcache_slot *s)
{
	c->bytes -= s->len;
	free(s->text);
	s->text = NULL;
	s->len = 0;
	s->id = 0;
}

void jobcache_init(struct jobcache *c)
{
	memset(c, 0, sizeof *c);
}

void jobcache_free(struct jobcache *c)
{
	for (size_t i = 0; i < JOBCACHE_SLOTS; i++)
		if (c->slot[i].id)
			slot_clear(c, &c->slot[i]);
}

const char *jobcache_get(struct jobcache *c, int64_t id, size_t *len)
{
	struct jobcache_slot *s = slot_of(c, id);
	if (id <= 0 || s->id != id) {
		c->misses++;
		return NULL;
	}
	c->hits++;
	*len = s->len;
	return s->text;
}

int jobcache_put(struct jobcache *c, int64_t id, const char *text, size_t len)
{
	if (id <= 0)
		return 0;
	struct jobcache_slot *s = slot_of(c, id);
	if (s->id)
		slot_clear(c, s);
	if (c->bytes + len > JOBCACHE_MAX_BYTES)
		return 0;
	char *copy = malloc(len ? len : 1);
	if (!copy)
		return -1;
	memcpy(copy, text, len);
	s->id = id;
	s->text = copy;
	s->len = len;
	c->bytes += len;
	return 1;
}

void jobcache_forget(struct jobcache *c, int64_t id)
{
	struct jobcache_slot *s = slot_of(c, id);
	if (id > 0 && s->id == id)
		slot_clear(c, s);
}
