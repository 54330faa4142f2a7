/* api_jobs.c -- the job routes: POST /v1/jobs, GET /v1/jobs,
 * GET /v1/jobs/{id}, GET /v1/jobs/{id}/events and POST
 * /v1/jobs/{id}/cancel|pause|resume|retry.
 *
 * Turns HTTP into engine calls and back; owns no job state.  Every answer
 * to a request that changed something is sent only after the turn's
 * commit (http_suspend + store_on_commit), so a 201 means the job is on
 * disk.  Bad input is refused before anything is written.  When the
 * store cannot be written (a full disk: commit.h) a change is answered 503
 * storage_unavailable with Retry-After -- refused at the door by the
 * guard, or after the commit that failed, when nothing of it was kept. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_common.h"
#include "api_galaxy.h"
#include "api_guard.h"
#include "app.h"
#include "clock.h"
#include "config.h"
#include "engine.h"
#include "group.h"
#include "eventlog.h"
#include "http.h"
#include "job_answer.h"
#include "job_filter.h"
#include "job_read.h"
#include "job_retry.h"
#include "job_row.h"
#include "jobspec.h"
#include "json_canon.h"
#include "jsonx.h"
#include "mirror.h"
#include "step_world.h"
#include "store.h"

#define LIST_DEFAULT 100
#define LIST_MAX 1000
#define IDEM_MAX 200
#define JSON_TYPE "application/json; charset=utf-8"

/* The answer of a committed change: the job as GET shows it. */
static void answer_job(struct http_req *req, struct app *app, int64_t id, unsigned status)
{
	size_t len = 0;
	const char *job = jobread_text(engine_reads(app->engine), id, &len);
	api_reply_created(req, status, "/v1/jobs", id, job, len);
}

/* Answer with the job once the current transaction is committed. */
static void reply_after_commit(struct http_req *req, struct app *app, int64_t id,
			       unsigned status)
{
	api_after_commit(req, app, answer_job, id, status);
}

/* --- POST /v1/jobs --------------------------------------------------------- */

static int idem_key_ok(const char *k)
{
	size_t n = strlen(k);
	if (n == 0 || n > IDEM_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)k[i] < 0x21 || (unsigned char)k[i] > 0x7e)
			return 0;
	return 1;
}

static const char SQL_IDEM[] = "SELECT id, idem_body FROM jobs WHERE idem_key = ?1";

/* 1 if the key was seen (answered here), 0 if new, -1 on error (answered). */
static int idem_lookup(struct http_req *req, struct app *app, const char *key,
		       const char *body)
{
	sqlite3_stmt *s = store_stmt(app->store, SQL_IDEM);
	if (!s) {
		http_reply_error(req, 500, "store_failed", "cannot read the jobs table");
		return -1;
	}
	sqlite3_bind_text(s, 1, key, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_reset(s);
		return 0;
	}
	int64_t id = sqlite3_column_int64(s, 0);
	const char *prev = (const char *)sqlite3_column_text(s, 1);
	int same = prev && strcmp(prev, body) == 0;
	sqlite3_reset(s);
	if (!same) {
		http_reply_error(req, 422, "idempotency_mismatch",
				 "Idempotency-Key was already used for job %lld with a "
				 "different body", (long long)id);
		return -1;
	}
	reply_after_commit(req, app, id, 200);
	return 1;
}

/* 409 code (fleet_busy, world_busy): msg names what is held and by
 * whom; the holder's id is a field of the error too. */
static void reply_held(struct http_req *req, const char *code, const char *msg,
		       int64_t holder)
{
	json_t *b = jsonx_error(code, msg);
	json_object_set_new(json_object_get(b, "error"), "holder", json_integer(holder));
	http_reply_json(req, 409, b);
}

/* 409: the fleet (or a world job's world) is held by another live job. */
static void reply_busy(struct http_req *req, const json_t *spec, int64_t holder)
{
	char msg[160];
	const json_t *world = json_object_get(spec, "world");
	const char *what = world ? "world" : "fleet";
	snprintf(msg, sizeof msg, "%s %lld is held by job %lld", what,
		 (long long)json_integer_value(world ? world
						     : json_object_get(spec, "fleet")),
		 (long long)holder);
	reply_held(req, world ? "world_busy" : "fleet_busy", msg, holder);
}

