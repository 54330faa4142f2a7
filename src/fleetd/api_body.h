/* api_body.h -- a request's JSON body, read the same way by every route
 * that takes one (exactly application/json, not empty, well formed).
 * Answers the refusals itself; owns nothing.  (Integer query parameters:
 * job_query_int, job_filter.h.) */
#ifndef FLEETD_API_BODY_H
#define FLEETD_API_BODY_H

#include <jansson.h>
#include <stdint.h>

struct http_req;

/* The body as JSON, or NULL when it was answered: 415 for a media type
 * other than JSON, 400 bad_json for an empty body ("send <what> as JSON")
 * or bad JSON.  The caller owns the result. */
json_t *api_body_json(struct http_req *req, const char *what);

#endif
