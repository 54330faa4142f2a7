/* ops.c -- see ops.h.  Also the HTTP observer: one debug log line and the
 * metrics of every finished request (the server has one observer hook).
 * The log line names method, route pattern, path, status and duration;
 * never a header, query string or body, where secrets travel. */
#include "ops.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "api_guard.h"
#include "app.h"
#include "auth.h"
#include "autoconf.h"
#include "config.h"
#include "cors.h"
#include "hostcheck.h"
#include "http.h"
#include "log.h"
#include "loop.h"
#include "metrics.h"
#include "ops_collect.h"
#include "sse.h"
#include "store.h"

struct ops {
	struct app *app;
	struct api_guard guard;
	struct metrics *metrics;
	struct sse *sse; /* NULL without an event log */
	uint64_t seen_turns, seen_commits;
};

static void on_http_done(void *arg, const struct http_req *req,
			 unsigned status, int64_t ns)
{
	struct ops *ops = arg;
	const char *route = http_route_pattern(req);
	metrics_observe_http(ops->metrics, http_method(req), route, status, ns);
	if (!log_enabled(LOG_DEBUG))
		return;
	char qpath[300], qroute[200];
	log_debug("http request", "method=%s route=%s path=%s status=%u duration_ms=%.3f",
		  http_method(req), log_quote(qroute, sizeof qroute, route ? route : "-"),
		  log_quote(qpath, sizeof qpath, http_path(req)), status,
		  (double)ns / 1e6);
}

/* Feed the latency histograms from the loop's and the store's own
 * counters once per turn (they keep only the last value). */
static void on_turn_end(void *arg)
{
	struct ops *ops = arg;
	const struct loop_stats *ls = loop_get_stats(ops->app->loop);
	if (ls->turns != ops->seen_turns) {
		ops->seen_turns = ls->turns;
		metrics_observe_turn(ops->metrics, ls->last_turn_ns);
	}
	const struct store_stats *ss = store_get_stats(ops->app->store);
	if (ss->commits != ops->seen_commits) {
		ops->seen_commits = ss->commits;
		metrics_observe_commit(ops->metrics, ss->last_commit_ns);
	}
}

static void collect_core(void *arg, struct metrics_w *w)
{
	struct ops *ops = arg;
	struct app *app = ops->app;
	const char *ver[] = {"version", PACKAGE_VERSION, NULL};
	metrics_w_family(w, "fleetd_build_info", "gauge", "Always 1; the version as a label.");
	metrics_w_sample(w, NULL, 1, ver);
	const struct loop_stats *ls = loop_get_stats(app->loop);
	const struct store_stats *ss = store_get_stats(app->store);
	const struct store_health *sh = store_get_health(app->store);
	const struct metrics_scalar core[] = {
		{"fleetd_start_time_seconds", "gauge",
		 "Start time of the process since the epoch.", (double)app->started_ms / 1000.0},
		{"fleetd_http_connections_open", "gauge",
		 "Client connections open now (streams included).",
		 http_server_connections(app->http)},
		{"fleetd_http_connections_limit", "gauge",
		 "Soft cap on open connections; beyond it requests get 503.",
		 (double)app->cfg->max_connections},
		{"fleetd_http_requests_inflight", "gauge",
		 "Requests received and not yet completed.", http_server_inflight(app->http)},
		{"fleetd_loop_turns_total", "counter", "Turns of the select() loop.",
		 (double)ls->turns},
		{"fleetd_loop_timers_fired_total", "counter", "Loop timers fired.",
		 (double)ls->timers_fired},
		{"fleetd_loop_turn_max_seconds", "gauge", "Longest loop turn since start.",
		 (double)ls->max_turn_ns / 1e9},
		{"fleetd_loop_timers", "gauge", "Timers armed now.",
		 (double)loop_timer_count(app->loop)},
		{"fleetd_store_commits_total", "counter", "SQLite commits.", (double)ss->commits},
		{"fleetd_store_checkpoints_total", "counter",
		 "WAL checkpoints run (the WAL copied into the database file).",
		 (double)ss->checkpoints},
		{"fleetd_store_wal_frames", "gauge", "Pages in the WAL after the last commit.",
		 (double)ss->wal_frames},
		{"fleetd_store_available", "gauge",
		 "1 while the database can be written; 0 during a storage outage "
		 "(writes answered 503 storage_unavailable).",
		 sh->available ? 1 : 0},
		{"fleetd_store_commit_failures_total", "counter",
		 "Commits and storage probes that failed (all their changes rolled back).",
		 (double)sh->failed_commits},
		{"fleetd_store_outages_total", "counter",
		 "Times the database became unwritable (disk full, I/O error).",
		 (double)sh->outages},
	};
	metrics_w_scalars(w, core, sizeof core / sizeof core[0]);
	if (!ops->sse)
		return;
	struct sse_stats st;
	sse_get_stats(ops->sse, &st);
	const struct metrics_scalar sse[] = {
		{"fleetd_sse_clients", "gauge", "Open /v1/events streams.", st.clients},
		{"fleetd_sse_connects_total", "counter", "/v1/events streams opened.",
		 (double)st.connects},
		{"fleetd_sse_dropped_total", "counter",
		 "Streams cut off because the client fell too far behind.", (double)st.dropped},
		{"fleetd_sse_events_sent_total", "counter", "Events queued to streams.",
		 (double)st.events_sent},
	};
	metrics_w_scalars(w, sse, sizeof sse / sizeof sse[0]);
}

