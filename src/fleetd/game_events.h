/* game_events.h -- the game's happenings to the player's worlds, read
 * from the mirror's change feed and appended to the event log (so
 * /v1/events streams them, webhooks deliver them and triggers fire on
 * them), never by a game call of their own:
 *
 *   world.attacked {"world": W}  a battle plan appears on one of our worlds
 *   fleet.sighted  {"world": W, "sovereign": S, "fleet": F}  a foreign
 *                  fleet anchors at one of our worlds
 *   world.lost     {"world": W, "sovereign": S or null}  the new holder
 *   world.gained   {"world": W}
 *
 * (fleet.arrived, about our own fleets, is fleet_events.h's.)  The first
 * change set only records the state (a full load is not news): a battle
 * already on, a foreign fleet already there.  Owns the memory of which
 * worlds are ours, which of them are in battle and where foreign fleets
 * sit at them; writes nothing but events; knows nothing of jobs or HTTP. */
#ifndef FLEETD_GAME_EVENTS_H
#define FLEETD_GAME_EVENTS_H

struct mirror;
struct eventlog;
struct game_events;

/* Subscribes to the mirror's change feed; NULL when out of memory.  Free
 * it after the mirror (which has no unsubscribe). */
struct game_events *game_events_new(struct mirror *m, struct eventlog *el);
void game_events_free(struct game_events *ge);

#endif
