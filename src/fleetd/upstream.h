/* upstream.h -- HTTP calls to the game API on the libcurl multi interface,
 * driven by the process's one select() loop.
 *
 * A queue of JSON POSTs with completion callbacks.  curl's descriptors and
 * curl_multi_timeout() feed the loop's wait; nothing blocks, nothing sleeps,
 * no thread.  Easy handles are pooled and the multi handle keeps the
 * connections, so calls reuse them.  Every attempt has a timeout, passes a
 * token bucket (--rate), and is classified:
 *
 *   OK          an answer that is JSON and not a hexeError
 *   GAME_ERROR  hexeError (code + message) or an HTTP 4xx: never retried
 *   TRANSIENT   no effect possible (refused, nothing sent, HTTP 5xx/429,
 *               hexeError "busy"): retried with exponential backoff + jitter
 *   AMBIGUOUS   the request went out but the answer did not come back whole
 *               (timeout, cut off): retried only for idempotent calls
 *
 * The body may carry secrets (password, auth token): it is never logged, and
 * neither are answers.  Knows nothing of the game's session or the mirror. */
#ifndef FLEETD_UPSTREAM_H
#define FLEETD_UPSTREAM_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct loop;
struct upstream;

struct upstream_config {
	const char *base_url;     /* e.g. http://127.0.0.1:8081/api/ */
	double rate;              /* attempts per second (token bucket) */
	double burst;             /* bucket size; 0: max(1, rate) */
	long timeout_ms;          /* whole attempt; 0: 30000 */
	long connect_timeout_ms;  /* 0: 5000 */
	int max_attempts;         /* per call; 0: 6 */
	int64_t backoff_base_ms;  /* 0: 200 */
	int64_t backoff_max_ms;   /* 0: 15000 */
	int max_inflight;         /* concurrent transfers; 0: 4 */
	size_t max_answer;        /* bytes; 0: 64 MiB */
};

enum upstream_outcome {
	UPSTREAM_OK,
	UPSTREAM_GAME_ERROR,
	UPSTREAM_TRANSIENT,
	UPSTREAM_AMBIGUOUS,
};

struct upstream_result {
	enum upstream_outcome outcome;
	const json_t *answer;  /* OK only; borrowed for the callback */
	const char *code;      /* GAME_ERROR: the game's code ("http_404" for 4xx) */
	const char *message;   /* what went wrong, for humans; "" when OK */
	long http_status;      /* 0 when no answer came */
	int attempts;
	/* UPSTREAM_RAW_ANSWER and OK: the answer's text, not parsed (answer is
	 * NULL); borrowed for the callback.  Checked only not to be a hexeError. */
	const char *text;
	size_t text_len;
};

typedef void (*upstream_done_fn)(void *arg, const struct upstream_result *r);
/* Told of every attempt's outcome, with whether it will be retried. */
typedef void (*upstream_attempt_fn)(void *arg, const char *endpoint,
				    enum upstream_outcome outcome, int will_retry);

#define UPSTREAM_IDEMPOTENT 1 /* safe to resend after an ambiguous attempt */
#define UPSTREAM_RAW_ANSWER 2 /* hand back the text; the caller parses it */

struct upstream *upstream_new(struct loop *loop, const struct upstream_config *cfg,
			      char *err, size_t errlen);
/* Drops queued and running calls without calling their callbacks. */
void upstream_free(struct upstream *u);
void upstream_set_observer(struct upstream *u, upstream_attempt_fn fn, void *arg);

/* POST body (stolen) as JSON to base_url + endpoint.  done is called exactly
 * once, from a loop callback, never from inside this function.  -1 (and no
 * callback) only when out of memory. */
int upstream_post(struct upstream *u, const char *endpoint, json_t *body,
		  int flags, upstream_done_fn done, void *arg);

const char *upstream_outcome_name(enum upstream_outcome o);

/* --- statistics (for /metrics) ------------------------------------------ */
#define UPSTREAM_MAX_ENDPOINTS 24
#define UPSTREAM_LATENCY_BUCKETS 12
/* Upper bounds in seconds of the first 11 buckets; the 12th is +Inf. */
extern const double upstream_latency_bounds[UPSTREAM_LATENCY_BUCKETS - 1];

struct upstream_endpoint_stats {
	char name[32];            /* endpoint; "other" for unknown ones */
	uint64_t calls;           /* HTTP attempts */
	uint64_t ok, game_errors, transient, ambiguous; /* per attempt */
	uint64_t retries;         /* attempts that were resends */
	uint64_t latency[UPSTREAM_LATENCY_BUCKETS]; /* per bucket, not cumulative */
	double latency_sum_s;
};

struct upstream_stats {
	size_t nendpoints;
	struct upstream_endpoint_stats endpoints[UPSTREAM_MAX_ENDPOINTS];
	uint64_t queued;          /* waiting now (rate limit, backoff, slots) */
	uint64_t inflight;        /* transfers running now */
	uint64_t throttled;       /* times a call waited for a token */
};

const struct upstream_stats *upstream_get_stats(const struct upstream *u);

#endif
