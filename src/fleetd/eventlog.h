/* eventlog.h -- the persisted, append-only log of everything a watcher may
 * want to see: job created / state changed / step done / waits / retries /
 * errors, fleet arrived / departed, one event per watch.
 *
 * Rows live in the SQLite table `events` (id INTEGER PRIMARY KEY is the
 * event id, also the SSE `id:`), written inside the current turn's
 * transaction (store_begin), so an event is durable exactly when the state
 * change it describes is.  Subscribers (the SSE stream) are told after the
 * commit that new rows exist.  Owns the events table; knows nothing of
 * HTTP or jobs' internals. */
#ifndef FLEETD_EVENTLOG_H
#define FLEETD_EVENTLOG_H

#include <jansson.h>
#include <stdint.h>

struct store;
struct eventlog;

struct eventlog *eventlog_new(struct store *st);
void eventlog_free(struct eventlog *el);

/* Append one event; job_id 0 for events not about a job.  type is e.g.
 * "job.created", "job.state", "job.step_done", "job.retry", "job.error",
 * "fleet.arrived", "fleet.departed", "watch".  data is borrowed.
 * Returns the new event id, or -1. */
int64_t eventlog_append(struct eventlog *el, int64_t job_id, const char *type,
			const json_t *data);
/* The same with data already serialised: text must be one JSON object
 * (the caller's promise; it is stored as given), NULL for {}. */
int64_t eventlog_append_text(struct eventlog *el, int64_t job_id, const char *type,
			     const char *text);

/* Called after each commit that added events, with the highest id. */
typedef void (*eventlog_fn)(void *arg, int64_t last_id);
int eventlog_subscribe(struct eventlog *el, eventlog_fn fn, void *arg);

/* Events with id > after (optionally of one job: job_id > 0), oldest
 * first, at most limit; a new JSON array of
 * {"id", "ts", "job_id", "type", "data"}. */
json_t *eventlog_read(struct eventlog *el, int64_t after, int64_t job_id,
		      int limit);
int64_t eventlog_last_id(struct eventlog *el);
/* Is the store unavailable (a storage outage, store.h)?  Appends fail
 * then, and callers need not log each one: the outage is logged. */
int eventlog_store_unavailable(const struct eventlog *el);

#endif
