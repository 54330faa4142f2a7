/* step_common.c -- helpers shared by the step ops (see step.h).  Owns no
 * state: everything lives in the step context handed in. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "backoff.h"
#include "cond.h"
#include "engine.h"
#include "jsonx.h"
#include "mirror.h"
#include "rng.h"
#include "step.h"
#include "store.h"
#include "step_intent.h"

void step_done(struct step_result *r)
{
	r->verdict = STEP_DONE;
}

void step_wait_until(struct step_result *r, int64_t until_ms)
{
	r->verdict = STEP_WAIT_UNTIL;
	r->until_ms = until_ms;
}

void step_wait_for(struct step_result *r, enum wait_kind kind, int64_t key,
		   int64_t arg)
{
	r->verdict = STEP_WAIT_FOR;
	r->wait = kind;
	r->key = key;
	r->arg = arg;
}

void step_call(struct step_result *r, const char *endpoint, json_t *params,
	       int flags)
{
	r->verdict = STEP_CALL;
	r->endpoint = endpoint;
	json_decref(r->params);
	r->params = params;
	r->flags = flags;
}

void step_error(struct step_result *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof r->msg, fmt, ap);
	va_end(ap);
	r->verdict = STEP_ERROR;
}

/* The random stream for this run: the caller's, or local seeded from the
 * time and the job (two jobs polling at the same moment still draw apart;
 * the stream is used once, so nothing is kept between runs). */
static struct rng *step_rng(struct step_ctx *c, struct rng *local)
{
	if (c->rng)
		return c->rng;
	rng_seed(local, (uint64_t)c->now_ms ^ ((uint64_t)c->job_id << 32));
	return local;
}

int64_t step_watch(const struct step_ctx *c)
{
	if (!c->m || !mirror_ready(c->m))
		return 0;
	return (int64_t)floor(mirror_watch(c->m));
}

