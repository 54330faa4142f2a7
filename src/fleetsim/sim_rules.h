/* sim_rules.h -- what each game action checks and what it does.
 *
 * Every action validates everything first and only then changes the
 * galaxy, so a refused action changes nothing.  A refusal carries the
 * hexeError code and the human message the API answers with.  Knows the
 * galaxy and catalogue; knows nothing of HTTP, tokens or faults. */
#ifndef FLEETD_SIM_RULES_H
#define FLEETD_SIM_RULES_H

#include <jansson.h>
#include <stdint.h>

#include "sim_galaxy.h"

struct sim_refusal {
	const char *code;
	char msg[256];
};

/* 1 if name is an action handled by sim_rules_apply(). */
int sim_rules_is_action(const char *name);
/* Apply action `name` with the request body req (the common fields are
 * checked by the caller).  0 on success (*selection set to a new fleet's id
 * for deployFleet, else 0), -1 with *why filled on refusal. */
int sim_rules_apply(struct sim_galaxy *g, const char *name, const json_t *req,
		    int64_t *selection, struct sim_refusal *why);
/* getTactical: a new list, or NULL with *why filled. */
json_t *sim_rules_tactical(struct sim_galaxy *g, const json_t *req,
			   struct sim_refusal *why);

/* The test routes' changes (POST /sim/move, /sim/battle, /sim/owner,
 * /sim/stock; docs/fleetsim.md): what other empires and the game itself do,
 * applied to any sovereign's objects.  Same convention: 0, or -1 with *why
 * filled and nothing changed.  "unknownChange" for a name not among them. */
int sim_rules_admin(struct sim_galaxy *g, const char *what, const json_t *req,
		    struct sim_refusal *why);
/* Largest stock /sim/stock sets (beyond any game's quantities, far from
 * overflowing a sum of stocks). */
#define SIM_STOCK_MAX ((int64_t)1 << 40)

/* One game action of a table (sim_rules.c's fleet actions, sim_world.c's
 * world actions): its name and what it does, as sim_rules_apply. */
struct sim_action {
	const char *name;
	int (*fn)(struct sim_galaxy *g, const json_t *req, struct sim_refusal *why);
};

/* For the actions of sim_world.c: fill *why and return -1. */
int sim_refuse(struct sim_refusal *why, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* req[key] as an object: kind a sim_kind, or < 0 for a fleet or a world;
 * own: the player's.  0, or -1 with *why filled. */
int sim_get_obj(struct sim_galaxy *g, const json_t *req, const char *key, int kind,
		int own, struct sim_obj **out, struct sim_refusal *why);
/* Remove a fleet from the world it is anchored at, then destroy it. */
void sim_fleet_destroy(struct sim_galaxy *g, struct sim_obj *f);

/* Ship strength of a sovereign's fleets anchored at world w. */
double sim_rules_fleet_strength(const struct sim_galaxy *g, const struct sim_obj *w,
				int64_t sov);
/* Orbital and ground defence held by world w. */
double sim_rules_defence(const struct sim_galaxy *g, const struct sim_obj *w);

#endif
