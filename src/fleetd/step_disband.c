/* step_disband.c -- op "disband": merge the job's fleet into `into`; done
 * when the fleet is gone.
 *
 *   START  -> SENT, send disbandFleet.
 *   SENT   with the answer, or once the mirror no longer has the fleet:
 *          done.  Resend (certainly no effect): send again.  Neither
 *          (crash or lost answer): wait for a fresh watch; the fleet gone
 *          means it happened; still there means it did not -> send again
 *          (a fleet can be disbanded only once, so this cannot act twice). */
#include "mirror.h"
#include "step.h"

enum disband_state { DISBAND_START, DISBAND_SENT, DISBAND_NSTATES };
static const char *const disband_states[] = {"START", "SENT"};

static void order(struct step_ctx *c, struct step_result *r)
{
	step_intent_open(c);
	c->sub = DISBAND_SENT;
	step_call(r, "disbandFleet",
		  json_pack("{s:I,s:I}", "fleetObjID", (json_int_t)c->fleet,
			    "destObjID", (json_int_t)step_arg_id(c, "into")),
		  0);
}

static void disband_advance(struct step_ctx *c, struct step_result *r)
{
	int gone = mirror_fleet(c->m, c->fleet) == NULL;
	if (c->sub == DISBAND_START) {
		if (gone)
			step_error(r, "fleet %lld no longer exists", (long long)c->fleet);
		else
			order(c, r);
		return;
	}
	if (c->reply || gone) {
		step_done(r);
		return;
	}
	if (c->resend) {
		order(c, r);
		return;
	}
	if (step_intent_fresh(c, r))
		order(c, r);
}

const struct step_op step_disband = {
	.name = "disband",
	.states = disband_states,
	.nstates = DISBAND_NSTATES,
	.needs_mirror = 1,
	.advance = disband_advance,
};
