/* sim_load.c -- a galaxy read from a real getObjects dump (sim_galaxy_load).
 *
 * The fields fleetsim plays with (ids, owners, positions, resources,
 * anchors, movement, battle plans, funds, a world's traits and trade
 * routes) are taken into the model; every
 * other key of every object is kept verbatim and written back unchanged.
 * Objects of classes fleetsim does not model (region, history, ...) are
 * served as they came.  The dump's `update` object gives the sequence and
 * watch to continue from.  Touches nothing but the galaxy and catalogue. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipint.h"
#include "jsonx.h"
#include "sim_galaxy.h"

static int get_pos(const json_t *o, const char *key, double *x, double *y)
{
	const json_t *p = json_object_get(o, key);
	if (!json_is_array(p) || json_array_size(p) < 2 ||
	    !json_is_number(json_array_get(p, 0)) || !json_is_number(json_array_get(p, 1)))
		return -1;
	*x = json_number_value(json_array_get(p, 0));
	*y = json_number_value(json_array_get(p, 1));
	return 0;
}

static int get_res(struct sim_galaxy *g, const json_t *o, struct sim_reslist *r,
		   enum sim_cat unknown)
{
	const json_t *a = json_object_get(o, "resources");
	if (!json_is_array(a))
		return 0;
	for (size_t i = 0; i + 1 < json_array_size(a); i += 2) {
		int64_t id, qty;
		if (ipint_decode(json_array_get(a, i), &id) < 0 ||
		    ipint_decode(json_array_get(a, i + 1), &qty) < 0)
			continue; /* a quirk we cannot read is not fatal */
		if (sim_catalog_ensure(g->cat, id, unknown) < 0 ||
		    (sim_res_get(r, id) ? sim_res_add(r, id, qty) : sim_res_append(r, id, qty)) < 0)
			return -1;
	}
	return 0;
}

static void strip(json_t *extra, const char *const *keys)
{
	for (; *keys; keys++)
		json_object_del(extra, *keys);
}

static const char *const world_keys[] = {"class", "id", "name", "pos", "sovereignID",
					 "designation", "population", "techLevel",
					 "resources", "nearObjIDs", "battlePlan", NULL};
static const char *const fleet_keys[] = {"class", "id", "name", "pos", "sovereignID",
					 "ftlType", "resources", "anchorObjID", "dest",
					 "destID", "eta", "battlePlan", NULL};
static const char *const sov_keys[] = {"class", "id", "name", "funds", NULL};

/* A new object of kind with id, its name and what keys leave of src; NULL
 * when out of memory. */
static struct sim_obj *take(json_t *src, enum sim_kind kind, int64_t id,
			    const char *const *keys)
{
	struct sim_obj *o = sim_obj_new(kind, id);
	if (!o)
		return NULL;
	const char *name = json_string_value(json_object_get(src, "name"));
	if (kind != SIM_OTHER && name && !(o->name = strdup(name))) {
		sim_obj_free(o);
		return NULL;
	}
	o->extra = json_copy(src);
	if (!o->extra) {
		sim_obj_free(o);
		return NULL;
	}
	if (keys)
		strip(o->extra, keys);
	return o;
}

/* Every trait id is made known to the catalogue: an object (a structure
 * with allocations) as an industry unless known, a bare id as a feature. */
static int ensure_traits(struct sim_galaxy *g, const json_t *traits)
{
	for (size_t i = 0; i < json_array_size(traits); i++) {
		const json_t *t = json_array_get(traits, i);
		int64_t id;
		int obj = json_is_object(t);
		if (obj ? jsonx_get_int(t, "traitID", &id) < 0 : ipint_decode(t, &id) < 0)
			continue; /* a quirk: kept as it came, never matched */
		if (sim_catalog_ensure(g->cat, id, obj ? SIM_CAT_INDUSTRY : SIM_CAT_FEATURE) < 0)
			return -1;
	}
	return 0;
}

/* traits and tradeRoutes, when they are lists, move from extra into the
 * model (written back in place, so a world untouched reads as it came). */
