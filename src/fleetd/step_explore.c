/* step_explore.c -- op "explore": visit the nearest unvisited world, again
 * and again, until none is left in range or `max` worlds were visited.
 *
 *   START       (persists: x0, y0 the start position, n = 0, grp) the
 *               world the fleet stands at counts as visited.  -> PICK
 *   PICK        choose the nearest world (from where the fleet is) that
 *               no job of the group has visited or claimed, within
 *               `radius` of the start; claim it in explore_visited in the
 *               same transaction, so two jobs of a group never pick the
 *               same world.  None left, or n == max: done.
 *               (persists: target, n) -> SENT, send setDestination.
 *   SENT        with the answer -> TRAVELLING; without one: send again
 *               (setDestination is idempotent).
 *   TRAVELLING  wait for the fleet anchored at target -> PICK.
 *   SENT and TRAVELLING are move's (step_move_travel, persists: resends):
 *   a fleet stopped short is sent again, at most 3 times in all.
 * The visited set lives in the table explore_visited (grp, world), shared
 * by every job with the same `group`; without a group it is "job:<id>".
 * A job that leaves the step in SENT or TRAVELLING (it failed, was
 * cancelled, or passed over a game error) gives its claim on target back,
 * unless the fleet stands there: worlds really visited stay visited. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "engine.h"
#include "idmap.h"
#include "mirror.h"
#include "step.h"
#include "store.h"

enum explore_state {
	EXPLORE_START,
	EXPLORE_PICK,
	EXPLORE_SENT,
	EXPLORE_TRAVELLING,
	EXPLORE_NSTATES
};
static const char *const explore_states[] = {"START", "PICK", "SENT", "TRAVELLING"};

static int claim(struct step_ctx *c, const char *grp, int64_t world)
{
	return engine_explore_claim(c->eng, grp, world, c->job_id, c->now_ms);
}

static int load_visited(struct step_ctx *c, const char *grp, struct idmap *seen)
{
	return engine_explore_visited(c->eng, grp, seen);
}

/* The nearest eligible world, 0 if none; -1 on a database error. */
static int64_t nearest(struct step_ctx *c, const struct mirror_fleet *f,
		       const char *grp)
{
	struct idmap seen;
	idmap_init(&seen);
	if (load_visited(c, grp, &seen) < 0) {
		idmap_free(&seen);
		return -1;
	}
	const json_t *rad = json_object_get(c->args, "radius");
	double radius = rad ? json_number_value(rad) : INFINITY;
	double x0 = json_real_value(json_object_get(c->data, "x0"));
	double y0 = json_real_value(json_object_get(c->data, "y0"));
	int64_t best = 0;
	double best_d = INFINITY;
	size_t n = mirror_world_count(c->m);
	for (size_t i = 0; i < n; i++) {
		const struct mirror_world *w = mirror_world_at(c->m, i);
		if (idmap_get(&seen, w->id) || hypot(w->x - x0, w->y - y0) > radius)
			continue;
		double d = hypot(w->x - f->x, w->y - f->y);
		if (d < best_d) {
			best_d = d;
			best = w->id;
		}
	}
	idmap_free(&seen);
	return best;
}

static const struct step_travel explore_travel = {EXPLORE_SENT, EXPLORE_TRAVELLING};

static void explore_pick(struct step_ctx *c, struct step_result *r,
			 const struct mirror_fleet *f, const char *grp)
{
	int64_t max = step_data_int(c, "max", 0), n = step_data_int(c, "n", 0);
	if (max > 0 && n >= max) {
		step_done(r);
		return;
	}
	int64_t w = nearest(c, f, grp);
	if (w < 0 || (w > 0 && claim(c, grp, w) < 0)) {
		step_error(r, "explore: cannot read or write the visited set");
		return;
	}
	if (w == 0) {
		step_done(r);
		return;
	}
	step_data_set_int(c, "target", w);
	step_data_set_int(c, "n", n + 1);
	step_move_send(c, r, w, EXPLORE_SENT);
}

static void explore_advance(struct step_ctx *c, struct step_result *r)
{
	const struct mirror_fleet *f = step_fleet(c, r);
	if (!f)
		return;
	if (c->sub == EXPLORE_START) {
		const json_t *g = json_object_get(c->args, "group");
		char grp[96];
		if (g)
			snprintf(grp, sizeof grp, "group:%s", json_string_value(g));
		else
			snprintf(grp, sizeof grp, "job:%lld", (long long)c->job_id);
		json_object_set_new(c->data, "grp", json_string(grp));
		json_object_set_new(c->data, "x0", json_real(f->x));
		json_object_set_new(c->data, "y0", json_real(f->y));
		step_data_set_int(c, "n", 0);
		const json_t *max = json_object_get(c->args, "max");
		step_data_set_int(c, "max", max ? json_integer_value(max) : 0);
		if (f->anchor && f->dest_id == 0 && claim(c, grp, f->anchor) < 0) {
			step_error(r, "explore: cannot write the visited set");
			return;
		}
		c->sub = EXPLORE_PICK;
	}
	const char *grp = json_string_value(json_object_get(c->data, "grp"));
	int64_t target = step_data_int(c, "target", 0);
	switch ((enum explore_state)c->sub) {
	case EXPLORE_PICK:
		explore_pick(c, r, f, grp ? grp : "");
		return;
	case EXPLORE_SENT:
	case EXPLORE_TRAVELLING:
		if (step_move_travel(c, r, f, target, &explore_travel)) {
			c->sub = EXPLORE_PICK;
			explore_pick(c, r, f, grp ? grp : "");
		}
		return;
	case EXPLORE_START:
	case EXPLORE_NSTATES:
		break;
	}
	step_error(r, "explore: bad sub-state %d", c->sub);
}

static void explore_abandon(struct step_ctx *c)
{
	if (c->sub != EXPLORE_SENT && c->sub != EXPLORE_TRAVELLING)
		return;
	const char *grp = json_string_value(json_object_get(c->data, "grp"));
	int64_t target = step_data_int(c, "target", 0);
	if (!grp || !target)
		return;
	const struct mirror_fleet *f =
		c->m && mirror_ready(c->m) ? mirror_fleet(c->m, c->fleet) : NULL;
	if (f && f->anchor == target && f->dest_id == 0)
		return; /* arrived; the job had not looked yet */
	/* on an error the claim stays: a world skipped, never one visited twice */
	int gone = engine_explore_unclaim(c->eng, grp, target, c->job_id) > 0;
	if (gone)
		step_note(c, "job.unclaimed", json_pack("{s:s,s:I}", "group", grp,
							"world", (json_int_t)target));
}

const struct step_op step_explore = {
	.name = "explore",
	.states = explore_states,
	.nstates = EXPLORE_NSTATES,
	.needs_mirror = 1,
	.advance = explore_advance,
	.abandon = explore_abandon,
};
