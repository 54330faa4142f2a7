/* upstream.c -- see upstream.h.  Owns the curl multi handle, the pool of
 * easy handles, the queue of calls and their retry timers; must not parse
 * game objects or keep session state (tokens, sequences).
 *
 * A call moves: queue -> (token + free slot) -> transfer -> classify ->
 * done, or -> backoff timer -> queue.  The queue is FIFO; a retried call
 * goes to the back like a new one.
 *
 * Answer buffers: an answer is received into one block, sized from its
 * Content-Length when the game sends one.  The block of a big answer
 * (over RESP_FIRST, up to RESP_KEEP) is kept when its call ends, the
 * largest such, and the next big answer is received into it: every watch
 * brings a delta of a few hundred KiB, which otherwise cost a malloc and a
 * free of that size each time (each a consolidation of glibc's small free
 * chunks, the free perhaps a trim of the heap). */
#include "upstream.h"

#include <curl/curl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "autoconf.h"
#include "backoff.h"
#include "clock.h"
#include "curl_source.h"
#include "jsonx.h"
#include "list.h"
#include "log.h"
#include "loop.h"
#include "rng.h"

#define HEXE_MARKER "AEON2011:hexeError:v1"
#define EASY_POOL 8
#define RESP_FIRST 16384            /* first room when the length is unknown */
#define RESP_KEEP ((size_t)1 << 20) /* the largest answer block kept */

