/* loop.c -- select() over the sources' descriptors plus a heap of timers.
 *
 * The wait of a turn is computed in loop_wait_ms() and nowhere else.  Timers
 * that fall due during a turn fire in deadline order; a timer armed by a
 * callback for "now" fires in the same turn, so a long chain of immediate
 * timers cannot starve descriptors: each turn fires at most the timers that
 * were due when the turn started plus a bounded batch. */
#include "loop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "hooks.h"

#define MAX_SOURCES 16
#define MAX_HOOKS 16
/* Timers fired per turn before the loop looks at descriptors again. */
#define TIMER_BATCH 4096

struct loop {
	struct loop_source src[MAX_SOURCES];
	int nsrc;
	HOOKS(loop_turn_fn, MAX_HOOKS) turn;
	HOOKS(loop_idle_fn, MAX_HOOKS) idle;
	struct theap timers;
	int stop;
	int woken;
	struct loop_stats stats;
};

int loop_fds_add(struct loop_fds *fds, int fd, int read, int write)
{
	if (fd < 0 || fd >= FD_SETSIZE)
		return -1;
	if (read)
		FD_SET(fd, &fds->rd);
	if (write)
		FD_SET(fd, &fds->wr);
	if (fd > fds->maxfd)
		fds->maxfd = fd;
	return 0;
}

struct loop *loop_new(void)
{
	struct loop *loop = calloc(1, sizeof *loop);
	if (loop)
		theap_init(&loop->timers);
	return loop;
}

void loop_free(struct loop *loop)
{
	if (!loop)
		return;
	theap_free(&loop->timers);
	free(loop);
}

int loop_add_source(struct loop *loop, const struct loop_source *src)
{
	if (loop->nsrc == MAX_SOURCES)
		return -1;
	loop->src[loop->nsrc++] = *src;
	return 0;
}

void loop_remove_source(struct loop *loop, void *arg)
{
	for (int i = 0; i < loop->nsrc; i++) {
		if (loop->src[i].arg == arg) {
			memmove(&loop->src[i], &loop->src[i + 1],
				(size_t)(loop->nsrc - i - 1) * sizeof loop->src[0]);
			loop->nsrc--;
			return;
		}
	}
}

int loop_add_turn_hook(struct loop *loop, loop_turn_fn fn, void *arg)
{
	return HOOKS_ADD(&loop->turn, fn, arg);
}

int loop_add_idle_hook(struct loop *loop, loop_idle_fn fn, void *arg)
{
	return HOOKS_ADD(&loop->idle, fn, arg);
}

void loop_remove_hooks(struct loop *loop, void *arg)
{
	HOOKS_REMOVE_ARG(&loop->turn, arg);
	HOOKS_REMOVE_ARG(&loop->idle, arg);
}

static int run_idle_hooks(struct loop *loop)
{
	int did = 0;
	HOOKS_EACH(i, &loop->idle)
		did |= loop->idle.at[i].fn(loop->idle.at[i].arg) != 0;
	return did;
}

/* Before blocking: is anything ready now?  1 with fds narrowed to what is
 * ready, 0 if nothing is and an idle hook did work (end the turn here),
 * -1 if the loop should go on and wait. */
static int poll_before_wait(struct loop *loop, struct loop_fds *fds)
{
	struct loop_fds now = *fds;
	struct timeval zero = {0, 0};
	int rc = select(now.maxfd + 1, &now.rd, &now.wr, &now.ex, &zero);
	if (rc > 0) {
		*fds = now;
		return 1;
	}
	if (rc == 0 && run_idle_hooks(loop))
		return 0;
	return -1;
}

void loop_timer_init(struct loop_timer *t, loop_timer_fn fn, void *arg)
{
	theap_node_init(&t->node);
	t->fn = fn;
	t->arg = arg;
}

int loop_timer_arm(struct loop *loop, struct loop_timer *t, int64_t deadline_ms)
{
	return theap_push(&loop->timers, &t->node, deadline_ms);
}