int64_t step_data_int(const struct step_ctx *c, const char *key, int64_t dflt)
{
	const json_t *v = jsonx_field(c->data, key);
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

void step_data_set_int(struct step_ctx *c, const char *key, int64_t v)
{
	json_object_set_new(c->data, key, json_integer(v));
}

const json_t *step_arg(const struct step_ctx *c, const char *key)
{
	/* computed arguments (step_resolve) are kept in the data; most steps
	 * have none, and the data nothing at all */
	const json_t *v = json_object_get(jsonx_field(c->data, "args"), key);
	return v ? v : json_object_get(c->args, key);
}

int64_t step_arg_id(const struct step_ctx *c, const char *key)
{
	const json_t *v = step_arg(c, key);
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

void step_cond_env(const struct step_ctx *c, struct cond_env *env)
{
	env->self = c->fleet;
	env->here = step_data_int(c, "here", 0);
	env->var = cond_vars_get;
	env->var_arg = (void *)c->vars;
}

const struct mirror_fleet *step_fleet(struct step_ctx *c, struct step_result *r)
{
	const struct mirror_fleet *f = mirror_fleet(c->m, c->fleet);
	if (!f)
		step_error(r, "fleet %lld no longer exists", (long long)c->fleet);
	return f;
}

const struct mirror_fleet *step_anchored_fleet(struct step_ctx *c,
					       struct step_result *r)
{
	const struct mirror_fleet *f = step_fleet(c, r);
	if (f && (!f->anchor || f->dest_id)) {
		step_error(r, "fleet %lld is not anchored at a world", (long long)c->fleet);
		return NULL;
	}
	return f;
}

void step_note(struct step_ctx *c, const char *type, json_t *data)
{
	engine_note(c->eng, c->job_id, type, data);
	json_decref(data);
}

void step_intent_open(struct step_ctx *c)
{
	step_data_set_int(c, "intent_watch", step_watch(c));
	json_object_del(c->data, "ambiguous_watch");
	json_object_del(c->data, "ambiguous_at");
}

void step_intent_send(struct step_ctx *c, struct step_result *r, int sent,
		      const char *endpoint, json_t *params)
{
	step_intent_open(c);
	c->sub = sent;
	step_call(r, endpoint, params, 0);
}

int step_intent_fresh(struct step_ctx *c, struct step_result *r)
{
	int64_t need = step_data_int(c, "intent_watch", 0);
	int64_t amb = step_data_int(c, "ambiguous_watch", 0);
	if (amb > need)
		need = amb;
	if (step_watch(c) <= need) {
		step_wait_for(r, WAIT_WATCH, need + 1, 0);
		return 0;
	}
	/* A later watch is not enough after a lost answer: an answer the game
	 * wrote before the call acted (a poll, another job's action) may carry
	 * it and arrive after the loss was known.  Only an answer asked for
	 * after that moment surely shows the effect; the next watch's poll is.
	 * Both times are whole milliseconds, and a cut answer comes back in
	 * less than one: a call sent in the same turn as the lost one, before
	 * the loss was known, may bear the loss's millisecond.  So only an
	 * answer asked in a later millisecond counts (tests/e2e/jobs_crash.py
	 * saw such a deploy's answer taken: the lost deploy judged absent and
	 * sent again). */
	int64_t lost_at = step_data_int(c, "ambiguous_at", 0);
	if (c->m && lost_at > 0 && mirror_asked_ms(c->m) <= lost_at) {
		step_wait_for(r, WAIT_WATCH, step_watch(c) + 1, 0);
		return 0;
	}
	return 1;
}

int step_intent_lock(struct step_ctx *c, int64_t world, struct step_result *r)
{
	if (step_data_int(c, "intent_world", 0) == world)
		return 1;
	int64_t holder = engine_world_locked_by(c->eng, world, c->job_id);
	if (holder < 0) {
		step_error(r, "cannot read the jobs table");
		return 0;
	}
	if (holder > 0) {
		struct rng local;
		step_wait_until(r, c->now_ms + backoff_spread_ms(INTENT_LOCK_POLL_MIN_MS,
								 INTENT_LOCK_POLL_MAX_MS,
								 step_rng(c, &local)));
		return 0;
	}
	step_data_set_int(c, "intent_world", world);
	return 1;
}

/* What the galaxy shows of the call's effect now (struct step_effect). */
static int64_t settle_found(struct step_ctx *c, const struct step_effect *e)
{
	if (e->found)
		return e->found(c);
	return e->shows(c, mirror_world(c->m, step_data_int(c, "intent_world", 0)));
}

/* The call acted: the op's ending (done unless it has its own). */
static void settle_acted(struct step_ctx *c, struct step_result *r,
			 const struct step_effect *e, int64_t effect)
{
	if (e->acted)
		e->acted(c, r, effect);
	else
		step_done(r);
}

static void note_reconciled(struct step_ctx *c, const struct step_effect *e,
			    int64_t effect)
{
	json_t *d = json_pack("{s:s,s:b}", "op", e->op, "effect_found", effect != 0);
	if (e->names_fleet)
		json_object_set_new(d, "fleet", json_integer(effect));
	step_note(c, "job.reconciled", d);
}

void step_settle(struct step_ctx *c, struct step_result *r,
		 const struct step_effect *e)
{
	if (c->reply) {
		settle_acted(c, r, e, 0);
		return;
	}
	int64_t effect = e->conclusive ? settle_found(c, e) : 0;
	if (effect) {
		if (!c->resend)
			note_reconciled(c, e, effect);
		settle_acted(c, r, e, effect);
		return;
	}
	if (c->resend) {
		e->send(c, r);
		return;
	}
	if (!step_intent_fresh(c, r))
		return;
	effect = settle_found(c, e);
	note_reconciled(c, e, effect);
	if (effect)
		settle_acted(c, r, e, effect);
	else
		e->send(c, r);
}

const char *const step_sent_states[STEP_SENT_NSTATES] = {"START", "SENT"};

void step_effect_advance(struct step_ctx *c, struct step_result *r,
			 const struct step_effect *e)
{
	if (c->sub != STEP_START) {
		step_settle(c, r, e);
		return;
	}
	if (!e->world) {
		if (step_fleet(c, r))
			e->send(c, r);
		return;
	}
	int64_t world = e->world(c, r);
	if (world && step_intent_lock(c, world, r))
		e->send(c, r);
}

int64_t step_anchored_world(struct step_ctx *c, struct step_result *r)
{
	const struct mirror_fleet *f = step_anchored_fleet(c, r);
	return f ? f->anchor : 0;
}

void step_cargo_send(struct step_ctx *c, struct step_result *r, const char *endpoint,
		     const char *fleet_key, const char *to_key, const json_t *res)
{
	json_object_set_new(c->data, "before", intent_snapshot(c->m, c->fleet, res));
	step_intent_send(c, r, STEP_SENT, endpoint,
			 json_pack("{s:I,s:I,s:O}", fleet_key, (json_int_t)c->fleet, to_key,
				   (json_int_t)step_arg_id(c, "to"), "resources", res));
}

int64_t step_cargo_moved(struct step_ctx *c)
{
	return intent_changed(c->m, c->fleet, json_object_get(c->data, "before"));
}
