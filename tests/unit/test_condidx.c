/* test_condidx.c -- the condition index: a change wakes exactly the nodes
 * registered under that id, removal works from any position, re-adding
 * from the callback is safe, visiting leaves the nodes registered (or
 * removes them all, from the callback), and watches wake in order up to
 * the number. */
#include <stdlib.h>

#include "condidx.h"
#include "tap.h"

#define N 1000

static struct cond_node nodes[N];
static struct theap_node wnodes[N];
static int woken[N];

static void on_node(void *arg, struct cond_node *n)
{
	(void)arg;
	woken[n - nodes]++;
}

static void on_readd(void *arg, struct cond_node *n)
{
	struct condidx *ci = arg;
	woken[n - nodes]++;
	CHECK(condidx_add(ci, n, COND_SPACE_FLEET, 42) == 0);
}

/* visit: every third node is removed by the callback itself */
static void on_visit(void *arg, struct cond_node *n)
{
	struct condidx *ci = arg;
	woken[n - nodes]++;
	if ((n - nodes) % 3 == 0)
		condidx_remove(ci, n);
}

/* visit: every node removed by the callback, down to none left */
static struct cond_node extra[6];
static int extra_seen;

static void on_remove_all(void *arg, struct cond_node *n)
{
	extra_seen++;
	condidx_remove(arg, n);
}

static void on_watch(void *arg, struct theap_node *n)
{
	int64_t *last = arg;
	CHECK(n->deadline >= *last);
	*last = n->deadline;
	woken[n - wnodes]++;
}

static void clear(void)
{
	for (int i = 0; i < N; i++)
		woken[i] = 0;
}

int main(void)
{
	struct condidx ci;
	condidx_init(&ci);
	for (int i = 0; i < N; i++) {
		cond_node_init(&nodes[i]);
		/* fleets 1..10 and worlds 1..10: same ids in two spaces */
		CHECK(condidx_add(&ci, &nodes[i], i % 2 ? COND_SPACE_WORLD : COND_SPACE_FLEET,
				  i % 20 / 2 + 1) == 0);
	}
	CHECK_EQ_INT(condidx_count(&ci), N);
	CHECK(condidx_add(&ci, &nodes[0], COND_SPACE_FLEET, 3) < 0); /* already in */

	/* fleet 3 wakes the 50 nodes registered under it, and only those */
	clear();
	CHECK_EQ_INT(condidx_take(&ci, COND_SPACE_FLEET, 3, on_node, NULL), 50);
	int ok = 1;
	for (int i = 0; i < N; i++)
		ok &= woken[i] == (i % 2 == 0 && i % 20 / 2 + 1 == 3);
	CHECK(ok);
	CHECK_EQ_INT(condidx_take(&ci, COND_SPACE_FLEET, 3, on_node, NULL), 0);
	CHECK_EQ_INT(condidx_take(&ci, COND_SPACE_FLEET, 999, on_node, NULL), 0);
	CHECK_EQ_INT(condidx_count(&ci), N - 50);

	/* removing the head, a middle and the tail of world 4's list */
	int w4[50], k = 0;
	for (int i = 0; i < N; i++)
		if (i % 2 && i % 20 / 2 + 1 == 4)
			w4[k++] = i;
	CHECK_EQ_INT(k, 50);
	condidx_remove(&ci, &nodes[w4[0]]);
	condidx_remove(&ci, &nodes[w4[25]]);
	condidx_remove(&ci, &nodes[w4[49]]);
	condidx_remove(&ci, &nodes[w4[49]]); /* twice: a no-op */
	clear();
	CHECK_EQ_INT(condidx_take(&ci, COND_SPACE_WORLD, 4, on_node, NULL), 47);
	CHECK_EQ_INT(woken[w4[0]] + woken[w4[25]] + woken[w4[49]], 0);
	CHECK_EQ_INT(woken[w4[1]], 1);

	/* a callback may register the node again, even under the same id */
	clear();
	size_t before = condidx_count(&ci);
	CHECK_EQ_INT(condidx_take(&ci, COND_SPACE_FLEET, 5, on_readd, &ci), 50);
	CHECK_EQ_INT(condidx_count(&ci), before);
	CHECK_EQ_INT(condidx_take(&ci, COND_SPACE_FLEET, 42, on_node, NULL), 50);

	/* visiting leaves the nodes where they are, but for those the
	 * callback removes */
	int under7 = 0, removed7 = 0;
	for (int i = 0; i < N; i++)
		if (i % 2 == 0 && i % 20 / 2 + 1 == 7) {
			under7++;
			removed7 += i % 3 == 0;
		}
	clear();
	before = condidx_count(&ci);
	CHECK_EQ_INT(condidx_visit(&ci, COND_SPACE_FLEET, 7, on_visit, &ci), under7);
	CHECK_EQ_INT(condidx_count(&ci), before - removed7);
	ok = 1;
	for (int i = 0; i < N; i++)
		ok &= woken[i] == (i % 2 == 0 && i % 20 / 2 + 1 == 7);
	CHECK(ok);
	clear();
	CHECK_EQ_INT(condidx_take(&ci, COND_SPACE_FLEET, 7, on_node, NULL), under7 - removed7);
	CHECK_EQ_INT(condidx_visit(&ci, COND_SPACE_FLEET, 7, on_visit, &ci), 0);

	/* a visit whose callback removes every node leaves no trace of the id */
	before = condidx_count(&ci);
	for (int i = 0; i < 6; i++) {
		cond_node_init(&extra[i]);
		CHECK(condidx_add(&ci, &extra[i], COND_SPACE_WORLD, 77) == 0);
	}
	CHECK_EQ_INT(condidx_visit(&ci, COND_SPACE_WORLD, 77, on_remove_all, &ci), 6);
	CHECK_EQ_INT(extra_seen, 6);
	CHECK_EQ_INT(condidx_count(&ci), before);
	CHECK(idmap_get(&ci.worlds, 77) == NULL);
	CHECK_EQ_INT(condidx_take(&ci, COND_SPACE_WORLD, 77, on_node, NULL), 0);

	/* watches: only those reached, lowest first */
	for (int i = 0; i < N; i++) {
		theap_node_init(&wnodes[i]);
		CHECK(condidx_add_watch(&ci, &wnodes[i], (i * 7919) % 100) == 0);
	}
	condidx_remove_watch(&ci, &wnodes[0]); /* watch 0 */
	clear();
	int64_t last = -1;
	size_t n = condidx_take_watch(&ci, 9, on_watch, &last);
	CHECK_EQ_INT(n, 99); /* 10 per number 0..9, minus the one removed */
	CHECK(last <= 9);
	CHECK_EQ_INT(woken[0], 0);
	CHECK_EQ_INT(condidx_take_watch(&ci, 9, on_watch, &last), 0);
	CHECK_EQ_INT(condidx_take_watch(&ci, 1000, on_watch, &last), 900);

	condidx_free(&ci);
	return tap_done();
}