/* With an Idempotency-Key: checks the key and sets *canon to the body's
 * canonical text (the caller frees it).  Returns 1 when the request was
 * answered here (a bad key, a replay, a mismatch, an error), 0 to go on.
 * The key is looked up before the body is checked against the job
 * language or the galaxy: a replay answers the original job whatever
 * changed since (its fleet disbanded by the job itself, a start_at now
 * past), so a client retrying after a lost answer is never told no. */
static int idem_replayed(struct http_req *req, struct app *app, const char *key,
			 const json_t *body, char **canon)
{
	*canon = NULL;
	if (!key)
		return 0;
	if (!idem_key_ok(key)) {
		http_reply_error(req, 400, "bad_idempotency_key",
				 "Idempotency-Key must be 1 to %d printable ASCII characters",
				 IDEM_MAX);
		return 1;
	}
	*canon = json_canon_text(body, NULL);
	if (!*canon) {
		http_reply_error(req, 503, "overloaded", "out of memory");
		return 1;
	}
	return idem_lookup(req, app, key, *canon) != 0;
}

/* --- POST /v1/jobs with `fleets`: a group (group.h) ---------------------- */

/* 409: fleets of the group are held by live jobs.  The body lists every
 * one (`holders`: [{"fleet", "job"}]); the message names the first few. */
static void reply_group_busy(struct http_req *req, const int64_t *fleets,
			     const int64_t *holders, size_t n)
{
	struct textbuf msg = {0};
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++)
		if (holders[i])
			json_array_append_new(list, json_pack("{s:I,s:I}", "fleet",
							      (json_int_t)fleets[i], "job",
							      (json_int_t)holders[i]));
	group_busy_text(&msg, fleets, holders, n, GROUP_BUSY_NAMED);
	textbuf_puts(&msg, "; nothing was stored");
	size_t len;
	char *text = textbuf_take(&msg, &len);
	json_t *b = jsonx_error("fleet_busy", text ? text : "fleets of the group are held");
	free(text);
	json_object_set_new(json_object_get(b, "error"), "holders", list);
	http_reply_json(req, 409, b);
}

static int64_t fleet_holder(void *arg, int64_t fleet)
{
	return engine_fleet_holder(arg, fleet);
}

/* Resolve the group's fleets and store it: 201 with the parent once every
 * row is committed; 409 naming the holders; 422 for a filter that
 * matches nothing (or too many); 503 while a filter cannot be resolved. */
static void submit_group(struct http_req *req, struct app *app, const json_t *body,
			 const char *key, const char *canon)
{
	char err[300];
	const json_t *fleets = json_object_get(body, "fleets");
	if (group_is_filter(fleets) && !api_galaxy_mirror(app, req))
		return;
	int64_t *ids = NULL, *holders = NULL;
	long n = group_resolve(fleets, app->mirror, fleet_holder, app->engine, &ids, err,
			       sizeof err);
	if (n < 0) {
		http_reply_error(req, 422, "invalid_job", "%s", err);
		return;
	}
	holders = calloc((size_t)n, sizeof *holders);
	struct engine_submit_opts o = {.idem_key = key, .idem_body = canon};
	int64_t id = holders ? engine_submit_group(app->engine, body, ids, (size_t)n, &o,
						   holders) : -1;
	if (id == 0)
		reply_group_busy(req, ids, holders, (size_t)n);
	else if (id < 0)
		api_reply_not_stored(req, app, "the group was not stored",
				     "the group could not be stored");
	else
		reply_after_commit(req, app, id, 201);
	free(ids);
	free(holders);
}

static void on_submit(struct http_req *req, void *arg)
{
	struct app *app = arg;
	json_t *body = api_json_body(req);
	if (!body)
		return;
	const char *key = http_header(req, "Idempotency-Key");
	char *canon = NULL;
	/* a replay answers the original job before anything else is checked */
	if (idem_replayed(req, app, key, body, &canon) || api_job_too_large(req, app, body) ||
	    api_job_refused(req, app, body, "")) {
		free(canon);
		json_decref(body);
		return;
	}
	if (json_object_get(body, "fleets")) {
		submit_group(req, app, body, key, canon);
		free(canon);
		json_decref(body);
		return;
	}
	int64_t holder = 0;
	/* the key's canonical body is the spec's text too: written once */
	struct engine_submit_opts o = {.idem_key = key, .idem_body = canon, .spec_text = canon};
	int64_t id = engine_submit(app->engine, body, &o, &holder);
	free(canon);
	if (id == 0) {
		reply_busy(req, body, holder);
	} else if (id < 0) {
		api_reply_not_stored(req, app, "the job was not stored",
				     "the job could not be stored");
	} else {
		reply_after_commit(req, app, id, 201);
	}
	json_decref(body);
}

