/* fleet_events.h -- the mirror's changes as events for watchers: one
 * "watch" event per new watch, and "fleet.arrived", "fleet.departed",
 * "fleet.new", "fleet.gone" for the player's fleets, appended to the event
 * log (so /v1/events streams them and replays them after Last-Event-ID).
 *
 * Event data: watch {"watch": W}; fleet.arrived {"fleet": F, "world": W};
 * fleet.departed {"fleet": F, "from": W, "to": D or null}; fleet.new
 * {"fleet": F, "world": W or null}; fleet.gone {"fleet": F}.
 * Position changes while travelling are not events of their own: the
 * watch event says every position may have moved. */
#ifndef FLEETD_FLEET_EVENTS_H
#define FLEETD_FLEET_EVENTS_H

struct mirror;
struct eventlog;
struct fleet_events;

/* Subscribes to the mirror's change feed; NULL when out of memory.  The
 * first change set only records where the fleets are (a full load is not
 * news).  Free it after the mirror (which has no unsubscribe). */
struct fleet_events *fleet_events_new(struct mirror *m, struct eventlog *el);
void fleet_events_free(struct fleet_events *fe);

#endif
