/* step_world.c -- see step_world.h.  Owns no state: everything lives in
 * the step context and the mirror. */
#include "step_world.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "engine.h"
#include "mirror.h"

static int cat_fits(const struct mirror_cat *e, const char *category)
{
	if (!e->category)
		return 0;
	if (!strcmp(e->category, category))
		return 1;
	/* setIndustryAlloc takes an improvement with allocations too */
	return !strcmp(category, "industry") && !strcmp(e->category, "improvement");
}

int64_t world_cat_resolve(const struct mirror *m, const json_t *v,
			  const char *category, char *err, size_t errlen)
{
	const struct mirror_cat *e = NULL;
	if (json_is_integer(v)) {
		if (mirror_cat_count(m) == 0)
			return json_integer_value(v);
		e = mirror_cat(m, json_integer_value(v));
		if (!e) {
			snprintf(err, errlen, "no catalogue entry %lld is known",
				 (long long)json_integer_value(v));
			return 0;
		}
	} else {
		e = mirror_cat_by_unid(m, json_string_value(v));
		if (!e) {
			snprintf(err, errlen, "no catalogue entry has unid \"%.100s\"",
				 json_string_value(v) ? json_string_value(v) : "");
			return 0;
		}
	}
	if (!cat_fits(e, category)) {
		snprintf(err, errlen, "catalogue entry %lld (%.60s) is not a%s %s",
			 (long long)e->id, e->unid ? e->unid : "?",
			 category[0] == 'i' ? "n" : "", category);
		return 0;
	}
	return e->id;
}

/* START: the world the step acts on, checked; 0 after step_error(). */
static int64_t decide_world(struct step_ctx *c, struct step_result *r)
{
	int64_t w = c->world;
	if (!w) {
		w = step_arg_id(c, "world"); /* an id; absent or "$here": anchor */
		if (!w && !(w = step_anchored_world(c, r)))
			return 0;
	}
	const struct mirror_world *rec = mirror_world(c->m, w);
	if (!rec || rec->sovereign != mirror_player(c->m)) {
		step_error(r, "world %lld is not one of your worlds", (long long)w);
		return 0;
	}
	int64_t holder = c->world ? 0 : engine_world_holder(c->eng, w);
	if (holder && holder != c->job_id) {
		step_error(r, "world %lld is held by job %lld", (long long)w,
			   (long long)holder);
		return 0;
	}
	return w;
}

/* START: resolve the step's catalogue argument `key` (of the category of
 * the same name) and keep its id as "cat" in the step's data; 0 after
 * step_error(). */
static int resolve_cat(struct step_ctx *c, struct step_result *r, const char *key)
{
	char err[200];
	int64_t id = world_cat_resolve(c->m, step_arg(c, key), key, err, sizeof err);
	if (!id) {
		step_error(r, "%s: %s", key, err);
		return 0;
	}
	step_data_set_int(c, "cat", id);
	return 1;
}

void step_world_advance(struct step_ctx *c, struct step_result *r,
			const struct world_op *op)
{
	if (c->sub != STEP_START) {
		step_settle(c, r, &op->effect);
		return;
	}
	int64_t world = decide_world(c, r);
	if (!world)
		return;
	if (op->cat && !resolve_cat(c, r, op->cat))
		return;
	if (op->effect.shows && op->effect.shows(c, mirror_world(c->m, world))) {
		step_note(c, "job.note", json_pack("{s:s,s:I}", "message", op->already,
						   "world", (json_int_t)world));
		step_done(r);
		return;
	}
	if (step_intent_lock(c, world, r))
		op->effect.send(c, r);
}

int64_t step_op_world(const struct step_ctx *c)
{
	return step_data_int(c, "intent_world", 0);
}

const struct mirror_world *step_op_world_rec(const struct step_ctx *c)
{
	return mirror_world(c->m, step_op_world(c));
}

int64_t step_cat(const struct step_ctx *c)
{
	return step_data_int(c, "cat", 0);
}

double step_arg_num(const struct step_ctx *c, const char *key)
{
	const json_t *v = step_arg(c, key);
	return json_is_number(v) ? json_number_value(v) : 0;
}

const struct mirror_trait *world_trait(const struct mirror_world *w, int64_t id)
{
	for (size_t i = 0; w && i < w->ntraits; i++)
		if (w->traits[i].id == id)
			return &w->traits[i];
	return NULL;
}

const struct mirror_route *world_route(const struct mirror_world *w, int64_t partner)
{
	for (size_t i = 0; w && i < w->nroutes; i++)
		if (w->routes[i].partner == partner)
			return &w->routes[i];
	return NULL;
}

int world_pct_eq(double a, double b)
{
	return fabs(a - b) < 0.051;
}
