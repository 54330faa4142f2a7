/* step_resolve.c -- a step's computed arguments, fixed when it starts
 * (spec: "Computed targets and quantities", "Variables").
 *
 * `to`, `into`, `from` and `target` (launch_lams) may be a "$NAME" or
 * {"nearest": WORLD_FILTER};
 * the resources of transfer, sell and deploy may hold "all", "-all",
 * {"up_to": n} or {"all_but": n}.  The engine calls step_resolve() once,
 * when the step starts, and keeps the answer in the step's data under
 * "args", where step_arg() finds it: the values are persisted with the
 * step (and with its intent), so a restart or a reconciliation never
 * resolves them again.
 *
 * Rules, for the docs:
 *   - nearest: among the worlds the mirror holds that match every key of
 *     the filter, the one closest to the job's fleet (ties: the lower id);
 *     excluded ids and the world the fleet is at count too.  None: the
 *     step fails with "no_match".
 *   - quantities count what the giving side holds now: the fleet for sell
 *     and for transfer's "-all"/negative forms; `to` for transfer's
 *     positive forms (they load the fleet); `from` for deploy.  "all"
 *     takes everything, {"up_to": n} at most n, {"all_but": n} all but n.
 *     Pairs that come to 0 are dropped; when none is left the step is
 *     skipped.
 *
 * Owns nothing; reads the mirror, never writes it, never touches SQLite. */
#include "step_resolve.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cond.h"
#include "errmsg.h"
#include "jobspec.h"
#include "mirror.h"

static const char *const target_keys[] = {"to", "into", "from", "target"};

static int is_computed_qty(const json_t *q)
{
	return json_is_string(q) || json_is_object(q);
}

int step_resolve_needed(const json_t *args)
{
	for (size_t i = 0; i < sizeof target_keys / sizeof target_keys[0]; i++) {
		const json_t *v = json_object_get(args, target_keys[i]);
		if (json_is_string(v) || json_is_object(v))
			return 1;
	}
	const json_t *res = json_object_get(args, "resources");
	for (size_t i = 1; i < json_array_size(res); i += 2)
		if (is_computed_qty(json_array_get(res, i)))
			return 1;
	return 0;
}

static int64_t var_id(const json_t *vars, const char *name)
{
	return cond_vars_get((void *)vars, name);
}

/* --- nearest -------------------------------------------------------------- */

static int excluded(const json_t *list, const json_t *vars, int64_t id)
{
	for (size_t i = 0; i < json_array_size(list); i++) {
		const json_t *e = json_array_get(list, i);
		int64_t x = json_is_integer(e) ? (int64_t)json_integer_value(e) :
						  var_id(vars, json_string_value(e) + 1);
		if (x == id)
			return 1;
	}
	return 0;
}

static int matches(const struct mirror *m, const struct mirror_world *w, const json_t *f,
		   const json_t *vars)
{
	const json_t *v;
	if ((v = json_object_get(f, "mine")) &&
	    (w->sovereign == mirror_player(m)) != json_is_true(v))
		return 0;
	if ((v = json_object_get(f, "trading")) && (w->trading != 0) != json_is_true(v))
		return 0;
	if ((v = json_object_get(f, "owner")) && w->sovereign != json_integer_value(v))
		return 0;
	if ((v = json_object_get(f, "stock"))) {
		int64_t have = mirror_qty(w->res, w->nres,
					  json_integer_value(json_object_get(v, "resource")));
		const json_t *lo = json_object_get(v, "at_least");
		if (lo ? have < json_integer_value(lo) :
			 have >= json_integer_value(json_object_get(v, "below")))
			return 0;
	}
	return !excluded(json_object_get(f, "exclude"), vars, w->id);
}

static int64_t nearest(const struct mirror *m, const struct mirror_fleet *from,
		       const json_t *filter, const json_t *vars)
{
	int64_t best = 0;
	double best_d = INFINITY;
	for (size_t i = 0; i < mirror_world_count(m); i++) {
		const struct mirror_world *w = mirror_world_at(m, i);
		if (!matches(m, w, filter, vars))
			continue;
		double d = hypot(w->x - from->x, w->y - from->y);
		if (d < best_d || (d == best_d && w->id < best)) {
			best = w->id;
			best_d = d;
		}
	}
	return best;
}

