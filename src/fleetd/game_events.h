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
 * (fleet.arrived, about our own fleets, is fleet_events.h's.)  One of the
 * two kinds of news that mirror_events.h reads from the change feed; it
 * holds this memory and says when.  Owns the memory of which worlds are
 * ours, which of them are in battle and where foreign fleets sit at them;
 * writes nothing but events; knows nothing of jobs or HTTP. */
#ifndef FLEETD_GAME_EVENTS_H
#define FLEETD_GAME_EVENTS_H

#include "idmap.h"

struct mirror;
struct mirror_changes;
struct eventlog;

/* Public only so that mirror_events can hold it; its members are this
 * file's. */
struct game_events {
	struct mirror *m;
	struct eventlog *el;
	struct idmap ours;    /* world -> tag(in_battle) */
	struct idmap foreign; /* fleet -> tag(world) */
};

void game_events_init(struct game_events *ge, struct mirror *m, struct eventlog *el);
void game_events_clear(struct game_events *ge);
/* Remember the mirror as it is (its first, full load), announcing nothing:
 * a battle already on, a foreign fleet already there. */
void game_events_prime(struct game_events *ge);
/* Compare a merge's changes with the memory and append what is news. */
void game_events_apply(struct game_events *ge, const struct mirror_changes *ch);

#endif
