/* sse.c -- see sse.h.
 *
 * A client is in one of two modes.  Catching up (backlog = 1): stored
 * events are read from SQLite only when its buffer has drained, so a long
 * history never sits in memory.  Live (backlog = 0): after each commit the
 * new events are appended at once; if the client does not keep up, its
 * buffer grows past the cap and it is dropped.  The event log id is the
 * cursor in both modes, which is what makes Last-Event-ID resumption
 * exact.
 *
 * Catching up is done in slices that yield to the loop: one read takes at
 * most a page of events or SSE_SLICE_BYTES, and all clients together at
 * most SSE_TURN_EVENTS / SSE_TURN_BYTES in one turn of the loop.  A client
 * that finds the turn's budget spent is parked and woken when the turn
 * ends, so a hundred clients replaying a long history share the loop with
 * everything else instead of holding it.  The cap on unsent bytes is
 * checked before every event (an empty buffer takes any one event, so a
 * single event bigger than the cap still gets through). */
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
	struct list_node starved_link; /* on sse.starved: waits for a turn */
	int closing;    /* end the stream once the buffer is flushed */
	int dead;       /* dropped: close the connection at once */
};

/* What one read of a catching-up client takes at most (and a page of
 * events), and what all of them together take in one turn of the loop. */
#define SSE_SLICE_BYTES ((size_t)64 << 10)
#define SSE_TURN_BYTES ((size_t)256 << 10)
#define SSE_TURN_EVENTS 1024

