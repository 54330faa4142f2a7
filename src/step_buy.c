/* step_buy.c -- op "buy": buy `count` of resource `item` at the trading
 * world where the job's fleet is anchored (buyItem needs a fleet of ours
 * there).  Not idempotent, so it is sent effectively once:
 *
 *   START  the fleet must be anchored at a world W.  Write the intent: W,
 *          the total of `item` held at W by the world and the player's
 *          fleets there (`before`, wherever the game puts what it sells),
 *          and the current watch.  -> SENT; the engine sends after commit.
 *   SENT   (persists: world, before, intent_watch, ambiguous_watch)
 *          - answer received: done.
 *          - resend (transient, certainly no effect): send again.
 *          - neither (crash or lost answer): once the mirror holds a watch
 *            later than the intent's, a total above `before` means the
 *            purchase happened: done.  Otherwise it never happened -> new
 *            intent, send.  (Fleets of ours at W are held by leases; only
 *            a transfer into one of them by another job in the same
 *            watches could be mistaken for the purchase.) */
#include "mirror.h"
#include "step.h"
#include "step_intent.h"

enum buy_state { BUY_START, BUY_SENT, BUY_NSTATES };
static const char *const buy_states[] = {"START", "SENT"};

static void send_intent(struct step_ctx *c, struct step_result *r, int64_t world)
{
	int64_t item = step_arg_id(c, "item");
	step_data_set_int(c, "before", intent_total_at(c->m, world, item));
	step_intent_open(c);
	c->sub = BUY_SENT;
	step_call(r, "buyItem",
		  json_pack("{s:I,s:I,s:O}", "sourceObjID", (json_int_t)world,
			    "itemID", (json_int_t)item, "itemCount",
			    json_object_get(c->args, "count")),
		  0);
}

static void buy_advance(struct step_ctx *c, struct step_result *r)
{
	if (c->sub == BUY_START) {
		const struct mirror_fleet *f = mirror_fleet(c->m, c->fleet);
		if (!f) {
			step_error(r, "fleet %lld no longer exists", (long long)c->fleet);
			return;
		}
		if (!f->anchor || f->dest_id) {
			step_error(r, "fleet %lld is not anchored at a world",
				   (long long)c->fleet);
			return;
		}
		step_data_set_int(c, "world", f->anchor);
		send_intent(c, r, f->anchor);
		return;
	}
	int64_t world = step_data_int(c, "world", 0);
	if (c->resend) {
		send_intent(c, r, world);
		return;
	}
	if (c->reply) {
		step_done(r);
		return;
	}
	if (!step_intent_fresh(c, r))
		return;
	int64_t now = intent_total_at(c->m, world, step_arg_id(c, "item"));
	int happened = now > step_data_int(c, "before", 0);
	step_note(c, "job.reconciled",
		  json_pack("{s:s,s:b}", "op", "buy", "effect_found", happened));
	if (happened)
		step_done(r);
	else
		send_intent(c, r, world);
}

const struct step_op step_buy = {
	.name = "buy",
	.states = buy_states,
	.nstates = BUY_NSTATES,
	.needs_mirror = 1,
	.advance = buy_advance,
};