/* --- reading --------------------------------------------------------------- */

static const char *query_of(void *arg, const char *name)
{
	return http_query(arg, name);
}

static void on_list(struct http_req *req, void *arg)
{
	struct app *app = arg;
	int64_t after, limit;
	char err[300];
	struct job_filters f;
	if (job_filters_read(&f, query_of, req, err, sizeof err) < 0) {
		http_reply_error(req, 400, "bad_query", "%s", err);
		return;
	}
	if (api_page_query(req, &limit, &after) < 0)
		return;
	int64_t next = 0;
	size_t len;
	api_read_committed(app);
	char *jobs = jobread_list(engine_reads(app->engine), &f, after, (int)limit,
				  (size_t)app->cfg->max_page_bytes, &next, &len);
	struct textbuf body = {0};
	textbuf_puts(&body, "{\"jobs\":");
	textbuf_put(&body, jobs ? jobs : "[]", jobs ? len : 2);
	textbuf_puts(&body, ",\"next_cursor\":");
	if (next) {
		char c[32];
		snprintf(c, sizeof c, "\"%lld\"", (long long)next);
		textbuf_puts(&body, c);
	} else {
		textbuf_puts(&body, "null");
	}
	textbuf_put(&body, "}", 1);
	free(jobs);
	char *text = jobs ? textbuf_take(&body, &len) : NULL;
	if (!text) {
		textbuf_free(&body);
		http_reply_error(req, 500, "store_failed", "cannot read the jobs table");
		return;
	}
	http_reply(req, 200, JSON_TYPE, text, len);
	free(text);
}

static void on_get(struct http_req *req, void *arg)
{
	struct app *app = arg;
	int64_t id = http_param_id(req, 0);
	size_t len = 0;
	/* a cached answer is committed state; only a miss reads the row */
	const char *job = id > 0 ? jobread_cached(engine_reads(app->engine), id, &len) : NULL;
	if (!job && id > 0) {
		api_read_committed(app);
		job = jobread_text(engine_reads(app->engine), id, &len);
	}
	if (!job) {
		http_reply_error(req, 404, "not_found", "no job %lld", (long long)id);
		return;
	}
	http_reply(req, 200, JSON_TYPE, job, len);
}

static void on_events(struct http_req *req, void *arg)
{
	struct app *app = arg;
	int64_t id = http_param_id(req, 0), after = 0, limit = LIST_DEFAULT;
	const char *v;
	api_read_committed(app);
	if (id <= 0 || !jobread_exists(engine_reads(app->engine), id)) {
		http_reply_error(req, 404, "not_found", "no job %lld", (long long)id);
		return;
	}
	if ((v = http_query(req, "after")) && job_query_int(v, 0, INT64_MAX, &after) < 0) {
		http_reply_error(req, 400, "bad_query", "after: must be an event id");
		return;
	}
	if ((v = http_query(req, "limit")) && job_query_int(v, 1, LIST_MAX, &limit) < 0) {
		http_reply_error(req, 400, "bad_query", "limit: must be an integer from 1 to %d",
				 LIST_MAX);
		return;
	}
	int more = 0;
	json_t *evs = eventlog_page(app->eventlog, after, id, (int)limit,
				    (size_t)app->cfg->max_page_bytes, &more);
	if (!evs) {
		http_reply_error(req, 500, "store_failed", "cannot read the events table");
		return;
	}
	size_t n = json_array_size(evs);
	json_t *next = more && n
		? json_integer(json_integer_value(json_object_get(json_array_get(evs, n - 1), "id")))
		: json_null();
	http_reply_json(req, 200, json_pack("{s:I,s:o,s:o}", "job_id", (json_int_t)id,
					    "events", evs, "next_after", next));
}

