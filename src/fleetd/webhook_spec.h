/* webhook_spec.h -- the body of POST /v1/webhooks, checked: what a client
 * may register as a receiver.
 *
 *   {"url": "http(s)://host[:port]/path", "events": [NAME, ...],
 *    "format": "json" | "discord", "secret": "..."}
 *
 * url: http or https only, a host, no user:password@ (credentials in a
 * URL would be shown back by every GET), at most WEBHOOK_URL_MAX bytes of
 * printable ASCII.  events: 1 to WEBHOOK_MAX_EVENTS distinct public names
 * (webhook_event.h).  format: default "json".  secret: optional, 16 to
 * 256 printable ASCII characters.  Unknown fields are refused.  Error
 * messages never quote the url or the secret (either may be a credential).
 * Owns nothing but the strings it copies into the spec. */
#ifndef FLEETD_WEBHOOK_SPEC_H
#define FLEETD_WEBHOOK_SPEC_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "webhook_event.h"

#define WEBHOOK_URL_MAX 2048
#define WEBHOOK_MAX_EVENTS 16
#define WEBHOOK_SECRET_MIN 16
#define WEBHOOK_SECRET_MAX 256

struct webhook_spec {
	char *url;          /* owned */
	char *secret;       /* owned; NULL: none given */
	enum webhook_format format;
	uint32_t events;    /* bit i: webhook_event_names[i] */
};

/* 0 and *out filled, or -1 with the reason in err (out is then empty). */
int webhook_spec_parse(const json_t *body, struct webhook_spec *out, char *err,
		       size_t errlen);
/* Frees the strings (the secret wiped first). */
void webhook_spec_clear(struct webhook_spec *s);

/* Is url one fleetd may POST to?  0, or -1 with the reason in err. */
int webhook_url_check(const char *url, char *err, size_t errlen);

/* The events bit of a public name; 0 for an unknown name. */
uint32_t webhook_event_bit(const char *name);
/* The set as a JSON array of names, in the table's order. */
json_t *webhook_events_json(uint32_t events);

#endif
