/* step_sell.c -- op "sell": sell ships or cargo of the job's fleet to the
 * trading world `to` (sellFleet).  `resources: "all"` means all the
 * fleet's cargo: every resource it holds whose catalogue category is
 * "commodity" -- never its ships (maneuveringUnit) or other units; a
 * fleet with no commodities sells nothing and the step is done.
 * Not idempotent, so it is sent effectively once:
 *
 *   START  the fleet must be anchored at `to`.  Resolve the list (for
 *          "all", from the mirror now) and write the intent: the list
 *          (`resources`), the fleet's quantities of them (`before`) and
 *          the current watch.  -> SENT; the engine sends after commit.
 *   SENT   (persists: intent_world, resources, before, intent_watch,
 *          ambiguous_watch; settled by step_settle, each judgement a
 *          job.reconciled event)
 *          - answer received: done.
 *          - resend (transient, certainly no effect): send the same list
 *            (unless the fleet is gone: then it is judged as below).
 *          - neither (crash or lost answer): once the mirror holds a watch
 *            later than the intent's, a fleet whose quantities differ
 *            from `before`, or that is gone (selling its last ships
 *            ends a fleet), has sold (the lease keeps other jobs off its
 *            cargo): done.  Unchanged: it never sold -> new intent, send. */
#include <string.h>

#include "mirror.h"
#include "step.h"

static json_t *all_cargo(const struct mirror *m, const struct mirror_fleet *f)
{
	json_t *out = json_array();
	for (size_t i = 0; i < f->nres; i++) {
		int64_t id = f->res[2 * i], q = f->res[2 * i + 1];
		const char *cat = mirror_resource_category(m, id);
		if (q > 0 && cat && strcmp(cat, "commodity") == 0) {
			json_array_append_new(out, json_integer(id));
			json_array_append_new(out, json_integer(q));
		}
	}
	return out;
}

static void send_call(struct step_ctx *c, struct step_result *r)
{
	step_cargo_send(c, r, "sellFleet", "objID", "buyerObjID",
			json_object_get(c->data, "resources"));
}

/* Quantities changed, or the fleet is gone: a vanished fleet sold its last
 * ships (the lease keeps other jobs off its cargo). */
static int64_t sell_found(struct step_ctx *c)
{
	return !mirror_fleet(c->m, c->fleet) || step_cargo_moved(c);
}

static const struct step_effect sell_effect = {
	.op = "sell", .send = send_call, .found = sell_found,
};

static void sell_start(struct step_ctx *c, struct step_result *r)
{
	const struct mirror_fleet *f = step_fleet(c, r);
	if (!f)
		return;
	int64_t to = step_arg_id(c, "to");
	if (f->anchor != to || f->dest_id) {
		step_error(r, "fleet %lld is not anchored at world %lld",
			   (long long)c->fleet, (long long)to);
		return;
	}
	const json_t *want = step_arg(c, "resources");
	json_t *list = json_is_string(want) ? all_cargo(c->m, f) : json_deep_copy(want);
	if (json_array_size(list) == 0) {
		json_decref(list);
		step_note(c, "job.note", json_pack("{s:s}", "message", "nothing to sell"));
		step_done(r);
		return;
	}
	if (!step_intent_lock(c, to, r)) {
		json_decref(list);
		return;
	}
	json_object_set_new(c->data, "resources", list);
	send_call(c, r);
}

static void sell_advance(struct step_ctx *c, struct step_result *r)
{
	if (c->sub == STEP_START) {
		sell_start(c, r);
		return;
	}
	/* a vanished fleet cannot be sold again, even after a transient
	 * fault: it is judged (it sold its last ships) */
	if (!c->reply && !mirror_fleet(c->m, c->fleet))
		c->resend = 0;
	step_settle(c, r, &sell_effect); /* an answer may leave no fleet */
}

const struct step_op step_sell = STEP_SENT_OP("sell", sell_advance);