const double upstream_latency_bounds[UPSTREAM_LATENCY_BUCKETS - 1] = {
	0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

static const char *const known_endpoints[] = {
	"login", "getGameInfo", "getObjects", "setDestination", "deployFleet",
	"transferFleet", "disbandFleet", "renameObject", "attack", "abortAttack",
	"sellFleet", "buyItem", "launchLAMs", "getTactical", "gameList"};

struct up_call {
	struct list_node qlink;      /* on the queue; unlinked while it runs or waits */
	struct list_node link;       /* on the list of every live call, for free() */
	struct upstream *u;
	char endpoint[48];
	char *body;
	size_t body_len;
	int flags;
	int attempts;
	upstream_done_fn done;
	void *arg;
	CURL *easy;                  /* while a transfer runs */
	char *resp;
	size_t resp_len, resp_cap;
	int resp_overflow;
	int64_t started_ns;
	struct loop_timer retry;     /* backoff */
	char errbuf[CURL_ERROR_SIZE];
};

struct upstream {
	struct loop *loop;
	CURLM *multi;
	struct curl_slist *headers;
	char *base;
	struct upstream_config cfg;
	CURL *pool[EASY_POOL];
	int npool;
	struct list_node queue;      /* of up_call.qlink, FIFO */
	struct list_node calls;      /* of up_call.link: every live call */
	int inflight;
	double tokens;
	int64_t refill_ns;
	const struct up_call *throttled_head; /* counted once per waiting call */
	struct rng rng;              /* backoff jitter */
	upstream_attempt_fn observer;
	void *observer_arg;
	struct upstream_stats stats;
	char *spare;                 /* a big answer's block, kept for the next */
	size_t spare_cap;
};

const char *upstream_outcome_name(enum upstream_outcome o)
{
	switch (o) {
	case UPSTREAM_OK:
		return "ok";
	case UPSTREAM_GAME_ERROR:
		return "game_error";
	case UPSTREAM_TRANSIENT:
		return "transient";
	case UPSTREAM_AMBIGUOUS:
		return "ambiguous";
	}
	return "?";
}

/* --- statistics ------------------------------------------------------------ */

static struct upstream_endpoint_stats *ep_stats(struct upstream *u, const char *ep)
{
	const char *name = "other";
	for (size_t i = 0; i < sizeof known_endpoints / sizeof known_endpoints[0]; i++)
		if (strcmp(ep, known_endpoints[i]) == 0)
			name = known_endpoints[i];
	struct upstream_stats *s = &u->stats;
	for (size_t i = 0; i < s->nendpoints; i++)
		if (strcmp(s->endpoints[i].name, name) == 0)
			return &s->endpoints[i];
	if (s->nendpoints == UPSTREAM_MAX_ENDPOINTS)
		return &s->endpoints[s->nendpoints - 1];
	struct upstream_endpoint_stats *e = &s->endpoints[s->nendpoints++];
	snprintf(e->name, sizeof e->name, "%s", name);
	return e;
}

static void record(struct upstream *u, const struct up_call *c,
		   enum upstream_outcome o, double secs)
{
	struct upstream_endpoint_stats *e = ep_stats(u, c->endpoint);
	e->calls++;
	if (c->attempts > 1)
		e->retries++;
	switch (o) {
	case UPSTREAM_OK:
		e->ok++;
		break;
	case UPSTREAM_GAME_ERROR:
		e->game_errors++;
		break;
	case UPSTREAM_TRANSIENT:
		e->transient++;
		break;
	case UPSTREAM_AMBIGUOUS:
		e->ambiguous++;
		break;
	}
	size_t b = 0;
	while (b < UPSTREAM_LATENCY_BUCKETS - 1 && secs > upstream_latency_bounds[b])
		b++;
	e->latency[b]++;
	e->latency_sum_s += secs;
}

const struct upstream_stats *upstream_get_stats(const struct upstream *u)
{
	return &u->stats;
}

/* --- queue and token bucket -------------------------------------------------- */

static void enqueue(struct upstream *u, struct up_call *c)
{
	list_push_back(&u->queue, &c->qlink);
	u->stats.queued++;
}

/* The call at the head of the queue, or NULL. */
static struct up_call *queue_head(const struct upstream *u)
{
	struct list_node *n = list_first(&u->queue);
	return n ? LIST_ELEM(n, struct up_call, qlink) : NULL;
}

static struct up_call *dequeue(struct upstream *u)
{
	struct up_call *c = queue_head(u);
	if (!c)
		return NULL;
	list_remove(&c->qlink);
	u->stats.queued--;
	return c;
}

static double burst(const struct upstream *u)
{
	return u->cfg.burst > 0 ? u->cfg.burst : (u->cfg.rate > 1 ? u->cfg.rate : 1);
}

static void refill(struct upstream *u)
{
	int64_t now = clock_mono_ns();
	u->tokens += (double)(now - u->refill_ns) / 1e9 * u->cfg.rate;
	if (u->tokens > burst(u))
		u->tokens = burst(u);
	u->refill_ns = now;
}

/* ms until the next token, 0 if one is there now */
static int64_t token_wait_ms(struct upstream *u)
{
	refill(u);
	if (u->tokens >= 1)
		return 0;
	return (int64_t)ceil((1 - u->tokens) * 1000 / u->cfg.rate);
}

/* --- transfers ----------------------------------------------------------------- */

/* Room for need bytes of c's answer (more than it has). */
static int resp_reserve(struct up_call *c, size_t need)
{
	struct upstream *u = c->u;
	size_t cap = c->resp_cap ? c->resp_cap : RESP_FIRST;
	/* a delta is ~200 KB: room for all of it at once when the game says
	 * how long it is, rather than five copies */
	curl_off_t total = -1;
	if (!c->resp_cap && c->easy &&
	    curl_easy_getinfo(c->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &total) == CURLE_OK &&
	    total > 0 && (uint64_t)total < u->cfg.max_answer)
		cap = (size_t)total + 1;
	while (cap < need)
		cap *= 2;
	if (cap > RESP_FIRST && u->spare && u->spare_cap >= cap) {
		if (c->resp_len)
			memcpy(u->spare, c->resp, c->resp_len);
		free(c->resp);
		c->resp = u->spare;
		c->resp_cap = u->spare_cap;
		u->spare = NULL;
		u->spare_cap = 0;
		return 0;
	}
	char *p = realloc(c->resp, cap);
	if (!p)
		return -1;
	c->resp = p;
	c->resp_cap = cap;
	return 0;
}

/* The call is done with its answer block: kept as the spare if it is the
 * largest big one so far (see the top of the file), else freed. */
static void resp_release(struct upstream *u, struct up_call *c)
{
	if (c->resp_cap > RESP_FIRST && c->resp_cap <= RESP_KEEP && c->resp_cap > u->spare_cap) {
		free(u->spare);
		u->spare = c->resp;
		u->spare_cap = c->resp_cap;
	} else {
		free(c->resp);
	}
	c->resp = NULL;
	c->resp_cap = c->resp_len = 0;
}

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct up_call *c = arg;
	size_t n = size * nmemb;
	if (c->resp_len + n + 1 > c->u->cfg.max_answer) {
		c->resp_overflow = 1;
		return 0; /* aborts the transfer */
	}
	if (c->resp_len + n + 1 > c->resp_cap && resp_reserve(c, c->resp_len + n + 1) < 0)
		return 0;
	memcpy(c->resp + c->resp_len, ptr, n);
	c->resp_len += n;
	c->resp[c->resp_len] = 0;
	return n;
}

