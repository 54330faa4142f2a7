/* test_upstream.c -- the upstream client over real HTTP on loopback, against
 * a small server on the same loop (the project's own src/common/http.c)
 * that answers each path in one way: JSON, hexeError, busy-then-OK,
 * 500-then-OK, always 500, a cut answer, a late answer, not JSON, 404, and
 * echo.  Also a port where nothing listens.  Checks the outcome, the number
 * of attempts, that non-idempotent calls are not resent after an ambiguous
 * attempt, that the body arrives intact, the statistics, and the rate
 * limiter.  The queue: with one transfer at a time, calls run in the order
 * they were posted, and a client freed with calls running, queued and
 * waiting to retry drops them all (no callback; the sanitizer build checks
 * that nothing leaks).  Big answers, one after another and two posted
 * together, each arrive whole whether received into a block of their own
 * or into the one kept from an earlier big answer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "http.h"
#include "log.h"
#include "loop.h"
#include "tap.h"
#include "upstream.h"

static struct loop *loop;
static int hits_busy, hits_flaky, hits_500, hits_cut, hits_late;

static void reply_text(struct http_req *req, unsigned status, const char *text)
{
	http_reply(req, status, "application/json", text, strlen(text));
}

static void h_ok(struct http_req *req, void *arg)
{
	(void)arg;
	reply_text(req, 200, "[{\"class\":\"update\",\"sequence\":7}]");
}

static void h_hexe(struct http_req *req, void *arg)
{
	(void)arg;
	reply_text(req, 200, "[\"AEON2011:hexeError:v1\",\"unknownObject\",\"x\","
			     "\"No such object.\"]");
}

static void h_busy(struct http_req *req, void *arg)
{
	(void)arg;
	if (++hits_busy <= 2)
		reply_text(req, 200, "[\"AEON2011:hexeError:v1\",\"busy\",\"x\","
				     "\"The server is busy.\"]");
	else
		reply_text(req, 200, "[]");
}

static void h_flaky(struct http_req *req, void *arg)
{
	(void)arg;
	if (++hits_flaky <= 1)
		reply_text(req, 503, "down");
	else
		reply_text(req, 200, "{\"fine\":true}");
}

static void h_500(struct http_req *req, void *arg)
{
	(void)arg;
	hits_500++;
	reply_text(req, 500, "oops");
}

/* The answer announces the whole body, sends 10 bytes, then drops the
 * connection. */
static const char cut_body[] = "[{\"class\":\"update\",\"sequence\":1234567}]";

static long cut_read(void *arg, char *buf, size_t max)
{
	size_t *sent = arg;
	if (*sent >= 10 || max < 10)
		return HTTP_STREAM_ABORT;
	memcpy(buf, cut_body, 10);
	*sent = 10;
	return 10;
}

static void cut_done(void *arg)
{
	free(arg);
}

static void h_cut(struct http_req *req, void *arg)
{
	(void)arg;
	hits_cut++;
	size_t *sent = calloc(1, sizeof *sent);
	if (!sent) {
		reply_text(req, 500, "out of memory");
		return;
	}
	http_reply_sized(req, 200, "application/json", sizeof cut_body - 1,
			 cut_read, cut_done, sent);
}

struct late {
	struct loop_timer t;
	struct http_req *req;
};

static void late_fire(struct loop *l, void *arg)
{
	struct late *lt = arg;
	(void)l;
	reply_text(lt->req, 200, "[]");
	free(lt);
}

static void h_late(struct http_req *req, void *arg)
{
	(void)arg;
	hits_late++;
	struct late *lt = calloc(1, sizeof *lt);
	lt->req = req;
	loop_timer_init(&lt->t, late_fire, lt);
	http_suspend(req);
	loop_timer_arm(loop, &lt->t, clock_now_ms() + 700);
}

static void h_garbage(struct http_req *req, void *arg)
{
	(void)arg;
	reply_text(req, 200, "this is not json");
}

