/* api_body.h -- the JSON body of a request that writes (POST /v1/jobs,
 * POST /v1/queues/{name}): the media type must be JSON, the body present
 * and well-formed.  Owns nothing; answers the request when it refuses. */
#ifndef FLEETD_API_BODY_H
#define FLEETD_API_BODY_H

#include <jansson.h>

struct http_req;

/* The body as JSON (the caller decrefs it), or NULL when the request was
 * answered: 415 for a media type other than application/json, 400
 * bad_json for an empty body ("send <what> as JSON") or bad JSON. */
json_t *api_json_body(struct http_req *req, const char *what);

#endif
