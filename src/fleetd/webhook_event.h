/* webhook_event.h -- which events of the event log a webhook can ask for,
 * under which public names, and the request body each one is sent as.
 *
 * The public names are the spec's: a "job.state" event whose job ended is
 * "job.succeeded", "job.failed" or "job.cancelled"; the game's events
 * ("fleet.arrived", "fleet.departed", "fleet.sighted", "world.attacked",
 * "world.lost", "world.gained") keep the event log's type.  Every other
 * event (a step done, a wait, the watch) is not offered: a notification
 * per step would drown the ones that matter.
 *
 * Bodies:
 *   json     {"event": NAME, "event_id": N, "ts": MS, "job_id": N|null,
 *             "data": <the event's data as the event log holds it>}
 *   discord  {"content": "<one readable line>", "username": "fleetd",
 *             "allowed_mentions": {"parse": []}}  -- Discord's execute-
 *             webhook fields; content at most 2000 characters, never a
 *             mention (a fleet's name could hold "@everyone").
 * Owns nothing; knows no table, no HTTP. */
#ifndef FLEETD_WEBHOOK_EVENT_H
#define FLEETD_WEBHOOK_EVENT_H

#include <stddef.h>

#include "eventlog.h"

enum webhook_format { WEBHOOK_JSON, WEBHOOK_DISCORD };

#define WEBHOOK_EVENT_NAME_MAX 32
#define WEBHOOK_DISCORD_MAX 2000 /* Discord's limit on content, characters */

/* The public names, NULL-terminated: the one list (validation, docs). */
extern const char *const webhook_event_names[];
int webhook_event_known(const char *name);

/* The public name of row, written into name; 0 if the event is not one a
 * webhook can receive (name is then ""). */
int webhook_event_name(const struct eventlog_row *row,
		       char name[WEBHOOK_EVENT_NAME_MAX]);

/* The body for one event in the given format, NUL-terminated, the
 * caller's to free; NULL when out of memory.  name is the public name. */
char *webhook_event_body(enum webhook_format fmt, const char *name,
			 const struct eventlog_row *row, size_t *len);

/* The Discord line alone (for the tests), at most WEBHOOK_DISCORD_MAX
 * characters, no line break; the caller frees it. */
char *webhook_discord_line(const char *name, const struct eventlog_row *row);

const char *webhook_format_name(enum webhook_format f);
/* -1 for a name that is no format */
int webhook_format_of(const char *name);

#endif
