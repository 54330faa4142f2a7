/* fleet_events.h -- the player's own fleets in the mirror's changes, as
 * events: one "watch" event per new watch, and "fleet.arrived",
 * "fleet.departed", "fleet.new", "fleet.gone" for the player's fleets,
 * appended to the event log (so /v1/events streams them and replays them
 * after Last-Event-ID).  One of the two kinds of news that mirror_events.h
 * reads from the change feed; it holds this memory and says when.
 *
 * Event data: watch {"watch": W}; fleet.arrived {"fleet": F, "world": W};
 * fleet.departed {"fleet": F, "from": W, "to": D or null}; fleet.new
 * {"fleet": F, "world": W or null}; fleet.gone {"fleet": F}.
 * Position changes while travelling are not events of their own: the
 * watch event says every position may have moved. */
#ifndef FLEETD_FLEET_EVENTS_H
#define FLEETD_FLEET_EVENTS_H

#include <stddef.h>

struct mirror;
struct mirror_changes;
struct eventlog;
struct fleet_seen;

/* Where each of the player's fleets was last seen.  Public only so that
 * mirror_events can hold it; its members are this file's. */
struct fleet_events {
	struct mirror *m;
	struct eventlog *el;
	struct fleet_seen *seen; /* sorted by fleet */
	size_t n, cap;
	double watch;
};

void fleet_events_init(struct fleet_events *fe, struct mirror *m, struct eventlog *el);
void fleet_events_clear(struct fleet_events *fe);
/* Remember the mirror as it is (its first, full load), announcing nothing. */
void fleet_events_prime(struct fleet_events *fe);
/* Compare a merge's changes with the memory and append what is news. */
void fleet_events_apply(struct fleet_events *fe, const struct mirror_changes *ch);

#endif
