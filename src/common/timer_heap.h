/* timer_heap.h -- a binary min-heap of deadlines, intrusive.
 *
 * Owns only the array of pointers; the nodes belong to their callers, who
 * embed a struct theap_node where they keep the rest of a timer.  Each node
 * remembers its slot, so removal of any node is O(log n) with no search.
 * Ties on the deadline fire in insertion order.  Knows nothing of clocks,
 * callbacks or the loop. */
#ifndef FLEETD_TIMER_HEAP_H
#define FLEETD_TIMER_HEAP_H

#include <stddef.h>
#include <stdint.h>

#define THEAP_NOT_ARMED ((size_t)-1)

struct theap_node {
	int64_t deadline;
	uint64_t seq;
	size_t slot; /* index in the heap, THEAP_NOT_ARMED when outside */
};

struct theap {
	struct theap_node **v;
	size_t n, cap;
	uint64_t next_seq;
};

void theap_init(struct theap *h);
void theap_free(struct theap *h);
void theap_node_init(struct theap_node *n);
/* Insert (or move, if already in) n with the given deadline.  -1 on ENOMEM. */
int theap_push(struct theap *h, struct theap_node *n, int64_t deadline);
/* Remove n if it is in the heap; a no-op otherwise. */
void theap_remove(struct theap *h, struct theap_node *n);
struct theap_node *theap_peek(const struct theap *h);
struct theap_node *theap_pop(struct theap *h);

static inline int theap_armed(const struct theap_node *n)
{
	return n->slot != THEAP_NOT_ARMED;
}

static inline size_t theap_size(const struct theap *h)
{
	return h->n;
}

#endif
