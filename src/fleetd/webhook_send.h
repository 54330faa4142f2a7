/* webhook_send.h -- delivering the webhook outbox (webhooks.h) with
 * libcurl's multi interface on the process's one select() loop.
 *
 * One delivery in flight per webhook (its rows go in id order), many
 * webhooks in parallel (at most WEBHOOK_SEND_MAX_INFLIGHT transfers).
 * Each attempt POSTs the stored body with Content-Type application/json,
 * X-Fleetd-Signature (webhook_sign.h), X-Fleetd-Event and
 * X-Fleetd-Delivery (the delivery id: the same on every attempt, for a
 * receiver to drop repeats); redirects are not followed; a 2xx is
 * success, anything else (a 3xx included) is retried with backoff
 * (backoff.h: 1 s doubling to 5 min, jittered), and a delivery that has
 * not succeeded by its expiry (--webhook-max-age, 24 h) is a dead letter.
 * A delivery is marked done only after the answer came: a crash between
 * the two sends it again (at least once).  Never logs a URL, body or
 * secret.  Owns the multi handle and the transfers. */
#ifndef FLEETD_WEBHOOK_SEND_H
#define FLEETD_WEBHOOK_SEND_H

#include <stddef.h>
#include <stdint.h>

struct loop;
struct webhooks;
struct webhook_send;

#define WEBHOOK_SEND_MAX_INFLIGHT 64

struct webhook_send *webhook_send_new(struct loop *loop, struct webhooks *wh,
				      char *err, size_t errlen);
void webhook_send_free(struct webhook_send *ws);

/* A webhook was deleted: drop its transfer in flight, if any, before the
 * DELETE is answered, so that nothing more of it is written to the wire
 * after the answer (bytes written before may still reach the receiver).
 * 1 when a transfer was dropped, 0 when there was none. */
int webhook_send_abandon(struct webhook_send *ws, int64_t webhook_id);

#endif
