/* webhook_send.c -- see webhook_send.h.  Owns the curl multi handle, the
 * transfers in flight and the sender's marks on each webhook (inflight,
 * idle, next_ms); must not write the outbox but through webhooks.h.
 *
 * The pump, run after every select(): for each webhook with nothing in
 * flight, not idle and due, read its head row; none (or not committed
 * yet): idle until webhooks.c kicks; not due: remember when; due: start
 * the transfer.  The wait of the loop is the nearest next_ms. */
#include "webhook_send.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoconf.h"
#include "backoff.h"
#include "clock.h"
#include "curl_source.h"
#include "list.h"
#include "log.h"
#include "loop.h"
#include "rng.h"
#include "webhook_sign.h"
#include "webhooks.h"

#define RETRY_BASE_MS 1000
#define RETRY_MAX_MS (5 * 60 * 1000)
#define STORE_RETRY_MS 1000   /* the outcome could not be written: look again */
#define TIMEOUT_MS 15000
#define CONNECT_TIMEOUT_MS 5000
#define ANSWER_MAX (64 << 10) /* read and dropped; beyond: the attempt fails */

struct transfer {
	struct list_node link;       /* on webhook_send.transfers */
	struct webhook_send *ws;
	struct webhook_delivery d;
	CURL *easy;
	struct curl_slist *headers;
	size_t answer_len;
	char errbuf[CURL_ERROR_SIZE];
};

struct webhook_send {
	struct loop *loop;
	struct webhooks *wh;
	CURLM *multi;
	struct list_node transfers;  /* of transfer.link: every one in flight */
	int inflight;
	int kicked;
	struct rng rng;
};

static void kick(void *arg)
{
	struct webhook_send *ws = arg;
	ws->kicked = 1;
	loop_wake(ws->loop);
}

static size_t on_answer(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct transfer *t = arg;
	(void)ptr;
	t->answer_len += size * nmemb;
	return t->answer_len > ANSWER_MAX ? 0 : size * nmemb;
}

static void transfer_free(struct transfer *t)
{
	if (list_linked(&t->link))
		list_remove(&t->link);
	if (t->easy)
		curl_easy_cleanup(t->easy);
	curl_slist_free_all(t->headers);
	webhook_delivery_clear(&t->d);
	free(t);
}

static struct curl_slist *headers_for(const struct webhook *h,
				      const struct webhook_delivery *d)
{
	char sig[WEBHOOK_SIG_LEN], line[160];
	if (webhook_sign(h->secret, strlen(h->secret), d->body, d->body_len, sig) < 0)
		return NULL;
	struct curl_slist *l = curl_slist_append(NULL, "Content-Type: application/json");
	snprintf(line, sizeof line, "X-Fleetd-Signature: %s", sig);
	l = l ? curl_slist_append(l, line) : NULL;
	snprintf(line, sizeof line, "X-Fleetd-Event: %s", d->type);
	l = l ? curl_slist_append(l, line) : NULL;
	snprintf(line, sizeof line, "X-Fleetd-Delivery: %lld", (long long)d->id);
	l = l ? curl_slist_append(l, line) : NULL;
	/* no "Expect: 100-continue" round trip */
	l = l ? curl_slist_append(l, "Expect:") : NULL;
	return l;
}

static void set_options(struct transfer *t, const struct webhook *h)
{
	CURL *e = t->easy;
	curl_easy_setopt(e, CURLOPT_URL, h->url);
	curl_easy_setopt(e, CURLOPT_POST, 1L);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->d.body);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)t->d.body_len);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_answer);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(e, CURLOPT_PRIVATE, t);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_source_easy_defaults(e, "fleetd/" PACKAGE_VERSION, TIMEOUT_MS,
				  CONNECT_TIMEOUT_MS);
}

