/* test_condidx_oom.c -- the condition index when memory runs out.
 *
 * Removing the head of an id's list moves the head in the map to the next
 * node: a replace, which must never allocate.  idmap_put() used to grow
 * its table before looking the key up, so with the table at its load
 * limit a failed allocation there left the removed node in the map: the
 * other jobs waiting on that id were lost, and the next change of the id
 * handed back the removed (by then freed) job.  An id with several
 * waiters keeps them in an array, which may fail to grow: a waiter added
 * then still registers, on a list beside the array.  Allocation is made to
 * fail here by wrapping malloc, calloc and realloc at link time
 * (-Wl,--wrap; see am/jobs.am). */
#include <stdlib.h>

#include "alloc_fail.h"
#include "condidx.h"
#include "idmap.h"
#include "tap.h"

static struct cond_node *taken[8];
static size_t ntaken;

static void on_take(void *arg, struct cond_node *n)
{
	(void)arg;
	if (ntaken < 8)
		taken[ntaken] = n;
	ntaken++;
}

int main(void)
{
	/* two jobs wait on fleet 107, as a list (the later one is its head:
	 * the second came when there was no memory for an array); other
	 * fleets fill the map to its load limit, so that the next insert has
	 * to grow it */
	struct condidx ci;
	condidx_init(&ci);
	struct cond_node nodes[64], *first = &nodes[0], *second = &nodes[1];
	for (int i = 0; i < 64; i++)
		cond_node_init(&nodes[i]);
	CHECK(condidx_add(&ci, first, COND_SPACE_FLEET, 107) == 0);
	alloc_left = 0;
	CHECK(condidx_add(&ci, second, COND_SPACE_FLEET, 107) == 0);
	alloc_left = -1;
	CHECK(idmap_get(&ci.fleets, 107) == second);
	int used = 2;
	while ((ci.fleets.n + 1) * 2 <= ci.fleets.cap && used < 64) {
		CHECK(condidx_add(&ci, &nodes[used], COND_SPACE_FLEET, 200 + used) == 0);
		used++;
	}
	CHECK((ci.fleets.n + 1) * 2 > ci.fleets.cap);

	/* with no memory, the head leaves: the other job becomes the head */
	alloc_left = 0;
	condidx_remove(&ci, second);
	alloc_left = -1;
	CHECK_EQ_INT(condidx_count(&ci), used - 1);
	CHECK(second->space == COND_SPACE_NONE);

	/* the change of fleet 107 wakes the job still waiting, and only it */
	ntaken = 0;
	CHECK_EQ_INT(condidx_take(&ci, COND_SPACE_FLEET, 107, on_take, NULL), 1);
	CHECK_EQ_INT(ntaken, 1);
	CHECK(taken[0] == first);

	/* adding a job to an id already waited on never fails either */
	CHECK(condidx_add(&ci, first, COND_SPACE_FLEET, 107) == 0);
	alloc_left = 0;
	CHECK(condidx_add(&ci, second, COND_SPACE_FLEET, 107) == 0);
	alloc_left = -1;
	ntaken = 0;
	CHECK_EQ_INT(condidx_take(&ci, COND_SPACE_FLEET, 107, on_take, NULL), 2);
	CHECK(ntaken == 2 && taken[0] == second && taken[1] == first);
	CHECK(condidx_add(&ci, first, COND_SPACE_FLEET, 107) == 0);

	/* an insert of a new key still reports the failure, and the map is
	 * left as it was */
	alloc_left = 0;
	CHECK(condidx_add(&ci, second, COND_SPACE_FLEET, 999) < 0);
	alloc_left = -1;
	CHECK(second->space == COND_SPACE_NONE);
	CHECK_EQ_INT(condidx_count(&ci), used - 1);
	CHECK(idmap_get(&ci.fleets, 999) == NULL);

	/* an id whose array of waiters cannot grow: the ones it has no room
	 * for join its own list, and a visit and a take still hand back
	 * every waiter, the array's latest first, then the list's */
	struct cond_node more[7];
	for (int i = 0; i < 7; i++)
		cond_node_init(&more[i]);
	for (int i = 0; i < 4; i++)
		CHECK(condidx_add(&ci, &more[i], COND_SPACE_WORLD, 300) == 0);
	alloc_left = 0;
	for (int i = 4; i < 7; i++)
		CHECK(condidx_add(&ci, &more[i], COND_SPACE_WORLD, 300) == 0);
	condidx_remove(&ci, &more[6]); /* the head of the list */
	condidx_remove(&ci, &more[1]); /* from the array: more[3] takes its place */
	alloc_left = -1;
	CHECK_EQ_INT(condidx_count(&ci), used - 1 + 5);
	ntaken = 0;
	CHECK_EQ_INT(condidx_visit(&ci, COND_SPACE_WORLD, 300, on_take, NULL), 5);
	CHECK_EQ_INT(ntaken, 5);
	ntaken = 0;
	CHECK_EQ_INT(condidx_take(&ci, COND_SPACE_WORLD, 300, on_take, NULL), 5);
	CHECK(ntaken == 5 && taken[0] == &more[2] && taken[1] == &more[3] &&
	      taken[2] == &more[0] && taken[3] == &more[5] && taken[4] == &more[4]);
	CHECK(idmap_get(&ci.worlds, 300) == NULL);
	CHECK_EQ_INT(condidx_count(&ci), used - 1);

	/* replacing in a bare idmap at its limit never allocates */
	struct idmap m;
	idmap_init(&m);
	int vals[8];
	for (int i = 0; i < 8; i++)
		CHECK(idmap_put(&m, i + 1, &vals[i]) == 0);
	alloc_left = 0;
	CHECK(idmap_put(&m, 3, &vals[0]) == 0);
	CHECK(idmap_put(&m, 42, &vals[0]) < 0);
	alloc_left = -1;
	CHECK(idmap_get(&m, 3) == &vals[0]);
	CHECK(idmap_get(&m, 42) == NULL);
	CHECK_EQ_INT(m.n, 8);
	idmap_free(&m);

	condidx_free(&ci);
	return tap_done();
}