static void h_echo(struct http_req *req, void *arg)
{
	(void)arg;
	size_t len;
	const char *b = http_body(req, &len);
	http_reply(req, 200, "application/json", b, len);
}

struct outcome {
	int called;
	struct upstream_result r;
	char code[64], message[256];
	json_t *answer;
};

static void done(void *arg, const struct upstream_result *r)
{
	struct outcome *o = arg;
	o->called++;
	o->r = *r;
	snprintf(o->code, sizeof o->code, "%s", r->code ? r->code : "");
	snprintf(o->message, sizeof o->message, "%s", r->message ? r->message : "");
	o->answer = r->answer ? json_deep_copy(r->answer) : NULL;
}

/* Completion order of the FIFO test: the index each call was posted with. */
static int fifo_order[8], fifo_done;

static void done_fifo(void *arg, const struct upstream_result *r)
{
	const int *index = arg;
	if (r->outcome == UPSTREAM_OK && fifo_done < 8)
		fifo_order[fifo_done] = *index;
	fifo_done++;
}

/* A raw answer compared, inside the callback, with what was sent (the
 * echo route answers with the request's body). */
struct echo_check {
	char *want;
	size_t len;
	int called, same;
};

static void done_echo(void *arg, const struct upstream_result *r)
{
	struct echo_check *e = arg;
	e->called++;
	e->same = r->outcome == UPSTREAM_OK && r->text && r->text_len == e->len &&
		  memcmp(r->text, e->want, e->len) == 0 && r->text[r->text_len] == '\0';
}

/* Post {"s": "cccc..."} of about n bytes to the echo route. */
static void post_echo(struct upstream *u, struct echo_check *e, size_t n, char c)
{
	char *s = malloc(n + 1);
	memset(s, c, n);
	s[n] = '\0';
	json_t *body = json_pack("{s:s}", "s", s);
	free(s);
	e->want = json_dumps(body, JSON_COMPACT);
	e->len = strlen(e->want);
	CHECK(upstream_post(u, "login", body, UPSTREAM_RAW_ANSWER, done_echo, e) == 0);
}

static void wait_echo(struct echo_check *e, int n)
{
	int64_t end = clock_now_ms() + 20000;
	for (;;) {
		int all = 1;
		for (int i = 0; i < n; i++)
			all &= e[i].called > 0;
		if (all || clock_now_ms() > end)
			break;
		loop_run_once(loop, 100);
	}
	for (int i = 0; i < n; i++) {
		CHECK_EQ_INT(e[i].called, 1);
		CHECK(e[i].same);
		free(e[i].want);
	}
}

static void test_big_answers(const char *base)
{
	struct upstream_config c = {.base_url = base, .rate = 1000, .timeout_ms = 5000};
	char err[128];
	struct upstream *u = upstream_new(loop, &c, err, sizeof err);
	CHECK(u != NULL);
	if (!u)
		return;
	/* one at a time: big (a block of its own, kept), bigger (the kept
	 * one is too small), smaller (into the kept one), small (its own) */
	static const size_t sizes[] = {100000, 300000, 40000, 5};
	struct echo_check e[2];
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		memset(e, 0, sizeof e);
		post_echo(u, &e[0], sizes[i], (char)('a' + i));
		wait_echo(e, 1);
	}
	/* two posted together (on loopback they may still run in turn) */
	memset(e, 0, sizeof e);
	post_echo(u, &e[0], 200000, 'y');
	post_echo(u, &e[1], 250000, 'z');
	wait_echo(e, 2);
	upstream_free(u);
}

static void run_until(struct outcome *o, int n)
{
	int64_t end = clock_now_ms() + 20000;
	for (;;) {
		int all = 1;
		for (int i = 0; i < n; i++)
			if (!o[i].called)
				all = 0;
		if (all || clock_now_ms() > end)
			return;
		loop_run_once(loop, 100);
	}
}

