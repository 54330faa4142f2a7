/* test_sse.c -- the event stream against the real event log, store, loop
 * and HTTP server, with clients on real loopback sockets driven from the
 * same thread: resume after Last-Event-ID across several SQLite pages,
 * live events for a client without one, the job filter, heartbeats on an
 * idle stream, a client that stops reading being dropped at the cap while
 * a reading one loses nothing, the dropped client resuming exactly where
 * it stopped, bad Last-Event-ID values, and shutdown ending every stream.
 * The waits below are bounded loops, never timing assertions. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "eventlog.h"
#include "http.h"
#include "loop.h"
#include "schema.h"
#include "sse.h"
#include "tap.h"

static struct loop *loop;
static struct store *st;
static struct eventlog *el;
static struct http_server *srv;
static struct sse *hub;
static int port;

struct client {
	int fd;
	char *buf;
	size_t len, cap;
	int eof;
};

static void commit_hook(void *arg)
{
	(void)arg;
	store_commit(st);
}

static void client_read(struct client *c)
{
	for (;;) {
		if (c->len + 65536 > c->cap) {
			c->cap = (c->cap + 65536) * 2;
			c->buf = realloc(c->buf, c->cap + 1);
			c->buf[c->len] = 0; /* read as a string before any byte came */
		}
		ssize_t n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
		if (n > 0) {
			c->len += (size_t)n;
			c->buf[c->len] = 0;
			continue;
		}
		if (n == 0)
			c->eof = 1;
		return;
	}
}

static void pump(int turns, struct client **cs, int n)
{
	for (int t = 0; t < turns; t++) {
		loop_run_once(loop, 5);
		for (int i = 0; i < n; i++)
			if (cs[i] && cs[i]->fd >= 0)
				client_read(cs[i]);
	}
}

static struct client *connect_events(const char *query, const char *last_id,
				     int rcvbuf)
{
	struct client *c = calloc(1, sizeof *c);
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (rcvbuf)
		setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
	struct sockaddr_in a = {0};
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(c->fd, (struct sockaddr *)&a, sizeof a) < 0) {
		perror("connect");
		exit(99);
	}
	fcntl(c->fd, F_SETFL, O_NONBLOCK);
	char req[512];
	int n = snprintf(req, sizeof req, "GET /v1/events%s HTTP/1.0\r\nHost: t\r\n%s%s%s\r\n",
			 query ? query : "", last_id ? "Last-Event-ID: " : "",
			 last_id ? last_id : "", last_id ? "\r\n" : "");
	if (send(c->fd, req, (size_t)n, 0) != n)
		exit(99);
	return c;
}

static void client_close(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	free(c);
}

/* Ids of the complete events received, in order; returns the count. */
static int ids_of(const struct client *c, int64_t *ids, int max)
{
	int n = 0;
	const char *p = c->buf ? strstr(c->buf, "\r\n\r\n") : NULL;
	while (p && (p = strstr(p, "\nid: ")) && n < max) {
		const char *end = strstr(p, "\n\n");
		if (!end)
			break; /* the last event is not complete yet */
		ids[n++] = strtoll(p + 5, NULL, 10);
		p = end;
	}
	return n;
}

static int has_id(const struct client *c, int64_t id)
{
	char pat[40];
	snprintf(pat, sizeof pat, "\nid: %lld\n", (long long)id);
	const char *p = c->buf ? strstr(c->buf, pat) : NULL;
	return p && strstr(p, "\n\n") != NULL;
}

static void wait_for_id(struct client *c, int64_t id, struct client **all, int n)
{
	for (int i = 0; i < 2000 && !has_id(c, id); i++)
		pump(1, all, n);
}

static void append_events(int count, int64_t job, size_t pad)
{
	char *filler = malloc(pad + 1);
	memset(filler, 'x', pad);
	filler[pad] = 0;
	for (int i = 0; i < count; i++) {
		json_t *d = json_pack("{s:i,s:s}", "n", i, "pad", filler);
		if (eventlog_append(el, job, "job.state", d) < 0)
			exit(99);
		json_decref(d);
	}
	free(filler);
	store_commit(st);
}

static int check_sequence(const struct client *c, int64_t first, int64_t last)
{
	int64_t ids[20000];
	int n = ids_of(c, ids, 20000);
	if (n != last - first + 1) {
		fprintf(stderr, "got %d events, wanted %lld..%lld\n", n,
			(long long)first, (long long)last);
		return 0;
	}
	for (int i = 0; i < n; i++)
		if (ids[i] != first + i) {
			fprintf(stderr, "event %d has id %lld, wanted %lld\n", i,
				(long long)ids[i], (long long)(first + i));
			return 0;
		}
	return 1;
}

static void test_resume_and_live(void)
{
	append_events(20, 1, 10); /* ids 1..20 */
	struct client *a = connect_events(NULL, "5", 0);
	struct client *b = connect_events(NULL, NULL, 0);
	struct client *all[] = {a, b};
	wait_for_id(a, 20, all, 2);
	CHECK(strstr(a->buf, "HTTP/1.0 200") || strstr(a->buf, "HTTP/1.1 200"));
	CHECK(strstr(a->buf, "Content-Type: text/event-stream") != NULL);
	CHECK(strstr(a->buf, "\r\n\r\nretry: ") != NULL);
	CHECK(check_sequence(a, 6, 20));
	CHECK(strstr(a->buf, "event: job.state\ndata: {\"id\":6,") != NULL);
	pump(5, all, 2);
	CHECK(!has_id(b, 20)); /* no Last-Event-ID: only new events */
	append_events(3, 2, 10); /* 21..23 */
	wait_for_id(b, 23, all, 2);
	wait_for_id(a, 23, all, 2);
	CHECK(check_sequence(b, 21, 23));
	CHECK(check_sequence(a, 6, 23));
	client_close(a);
	client_close(b);
}