/* --- control ---------------------------------------------------------------- */

static void control(struct http_req *req, struct app *app, enum engine_ctl ctl)
{
	char err[200];
	int64_t id = http_param_id(req, 0);
	int rc = id > 0 ? engine_control(app->engine, id, ctl, err, sizeof err) : 404;
	if (id <= 0)
		snprintf(err, sizeof err, "no job %lld", (long long)id);
	if (rc == 404)
		http_reply_error(req, 404, "not_found", "%s", err);
	else if (rc == 409)
		http_reply_error(req, 409, "conflict", "%s", err);
	else if (rc < 0)
		api_reply_not_stored(req, app, "nothing was changed",
				     "the change could not be stored");
	else
		reply_after_commit(req, app, id, rc == 202 ? 202 : 200);
}

static void on_cancel(struct http_req *req, void *arg)
{
	control(req, arg, CTL_CANCEL);
}

static void on_pause(struct http_req *req, void *arg)
{
	control(req, arg, CTL_PAUSE);
}

static void on_resume(struct http_req *req, void *arg)
{
	control(req, arg, CTL_RESUME);
}

/* --- retry ------------------------------------------------------------------ */

/* A retry takes no fields: its body is empty, or a JSON object with
 * nothing in it.  1 if answered (415, 400, 422). */
static int retry_body_refused(struct http_req *req)
{
	size_t len;
	const char *buf = http_body(req, &len);
	if (!buf || len == 0)
		return 0;
	json_t *body = api_json_body(req);
	if (!body)
		return 1;
	int refused = 1;
	if (!json_is_object(body))
		http_reply_error(req, 422, "invalid_request",
				 "the body must be empty or {}: a retry takes no fields");
	else if (json_object_size(body))
		http_reply_error(req, 422, "invalid_request",
				 "%s: unknown field (a retry takes no fields)",
				 json_object_iter_key(json_object_iter(body)));
	else
		refused = 0;
	json_decref(body);
	return refused;
}

static void on_retry(struct http_req *req, void *arg)
{
	struct app *app = arg;
	int64_t id = http_param_id(req, 0), holder = 0, made = 0;
	if (id <= 0) {
		http_reply_error(req, 404, "not_found", "no job %lld", (long long)id);
		return;
	}
	if (retry_body_refused(req))
		return;
	/* the key's request is this route on this job: the same key sent
	 * again answers the same new job, whatever the old one's state */
	const char *key = http_header(req, "Idempotency-Key");
	char canon[64];
	snprintf(canon, sizeof canon, "POST /v1/jobs/%lld/retry", (long long)id);
	if (key && !idem_key_ok(key)) {
		http_reply_error(req, 400, "bad_idempotency_key",
				 "Idempotency-Key must be 1 to %d printable ASCII characters",
				 IDEM_MAX);
		return;
	}
	if (key && idem_lookup(req, app, key, canon) != 0)
		return;
	char err[200];
	switch (job_retry(app->engine, id, key, key ? canon : NULL, &made, &holder, err,
			  sizeof err)) {
	case RETRY_CREATED:
		reply_after_commit(req, app, made, 201);
		break;
	case RETRY_NOT_FOUND:
		http_reply_error(req, 404, "not_found", "%s", err);
		break;
	case RETRY_NOT_FAILED:
		http_reply_error(req, 409, "not_failed", "%s", err);
		break;
	case RETRY_GROUP:
		http_reply_error(req, 409, "is_group", "%s", err);
		break;
	case RETRY_FLEET_BUSY:
		reply_held(req, "fleet_busy", err, holder);
		break;
	case RETRY_WORLD_BUSY:
		reply_held(req, "world_busy", err, holder);
		break;
	case RETRY_ERROR:
		api_reply_not_stored(req, app, "the retry was not stored", err);
		break;
	}
}

int api_jobs_register(struct app *app)
{
	static const struct api_resource jobs = {
		.base = "/v1/jobs", .create = on_submit, .list = on_list, .get = on_get,
		.items = {{"GET", "events", on_events}, {"POST", "cancel", on_cancel},
			  {"POST", "pause", on_pause}, {"POST", "resume", on_resume},
			  {"POST", "retry", on_retry}},
	};
	return api_resource_register(app, &jobs);
}
