/* queue.h -- the rows of durable queues (spec: "Fleets working together",
 * migration 0010): named FIFO queues of ids that jobs `put` into and
 * `take` from, and that POST /v1/queues/{name} adds to.
 *
 * An item is either in its queue (taken_by 0), ordered by `pos` (the
 * front is the lowest), or held by the job that took it, marked with the
 * step and pass of that take.  The engine consumes it (deletes the row)
 * once that job's next step completes, and gives it back to the front of
 * its queue if the job is cancelled or fails first.
 *
 * Owns the `queues` and `queue_items` tables.  Every write goes into the
 * caller's open transaction (store_begin), so a take is durable exactly
 * with the state of the job that took it.  Must not touch: jobs' rows,
 * the event log, who is waiting (the engine keeps its waiting takers in
 * memory, queue_wait.h) -- this file only reads and writes rows. */
#ifndef FLEETD_QUEUE_H
#define FLEETD_QUEUE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct store;

/* A queue name: 1 to QUEUE_NAME_MAX bytes of letters, digits, '_', '-'
 * and '.', so it is a URL path segment as it is written. */
#define QUEUE_NAME_MAX 64
/* Queues that may exist, and items one queue may hold (in it or taken). */
#define QUEUE_MAX_QUEUES 1000
#define QUEUE_MAX_ITEMS 100000
/* Items one answer lists (the counts are always whole). */
#define QUEUE_SHOW_MAX 1000

struct queue_item {
	int64_t id, queue, pos, value, put_by, put_at;
	int64_t taken_by, taken_step, taken_iter, taken_at; /* 0: in the queue */
};

/* Items one POST /v1/queues/{name} may add. */
#define QUEUE_POST_MAX 1000

/* 1 if name (len bytes) is a queue name. */
int queue_name_ok(const char *name, size_t len);
/* A POST body: {"items": [1 to QUEUE_POST_MAX ids]} and nothing else.
 * 0, or -1 with "path: problem" in err. */
int queue_items_check(const json_t *body, char *err, size_t errlen);

/* The id of queue name: 0 if there is none, -1 on a database error. */
int64_t queue_lookup(struct store *st, const char *name);
/* Why a queue write was refused: the negative returns of queue_ensure
 * and engine_queue_put, each named by queue_err_code() as the API and a
 * failed step's message name it. */
enum queue_err {
	QUEUE_ERR_STORE = -1, /* the database failed or is unavailable */
	QUEUE_ERR_LIMIT = -2, /* QUEUE_MAX_QUEUES exist; a new one may not */
	QUEUE_ERR_FULL = -3,  /* the queue holds QUEUE_MAX_ITEMS */
};
/* "store", "queue_limit" or "queue_full" for one of those. */
const char *queue_err_code(int rc);

/* The same, creating it if new: QUEUE_ERR_LIMIT when QUEUE_MAX_QUEUES
 * exist, QUEUE_ERR_STORE on a database error. */
int64_t queue_ensure(struct store *st, const char *name, int64_t now);
/* The name of queue id into buf; 0, or -1 (unknown, or an error). */
int queue_name_of(struct store *st, int64_t id, char *buf, size_t len);
/* Items queue q holds (in it and taken); -1 on an error. */
int64_t queue_size(struct store *st, int64_t q);

/* Add value at the back of queue q.  The new item's id, or -1. */
int64_t queue_put(struct store *st, int64_t q, int64_t value, int64_t put_by,
		  int64_t now);
/* The item at the front of queue q (not taken): 1, 0 if none, -1. */
int queue_front(struct store *st, int64_t q, struct queue_item *it);
/* Mark item as held by job for the take at (step, iter).  0, or -1. */
int queue_hold(struct store *st, int64_t item, int64_t job, int64_t step,
	       int64_t iter, int64_t now);
/* The item job holds from its take at (step, iter): 1, 0 if none, -1. */
int queue_held(struct store *st, int64_t job, int64_t step, int64_t iter,
	       struct queue_item *it);
/* The take at (step, iter) is used up: delete what it holds.  How many
 * rows went, or -1. */
int queue_consume(struct store *st, int64_t job, int64_t step, int64_t iter);
/* Delete every item job holds (it ended succeeded).  Count, or -1. */
int queue_consume_all(struct store *st, int64_t job);
/* Every item job holds goes back to the front of its queue, the last
 * taken foremost.  Up to max of them are copied into out (the caller
 * writes the events and hands them to waiting takers).  How many went
 * back, or -1. */
int queue_give_back(struct store *st, int64_t job, struct queue_item *out,
		    size_t max);

/* GET /v1/queues: [{"name", "size" (items in it), "taken_count",
 * "waiting_count" (waiting(arg, queue id): takers waiting)}] by name;
 * NULL on an error. */
json_t *queue_list_json(struct store *st, size_t (*waiting)(void *arg, int64_t q),
			void *arg);
/* GET /v1/queues/{name}: {"name", "size", "taken_count", "items":
 * [{"value", "put_by", "put_at"}] front first, "taken": [{"value", "job",
 * "taken_at"}]}, each list at most QUEUE_SHOW_MAX long.  *q is set to the queue's id; NULL with
 * *q = 0 if there is no such queue, with *q = -1 on an error. */
json_t *queue_show_json(struct store *st, const char *name, int64_t *q);

#endif
