/* step_queue.c -- ops "put" and "take": hand ids from job to job through
 * durable queues (queue.h; spec: "Fleets working together").
 *
 * put  {"queue": Q, "value": REF}
 *   START  resolve the value (an id, "$self": the job's fleet, "$here":
 *          the world the fleet is anchored at -- a world job's own world --,
 *          "$NAME": a variable) and add it at the back of Q, in the same
 *          transaction as the step's end: done.  A re-run after a crash
 *          finds the job still at START only if that transaction was lost,
 *          item and all, so an item is never put twice.  "$here" while the
 *          fleet travels fails the step; before the galaxy is known it
 *          waits for it.
 *
 * take {"queue": Q, "as": NAME}
 *   START    (persists: ticket, the time the take began: its place among
 *            Q's waiting takers, kept across restarts) -> WAITING.
 *   WAITING  the item Q's engine glue holds for this take (given when it
 *            was put while the job waited), or else Q's front item if no
 *            earlier taker waits: it is held by the job (queue_items.
 *            taken_by) and bound to the variable NAME in the same
 *            transaction as the step's end -> done.  Nothing: wait for Q
 *            (WAIT_QUEUE, indexed by the engine under Q; woken when an
 *            item is put into or given back to Q for this job).
 *   The item stays held until the job's next step completes (then it is
 *   used up and deleted) and goes back to the front of Q if the job is
 *   cancelled or fails first (event queue.returned); the engine does both.
 *
 * Neither op calls the game. */
#include <string.h>

#include "cond.h"
#include "engine.h"
#include "mirror.h"
#include "step.h"

enum put_state { PUT_START };
static const char *const put_states[] = {"START"};

/* The id a REF stands for now: > 0, 0 after r was filled (a wait or an
 * error). */
static int64_t put_value(struct step_ctx *c, struct step_result *r, const json_t *v)
{
	const char *s = json_string_value(v);
	if (json_is_integer(v))
		return json_integer_value(v);
	if (s && strcmp(s, "$self") == 0) {
		if (!c->fleet)
			step_error(r, "put: \"$self\" names the job's fleet; this job has none");
		return c->fleet;
	}
	if (s && strcmp(s, "$here") == 0) {
		if (c->world)
			return c->world;
		if (!c->m || !mirror_ready(c->m)) {
			step_wait_for(r, WAIT_READY, 0, 0);
			return 0;
		}
		const struct mirror_fleet *f = step_anchored_fleet(c, r);
		return f ? f->anchor : 0;
	}
	int64_t id = s ? cond_vars_get((void *)c->vars, s + 1) : 0;
	if (!id)
		step_error(r, "unbound_variable: %s is not bound", s ? s : "?");
	return id;
}

static void put_advance(struct step_ctx *c, struct step_result *r)
{
	char err[200];
	const char *queue = json_string_value(json_object_get(c->args, "queue"));
	int64_t v = put_value(c, r, json_object_get(c->args, "value"));
	if (!v)
		return;
	if (engine_queue_put(c->eng, queue, v, c->job_id, err, sizeof err) < 0) {
		step_error(r, "%s", err);
		return;
	}
	step_done(r);
}

const struct step_op step_put = {
	.name = "put", .states = put_states, .nstates = 1, .needs_mirror = 0,
	.advance = put_advance,
};

enum take_state { TAKE_START, TAKE_WAITING, TAKE_NSTATES };
static const char *const take_states[] = {"START", "WAITING"};

static void take_advance(struct step_ctx *c, struct step_result *r)
{
	char err[200];
	const char *queue = json_string_value(json_object_get(c->args, "queue"));
	if (c->sub == TAKE_START) {
		step_data_set_int(c, "ticket", c->now_ms);
		c->sub = TAKE_WAITING;
	}
	int64_t ticket = step_data_int(c, "ticket", c->now_ms), q = 0, value = 0;
	int rc = engine_queue_take(c->eng, queue, c->job_id, c->step, c->iteration, ticket,
				   &q, &value, err, sizeof err);
	if (rc < 0) {
		step_error(r, "%s", err);
	} else if (rc == 0) {
		step_wait_for(r, WAIT_QUEUE, q, ticket);
	} else {
		c->bind = json_string_value(json_object_get(c->args, "as"));
		c->bind_value = value;
		step_done(r);
	}
}

const struct step_op step_take = {
	.name = "take", .states = take_states, .nstates = TAKE_NSTATES,
	.needs_mirror = 0, .advance = take_advance,
};
