/* condidx.h -- the index of jobs waiting on a condition of the galaxy.
 *
 * A waiting job registers one node under a fleet id ("fleet F is anchored
 * at W", "fleet F changed") or a world id ("the battle at W is over"), or a
 * watch number ("watch >= N").  When the mirror reports that fleet F or
 * world W changed, condidx_take() hands back exactly the nodes registered
 * under that id; a new watch hands back the nodes whose number is reached.
 * Nothing is ever scanned: lists per id in a hash map, watches in a heap.
 * The nodes are embedded in the engine's job records; the index owns only
 * its maps and heap and never decides what a condition means. */
#ifndef FLEETD_CONDIDX_H
#define FLEETD_CONDIDX_H

#include <stddef.h>
#include <stdint.h>

#include "idmap.h"
#include "timer_heap.h"

enum cond_space { COND_SPACE_NONE, COND_SPACE_FLEET, COND_SPACE_WORLD };

struct cond_node {
	struct cond_node *next, *prev;
	int64_t id;
	uint8_t space; /* enum cond_space; NONE when not registered */
};

struct condidx {
	struct idmap fleets, worlds; /* id -> first node */
	struct theap watches;         /* deadline = watch number */
	size_t n;                     /* nodes under fleets and worlds */
};

void condidx_init(struct condidx *ci);
void condidx_free(struct condidx *ci);
void cond_node_init(struct cond_node *n);

/* Register n under (space, id); n must not be registered.  -1 on ENOMEM. */
int condidx_add(struct condidx *ci, struct cond_node *n, enum cond_space space,
		int64_t id);
/* Unregister n if it is registered. */
void condidx_remove(struct condidx *ci, struct cond_node *n);
/* Unregister every node under (space, id) and call fn on each, with n->id
 * still id (fn may register it again, even under the same id).  Returns
 * how many. */
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
