/* sim_world.h -- the actions that act on a world of the player rather
 * than on a fleet: designateWorld, buildImprovement, destroyImprovement,
 * setIndustryAlloc, setProductAlloc, setTradeRoute, stopTradeRoute and
 * launchLAMs; and what a world's traits look like when fleetsim makes
 * them.  Same convention as sim_rules.h: everything is checked before
 * anything changes.  Knows the galaxy and catalogue; nothing of HTTP. */
#ifndef FLEETD_SIM_WORLD_H
#define FLEETD_SIM_WORLD_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_galaxy.h"
#include "sim_rules.h"

/* Trade routes reach this far (the real excerpt's longest is 199 ly). */
#define SIM_ROUTE_RANGE 200.0
/* Jump missiles reach this far; a salvo fires at most this many. */
#define SIM_LAM_RANGE 150.0
#define SIM_LAM_SALVO 10

/* The world actions, looked up by sim_rules_apply. */
extern const struct sim_action sim_world_actions[];
extern const size_t sim_world_nactions;

/* The traits a generated world of this designation starts with: its
 * primary industry (if the designation has one) at 70 % of the work and
 * the common industries (consumer, ore, medical) sharing the rest.  A new
 * reference, NULL when out of memory. */
json_t *sim_world_initial_traits(const struct sim_catalog *c, int64_t designation);

/* A watch ended: allocations reach their targets, a redesignated world
 * may be redesignated again. */
void sim_world_end_watch(struct sim_galaxy *g, struct sim_obj *w);

#endif
