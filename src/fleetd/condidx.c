/* condidx.c -- see condidx.h.  The map's value for an id is either the
 * head of a doubly-linked list of nodes, or a tagged pointer (low bit set)
 * to a struct cond_set: an array of nodes, each knowing its place, plus a
 * list of those the array had no room for.  Adding and removing a node is
 * O(1) either way (an array loses a node by moving its last one into the
 * hole), and a change hands back only the nodes of its id. */
#include "condidx.h"

#include <stdlib.h>

struct cond_set {
	struct cond_node **v;
	uint32_t n, cap;
	struct cond_node *list; /* nodes the array could not take */
	int busy;               /* being visited: kept even when emptied */
};

static int is_set(const void *val)
{
	return ((uintptr_t)val & 1) != 0;
}

static struct cond_set *set_of(void *val)
{
	return (struct cond_set *)((uintptr_t)val & ~(uintptr_t)1);
}

static void *set_val(struct cond_set *set)
{
	return (void *)((uintptr_t)set | 1);
}

static void set_free(struct cond_set *set)
{
	free(set->v);
	free(set);
}

void condidx_init(struct condidx *ci)
{
	idmap_init(&ci->fleets);
	idmap_init(&ci->worlds);
	theap_init(&ci->watches);
	ci->n = 0;
}

/* A map value the index owns: a set (a list's nodes are the engine's). */
static void free_if_set(void *val)
{
	if (is_set(val))
		set_free(set_of(val));
}

void condidx_free(struct condidx *ci)
{
	idmap_free_with(&ci->fleets, free_if_set);
	idmap_free_with(&ci->worlds, free_if_set);
	theap_free(&ci->watches);
}

void cond_node_init(struct cond_node *n)
{
	n->next = NULL;
	n->u.prev = NULL;
	n->id = 0;
	n->at = 0;
	n->space = COND_SPACE_NONE;
	n->in_array = 0;
}

static struct idmap *map_of(struct condidx *ci, enum cond_space space)
{
	return space == COND_SPACE_FLEET ? &ci->fleets : &ci->worlds;
}

/* n at the head of the list *head. */
static void list_push(struct cond_node **head, struct cond_node *n)
{
	n->next = *head;
	n->u.prev = NULL;
	n->in_array = 0;
	if (*head)
		(*head)->u.prev = n;
	*head = n;
}

static void array_put(struct cond_set *set, uint32_t at, struct cond_node *n)
{
	set->v[at] = n;
	n->next = NULL;
	n->u.set = set;
	n->at = at;
	n->in_array = 1;
}

/* n at the end of the set's array; -1 when it cannot grow. */
static int set_push(struct cond_set *set, struct cond_node *n)
{
	if (set->n == set->cap) {
		uint32_t cap = set->cap ? set->cap * 2 : 4;
		struct cond_node **v = cap > set->cap ? realloc(set->v, cap * sizeof *v) : NULL;
		if (!v)
			return -1;
		set->v = v;
		set->cap = cap;
	}
	array_put(set, set->n++, n);
	return 0;
}

/* A set holding the list from head and then n, oldest first (the list
 * has the latest at its head), or NULL when out of memory (the list is
 * then untouched). */
static struct cond_set *set_from_list(struct cond_node *head, struct cond_node *n)
{
	uint32_t len = 0, cap = 4;
	for (const struct cond_node *x = head; x; x = x->next)
		len++;
	while (cap < len + 1)
		cap *= 2;
	struct cond_set *set = calloc(1, sizeof *set);
	struct cond_node **v = set ? calloc(cap, sizeof *v) : NULL;
	if (!v) {
		free(set);
		return NULL;
	}
	set->v = v;
	set->cap = cap;
	set->n = len + 1;
	uint32_t at = len;
	for (struct cond_node *x = head, *next; x; x = next) {
		next = x->next;
		array_put(set, --at, x);
	}
	array_put(set, len, n);
	return set;
}

/* n added to the nodes of an id that has some (val, the map's value);
 * never fails. */
static void add_to(struct idmap *m, int64_t id, void *val, struct cond_node *n)
{
	if (is_set(val)) {
		struct cond_set *set = set_of(val);
		if (set_push(set, n) < 0)
			list_push(&set->list, n);
		return;
	}
	struct cond_node *head = val;
	struct cond_set *set = set_from_list(head, n);
	if (!set)
		list_push(&head, n);
	/* replacing the value of a present key never allocates */
	idmap_put(m, id, set ? set_val(set) : head);
}

int condidx_add(struct condidx *ci, struct cond_node *n, enum cond_space space,
		int64_t id)
{
	if (space == COND_SPACE_NONE || n->space != COND_SPACE_NONE || id == 0)
		return -1;
	struct idmap *m = map_of(ci, space);
	void *val = idmap_get(m, id);
	if (val) {
		add_to(m, id, val, n);
	} else {
		if (idmap_put(m, id, n) < 0)
			return -1;
		n->next = n->u.prev = NULL;
		n->in_array = 0;
	}
	n->id = id;
	n->space = (uint8_t)space;
	ci->n++;
	return 0;
}

