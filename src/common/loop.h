/* loop.h -- the one select() loop of a process.
 *
 * The loop knows descriptors, timers and the end of a turn; it knows nothing
 * of HTTP, curl, SQLite or jobs.  Libraries that manage their own descriptor
 * sets (libmicrohttpd, libcurl multi) plug in as a *source*: prepare() adds
 * their descriptors and lowers the wait, dispatch() runs them after select().
 * Timers are intrusive nodes with absolute wall-clock deadlines (ms since the
 * epoch) in a binary heap.  Turn hooks run once at the end of every turn.
 *
 * Idle hooks run when the loop finds nothing ready and is about to wait:
 * the store's group commit goes there, so a busy loop keeps adding to one
 * transaction and commits once the burst has been read (turn hooks bound
 * how long that may take).
 *
 * One turn: compute the wait in one place (nearest timer, every source's
 * own limit), select(), dispatch every source, fire due timers, run the
 * turn hooks. */
#ifndef FLEETD_LOOP_H
#define FLEETD_LOOP_H

#include <stdint.h>
#include <sys/select.h>

#include "timer_heap.h"

struct loop;

struct loop_fds {
	fd_set rd, wr, ex;
	int maxfd; /* -1 when no descriptor is set */
};

/* Add fd to a set, keeping maxfd right.  Returns -1 if fd >= FD_SETSIZE. */
int loop_fds_add(struct loop_fds *fds, int fd, int read, int write);

struct loop_source {
	const char *name;
	/* Add descriptors; lower *timeout_ms (-1 means "no limit") if needed. */
	void (*prepare)(void *arg, struct loop_fds *fds, int64_t *timeout_ms);
	/* Called after every select(), ready or not (sources own their timers). */
	void (*dispatch)(void *arg, const struct loop_fds *fds);
	void *arg;
};

typedef void (*loop_timer_fn)(struct loop *loop, void *arg);

struct loop_timer {
	struct theap_node node; /* first: the loop maps nodes back to timers */
	loop_timer_fn fn;
	void *arg;
};

struct loop_stats {
	uint64_t turns;
	uint64_t timers_fired;
	int64_t last_turn_ns; /* work time of the last turn, select() excluded */
	int64_t max_turn_ns;
};

struct loop *loop_new(void);
void loop_free(struct loop *loop);

int loop_add_source(struct loop *loop, const struct loop_source *src);
/* Remove the source registered with this arg (a part freed before the loop);
 * not from inside that source's own prepare/dispatch. */
void loop_remove_source(struct loop *loop, void *arg);
/* fn runs at the end of every turn.  At most 16 turn and 16 idle hooks;
 * -1 when full. */
typedef void (*loop_turn_fn)(void *arg);
int loop_add_turn_hook(struct loop *loop, loop_turn_fn fn, void *arg);
/* fn runs when nothing is ready and the loop would wait; it returns
 * nonzero if it did some work, and the loop then starts a new turn (its
 * work may have made something ready) instead of waiting. */
typedef int (*loop_idle_fn)(void *arg);
int loop_add_idle_hook(struct loop *loop, loop_idle_fn fn, void *arg);
/* Remove every turn and idle hook registered with this arg, so a part freed
 * before the loop (or whose constructor failed half way) leaves nothing
 * behind; not from inside a hook. */
void loop_remove_hooks(struct loop *loop, void *arg);

void loop_timer_init(struct loop_timer *t, loop_timer_fn fn, void *arg);
/* Arm (or re-arm) t at an absolute wall-clock deadline in ms.  -1 on ENOMEM. */
int loop_timer_arm(struct loop *loop, struct loop_timer *t, int64_t deadline_ms);
void loop_timer_disarm(struct loop *loop, struct loop_timer *t);
static inline int loop_timer_armed(const struct loop_timer *t)
{
	return theap_armed(&t->node);
}
size_t loop_timer_count(const struct loop *loop);

/* Run one turn, waiting at most max_wait_ms (-1: as long as needed). */
int loop_run_once(struct loop *loop, int64_t max_wait_ms);
/* Run turns until loop_stop(); returns 0, or -1 if select() failed. */
int loop_run(struct loop *loop);
void loop_stop(struct loop *loop);
int loop_stopping(const struct loop *loop);
/* Ask the next turn not to sleep (work became ready outside select()). */
void loop_wake(struct loop *loop);
const struct loop_stats *loop_get_stats(const struct loop *loop);

#endif
