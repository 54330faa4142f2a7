/* step_intent.h -- what the effectively-once ops (transfer, deploy, sell,
 * buy) share to recognise their effect in the mirror.  Pure reads of the
 * mirror; no state. */
#ifndef FLEETD_STEP_INTENT_H
#define FLEETD_STEP_INTENT_H

#include <jansson.h>
#include <stdint.h>

struct mirror;

/* [id, qty, id, qty ...] of the given resource ids as held by an object
 * (fleet or world; 0 for an unknown object). */
json_t *intent_snapshot(const struct mirror *m, int64_t obj, const json_t *ids);
/* Does obj now hold a quantity different from the snapshot for any id? */
int intent_changed(const struct mirror *m, int64_t obj, const json_t *snap);
/* Sum of resource res held by the player's fleets anchored at world w. */
int64_t intent_total_at(const struct mirror *m, int64_t w, int64_t res);
/* Ids of the player's fleets anchored at world w, as a JSON array. */
json_t *intent_fleets_at(const struct mirror *m, int64_t w);
/* A player fleet anchored at w that is not in `before`; 0 if none. */
int64_t intent_new_fleet_at(const struct mirror *m, int64_t w, const json_t *before);

#endif