static int take_world_lists(struct sim_galaxy *g, const json_t *src, struct sim_obj *o)
{
	json_t *t = json_object_get(src, "traits");
	if (json_is_array(t)) {
		if (!(o->traits = json_deep_copy(t)) || ensure_traits(g, t) < 0)
			return -1;
		json_object_del(o->extra, "traits");
	}
	json_t *r = json_object_get(src, "tradeRoutes");
	if (json_is_array(r) && json_array_size(r)) {
		if (!(o->routes = json_deep_copy(r)))
			return -1;
		json_object_del(o->extra, "tradeRoutes");
	}
	return 0;
}

static int load_world(struct sim_galaxy *g, json_t *src, struct sim_obj *o)
{
	jsonx_get_int(src, "sovereignID", &o->sov);
	jsonx_get_int(src, "designation", &o->designation);
	jsonx_get_int(src, "population", &o->population);
	jsonx_get_int(src, "techLevel", &o->tech);
	get_pos(src, "pos", &o->x, &o->y);
	int64_t v;
	if (jsonx_get_int(src, "worldClass", &v) == 0 &&
	    sim_catalog_ensure(g->cat, v, SIM_CAT_WORLDCLASS) < 0)
		return -1;
	if (jsonx_get_int(src, "culture", &v) == 0 &&
	    sim_catalog_ensure(g->cat, v, SIM_CAT_CULTURE) < 0)
		return -1;
	if (sim_catalog_ensure(g->cat, o->designation, SIM_CAT_DESIGNATION) < 0)
		return -1;
	const json_t *near = json_object_get(src, "nearObjIDs");
	for (size_t i = 0; json_is_array(near) && i < json_array_size(near); i++)
		if (ipint_decode(json_array_get(near, i), &v) == 0 &&
		    sim_world_near_add(o, v) < 0)
			return -1;
	const json_t *bp = json_object_get(src, "battlePlan");
	if (json_is_object(bp))
		o->battle = json_deep_copy(bp);
	if (take_world_lists(g, src, o) < 0)
		return -1;
	return get_res(g, src, &o->res, SIM_CAT_COMMODITY);
}

static int load_fleet(struct sim_galaxy *g, json_t *src, struct sim_obj *o)
{
	jsonx_get_int(src, "sovereignID", &o->sov);
	get_pos(src, "pos", &o->x, &o->y);
	o->ftl = sim_ftl_parse(json_string_value(json_object_get(src, "ftlType")));
	if (o->ftl == SIM_FTL_NONE)
		o->ftl = SIM_FTL_WARP;
	if (jsonx_get_int(src, "anchorObjID", &o->anchor) < 0)
		o->anchor = 0;
	double eta;
	if (jsonx_get_int(src, "destID", &o->dest_id) == 0 &&
	    get_pos(src, "dest", &o->dx, &o->dy) == 0 &&
	    jsonx_get_num(src, "eta", &eta) == 0) {
		o->eta = eta;
		o->anchor = 0;
	} else {
		o->dest_id = 0;
	}
	return get_res(g, src, &o->res, SIM_CAT_COMMODITY);
}

static int load_sovereign(json_t *src, struct sim_obj *o)
{
	const json_t *f = json_object_get(src, "funds");
	if (json_is_array(f) && json_array_size(f) >= 2 &&
	    json_is_number(json_array_get(f, 1))) {
		o->has_funds = 1;
		o->funds = json_number_value(json_array_get(f, 1));
	}
	return 0;
}

static int load_update(struct sim_galaxy *g, json_t *src)
{
	double w;
	if (jsonx_get_int(src, "sequence", &g->seq) < 0)
		return -1;
	if (jsonx_get_num(src, "update", &w) == 0)
		g->watch = (int64_t)floor(w);
	int64_t y;
	if (jsonx_get_int(src, "year0", &y) == 0)
		g->year0 = y;
	return 0;
}

