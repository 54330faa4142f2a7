/* step_improve.c -- ops "build" and "demolish": start building an
 * improvement on world W (buildImprovement) or remove one
 * (destroyImprovement).  W as in step_world.h.
 *
 *   START  resolve `improvement` (id or unid, category improvement) into
 *          `cat`.  W already shows the effect -- build: the improvement
 *          is among W's traits; demolish: it is not -- done (job.note),
 *          nothing sent.  Else take W's intent lock, note the watch ->
 *          SENT, send {sourceObjID: W, improvementID}.
 *   SENT   (persists: cat, intent_world, intent_watch, ambiguous_watch;
 *          step_settle) answer: done.  Resend: send again.  Neither
 *          (crash, lost answer): the trait there (build) or gone
 *          (demolish) -> it acted: done at once (conclusive: START saw
 *          the opposite, and the lease and the lock keep other jobs off
 *          W).  Otherwise, once the mirror holds a later watch, it never
 *          acted: a new intent, sent again (so the game never answers
 *          alreadyBuilt or notBuilt to our own second call). */
#include "mirror.h"
#include "step_world.h"

static void send_call(struct step_ctx *c, struct step_result *r, const char *endpoint)
{
	step_intent_send(c, r, STEP_SENT, endpoint,
			 json_pack("{s:I,s:I}", "sourceObjID", (json_int_t)step_op_world(c),
				   "improvementID", (json_int_t)step_cat(c)));
}

static void send_build(struct step_ctx *c, struct step_result *r)
{
	send_call(c, r, "buildImprovement");
}

static void send_demolish(struct step_ctx *c, struct step_result *r)
{
	send_call(c, r, "destroyImprovement");
}

static int built(const struct step_ctx *c, const struct mirror_world *w)
{
	return world_trait(w, step_cat(c)) != NULL;
}

static int demolished(const struct step_ctx *c, const struct mirror_world *w)
{
	return w && !world_trait(w, step_cat(c));
}

static const struct world_op build_op = {
	.effect = {.op = "build", .send = send_build, .shows = built, .conclusive = 1},
	.cat = "improvement", .already = "the improvement is already built",
};
static const struct world_op demolish_op = {
	.effect = {.op = "demolish", .send = send_demolish, .shows = demolished,
		   .conclusive = 1},
	.cat = "improvement", .already = "the improvement is not there",
};

STEP_SENT_OP_DEFINE(step_build, "build", step_world_advance, &build_op);
STEP_SENT_OP_DEFINE(step_demolish, "demolish", step_world_advance, &demolish_op);
