/* ops_collect.c -- /metrics collectors for the parts owned elsewhere: the
 * job engine, retention, triggers, the upstream client and the game
 * session.  Each reads its
 * part's public accessors at scrape time and changes nothing; a part that
 * is not running (no --upstream) is simply left out. */
#include "ops_collect.h"

#include <stddef.h>
#include <stdio.h>

#include "app.h"
#include "engine.h"
#include "job_row.h"
#include "metrics.h"
#include "retention.h"
#include "session.h"
#include "triggers.h"
#include "upstream.h"

static void collect_engine(const struct engine *e, struct metrics_w *w)
{
	uint64_t counts[JOB_STATE_COUNT] = {0};
	engine_counts(e, counts);
	metrics_w_family(w, "fleetd_jobs", "gauge", "Jobs by state.");
	for (int s = 0; s < JOB_STATE_COUNT; s++) {
		const char *l[] = {"state", job_state_name(s), NULL};
		metrics_w_sample(w, NULL, (double)counts[s], l);
	}
	const struct metrics_scalar v[] = {
		{"fleetd_job_transitions_total", "counter", "Job state changes since start.",
		 (double)engine_transitions(e)},
		{"fleetd_jobs_live", "gauge",
		 "Live jobs held in memory (queued, running, waiting, paused).",
		 (double)engine_live(e)},
		{"fleetd_job_conditions_waiting", "gauge",
		 "Jobs waiting on a game-state condition.",
		 (double)engine_waiting_conditions(e)},
		{"fleetd_job_condition_evaluations_total", "counter",
		 "Waiting conditions judged because an object they name changed.",
		 (double)engine_cond_evaluations(e)},
	};
	metrics_w_scalars(w, v, sizeof v / sizeof v[0]);
}

static void endpoint_counter(struct metrics_w *w, const struct upstream_stats *us,
			     const char *name, const char *help, size_t offset)
{
	metrics_w_family(w, name, "counter", help);
	for (size_t i = 0; i < us->nendpoints; i++) {
		const struct upstream_endpoint_stats *ep = &us->endpoints[i];
		const char *l[] = {"endpoint", ep->name, NULL};
		uint64_t v = *(const uint64_t *)((const char *)ep + offset);
		metrics_w_sample(w, NULL, (double)v, l);
	}
}

static void collect_upstream(const struct upstream *u, struct metrics_w *w)
{
	const struct upstream_stats *us = upstream_get_stats(u);
	endpoint_counter(w, us, "fleetd_upstream_calls_total",
			 "HTTP attempts to the game API, by endpoint.",
			 offsetof(struct upstream_endpoint_stats, calls));
	endpoint_counter(w, us, "fleetd_upstream_retries_total",
			 "Attempts that were resends after a transient fault.",
			 offsetof(struct upstream_endpoint_stats, retries));
	metrics_w_family(w, "fleetd_upstream_errors_total", "counter",
			 "Failed attempts, by endpoint and kind (game error, transient "
			 "fault, ambiguous outcome).");
	for (size_t i = 0; i < us->nendpoints; i++) {
		const struct upstream_endpoint_stats *ep = &us->endpoints[i];
		const char *g[] = {"endpoint", ep->name, "kind", "game", NULL};
		const char *t[] = {"endpoint", ep->name, "kind", "transient", NULL};
		const char *a[] = {"endpoint", ep->name, "kind", "ambiguous", NULL};
		metrics_w_sample(w, NULL, (double)ep->game_errors, g);
		metrics_w_sample(w, NULL, (double)ep->transient, t);
		metrics_w_sample(w, NULL, (double)ep->ambiguous, a);
	}
	metrics_w_family(w, "fleetd_upstream_latency_seconds", "histogram",
			 "Time of one attempt to the game API, by endpoint.");
	for (size_t i = 0; i < us->nendpoints; i++) {
		const struct upstream_endpoint_stats *ep = &us->endpoints[i];
		const char *l[] = {"endpoint", ep->name, NULL};
		metrics_w_histogram(w, l, upstream_latency_bounds, ep->latency,
				    UPSTREAM_LATENCY_BUCKETS - 1,
				    ep->latency[UPSTREAM_LATENCY_BUCKETS - 1],
				    ep->latency_sum_s);
	}
	const struct metrics_scalar v[] = {
		{"fleetd_upstream_queued", "gauge",
		 "Calls waiting (rate limit, backoff, free slot).", (double)us->queued},
		{"fleetd_upstream_inflight", "gauge", "Transfers running.", (double)us->inflight},
		{"fleetd_upstream_throttled_total", "counter",
		 "Times a call waited for the rate limit.", (double)us->throttled},
	};
	metrics_w_scalars(w, v, sizeof v / sizeof v[0]);
}

