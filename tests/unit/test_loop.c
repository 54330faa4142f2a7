/* test_loop.c -- the loop's idle hooks (where the store's group commit
 * runs): never called while a descriptor is ready, called once everything
 * ready has been read, a hook that did work ends the turn without waiting,
 * one that did nothing lets the loop wait and dispatch as before; and
 * loop_remove_hooks() takes out exactly the turn and idle hooks of one
 * arg (what a part's destructor, or its failed constructor, relies on). */
#include <stdlib.h>
#include <unistd.h>

#include "loop.h"
#include "tap.h"

struct pipe_src {
	int fd[2];
	int bytes_read;      /* one byte per turn */
	int dispatches;
	int idle_calls;
	int read_at_first_idle;
	int idle_result;
};

static void src_prepare(void *arg, struct loop_fds *fds, int64_t *timeout_ms)
{
	(void)timeout_ms;
	struct pipe_src *p = arg;
	loop_fds_add(fds, p->fd[0], 1, 0);
}

static void src_dispatch(void *arg, const struct loop_fds *fds)
{
	struct pipe_src *p = arg;
	char c;
	p->dispatches++;
	if (FD_ISSET(p->fd[0], &fds->rd) && read(p->fd[0], &c, 1) == 1)
		p->bytes_read++;
}

static void on_turn(void *arg)
{
	(*(int *)arg)++;
}

static int count_idle(void *arg)
{
	(*(int *)arg)++;
	return 0;
}

/* Two parts register hooks; removing one part's leaves the other's running
 * and the removed part's never called again. */
static void test_remove_hooks(void)
{
	struct loop *loop = loop_new();
	int a = 0, b = 0;
	CHECK(loop != NULL);
	CHECK(loop_add_turn_hook(loop, on_turn, &a) == 0);
	CHECK(loop_add_idle_hook(loop, count_idle, &a) == 0);
	CHECK(loop_add_turn_hook(loop, on_turn, &b) == 0);
	CHECK(loop_add_idle_hook(loop, count_idle, &b) == 0);
	CHECK(loop_run_once(loop, 1) == 0);
	CHECK_EQ_INT(a, 2); /* one idle call, one turn-end call */
	CHECK_EQ_INT(b, 2);
	loop_remove_hooks(loop, &a);
	CHECK(loop_run_once(loop, 1) == 0);
	CHECK_EQ_INT(a, 2);
	CHECK_EQ_INT(b, 4);
	loop_remove_hooks(loop, &a); /* nothing left of a: no effect */
	loop_remove_hooks(loop, &b);
	CHECK(loop_run_once(loop, 1) == 0);
	CHECK_EQ_INT(b, 4);
	/* the freed slots take new hooks */
	CHECK(loop_add_turn_hook(loop, on_turn, &a) == 0);
	CHECK(loop_run_once(loop, 1) == 0);
	CHECK_EQ_INT(a, 3);
	loop_free(loop);
}

static int on_idle(void *arg)
{
	struct pipe_src *p = arg;
	if (p->idle_calls++ == 0)
		p->read_at_first_idle = p->bytes_read;
	return p->idle_result;
}

int main(void)
{
	struct pipe_src p = {.idle_result = 1};
	CHECK(pipe(p.fd) == 0);
	struct loop *loop = loop_new();
	struct loop_source src = {"pipe", src_prepare, src_dispatch, &p};
	CHECK(loop && loop_add_source(loop, &src) == 0);
	CHECK(loop_add_idle_hook(loop, on_idle, &p) == 0);
	CHECK(write(p.fd[1], "abc", 3) == 3);

	/* three turns read the three bytes; the idle hook waits for them */
	for (int i = 0; i < 3; i++)
		CHECK(loop_run_once(loop, -1) == 0);
	CHECK_EQ_INT(p.bytes_read, 3);
	CHECK_EQ_INT(p.idle_calls, 0);

	/* nothing ready: the hook runs and, as it did work, the turn ends
	 * there (with -1 the loop would otherwise wait for ever) */
	int before = p.dispatches;
	CHECK(loop_run_once(loop, -1) == 0);
	CHECK_EQ_INT(p.idle_calls, 1);
	CHECK_EQ_INT(p.read_at_first_idle, 3);
	CHECK_EQ_INT(p.dispatches, before);

	/* a hook with nothing to do: the loop waits (bounded here) and
	 * dispatches as usual */
	p.idle_result = 0;
	CHECK(loop_run_once(loop, 5) == 0);
	CHECK_EQ_INT(p.idle_calls, 2);
	CHECK_EQ_INT(p.dispatches, before + 1);

	/* input again: read before the hook is asked */
	CHECK(write(p.fd[1], "d", 1) == 1);
	CHECK(loop_run_once(loop, -1) == 0);
	CHECK_EQ_INT(p.bytes_read, 4);
	CHECK_EQ_INT(p.idle_calls, 2);

	loop_free(loop);
	close(p.fd[0]);
	close(p.fd[1]);
	test_remove_hooks();
	return tap_done();
}
