/* api_body.h -- what every route of the API reads from a request the same
 * way: a JSON body (exactly application/json, not empty, well formed) and
 * integer query parameters.  Answers the refusals itself; owns nothing. */
#ifndef FLEETD_API_BODY_H
#define FLEETD_API_BODY_H

#include <jansson.h>
#include <stdint.h>

struct http_req;

/* The body as JSON, or NULL when it was answered: 415 for a media type
 * other than JSON, 400 bad_json for an empty body ("send <what> as JSON")
 * or bad JSON.  The caller owns the result. */
json_t *api_body_json(struct http_req *req, const char *what);
/* A decimal integer in [lo, hi] from a query parameter: 0, or -1. */
int api_query_int(const char *v, int64_t lo, int64_t hi, int64_t *out);

#endif
