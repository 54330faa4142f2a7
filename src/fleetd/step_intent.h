/* step_intent.h -- what the effectively-once ops (transfer, deploy, sell,
 * buy) share to recognise their effect in the mirror.  Pure reads of the
 * mirror; no state. */
#ifndef FLEETD_STEP_INTENT_H
#define FLEETD_STEP_INTENT_H

#include <jansson.h>
#include <stdint.h>

struct mirror;
struct engine;

/* [id, qty, id, qty ...]: the resources named in list (itself [id, qty,
 * ...], its quantities ignored) as held by an object now (fleet or world;
 * 0 for an unknown object). */
json_t *intent_snapshot(const struct mirror *m, int64_t obj, const json_t *list);
/* Does obj now hold a quantity different from the snapshot for any id? */
int intent_changed(const struct mirror *m, int64_t obj, const json_t *snap);
/* [fleet id, qty, ...]: resource res in each player fleet anchored at w. */
json_t *intent_fleet_qty_at(const struct mirror *m, int64_t w, int64_t res);
/* Sum of res now held by the fleets of such a list (wherever they are). */
int64_t intent_sum_qty(const struct mirror *m, const json_t *snap, int64_t res);
/* Ids of the player's fleets anchored at world w, as a JSON array. */
json_t *intent_fleets_at(const struct mirror *m, int64_t w);
/* A player fleet anchored at w, not in `before`, not held by any job, and
 * holding exactly the resources `want` ([id, qty, ...]); 0 if none. */
int64_t intent_new_fleet_at(const struct mirror *m, const struct engine *e,
			    int64_t w, const json_t *before, const json_t *want);

/* A deploy's evidence.  A fleet of ours at the world, free and of the
 * deployed make-up, may also have merely arrived there (its move job
 * ended), so the intent records what only the deploy itself can change:
 * the highest fleet id the mirror knows (data "max_fleet": the game's ids
 * grow, so the new fleet's is above it) and what the source holds of each
 * deployed resource (data "source_before": [id, qty, ...]). */
void intent_deploy_record(const struct mirror *m, int64_t source, const json_t *want,
			  json_t *data);
/* The fleet that deploy made: as intent_new_fleet_at, and its id above
 * "max_fleet", and the source holding at least the deployed amounts fewer
 * than "source_before" (a source fleet deployed whole is gone: it holds
 * nothing); the oldest such fleet, 0 if none.  An intent written before
 * this evidence existed (no "max_fleet") is judged by intent_new_fleet_at. */
int64_t intent_deployed_fleet(const struct mirror *m, const struct engine *e,
			      int64_t w, int64_t source, const json_t *data,
			      const json_t *want);

#endif
