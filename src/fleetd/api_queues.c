/* api_queues.c -- the queue routes (spec: "Fleets working together"):
 * POST /v1/queues/{name} {"items": [ids]} adds items from outside,
 * GET /v1/queues/{name} shows a queue's items, the items taken and not
 * yet used up, and the takers waiting, and GET /v1/queues lists queues
 * with their counts.
 *
 * Turns HTTP into engine calls (engine_queue_put: the items go in the
 * turn's transaction and the 200 is sent after its commit) and reads the
 * rows through queue.h.  Owns no state; must not write the queue tables
 * itself (only the engine hands items to waiting takers). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_common.h"
#include "api_guard.h"
#include "app.h"
#include "engine.h"
#include "http.h"
#include "jobspec.h"
#include "queue.h"
#include "store.h"

/* The queue named by the path, or NULL when answered (400). */
static const char *queue_param(struct http_req *req)
{
	const char *name = http_param(req, 0);
	if (name && queue_name_ok(name, strlen(name)))
		return name;
	http_reply_error(req, 400, "bad_queue_name",
			 "a queue name is 1 to %d letters, digits, '_', '-' or '.'",
			 QUEUE_NAME_MAX);
	return NULL;
}

static void waiter_json(void *arg, int64_t job, int64_t since)
{
	char t[40];
	jobspec_format_time(since, t, sizeof t);
	json_array_append_new(arg, json_pack("{s:I,s:s}", "job", (json_int_t)job, "since", t));
}

/* The answer of GET /v1/queues/{name}: 200, 404 or 500. */
static void reply_queue(struct http_req *req, struct app *app, const char *name)
{
	int64_t q;
	json_t *b = queue_show_json(app->store, name, &q);
	if (!b && q == 0) {
		http_reply_error(req, 404, "not_found", "no queue %s", name);
		return;
	}
	json_t *waiting = json_array();
	if (!b || !waiting) {
		json_decref(b);
		json_decref(waiting);
		http_reply_error(req, 500, "store_failed", "cannot read the queues");
		return;
	}
	engine_queue_waiters(app->engine, q, waiter_json, waiting);
	json_object_set_new(b, "waiting_count", json_integer((json_int_t)json_array_size(waiting)));
	json_object_set_new(b, "waiting", waiting);
	http_reply_json(req, 200, b);
}

static void on_get(struct http_req *req, void *arg)
{
	struct app *app = arg;
	const char *name = queue_param(req);
	if (!name)
		return;
	api_read_committed(app);
	reply_queue(req, app, name);
}

static size_t waiting_count(void *arg, int64_t q)
{
	return engine_queue_waiting(arg, q);
}

static void on_list(struct http_req *req, void *arg)
{
	struct app *app = arg;
	api_read_committed(app);
	json_t *l = queue_list_json(app->store, waiting_count, app->engine);
	if (!l) {
		http_reply_error(req, 500, "store_failed", "cannot read the queues");
		return;
	}
	http_reply_json(req, 200, json_pack("{s:o}", "queues", l));
}

/* --- POST ------------------------------------------------------------------- */

/* The items of a POST body: 0, or -1 after answering 422. */
static int items_refused(struct http_req *req, const json_t *body)
{
	char err[200];
	if (queue_items_check(body, err, sizeof err) == 0)
		return 0;
	http_reply_error(req, 422, "invalid_items", "%s", err);
	return -1;
}

/* 0 if queue name can take n more items; else answered 409. */
static int room_refused(struct http_req *req, struct app *app, const char *name, size_t n)
{
	int64_t q = queue_lookup(app->store, name);
	int64_t size = q > 0 ? queue_size(app->store, q) : 0;
	if (q < 0 || size < 0) {
		http_reply_error(req, 500, "store_failed", "cannot read the queues");
		return -1;
	}
	if (size + (int64_t)n > QUEUE_MAX_ITEMS) {
		http_reply_error(req, 409, "queue_full",
				 "queue %s holds %lld items; %zu more would pass the limit of %d",
				 name, (long long)size, n, QUEUE_MAX_ITEMS);
		return -1;
	}
	return 0;
}

struct posted {
	struct http_req *req;
	struct app *app;
	char name[QUEUE_NAME_MAX + 1];
};

static void reply_posted(void *arg, int ok)
{
	struct posted *p = arg;
	if (ok)
		reply_queue(p->req, p->app, p->name);
	else
		api_reply_storage_unavailable(p->req, p->app->commit,
					      "the items could not be committed; none was added");
	free(p);
}

static void on_post(struct http_req *req, void *arg)
{
	struct app *app = arg;
	char err[200];
	const char *name = queue_param(req);
	json_t *body = name ? api_json_body(req) : NULL;
	if (!body)
		return;
	const json_t *items = json_object_get(body, "items");
	struct posted *p = NULL;
	if (items_refused(req, body) ||
	    room_refused(req, app, name, json_array_size(items))) {
		json_decref(body);
		return;
	}
	if (!(p = malloc(sizeof *p))) {
		json_decref(body);
		http_reply_error(req, 503, "overloaded", "out of memory");
		return;
	}
	*p = (struct posted){.req = req, .app = app};
	snprintf(p->name, sizeof p->name, "%s", name);
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < json_array_size(items); i++)
		rc = engine_queue_put(app->engine, name, json_integer_value(json_array_get(items, i)),
				      0, err, sizeof err);
	json_decref(body);
	if (rc == QUEUE_ERR_LIMIT || rc == QUEUE_ERR_FULL) {
		free(p);
		http_reply_error(req, 409, queue_err_code(rc), "%s; no item was added", err);
	} else if (rc < 0) {
		free(p);
		api_reply_not_stored(req, app, "no item was added", err);
	} else if (store_on_commit(app->store, reply_posted, p) < 0) {
		free(p);
		http_reply_error(req, 503, "overloaded", "cannot queue the answer");
	} else {
		http_suspend(req);
	}
}

int api_queues_register(struct app *app)
{
	/* a queue is named, not numbered: its path segment is {} */
	if (http_route(app->http, "GET", "/v1/queues", on_list, app) < 0 ||
	    http_route(app->http, "GET", "/v1/queues/{}", on_get, app) < 0)
		return -1;
	return http_route(app->http, "POST", "/v1/queues/{}", on_post, app);
}
