/* step_wait.c -- op "wait": `seconds`, `watches`, or `until` a condition.
 *
 *   START    turn the relative wait into an absolute one and persist it
 *            (until_ms, until_watch = current watch + watches, or for a
 *            condition its deadline: now + timeout_seconds), so a restart
 *            keeps the deadline instead of starting over.
 *   WAITING  (persists: until_ms | until_watch | deadline_ms) done once it
 *            has passed, or once the condition holds; woken by the loop's
 *            timer, a new watch, or a change of an object the condition
 *            names (the engine indexes the job under each).  A condition
 *            that still does not hold at its deadline fails the step with
 *            wait_timeout, which on_error "continue" passes over.
 *
 * A condition is read from the mirror each time the job runs: nothing of
 * its value is kept, so after a restart it is judged against the first
 * watch fleetd sees. */
#include <stdio.h>

#include "cond.h"
#include "step.h"

enum wait_state { WAIT_START, WAIT_WAITING, WAIT_NSTATES };
static const char *const wait_states[] = {"START", "WAITING"};

static void wait_start(struct step_ctx *c, const json_t *secs, const json_t *until)
{
	if (secs) {
		step_data_set_int(c, "until_ms", c->now_ms + json_integer_value(secs) * 1000);
	} else if (until) {
		const json_t *t = json_object_get(c->args, "timeout_seconds");
		if (t)
			step_data_set_int(c, "deadline_ms",
					  c->now_ms + json_integer_value(t) * 1000);
	} else {
		step_data_set_int(c, "until_watch",
				  step_watch(c) +
					  json_integer_value(json_object_get(c->args, "watches")));
	}
	c->sub = WAIT_WAITING;
}

static void wait_condition(struct step_ctx *c, struct step_result *r, const json_t *until)
{
	struct cond_env env;
	char err[200];
	step_cond_env(c, &env);
	int v = cond_eval(until, c->m, &env, err, sizeof err);
	int64_t deadline = step_data_int(c, "deadline_ms", 0);
	if (v < 0) {
		step_error(r, "%s", err);
	} else if (v) {
		step_done(r);
	} else if (deadline && c->now_ms >= deadline) {
		step_error(r, "wait_timeout: the condition did not hold within %lld s",
			   (long long)json_integer_value(json_object_get(c->args,
									 "timeout_seconds")));
		r->soft = 1;
	} else {
		step_wait_for(r, WAIT_COND, 0, 0);
		r->until_ms = deadline;
	}
}

static void wait_advance(struct step_ctx *c, struct step_result *r)
{
	const json_t *secs = json_object_get(c->args, "seconds");
	const json_t *until = json_object_get(c->args, "until");
	if (c->sub == WAIT_START)
		wait_start(c, secs, until);
	if (until) {
		wait_condition(c, r, until);
	} else if (secs) {
		int64_t at = step_data_int(c, "until_ms", 0);
		if (c->now_ms >= at)
			step_done(r);
		else
			step_wait_until(r, at);
	} else {
		int64_t at = step_data_int(c, "until_watch", 0);
		if (step_watch(c) >= at)
			step_done(r);
		else
			step_wait_for(r, WAIT_WATCH, at, 0);
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
