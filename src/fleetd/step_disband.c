/* step_disband.c -- op "disband": merge the job's fleet into `into`; done
 * when the fleet is gone.
 *
 *   START  the fleet must exist.  Note the watch (step_intent_open)
 *          -> SENT, send disbandFleet.
 *   SENT   (persists: intent_watch, ambiguous_watch; settled by
 *          step_settle) with the answer: done.  The fleet gone: done at
 *          once, whatever the watch (a fleet does not come back).
 *          Resend (certainly no effect): send again.  Neither (crash or
 *          lost answer): wait for a fresh watch; still there means it did
 *          not act -> send again (a fleet can be disbanded only once, so
 *          this cannot act twice).  After a crash or a lost answer, what
 *          was found is a job.reconciled event, as for the other
 *          effectively-once ops. */
#include "mirror.h"
#include "step.h"

static void send_call(struct step_ctx *c, struct step_result *r)
{
	step_intent_send(c, r, STEP_SENT, "disbandFleet",
			 json_pack("{s:I,s:I}", "fleetObjID", (json_int_t)c->fleet,
				   "destObjID", (json_int_t)step_arg_id(c, "into")));
}

static int64_t disband_found(struct step_ctx *c)
{
	return mirror_fleet(c->m, c->fleet) == NULL;
}

/* Conclusive: a fleet gone is not coming back, whatever the watch. */
static const struct step_effect disband_effect = {
	.op = "disband", .send = send_call, .found = disband_found, .conclusive = 1,
};

STEP_SENT_OP_DEFINE(step_disband, "disband", step_effect_advance, &disband_effect);
