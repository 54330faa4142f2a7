/* api_common.c -- see api_common.h.  The checks of a job against the
 * galaxy are job_check.h's (a trigger's firing uses them with no request
 * to answer). */
#include "api_common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api_guard.h"
#include "app.h"
#include "clock.h"
#include "config.h"
#include "http.h"
#include "job_check.h"
#include "job_filter.h"
#include "jobspec.h"
#include "store.h"

/* METHOD base + rest, when fn is set. */
static int route(struct app *app, const char *method, const char *base, const char *rest,
		 http_handler_fn fn)
{
	char path[256];
	if (!fn)
		return 0;
	int n = snprintf(path, sizeof path, "%s%s", base, rest);
	if (n < 0 || (size_t)n >= sizeof path)
		return -1;
	return http_route(app->http, method, path, fn, app);
}

int api_resource_register(struct app *app, const struct api_resource *r)
{
	char rest[128];
	if (route(app, "POST", r->base, "", r->create) < 0 ||
	    route(app, "GET", r->base, "", r->list) < 0 ||
	    route(app, "GET", r->base, "/{id}", r->get) < 0 ||
	    route(app, "DELETE", r->base, "/{id}", r->del) < 0)
		return -1;
	for (size_t i = 0; i < API_MAX_ITEM_ROUTES && r->items[i].method; i++) {
		const struct api_item_route *it = &r->items[i];
		int n = snprintf(rest, sizeof rest, "/{id}/%s", it->suffix);
		if (n < 0 || (size_t)n >= sizeof rest ||
		    route(app, it->method, r->base, rest, it->fn) < 0)
			return -1;
	}
	return 0;
}

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

/* The body of a write as JSON, or NULL when it was answered
 * (a media type other than JSON, an empty body, bad JSON). */