struct sse {
	struct loop *loop;
	struct eventlog *el;
	struct sse_config cfg;
	struct list_node clients; /* of sse_client.link */
	struct list_node starved; /* of sse_client.starved_link */
	struct loop_timer heartbeat;
	struct loop_timer resume; /* wakes the starved clients at the turn's end */
	uint64_t budget_turn;     /* the loop turn the budget below is for */
	size_t turn_bytes;        /* replayed in that turn, over all clients */
	int turn_events;
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

/* The event's JSON.  The stored data is one compact JSON object (the event
 * log's writers promise it), so it is copied as is rather than parsed and
 * written again; text with a line break (which would end the data: line)
 * goes through jansson instead. */
static int append_json(struct sse_client *c, const struct eventlog_row *row)
{
	if (memchr(row->data, '\n', row->data_len) || memchr(row->data, '\r', row->data_len)) {
		json_t *ev = eventlog_row_json(row);
		char *text = ev ? json_dumps(ev, JSON_COMPACT) : NULL;
		json_decref(ev);
		int rc = text ? append(c, text, strlen(text)) : -1;
		free(text);
		return rc;
	}
	char head[160];
	int n = row->job_id > 0
		? snprintf(head, sizeof head, "{\"id\":%lld,\"ts\":%lld,\"job_id\":%lld,\"type\":",
			   (long long)row->id, (long long)row->ts, (long long)row->job_id)
		: snprintf(head, sizeof head, "{\"id\":%lld,\"ts\":%lld,\"job_id\":null,\"type\":",
			   (long long)row->id, (long long)row->ts);
	json_t *type = json_string(row->type);
	char *qtype = type ? json_dumps(type, JSON_ENCODE_ANY) : NULL;
	json_decref(type);
	int rc = qtype ? append(c, head, (size_t)n) : -1;
	if (rc == 0)
		rc = append(c, qtype, strlen(qtype));
	if (rc == 0)
		rc = append(c, ",\"data\":", 8);
	if (rc == 0)
		rc = append(c, row->data, row->data_len);
	if (rc == 0)
		rc = append(c, "}", 1);
	free(qtype);
	return rc;
}

static int append_event(struct sse_client *c, const struct eventlog_row *row)
{
	char head[160];
	int n = snprintf(head, sizeof head, "id: %lld\nevent: %.100s\ndata: ",
			 (long long)row->id, *row->type ? row->type : "message");
	int rc = append(c, head, (size_t)n);
	if (rc == 0)
		rc = append_json(c, row);
	if (rc == 0)
		rc = append(c, "\n\n", 2);
	if (rc == 0) {
		c->cursor = row->id;
		c->hub->stats.events_sent++;
	}
	return rc;
}

/* --------------------------------------------------------- the budget */

/* The turn's budget, renewed when the loop has moved on to a new turn. */
static int budget_spent(struct sse *hub)
{
	uint64_t turn = loop_get_stats(hub->loop)->turns;
	if (turn != hub->budget_turn) {
		hub->budget_turn = turn;
		hub->turn_bytes = 0;
		hub->turn_events = 0;
	}
	return hub->turn_bytes >= SSE_TURN_BYTES || hub->turn_events >= SSE_TURN_EVENTS;
}

/* c has nothing to send and the turn's budget is spent: its stream parks
 * (client_read answers 0) and the resume timer, due at once, wakes it
 * after this turn's work; the next turn has a fresh budget. */
static void starve(struct sse_client *c)
{
	struct sse *hub = c->hub;
	if (!list_linked(&c->starved_link))
		list_push_back(&hub->starved, &c->starved_link);
	if (!loop_timer_armed(&hub->resume))
		loop_timer_arm(hub->loop, &hub->resume, clock_now_ms());
}

static void on_resume(struct loop *loop, void *arg)
{
	(void)loop;
	struct sse *hub = arg;
	struct list_node *n;
	while ((n = list_pop_front(&hub->starved))) {
		wake(LIST_ELEM(n, struct sse_client, starved_link));
	}
}

/* ----------------------------------------------------------- reading */

struct slice {
	struct sse_client *c;
	int live;
	size_t bytes;   /* taken by this read */
	int budget_out; /* stopped by the turn's budget */
};

/* Take one stored event into the client's buffer, or say stop. */
static int slice_take(void *arg, const struct eventlog_row *row)
{
	struct slice *sl = arg;
	struct sse_client *c = sl->c;
	struct sse *hub = c->hub;
	size_t size = eventlog_row_size(row);
	if (!sl->live) {
		if (budget_spent(hub)) {
			sl->budget_out = 1;
			return 0;
		}
		if (pending(c) > 0 && (pending(c) + size > hub->cfg.buffer_cap / 2 ||
				       sl->bytes >= SSE_SLICE_BYTES))
			return 0;
	} else if (pending(c) > 0 && pending(c) + size > hub->cfg.buffer_cap) {
		drop(c, "slow_client");
		return 0;
	}
	if (append_event(c, row) < 0) {
		drop(c, "out_of_memory");
		return 0;
	}
	sl->bytes += size;
	hub->turn_bytes += size;
	hub->turn_events++;
	return 1;
}

/* Read stored events after the cursor into the buffer.  Catching up takes
 * one slice (the rest is read as the client drains, in later turns if the
 * budget is spent); live mode takes everything and drops the client once
 * it is over the cap. */
static void pull(struct sse_client *c, int live)
{
	struct sse *hub = c->hub;
	int more = 1;
	while (more && !c->dead) {
		struct slice sl = {c, live, 0, 0};
		if (eventlog_scan(hub->el, c->cursor, c->job_id, hub->cfg.page, slice_take,
				  &sl, &more) < 0 && !c->dead)
			drop(c, "read_failed");
		if (c->dead)
			return;
		c->backlog = more;
		if (sl.budget_out && pending(c) == 0)
			starve(c);
		if (!live)
			break;
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
	if (pending(c) == 0) {
		c->len = c->off = 0;
		return c->closing ? -1 : 0;
	}
	return http_stream_copy(buf, max, c->buf, c->len, &c->off);
}

static void client_done(void *arg)
{
	struct sse_client *c = arg;
	struct sse *hub = c->hub;
	list_remove(&c->link);
	list_remove(&c->starved_link);
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
	list_init(&c->starved_link);
	list_push_front(&hub->clients, &c->link);
	hub->stats.clients++;
	hub->stats.connects++;
	if (!loop_timer_armed(&hub->heartbeat))
		loop_timer_arm(hub->loop, &hub->heartbeat,
			       clock_now_ms() + hub->cfg.heartbeat_ms);
	/* the first bytes go out at once, so the client sees the headers */
	static const char hello[] = "retry: 3000\n: connected\n\n";
	append(c, hello, sizeof hello - 1);
	/* the stored events are read as the stream drains, within the turn's
	 * budget, never here */
	c->backlog = 1;
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
	list_init(&hub->starved);
	loop_timer_init(&hub->resume, on_resume, hub);
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
	loop_timer_disarm(hub->loop, &hub->resume);
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
