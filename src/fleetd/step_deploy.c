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
 *          intent_watch, ambiguous_watch; settled by step_settle, each
 *          judgement a job.reconciled event)
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

static void send_call(struct step_ctx *c, struct step_result *r)
{
	int64_t world = step_data_int(c, "intent_world", 0);
	json_object_set_new(c->data, "before", intent_fleets_at(c->m, world));
	intent_deploy_record(c->m, step_arg_id(c, "from"), step_arg(c, "resources"), c->data);
	step_intent_send(c, r, STEP_SENT, "deployFleet",
			 json_pack("{s:I,s:O}", "sourceObjID",
				   (json_int_t)step_arg_id(c, "from"), "resources",
				   step_arg(c, "resources")));
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

/* The fleet this call made: a new one at the world (an id above the
 * intent's max_fleet, the source fallen by the deployed amounts), held by
 * no job, with exactly the deployed resources; 0 if none. */
static int64_t deploy_found(struct step_ctx *c)
{
	return intent_deployed_fleet(c->m, c->eng, step_data_int(c, "intent_world", 0),
				     step_arg_id(c, "from"), c->data, step_arg(c, "resources"));
}

/* The job's fleet becomes the new one: found, or named by the answer. */
static void adopt(struct step_ctx *c, struct step_result *r, int64_t fleet)
{
	if (!fleet)
		fleet = selection_of(c->reply);
	if (!fleet)
		fleet = deploy_found(c);
	if (!fleet) {
		step_error(r, "deployFleet answered without naming the new fleet");
		return;
	}
	step_note(c, "job.fleet",
		  json_pack("{s:I,s:I}", "from", (json_int_t)c->fleet, "to",
			    (json_int_t)fleet));
	c->fleet = fleet;
	step_done(r);
}

/* The world where the new fleet will appear: `from` itself, or the world
 * the source fleet is anchored at; 0 after step_error. */
static int64_t deploy_world(struct step_ctx *c, struct step_result *r)
{
	int64_t from = step_arg_id(c, "from");
	if (mirror_world(c->m, from))
		return from;
	const struct mirror_fleet *src = mirror_fleet(c->m, from);
	if (!src || !src->anchor || src->dest_id) {
		step_error(r, "deploy source %lld is neither a world nor a fleet "
			   "anchored at one", (long long)from);
		return 0;
	}
	return src->anchor;
}

static const struct step_effect deploy_effect = {
	.op = "deploy", .send = send_call, .world = deploy_world,
	.found = deploy_found, .acted = adopt, .names_fleet = 1,
};

STEP_SENT_OP_DEFINE(step_deploy, "deploy", step_effect_advance, &deploy_effect);