static int resolve_target(const json_t *v, const char *key, const struct mirror *m,
			  const struct mirror_fleet *fleet, const json_t *vars,
			  int64_t *id, char *err, size_t errlen)
{
	const char *s = json_string_value(v);
	if (s) {
		if (!(*id = var_id(vars, s + 1)))
			return errmsg(err, errlen, "unbound_variable: %s is not bound", s);
		return 0;
	}
	if (!fleet)
		return errmsg(err, errlen, "no_match: %s: the job's fleet is not in the galaxy",
			    key);
	if (!(*id = nearest(m, fleet, json_object_get(v, "nearest"), vars)))
		return errmsg(err, errlen, "no_match: %s: no world matches the filter", key);
	return 0;
}

/* --- quantities ----------------------------------------------------------- */

/* The signed amount a computed quantity comes to; *neg for unloading. */
static int64_t amount(const json_t *q, int64_t have_in, int64_t have_out, int *neg)
{
	const char *s = json_string_value(q);
	const json_t *n;
	*neg = s ? s[0] == '-' : 0;
	if (s)
		return *neg ? have_out : have_in;
	if ((n = json_object_get(q, "up_to"))) {
		int64_t k = json_integer_value(n);
		*neg = k < 0;
		int64_t have = *neg ? have_out : have_in, want = *neg ? -k : k;
		return want < have ? want : have;
	}
	int64_t k = json_integer_value(json_object_get(q, "all_but"));
	*neg = k < 0;
	int64_t have = *neg ? have_out : have_in, keep = *neg ? -k : k;
	return have > keep ? have - keep : 0;
}

/* giver: whose stock the positive forms count; the fleet's for the
 * negative (unloading) forms of transfer. */
static json_t *resolve_resources(const json_t *res, const struct mirror *m, int64_t giver,
				 int64_t fleet)
{
	json_t *out = json_array();
	for (size_t i = 0; out && i + 1 < json_array_size(res); i += 2) {
		const json_t *idv = json_array_get(res, i), *q = json_array_get(res, i + 1);
		int64_t item = json_integer_value(idv), n;
		if (json_is_integer(q)) {
			n = json_integer_value(q);
		} else {
			int neg;
			n = amount(q, mirror_held(m, giver, item), mirror_held(m, fleet, item), &neg);
			if (neg)
				n = -n;
		}
		if (n != 0 && (json_array_append_new(out, json_integer(item)) < 0 ||
			       json_array_append_new(out, json_integer(n)) < 0)) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

int step_resolve(const json_t *args, const struct mirror *m, int64_t fleet,
		 const json_t *vars, json_t **out, int *nothing, char *err, size_t errlen)
{
	const struct mirror_fleet *f = fleet ? mirror_fleet(m, fleet) : NULL;
	json_t *o = json_object();
	*nothing = 0;
	if (!o)
		return errmsg(err, errlen, "out of memory");
	for (size_t i = 0; i < sizeof target_keys / sizeof target_keys[0]; i++) {
		const json_t *v = json_object_get(args, target_keys[i]);
		int64_t id;
		if (!json_is_string(v) && !json_is_object(v))
			continue;
		if (resolve_target(v, target_keys[i], m, f, vars, &id, err, errlen) < 0) {
			json_decref(o);
			return -1;
		}
		json_object_set_new(o, target_keys[i], json_integer(id));
	}
	const json_t *res = json_object_get(args, "resources");
	if (json_is_array(res)) {
		int op = jobspec_step_op(args);
		const json_t *g = json_object_get(o, op == OP_DEPLOY ? "from" : "to");
		int64_t giver = op == OP_SELL ? fleet :
				g ? json_integer_value(g) :
				    json_integer_value(json_object_get(args,
								       op == OP_DEPLOY ? "from" : "to"));
		json_t *list = resolve_resources(res, m, giver, fleet);
		if (!list) {
			json_decref(o);
			return errmsg(err, errlen, "out of memory");
		}
		*nothing = json_array_size(list) == 0;
		json_object_set_new(o, "resources", list);
	}
	*out = o;
	return 0;
}
