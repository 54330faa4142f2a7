/* api_schedules.c -- the schedule routes: POST /v1/schedules, GET
 * /v1/schedules, GET/DELETE /v1/schedules/{id} and POST
 * /v1/schedules/{id}/pause|resume.
 *
 * Turns HTTP into schedules.h calls and back; owns no schedule state.  A
 * schedule's job template is checked by the job routes' own validator
 * (api_common.h), so a template is refused exactly as POST /v1/jobs would
 * refuse it (422 invalid_job, its paths prefixed "job.").  Every change is
 * answered only after its commit. */
#include <stdio.h>
#include <stdlib.h>

#include "api_common.h"
#include "api_guard.h"
#include "app.h"
#include "clock.h"
#include "config.h"
#include "http.h"
#include "job_filter.h"
#include "jobspec.h"
#include "schedules.h"
#include "store.h"

#define HISTORY 20

static void reply_missing(struct http_req *req, int64_t id)
{
	http_reply_error(req, 404, "not_found", "no schedule %lld", (long long)id);
}

/* The schedule as GET shows it (with its recent firings). */
static void answer(struct http_req *req, struct app *app, int64_t id, unsigned status)
{
	int db_error;
	json_t *a = schedules_answer(app->schedules, id, HISTORY, &db_error);
	if (!a && !db_error)
		reply_missing(req, id);
	else
		api_reply_created_json(req, status, "/v1/schedules", id, a);
}

static void answer_deleted(struct http_req *req, struct app *app, int64_t id,
			   unsigned status)
{
	(void)app;
	(void)id;
	http_reply(req, status, NULL, "", 0);
}

/* A write that failed: the store is down (503) or broken (500). */
static void reply_not_stored(struct http_req *req, struct app *app)
{
	api_reply_not_stored(req, app, "nothing was changed", "the schedule could not be stored");
}

static void on_create(struct http_req *req, void *arg)
{
	struct app *app = arg;
	char err[300];
	struct sched_def d;
	json_t *body = api_json_body(req);
	if (!body)
		return;
	if (schedules_parse(body, clock_now_ms(), &d, err, sizeof err) < 0) {
		http_reply_error(req, 422, "invalid_schedule", "%s", err);
	} else if (!api_job_too_large(req, app, d.job) &&
		   !api_job_refused(req, app, d.job, "job.")) {
		int64_t id = schedules_create(app->schedules, &d);
		if (id < 0)
			reply_not_stored(req, app);
		else
			api_after_commit(req, app, answer, id, 201);
	}
	json_decref(body);
}

static json_t *page(void *obj, int64_t after, int limit, int64_t *next)
{
	return schedules_list(obj, after, limit, next);
}

static void on_list(struct http_req *req, void *arg)
{
	struct app *app = arg;
	api_list_page(req, app, "schedules", page, app->schedules);
}

static void on_get(struct http_req *req, void *arg)
{
	struct app *app = arg;
	api_read_committed(app);
	answer(req, app, http_param_id(req, 0), 200);
}

/* Pause, resume or delete: rc of schedules.h's verbs. */
static void changed(struct http_req *req, struct app *app, int64_t id, int rc,
		    api_answer_fn fn, unsigned status)
{
	if (rc == 404)
		reply_missing(req, id);
	else if (rc < 0)
		reply_not_stored(req, app);
	else
		api_after_commit(req, app, fn, id, status);
}

static void on_pause(struct http_req *req, void *arg)
{
	struct app *app = arg;
	int64_t id = http_param_id(req, 0);
	changed(req, app, id, id > 0 ? schedules_pause(app->schedules, id, 1) : 404, answer,
		200);
}

static void on_resume(struct http_req *req, void *arg)
{
	struct app *app = arg;
	int64_t id = http_param_id(req, 0);
	changed(req, app, id, id > 0 ? schedules_pause(app->schedules, id, 0) : 404, answer,
		200);
}

static void on_delete(struct http_req *req, void *arg)
{
	struct app *app = arg;
	int64_t id = http_param_id(req, 0);
	changed(req, app, id, id > 0 ? schedules_delete(app->schedules, id) : 404,
		answer_deleted, 204);
}

int api_schedules_register(struct app *app)
{
	static const struct api_resource schedules = {
		.base = "/v1/schedules", .create = on_create, .list = on_list, .get = on_get,
		.del = on_delete, .items = {{"POST", "pause", on_pause}, {"POST", "resume", on_resume}},
	};
	return api_resource_register(app, &schedules);
}
