/* step_buy.c -- op "buy": buy `count` of resource `item` at the trading
 * world where the job's fleet is anchored (buyItem needs a fleet of ours
 * there; the game hands the purchase to one of our fleets at that world,
 * not necessarily this job's).  Not idempotent, so it is sent
 * effectively once:
 *
 *   START  the fleet must be anchored at a world W.  Take W's intent lock
 *          (step_intent_lock: no other effectively-once action at W until
 *          this one is settled), then write the intent: W, each of our
 *          fleets at W with its quantity of `item` (`before`), and the
 *          current watch.  -> SENT; the engine sends after the commit.
 *   SENT   (persists: intent_world, before, intent_watch, ambiguous_watch;
 *          settled by step_settle, each judgement a job.reconciled event)
 *          - answer received: done.
 *          - resend (transient fault, certainly no effect): new intent, send.
 *          - neither (crash or lost answer): once the mirror holds a watch
 *            later than the intent's, sum `item` over the same fleets (by
 *            id, wherever they went): at least `count` more than `before`
 *            means the purchase happened -> done; otherwise it never
 *            happened -> new intent, send.  Fleets that arrived later are
 *            not counted, and the lock keeps other buys, sells, transfers
 *            and deploys at W from moving `item` meanwhile. */
#include "mirror.h"
#include "step.h"
#include "step_intent.h"

static void send_call(struct step_ctx *c, struct step_result *r)
{
	int64_t world = step_data_int(c, "intent_world", 0);
	int64_t item = step_arg_id(c, "item");
	json_object_set_new(c->data, "before", intent_fleet_qty_at(c->m, world, item));
	step_intent_send(c, r, STEP_SENT, "buyItem",
			 json_pack("{s:I,s:I,s:O}", "sourceObjID", (json_int_t)world,
				   "itemID", (json_int_t)item, "itemCount",
				   json_object_get(c->args, "count")));
}

/* At least `count` more of the item over the fleets of `before`. */
static int64_t buy_found(struct step_ctx *c)
{
	int64_t item = step_arg_id(c, "item");
	const json_t *before = json_object_get(c->data, "before");
	int64_t was = 0;
	for (size_t i = 1; i < json_array_size(before); i += 2)
		was += json_integer_value(json_array_get(before, i));
	int64_t now = intent_sum_qty(c->m, before, item);
	return now - was >= json_integer_value(json_object_get(c->args, "count"));
}

static const struct step_effect buy_effect = {
	.op = "buy", .send = send_call, .world = step_anchored_world,
	.found = buy_found,
};

STEP_SENT_OP_DEFINE(step_buy, "buy", step_effect_advance, &buy_effect);
