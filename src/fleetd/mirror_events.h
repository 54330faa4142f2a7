/* mirror_events.h -- the mirror's change feed read as news for the event
 * log: the one subscriber that hands each merge's changes to the two kinds
 * of news, the player's own fleets (fleet_events.h) and the game's
 * happenings to the player's worlds (game_events.h), in that order.
 *
 * The first change set only primes their memory (a full load is not news).
 * A commit that fails after the events were appended loses them (the store
 * rolls the transaction back) while the memory has moved on; the change is
 * then not announced again. */
#ifndef FLEETD_MIRROR_EVENTS_H
#define FLEETD_MIRROR_EVENTS_H

struct mirror;
struct eventlog;
struct mirror_events;

/* Subscribes to the mirror's change feed; NULL when out of memory.  Free
 * it after the mirror (which has no unsubscribe). */
struct mirror_events *mirror_events_new(struct mirror *m, struct eventlog *el);
void mirror_events_free(struct mirror_events *me);

#endif
