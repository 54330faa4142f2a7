/* api_req.h -- reading a request the one way every route reads it: the
 * JSON body of a POST (Content-Type must be application/json -- 415
 * otherwise: a form or text/plain body is what any web page may post
 * without a CORS preflight --, not empty, strict JSON: 400 bad_json), and
 * the committed state a read answers from.  (Integer query parameters:
 * job_query_int, job_filter.h.)
 * Owns nothing. */
#ifndef FLEETD_API_REQ_H
#define FLEETD_API_REQ_H

#include <jansson.h>

struct http_req;
struct app;

/* The parsed body (the caller's), or NULL when the request was answered. */
json_t *api_json_body(struct http_req *req);

/* A read answers from committed state.  The group commit waits for the
 * loop to go idle, so a transaction may still be open: commit it first,
 * so that what a client reads is on disk. */
void api_read_committed(struct app *app);

#endif