/* Forget an emptied set, unless a visit of it is under way (which then
 * does). */
static void set_drop_if_empty(struct idmap *m, int64_t id, struct cond_set *set)
{
	if (set->n || set->list || set->busy)
		return;
	idmap_del(m, id);
	set_free(set);
}

static void remove_from_array(struct idmap *m, struct cond_node *n)
{
	struct cond_set *set = n->u.set;
	struct cond_node *last = set->v[--set->n];
	if (last != n)
		array_put(set, n->at, last);
	set_drop_if_empty(m, n->id, set);
}

static void remove_from_list(struct idmap *m, struct cond_node *n)
{
	if (n->next)
		n->next->u.prev = n->u.prev;
	if (n->u.prev) {
		n->u.prev->next = n->next;
		return;
	}
	/* the head: of the id's own list, or of its set's */
	void *val = idmap_get(m, n->id);
	if (is_set(val)) {
		struct cond_set *set = set_of(val);
		set->list = n->next;
		set_drop_if_empty(m, n->id, set);
	} else if (n->next) {
		idmap_put(m, n->id, n->next); /* replacing never allocates */
	} else {
		idmap_del(m, n->id);
	}
}

void condidx_remove(struct condidx *ci, struct cond_node *n)
{
	if (n->space == COND_SPACE_NONE)
		return;
	struct idmap *m = map_of(ci, (enum cond_space)n->space);
	if (n->in_array)
		remove_from_array(m, n);
	else
		remove_from_list(m, n);
	cond_node_init(n);
	ci->n--;
}

/* The lines a node's owner keeps around it (what the callback will read
 * of it) are fetched ahead of the callback.  A prefetch past an object is
 * harmless.  Always inlined: GCC 12 finds a function holding only
 * prefetches free of effects, and drops the calls to it that it did not
 * inline (so the prefetches never ran, at -O1 and -O2 alike). */
static inline __attribute__((always_inline)) void prefetch_node(const struct cond_node *n)
{
	if (!n)
		return;
	__builtin_prefetch(n);
	__builtin_prefetch((const char *)n - 64);
	__builtin_prefetch((const char *)n + 64);
	__builtin_prefetch((const char *)n + 128);
}

/* How many places ahead of the node being called back an array walk
 * fetches: a callback is a few hundred instructions, a fetch from memory
 * costs as much as one to three of them. */
#define PREFETCH_AHEAD 6

/* fn on each node of the list from n; take: each is unregistered first
 * (n->id still says which id it was under).  A list is walked one fetch
 * after the other: the next node is fetched while fn runs. */
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

/* fn on each node of a set's array, the last first: fn may remove the
 * node it is given, whose place the last node (already called) then
 * takes, so the nodes still to come never move.  take: as walk(). */
static void walk_array(struct condidx *ci, struct cond_set *set, int64_t id, int take,
		       void (*fn)(void *arg, struct cond_node *n), void *arg)
{
	uint32_t i = set->n;
	for (uint32_t k = 1; k <= PREFETCH_AHEAD && k <= i; k++)
		prefetch_node(set->v[i - k]);
	while (i-- > 0) {
		if (i >= PREFETCH_AHEAD)
			prefetch_node(set->v[i - PREFETCH_AHEAD]);
		struct cond_node *n = set->v[i];
		if (take) {
			cond_node_init(n);
			n->id = id;
			ci->n--;
		}
		fn(arg, n);
	}
}

size_t condidx_take(struct condidx *ci, enum cond_space space, int64_t id,
		    void (*fn)(void *arg, struct cond_node *n), void *arg)
{
	if (space == COND_SPACE_NONE)
		return 0;
	void *val = idmap_del(map_of(ci, space), id);
	if (!is_set(val))
		return walk(ci, val, id, 1, fn, arg);
	/* detached: fn adding back under id makes a new entry */
	struct cond_set *set = set_of(val);
	size_t count = set->n;
	walk_array(ci, set, id, 1, fn, arg);
	count += walk(ci, set->list, id, 1, fn, arg);
	set_free(set);
	return count;
}

size_t condidx_visit(struct condidx *ci, enum cond_space space, int64_t id,
		     void (*fn)(void *arg, struct cond_node *n), void *arg)
{
	if (space == COND_SPACE_NONE)
		return 0;
	struct idmap *m = map_of(ci, space);
	void *val = idmap_get(m, id);
	if (!is_set(val))
		return walk(ci, val, id, 0, fn, arg);
	struct cond_set *set = set_of(val);
	size_t count = set->n;
	set->busy = 1;
	walk_array(ci, set, id, 0, fn, arg);
	count += walk(ci, set->list, id, 0, fn, arg);
	set->busy = 0;
	set_drop_if_empty(m, id, set);
	return count;
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
