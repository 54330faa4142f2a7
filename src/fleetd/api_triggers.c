/* api_triggers.c -- the trigger routes: POST /v1/triggers, GET
 * /v1/triggers, GET/DELETE /v1/triggers/{id} and POST
 * /v1/triggers/{id}/pause|resume.
 *
 * Turns HTTP into triggers.h calls and back; owns no trigger state.  An
 * answer to a change is sent only after the turn's commit (http_suspend +
 * store_on_commit), so a 201 means the trigger is on disk; bad input is
 * refused before anything is written. */
#include <stdio.h>

#include "api_common.h"
#include "api_guard.h"
#include "app.h"
#include "config.h"
#include "http.h"
#include "job_filter.h"
#include "store.h"
#include "triggers.h"

#define HISTORY_DEFAULT 20

/* The trigger's answer once its change is committed (api_common.h);
 * id 0: a delete, 204. */
static void answer_trigger(struct http_req *req, struct app *app, int64_t id,
			   unsigned status)
{
	if (!id) {
		http_reply(req, 204, NULL, NULL, 0);
		return;
	}
	api_reply_created_json(req, status, "/v1/triggers", id,
			       triggers_answer(app->triggers, id, HISTORY_DEFAULT));
}

static void reply_after_commit(struct http_req *req, struct app *app, int64_t id,
			       unsigned status)
{
	api_after_commit(req, app, answer_trigger, id, status);
}

static void reply_db_error(struct http_req *req, struct app *app)
{
	api_reply_not_stored(req, app, "nothing was changed", "the change could not be stored");
}

static void on_create(struct http_req *req, void *arg)
{
	struct app *app = arg;
	json_t *body = api_json_body(req);
	if (!body)
		return;
	/* the template is copied into every job it makes: the job's cap */
	size_t size = json_dumpb(body, NULL, 0, JSON_COMPACT);
	if (size > (size_t)app->cfg->max_job_bytes) {
		http_reply_error(req, 413, "trigger_too_large",
				 "the trigger is %zu bytes written compactly; the limit is %lld "
				 "(--max-job-bytes)", size, (long long)app->cfg->max_job_bytes);
		json_decref(body);
		return;
	}
	char err[400];
	int64_t id = triggers_create(app->triggers, body, err, sizeof err);
	json_decref(body);
	if (id == 0)
		http_reply_error(req, 422, "invalid_trigger", "%s", err);
	else if (id < 0)
		reply_db_error(req, app);
	else
		reply_after_commit(req, app, id, 201);
}

static json_t *page(void *obj, int64_t after, int limit, int64_t *next)
{
	return triggers_list(obj, after, limit, next);
}

static void on_list(struct http_req *req, void *arg)
{
	struct app *app = arg;
	api_list_page(req, app, "triggers", page, app->triggers);
}

static void not_found(struct http_req *req, int64_t id)
{
	http_reply_error(req, 404, "not_found", "no trigger %lld", (long long)id);
}

static void on_get(struct http_req *req, void *arg)
{
	struct app *app = arg;
	int64_t id = http_param_id(req, 0), n = HISTORY_DEFAULT;
	const char *v;
	if ((v = http_query(req, "history")) &&
	    job_query_int(v, 1, TRIGGERS_HISTORY_MAX, &n) < 0) {
		http_reply_error(req, 400, "bad_query",
				 "history: must be an integer from 1 to %d", TRIGGERS_HISTORY_MAX);
		return;
	}
	api_read_committed(app);
	json_t *o = id > 0 ? triggers_answer(app->triggers, id, (int)n) : NULL;
	if (!o) {
		not_found(req, id);
		return;
	}
	http_reply_json(req, 200, o);
}

static void on_delete(struct http_req *req, void *arg)
{
	struct app *app = arg;
	int64_t id = http_param_id(req, 0);
	int rc = id > 0 ? triggers_delete(app->triggers, id) : 404;
	if (rc == 404)
		not_found(req, id);
	else if (rc < 0)
		reply_db_error(req, app);
	else
		reply_after_commit(req, app, 0, 204);
}

static void set_paused(struct http_req *req, struct app *app, int paused)
{
	int64_t id = http_param_id(req, 0);
	int rc = id > 0 ? triggers_set_paused(app->triggers, id, paused) : 404;
	if (rc == 404)
		not_found(req, id);
	else if (rc < 0)
		reply_db_error(req, app);
	else
		reply_after_commit(req, app, id, 200);
}

static void on_pause(struct http_req *req, void *arg)
{
	set_paused(req, arg, 1);
}

static void on_resume(struct http_req *req, void *arg)
{
	set_paused(req, arg, 0);
}

int api_triggers_register(struct app *app)
{
	static const struct api_resource triggers = {
		.base = "/v1/triggers", .create = on_create, .list = on_list, .get = on_get,
		.del = on_delete, .items = {{"POST", "pause", on_pause}, {"POST", "resume", on_resume}},
	};
	return api_resource_register(app, &triggers);
}
