/* step_attack.c -- op "attack": start a battle at the world the fleet is
 * anchored at and wait until it is over.
 *
 *   START     (persists: world, sent_watch, before) the fleet must be
 *             anchored.  Record what a battle would change (`before`: the
 *             world's owner and holdings, the fleet's holdings) -> SENT,
 *             send attack with the battle plan.
 *   SENT      (persists also intent_watch, ambiguous_watch, ambiguous_at)
 *             with the answer -> FIGHTING.  Without one (restart, or a
 *             lost answer): a battle on at the world means the order took
 *             -> FIGHTING; otherwise wait until step_intent_fresh allows a
 *             judgement, then:
 *             No battle, but the world changed hands, or its holdings or
 *             the fleet's changed, or the fleet is gone: the order took
 *             and its battle was over within the watch (a battle ends at
 *             a watch's end with losses on both sides, or with no
 *             defender left: the world taken) -> FIGHTING, which ends.
 *             Nothing changed: the order never acted -> send it again.
 *             (Ordering again after the battle would start a second one,
 *             or be refused as notEnemy and fail a job whose attack
 *             happened.)
 *   FIGHTING  (persists: seen) wait for world W to change while it
 *             carries a battle plan; done when it has none, once the
 *             battle was seen or a whole watch passed without one (a
 *             battle can end within the watch it started in).
 *
 * Cancelled with on_cancel "abort" (default "keep": the job just ends and
 * the battle goes on) in SENT or FIGHTING -- its order may have started a
 * battle -- the cancel does not end the job: attack_cancel() moves it to
 * ABORT in the cancel's own transaction, and the engine ends the job
 * cancelled once ABORT or ABORT_SENT is done (step_abort.c):
 *   ABORT       (persists: intent_watch = sent_watch) a battle on at W:
 *               -> ABORT_SENT, abortAttack sent (job.abort_sent).  None:
 *               done once the mirror is later than the watch the attack
 *               was ordered in (and than an ambiguous answer's), so an
 *               order that did start a battle is seen (job.abort_skipped);
 *               until then wait for that watch.  An answer to the attack
 *               that arrives here is not looked at: the mirror has it.
 *   ABORT_SENT  as abort_attack's SENT: done with the answer or when W has
 *               no battle; without either, after a fresh watch, sent again.
 * A cancel in START (nothing ordered yet) ends the job at once. */
#include <string.h>

#include "mirror.h"
#include "step.h"

enum attack_state {
	ATTACK_START,
	ATTACK_SENT,
	ATTACK_FIGHTING,
	ATTACK_ABORT,
	ATTACK_ABORT_SENT,
	ATTACK_NSTATES
};
static const char *const attack_states[] = {"START", "SENT", "FIGHTING", "ABORT",
					    "ABORT_SENT"};
static const struct step_abort attack_abort = {ATTACK_ABORT, ATTACK_ABORT_SENT};

static json_t *holdings(const int64_t *res, size_t n)
{
	json_t *out = json_array();
	for (size_t i = 0; i < 2 * n; i++)
		json_array_append_new(out, json_integer(res[i]));
	return out;
}

/* [world owner, world holdings, fleet holdings] now; the fleet's is null
 * once it is gone. */
static json_t *battle_marks(const struct step_ctx *c, const struct mirror_world *w)
{
	const struct mirror_fleet *f = mirror_fleet(c->m, c->fleet);
	return json_pack("[I,o,o]", (json_int_t)w->sovereign, holdings(w->res, w->nres),
			 f ? holdings(f->res, f->nres) : json_null());
}

/* Did a battle happen at w since the order was sent? */
static int battle_fought(const struct step_ctx *c, const struct mirror_world *w)
{
	const json_t *before = json_object_get(c->data, "before");
	if (!before)
		return 0; /* an order sent by an older fleetd: no marks */
	json_t *now = battle_marks(c, w);
	int changed = !json_equal(now, before);
	json_decref(now);
	return changed;
}

static void send_call(struct step_ctx *c, struct step_result *r, int64_t world)
{
	const struct mirror_world *w = mirror_world(c->m, world);
	if (w)
		json_object_set_new(c->data, "before", battle_marks(c, w));
	step_data_set_int(c, "sent_watch", step_watch(c));
	json_t *plan = json_pack("{s:I,s:O,s:O}", "battleFieldID", (json_int_t)world,
				 "objective", json_object_get(c->args, "objective"),
				 "enemySovereignIDs", json_object_get(c->args, "enemies"));
	step_intent_send(c, r, ATTACK_SENT, "attack",
			 json_pack("{s:I,s:o}", "attackerObjID", (json_int_t)c->fleet,
				   "battlePlan", plan));
}

/* ABORT and ABORT_SENT: undo the battle the step may have started. */
static void abort_advance(struct step_ctx *c, struct step_result *r)
{
	const struct mirror_world *w = mirror_world(c->m, step_data_int(c, "world", 0));
	if (c->sub == ATTACK_ABORT && w && !w->in_battle && !step_intent_fresh(c, r))
		return;
	step_abort_advance(c, r, &attack_abort);
}

static void attack_advance(struct step_ctx *c, struct step_result *r)
{
	int64_t world = step_data_int(c, "world", 0);
	if (c->sub >= ATTACK_ABORT) {
		abort_advance(c, r);
		return;
	}
	if (c->sub == ATTACK_START) {
		const struct mirror_fleet *f = step_anchored_fleet(c, r);
		if (!f)
			return;
		step_data_set_int(c, "world", f->anchor);
		send_call(c, r, f->anchor);
		return;
	}
	const struct mirror_world *w = mirror_world(c->m, world);
	if (!w) {
		step_error(r, "world %lld is not known", (long long)world);
		return;
	}
	if (c->sub == ATTACK_SENT) {
		/* no answer: judge only a galaxy that surely shows the order */
		if (!c->resend && !c->reply && !w->in_battle && !step_intent_fresh(c, r))
			return;
		if (c->resend || (!c->reply && !w->in_battle && !battle_fought(c, w))) {
			send_call(c, r, world);
			return;
		}
		c->sub = ATTACK_FIGHTING;
	}
	if (w->in_battle) {
		step_data_set_int(c, "seen", 1);
		step_wait_for(r, WAIT_BATTLE, world, 0);
		return;
	}
	int64_t sent = step_data_int(c, "sent_watch", 0);
	if (step_data_int(c, "seen", 0) || step_watch(c) > sent)
		step_done(r);
	else
		step_wait_for(r, WAIT_WATCH, sent + 1, 0);
}

/* on_cancel "abort" in SENT or FIGHTING: ABORT decides from the mirror,
 * no fresher than the watch the attack was ordered in. */
static int attack_cancel(struct step_ctx *c)
{
	const char *oc = json_string_value(json_object_get(c->args, "on_cancel"));
	if (!oc || strcmp(oc, "abort") != 0 ||
	    (c->sub != ATTACK_SENT && c->sub != ATTACK_FIGHTING))
		return 0;
	step_data_set_int(c, "intent_watch", step_data_int(c, "sent_watch", 0));
	c->sub = ATTACK_ABORT;
	return 1;
}

const struct step_op step_attack = {
	.name = "attack",
	.states = attack_states,
	.nstates = ATTACK_NSTATES,
	.needs_mirror = 1,
	.advance = attack_advance,
	.cancel = attack_cancel,
};
