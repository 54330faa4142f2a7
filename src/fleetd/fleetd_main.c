/* fleetd_main.c -- start-up and shutdown of fleetd: parse the settings,
 * open the store, wire the parts to one loop, run, and on SIGTERM/SIGINT
 * stop accepting, let in-flight requests finish, commit and exit 0.
 * Owns the lifetime of every part; contains no logic of its own. */
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "clock.h"
#include "commit.h"
#include "config.h"
#include "engine.h"
#include "eventlog.h"
#include "http.h"
#include "log.h"
#include "loop.h"
#include "mirror.h"
#include "mirror_events.h"
#include "ops.h"
#include "retention.h"
#include "schema.h"
#include "schedules.h"
#include "session.h"
#include "signals.h"
#include "triggers.h"
#include "upstream.h"
#include "webhook_send.h"
#include "webhooks.h"

static void on_signal(int signo, void *arg)
{
	struct app *app = arg;
	if (signo == SIGHUP)
		return;
	if (!app->stopping)
		log_info("shutting down", "signal=%d", signo);
	app->stopping = 1;
	http_server_quiesce(app->http);
	ops_shutdown(app);
}

static int run(struct app *app)
{
	while (!app->stopping)
		if (loop_run_once(app->loop, -1) < 0)
			return -1;
	/* graceful: no new connections; finish what is in flight */
	int64_t deadline = clock_now_ms() + app->cfg->shutdown_grace * 1000;
	while (http_server_inflight(app->http) > 0 && clock_now_ms() < deadline)
		if (loop_run_once(app->loop, 50) < 0)
			return -1;
	if (http_server_inflight(app->http) > 0)
		log_warn("shutdown grace over", "inflight=%u",
			 http_server_inflight(app->http));
	return store_commit(app->store);
}

/* rc of an API module's registration: -1 with err when a route is
 * missing, for fleetd must not serve part of its API. */
static int routes_added(int rc, char *err, size_t errlen)
{
	if (rc < 0)
		snprintf(err, errlen, "out of memory registering the API's routes");
	return rc < 0 ? -1 : 0;
}