static int load_one(struct sim_galaxy *g, json_t *src, int *have_update)
{
	const char *cls = json_string_value(json_object_get(src, "class"));
	if (!cls)
		return 0; /* not an object of the game: ignored, as a client would */
	if (strcmp(cls, "update") == 0) {
		*have_update = load_update(g, src) == 0;
		return 0;
	}
	enum sim_kind kind = strcmp(cls, "world") == 0 ? SIM_WORLD :
			     strcmp(cls, "fleet") == 0 ? SIM_FLEET :
			     strcmp(cls, "sovereign") == 0 ? SIM_SOVEREIGN : SIM_OTHER;
	const char *const *keys = kind == SIM_WORLD ? world_keys :
				  kind == SIM_FLEET ? fleet_keys :
				  kind == SIM_SOVEREIGN ? sov_keys : NULL;
	int64_t id = 0;
	if (kind != SIM_OTHER && jsonx_get_int(src, "id", &id) < 0)
		return 0; /* a world, fleet or sovereign without an id: skipped */
	struct sim_obj *o = take(src, kind, id, keys);
	if (!o)
		return -1;
	int rc = kind == SIM_WORLD ? load_world(g, src, o) :
		 kind == SIM_FLEET ? load_fleet(g, src, o) :
		 kind == SIM_SOVEREIGN ? load_sovereign(src, o) : 0;
	if (rc == 0 && kind != SIM_OTHER && sim_galaxy_find(g, o->id)) {
		sim_obj_free(o); /* a duplicate id: the first one stays */
		return 0;
	}
	if (rc < 0 || sim_galaxy_add(g, o) < 0) {
		sim_obj_free(o);
		return -1;
	}
	return 0;
}

static int64_t pick_player(const struct sim_galaxy *g)
{
	int64_t best = 0;
	size_t best_n = 0;
	for (size_t i = 0; i < g->n; i++) {
		const struct sim_obj *s = g->objs[i];
		if (s->kind != SIM_SOVEREIGN)
			continue;
		size_t n = 0;
		for (size_t k = 0; k < g->n; k++)
			n += g->objs[k]->kind == SIM_FLEET && g->objs[k]->sov == s->id;
		if (n > best_n || (n == best_n && n && s->id < best)) {
			best = s->id;
			best_n = n;
		}
	}
	return best;
}

int sim_galaxy_load(struct sim_galaxy *g, const char *path, int64_t sovereign,
		    char *err, size_t errlen)
{
	json_error_t je;
	json_t *root = json_load_file(path, JSON_DECODE_ANY, &je);
	if (!root) {
		snprintf(err, errlen, "--galaxy %s: %s (line %d)", path, je.text, je.line);
		return -1;
	}
	if (!json_is_array(root)) {
		json_decref(root);
		snprintf(err, errlen, "--galaxy %s: not a getObjects answer (want a JSON list)",
			 path);
		return -1;
	}
	int have_update = 0;
	for (size_t i = 0; i < json_array_size(root); i++) {
		json_t *src = json_array_get(root, i);
		if (!json_is_object(src))
			continue;
		if (load_one(g, src, &have_update) < 0) {
			json_decref(root);
			snprintf(err, errlen, "--galaxy %s: out of memory", path);
			return -1;
		}
	}
	json_decref(root);
	if (!have_update) {
		snprintf(err, errlen, "--galaxy %s: no update object with a sequence", path);
		return -1;
	}
	g->player = sovereign ? sovereign : pick_player(g);
	struct sim_obj *p = sim_galaxy_find(g, g->player);
	if (!p || p->kind != SIM_SOVEREIGN) {
		snprintf(err, errlen, "--galaxy %s: sovereign %lld is not in the dump", path,
			 (long long)g->player);
		return -1;
	}
	jsonx_get_int(p->extra, "capitalID", &g->capital);
	if (!p->has_funds) {
		p->has_funds = 1;
		p->funds = 0;
	}
	int64_t max_id = 0;
	for (size_t i = 0; i < g->n; i++) {
		struct sim_obj *o = g->objs[i];
		o->seq = g->seq;
		if (o->id > max_id)
			max_id = o->id;
		if (o->kind != SIM_FLEET)
			continue;
		/* new fleets are numbered after the player's highest "Nth Fleet" */
		long long n;
		if (o->sov == g->player && o->name && sscanf(o->name, "%lld", &n) == 1 &&
		    n > g->fleet_names && n < 1000000000)
			g->fleet_names = n;
		/* an anchored fleet is near its world, whatever the dump said */
		struct sim_obj *w = o->anchor ? sim_galaxy_find(g, o->anchor) : NULL;
		if (w && w->kind == SIM_WORLD && sim_world_near_add(w, o->id) < 0) {
			snprintf(err, errlen, "--galaxy %s: out of memory", path);
			return -1;
		}
	}
	g->next_id = max_id + 1;
	g->base_seq = g->seq;
	return 0;
}
