/* step_designate.c -- op "designate": make world W a catalogue
 * designation (designateWorld).  W as in step_world.h.
 *
 *   START  resolve `designation` (id or unid, category designation) into
 *          `cat`.  W already shows it: done (job.note), nothing sent.
 *          Else take W's intent lock, note the watch -> SENT, send
 *          designateWorld {sourceObjID: W, newDesignation}.
 *   SENT   (persists: cat, intent_world, intent_watch, ambiguous_watch;
 *          step_settle) answer: done.  Resend (certainly no effect): send
 *          again.  Neither (crash, lost answer): W's designation is `cat`
 *          -> it acted: done at once (conclusive: START found it
 *          otherwise, and the lease and the lock keep other jobs off W).
 *          Not yet: once the mirror holds a later watch, still not ->
 *          it never acted: a new intent, sent again.  Sending again only
 *          after a later watch matters: the game refuses a second
 *          designation within the watch (designationInProgress). */
#include "mirror.h"
#include "step_world.h"

static void send_call(struct step_ctx *c, struct step_result *r)
{
	step_intent_send(c, r, STEP_SENT, "designateWorld",
			 json_pack("{s:I,s:I}", "sourceObjID", (json_int_t)step_op_world(c),
				   "newDesignation", (json_int_t)step_cat(c)));
}

static int designated(const struct step_ctx *c, const struct mirror_world *w)
{
	return w && w->designation == step_cat(c);
}

static const struct world_op designate_op = {
	.effect = {.op = "designate", .send = send_call, .shows = designated,
		   .conclusive = 1},
	.cat = "designation", .already = "the world already has this designation",
};

STEP_SENT_OP_DEFINE(step_designate, "designate", step_world_advance, &designate_op);
