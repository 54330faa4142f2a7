/* condidx.h -- the index of jobs waiting on a condition of the galaxy.
 *
 * A waiting job registers one node under a fleet id ("fleet F is anchored
 * at W", "fleet F changed") or a world id ("the battle at W is over"), or a
 * watch number ("watch >= N").  When the mirror reports that fleet F or
 * world W changed, condidx_take() hands back exactly the nodes registered
 * under that id; a new watch hands back the nodes whose number is reached.
 * Nothing is ever scanned: the nodes of each id in a hash map, watches in
 * a heap.  The nodes are embedded in the engine's job records; the index
 * owns only its maps, the arrays of ids with several nodes and its heap,
 * and never decides what a condition means.
 *
 * An id's nodes: one node, or a few after a failed allocation, are a
 * list whose head is the map's value; from two nodes on they are an
 * array (struct cond_set), which a change walks with the nodes several
 * places ahead already being fetched -- a list can only be walked one
 * node fetch after the other, and 12,900 conditions judged in a watch
 * were waiting for those fetches more than working.  Adding to an id
 * already waited on never fails: when its array cannot grow, the node
 * joins the set's own list. */
#ifndef FLEETD_CONDIDX_H
#define FLEETD_CONDIDX_H

#include <stddef.h>
#include <stdint.h>

#include "idmap.h"
#include "timer_heap.h"

enum cond_space { COND_SPACE_NONE, COND_SPACE_FLEET, COND_SPACE_WORLD };

struct cond_set;
struct cond_node {
	struct cond_node *next; /* in a list; NULL in an array */
	union {
		struct cond_node *prev; /* in a list */
		struct cond_set *set;   /* in an id's array */
	} u;
	int64_t id;
	uint32_t at;      /* its place in the array */
	uint8_t space;    /* enum cond_space; NONE when not registered */
	uint8_t in_array;
};

struct condidx {
	struct idmap fleets, worlds; /* id -> first node */
	struct theap watches;         /* deadline = watch number */
	size_t n;                     /* nodes under fleets and worlds */
};

void condidx_init(struct condidx *ci);
void condidx_free(struct condidx *ci);
void cond_node_init(struct cond_node *n);

/* Register n under (space, id); n must not be registered.  -1 on ENOMEM,
 * which only the first node of an id can meet. */
int condidx_add(struct condidx *ci, struct cond_node *n, enum cond_space space,
		int64_t id);
/* Unregister n if it is registered. */
void condidx_remove(struct condidx *ci, struct cond_node *n);
/* Unregister every node under (space, id) and call fn on each, with n->id
 * still id (fn may register it again, even under the same id).  Returns
 * how many.  The order is the latest registered first, as far as removals
 * in between left it. */
size_t condidx_take(struct condidx *ci, enum cond_space space, int64_t id,
		    void (*fn)(void *arg, struct cond_node *n), void *arg);

/* Call fn on every node under (space, id), which stay registered: what
 * condidx_take() does followed by adding back most of them, without
 * unlinking and linking them again.  fn may condidx_remove() the node it
 * is given, and no other node of the list.  Returns how many. */
size_t condidx_visit(struct condidx *ci, enum cond_space space, int64_t id,
		     void (*fn)(void *arg, struct cond_node *n), void *arg);

/* Watches: the heap node (not armed anywhere else) waits for watch >= w. */
int condidx_add_watch(struct condidx *ci, struct theap_node *n, int64_t w);
void condidx_remove_watch(struct condidx *ci, struct theap_node *n);
size_t condidx_take_watch(struct condidx *ci, int64_t watch,
			  void (*fn)(void *arg, struct theap_node *n), void *arg);
size_t condidx_count(const struct condidx *ci);

#endif