/* Start sending d (stolen) to h.  -1 when it could not be set up. */
static int start(struct webhook_send *ws, struct webhook *h, struct webhook_delivery *d)
{
	struct transfer *t = calloc(1, sizeof *t);
	if (!t) {
		webhook_delivery_clear(d);
		return -1;
	}
	list_init(&t->link);
	t->ws = ws;
	t->d = *d;
	memset(d, 0, sizeof *d);
	t->headers = headers_for(h, &t->d);
	t->easy = t->headers ? curl_easy_init() : NULL;
	if (!t->easy) {
		transfer_free(t);
		return -1;
	}
	set_options(t, h);
	if (curl_multi_add_handle(ws->multi, t->easy) != CURLM_OK) {
		transfer_free(t);
		return -1;
	}
	list_push_back(&ws->transfers, &t->link);
	h->inflight = 1;
	ws->inflight++;
	return 0;
}

/* Write what one attempt came to; the webhook's next row is looked for
 * at once after a success, after the backoff otherwise. */
static void conclude(struct webhook_send *ws, struct transfer *t, long status,
		     const char *why)
{
	int64_t now = clock_now_ms();
	const struct webhook_delivery *d = &t->d;
	enum webhook_outcome out = WEBHOOK_DELIVERED;
	int64_t next = now;
	if (status < 200 || status > 299) {
		next = now + backoff_jittered_ms(RETRY_BASE_MS, RETRY_MAX_MS,
						 d->attempts + 1, &ws->rng);
		out = next > d->expires_ms ? WEBHOOK_DEAD : WEBHOOK_RETRY;
		char q[300];
		log_write(out == WEBHOOK_DEAD ? LOG_WARN : LOG_INFO,
			  out == WEBHOOK_DEAD ? "webhook delivery dead" : "webhook delivery failed",
			  "webhook=%lld delivery=%lld attempt=%lld status=%ld error=%s",
			  (long long)d->webhook_id, (long long)d->id,
			  (long long)d->attempts + 1, status, log_quote(q, sizeof q, why));
	}
	struct webhook *h = webhooks_find(ws->wh, d->webhook_id);
	if (webhooks_record(ws->wh, d->id, out, status, why, now, next) < 0) {
		log_warn("webhook delivery outcome not recorded", "delivery=%lld",
			 (long long)d->id);
		next = now + STORE_RETRY_MS; /* it stays pending: sent again */
	}
	if (h) {
		h->inflight = 0;
		h->next_ms = out == WEBHOOK_DELIVERED ? 0 : next;
	}
}

static void finished(void *arg, CURL *easy, CURLcode result)
{
	struct webhook_send *ws = arg;
	struct transfer *t = NULL;
	curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&t);
	long status = 0;
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
	char why[CURL_ERROR_SIZE + 32];
	if (result != CURLE_OK)
		snprintf(why, sizeof why, "%s",
			 t->errbuf[0] ? t->errbuf : curl_easy_strerror(result));
	else if (status < 200 || status > 299)
		snprintf(why, sizeof why, "HTTP %ld%s", status,
			 status >= 300 && status < 400 ? " (redirects are not followed)" : "");
	else
		why[0] = 0;
	if (result != CURLE_OK && status >= 200 && status <= 299)
		status = 0; /* a 2xx whose answer broke off is not a success */
	curl_multi_remove_handle(ws->multi, easy);
	ws->inflight--;
	conclude(ws, t, status, why[0] ? why : NULL);
	transfer_free(t);
}

/* Look at one webhook: start its head row when due.  Returns the time it
 * wants to be looked at again (-1: not before a kick or its transfer). */
static int64_t consider(struct webhook_send *ws, struct webhook *h, int64_t now)
{
	if (h->inflight || h->idle)
		return -1;
	if (h->next_ms > now)
		return h->next_ms;
	if (ws->inflight >= WEBHOOK_SEND_MAX_INFLIGHT)
		return now;
	struct webhook_delivery d;
	int found = webhooks_head(ws->wh, h->id, &d);
	if (found <= 0) {
		if (found < 0)
			h->next_ms = now + STORE_RETRY_MS;
		else
			h->idle = 1;
		return found < 0 ? h->next_ms : -1;
	}
	if (d.next_ms > now) {
		h->next_ms = d.next_ms;
		webhook_delivery_clear(&d);
		return h->next_ms;
	}
	if (start(ws, h, &d) < 0) {
		h->next_ms = now + STORE_RETRY_MS;
		return h->next_ms;
	}
	return -1;
}

