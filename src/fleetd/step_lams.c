/* step_lams.c -- op "launch_lams": fire world W's jump missiles at
 * `target` (launchLAMs {objID: W, targetObjID}).  W (step_world.h) must
 * be a citadel of the player's holding missiles; the game judges that and
 * the target (its refusals fail the step).  Not idempotent -- every call
 * fires a salvo -- so it is sent effectively once:
 *
 *   START  take W's intent lock; write the intent: W's holdings of every
 *          resource of catalogue category LAMUnit (`before`) and the
 *          watch -> SENT; the engine sends after the commit.
 *   SENT   (persists: intent_world, before, intent_watch,
 *          ambiguous_watch; step_settle) answer: done.  Resend
 *          (certainly no effect): a new intent, sent.  Neither (crash,
 *          lost answer): once the mirror holds a watch later than the
 *          intent's, W holding a different number of missiles than
 *          `before` means the salvo left (the lease and the lock keep
 *          other jobs' actions off W's stock): done.  The same number:
 *          it never fired -> a new intent, sent.  A world that held no
 *          missiles could not have fired: sent again, and the game
 *          refuses it (insufficientResources). */
#include <string.h>

#include "mirror.h"
#include "step_intent.h"
#include "step_world.h"

/* [id, qty, ...]: the missiles W holds now. */
static json_t *missiles(const struct step_ctx *c, const struct mirror_world *w)
{
	json_t *out = json_array();
	for (size_t i = 0; w && i < w->nres; i++) {
		const char *cat = mirror_resource_category(c->m, w->res[2 * i]);
		if (cat && !strcmp(cat, "LAMUnit")) {
			json_array_append_new(out, json_integer(w->res[2 * i]));
			json_array_append_new(out, json_integer(w->res[2 * i + 1]));
		}
	}
	return out;
}

static void send_call(struct step_ctx *c, struct step_result *r)
{
	int64_t world = step_op_world(c);
	json_t *held = missiles(c, step_op_world_rec(c));
	json_object_set_new(c->data, "before", intent_snapshot(c->m, world, held));
	json_decref(held);
	step_intent_send(c, r, STEP_SENT, "launchLAMs",
			 json_pack("{s:I,s:I}", "objID", (json_int_t)world, "targetObjID",
				   (json_int_t)step_arg_id(c, "target")));
}

static int64_t lams_found(struct step_ctx *c)
{
	return intent_changed(c->m, step_op_world(c), json_object_get(c->data, "before"));
}

static const struct world_op lams_op = {
	.effect = {.op = "launch_lams", .send = send_call, .found = lams_found},
};

STEP_SENT_OP_DEFINE(step_launch_lams, "launch_lams", step_world_advance, &lams_op);
