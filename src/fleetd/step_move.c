/* step_move.c -- op "move": bring the job's fleet to world `to`.
 *
 *   START       the fleet is already anchored at `to`: done, no call.
 *               Otherwise -> SENT and send setDestination.
 *   SENT        (persists: resends) the order is out.  With the answer
 *               -> TRAVELLING.  Without one (restart, lost answer) the
 *               order is simply sent again: setDestination is idempotent.
 *   TRAVELLING  wait for fleet F anchored at `to` (woken by any change
 *               of F).  Stationary somewhere else (the order was lost or
 *               overridden) -> send again, at most 3 times.
 * Fails if the fleet disappears.  SENT and TRAVELLING are also explore's
 * way to each world it visits (step_move_travel). */
#include "mirror.h"
#include "step.h"

enum move_state { MOVE_START, MOVE_SENT, MOVE_TRAVELLING, MOVE_NSTATES };
static const char *const move_states[] = {"START", "SENT", "TRAVELLING"};

#define MOVE_MAX_RESENDS 3

void step_move_send(struct step_ctx *c, struct step_result *r, int64_t to,
		     int sent)
{
	c->sub = sent;
	step_call(r, "setDestination",
		  json_pack("{s:I,s:I}", "objID", (json_int_t)c->fleet, "dest",
			    (json_int_t)to),
		  CALL_IDEMPOTENT);
}

int step_move_travel(struct step_ctx *c, struct step_result *r,
		     const struct mirror_fleet *f, int64_t to,
		     const struct step_travel *t)
{
	int arrived = f->anchor == to && f->dest_id == 0;
	if (c->sub == t->sent) {
		if (c->resend || (!c->reply && f->dest_id != to && !arrived)) {
			step_move_send(c, r, to, t->sent);
			return 0;
		}
		c->sub = t->travelling;
	}
	if (arrived)
		return 1;
	if (f->dest_id != to && f->anchor != 0) {
		/* stationary elsewhere: the order was lost or overridden */
		int64_t n = step_data_int(c, "resends", 0);
		if (n >= MOVE_MAX_RESENDS) {
			step_error(r, "fleet %lld does not head for world %lld",
				   (long long)c->fleet, (long long)to);
			return 0;
		}
		step_data_set_int(c, "resends", n + 1);
		step_move_send(c, r, to, t->sent);
		return 0;
	}
	step_wait_for(r, WAIT_ANCHORED, c->fleet, to);
	return 0;
}

static const struct step_travel move_travel = {MOVE_SENT, MOVE_TRAVELLING};

static void move_advance(struct step_ctx *c, struct step_result *r)
{
	int64_t to = step_arg_id(c, "to");
	const struct mirror_fleet *f = step_fleet(c, r);
	if (!f)
		return;
	switch ((enum move_state)c->sub) {
	case MOVE_START:
		if (f->anchor == to && f->dest_id == 0)
			step_done(r);
		else
			step_move_send(c, r, to, MOVE_SENT);
		return;
	case MOVE_SENT:
	case MOVE_TRAVELLING:
		if (step_move_travel(c, r, f, to, &move_travel))
			step_done(r);
		return;
	case MOVE_NSTATES:
		break;
	}
	step_error(r, "move: bad sub-state %d", c->sub);
}

const struct step_op step_move = {
	.name = "move",
	.states = move_states,
	.nstates = MOVE_NSTATES,
	.needs_mirror = 1,
	.advance = move_advance,
};
