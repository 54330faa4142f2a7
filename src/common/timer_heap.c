/* timer_heap.c -- binary min-heap keyed by (deadline, insertion order).
 *
 * Invariant: for every slot i > 0, v[(i-1)/2] is not later than v[i], and
 * v[i]->slot == i.  Every move of a pointer goes through place() so the
 * back-index can never go stale. */
#include "timer_heap.h"

#include <stdlib.h>

#include "array.h"

void theap_init(struct theap *h)
{
	h->v = NULL;
	h->n = h->cap = 0;
	h->next_seq = 0;
}

void theap_free(struct theap *h)
{
	for (size_t i = 0; i < h->n; i++)
		h->v[i]->slot = THEAP_NOT_ARMED;
	free(h->v);
	theap_init(h);
}

void theap_node_init(struct theap_node *n)
{
	n->deadline = 0;
	n->seq = 0;
	n->slot = THEAP_NOT_ARMED;
}

static int before(const struct theap_node *a, const struct theap_node *b)
{
	if (a->deadline != b->deadline)
		return a->deadline < b->deadline;
	return a->seq < b->seq;
}

static void place(struct theap *h, size_t i, struct theap_node *n)
{
	h->v[i] = n;
	n->slot = i;
}

static void sift_up(struct theap *h, size_t i)
{
	struct theap_node *n = h->v[i];
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!before(n, h->v[parent]))
			break;
		place(h, i, h->v[parent]);
		i = parent;
	}
	place(h, i, n);
}

static void sift_down(struct theap *h, size_t i)
{
	struct theap_node *n = h->v[i];
	for (;;) {
		size_t l = 2 * i + 1, best = i;
		const struct theap_node *bn = n;
		if (l < h->n && before(h->v[l], bn))
			best = l, bn = h->v[l];
		if (l + 1 < h->n && before(h->v[l + 1], bn))
			best = l + 1;
		if (best == i)
			break;
		place(h, i, h->v[best]);
		i = best;
	}
	place(h, i, n);
}

static int grow(struct theap *h)
{
	struct theap_node **v = array_grow(h->v, &h->cap, h->n, sizeof *v, 64);
	if (!v)
		return -1;
	h->v = v;
	return 0;
}

int theap_push(struct theap *h, struct theap_node *n, int64_t deadline)
{
	theap_remove(h, n);
	if (h->n == h->cap && grow(h) < 0)
		return -1;
	n->deadline = deadline;
	n->seq = h->next_seq++;
	place(h, h->n++, n);
	sift_up(h, n->slot);
	return 0;
}

void theap_remove(struct theap *h, struct theap_node *n)
{
	if (!theap_armed(n))
		return;
	size_t i = n->slot;
	struct theap_node *last = h->v[--h->n];
	n->slot = THEAP_NOT_ARMED;
	if (last == n)
		return;
	place(h, i, last);
	if (i > 0 && before(last, h->v[(i - 1) / 2]))
		sift_up(h, i);
	else
		sift_down(h, i);
}

struct theap_node *theap_peek(const struct theap *h)
{
	return h->n ? h->v[0] : NULL;
}

struct theap_node *theap_pop(struct theap *h)
{
	struct theap_node *top = theap_peek(h);
	if (top)
		theap_remove(h, top);
	return top;
}
