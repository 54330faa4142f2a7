/* queue_wait.h -- the jobs waiting in a `take` for an item, per queue, in
 * the order they came (FIFO among waiting takers).
 *
 * A waiter is known by its job id and ordered by its ticket (the time its
 * take first waited, kept in the step's data so that a restart, a resume
 * or a wake that found nothing puts it back in the same place; ties go to
 * the lower job id).  The engine adds a job when its take waits, removes
 * it when it wakes, and asks for the first waiter when an item is put or
 * given back.  Nothing here is durable: after a restart every waiting take
 * runs once and registers again under its ticket.
 *
 * Owns only its maps and nodes; knows nothing of SQLite or the engine's
 * records (owner is the engine's, handed back as it was given). */
#ifndef FLEETD_QUEUE_WAIT_H
#define FLEETD_QUEUE_WAIT_H

#include <stddef.h>
#include <stdint.h>

#include "idmap.h"
#include "list.h"

struct qwaiter {
	struct list_node link; /* in its queue's list, by (ticket, job) */
	int64_t job, queue, ticket;
	int64_t step, iter; /* the take that waits: what an item is held for */
	void *owner;
};

struct qwaits {
	struct idmap queues; /* queue id -> struct qwait_list */
	struct idmap jobs;   /* job id -> struct qwaiter */
	size_t n;
};

void qwaits_init(struct qwaits *w);
void qwaits_free(struct qwaits *w);
/* Add a copy of *w in its place (a job already waiting is moved).  0, or
 * -1 on ENOMEM. */
int qwaits_add(struct qwaits *qw, const struct qwaiter *w);
/* Forget job's wait (nothing if it has none). */
void qwaits_remove(struct qwaits *qw, int64_t job);
/* The first waiter of queue, or NULL. */
const struct qwaiter *qwaits_first(const struct qwaits *qw, int64_t queue);
/* 1 if someone waits in queue ahead of (ticket, job). */
int qwaits_ahead(const struct qwaits *qw, int64_t queue, int64_t ticket, int64_t job);
/* Waiters of queue. */
size_t qwaits_count(const struct qwaits *qw, int64_t queue);
/* Call fn for each waiter of queue, first to last. */
void qwaits_each(const struct qwaits *qw, int64_t queue,
		 void (*fn)(void *arg, const struct qwaiter *w), void *arg);

#endif