static struct upstream *client(const char *base, double rate, int attempts)
{
	struct upstream_config c = {
		.base_url = base,
		.rate = rate,
		.timeout_ms = 300,
		.connect_timeout_ms = 300,
		.max_attempts = attempts,
		.backoff_base_ms = 20,
		.backoff_max_ms = 80,
	};
	char err[128];
	struct upstream *u = upstream_new(loop, &c, err, sizeof err);
	CHECK(u != NULL);
	return u;
}

static const struct upstream_endpoint_stats *ep(struct upstream *u, const char *name)
{
	const struct upstream_stats *s = upstream_get_stats(u);
	for (size_t i = 0; i < s->nendpoints; i++)
		if (!strcmp(s->endpoints[i].name, name))
			return &s->endpoints[i];
	return NULL;
}

int main(void)
{
	log_set_level(LOG_WARN);
	loop = loop_new();
	struct http_config hc = {.listen = "127.0.0.1:0", .conn_limit = 64,
				 .body_limit = 1 << 20, .conn_timeout_s = 30,
				 .conn_memory_limit = 32768};
	char err[256];
	struct http_server *srv = http_server_new(loop, &hc, err, sizeof err);
	if (!srv) {
		fprintf(stderr, "server: %s\n", err);
		return 1;
	}
	http_route(srv, "POST", "/api/getObjects", h_ok, NULL);
	http_route(srv, "POST", "/api/setDestination", h_hexe, NULL);
	http_route(srv, "POST", "/api/renameObject", h_busy, NULL);
	http_route(srv, "POST", "/api/getGameInfo", h_flaky, NULL);
	http_route(srv, "POST", "/api/attack", h_500, NULL);
	http_route(srv, "POST", "/api/deployFleet", h_cut, NULL);
	http_route(srv, "POST", "/api/getTactical", h_cut, NULL);
	http_route(srv, "POST", "/api/sellFleet", h_late, NULL);
	http_route(srv, "POST", "/api/buyItem", h_garbage, NULL);
	http_route(srv, "POST", "/api/login", h_echo, NULL);
	char base[64];
	snprintf(base, sizeof base, "http://127.0.0.1:%d/api", http_server_port(srv));

	struct upstream *u = client(base, 1000, 4);
	struct outcome o[12];
	memset(o, 0, sizeof o);
	CHECK(upstream_post(u, "getObjects", json_object(), UPSTREAM_IDEMPOTENT, done, &o[0]) == 0);
	CHECK(upstream_post(u, "setDestination", json_object(), UPSTREAM_IDEMPOTENT, done, &o[1]) == 0);
	CHECK(upstream_post(u, "renameObject", json_object(), 0, done, &o[2]) == 0);
	CHECK(upstream_post(u, "getGameInfo", json_object(), 0, done, &o[3]) == 0);
	CHECK(upstream_post(u, "attack", json_object(), 0, done, &o[4]) == 0);
	CHECK(upstream_post(u, "deployFleet", json_object(), 0, done, &o[5]) == 0);
	CHECK(upstream_post(u, "getTactical", json_object(), UPSTREAM_IDEMPOTENT, done, &o[6]) == 0);
	CHECK(upstream_post(u, "sellFleet", json_object(), 0, done, &o[7]) == 0);
	CHECK(upstream_post(u, "buyItem", json_object(), 0, done, &o[8]) == 0);
	json_t *secret = json_pack("{s:s,s:[i,i]}", "password", "p\"w\\é", "resources", 1, 2);
	CHECK(upstream_post(u, "login", json_deep_copy(secret), 0, done, &o[9]) == 0);
	/* raw answers: the text is handed back unparsed, refusals still seen */
	CHECK(upstream_post(u, "getObjects", json_object(),
			    UPSTREAM_IDEMPOTENT | UPSTREAM_RAW_ANSWER, done, &o[10]) == 0);
	CHECK(upstream_post(u, "setDestination", json_object(), UPSTREAM_RAW_ANSWER, done,
			    &o[11]) == 0);
	/* no callback may run inside upstream_post */
	for (int i = 0; i < 12; i++)
		CHECK_EQ_INT(o[i].called, 0);
	run_until(o, 12);
	for (int i = 0; i < 12; i++)
		CHECK_EQ_INT(o[i].called, 1);
	CHECK_EQ_INT(o[10].r.outcome, UPSTREAM_OK);
	CHECK(o[10].answer == NULL && o[10].r.text_len > 0);
	CHECK_EQ_INT(o[11].r.outcome, UPSTREAM_GAME_ERROR);
	CHECK(!strcmp(o[11].code, "unknownObject"));

	CHECK_EQ_INT(o[0].r.outcome, UPSTREAM_OK);
	CHECK(o[0].answer && json_is_array(o[0].answer) && o[0].r.text == NULL);
	CHECK_EQ_INT(o[0].r.attempts, 1);

	CHECK_EQ_INT(o[1].r.outcome, UPSTREAM_GAME_ERROR); /* never retried */
	CHECK_EQ_INT(o[1].r.attempts, 1);
	CHECK(!strcmp(o[1].code, "unknownObject") && !strcmp(o[1].message, "No such object."));

	CHECK_EQ_INT(o[2].r.outcome, UPSTREAM_OK); /* busy twice, then fine */
	CHECK_EQ_INT(o[2].r.attempts, 3);
	CHECK_EQ_INT(hits_busy, 3);

	CHECK_EQ_INT(o[3].r.outcome, UPSTREAM_OK); /* one 503 */
	CHECK_EQ_INT(o[3].r.attempts, 2);

	CHECK_EQ_INT(o[4].r.outcome, UPSTREAM_TRANSIENT); /* 500 every time */
	CHECK_EQ_INT(o[4].r.attempts, 4);
	CHECK_EQ_INT(hits_500, 4);
	CHECK_EQ_INT(o[4].r.http_status, 500);

	/* a cut answer: ambiguous; resent only when idempotent */
	CHECK_EQ_INT(o[5].r.outcome, UPSTREAM_AMBIGUOUS);
	CHECK_EQ_INT(o[5].r.attempts, 1);
	CHECK_EQ_INT(o[6].r.outcome, UPSTREAM_AMBIGUOUS);
	CHECK_EQ_INT(o[6].r.attempts, 4);
	CHECK_EQ_INT(hits_cut, 5);

	/* too late: the timeout makes it ambiguous, not resent */
	CHECK_EQ_INT(o[7].r.outcome, UPSTREAM_AMBIGUOUS);
	CHECK_EQ_INT(o[7].r.attempts, 1);
	CHECK_EQ_INT(hits_late, 1);

	CHECK_EQ_INT(o[8].r.outcome, UPSTREAM_AMBIGUOUS);
	CHECK(strstr(o[8].message, "not JSON") != NULL);

	CHECK_EQ_INT(o[9].r.outcome, UPSTREAM_OK); /* the body arrives intact */
	CHECK(o[9].answer && json_equal(o[9].answer, secret));
	json_decref(secret);

	const struct upstream_endpoint_stats *e = ep(u, "attack");
	CHECK(e && e->calls == 4 && e->transient == 4 && e->retries == 3);
	uint64_t sum = 0;
	for (int b = 0; e && b < UPSTREAM_LATENCY_BUCKETS; b++)
		sum += e->latency[b];
	CHECK_EQ_INT(sum, 4);
	e = ep(u, "setDestination");
	CHECK(e && e->calls == 2 && e->game_errors == 2);
	CHECK(upstream_get_stats(u)->inflight == 0 && upstream_get_stats(u)->queued == 0);
	for (int i = 0; i < 12; i++)
		json_decref(o[i].answer);
	upstream_free(u);

	test_big_answers(base);

	/* nothing listens: transient, with every attempt spent */
	struct upstream *dead = client("http://127.0.0.1:1/api/", 1000, 3);
	memset(o, 0, sizeof o);
	upstream_post(dead, "deployFleet", json_object(), 0, done, &o[0]);
	run_until(o, 1);
	CHECK_EQ_INT(o[0].r.outcome, UPSTREAM_TRANSIENT);
	CHECK_EQ_INT(o[0].r.attempts, 3);
	upstream_free(dead);

	/* the token bucket: 12 calls at 20/s with a bucket of 1 must wait */
	struct upstream_config c = {.base_url = base, .rate = 20, .burst = 1};
	struct upstream *slow = upstream_new(loop, &c, err, sizeof err);
	memset(o, 0, sizeof o);
	for (int i = 0; i < 12; i++)
		upstream_post(slow, "getObjects", json_object(), 0, done, &o[i]);
	run_until(o, 12);
	for (int i = 0; i < 12; i++) {
		CHECK_EQ_INT(o[i].r.outcome, UPSTREAM_OK);
		json_decref(o[i].answer);
	}
	CHECK(upstream_get_stats(slow)->throttled >= 10);
	/* calls still queued at free are dropped without a callback */
	struct outcome never;
	memset(&never, 0, sizeof never);
	upstream_post(slow, "getObjects", json_object(), 0, done, &never);
	upstream_free(slow);
	CHECK_EQ_INT(never.called, 0);

	/* one transfer at a time: calls start and finish in posting order */
	struct upstream_config one = {.base_url = base, .rate = 1000, .max_inflight = 1,
				      .backoff_base_ms = 10000, .backoff_max_ms = 10000};
	struct upstream *fifo = upstream_new(loop, &one, err, sizeof err);
	static const int index[8] = {0, 1, 2, 3, 4, 5, 6, 7};
	for (int i = 0; i < 8; i++)
		CHECK(upstream_post(fifo, "login", json_pack("{s:i}", "n", i), 0, done_fifo,
				    (void *)&index[i]) == 0);
	CHECK_EQ_INT(upstream_get_stats(fifo)->queued, 8);
	int64_t end = clock_now_ms() + 20000;
	while (fifo_done < 8 && clock_now_ms() < end)
		loop_run_once(loop, 100);
	CHECK_EQ_INT(fifo_done, 8);
	for (int i = 0; i < 8; i++)
		CHECK_EQ_INT(fifo_order[i], i);
	CHECK_EQ_INT(upstream_get_stats(fifo)->queued, 0);

	/* freed with one call running (late), one waiting to retry (500) and
	 * two queued behind them: none is called back */
	memset(o, 0, sizeof o);
	upstream_post(fifo, "attack", json_object(), 0, done, &o[0]);
	upstream_post(fifo, "sellFleet", json_object(), 0, done, &o[1]);
	upstream_post(fifo, "getObjects", json_object(), 0, done, &o[2]);
	upstream_post(fifo, "getObjects", json_object(), 0, done, &o[3]);
	hits_500 = 0;
	int late_before = hits_late;
	end = clock_now_ms() + 5000;
	while (hits_late == late_before && clock_now_ms() < end)
		loop_run_once(loop, 20);
	CHECK_EQ_INT(hits_500, 1); /* its retry is 5 to 10 s away */
	CHECK_EQ_INT(hits_late, late_before + 1);
	CHECK_EQ_INT(upstream_get_stats(fifo)->inflight, 1);
	CHECK_EQ_INT(upstream_get_stats(fifo)->queued, 2);
	upstream_free(fifo);
	for (int i = 0; i < 4; i++)
		CHECK_EQ_INT(o[i].called, 0);

	/* let the late handlers answer before the server goes */
	end = clock_now_ms() + 2000;
	while (http_server_inflight(srv) > 0 && clock_now_ms() < end)
		loop_run_once(loop, 50);
	http_server_free(srv);
	loop_free(loop);
	return tap_done();
}
