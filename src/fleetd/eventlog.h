/* eventlog.h -- the persisted, append-only log of everything a watcher may
 * want to see: job created / state changed / step done / waits / retries /
 * errors, fleet arrived / departed, one event per watch.
 *
 * Rows live in the SQLite table `events` (id INTEGER PRIMARY KEY is the
 * event id, also the SSE `id:`), written inside the current turn's
 * transaction (store_begin), so an event is durable exactly when the state
 * change it describes is.  An appended row is held and written with the
 * others of its transaction just before the commit (or by
 * eventlog_flush(), which this module's readers call first): its id is
 * given at once, but a reader of the table through other SQL sees it only
 * after one of those.  Subscribers (the SSE stream) are told after the
 * commit that new rows exist.  Owns the events table; knows nothing of
 * HTTP or jobs' internals. */
#ifndef FLEETD_EVENTLOG_H
#define FLEETD_EVENTLOG_H

#include <jansson.h>
#include <stddef.h>
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

/* One stored event as a tap or the scan hands it over; valid during the
 * call only. */
struct eventlog_row {
	int64_t id, ts;
	int64_t job_id;   /* 0: not about a job */
	const char *type;
	const char *data; /* the stored JSON text */
	size_t data_len;
};

/* A tap is told every appended event at once, inside the transaction that
 * appends it, so what it writes (a trigger's firing, a webhook's outbox
 * row) is durable exactly when the event is.  It must not append events
 * itself (nested appends are not tapped) and reports a failure by
 * returning -1, which makes the append fail.  At most EVENTLOG_MAX_TAPS. */
typedef int (*eventlog_tap_fn)(void *arg, const struct eventlog_row *row);
int eventlog_tap(struct eventlog *el, eventlog_tap_fn fn, void *arg);

/* Called after each commit that added events, with the highest id. */
typedef void (*eventlog_fn)(void *arg, int64_t last_id);
int eventlog_subscribe(struct eventlog *el, eventlog_fn fn, void *arg);

/* Told each event in turn: returns 1 to take it and go on, 0 to stop
 * before it (it is then not taken). */
typedef int (*eventlog_row_fn)(void *arg, const struct eventlog_row *row);

/* Hand fn the events with id > after (of one job if job_id > 0), oldest
 * first, at most limit of them, one row in memory at a time.  Returns how
 * many fn took, or -1 if the table could not be read; *more (may be NULL)
 * says whether another event follows the last one taken. */
int eventlog_scan(struct eventlog *el, int64_t after, int64_t job_id, int limit,
		  eventlog_row_fn fn, void *arg, int *more);
/* The event as the API shows it: {"id", "ts", "job_id", "type", "data"}. */
json_t *eventlog_row_json(const struct eventlog_row *row);
/* Roughly the bytes of that object written compactly. */
size_t eventlog_row_size(const struct eventlog_row *row);

/* Events with id > after (optionally of one job: job_id > 0), oldest
 * first, at most limit, as a new JSON array of eventlog_row_json()
 * objects; NULL if the table could not be read. */
json_t *eventlog_read(struct eventlog *el, int64_t after, int64_t job_id,
		      int limit);
/* The same as one page of an answer: no event that would take the page
 * past about max_bytes (but always the first); *more as for the scan. */
json_t *eventlog_page(struct eventlog *el, int64_t after, int64_t job_id,
		      int limit, size_t max_bytes, int *more);
/* The SELECT those read (of one job's events when job_id > 0): ?1 the id
 * after, ?2 the limit, ?3 the job.  For tests of its plan. */
const char *eventlog_read_sql(int64_t job_id);
int64_t eventlog_last_id(struct eventlog *el);
/* Write the held rows into the table now (the commit does it by itself).
 * -1 if they could not be: the open transaction's commit then fails. */
int eventlog_flush(struct eventlog *el);
/* A caller's savepoint, in the open transaction: eventlog_mark() just
 * before it writes the held rows and returns the last id (-1 on failure);
 * once the caller has rolled back to its savepoint, eventlog_rewind() with
 * that mark drops the rows held since (those written since went with the
 * rollback) and gives their ids again. */
int64_t eventlog_mark(struct eventlog *el);
void eventlog_rewind(struct eventlog *el, int64_t last_id);
/* Append an event of no job that no caller waits on (news read from the
 * mirror), and when it cannot be written say so in the log: a debug line
 * while the store is unavailable (an outage, store.h, loses many and is
 * logged once by the store), a warning otherwise.  text as for
 * eventlog_append_text. */
void eventlog_note(struct eventlog *el, const char *type, const char *text);
/* The same with data as JSON; steals data (NULL: not recorded). */
void eventlog_note_json(struct eventlog *el, const char *type, json_t *data);

#endif
