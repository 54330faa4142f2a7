/* api_health.c -- GET and HEAD /healthz: liveness and readiness in one
 * JSON answer (HEAD: its headers alone, for probes that send HEAD).
 * Reads the other parts' public state; changes nothing.  Never requires
 * authentication (load balancers and systemd probes call it). */
#include <jansson.h>

#include "app.h"
#include "autoconf.h"
#include "clock.h"
#include "commit.h"
#include "engine.h"
#include "http.h"
#include "job_row.h"
#include "mirror.h"
#include "session.h"
#include "store.h"

/* The game session as seen from outside: state, since when, the watch and
 * the rhythm of getObjects.  Never the token or the password. */
static json_t *upstream_detail(struct app *app)
{
	if (!app->session)
		return json_pack("{s:s,s:b}", "state", "down", "configured", 0);
	const struct session_stats *st = session_get_stats(app->session);
	return json_pack("{s:s,s:b,s:b,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:s}",
			 "state", session_state_name(session_state(app->session)),
			 "configured", 1, "ready", app->mirror && mirror_ready(app->mirror),
			 "state_since_ms", (json_int_t)st->state_since_ms,
			 "next_poll_ms", (json_int_t)st->next_poll_ms,
			 "logins", (json_int_t)st->logins,
			 "full_loads", (json_int_t)st->full_loads,
			 "deltas", (json_int_t)st->deltas,
			 "watches_seen", (json_int_t)st->watches_seen,
			 "degraded_episodes", (json_int_t)st->degraded_episodes,
			 "last_error", st->last_error);
}

/* Can the database be written?  While not (a failed commit: disk full, an
 * I/O error), writes get 503 and the store is probed until it can. */
static json_t *storage_json(struct app *app)
{
	const struct store_health *h = store_get_health(app->store);
	json_t *o = json_pack("{s:s,s:I,s:I}", "state", h->available ? "ok" : "unavailable",
			      "failed_commits", (json_int_t)h->failed_commits,
			      "outages", (json_int_t)h->outages);
	if (o && !h->available) {
		json_object_set_new(o, "since_ms", json_integer(h->since_ms));
		json_object_set_new(o, "error", json_string(h->message));
		json_object_set_new(o, "retry_after_s",
				    json_integer(app->commit ? commit_retry_after_s(app->commit) : 1));
	}
	return o;
}

static json_t *watch_json(struct app *app)
{
	if (!app->mirror || !mirror_ready(app->mirror))
		return json_null();
	return json_real(mirror_watch(app->mirror));
}

/* Jobs by state, and how many are live in memory. */
static json_t *jobs_json(struct app *app)
{
	if (!app->engine)
		return json_null();
	uint64_t c[JOB_STATE_COUNT];
	engine_counts(app->engine, c);
	json_t *o = json_object();
	for (int i = 0; i < JOB_STATE_COUNT; i++)
		json_object_set_new(o, job_state_name(i), json_integer((json_int_t)c[i]));
	json_object_set_new(o, "live", json_integer((json_int_t)engine_live(app->engine)));
	return o;
}

static void on_healthz(struct http_req *req, void *arg)
{
	struct app *app = arg;
	json_t *body = json_pack("{s:s,s:s,s:I,s:i,s:s,s:o,s:o}",
				 "status", app->stopping ? "stopping" : "ok",
				 "version", PACKAGE_VERSION,
				 "uptime_ms", (json_int_t)(clock_now_ms() - app->started_ms),
				 "schema_version", store_schema_version(app->store),
				 "upstream", session_state_name(session_state(app->session)),
				 "upstream_detail", upstream_detail(app),
				 "watch", watch_json(app));
	json_object_set_new(body, "jobs", jobs_json(app));
	json_object_set_new(body, "storage", storage_json(app));
	http_reply_json(req, 200, body);
}

/* HEAD too: MHD sends the headers of the GET answer without its body. */
int api_health_register(struct app *app)
{
	if (http_route(app->http, "GET", "/healthz", on_healthz, app) < 0)
		return -1;
	return http_route(app->http, "HEAD", "/healthz", on_healthz, app);
}
