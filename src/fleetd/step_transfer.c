/* step_transfer.c -- op "transfer": move ships or cargo between the job's
 * fleet and the object `to` it is stationed at (transferFleet).  As in the
 * game, a positive quantity moves from `to` into the fleet and a negative
 * one from the fleet to `to`.  Not
 * idempotent, so it is sent effectively once:
 *
 *   START  the fleet must exist.  Write the intent -- the fleet's
 *          quantities of the named resources now (`before`) and the
 *          current watch -- and go to SENT.  The engine sends the call
 *          only after this state is committed.
 *   SENT   (persists: intent_world, before, intent_watch, ambiguous_watch;
 *          settled by step_settle, each judgement a job.reconciled event)
 *          - answer received: done.
 *          - resend (a transient fault, certainly no effect): send again.
 *          - neither (we crashed, or the answer was lost): the call may or
 *            may not have acted.  Wait until the mirror holds a watch
 *            later than the intent's, then compare: if the fleet's
 *            quantities differ from `before` the transfer happened (the
 *            fleet is leased to this job, so nothing else moves its cargo
 *            between watches): done, without sending.  If they are
 *            unchanged it did not happen: open a new intent and send.
 *          So the action is never performed twice and never skipped. */
#include "step.h"

static void send_call(struct step_ctx *c, struct step_result *r)
{
	step_cargo_send(c, r, "transferFleet", "fleetObjID", "destObjID",
			step_arg(c, "resources"));
}

static const struct step_effect transfer_effect = {
	.op = "transfer", .send = send_call, .world = step_anchored_world,
	.found = step_cargo_moved,
};

STEP_SENT_OP_DEFINE(step_transfer, "transfer", step_effect_advance, &transfer_effect);