json_t *api_json_body(struct http_req *req)
{
	char err[300];
	size_t len;
	const char *buf = http_body(req, &len);
	if (!content_type_ok(req)) {
		/* A form or text/plain body is what a web page may post to any
		 * origin without asking; refusing it forces a CORS preflight.
		 * curl -d sends a form type by default, so say how to fix it. */
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

/* The spec is kept as given and copied into every answer of the job and
 * into its job.created event: its size is what one request can make the
 * daemon store and send again, so it is capped (compact form, so that
 * whitespace neither counts nor helps).  1 if answered 413. */
int api_job_too_large(struct http_req *req, struct app *app, const json_t *body)
{
	/* No need to write it out to know when the bytes received are few:
	 * the compact form drops whitespace, writes strings, integers and
	 * literals no longer than they came (escapes only shrink; UTF-8 stays
	 * as sent) and a real (3 bytes at the least, "0.1") in 24 at the
	 * most, so it is never more than 8 times the body (nor is that of a
	 * job inside the body, a schedule's template). */
	size_t received;
	http_body(req, &received);
	if (received <= (size_t)app->cfg->max_job_bytes / 8)
		return 0;
	size_t size = json_dumpb(body, NULL, 0, JSON_COMPACT);
	if (size <= (size_t)app->cfg->max_job_bytes)
		return 0;
	http_reply_error(req, 413, "job_too_large",
			 "the job is %zu bytes written compactly; the limit is %lld "
			 "(--max-job-bytes)", size, (long long)app->cfg->max_job_bytes);
	return 1;
}

int api_job_refused(struct http_req *req, struct app *app, const json_t *job,
		    const char *prefix)
{
	char err[300];
	if (job_check(app->mirror, job, clock_now_ms(), 0, err, sizeof err) < 0) {
		http_reply_error(req, 422, "invalid_job", "%s%s", prefix, err);
		return 1;
	}
	return 0;
}

void api_reply_created(struct http_req *req, unsigned status, const char *collection,
		       int64_t id, const char *text, size_t len)
{
	if (!text) {
		http_reply_error(req, 500, "store_failed",
				 "%s/%lld was stored but cannot be read back", collection,
				 (long long)id);
		return;
	}
	if (status == 201) {
		char loc[128];
		snprintf(loc, sizeof loc, "%s/%lld", collection, (long long)id);
		http_add_header(req, "Location", loc);
	}
	http_reply(req, status, "application/json; charset=utf-8", text, len);
}

void api_reply_created_json(struct http_req *req, unsigned status, const char *collection,
			    int64_t id, json_t *body)
{
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	api_reply_created(req, status, collection, id, text, text ? strlen(text) : 0);
	free(text);
}

void api_reply_not_stored(struct http_req *req, struct app *app, const char *unavailable,
			  const char *failed)
{
	if (!store_available(app->store))
		api_reply_storage_unavailable(req, app->commit, unavailable);
	else
		http_reply_error(req, 500, "store_failed", "%s", failed ? failed : unavailable);
}

int api_page_query(struct http_req *req, int64_t *limit, int64_t *after)
{
	const char *v;
	*limit = API_LIST_DEFAULT;
	*after = 0;
	if ((v = http_query(req, "limit")) && job_query_int(v, 1, API_LIST_MAX, limit) < 0) {
		http_reply_error(req, 400, "bad_query", "limit: must be an integer from 1 to %d",
				 API_LIST_MAX);
		return -1;
	}
	if ((v = http_query(req, "cursor")) && job_query_int(v, 0, INT64_MAX, after) < 0) {
		http_reply_error(req, 400, "bad_query",
				 "cursor: must be a next_cursor value from an earlier page");
		return -1;
	}
	return 0;
}

void api_reply_page(struct http_req *req, const char *key, json_t *list, int64_t next)
{
	char c[32];
	snprintf(c, sizeof c, "%lld", (long long)next);
	http_reply_json(req, 200, json_pack("{s:o,s:o}", key, list, "next_cursor",
					    next ? json_string(c) : json_null()));
}

void api_list_page(struct http_req *req, struct app *app, const char *key, api_page_fn fn,
		   void *obj)
{
	int64_t after, limit, next = 0;
	if (api_page_query(req, &limit, &after) < 0)
		return;
	api_read_committed(app);
	json_t *list = fn(obj, after, (int)limit, &next);
	if (!list) {
		http_reply_error(req, 500, "store_failed", "cannot read the %s table", key);
		return;
	}
	api_reply_page(req, key, list, next);
}

/* A read answers from committed state.  The group commit waits for the
 * loop to go idle, so a transaction may still be open here: commit it
 * first, so that what a client reads is on disk (and what another reader
 * of the database file sees). */
void api_read_committed(struct app *app)
{
	if (store_in_tx(app->store))
		store_commit(app->store);
}

struct after_commit {
	struct http_req *req;
	struct app *app;
	api_answer_fn fn;
	int64_t id;
	unsigned status;
};

static void on_committed(void *arg, int ok)
{
	struct after_commit *ac = arg;
	if (ok)
		ac->fn(ac->req, ac->app, ac->id, ac->status);
	else
		api_reply_storage_unavailable(ac->req, ac->app->commit,
					      "the change could not be committed; nothing was stored");
	free(ac);
}

void api_after_commit(struct http_req *req, struct app *app, api_answer_fn fn, int64_t id,
		      unsigned status)
{
	struct after_commit *ac = malloc(sizeof *ac);
	if (!ac) {
		http_reply_error(req, 503, "overloaded", "out of memory");
		return;
	}
	*ac = (struct after_commit){req, app, fn, id, status};
	if (store_begin(app->store) < 0) {
		free(ac);
		api_reply_storage_unavailable(req, app->commit, "nothing was changed");
		return;
	}
	if (store_on_commit(app->store, on_committed, ac) < 0) {
		free(ac);
		http_reply_error(req, 503, "overloaded", "cannot queue the answer");
		return;
	}
	http_suspend(req);
}
