/* api_req.c -- see api_req.h.  Knows nothing of what a request is for. */
#include "api_req.h"

#include <string.h>
#include <strings.h>

#include "app.h"
#include "http.h"
#include "store.h"

/* The media type must be exactly application/json, in any case (media
 * types are case-insensitive), alone or with parameters ("; charset=
 * utf-8"): never a prefix match, for application/jsonp or json-seq are
 * other types.  A missing Content-Type is refused too: a page's fetch()
 * of a Blob body sends none, and is then a simple request that needs no
 * preflight. */
static int content_type_ok(struct http_req *req)
{
	static const char json[] = "application/json";
	const char *ct = http_header(req, "Content-Type");
	if (!ct)
		return 0;
	ct += strspn(ct, " \t");
	if (strncasecmp(ct, json, sizeof json - 1) != 0)
		return 0;
	ct += sizeof json - 1;
	ct += strspn(ct, " \t");
	return *ct == 0 || *ct == ';';
}

json_t *api_json_body(struct http_req *req)
{
	char err[300];
	size_t len;
	const char *buf = http_body(req, &len);
	if (!content_type_ok(req)) {
		/* curl -d sends a form type by default, so say how to fix it */
		http_reply_error(req, 415, "unsupported_media_type",
				 "send Content-Type: application/json "
				 "(curl: -H 'Content-Type: application/json')");
		return NULL;
	}
	if (!buf || len == 0) {
		http_reply_error(req, 400, "bad_json", "the body is empty; send JSON");
		return NULL;
	}
	json_t *body = http_body_json(req, err, sizeof err);
	if (!body)
		http_reply_error(req, 400, "bad_json", "%s", err);
	return body;
}

void api_read_committed(struct app *app)
{
	if (store_in_tx(app->store))
		store_commit(app->store);
}
