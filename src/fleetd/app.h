/* app.h -- the parts of one running fleetd, wired together by fleetd_main.c.
 *
 * Each part is owned by its module and may be NULL when not configured
 * (no --upstream: no session, mirror or upstream).  Route handlers receive
 * the app and read only what they need; they never free a part. */
#ifndef FLEETD_APP_H
#define FLEETD_APP_H

#include <stddef.h>
#include <stdint.h>

struct fleetd_config;
struct loop;
struct store;
struct commit;
struct http_server;
struct upstream;
struct session;
struct mirror;
struct engine;
struct eventlog;
struct mirror_events;
struct triggers;
struct metrics;
struct ops;
struct webhooks;
struct webhook_send;
struct schedules;
struct retention;

struct app {
	const struct fleetd_config *cfg;
	struct loop *loop;
	struct store *store;
	struct commit *commit; /* the group commit and storage outages (commit.h) */
	struct http_server *http;
	struct upstream *upstream;
	struct session *session;
	struct mirror *mirror;
	struct engine *engine;
	struct eventlog *eventlog;
	struct metrics *metrics;
	/* mirror changes as events: our fleets' moves, attacks, sightings,
	 * worlds lost/gained (mirror_events.h) */
	struct mirror_events *mirror_events;
	struct triggers *triggers; /* events -> jobs (triggers.h) */
	struct ops *ops; /* auth, CORS, logs, /metrics, /v1/events (ops.h) */
	struct webhooks *webhooks; /* webhooks and their outbox (webhooks.h) */
	struct webhook_send *webhook_send; /* the outbox's delivery (webhook_send.h) */
	struct schedules *schedules; /* jobs fired every N watches or seconds */
	struct retention *retention; /* --retain-days (retention.h) */
	int64_t started_ms;
	int stopping;
};

/* Routes of each API module, registered at start-up; -1 when one could
 * not be (out of memory): fleetd does not start with part of its API
 * missing. */
int api_health_register(struct app *app);
int api_jobs_register(struct app *app);
int api_queues_register(struct app *app);
int api_triggers_register(struct app *app);
int api_mirror_register(struct app *app);
int api_readmodel_register(struct app *app); /* catalogue, sovereigns */
int api_webhooks_register(struct app *app);
int api_schedules_register(struct app *app);
/* The dashboard's static files at / and /web/NAME (api_web.c); -1 with err
 * when --web-root is not a directory. */
int api_web_register(struct app *app, char *err, size_t errlen);

#endif