void loop_timer_disarm(struct loop *loop, struct loop_timer *t)
{
	theap_remove(&loop->timers, &t->node);
}

size_t loop_timer_count(const struct loop *loop)
{
	return theap_size(&loop->timers);
}

void loop_stop(struct loop *loop)
{
	loop->stop = 1;
}

int loop_stopping(const struct loop *loop)
{
	return loop->stop;
}

void loop_wake(struct loop *loop)
{
	loop->woken = 1;
}

const struct loop_stats *loop_get_stats(const struct loop *loop)
{
	return &loop->stats;
}

static int64_t min_wait(int64_t a, int64_t b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

/* The one place that decides how long select() may sleep. */
static int64_t loop_wait_ms(struct loop *loop, struct loop_fds *fds,
			    int64_t max_wait_ms)
{
	int64_t wait = max_wait_ms;
	for (int i = 0; i < loop->nsrc; i++) {
		int64_t t = -1;
		loop->src[i].prepare(loop->src[i].arg, fds, &t);
		wait = min_wait(wait, t);
	}
	struct theap_node *next = theap_peek(&loop->timers);
	if (next) {
		int64_t until = next->deadline - clock_now_ms();
		wait = min_wait(wait, until < 0 ? 0 : until);
	}
	if (loop->woken || loop->stop)
		wait = 0;
	loop->woken = 0;
	return wait;
}

static void fire_timers(struct loop *loop)
{
	int64_t now = clock_now_ms();
	for (int n = 0; n < TIMER_BATCH; n++) {
		struct theap_node *next = theap_peek(&loop->timers);
		if (!next || next->deadline > now)
			break;
		theap_pop(&loop->timers);
		struct loop_timer *t = (struct loop_timer *)next;
		loop->stats.timers_fired++;
		t->fn(loop, t->arg);
	}
	struct theap_node *next = theap_peek(&loop->timers);
	if (next && next->deadline <= now)
		loop->woken = 1; /* batch cut short: come back at once */
}

int loop_run_once(struct loop *loop, int64_t max_wait_ms)
{
	struct loop_fds fds;
	FD_ZERO(&fds.rd);
	FD_ZERO(&fds.wr);
	FD_ZERO(&fds.ex);
	fds.maxfd = -1;

	int64_t wait = loop_wait_ms(loop, &fds, max_wait_ms);
	int polled = wait != 0 && loop->idle.n > 0 ? poll_before_wait(loop, &fds) : -1;
	if (polled == 0)
		return 0;
	struct timeval tv, *tvp = NULL;
	if (wait >= 0) {
		tv.tv_sec = (time_t)(wait / 1000);
		tv.tv_usec = (suseconds_t)((wait % 1000) * 1000);
		tvp = &tv;
	}
	int rc = polled > 0 ? 1 : select(fds.maxfd + 1, &fds.rd, &fds.wr, &fds.ex, tvp);
	if (rc < 0) {
		if (errno != EINTR)
			return -1;
		FD_ZERO(&fds.rd);
		FD_ZERO(&fds.wr);
		FD_ZERO(&fds.ex);
	}
	int64_t t0 = clock_mono_ns();
	for (int i = 0; i < loop->nsrc; i++)
		loop->src[i].dispatch(loop->src[i].arg, &fds);
	fire_timers(loop);
	HOOKS_EACH(i, &loop->turn)
		loop->turn.at[i].fn(loop->turn.at[i].arg);
	int64_t dt = clock_mono_ns() - t0;
	loop->stats.turns++;
	loop->stats.last_turn_ns = dt;
	if (dt > loop->stats.max_turn_ns)
		loop->stats.max_turn_ns = dt;
	return 0;
}

int loop_run(struct loop *loop)
{
	while (!loop->stop)
		if (loop_run_once(loop, -1) < 0)
			return -1;
	return 0;
}
