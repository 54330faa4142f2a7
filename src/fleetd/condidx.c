/* condidx.c -- see condidx.h.  Each id's waiters form a doubly-linked list
 * whose head is in the map, so adding and removing one job is O(1) and a
 * change wakes only the list of its id. */
#include "condidx.h"

void condidx_init(struct condidx *ci)
{
	idmap_init(&ci->fleets);
	idmap_init(&ci->worlds);
	theap_init(&ci->watches);
	ci->n = 0;
}

void condidx_free(struct condidx *ci)
{
	idmap_free(&ci->fleets);
	idmap_free(&ci->worlds);
	theap_free(&ci->watches);
}

void cond_node_init(struct cond_node *n)
{
	n->next = n->prev = NULL;
	n->id = 0;
	n->space = COND_SPACE_NONE;
}

static struct idmap *map_of(struct condidx *ci, enum cond_space space)
{
	return space == COND_SPACE_FLEET ? &ci->fleets : &ci->worlds;
}

int condidx_add(struct condidx *ci, struct cond_node *n, enum cond_space space,
		int64_t id)
{
	if (space == COND_SPACE_NONE || n->space != COND_SPACE_NONE || id == 0)
		return -1;
	struct idmap *m = map_of(ci, space);
	struct cond_node *head = idmap_get(m, id);
	if (idmap_put(m, id, n) < 0)
		return -1;
	n->next = head;
	n->prev = NULL;
	if (head)
		head->prev = n;
	n->id = id;
	n->space = (uint8_t)space;
	ci->n++;
	return 0;
}

void condidx_remove(struct condidx *ci, struct cond_node *n)
{
	if (n->space == COND_SPACE_NONE)
		return;
	struct idmap *m = map_of(ci, (enum cond_space)n->space);
	if (n->next)
		n->next->prev = n->prev;
	if (n->prev)
		n->prev->next = n->next;
	else if (n->next)
		idmap_put(m, n->id, n->next); /* replacing never allocates */
	else
		idmap_del(m, n->id);
	cond_node_init(n);
	ci->n--;
}

/* A list of thousands of waiters is bound by memory reads, one node after
 * the other: the next node, and the lines its owner keeps around it (what
 * the callback will read of it), are fetched while the callback runs on
 * this one.  A prefetch past an object is harmless. */
static void prefetch_node(const struct cond_node *n)
{
	if (!n)
		return;
	__builtin_prefetch(n);
	__builtin_prefetch((const char *)n - 64);
	__builtin_prefetch((const char *)n + 64);
	__builtin_prefetch((const char *)n + 128);
}

/* fn on each node of the list from n; take: each is unregistered first
 * (n->id still says which id it was under). */
static size_t walk(struct condidx *ci, struct cond_node *n, int64_t id, int take,
		   void (*fn)(void *arg, struct cond_node *n), void *arg)
{
	size_t count = 0;
	while (n) {
		struct cond_node *next = n->next;
		prefetch_node(next);
		if (take) {
			cond_node_init(n);
			n->id = id;
			ci->n--;
		}
		count++;
		fn(arg, n);
		n = next;
	}
	return count;
}

size_t condidx_take(struct condidx *ci, enum cond_space space, int64_t id,
		    void (*fn)(void *arg, struct cond_node *n), void *arg)
{
	if (space == COND_SPACE_NONE)
		return 0;
	return walk(ci, idmap_del(map_of(ci, space), id), id, 1, fn, arg);
}

size_t condidx_visit(struct condidx *ci, enum cond_space space, int64_t id,
		     void (*fn)(void *arg, struct cond_node *n), void *arg)
{
	if (space == COND_SPACE_NONE)
		return 0;
	return walk(ci, idmap_get(map_of(ci, space), id), id, 0, fn, arg);
}

int condidx_add_watch(struct condidx *ci, struct theap_node *n, int64_t w)
{
	return theap_push(&ci->watches, n, w);
}

void condidx_remove_watch(struct condidx *ci, struct theap_node *n)
{
	theap_remove(&ci->watches, n);
}

size_t condidx_take_watch(struct condidx *ci, int64_t watch,
			  void (*fn)(void *arg, struct theap_node *n), void *arg)
{
	size_t count = 0;
	struct theap_node *n;
	while ((n = theap_peek(&ci->watches)) && n->deadline <= watch) {
		theap_pop(&ci->watches);
		count++;
		fn(arg, n);
	}
	return count;
}

size_t condidx_count(const struct condidx *ci)
{
	return ci->n + theap_size(&ci->watches);
}