/* The earliest time a webhook wants to be looked at, -1 for none. */
static int64_t pump(struct webhook_send *ws)
{
	int64_t now = clock_now_ms(), soonest = -1;
	ws->kicked = 0;
	for (size_t i = 0; i < webhooks_count(ws->wh); i++) {
		int64_t at = consider(ws, webhooks_at(ws->wh, i), now);
		if (at >= 0 && (soonest < 0 || at < soonest))
			soonest = at;
	}
	return soonest;
}

static void ws_prepare(void *arg, struct loop_fds *fds, int64_t *timeout_ms)
{
	struct webhook_send *ws = arg;
	curl_source_prepare(ws->multi, ws->inflight, fds, timeout_ms);
	/* every slot taken: only a finished transfer (curl's wait) frees one */
	if (ws->inflight >= WEBHOOK_SEND_MAX_INFLIGHT)
		return;
	int64_t now = clock_now_ms(), soonest = ws->kicked ? now : -1;
	for (size_t i = 0; i < webhooks_count(ws->wh) && soonest != now; i++) {
		const struct webhook *h = webhooks_at(ws->wh, i);
		if (h->inflight || h->idle)
			continue;
		int64_t at = h->next_ms > now ? h->next_ms : now;
		if (soonest < 0 || at < soonest)
			soonest = at;
	}
	if (soonest >= 0 && (*timeout_ms < 0 || soonest - now < *timeout_ms))
		*timeout_ms = soonest - now;
}

static void ws_dispatch(void *arg, const struct loop_fds *fds)
{
	struct webhook_send *ws = arg;
	(void)fds;
	if (ws->inflight)
		curl_source_perform(ws->multi, finished, ws);
	pump(ws);
}

int webhook_send_abandon(struct webhook_send *ws, int64_t webhook_id)
{
	struct list_node *n, *tmp;
	LIST_EACH_SAFE(n, tmp, &ws->transfers) {
		struct transfer *t = LIST_ELEM(n, struct transfer, link);
		if (t->d.webhook_id != webhook_id)
			continue;
		log_info("webhook delivery abandoned", "webhook=%lld delivery=%lld",
			 (long long)webhook_id, (long long)t->d.id);
		curl_multi_remove_handle(ws->multi, t->easy);
		ws->inflight--;
		transfer_free(t);
		struct webhook *h = webhooks_find(ws->wh, webhook_id);
		if (h)
			h->inflight = 0;
		return 1; /* one transfer per webhook at most */
	}
	return 0;
}

struct webhook_send *webhook_send_new(struct loop *loop, struct webhooks *wh,
				      char *err, size_t errlen)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(err, errlen, "cannot initialise libcurl");
		return NULL;
	}
	struct webhook_send *ws = calloc(1, sizeof *ws);
	if (!ws || !(ws->multi = curl_multi_init())) {
		free(ws);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	list_init(&ws->transfers);
	ws->loop = loop;
	ws->wh = wh;
	ws->kicked = 1;
	rng_seed(&ws->rng, rng_seed_now());
	curl_multi_setopt(ws->multi, CURLMOPT_MAXCONNECTS, (long)WEBHOOK_SEND_MAX_INFLIGHT);
	struct loop_source src = {"webhooks", ws_prepare, ws_dispatch, ws};
	if (loop_add_source(loop, &src) < 0) {
		snprintf(err, errlen, "too many loop sources");
		curl_multi_cleanup(ws->multi);
		free(ws);
		return NULL;
	}
	webhooks_on_kick(wh, kick, ws);
	return ws;
}

void webhook_send_free(struct webhook_send *ws)
{
	if (!ws)
		return;
	loop_remove_source(ws->loop, ws);
	webhooks_on_kick(ws->wh, NULL, NULL);
	/* the transfers in flight are dropped: their rows stay pending */
	struct list_node *n;
	while ((n = list_first(&ws->transfers))) {
		struct transfer *t = LIST_ELEM(n, struct transfer, link);
		curl_multi_remove_handle(ws->multi, t->easy);
		transfer_free(t);
	}
	for (size_t i = 0; i < webhooks_count(ws->wh); i++)
		webhooks_at(ws->wh, i)->inflight = 0;
	curl_multi_cleanup(ws->multi);
	free(ws);
}
