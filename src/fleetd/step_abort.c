/* step_abort.c -- op "abort_attack": call off the player's battle at the
 * world the fleet is anchored at; done when the world has no battle.  Also
 * the abort shared with attack's on_cancel "abort" (step_abort_advance).
 *
 *   START  (persists: world) the fleet must be anchored.  No battle on at
 *          the world: done, nothing sent (job.abort_skipped).  A battle:
 *          note the watch (step_intent_open) -> SENT, send abortAttack
 *          with battleFieldID = the world (job.abort_sent).
 *   SENT   (persists: intent_watch, ambiguous_watch; settled by
 *          step_settle) with the answer: done.  No battle at the world:
 *          done at once, whatever the watch -- the battle was on when the
 *          call left, so it is over (aborted by this call, or ended by the
 *          fight; either way nothing is left to abort).  Resend (certainly
 *          no effect): send again.  Neither (crash or lost answer) and the
 *          battle still on: wait for a watch later than the intent's; still
 *          on then means the call never acted -> send again.
 *
 * Idempotent-ish, reconciled from the mirror: abortAttack acts at most
 * once per battle (a second call finds no battle of ours and is refused),
 * and it is only sent again once a fresh mirror still shows the battle,
 * so it is applied exactly once.  The mirror keeps whether a battle is
 * on, not whose: a rival's battle at the world is refused by the game
 * (noBattle) and fails the step like any game error (on_error
 * "continue" passes over it).
 *
 * Owns: its sub-states and the "world" of its data.  Must not touch:
 * the job's lease or state (the engine's). */
#include "mirror.h"
#include "step.h"

static int64_t abort_world(const struct step_ctx *c)
{
	return step_data_int(c, "world", 0);
}

/* The sub-state a send goes to: step_settle's send hook has no room for
 * it, so it is kept with the call (the op's own SENT index). */
static void send_to(struct step_ctx *c, struct step_result *r, int sent)
{
	int64_t world = abort_world(c);
	step_data_set_int(c, "abort_sends", step_data_int(c, "abort_sends", 0) + 1);
	step_note(c, "job.abort_sent",
		  json_pack("{s:I,s:I}", "world", (json_int_t)world, "attempt",
			    (json_int_t)step_data_int(c, "abort_sends", 1)));
	step_intent_send(c, r, sent, "abortAttack",
			 json_pack("{s:I}", "battleFieldID", (json_int_t)world));
}

static int64_t no_battle(struct step_ctx *c)
{
	const struct mirror_world *w = mirror_world(c->m, abort_world(c));
	return !w || !w->in_battle;
}

/* step_settle() sends again through e->send without the sub-state: the
 * op is already in its sent sub-state then, so c->sub is kept. */
static void resend(struct step_ctx *c, struct step_result *r)
{
	send_to(c, r, c->sub);
}

static const struct step_effect abort_effect = {
	.op = "abort_attack", .send = resend, .found = no_battle, .conclusive = 1,
};

void step_abort_advance(struct step_ctx *c, struct step_result *r,
			const struct step_abort *a)
{
	if (c->sub == a->sent) {
		step_settle(c, r, &abort_effect);
		return;
	}
	const struct mirror_world *w = mirror_world(c->m, abort_world(c));
	if (!w) {
		step_error(r, "world %lld is not known", (long long)abort_world(c));
		return;
	}
	if (w->in_battle) {
		send_to(c, r, a->sent);
		return;
	}
	step_note(c, "job.abort_skipped",
		  json_pack("{s:I,s:s}", "world", (json_int_t)w->id, "reason",
			    "no battle at the world"));
	step_done(r);
}

static const struct step_abort abort_subs = {STEP_START, STEP_SENT};

static void abort_advance(struct step_ctx *c, struct step_result *r)
{
	if (c->sub == STEP_START) {
		const struct mirror_fleet *f = step_anchored_fleet(c, r);
		if (!f)
			return;
		step_data_set_int(c, "world", f->anchor);
	}
	step_abort_advance(c, r, &abort_subs);
}

const struct step_op step_abort_attack = STEP_SENT_OP("abort_attack", abort_advance);
