/* api_common.h -- what the route modules share: the routes of a
 * collection resource, and for those that take input the JSON body of a
 * write, the check of a job spec (POST /v1/jobs and the job
 * templates of schedules and triggers: one validator, one error shape),
 * answering after the commit, and reading committed state before an answer.
 *
 * Owns no state.  Each function that can refuse answers the request
 * itself (the error shape of the API: {"error": {"code", "message"}}) and
 * says so in its return value, so a route stops at the first refusal.
 * Must not touch: the engine's tables or any route's own fields. */
#ifndef FLEETD_API_COMMON_H
#define FLEETD_API_COMMON_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "http.h"

struct app;

/* The routes of a collection resource under base ("/v1/schedules"):
 * POST base creates, GET base lists, GET base/{id} reads one, DELETE
 * base/{id} deletes (a NULL handler: that verb has no route), then each
 * of items, METHOD base/{id}/SUFFIX, up to the first with a NULL method.
 * Every handler gets the app as its arg.  The paths are written once, so
 * a module's routes cannot disagree on where its collection lives.
 * -1 when a route could not be registered (out of memory, a path too
 * long): fleetd then does not start with part of its API missing. */
#define API_MAX_ITEM_ROUTES 8
struct api_item_route {
	const char *method;
	const char *suffix;
	http_handler_fn fn;
};
struct api_resource {
	const char *base;
	http_handler_fn create, list, get, del;
	struct api_item_route items[API_MAX_ITEM_ROUTES];
};
int api_resource_register(struct app *app, const struct api_resource *r);

/* The body of a write as JSON, or NULL when it was answered: 415 for a
 * media type other than application/json, 400 bad_json for an empty
 * body or bad JSON. */
json_t *api_json_body(struct http_req *req);

/* 1 if job (compact) is over --max-job-bytes: answered 413 job_too_large. */
int api_job_too_large(struct http_req *req, struct app *app, const json_t *job);

/* 0 if job is a job fleetd can take; else answered 422 invalid_job with
 * "PATH: problem", every path prefixed with prefix ("" for a job, "job."
 * for a template inside another object).  Ids are checked against the
 * galaxy when it is known; a job accepted before that is checked when it
 * starts. */
int api_job_refused(struct http_req *req, struct app *app, const json_t *job,
		    const char *prefix);

/* Answer once the current transaction is committed (http_suspend +
 * store_on_commit), so that a 2xx means the change is on disk: fn(req,
 * app, id, status) then writes the answer; a failed commit is answered 503
 * storage_unavailable (nothing of the change was kept). */
typedef void (*api_answer_fn)(struct http_req *req, struct app *app, int64_t id,
			      unsigned status);
void api_after_commit(struct http_req *req, struct app *app, api_answer_fn fn, int64_t id,
		      unsigned status);

/* The answer of a committed write: the object as GET shows it, JSON text
 * of len bytes (copied), with status; a 201 also gets the new object's URL
 * in Location, "<collection>/<id>" (collection "/v1/jobs").  NULL text:
 * 500 store_failed, for the change is stored but cannot be read back. */
void api_reply_created(struct http_req *req, unsigned status, const char *collection,
		       int64_t id, const char *text, size_t len);
/* The same with the object as JSON (stolen; NULL as above). */
void api_reply_created_json(struct http_req *req, unsigned status, const char *collection,
			    int64_t id, json_t *body);

/* A write the store refused, nothing of it kept: 503 storage_unavailable
 * with Retry-After (api_guard.h) saying unavailable while the database
 * cannot be written (commit.h); else 500 store_failed saying failed
 * (NULL: unavailable again). */
void api_reply_not_stored(struct http_req *req, struct app *app, const char *unavailable,
			  const char *failed);

/* A list's paging parameters: `limit` (1 to API_LIST_MAX; default
 * API_LIST_DEFAULT) and `cursor` (a next_cursor of an earlier page; 0
 * without).  0, or -1 when answered 400 bad_query. */
#define API_LIST_DEFAULT 100
#define API_LIST_MAX 1000
int api_page_query(struct http_req *req, int64_t *limit, int64_t *after);
/* A page: {"<key>": list, "next_cursor": "<next>" or null (next 0)};
 * steals list. */
void api_reply_page(struct http_req *req, const char *key, json_t *list, int64_t next);
/* GET of a paged collection: its ?limit and ?after (400 bad_query), the
 * page read from committed state by fn(obj, after, limit, &next) (a new
 * list, or NULL when the table cannot be read: 500 store_failed), then
 * answered as api_reply_page() does under key. */
typedef json_t *(*api_page_fn)(void *obj, int64_t after, int limit, int64_t *next);
void api_list_page(struct http_req *req, struct app *app, const char *key, api_page_fn fn,
		   void *obj);

/* Commit the open group transaction, if any, so that a read answers what
 * is on disk (and what another reader of the file sees). */
void api_read_committed(struct app *app);

#endif
