/* webhooks.h -- the registered webhooks and their durable outbox (tables
 * `webhooks` and `webhook_outbox`, migration 0011).
 *
 * An event-log tap (eventlog.h) inserts one outbox row per webhook that
 * asked for the event, inside the transaction that appends the event: a
 * delivery exists exactly when its event does, and a crash loses neither.
 * The rows of one webhook are delivered in id order (webhook_send.c).  A
 * row is only handed to the sender once the event that made it is
 * committed (the event log's subscription says so), so nothing is sent
 * that a failed commit could still take back.
 *
 * The webhooks are also kept in memory (the tap runs for every event).
 * The secret is read by the sender only; no answer built here holds it.
 * Owns both tables and the in-memory list; must not send anything or
 * know HTTP. */
#ifndef FLEETD_WEBHOOKS_H
#define FLEETD_WEBHOOKS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "webhook_event.h"

struct store;
struct eventlog;
struct webhook_spec;

#define WEBHOOKS_MAX 256 /* registered at once */

struct webhook {
	int64_t id;
	char *url;
	char *secret;
	enum webhook_format format;
	uint32_t events;    /* bit i: webhook_event_names[i] */
	/* the sender's bookkeeping (webhook_send.c), not persisted: */
	int inflight;       /* a delivery of this webhook is being sent */
	int idle;           /* no committed pending row: skip until kicked */
	int64_t next_ms;    /* look for its next row no earlier than this */
};

struct webhook_delivery {
	int64_t id, webhook_id, event_id;
	int64_t attempts, expires_ms, next_ms;
	char type[WEBHOOK_EVENT_NAME_MAX];
	char *body;         /* owned; NUL-terminated */
	size_t body_len;
};

enum webhook_outcome { WEBHOOK_DELIVERED, WEBHOOK_RETRY, WEBHOOK_DEAD };

struct webhooks;

/* max_age_ms: how long a delivery is retried before it is a dead letter. */
struct webhooks *webhooks_new(struct store *st, struct eventlog *el,
			      int64_t max_age_ms);
void webhooks_free(struct webhooks *wh);
/* Read the table into memory and start tapping the event log. */
int webhooks_load(struct webhooks *wh, char *err, size_t errlen);
int64_t webhooks_max_age_ms(const struct webhooks *wh);

/* Told (after a commit) that some webhook may have new rows to send. */
void webhooks_on_kick(struct webhooks *wh, void (*fn)(void *arg), void *arg);

size_t webhooks_count(const struct webhooks *wh);
struct webhook *webhooks_at(struct webhooks *wh, size_t i);
struct webhook *webhooks_find(struct webhooks *wh, int64_t id);

/* Register (inside the current transaction); the secret must be set.
 * The new id, 0 when WEBHOOKS_MAX are registered, -1 on failure. */
int64_t webhooks_create(struct webhooks *wh, const struct webhook_spec *spec,
			int64_t now_ms);
/* Remove a webhook and its outbox rows.  0, 1 if there is none, -1. */
int webhooks_delete(struct webhooks *wh, int64_t id);

/* {"id", "url", "events", "format", "created_ms", "deliveries":
 * {"pending", "delivered", "dead"}}: never the secret.  NULL if none. */
json_t *webhooks_json(struct webhooks *wh, int64_t id);
/* Every webhook, oldest first, as a JSON array. */
json_t *webhooks_list_json(struct webhooks *wh);

/* The next committed pending row of a webhook (its lowest id): 1 and *d
 * filled (free with webhook_delivery_clear), 0 if there is none, -1. */
int webhooks_head(struct webhooks *wh, int64_t webhook_id,
		  struct webhook_delivery *d);
void webhook_delivery_clear(struct webhook_delivery *d);
/* Record one attempt's end (inside the current transaction): status is
 * the HTTP status (0: none came), error a short reason or NULL; next_ms
 * for WEBHOOK_RETRY.  0, or -1 when it could not be written. */
int webhooks_record(struct webhooks *wh, int64_t delivery_id,
		    enum webhook_outcome outcome, long status, const char *error,
		    int64_t now_ms, int64_t next_ms);
/* Send a delivery again (dead, delivered or pending): pending, due now,
 * retried for another max age; kept in its place in the webhook's order.
 * 0, 1 if the webhook has no such delivery, -1. */
int webhooks_redeliver(struct webhooks *wh, int64_t webhook_id,
		       int64_t delivery_id, int64_t now_ms);

/* A webhook's deliveries, newest first, with id < before (0: from the
 * newest), at most limit; state NULL or "pending"/"delivered"/"dead".
 * *next is the cursor of the following page (the id of the last one
 * given; 0: none). */
json_t *webhooks_deliveries_json(struct webhooks *wh, int64_t webhook_id,
				 const char *state, int64_t before, int limit,
				 int64_t *next);
/* One delivery (of that webhook; webhook_id 0: of any), NULL if none. */
json_t *webhooks_delivery_json(struct webhooks *wh, int64_t webhook_id,
			       int64_t delivery_id);

/* Delete at most max delivered rows done before cutoff_ms (in the current
 * transaction): the retention.h pruner of the outbox.  Dead letters stay
 * until their webhook is deleted.  How many, or -1. */
int webhooks_prune(void *wh, int64_t cutoff_ms, int max);

#endif