/* Webhooks: the outbox tapped from the event log, and its sender. */
static int start_webhooks(struct app *app, char *err, size_t errlen)
{
	if (!(app->webhooks = webhooks_new(app->store, app->eventlog,
					   app->cfg->webhook_max_age * 1000))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (webhooks_load(app->webhooks, err, errlen) < 0 ||
	    !(app->webhook_send = webhook_send_new(app->loop, app->webhooks, err, errlen)))
		return -1;
	/* delivered rows age out with --retain-days */
	if (retention_add(app->retention, webhooks_prune, app->webhooks) < 0) {
		snprintf(err, errlen, "too many retention pruners");
		return -1;
	}
	return routes_added(api_webhooks_register(app), err, errlen);
}

/* --retain-days in ms (at least 1 for any N > 0); 0 keeps everything. */
static int64_t retain_ms(double days)
{
	int64_t ms = (int64_t)(days * 86400000.0);
	return days > 0 && ms < 1 ? 1 : ms;
}

/* The event log and the job engine: every live job is back in memory
 * (timers armed, conditions indexed) before the first request is served. */
static int start_jobs(struct app *app, char *err, size_t errlen)
{
	if (!(app->eventlog = eventlog_new(app->store)) ||
	    !(app->engine = engine_new(app))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (engine_load(app->engine, err, errlen) < 0 ||
	    engine_attach_mirror(app->engine) < 0)
		return -1;
	if (app->mirror &&
	    !(app->mirror_events = mirror_events_new(app->mirror, app->eventlog))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (!(app->triggers = triggers_new(app, err, errlen)))
		return -1;
	if (routes_added(api_jobs_register(app), err, errlen) < 0 ||
	    routes_added(api_queues_register(app), err, errlen) < 0)
		return -1;
	if (!(app->schedules = schedules_new(app)) ||
	    schedules_load(app->schedules, err, errlen) < 0 ||
	    schedules_attach_mirror(app->schedules) < 0) {
		if (!app->schedules)
			snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (routes_added(api_schedules_register(app), err, errlen) < 0 ||
	    routes_added(api_triggers_register(app), err, errlen) < 0)
		return -1;
	/* after the group commit's idle hook (start()), so a sweep finds the
	 * turn's work committed */
	if (!(app->retention = retention_new(app->loop, app->store,
					     engine_reads(app->engine),
					     retain_ms(app->cfg->retain_days))) ||
	    retention_add(app->retention, triggers_prune, app->triggers) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (retention_add(app->retention, schedules_prune, app->schedules) < 0) {
		snprintf(err, errlen, "too many retention pruners");
		return -1;
	}
	return start_webhooks(app, err, errlen);
}

/* The game: mirror, upstream client and session, only with --upstream. */
static int start_game(struct app *app, char *err, size_t errlen)
{
	const struct fleetd_config *cfg = app->cfg;
	if (!cfg->upstream)
		return 0;
	struct upstream_config uc = {.base_url = cfg->upstream, .rate = cfg->rate};
	struct session_config sc = {.username = cfg->username,
				    .password_file = cfg->password_file,
				    .game = cfg->game};
	if (!(app->mirror = mirror_new())) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (!(app->upstream = upstream_new(app->loop, &uc, err, errlen)) ||
	    !(app->session = session_new(app->loop, app->upstream, app->mirror, &sc,
					 err, errlen)))
		return -1;
	return session_start(app->session);
}

static int start(struct app *app, char *err, size_t errlen)
{
	const struct fleetd_config *cfg = app->cfg;
	app->started_ms = clock_now_ms();
	if (!(app->loop = loop_new())) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (ops_load(app, err, errlen) < 0) /* secrets first: fail before the db */
		return -1;
	if (!(app->store = store_open(cfg->db, err, errlen)))
		return -1;
	/* the group commit, and the probes of a storage outage */
	if (!(app->commit = commit_new(app->loop, app->store))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	struct http_config hc = {
		.listen = cfg->listen,
		.conn_limit = (unsigned)cfg->max_connections,
		.per_ip_limit = (unsigned)cfg->max_connections_per_ip,
		.body_limit = (size_t)cfg->max_body,
		.conn_timeout_s = (unsigned)cfg->conn_timeout,
		.conn_memory_limit = 16384,
		.reserved_path = "/healthz",
	};
	if (!(app->http = http_server_new(app->loop, &hc, err, errlen)))
		return -1;
	if (routes_added(api_health_register(app), err, errlen) < 0 ||
	    routes_added(api_mirror_register(app), err, errlen) < 0 ||
	    routes_added(api_readmodel_register(app), err, errlen) < 0)
		return -1;
	if (api_web_register(app, err, errlen) < 0)
		return -1;
	if (start_game(app, err, errlen) < 0 || start_jobs(app, err, errlen) < 0)
		return -1;
	if (ops_start(app, err, errlen) < 0) /* after the parts it reports on */
		return -1;
	if (signals_install(app->loop, on_signal, app) < 0) {
		snprintf(err, errlen, "cannot set up signal handling");
		return -1;
	}
	log_info("listening", "host=%s port=%d db=%s", cfg->listen_host,
		 http_server_port(app->http), cfg->db);
	return 0;
}

static void stop(struct app *app)
{
	/* commit (and run the commit callbacks) while every part is alive: a
	 * callback may touch the engine, the event log or the session */
	if (app->store) {
		store_commit(app->store);
		if (store_in_tx(app->store))
			store_commit(app->store);
	}
	session_free(app->session);
	upstream_free(app->upstream);
	mirror_free(app->mirror);
	mirror_events_free(app->mirror_events); /* after the mirror it listens to */
	http_server_free(app->http);
	schedules_free(app->schedules); /* before the engine it submits to */
	triggers_free(app->triggers); /* before the engine it submits to */
	retention_free(app->retention);
	engine_free(app->engine);
	webhook_send_free(app->webhook_send);
	webhooks_free(app->webhooks);
	eventlog_free(app->eventlog);
	ops_free(app); /* after the server: stream callbacks run as it stops */
	store_close(app->store);
	commit_free(app->commit);
	loop_free(app->loop);
}

/* glibc serves a block above its mmap threshold (128 KiB at first) from a
 * mapping of its own, unmapped when freed, and raises the threshold only
 * when such a block is freed.  The scan of each watch's answer takes a few
 * blocks sized from the answer (a few hundred KB for a delta) and frees them
 * after the merge, and the answer's own block is kept for the next watch
 * (upstream.c), so the threshold stayed at 128 KiB and every watch mapped
 * the scan's blocks afresh and took a page fault per page touched (16 in
 * the arrival watch of bench/arrival_profile.py).  Fixed at 1 MiB, both
 * thresholds keep such blocks in the heap from watch to watch, while a
 * block of a full answer (24 MB) is still mapped and given back, and so is
 * more than 1 MiB free at the heap's top. */
#define HEAP_BLOCK_LIMIT (1024 * 1024)

static void heap_settings(void)
{
#if defined(M_MMAP_THRESHOLD) && defined(M_TRIM_THRESHOLD)
	mallopt(M_MMAP_THRESHOLD, HEAP_BLOCK_LIMIT);
	mallopt(M_TRIM_THRESHOLD, HEAP_BLOCK_LIMIT);
#endif
}

int main(int argc, char **argv)
{
	heap_settings();
	struct fleetd_config cfg;
	char err[512];
	int rc = config_parse(&cfg, argc, argv, stdout, err, sizeof err);
	if (rc != 0) {
		if (rc == 2)
			fprintf(stderr, "fleetd: %s\n", err);
		config_free(&cfg);
		return rc == 1 ? 0 : 2;
	}
	log_set_level(cfg.log_level_value);
	struct app app;
	memset(&app, 0, sizeof app);
	app.cfg = &cfg;
	rc = 0;
	if (start(&app, err, sizeof err) < 0) {
		fprintf(stderr, "fleetd: %s\n", err);
		rc = 1;
	} else if (run(&app) < 0) {
		log_error("loop failed", NULL);
		rc = 1;
	}
	stop(&app);
	config_free(&cfg);
	if (rc == 0)
		log_info("stopped", NULL);
	return rc;
}
