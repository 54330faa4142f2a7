/* test_timer_heap.c -- the heap against a brute-force model: random pushes,
 * re-arms and removals must always pop in (deadline, insertion) order; and
 * the loop fires armed timers in order and never a disarmed one. */
#include <stdlib.h>

#include "clock.h"
#include "loop.h"
#include "tap.h"
#include "timer_heap.h"

#define N 2000

static void test_ordering(void)
{
	struct theap h;
	static struct theap_node nodes[N];
	theap_init(&h);
	srand(42);
	for (int i = 0; i < N; i++) {
		theap_node_init(&nodes[i]);
		CHECK(theap_push(&h, &nodes[i], rand() % 500) == 0);
	}
	/* re-arm a third, remove a third */
	for (int i = 0; i < N; i += 3)
		theap_push(&h, &nodes[i], rand() % 500);
	int removed = 0;
	for (int i = 1; i < N; i += 3, removed++)
		theap_remove(&h, &nodes[i]);
	theap_remove(&h, &nodes[1]); /* removing twice is harmless */
	CHECK_EQ_INT(theap_size(&h), N - removed);
	for (int i = 1; i < N; i += 3)
		CHECK(!theap_armed(&nodes[i]));
	struct theap_node *prev = NULL;
	size_t popped = 0;
	int ordered = 1;
	struct theap_node *n;
	while ((n = theap_pop(&h))) {
		if (prev && (prev->deadline > n->deadline ||
			     (prev->deadline == n->deadline && prev->seq > n->seq)))
			ordered = 0;
		CHECK(!theap_armed(n));
		prev = n;
		popped++;
	}
	CHECK(ordered);
	CHECK_EQ_INT(popped, N - removed);
	theap_free(&h);
}

static void test_ties_fifo(void)
{
	struct theap h;
	struct theap_node a, b, c;
	theap_init(&h);
	theap_node_init(&a);
	theap_node_init(&b);
	theap_node_init(&c);
	theap_push(&h, &a, 10);
	theap_push(&h, &b, 10);
	theap_push(&h, &c, 5);
	CHECK(theap_pop(&h) == &c);
	CHECK(theap_pop(&h) == &a);
	CHECK(theap_pop(&h) == &b);
	CHECK(theap_pop(&h) == NULL);
	theap_free(&h);
}

struct fired {
	int order[8];
	int n;
};
struct tagged {
	struct loop_timer t;
	struct fired *log;
	int tag;
};

static void on_fire(struct loop *loop, void *arg)
{
	(void)loop;
	struct tagged *tt = arg;
	tt->log->order[tt->log->n++] = tt->tag;
}

static void test_loop_timers(void)
{
	struct loop *loop = loop_new();
	struct fired log = {{0}, 0};
	struct tagged t[4];
	int64_t now = clock_now_ms();
	for (int i = 0; i < 4; i++) {
		t[i].log = &log;
		t[i].tag = i;
		loop_timer_init(&t[i].t, on_fire, &t[i]);
	}
	loop_timer_arm(loop, &t[0].t, now + 30);
	loop_timer_arm(loop, &t[1].t, now + 10);
	loop_timer_arm(loop, &t[2].t, now + 20);
	loop_timer_arm(loop, &t[3].t, now + 15);
	loop_timer_disarm(loop, &t[3].t);
	CHECK_EQ_INT(loop_timer_count(loop), 3);
	int64_t t0 = clock_mono_ns();
	while (log.n < 3 && clock_mono_ns() - t0 < 2000000000LL)
		loop_run_once(loop, -1); /* waits only as long as the next timer */
	CHECK_EQ_INT(log.n, 3);
	CHECK_EQ_INT(log.order[0], 1);
	CHECK_EQ_INT(log.order[1], 2);
	CHECK_EQ_INT(log.order[2], 0);
	/* the wait was driven by the timers: it did not end before 30 ms */
	CHECK(clock_now_ms() >= now + 30);
	loop_free(loop);
}

int main(void)
{
	test_ordering();
	test_ties_fifo();
	test_loop_timers();
	return tap_done();
}
