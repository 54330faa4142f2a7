/* step_world.h -- what the world ops (designate, build, demolish,
 * industry, products, trade_route, stop_trade_route, launch_lams) share:
 * the world an op acts on, catalogue references resolved by id or unid,
 * and one life for all of them on top of step_settle (step.h).
 *
 * Every world op is one game call acting on one world W, effectively once:
 *
 *   START  W is decided: a world job's world, or in a fleet job the
 *          step's `world` (an id, or "$here": where the fleet is anchored
 *          now).  W must be the player's and not held by another world
 *          job.  The op's arguments are resolved (catalogue unids through
 *          getGameInfo's catalogue) into the step's data.  If the galaxy
 *          already shows what the call would do, the step is done (a
 *          job.note says so) and nothing is sent.  Otherwise W's intent
 *          lock is taken (step_intent_lock), the intent written with the
 *          watch -> SENT; the engine sends after the commit.
 *   SENT   step_settle: the answer -> done; resend -> send again; neither
 *          -> what the galaxy shows of W decides (at once when the effect
 *          shows and the op says it is conclusive, else once the mirror
 *          holds a later watch), a job.reconciled event says what it
 *          found, and the step is done or sent again.
 *
 * Each op's file says what shows its effect (its step_effect .shows;
 * launch_lams, whose salvo never shows before it leaves: .found). */
#ifndef FLEETD_STEP_WORLD_H
#define FLEETD_STEP_WORLD_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "step.h"

struct mirror;
struct mirror_world;
struct mirror_trait;
struct mirror_route;

/* A catalogue reference (an id or a unid) of the given category
 * ("designation", "improvement"; "industry" also takes an improvement
 * with allocations): its id, or 0 with err.  An id the catalogue does not
 * hold, or one of another category, is refused; with no catalogue at all
 * an id is taken as it is (the game judges it). */
int64_t world_cat_resolve(const struct mirror *m, const json_t *v,
			  const char *category, char *err, size_t errlen);

/* One world op; its step_op is STEP_SENT_OP_DEFINE(step_x, "x",
 * step_world_advance, &x_op) (step.h). */
struct world_op {
	/* its .world is not used; its .shows (if any) is also asked at START:
	 * W already showing the effect, the step is done without a call, a
	 * job.note saying `already` */
	struct step_effect effect;
	const char *already;
	/* START: the step's catalogue argument of this name, resolved (by
	 * world_cat_resolve, in the category of the same name) and kept as
	 * "cat" in its data (step_cat); NULL: none. */
	const char *cat;
};
void step_world_advance(struct step_ctx *c, struct step_result *r,
			const struct world_op *op);

/* The world the op acts on once START has decided it (its intent lock). */
int64_t step_op_world(const struct step_ctx *c);
/* That world in the mirror now (NULL if unknown). */
const struct mirror_world *step_op_world_rec(const struct step_ctx *c);
/* The step's resolved catalogue id (kept as "cat" in its data). */
int64_t step_cat(const struct step_ctx *c);
/* A number argument as a double (0 if absent). */
double step_arg_num(const struct step_ctx *c, const char *key);

/* The trait `id` of world w, or NULL. */
const struct mirror_trait *world_trait(const struct mirror_world *w, int64_t id);
/* w's trade route entry with partner, or NULL. */
const struct mirror_route *world_route(const struct mirror_world *w, int64_t partner);
/* Two shares equal as the game keeps them (to a tenth). */
int world_pct_eq(double a, double b);

#endif