static CURL *easy_get(struct upstream *u)
{
	if (u->npool)
		return u->pool[--u->npool];
	return curl_easy_init();
}

static void easy_put(struct upstream *u, CURL *e)
{
	if (u->npool < EASY_POOL) {
		curl_easy_reset(e);
		u->pool[u->npool++] = e;
	} else {
		curl_easy_cleanup(e);
	}
}

static int start(struct upstream *u, struct up_call *c)
{
	char url[2048];
	snprintf(url, sizeof url, "%s%s", u->base, c->endpoint);
	CURL *e = easy_get(u);
	if (!e)
		return -1;
	c->easy = e;
	c->resp_len = 0;
	c->resp_overflow = 0;
	c->errbuf[0] = 0;
	c->attempts++;
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_POST, 1L);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, c->body);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)c->body_len);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, u->headers);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(e, CURLOPT_PRIVATE, c);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_source_easy_defaults(e, "fleetd/" PACKAGE_VERSION, u->cfg.timeout_ms,
				  u->cfg.connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	c->started_ns = clock_mono_ns();
	if (curl_multi_add_handle(u->multi, e) != CURLM_OK) {
		c->easy = NULL;
		easy_put(u, e);
		return -1;
	}
	u->inflight++;
	u->stats.inflight = (uint64_t)u->inflight;
	return 0;
}

static void call_free(struct up_call *c)
{
	struct upstream *u = c->u;
	list_remove(&c->link);
	if (list_linked(&c->qlink)) { /* dropped while queued (upstream_free) */
		list_remove(&c->qlink);
		u->stats.queued--;
	}
	if (u->throttled_head == c)
		u->throttled_head = NULL;
	loop_timer_disarm(u->loop, &c->retry);
	free(c->body);
	resp_release(u, c);
	free(c);
}

static void finish(struct upstream *u, struct up_call *c,
		   const struct upstream_result *r)
{
	c->done(c->arg, r);
	call_free(c);
	(void)u;
}

static void on_retry_timer(struct loop *loop, void *arg)
{
	struct up_call *c = arg;
	(void)loop;
	enqueue(c->u, c);
}

/* Is this hexeError a "try again" rather than a refusal? */
static int hexe_busy(const char *code, const char *msg)
{
	return strcasecmp(code, "busy") == 0 || strcasecmp(code, "serverBusy") == 0 ||
	       strcasecmp(code, "rateLimited") == 0 ||
	       (msg && strcasestr(msg, "server is busy") != NULL);
}

struct verdict {
	enum upstream_outcome outcome;
	json_t *answer;   /* owned */
	char code[64];
	char message[256];
	long status;
};

/* Does the text open like a hexeError list?  (Raw answers are parsed by
 * the caller; refusals must still be told apart here.) */
