/* list.h -- the one linked-list idiom of fleetd and fleetsim: an intrusive,
 * circular, doubly linked list with a sentinel head.
 *
 * A structure that lives on a list embeds a `struct list_node` (one per
 * list it can be on) and the owner of the list keeps a `struct list_node`
 * as the head.  Insertion at either end, removal and "is it on a list?"
 * are O(1) and never allocate; the list owns nothing, so whoever frees an
 * element removes it first.  An empty list is a head linked to itself; a
 * node that is on no list is linked to itself too (list_init or
 * list_remove leave it so), which is what list_linked() tests.
 *
 * The first element is head.next and the last head.prev; LIST_ELEM turns
 * a node back into its element.  (The macro names avoid <sys/queue.h>'s
 * LIST_ENTRY and LIST_FOREACH, so both headers can meet in one file.):
 *
 *	struct call { int id; struct list_node link; };
 *	struct list_node calls;                  (list_init(&calls) once)
 *	list_push_back(&calls, &c->link);
 *	LIST_EACH_SAFE(n, tmp, &calls) {
 *		struct call *c = LIST_ELEM(n, struct call, link);
 *		...                               (may list_remove(n))
 *	}
 */
#ifndef FLEETD_LIST_H
#define FLEETD_LIST_H

#include <stddef.h>

struct list_node {
	struct list_node *next, *prev;
};

/* The element that holds node n as its member `member`. */
#define LIST_ELEM(n, type, member) \
	((type *)(void *)((char *)(n) - offsetof(type, member)))

/* A head (or node) that is already empty, for static initialisers. */
#define LIST_HEAD_INIT(name) { &(name), &(name) }

static inline void list_init(struct list_node *n)
{
	n->next = n;
	n->prev = n;
}

static inline int list_empty(const struct list_node *head)
{
	return head->next == head;
}

/* Is this node on a list?  (Only for nodes kept list_init'ed when off.) */
static inline int list_linked(const struct list_node *n)
{
	return n->next != n;
}

static inline void list_insert_between(struct list_node *n,
				       struct list_node *prev,
				       struct list_node *next)
{
	n->prev = prev;
	n->next = next;
	prev->next = n;
	next->prev = n;
}

static inline void list_push_front(struct list_node *head, struct list_node *n)
{
	list_insert_between(n, head, head->next);
}

static inline void list_push_back(struct list_node *head, struct list_node *n)
{
	list_insert_between(n, head->prev, head);
}

/* Unlink n and leave it linked to itself; harmless on an unlinked node. */
static inline void list_remove(struct list_node *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	list_init(n);
}

/* The first node, or NULL if the list is empty. */
static inline struct list_node *list_first(const struct list_node *head)
{
	return list_empty(head) ? NULL : head->next;
}

/* Remove and return the first node, or NULL if the list is empty. */
static inline struct list_node *list_pop_front(struct list_node *head)
{
	struct list_node *n = list_first(head);
	if (n)
		list_remove(n);
	return n;
}

/* Every node, first to last; the body must not remove n. */
#define LIST_EACH(n, head) \
	for ((n) = (head)->next; (n) != (head); (n) = (n)->next)

/* The same, and the body may remove (or free) n. */
#define LIST_EACH_SAFE(n, tmp, head)                              \
	for ((n) = (head)->next, (tmp) = (n)->next; (n) != (head); \
	     (n) = (tmp), (tmp) = (n)->next)

#endif
