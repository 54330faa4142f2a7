/* api_webhooks.c -- the webhook routes: POST/GET /v1/webhooks,
 * GET/DELETE /v1/webhooks/{id}, GET /v1/webhooks/{id}/deliveries[/{d}]
 * and POST /v1/webhooks/{id}/deliveries/{d}/redeliver.
 *
 * Turns HTTP into webhooks.h calls and back; owns no webhook state.  A
 * change is answered only after the commit that holds it.  The secret
 * appears in one answer only, the 201 of the POST that stored it; it is
 * never logged (the request log holds no bodies).  Errors never quote a
 * URL or a secret. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_req.h"
#include "api_guard.h"
#include "app.h"
#include "clock.h"
#include "http.h"
#include "job_filter.h"
#include "store.h"
#include "webhook_sign.h"
#include "webhook_spec.h"
#include "webhooks.h"

#define DELIVERIES_DEFAULT 100
#define DELIVERIES_MAX 1000

struct pending_answer {
	struct http_req *req;
	struct app *app;
	unsigned status;
	json_t *body;      /* owned; NULL: 204 */
};

static void wipe_secret(json_t *body)
{
	json_t *s = json_object_get(body, "secret");
	if (json_is_string(s)) {
		/* jansson's copy is ours to overwrite before it is freed */
		char *p = (char *)json_string_value(s);
		memset(p, 0, strlen(p));
	}
}

static void answer_committed(void *arg, int ok)
{
	struct pending_answer *pa = arg;
	if (!ok)
		api_reply_storage_unavailable(pa->req, pa->app->commit,
					      "the change could not be committed; nothing was stored");
	else if (!pa->body)
		http_reply(pa->req, 204, NULL, "", 0);
	else
		http_reply_json(pa->req, pa->status, json_incref(pa->body));
	wipe_secret(pa->body);
	json_decref(pa->body);
	free(pa);
}

/* Answer status + body (stolen; NULL for 204) once the transaction that
 * holds the change is committed. */
static void answer_after_commit(struct http_req *req, struct app *app,
				unsigned status, json_t *body)
{
	struct pending_answer *pa = malloc(sizeof *pa);
	if (!pa || store_on_commit(app->store, answer_committed, pa) < 0) {
		free(pa);
		wipe_secret(body);
		json_decref(body);
		http_reply_error(req, 503, "overloaded", "cannot queue the answer");
		return;
	}
	*pa = (struct pending_answer){req, app, status, body};
	http_suspend(req);
}

static void failed_write(struct http_req *req, struct app *app, const char *what)
{
	if (!store_available(app->store))
		api_reply_storage_unavailable(req, app->commit, what);
	else
		http_reply_error(req, 500, "store_failed", "%s", what);
}

/* --- routes ------------------------------------------------------------------ */

/* The spec's secret, or one made here; 0, or -1 when answered. */
static int ensure_secret(struct http_req *req, struct webhook_spec *spec)
{
	if (spec->secret)
		return 0;
	char made[WEBHOOK_SECRET_LEN];
	if (webhook_new_secret(made) < 0 || !(spec->secret = strdup(made))) {
		memset(made, 0, sizeof made);
		http_reply_error(req, 503, "no_randomness",
				 "cannot make a secret now; send one (16 to 256 characters)");
		return -1;
	}
	memset(made, 0, sizeof made);
	return 0;
}

static void on_create(struct http_req *req, void *arg)
{
	struct app *app = arg;
	json_t *body = api_json_body(req);
	if (!body)
		return;
	struct webhook_spec spec;
	char err[400];
	int bad = webhook_spec_parse(body, &spec, err, sizeof err);
	json_decref(body);
	if (bad) {
		http_reply_error(req, 422, "invalid_webhook", "%s", err);
		return;
	}
	if (ensure_secret(req, &spec) < 0) {
		webhook_spec_clear(&spec);
		return;
	}
	int64_t id = webhooks_create(app->webhooks, &spec, clock_now_ms());
	if (id == 0) {
		http_reply_error(req, 409, "too_many_webhooks",
				 "at most %d webhooks may be registered; delete one first",
				 WEBHOOKS_MAX);
	} else if (id < 0) {
		failed_write(req, app, "the webhook was not stored");
	} else {
		json_t *o = webhooks_json(app->webhooks, id);
		if (!o || json_object_set_new(o, "secret", json_string(spec.secret)) < 0) {
			/* stored, but not answerable: the client may list it */
			json_decref(o);
			http_reply_error(req, 500, "store_failed", "the webhook was stored "
					 "but cannot be shown; delete it and register again");
			webhook_spec_clear(&spec);
			return;
		}
		char loc[64];
		snprintf(loc, sizeof loc, "/v1/webhooks/%lld", (long long)id);
		http_add_header(req, "Location", loc);
		answer_after_commit(req, app, 201, o);
	}
	webhook_spec_clear(&spec);
}

