/* step_wait.c -- op "wait": `seconds` or `watches`.
 *
 *   START    turn the relative wait into an absolute one and persist it
 *            (until_ms, or until_watch = current watch + watches), so a
 *            restart keeps the deadline instead of starting over.
 *   WAITING  (persists: until_ms | until_watch) done once it has passed;
 *            woken by the loop's timer or by a new watch. */
#include "step.h"

enum wait_state { WAIT_START, WAIT_WAITING, WAIT_NSTATES };
static const char *const wait_states[] = {"START", "WAITING"};

static void wait_advance(struct step_ctx *c, struct step_result *r)
{
	const json_t *secs = json_object_get(c->args, "seconds");
	if (c->sub == WAIT_START) {
		if (secs)
			step_data_set_int(c, "until_ms",
					  c->now_ms + json_integer_value(secs) * 1000);
		else
			step_data_set_int(c, "until_watch",
					  step_watch(c) +
						  json_integer_value(json_object_get(c->args, "watches")));
		c->sub = WAIT_WAITING;
	}
	if (secs) {
		int64_t until = step_data_int(c, "until_ms", 0);
		if (c->now_ms >= until)
			step_done(r);
		else
			step_wait_until(r, until);
	} else {
		int64_t until = step_data_int(c, "until_watch", 0);
		if (step_watch(c) >= until)
			step_done(r);
		else
			step_wait_for(r, WAIT_WATCH, until, 0);
	}
}

/* needs_mirror is decided per step by the engine: seconds need no galaxy. */
const struct step_op step_wait = {
	.name = "wait",
	.states = wait_states,
	.nstates = WAIT_NSTATES,
	.needs_mirror = 0,
	.advance = wait_advance,
};
