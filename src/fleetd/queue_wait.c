/* queue_wait.c -- see queue_wait.h.  One list per queue with a waiter,
 * kept in (ticket, job) order; a new waiter almost always has the highest
 * ticket, so its place is looked for from the back. */
#include "queue_wait.h"

#include <stdlib.h>

struct qwait_list {
	struct list_node head;
	size_t n;
};

void qwaits_init(struct qwaits *qw)
{
	idmap_init(&qw->queues);
	idmap_init(&qw->jobs);
	qw->n = 0;
}

void qwaits_free(struct qwaits *qw)
{
	idmap_free_with(&qw->jobs, free);
	idmap_free_with(&qw->queues, free);
	qw->n = 0;
}

static int before(const struct qwaiter *a, int64_t ticket, int64_t job)
{
	return a->ticket < ticket || (a->ticket == ticket && a->job < job);
}

int qwaits_add(struct qwaits *qw, const struct qwaiter *w)
{
	qwaits_remove(qw, w->job);
	struct qwait_list *l = idmap_get(&qw->queues, w->queue);
	int fresh = !l;
	if (fresh) {
		if (!(l = malloc(sizeof *l)))
			return -1;
		list_init(&l->head);
		l->n = 0;
		if (idmap_put(&qw->queues, w->queue, l) < 0) {
			free(l);
			return -1;
		}
	}
	struct qwaiter *c = malloc(sizeof *c);
	if (!c || idmap_put(&qw->jobs, w->job, c) < 0) {
		free(c);
		if (fresh) {
			idmap_del(&qw->queues, w->queue);
			free(l);
		}
		return -1;
	}
	*c = *w;
	struct list_node *at = l->head.prev;
	while (at != &l->head &&
	       !before(LIST_ELEM(at, struct qwaiter, link), c->ticket, c->job))
		at = at->prev;
	list_insert_between(&c->link, at, at->next);
	l->n++;
	qw->n++;
	return 0;
}

void qwaits_remove(struct qwaits *qw, int64_t job)
{
	struct qwaiter *c = idmap_del(&qw->jobs, job);
	if (!c)
		return;
	struct qwait_list *l = idmap_get(&qw->queues, c->queue);
	list_remove(&c->link);
	if (l && --l->n == 0) {
		idmap_del(&qw->queues, c->queue);
		free(l);
	}
	qw->n--;
	free(c);
}

const struct qwaiter *qwaits_first(const struct qwaits *qw, int64_t queue)
{
	const struct qwait_list *l = idmap_get(&qw->queues, queue);
	struct list_node *n = l ? list_first(&l->head) : NULL;
	return n ? LIST_ELEM(n, struct qwaiter, link) : NULL;
}

int qwaits_ahead(const struct qwaits *qw, int64_t queue, int64_t ticket, int64_t job)
{
	const struct qwaiter *f = qwaits_first(qw, queue);
	return f && f->job != job && before(f, ticket, job);
}

size_t qwaits_count(const struct qwaits *qw, int64_t queue)
{
	const struct qwait_list *l = idmap_get(&qw->queues, queue);
	return l ? l->n : 0;
}

void qwaits_each(const struct qwaits *qw, int64_t queue,
		 void (*fn)(void *arg, const struct qwaiter *w), void *arg)
{
	const struct qwait_list *l = idmap_get(&qw->queues, queue);
	struct list_node *n;
	if (l)
		LIST_EACH(n, &l->head)
			fn(arg, LIST_ELEM(n, struct qwaiter, link));
}