static void test_job_filter_and_query(void)
{
	struct client *j = connect_events("?job_id=2&last_event_id=0", NULL, 0);
	struct client *all[] = {j};
	wait_for_id(j, 23, all, 1);
	CHECK(check_sequence(j, 21, 23));
	CHECK(!has_id(j, 20));
	client_close(j);
}

static void test_bad_requests(void)
{
	struct client *c = connect_events(NULL, "abc", 0);
	struct client *all[] = {c};
	for (int i = 0; i < 500 && !c->eof; i++)
		pump(1, all, 1);
	CHECK(c->buf && strstr(c->buf, " 400 ") && strstr(c->buf, "bad_last_event_id"));
	client_close(c);
	c = connect_events("?job_id=x", NULL, 0);
	all[0] = c;
	for (int i = 0; i < 500 && !c->eof; i++)
		pump(1, all, 1);
	CHECK(c->buf && strstr(c->buf, " 400 "));
	client_close(c);
}

static void test_heartbeat(void)
{
	struct client *c = connect_events(NULL, NULL, 0);
	struct client *all[] = {c};
	for (int i = 0; i < 5000 && !(c->buf && strstr(c->buf, ": heartbeat\n\n")); i++)
		pump(1, all, 1);
	CHECK(c->buf && strstr(c->buf, ": heartbeat\n\n") != NULL);
	client_close(c);
}

static void test_slow_client(void)
{
	struct sse_stats s0, s1;
	sse_get_stats(hub, &s0);
	int64_t start = eventlog_last_id(el);
	struct client *slow = connect_events(NULL, NULL, 2048);
	struct client *fast = connect_events(NULL, NULL, 0);
	struct client *readers[] = {fast};
	pump(20, readers, 1);
	/* the slow one got its headers but reads nothing more from now on */
	int64_t last = start;
	for (int round = 0; round < 400; round++) {
		append_events(10, 3, 300); /* ~4 KB a commit: under the cap */
		last += 10;
		pump(3, readers, 1);
		sse_get_stats(hub, &s1);
		if (s1.dropped > s0.dropped && round > 20)
			break;
	}
	sse_get_stats(hub, &s1);
	CHECK_EQ_INT(s1.dropped, s0.dropped + 1);
	wait_for_id(fast, last, readers, 1);
	CHECK(check_sequence(fast, start + 1, last));
	/* the dropped one: drain what reached it, see the connection end */
	struct client *both[] = {slow, fast};
	for (int i = 0; i < 5000 && !slow->eof; i++)
		pump(1, both, 2);
	CHECK(slow->eof);
	int64_t ids[20000];
	int n = ids_of(slow, ids, 20000);
	CHECK(n > 0 && n < last - start);
	int64_t got = n ? ids[n - 1] : start;
	if (n)
		CHECK(check_sequence(slow, start + 1, got));
	/* reconnect with the last id seen: the rest, exactly */
	char lid[32];
	snprintf(lid, sizeof lid, "%lld", (long long)got);
	struct client *again = connect_events(NULL, lid, 0);
	struct client *all2[] = {again};
	wait_for_id(again, last, all2, 1);
	CHECK(check_sequence(again, got + 1, last));
	client_close(again);
	client_close(slow);
	client_close(fast);
}

static void test_shutdown(void)
{
	struct client *a = connect_events(NULL, NULL, 0);
	struct client *all[] = {a};
	pump(20, all, 1);
	CHECK(http_server_inflight(srv) >= 1);
	sse_shutdown(hub);
	for (int i = 0; i < 2000 && !a->eof; i++)
		pump(1, all, 1);
	CHECK(a->eof); /* HTTP/1.0: the end of the answer closes it */
	CHECK_EQ_INT(http_server_inflight(srv), 0);
	struct client *late = connect_events(NULL, NULL, 0);
	all[0] = late;
	for (int i = 0; i < 2000 && !late->eof; i++)
		pump(1, all, 1);
	CHECK(late->buf && strstr(late->buf, " 503 "));
	client_close(late);
	client_close(a);
}

int main(void)
{
	char dir[] = "/tmp/test_sse.XXXXXX", path[300], err[256];
	if (!mkdtemp(dir))
		return 99;
	snprintf(path, sizeof path, "%s/t.db", dir);
	loop = loop_new();
	st = store_open(path, err, sizeof err);
	if (!loop || !st) {
		fprintf(stderr, "setup: %s\n", err);
		return 99;
	}
	loop_add_turn_hook(loop, commit_hook, NULL);
	el = eventlog_new(st);
	struct http_config hc = {.listen = "127.0.0.1:0", .conn_limit = 64,
				 .body_limit = 4096, .conn_timeout_s = 30,
				 .conn_memory_limit = 32768};
	srv = http_server_new(loop, &hc, err, sizeof err);
	struct sse_config sc = {16384, 50, 8};
	hub = sse_new(loop, el, &sc);
	if (!el || !srv || !hub || sse_register(hub, srv) < 0) {
		fprintf(stderr, "setup: %s\n", err);
		return 99;
	}
	port = http_server_port(srv);
	test_resume_and_live();
	test_job_filter_and_query();
	test_bad_requests();
	test_heartbeat();
	test_slow_client();
	test_shutdown();
	http_server_free(srv);
	sse_free(hub);
	eventlog_free(el);
	store_close(st);
	loop_free(loop);
	snprintf(path, sizeof path, "rm -rf '%s'", dir);
	if (system(path) != 0)
		return 99;
	return tap_done();
}
