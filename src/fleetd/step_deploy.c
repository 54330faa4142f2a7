/* step_deploy.c -- op "deploy": create a new fleet from ships and cargo at
 * `from` (a world, or a fleet anchored at a world); the job's fleet becomes
 * the new fleet.  Not idempotent, so it is sent effectively once:
 *
 *   START  find the world W where the new fleet will appear (from itself,
 *          or the world the source fleet is anchored at).  Write the
 *          intent -- the ids of the player's fleets at W now (`before`)
 *          and the current watch -- and go to SENT; the engine sends
 *          deployFleet only after this is committed.
 *   SENT   (persists: intent_world, before, max_fleet, source_before,
 *          intent_watch, ambiguous_watch)
 *          - answer received: the new fleet is the answer's `selection`
 *            (or, failing that, the player's fleet at W not in `before`).
 *          - resend (transient fault, certainly no effect): send again.
 *          - neither (crash or lost answer): wait for a watch later than
 *            the intent's; a player fleet at W held by no job, holding
 *            exactly the deployed resources, with an id above every fleet
 *            the intent knew (`max_fleet`), while the source holds the
 *            deployed amounts fewer than it did (`source_before`), is the
 *            one this call made -> adopt it, done.  A fleet that merely
 *            arrived at W (its move job ended) may have the same make-up
 *            and be free, but not a newer id and a source that fell (the
 *            lock means no other action at W is open).  None: the call
 *            never acted -> new intent, send.
 * On done the engine moves the job's lease to the new fleet. */
#include <string.h>

#include "mirror.h"
#include "step.h"
#include "step_intent.h"

enum deploy_state { DEPLOY_START, DEPLOY_SENT, DEPLOY_NSTATES };
static const char *const deploy_states[] = {"START", "SENT"};

static void send_intent(struct step_ctx *c, struct step_result *r, int64_t world)
{
	json_object_set_new(c->data, "before", intent_fleets_at(c->m, world));
	intent_deploy_record(c->m, step_arg_id(c, "from"), json_object_get(c->args, "resources"),
			     c->data);
	step_intent_open(c);
	c->sub = DEPLOY_SENT;
	step_call(r, "deployFleet",
		  json_pack("{s:I,s:O}", "sourceObjID",
			    (json_int_t)step_arg_id(c, "from"), "resources",
			    json_object_get(c->args, "resources")),
		  0);
}

static int64_t selection_of(const json_t *answer)
{
	size_t i;
	const json_t *o;
	json_array_foreach(answer, i, o) {
		const char *cls = json_string_value(json_object_get(o, "class"));
		const json_t *id = json_object_get(o, "id");
		if (cls && strcmp(cls, "selection") == 0 && json_is_integer(id))
			return json_integer_value(id);
	}
	return 0;
}

static void adopt(struct step_ctx *c, struct step_result *r, int64_t fleet)
{
	step_note(c, "job.fleet",
		  json_pack("{s:I,s:I}", "from", (json_int_t)c->fleet, "to",
			    (json_int_t)fleet));
	c->fleet = fleet;
	step_done(r);
}

static void deploy_advance(struct step_ctx *c, struct step_result *r)
{
	int64_t from = step_arg_id(c, "from");
	if (c->sub == DEPLOY_START) {
		int64_t world = from;
		if (!mirror_world(c->m, from)) {
			const struct mirror_fleet *src = mirror_fleet(c->m, from);
			if (!src || !src->anchor || src->dest_id) {
				step_error(r, "deploy source %lld is neither a world nor "
					   "a fleet anchored at one", (long long)from);
				return;
			}
			world = src->anchor;
		}
		if (!step_intent_lock(c, world, r))
			return;
		send_intent(c, r, world);
		return;
	}
	int64_t world = step_data_int(c, "intent_world", 0);
	const json_t *want = json_object_get(c->args, "resources");
	if (c->resend) {
		send_intent(c, r, world);
		return;
	}
	if (c->reply) {
		int64_t nf = selection_of(c->reply);
		if (!nf)
			nf = intent_deployed_fleet(c->m, c->eng, world, from, c->data, want);
		if (!nf) {
			step_error(r, "deployFleet answered without naming the new fleet");
			return;
		}
		adopt(c, r, nf);
		return;
	}
	if (!step_intent_fresh(c, r))
		return;
	int64_t nf = intent_deployed_fleet(c->m, c->eng, world, from, c->data, want);
	step_note(c, "job.reconciled",
		  json_pack("{s:s,s:b,s:I}", "op", "deploy", "effect_found", nf != 0,
			    "fleet", (json_int_t)nf));
	if (nf)
		adopt(c, r, nf);
	else
		send_intent(c, r, world);
}

const struct step_op step_deploy = {
	.name = "deploy",
	.states = deploy_states,
	.nstates = DEPLOY_NSTATES,
	.needs_mirror = 1,
	.advance = deploy_advance,
};
