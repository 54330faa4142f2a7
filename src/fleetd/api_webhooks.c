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

#include "api_common.h"
#include "api_guard.h"
#include "app.h"
#include "clock.h"
#include "http.h"
#include "store.h"
#include "webhook_send.h"
#include "webhook_sign.h"
#include "webhook_spec.h"
#include "webhooks.h"

/* The 201 of a registration, after its commit: the webhook and, this
 * once, its secret (the text is wiped once sent). */
static void reply_created(struct http_req *req, struct app *app, int64_t id,
			  unsigned status)
{
	const struct webhook *h = webhooks_find(app->webhooks, id);
	json_t *o = h ? webhooks_json(app->webhooks, id) : NULL;
	char *text = NULL;
	if (o && json_object_set_new(o, "secret", json_string(h->secret)) == 0)
		text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!text) {
		/* stored, but not answerable: the client may list it */
		http_reply_error(req, 500, "store_failed", "the webhook was stored but "
				 "cannot be shown; delete it and register again");
		return;
	}
	size_t len = strlen(text);
	api_reply_created(req, status, "/v1/webhooks", id, text, len);
	memset(text, 0, len);
	free(text);
}

static void reply_deleted(struct http_req *req, struct app *app, int64_t id,
			  unsigned status)
{
	(void)app;
	(void)id;
	http_reply(req, status, NULL, "", 0);
}

static void reply_delivery(struct http_req *req, struct app *app, int64_t id,
			   unsigned status)
{
	json_t *o = webhooks_delivery_json(app->webhooks, 0, id);
	if (!o)
		http_reply_error(req, 404, "not_found", "delivery %lld is gone", (long long)id);
	else
		http_reply_json(req, status, o);
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
	if (id == 0)
		http_reply_error(req, 409, "too_many_webhooks",
				 "at most %d webhooks may be registered; delete one first",
				 WEBHOOKS_MAX);
	else if (id < 0)
		api_reply_not_stored(req, app, "the webhook was not stored", NULL);
	else
		api_after_commit(req, app, reply_created, id, 201);
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
		api_reply_not_stored(req, app, "the webhook was not deleted", NULL);
	else {
		/* its attempt under way stops here, not after the answer */
		webhook_send_abandon(app->webhook_send, id);
		api_after_commit(req, app, reply_deleted, id, 204);
	}
}

/* The query of a deliveries page: ?state, then the paging of every list
 * (the cursor counts down here: deliveries come newest first); 0, or -1
 * when answered 400. */
static int deliveries_query(struct http_req *req, const char **state,
			    int64_t *before, int64_t *limit)
{
	*state = http_query(req, "state");
	if (*state && strcmp(*state, "pending") != 0 && strcmp(*state, "delivered") != 0 &&
	    strcmp(*state, "dead") != 0) {
		http_reply_error(req, 400, "bad_query",
				 "state: must be one of pending, delivered, dead");
		return -1;
	}
	return api_page_query(req, limit, before);
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
	api_reply_page(req, "deliveries", a, next);
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
		api_reply_not_stored(req, app, "the delivery was not queued again", NULL);
	else
		api_after_commit(req, app, reply_delivery, d, 202);
}

int api_webhooks_register(struct app *app)
{
	static const struct api_resource webhooks = {
		.base = "/v1/webhooks", .create = on_create, .list = on_list, .get = on_get,
		.del = on_delete,
		.items = {{"GET", "deliveries", on_deliveries},
			  {"GET", "deliveries/{id}", on_delivery},
			  {"POST", "deliveries/{id}/redeliver", on_redeliver}},
	};
	return api_resource_register(app, &webhooks);
}
