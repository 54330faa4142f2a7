/* sse.c -- see sse.h.
 *
 * A client is in one of two modes.  Catching up (backlog = 1): stored
 * events are read from SQLite only when its buffer has drained, so a long
 * history never sits in memory.  Live (backlog = 0): after each commit the
 * new events are appended at once; if the client does not keep up, its
 * buffer grows past the cap and it is dropped.  The event log id is the
 * cursor in both modes, which is what makes Last-Event-ID resumption
 * exact. */
#include "sse.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "eventlog.h"
#include "http.h"
#include "list.h"
#include "log.h"
#include "loop.h"

struct sse_client {
	struct sse *hub;
	struct http_req *req;
	struct list_node link; /* on sse.clients while its stream lives */
	char *buf;
	size_t len, off, cap;
	int64_t cursor; /* id of the last event put in the buffer */
	int64_t job_id; /* 0: all jobs */
	int backlog;    /* stored events remain to be read as the buffer drains */
	int quiet;      /* nothing queued since the last heartbeat tick */
	int closing;    /* end the stream once the buffer is flushed */
	int dead;       /* dropped: close the connection at once */
};

struct sse {
	struct loop *loop;
	struct eventlog *el;
	struct sse_config cfg;
	struct list_node clients; /* of sse_client.link */
	struct loop_timer heartbeat;
	struct sse_stats stats;
	int stopping;
};

static size_t pending(const struct sse_client *c)
{
	return c->len - c->off;
}

static int append(struct sse_client *c, const char *s, size_t n)
{
	if (c->off) { /* slide the unsent part to the front first */
		memmove(c->buf, c->buf + c->off, c->len - c->off);
		c->len -= c->off;
		c->off = 0;
	}
	if (c->len + n > c->cap) {
		size_t cap = c->cap ? c->cap : 4096;
		while (cap < c->len + n)
			cap *= 2;
		char *b = realloc(c->buf, cap);
		if (!b)
			return -1;
		c->buf = b;
		c->cap = cap;
	}
	memcpy(c->buf + c->len, s, n);
	c->len += n;
	c->quiet = 0;
	return 0;
}

static void wake(struct sse_client *c)
{
	if (c->req)
		http_stream_wake(c->req);
}

static void drop(struct sse_client *c, const char *why)
{
	if (c->dead)
		return;
	log_warn("event stream dropped", "reason=%s unsent=%zu cursor=%lld", why,
		 pending(c), (long long)c->cursor);
	c->dead = 1;
	free(c->buf);
	c->buf = NULL;
	c->len = c->off = c->cap = 0;
	c->hub->stats.dropped++;
	wake(c);
}

static int append_event(struct sse_client *c, json_t *ev)
{
	json_int_t id = json_integer_value(json_object_get(ev, "id"));
	const char *type = json_string_value(json_object_get(ev, "type"));
	char *data = json_dumps(ev, JSON_COMPACT);
	if (!data)
		return -1;
	char head[160];
	int n = snprintf(head, sizeof head, "id: %lld\nevent: %s\ndata: ",
			 (long long)id, type ? type : "message");
	int rc = append(c, head, (size_t)n);
	if (rc == 0)
		rc = append(c, data, strlen(data));
	if (rc == 0)
		rc = append(c, "\n\n", 2);
	free(data);
	if (rc == 0) {
		c->cursor = id;
		c->hub->stats.events_sent++;
	}
	return rc;
}

/* Read stored events after the cursor into the buffer.  Catching up stops
 * at half the cap (the rest is read as the client drains); live mode takes
 * everything and drops the client once it is over the cap. */
static void pull(struct sse_client *c, int live)
{
	struct sse *hub = c->hub;
	while (!c->dead) {
		if (!live && pending(c) >= hub->cfg.buffer_cap / 2) {
			c->backlog = 1;
			break;
		}
		json_t *page = eventlog_read(hub->el, c->cursor, c->job_id, hub->cfg.page);
		if (!page) {
			drop(c, "read_failed");
			return;
		}
		size_t n = json_array_size(page);
		for (size_t i = 0; i < n && !c->dead; i++)
			if (append_event(c, json_array_get(page, i)) < 0)
				drop(c, "out_of_memory");
		json_decref(page);
		if (pending(c) > hub->cfg.buffer_cap) {
			drop(c, "slow_client");
			return;
		}
		if (n < (size_t)hub->cfg.page) {
			c->backlog = 0;
			break;
		}
	}
	if (pending(c))
		wake(c);
}

static long client_read(void *arg, char *buf, size_t max)
{
	struct sse_client *c = arg;
	if (c->dead)
		return HTTP_STREAM_ABORT;
	if (pending(c) == 0 && c->backlog && !c->closing)
		pull(c, 0);
	if (c->dead)
		return HTTP_STREAM_ABORT;
	size_t n = pending(c);
	if (n == 0) {
		c->len = c->off = 0;
		return c->closing ? -1 : 0;
	}
	if (n > max)
		n = max;
	memcpy(buf, c->buf + c->off, n);
	c->off += n;
	return (long)n;
}