static int load_guard(struct ops *ops, const struct fleetd_config *cfg,
		      char *err, size_t errlen)
{
	if (cfg->api_token_file &&
	    !(ops->guard.auth = auth_load(cfg->api_token_file, err, errlen)))
		return -1;
	ops->guard.cors = cors_new(cfg->cors_origins.v, cfg->cors_origins.n);
	ops->guard.hosts = hostcheck_new(cfg->listen_host, cfg->allowed_hosts.v,
					 cfg->allowed_hosts.n);
	if (!ops->guard.cors || !ops->guard.hosts) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int ops_load(struct app *app, char *err, size_t errlen)
{
	struct ops *ops = calloc(1, sizeof *ops);
	if (!ops) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	app->ops = ops;
	ops->app = app;
	return load_guard(ops, app->cfg, err, errlen);
}

int ops_start(struct app *app, char *err, size_t errlen)
{
	struct ops *ops = app->ops;
	if (!(ops->metrics = metrics_new()) ||
	    metrics_register(ops->metrics, app->http) < 0 ||
	    metrics_add_collector(ops->metrics, collect_core, ops) < 0 ||
	    loop_add_turn_hook(app->loop, on_turn_end, ops) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (metrics_add_collector(ops->metrics, ops_collect_parts, app) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (app->eventlog) {
		if (!(ops->sse = sse_new(app->loop, app->eventlog, NULL)) ||
		    sse_register(ops->sse, app->http) < 0) {
			snprintf(err, errlen, "cannot set up /v1/events");
			return -1;
		}
	}
	app->metrics = ops->metrics;
	ops->guard.commit = app->commit;
	api_guard_install(app->http, &ops->guard);
	http_set_observer(app->http, on_http_done, ops);
	log_info("api guard", "auth=%s cors_origins=%zu allowed_hosts=%zu",
		 ops->guard.auth ? "bearer" : "off", app->cfg->cors_origins.n,
		 app->cfg->allowed_hosts.n);
	return 0;
}

void ops_shutdown(struct app *app)
{
	if (app->ops)
		sse_shutdown(app->ops->sse);
}

void ops_free(struct app *app)
{
	struct ops *ops = app->ops;
	if (!ops)
		return;
	auth_free(ops->guard.auth);
	cors_free(ops->guard.cors);
	hostcheck_free(ops->guard.hosts);
	metrics_free(ops->metrics);
	sse_free(ops->sse);
	app->metrics = NULL;
	app->ops = NULL;
	free(ops);
}