static void on_list(struct http_req *req, void *arg)
{
	struct app *app = arg;
	api_read_committed(app);
	json_t *a = webhooks_list_json(app->webhooks);
	if (!a) {
		http_reply_error(req, 500, "store_failed", "cannot read the webhooks");
		return;
	}
	http_reply_json(req, 200, json_pack("{s:o}", "webhooks", a));
}

static void not_found(struct http_req *req, int64_t id)
{
	http_reply_error(req, 404, "not_found", "no webhook %lld", (long long)id);
}

static void on_get(struct http_req *req, void *arg)
{
	struct app *app = arg;
	int64_t id = http_param_id(req, 0);
	api_read_committed(app);
	json_t *o = webhooks_find(app->webhooks, id) ? webhooks_json(app->webhooks, id) : NULL;
	if (!o)
		not_found(req, id);
	else
		http_reply_json(req, 200, o);
}

static void on_delete(struct http_req *req, void *arg)
{
	struct app *app = arg;
	int64_t id = http_param_id(req, 0);
	int rc = webhooks_delete(app->webhooks, id);
	if (rc == 1)
		not_found(req, id);
	else if (rc < 0)
		failed_write(req, app, "the webhook was not deleted");
	else
		answer_after_commit(req, app, 204, NULL);
}

/* The query of a deliveries page; 0, or -1 when answered 400. */
static int deliveries_query(struct http_req *req, const char **state,
			    int64_t *before, int64_t *limit)
{
	const char *v;
	*state = http_query(req, "state");
	*before = 0;
	*limit = DELIVERIES_DEFAULT;
	if (*state && strcmp(*state, "pending") != 0 && strcmp(*state, "delivered") != 0 &&
	    strcmp(*state, "dead") != 0) {
		http_reply_error(req, 400, "bad_query",
				 "state: must be one of pending, delivered, dead");
		return -1;
	}
	if ((v = http_query(req, "limit")) &&
	    job_query_int(v, 1, DELIVERIES_MAX, limit) < 0) {
		http_reply_error(req, 400, "bad_query", "limit: must be an integer from 1 to %d",
				 DELIVERIES_MAX);
		return -1;
	}
	if ((v = http_query(req, "cursor")) && job_query_int(v, 1, INT64_MAX, before) < 0) {
		http_reply_error(req, 400, "bad_query",
				 "cursor: must be a next_cursor value from an earlier page");
		return -1;
	}
	return 0;
}

static void on_deliveries(struct http_req *req, void *arg)
{
	struct app *app = arg;
	int64_t id = http_param_id(req, 0), before, limit, next = 0;
	const char *state;
	if (deliveries_query(req, &state, &before, &limit) < 0)
		return;
	api_read_committed(app);
	if (!webhooks_find(app->webhooks, id)) {
		not_found(req, id);
		return;
	}
	json_t *a = webhooks_deliveries_json(app->webhooks, id, state, before, (int)limit,
					     &next);
	if (!a) {
		http_reply_error(req, 500, "store_failed", "cannot read the deliveries");
		return;
	}
	char cur[32];
	snprintf(cur, sizeof cur, "%lld", (long long)next);
	http_reply_json(req, 200, json_pack("{s:o,s:o}", "deliveries", a, "next_cursor",
					    next ? json_string(cur) : json_null()));
}

static void on_delivery(struct http_req *req, void *arg)
{
	struct app *app = arg;
	int64_t id = http_param_id(req, 0), d = http_param_id(req, 1);
	api_read_committed(app);
	json_t *o = webhooks_delivery_json(app->webhooks, id, d);
	if (!o)
		http_reply_error(req, 404, "not_found", "webhook %lld has no delivery %lld",
				 (long long)id, (long long)d);
	else
		http_reply_json(req, 200, o);
}

static void on_redeliver(struct http_req *req, void *arg)
{
	struct app *app = arg;
	int64_t id = http_param_id(req, 0), d = http_param_id(req, 1);
	int rc = webhooks_redeliver(app->webhooks, id, d, clock_now_ms());
	if (rc == 1)
		http_reply_error(req, 404, "not_found", "webhook %lld has no delivery %lld",
				 (long long)id, (long long)d);
	else if (rc < 0)
		failed_write(req, app, "the delivery was not queued again");
	else
		answer_after_commit(req, app, 202, webhooks_delivery_json(app->webhooks, id, d));
}

void api_webhooks_register(struct app *app)
{
	http_route(app->http, "POST", "/v1/webhooks", on_create, app);
	http_route(app->http, "GET", "/v1/webhooks", on_list, app);
	http_route(app->http, "GET", "/v1/webhooks/{id}", on_get, app);
	http_route(app->http, "DELETE", "/v1/webhooks/{id}", on_delete, app);
	http_route(app->http, "GET", "/v1/webhooks/{id}/deliveries", on_deliveries, app);
	http_route(app->http, "GET", "/v1/webhooks/{id}/deliveries/{id}", on_delivery, app);
	http_route(app->http, "POST", "/v1/webhooks/{id}/deliveries/{id}/redeliver",
		   on_redeliver, app);
}