static int looks_hexe(const char *t, size_t n)
{
	size_t i = 0;
	while (i < n && (t[i] == ' ' || t[i] == '\n' || t[i] == '\r' || t[i] == '\t'))
		i++;
	if (i == n || t[i] != '[')
		return 0;
	i++;
	while (i < n && (t[i] == ' ' || t[i] == '\n' || t[i] == '\r' || t[i] == '\t'))
		i++;
	static const char tag[] = "\"" HEXE_MARKER "\"";
	return n - i >= sizeof tag - 1 && memcmp(t + i, tag, sizeof tag - 1) == 0;
}

static void classify_answer(struct up_call *c, struct verdict *v)
{
	if (v->status >= 500 || v->status == 429) {
		v->outcome = UPSTREAM_TRANSIENT;
		snprintf(v->message, sizeof v->message, "HTTP %ld from the game", v->status);
		return;
	}
	if (v->status != 200) {
		v->outcome = UPSTREAM_GAME_ERROR;
		snprintf(v->code, sizeof v->code, "http_%ld", v->status);
		snprintf(v->message, sizeof v->message, "HTTP %ld from the game", v->status);
		return;
	}
	if ((c->flags & UPSTREAM_RAW_ANSWER) && c->resp && !looks_hexe(c->resp, c->resp_len)) {
		v->outcome = UPSTREAM_OK;
		return;
	}
	char perr[160];
	v->answer = c->resp ? jsonx_parse(c->resp, c->resp_len, 0, perr, sizeof perr)
			    : NULL;
	if (!v->answer) {
		/* complete by HTTP, yet not JSON: we cannot tell what happened */
		v->outcome = UPSTREAM_AMBIGUOUS;
		snprintf(v->message, sizeof v->message, "the game's answer is not JSON");
		return;
	}
	const json_t *a = v->answer;
	const char *tag = json_string_value(json_array_get(a, 0));
	if (json_is_array(a) && tag && strcmp(tag, HEXE_MARKER) == 0) {
		const char *code = json_string_value(json_array_get(a, 1));
		const char *msg = json_string_value(json_array_get(a, 3));
		snprintf(v->code, sizeof v->code, "%s", code ? code : "unknown");
		snprintf(v->message, sizeof v->message, "%s",
			 msg ? msg : (code ? code : "game error"));
		v->outcome = hexe_busy(v->code, msg) ? UPSTREAM_TRANSIENT
						     : UPSTREAM_GAME_ERROR;
		json_decref(v->answer);
		v->answer = NULL;
		return;
	}
	v->outcome = UPSTREAM_OK;
}

static void classify(struct up_call *c, CURLcode rc, struct verdict *v)
{
	memset(v, 0, sizeof *v);
	curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &v->status);
	if (rc == CURLE_OK) {
		classify_answer(c, v);
		return;
	}
	long sent = 0;
	curl_easy_getinfo(c->easy, CURLINFO_REQUEST_SIZE, &sent);
	const char *why = c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc);
	if (c->resp_overflow) {
		v->outcome = UPSTREAM_AMBIGUOUS;
		snprintf(v->message, sizeof v->message, "the game's answer is over %zu bytes",
			 c->u->cfg.max_answer);
	} else if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
		   rc == CURLE_COULDNT_RESOLVE_PROXY || sent == 0) {
		/* the request never left: it cannot have had an effect */
		v->outcome = UPSTREAM_TRANSIENT;
		snprintf(v->message, sizeof v->message, "%s", why);
	} else {
		v->outcome = UPSTREAM_AMBIGUOUS;
		snprintf(v->message, sizeof v->message, "%s", why);
	}
}