static void client_done(void *arg)
{
	struct sse_client *c = arg;
	struct sse *hub = c->hub;
	list_remove(&c->link);
	hub->stats.clients--;
	if (list_empty(&hub->clients))
		loop_timer_disarm(hub->loop, &hub->heartbeat);
	free(c->buf);
	free(c);
}

/* --------------------------------------------------------------- events */

static void on_committed(void *arg, int64_t last_id)
{
	struct sse *hub = arg;
	(void)last_id;
	struct list_node *n, *tmp;
	LIST_EACH_SAFE(n, tmp, &hub->clients) {
		struct sse_client *c = LIST_ELEM(n, struct sse_client, link);
		if (!c->dead && !c->closing && !c->backlog && c->cursor < last_id)
			pull(c, 1);
	}
}

static void on_heartbeat(struct loop *loop, void *arg)
{
	struct sse *hub = arg;
	static const char beat[] = ": heartbeat\n\n";
	struct list_node *n;
	LIST_EACH(n, &hub->clients) {
		struct sse_client *c = LIST_ELEM(n, struct sse_client, link);
		if (c->dead || c->closing)
			continue;
		if (c->quiet && pending(c) == 0 && append(c, beat, sizeof beat - 1) == 0)
			wake(c);
		c->quiet = 1;
	}
	if (!list_empty(&hub->clients))
		loop_timer_arm(loop, &hub->heartbeat, clock_now_ms() + hub->cfg.heartbeat_ms);
}

/* ------------------------------------------------------------ the route */

static void on_events(struct http_req *req, void *arg)
{
	struct sse *hub = arg;
	if (hub->stopping) {
		http_reply_error(req, 503, "stopping", "fleetd is shutting down");
		return;
	}
	const char *last = http_header(req, "Last-Event-ID");
	if (!last)
		last = http_query(req, "last_event_id");
	int64_t cursor = -1, job = 0;
	if (last && http_parse_id(last, &cursor) < 0) {
		http_reply_error(req, 400, "bad_last_event_id",
				 "Last-Event-ID must be an event id (a decimal integer)");
		return;
	}
	const char *jq = http_query(req, "job_id");
	if (jq && (http_parse_id(jq, &job) < 0 || job == 0)) {
		http_reply_error(req, 400, "bad_job_id", "job_id must be a job id");
		return;
	}
	struct sse_client *c = calloc(1, sizeof *c);
	if (!c) {
		http_reply_error(req, 500, "internal", "out of memory");
		return;
	}
	c->hub = hub;
	c->req = req;
	c->job_id = job;
	c->cursor = cursor >= 0 ? cursor : eventlog_last_id(hub->el);
	list_push_front(&hub->clients, &c->link);
	hub->stats.clients++;
	hub->stats.connects++;
	if (!loop_timer_armed(&hub->heartbeat))
		loop_timer_arm(hub->loop, &hub->heartbeat,
			       clock_now_ms() + hub->cfg.heartbeat_ms);
	/* the first bytes go out at once, so the client sees the headers */
	static const char hello[] = "retry: 3000\n: connected\n\n";
	append(c, hello, sizeof hello - 1);
	pull(c, 0);
	http_add_header(req, "X-Accel-Buffering", "no");
	http_reply_stream(req, 200, "text/event-stream; charset=utf-8", client_read,
			  client_done, c);
}

/* ------------------------------------------------------------ lifetime */

struct sse *sse_new(struct loop *loop, struct eventlog *el,
		    const struct sse_config *cfg)
{
	struct sse *hub = calloc(1, sizeof *hub);
	if (!hub)
		return NULL;
	hub->loop = loop;
	hub->el = el;
	list_init(&hub->clients);
	hub->cfg.buffer_cap = cfg && cfg->buffer_cap ? cfg->buffer_cap : SSE_DEFAULT_BUFFER_CAP;
	hub->cfg.heartbeat_ms = cfg && cfg->heartbeat_ms > 0 ? cfg->heartbeat_ms
							      : SSE_DEFAULT_HEARTBEAT_MS;
	hub->cfg.page = cfg && cfg->page > 0 ? cfg->page : SSE_DEFAULT_PAGE;
	loop_timer_init(&hub->heartbeat, on_heartbeat, hub);
	if (eventlog_subscribe(el, on_committed, hub) < 0) {
		free(hub);
		return NULL;
	}
	return hub;
}

int sse_register(struct sse *hub, struct http_server *srv)
{
	return http_route(srv, "GET", "/v1/events", on_events, hub);
}

void sse_shutdown(struct sse *hub)
{
	if (!hub || hub->stopping)
		return;
	hub->stopping = 1;
	struct list_node *n;
	LIST_EACH(n, &hub->clients) {
		struct sse_client *c = LIST_ELEM(n, struct sse_client, link);
		c->closing = 1;
		wake(c);
	}
}

void sse_free(struct sse *hub)
{
	if (!hub)
		return;
	loop_timer_disarm(hub->loop, &hub->heartbeat);
	/* normally empty: the server's shutdown ended every stream */
	struct list_node *n;
	while ((n = list_pop_front(&hub->clients))) {
		struct sse_client *c = LIST_ELEM(n, struct sse_client, link);
		free(c->buf);
		free(c);
	}
	free(hub);
}

void sse_get_stats(const struct sse *hub, struct sse_stats *out)
{
	*out = hub->stats;
}
