/* api_commit.h -- a route that changed something answers only once the
 * turn's transaction is committed (http_suspend + store_on_commit), so a
 * 2xx means the change is on disk; a commit that fails answers 503
 * storage_unavailable instead (every change of it was rolled back).  The
 * one copy of that dance for every route module.  Owns only the small
 * record that carries the answer to the commit. */
#ifndef FLEETD_API_COMMIT_H
#define FLEETD_API_COMMIT_H

#include <stdint.h>

struct app;
struct http_req;

/* Sends the answer of a committed change: the object `id` (0: none) with
 * this status. */
typedef void (*api_commit_fn)(struct http_req *req, struct app *app, int64_t id,
			      unsigned status);

/* Suspend req and call answer after the commit of the open transaction
 * (opened if need be).  When no transaction can be opened (storage
 * unavailable) or the callback cannot be queued, req is answered 503 at
 * once. */
void api_reply_after_commit(struct http_req *req, struct app *app, int64_t id,
			    unsigned status, api_commit_fn answer);

#endif