static void done_transfer(struct upstream *u, struct up_call *c, CURLcode rc)
{
	struct verdict v;
	classify(c, rc, &v);
	double secs = (double)(clock_mono_ns() - c->started_ns) / 1e9;
	curl_multi_remove_handle(u->multi, c->easy);
	easy_put(u, c->easy);
	c->easy = NULL;
	u->inflight--;
	u->stats.inflight = (uint64_t)u->inflight;
	record(u, c, v.outcome, secs);

	int retryable = v.outcome == UPSTREAM_TRANSIENT ||
			(v.outcome == UPSTREAM_AMBIGUOUS && (c->flags & UPSTREAM_IDEMPOTENT));
	int will_retry = retryable && c->attempts < u->cfg.max_attempts;
	char qmsg[300];
	log_write(v.outcome == UPSTREAM_OK || v.outcome == UPSTREAM_GAME_ERROR
			  ? LOG_DEBUG
			  : LOG_INFO,
		  "upstream call",
		  "endpoint=%s status=%ld outcome=%s attempt=%d ms=%.1f bytes=%zu%s%s",
		  c->endpoint, v.status, upstream_outcome_name(v.outcome), c->attempts,
		  secs * 1000, c->resp_len, v.outcome == UPSTREAM_OK ? "" : " error=",
		  v.outcome == UPSTREAM_OK ? "" : log_quote(qmsg, sizeof qmsg, v.message));
	if (u->observer)
		u->observer(u->observer_arg, c->endpoint, v.outcome, will_retry);
	if (will_retry) {
		json_decref(v.answer);
		int64_t d = backoff_jittered_ms(u->cfg.backoff_base_ms, u->cfg.backoff_max_ms,
						 c->attempts, &u->rng);
		loop_timer_arm(u->loop, &c->retry, clock_now_ms() + d);
		return;
	}
	struct upstream_result r = {
		.outcome = v.outcome,
		.answer = v.answer,
		.code = v.code[0] ? v.code : NULL,
		.message = v.message,
		.http_status = v.status,
		.attempts = c->attempts,
		.text = v.outcome == UPSTREAM_OK && !v.answer ? c->resp : NULL,
		.text_len = v.outcome == UPSTREAM_OK && !v.answer ? c->resp_len : 0,
	};
	finish(u, c, &r);
	json_decref(v.answer);
}

/* Start queued calls while tokens and slots allow. */
static void pump(struct upstream *u)
{
	while (!list_empty(&u->queue) && u->inflight < u->cfg.max_inflight) {
		if (token_wait_ms(u) > 0) {
			const struct up_call *head = queue_head(u);
			if (u->throttled_head != head)
				u->stats.throttled++;
			u->throttled_head = head;
			return;
		}
		struct up_call *c = dequeue(u);
		u->tokens -= 1;
		if (start(u, c) < 0) {
			struct upstream_result r = {
				.outcome = UPSTREAM_TRANSIENT,
				.message = "cannot start a transfer (out of memory)",
				.attempts = c->attempts,
			};
			finish(u, c, &r);
		}
	}
}

/* --- loop source ---------------------------------------------------------------- */

static void up_prepare(void *arg, struct loop_fds *fds, int64_t *timeout_ms)
{
	struct upstream *u = arg;
	curl_source_prepare(u->multi, u->inflight, fds, timeout_ms);
	if (!list_empty(&u->queue) && u->inflight < u->cfg.max_inflight) {
		int64_t tw = token_wait_ms(u);
		if (*timeout_ms < 0 || tw < *timeout_ms)
			*timeout_ms = tw;
	}
}

static void up_finished(void *arg, CURL *easy, CURLcode result)
{
	struct up_call *c = NULL;
	curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&c);
	done_transfer(arg, c, result);
}

static void up_dispatch(void *arg, const struct loop_fds *fds)
{
	struct upstream *u = arg;
	(void)fds;
	pump(u);
	if (!u->inflight)
		return;
	curl_source_perform(u->multi, up_finished, u);
	pump(u);
}

/* --- public ----------------------------------------------------------------------- */

