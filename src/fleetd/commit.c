/* commit.c -- see commit.h. */
#include "commit.h"

#include <stdlib.h>

#include "backoff.h"
#include "clock.h"
#include "log.h"
#include "loop.h"
#include "store.h"

struct commit {
	struct loop *loop;
	struct store *st;
	struct loop_timer probe;
	int64_t attempts;        /* probes since the backoff last started over */
	int64_t available_since; /* wall clock ms; 0 while unavailable */
};

/* The store has become unavailable (a commit failed anywhere: here, in a
 * route that commits before reading, at shutdown): schedule the next
 * probe. */
static void schedule_probe(struct commit *c)
{
	c->attempts++;
	c->available_since = 0;
	int64_t d = backoff_ms(COMMIT_PROBE_BASE_MS, COMMIT_PROBE_MAX_MS, c->attempts);
	if (loop_timer_arm(c->loop, &c->probe, clock_now_ms() + d) < 0)
		log_error("cannot arm the storage probe", NULL); /* the next turn tries again */
}

static void on_probe(struct loop *loop, void *arg)
{
	(void)loop;
	struct commit *c = arg;
	if (store_probe(c->st) == 0) {
		c->available_since = clock_now_ms();
		loop_wake(c->loop);
		return;
	}
	schedule_probe(c);
}

/* Every turn: the commit of a transaction that has grown old, and the
 * bookkeeping of an outage, whoever's commit failed. */
static void commit_turn(void *arg)
{
	struct commit *c = arg;
	if (store_tx_age_ns(c->st) >= COMMIT_MAX_AGE_MS * 1000000LL)
		store_commit(c->st);
	if (!store_available(c->st)) {
		if (!loop_timer_armed(&c->probe))
			schedule_probe(c);
	} else if (c->attempts && c->available_since &&
		   clock_now_ms() - c->available_since >= COMMIT_CALM_MS) {
		c->attempts = 0;
	}
}

/* When the loop would wait: the open transaction committed; or, with
 * nothing left to commit, the WAL checkpointed if it is due (store.h),
 * so its page copies and fsync come after the turn's answers and calls,
 * never between a COMMIT and them. */
static int commit_idle(void *arg)
{
	struct commit *c = arg;
	if (!store_busy(c->st))
		return store_checkpoint(c->st) > 0;
	store_commit(c->st);
	if (!store_available(c->st) && !loop_timer_armed(&c->probe))
		schedule_probe(c);
	return 1;
}

void commit_free(struct commit *c)
{
	if (!c)
		return;
	loop_remove_hooks(c->loop, c);
	loop_timer_disarm(c->loop, &c->probe);
	free(c);
}

struct commit *commit_new(struct loop *loop, struct store *st)
{
	struct commit *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->loop = loop;
	c->st = st;
	c->available_since = clock_now_ms();
	loop_timer_init(&c->probe, on_probe, c);
	if (loop_add_turn_hook(loop, commit_turn, c) < 0 ||
	    loop_add_idle_hook(loop, commit_idle, c) < 0) {
		commit_free(c);
		return NULL;
	}
	return c;
}

int64_t commit_next_probe_ms(const struct commit *c)
{
	return loop_timer_armed(&c->probe) ? c->probe.node.deadline : 0;
}

int commit_retry_after_s(const struct commit *c)
{
	if (store_available(c->st))
		return 0;
	int64_t at = commit_next_probe_ms(c), now = clock_now_ms();
	int64_t s = at > now ? (at - now + 999) / 1000 : 1;
	return s < 1 ? 1 : (int)s;
}
