/* step_attack.c -- op "attack": start a battle at the world the fleet is
 * anchored at and wait until it is over.
 *
 *   START     (persists: world, sent_watch) the fleet must be anchored.
 *             -> SENT, send attack with the battle plan.
 *   SENT      with the answer -> FIGHTING.  Without one (restart, lost
 *             answer): a battle on at the world means the order took
 *             -> FIGHTING; otherwise send it again -- ordering an attack
 *             where no battle runs is exactly what this step wants.
 *   FIGHTING  (persists: seen) wait for world W to change while it
 *             carries a battle plan; done when it has none, once the
 *             battle was seen or a whole watch passed without one (a
 *             battle can end within the watch it started in). */
#include "mirror.h"
#include "step.h"

enum attack_state { ATTACK_START, ATTACK_SENT, ATTACK_FIGHTING, ATTACK_NSTATES };
static const char *const attack_states[] = {"START", "SENT", "FIGHTING"};

static void send_call(struct step_ctx *c, struct step_result *r, int64_t world)
{
	c->sub = ATTACK_SENT;
	step_data_set_int(c, "sent_watch", step_watch(c));
	json_t *plan = json_pack("{s:I,s:O,s:O}", "battleFieldID", (json_int_t)world,
				 "objective", json_object_get(c->args, "objective"),
				 "enemySovereignIDs", json_object_get(c->args, "enemies"));
	step_call(r, "attack",
		  json_pack("{s:I,s:o}", "attackerObjID", (json_int_t)c->fleet, "battlePlan", plan),
		  0);
}

static void attack_advance(struct step_ctx *c, struct step_result *r)
{
	int64_t world = step_data_int(c, "world", 0);
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
		if (c->resend || (!c->reply && !w->in_battle)) {
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

const struct step_op step_attack = {
	.name = "attack",
	.states = attack_states,
	.nstates = ATTACK_NSTATES,
	.needs_mirror = 1,
	.advance = attack_advance,
};