void upstream_free(struct upstream *u)
{
	if (!u)
		return;
	loop_remove_source(u->loop, u);
	struct list_node *n;
	while ((n = list_first(&u->calls))) {
		struct up_call *c = LIST_ELEM(n, struct up_call, link);
		if (c->easy) {
			curl_multi_remove_handle(u->multi, c->easy);
			curl_easy_cleanup(c->easy);
		}
		call_free(c);
	}
	for (int i = 0; i < u->npool; i++)
		curl_easy_cleanup(u->pool[i]);
	if (u->multi)
		curl_multi_cleanup(u->multi);
	curl_slist_free_all(u->headers);
	free(u->base);
	free(u->spare);
	free(u);
}

struct upstream *upstream_new(struct loop *loop, const struct upstream_config *cfg,
			      char *err, size_t errlen)
{
	static int global_done;
	if (!global_done) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			snprintf(err, errlen, "cannot initialise libcurl");
			return NULL;
		}
		global_done = 1;
	}
	struct upstream *u = calloc(1, sizeof *u);
	if (!u) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	u->loop = loop;
	list_init(&u->queue);
	list_init(&u->calls);
	u->cfg = *cfg;
	if (u->cfg.rate <= 0)
		u->cfg.rate = 5;
	if (!u->cfg.timeout_ms)
		u->cfg.timeout_ms = 30000;
	if (!u->cfg.connect_timeout_ms)
		u->cfg.connect_timeout_ms = 5000;
	if (!u->cfg.max_attempts)
		u->cfg.max_attempts = 6;
	if (!u->cfg.backoff_base_ms)
		u->cfg.backoff_base_ms = 200;
	if (!u->cfg.backoff_max_ms)
		u->cfg.backoff_max_ms = 15000;
	if (!u->cfg.max_inflight)
		u->cfg.max_inflight = 4;
	if (!u->cfg.max_answer)
		u->cfg.max_answer = (size_t)64 << 20;
	size_t blen = strlen(cfg->base_url);
	u->base = malloc(blen + 2);
	u->multi = curl_multi_init();
	u->headers = curl_slist_append(NULL, "Content-Type: application/json");
	if (u->headers) /* no "Expect: 100-continue" round trip for big bodies */
		u->headers = curl_slist_append(u->headers, "Expect:");
	if (!u->base || !u->multi || !u->headers) {
		snprintf(err, errlen, "out of memory");
		upstream_free(u);
		return NULL;
	}
	memcpy(u->base, cfg->base_url, blen + 1);
	if (blen && u->base[blen - 1] != '/')
		strcat(u->base, "/");
	curl_multi_setopt(u->multi, CURLMOPT_MAXCONNECTS, (long)u->cfg.max_inflight * 2);
	u->tokens = burst(u);
	u->refill_ns = clock_mono_ns();
	rng_seed(&u->rng, rng_seed_now());
	struct loop_source src = {"upstream", up_prepare, up_dispatch, u};
	if (loop_add_source(loop, &src) < 0) {
		snprintf(err, errlen, "too many loop sources");
		upstream_free(u);
		return NULL;
	}
	return u;
}

void upstream_set_observer(struct upstream *u, upstream_attempt_fn fn, void *arg)
{
	u->observer = fn;
	u->observer_arg = arg;
}

int upstream_post(struct upstream *u, const char *endpoint, json_t *body,
		  int flags, upstream_done_fn done, void *arg)
{
	struct up_call *c = calloc(1, sizeof *c);
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	if (!c || !text) {
		free(c);
		free(text);
		return -1;
	}
	c->u = u;
	snprintf(c->endpoint, sizeof c->endpoint, "%s", endpoint);
	c->body = text;
	c->body_len = strlen(text);
	c->flags = flags;
	c->done = done;
	c->arg = arg;
	loop_timer_init(&c->retry, on_retry_timer, c);
	list_init(&c->qlink);
	list_push_back(&u->calls, &c->link);
	enqueue(u, c);
	return 0;
}
