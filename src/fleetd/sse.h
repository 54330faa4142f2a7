/* sse.h -- GET /v1/events: the event log as Server-Sent Events.
 *
 * Each event goes out as `id: <event log id>`, `event: <type>` and one
 * `data:` line holding the event's JSON ({"id","ts","job_id","type",
 * "data"}).  A client that reconnects with Last-Event-ID (or
 * ?last_event_id=N, for the first connect) first gets the stored events
 * after that id, read page by page from SQLite as it drains them; without
 * one it gets only new events.  ?job_id=N narrows the stream to one job.
 * Comment lines (": heartbeat") go out when a stream has been idle for the
 * heartbeat interval, so proxies keep it open and dead peers are found.
 * New events are pushed into each caught-up client's buffer after every
 * commit; a client whose unsent bytes pass the cap is dropped (it can
 * reconnect with Last-Event-ID and lose nothing).
 *
 * Owns its clients and their buffers; reads the event log, never writes
 * it.  Must be freed after the HTTP server (streams end while MHD stops). */
#ifndef FLEETD_SSE_H
#define FLEETD_SSE_H

#include <stddef.h>
#include <stdint.h>

struct sse;
struct loop;
struct eventlog;
struct http_server;

struct sse_config {
	size_t buffer_cap;    /* unsent bytes per client before it is dropped */
	int64_t heartbeat_ms; /* idle time before a heartbeat comment */
	int page;             /* events read from SQLite per query */
};

#define SSE_DEFAULT_BUFFER_CAP ((size_t)1 << 20)
#define SSE_DEFAULT_HEARTBEAT_MS 15000
#define SSE_DEFAULT_PAGE 256

struct sse_stats {
	unsigned clients;
	uint64_t connects;
	uint64_t dropped;     /* slow clients cut off */
	uint64_t events_sent; /* events queued to clients */
};

/* cfg may be NULL for the defaults. */
struct sse *sse_new(struct loop *loop, struct eventlog *el,
		    const struct sse_config *cfg);
int sse_register(struct sse *s, struct http_server *srv);
/* End every open stream (after what is buffered) and refuse new ones:
 * called on SIGTERM so the graceful stop is not held up by streams. */
void sse_shutdown(struct sse *s);
void sse_free(struct sse *s);
void sse_get_stats(const struct sse *s, struct sse_stats *out);

#endif