static void collect_session(const struct session *s, struct metrics_w *w)
{
	const struct session_stats *ss = session_get_stats(s);
	metrics_w_family(w, "fleetd_getobjects_total", "counter",
			 "getObjects answers merged into the mirror, full or delta.");
	const char *full[] = {"kind", "full", NULL}, *delta[] = {"kind", "delta", NULL};
	metrics_w_sample(w, NULL, (double)ss->full_loads, full);
	metrics_w_sample(w, NULL, (double)ss->deltas, delta);
	const struct metrics_scalar v[] = {
		{"fleetd_watches_total", "counter", "Game watches seen since the first.",
		 (double)ss->watches_seen},
		{"fleetd_getobjects_per_watch", "gauge",
		 "Delta getObjects per watch seen (1 when healthy).",
		 ss->watches_seen ? (double)ss->deltas / (double)ss->watches_seen : 0},
		{"fleetd_session_logins_total", "counter",
		 "Successful logins to the game, re-logins included.", (double)ss->logins},
		{"fleetd_session_actions_total", "counter",
		 "Game actions answered (any outcome).", (double)ss->actions},
	};
	metrics_w_scalars(w, v, sizeof v / sizeof v[0]);
}

static void collect_retention(const struct retention *r, struct metrics_w *w)
{
	const struct retention_stats *rs = retention_get_stats(r);
	metrics_w_family(w, "fleetd_retention_deleted_total", "counter",
			 "Rows deleted by --retain-days: ended jobs, events, and the rows "
			 "other modules age out (webhook deliveries).");
	const char *jobs[] = {"rows", "jobs", NULL}, *events[] = {"rows", "events", NULL},
		   *other[] = {"rows", "other", NULL};
	metrics_w_sample(w, NULL, (double)rs->jobs, jobs);
	metrics_w_sample(w, NULL, (double)rs->events, events);
	metrics_w_sample(w, NULL, (double)rs->other, other);
	metrics_w_family(w, "fleetd_retention_batches_total", "counter",
			 "Retention batches run (each at most 256 rows, while idle).");
	metrics_w_sample(w, NULL, (double)rs->batches, NULL);
}

static void collect_triggers(const struct triggers *t, struct metrics_w *w)
{
	const struct triggers_stats *ts = triggers_get_stats(t);
	metrics_w_family(w, "fleetd_trigger_events_total", "counter",
			 "Events that some trigger watches, looked at since start.");
	metrics_w_sample(w, NULL, (double)ts->events_seen, NULL);
	metrics_w_family(w, "fleetd_trigger_firings_total", "counter",
			 "Trigger firings since start: recorded (pending), then settled as "
			 "fired (a job made) or skipped (the reason kept).");
	const char *rec[] = {"state", "recorded", NULL}, *fired[] = {"state", "fired", NULL},
		   *skipped[] = {"state", "skipped", NULL};
	metrics_w_sample(w, NULL, (double)ts->recorded, rec);
	metrics_w_sample(w, NULL, (double)ts->fired, fired);
	metrics_w_sample(w, NULL, (double)ts->skipped, skipped);
}

void ops_collect_parts(void *arg, struct metrics_w *w)
{
	const struct app *app = arg;
	if (app->engine)
		collect_engine(app->engine, w);
	if (app->retention)
		collect_retention(app->retention, w);
	if (app->triggers)
		collect_triggers(app->triggers, w);
	if (app->upstream)
		collect_upstream(app->upstream, w);
	if (app->session)
		collect_session(app->session, w);
}
