/* ops.h -- the operational parts of fleetd, wired in one place: the
 * request guard (Host check, CORS, bearer token), request logs, /metrics
 * and the live event stream /v1/events.
 *
 * fleetd_main.c calls ops_load() first, ops_start() once the HTTP server exists (and after
 * the parts whose numbers it reports), ops_shutdown() on SIGTERM so open
 * streams end and the graceful stop is not held up by them, and
 * ops_free() after the HTTP server is freed (stream callbacks may run
 * while MHD shuts down).  Owns auth, cors, the host check, metrics and
 * the SSE hub. */
#ifndef FLEETD_OPS_H
#define FLEETD_OPS_H

#include <stddef.h>

struct app;
struct ops;

/* Read the token file and the CORS list: before anything is opened, so a
 * bad token file fails start-up without touching the database. */
int ops_load(struct app *app, char *err, size_t errlen);
int ops_start(struct app *app, char *err, size_t errlen);
void ops_shutdown(struct app *app);
void ops_free(struct app *app);

#endif
