/* sim_rules.c -- see sim_rules.h.  Each action is one function: read and
 * check every argument, then mutate.  Refusal codes (the second string of
 * the hexeError list) are fleetsim's own: invalidParameter, unknownObject,
 * notOwner, notHere, inTransit, unreachable, insufficientResources,
 * insufficientFunds, notTradingHub, battleInProgress, noBattle, noForces,
 * notEnemy, noFleet (and sim_world.c's for the world actions). */
#include "sim_rules.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipint.h"
#include "jsonx.h"
#include "sim_catalog.h"
#include "sim_world.h"

#define MAX_TRAVEL_WATCHES 100
#define BATTLE_WATCHES 3

int sim_refuse(struct sim_refusal *why, const char *code, const char *fmt, ...)
{
	va_list ap;
	why->code = code;
	va_start(ap, fmt);
	vsnprintf(why->msg, sizeof why->msg, fmt, ap);
	va_end(ap);
	return -1;
}

static int get_id(const json_t *req, const char *key, int64_t *out,
		  struct sim_refusal *why)
{
	if (jsonx_get_int(req, key, out) < 0 || *out <= 0)
		return sim_refuse(why, "invalidParameter", "%s: an object id is required.", key);
	return 0;
}

static const char *kind_name(enum sim_kind k)
{
	return k == SIM_WORLD ? "world" : k == SIM_FLEET ? "fleet" :
	       k == SIM_SOVEREIGN ? "sovereign" : "object";
}

int sim_get_obj(struct sim_galaxy *g, const json_t *req, const char *key, int kind,
		int own, struct sim_obj **out, struct sim_refusal *why)
{
	int64_t id;
	if (get_id(req, key, &id, why) < 0)
		return -1;
	struct sim_obj *o = sim_galaxy_find(g, id);
	if (!o || (kind < 0 && o->kind != SIM_FLEET && o->kind != SIM_WORLD))
		return sim_refuse(why, "unknownObject", "Unknown object %lld.", (long long)id);
	if (kind >= 0 && o->kind != (enum sim_kind)kind)
		return sim_refuse(why, "invalidParameter", "Object %lld is not a %s.",
			      (long long)id, kind_name((enum sim_kind)kind));
	if (own && o->sov != g->player)
		return sim_refuse(why, "notOwner", "%s %lld does not belong to you.",
			      o->kind == SIM_FLEET ? "Fleet" : "World", (long long)id);
	*out = o;
	return 0;
}

/* Add a signed quantity to a request list (entries may end at zero). */
static int req_add(struct sim_reslist *r, int64_t id, int64_t qty)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].id == id) {
			r->v[i].qty += qty;
			return 0;
		}
	return sim_res_append(r, id, qty);
}

/* A [id, qty, ...] list: known ids, whole non-zero quantities (negative
 * only where allowed); repeated ids are summed.  Caller frees out->v. */
static int get_resources(struct sim_galaxy *g, const json_t *req, const char *key,
			 int allow_negative, struct sim_reslist *out,
			 struct sim_refusal *why)
{
	const json_t *a = json_object_get(req, key);
	size_t n = json_array_size(a);
	if (!json_is_array(a) || n == 0 || n % 2)
		return sim_refuse(why, "invalidParameter",
			      "%s: a list of resource ids and quantities is required.", key);
	struct sim_reslist r = {0};
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i += 2) {
		int64_t id, qty;
		if (ipint_decode(json_array_get(a, i), &id) < 0 ||
		    ipint_decode(json_array_get(a, i + 1), &qty) < 0)
			rc = sim_refuse(why, "invalidParameter", "%s: entry %zu is not a number.",
				    key, i);
		else if (!sim_catalog_find(g->cat, id))
			rc = sim_refuse(why, "invalidParameter", "Unknown resource type %lld.",
				    (long long)id);
		else if (qty == 0 || (qty < 0 && !allow_negative) ||
			 qty > 1000000000000LL || qty < -1000000000000LL)
			rc = sim_refuse(why, "invalidParameter",
				    "Invalid quantity %lld of resource %lld.", (long long)qty,
				    (long long)id);
		else if (req_add(&r, id, qty) < 0)
			rc = sim_refuse(why, "invalidParameter", "Out of memory.");
	}
	if (rc < 0) {
		free(r.v);
		return -1;
	}
	*out = r;
	return 0;
}

/* Does `have` hold every positive quantity of `want`? */
static int check_has(const struct sim_reslist *have, const struct sim_reslist *want,
		     int sign, const char *who, int64_t whoid, struct sim_refusal *why)
{
	for (size_t i = 0; i < want->n; i++) {
		int64_t q = want->v[i].qty * sign;
		if (q <= 0)
			continue;
		int64_t h = sim_res_get(have, want->v[i].id);
		if (h < q)
			return sim_refuse(why, "insufficientResources",
				      "%s %lld has only %lld of resource %lld (%lld asked).", who,
				      (long long)whoid, (long long)h, (long long)want->v[i].id,
				      (long long)q);
	}
	return 0;
}

/* Moves want's quantities out of from and into to (a negative quantity
 * goes the other way); the caller has checked that they are there. */
static void res_move(struct sim_reslist *from, struct sim_reslist *to,
		     const struct sim_reslist *want)
{
	for (size_t i = 0; i < want->n; i++) {
		sim_res_add(from, want->v[i].id, -want->v[i].qty);
		sim_res_add(to, want->v[i].id, want->v[i].qty);
	}
}

static int has_ship(const struct sim_galaxy *g, const struct sim_reslist *r)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct sim_item *it = sim_catalog_find(g->cat, r->v[i].id);
		if (it && it->cat == SIM_CAT_SHIP && r->v[i].qty > 0)
			return 1;
	}
	return 0;
}

static int anchored(const struct sim_obj *f, struct sim_refusal *why)
{
	if (!f->anchor || f->dest_id)
		return sim_refuse(why, "inTransit", "Fleet %lld is in transit.", (long long)f->id);
	return 0;
}

static struct sim_obj *player_sov(struct sim_galaxy *g)
{
	return sim_galaxy_find(g, g->player);
}

void sim_fleet_destroy(struct sim_galaxy *g, struct sim_obj *f)
{
	struct sim_obj *w = f->anchor ? sim_galaxy_find(g, f->anchor) : NULL;
	if (w && w->kind == SIM_WORLD) {
		sim_world_near_remove(w, f->id);
		sim_galaxy_touch(g, w);
	}
	struct sim_obj *s = sim_galaxy_find(g, f->sov);
	if (s && f->sov == g->player)
		sim_galaxy_touch(g, s); /* its stats count fleets */
	sim_galaxy_destroy(g, f);
}

/* A fleet whose cargo changed: emptied, it is gone; otherwise its speed
 * follows what it carries now. */
static void fleet_settle(struct sim_galaxy *g, struct sim_obj *f)
{
	if (f->res.n == 0) {
		sim_fleet_destroy(g, f);
		return;
	}
	sim_fleet_update_ftl(g, f);
	sim_galaxy_touch(g, f);
}

static int is_trading_hub(const struct sim_galaxy *g, const struct sim_obj *w)
{
	const struct sim_item *d = sim_catalog_find(g->cat, w->designation);
	return d && d->role && strcmp(d->role, "tradingHub") == 0;
}

/* ------------------------------------------------------------- actions */

/* Send fleet f to world w (any owner's fleet: the checks of ownership are
 * the caller's). */
static int send_fleet(struct sim_galaxy *g, struct sim_obj *f, struct sim_obj *w,
		      struct sim_refusal *why)
{
	if (!sim_fleet_has_ships(g, f))
		return sim_refuse(why, "unreachable", "Fleet %lld has no ships that can travel.",
			      (long long)f->id);
	if (f->anchor == w->id && !f->dest_id)
		return 0; /* already there: nothing to do (idempotent) */
	if (f->dest_id == w->id)
		return 0;
	double dist = hypot(w->x - f->x, w->y - f->y);
	double speed = sim_fleet_speed(g, f);
	double watches = ceil(dist / speed);
	if (watches < 1)
		watches = 1;
	if (watches > MAX_TRAVEL_WATCHES)
		return sim_refuse(why, "unreachable",
			      "%s cannot be reached: %.0f watches at %s speed (limit %d).",
			      w->name ? w->name : "The destination", watches,
			      sim_ftl_name(f->ftl), MAX_TRAVEL_WATCHES);
	if (f->anchor) {
		struct sim_obj *from = sim_galaxy_find(g, f->anchor);
		if (from && from->kind == SIM_WORLD) {
			sim_world_near_remove(from, f->id);
			sim_galaxy_touch(g, from);
		}
	}
	f->anchor = 0;
	f->dest_id = w->id;
	f->dx = w->x;
	f->dy = w->y;
	f->eta = (double)g->watch + watches;
	sim_galaxy_touch(g, f);
	return 0;
}

static int do_set_destination(struct sim_galaxy *g, const json_t *req,
			      struct sim_refusal *why)
{
	struct sim_obj *f, *w;
	if (sim_get_obj(g, req, "objID", SIM_FLEET, 1, &f, why) < 0 ||
	    sim_get_obj(g, req, "dest", SIM_WORLD, 0, &w, why) < 0)
		return -1;
	return send_fleet(g, f, w, why);
}

static struct sim_obj *new_fleet(struct sim_galaxy *g, struct sim_obj *at)
{
	struct sim_obj *f = sim_obj_new(SIM_FLEET, g->next_id);
	if (!f)
		return NULL;
	if (!(f->name = sim_galaxy_fleet_name(g)) || sim_world_near_add(at, f->id) < 0 ||
	    sim_galaxy_add(g, f) < 0) {
		sim_world_near_remove(at, f->id);
		sim_obj_free(f);
		return NULL;
	}
	g->next_id++;
	f->sov = g->player;
	f->x = at->x;
	f->y = at->y;
	f->anchor = at->id;
	f->ftl = SIM_FTL_WARP;
	return f;
}

static int do_deploy(struct sim_galaxy *g, const json_t *req, int64_t *selection,
		     struct sim_refusal *why)
{
	struct sim_obj *src;
	struct sim_reslist want = {0};
	if (sim_get_obj(g, req, "sourceObjID", -1, 1, &src, why) < 0)
		return -1;
	if (src->kind == SIM_FLEET && anchored(src, why) < 0)
		return -1;
	struct sim_obj *at = src->kind == SIM_WORLD ? src : sim_galaxy_find(g, src->anchor);
	if (!at || at->kind != SIM_WORLD)
		return sim_refuse(why, "notHere", "Fleet %lld is not at a world.", (long long)src->id);
	if (get_resources(g, req, "resources", 0, &want, why) < 0)
		return -1;
	int rc = check_has(&src->res, &want, 1, src->kind == SIM_WORLD ? "World" : "Fleet",
			   src->id, why);
	if (rc == 0 && !has_ship(g, &want))
		rc = sim_refuse(why, "invalidParameter", "A fleet needs at least one ship.");
	struct sim_obj *f = NULL;
	if (rc == 0 && !(f = new_fleet(g, at)))
		rc = sim_refuse(why, "invalidParameter", "Out of memory.");
	if (rc < 0) {
		free(want.v);
		return -1;
	}
	res_move(&src->res, &f->res, &want);
	free(want.v);
	sim_fleet_update_ftl(g, f);
	sim_galaxy_touch(g, at);
	sim_galaxy_touch(g, player_sov(g));
	if (src->kind == SIM_FLEET)
		fleet_settle(g, src);
	*selection = f->id;
	return 0;
}

/* The partner of a transfer or disband: the world the fleet is at (yours)
 * or another fleet of yours at the same world. */
static int get_partner(struct sim_galaxy *g, const json_t *req, struct sim_obj *f,
		       struct sim_obj **out, struct sim_refusal *why)
{
	struct sim_obj *d;
	if (sim_get_obj(g, req, "destObjID", -1, 1, &d, why) < 0)
		return -1;
	if (d == f)
		return sim_refuse(why, "invalidParameter", "A fleet cannot transfer to itself.");
	int here = d->kind == SIM_WORLD ? f->anchor == d->id :
		   d->anchor == f->anchor && !d->dest_id;
	if (!here)
		return sim_refuse(why, "notHere", "Object %lld is not where fleet %lld is.",
			      (long long)d->id, (long long)f->id);
	*out = d;
	return 0;
}

static int do_transfer(struct sim_galaxy *g, const json_t *req, struct sim_refusal *why)
{
	struct sim_obj *f, *d;
	struct sim_reslist want = {0};
	if (sim_get_obj(g, req, "fleetObjID", SIM_FLEET, 1, &f, why) < 0 ||
	    anchored(f, why) < 0 || get_partner(g, req, f, &d, why) < 0 ||
	    get_resources(g, req, "resources", 1, &want, why) < 0)
		return -1;
	/* positive: from the partner into the fleet; negative: the other way */
	if (check_has(&d->res, &want, 1, d->kind == SIM_WORLD ? "World" : "Fleet", d->id,
		      why) < 0 ||
	    check_has(&f->res, &want, -1, "Fleet", f->id, why) < 0) {
		free(want.v);
		return -1;
	}
	res_move(&d->res, &f->res, &want);
	free(want.v);
	sim_galaxy_touch(g, d);
	if (d->kind == SIM_FLEET) {
		sim_fleet_update_ftl(g, d);
		if (d->res.n == 0)
			sim_fleet_destroy(g, d);
	}
	fleet_settle(g, f); /* its speed matters no more once it is gone */
	return 0;
}

static int do_disband(struct sim_galaxy *g, const json_t *req, struct sim_refusal *why)
{
	struct sim_obj *f, *d;
	if (sim_get_obj(g, req, "fleetObjID", SIM_FLEET, 1, &f, why) < 0 ||
	    anchored(f, why) < 0 || get_partner(g, req, f, &d, why) < 0)
		return -1;
	for (size_t i = 0; i < f->res.n; i++)
		sim_res_add(&d->res, f->res.v[i].id, f->res.v[i].qty);
	if (d->kind == SIM_FLEET)
		sim_fleet_update_ftl(g, d);
	sim_galaxy_touch(g, d);
	sim_fleet_destroy(g, f);
	return 0;
}

static int do_rename(struct sim_galaxy *g, const json_t *req, struct sim_refusal *why)
{
	struct sim_obj *o;
	if (sim_get_obj(g, req, "objID", -1, 1, &o, why) < 0)
		return -1;
	const char *name = json_string_value(json_object_get(req, "name"));
	size_t len = name ? strlen(name) : 0;
	size_t blank = name ? strspn(name, " \t\r\n") : 0;
	if (!name || len == 0 || blank == len)
		return sim_refuse(why, "invalidParameter", "A name is required.");
	if (len > 100)
		return sim_refuse(why, "invalidParameter", "Names are limited to 100 characters.");
	char *copy = strdup(name);
	if (!copy)
		return sim_refuse(why, "invalidParameter", "Out of memory.");
	free(o->name);
	o->name = copy;
	sim_galaxy_touch(g, o);
	return 0;
}

double sim_rules_fleet_strength(const struct sim_galaxy *g, const struct sim_obj *w,
				int64_t sov)
{
	double s = 0;
	for (size_t i = 0; i < w->nnear; i++) {
		const struct sim_obj *f = sim_galaxy_find(g, w->near[i]);
		if (f && f->sov == sov)
			s += sim_res_strength(g, &f->res);
	}
	return s;
}

double sim_rules_defence(const struct sim_galaxy *g, const struct sim_obj *w)
{
	double s = 0;
	for (size_t i = 0; i < w->res.n; i++) {
		const struct sim_item *it = sim_catalog_find(g->cat, w->res.v[i].id);
		if (it && (it->cat == SIM_CAT_ORBITAL || it->cat == SIM_CAT_GROUND))
			s += it->attack * (double)w->res.v[i].qty;
	}
	return s;
}

static int64_t plan_attacker(const json_t *plan)
{
	int64_t s = 0;
	jsonx_get_int(plan, "sovereignID", &s);
	return s;
}

/* Put a battle plan on world w: attacker's forces against the sovereigns
 * of enemies (stolen), over BATTLE_WATCHES watches (sim_time.c fights it). */
static int start_battle(struct sim_galaxy *g, struct sim_obj *w, int64_t attacker,
			const char *objective, json_t *enemies, struct sim_refusal *why)
{
	json_t *plan = json_pack("{s:I,s:s,s:o,s:I,s:I,s:I}", "battleFieldID",
				 (json_int_t)w->id, "objective", objective, "enemySovereignIDs",
				 enemies, "sovereignID", (json_int_t)attacker, "startedOn",
				 (json_int_t)g->watch, "endsOn",
				 (json_int_t)(g->watch + BATTLE_WATCHES));
	if (!plan)
		return sim_refuse(why, "invalidParameter", "Out of memory.");
	w->battle = plan;
	sim_galaxy_touch(g, w);
	return 0;
}

static int do_attack(struct sim_galaxy *g, const json_t *req, struct sim_refusal *why)
{
	const json_t *bp = json_object_get(req, "battlePlan");
	if (!json_is_object(bp))
		return sim_refuse(why, "invalidParameter", "battlePlan: an object is required.");
	/* the game wants to know where the attack is launched from */
	struct sim_obj *from;
	if (sim_get_obj(g, req, "attackerObjID", -1, 1, &from, why) < 0)
		return -1;
	struct sim_obj *w;
	if (sim_get_obj(g, bp, "battleFieldID", SIM_WORLD, 0, &w, why) < 0)
		return -1;
	const char *obj = json_string_value(json_object_get(bp, "objective"));
	if (!obj || (strcmp(obj, "invasion") && strcmp(obj, "spaceSupremacy") &&
		     strcmp(obj, "reinforceSiege")))
		return sim_refuse(why, "invalidParameter",
			      "objective: invasion, spaceSupremacy or reinforceSiege.");
	const json_t *en = json_object_get(bp, "enemySovereignIDs");
	if (!json_is_array(en) || json_array_size(en) == 0 || json_array_size(en) > 64)
		return sim_refuse(why, "invalidParameter",
			      "enemySovereignIDs: a list of sovereign ids is required.");
	json_t *enemies = json_array();
	int world_enemy = 0, rc = 0;
	double enemy_fleets = 0;
	for (size_t i = 0; i < json_array_size(en) && rc == 0; i++) {
		int64_t s;
		const struct sim_obj *so;
		if (ipint_decode(json_array_get(en, i), &s) < 0 ||
		    !(so = sim_galaxy_find(g, s)) || so->kind != SIM_SOVEREIGN)
			rc = sim_refuse(why, "unknownObject", "Unknown sovereign in enemySovereignIDs.");
		else if (s == g->player)
			rc = sim_refuse(why, "invalidParameter", "You cannot be your own enemy.");
		else {
			json_array_append_new(enemies, json_integer(s));
			world_enemy |= w->sov == s;
			enemy_fleets += sim_rules_fleet_strength(g, w, s);
		}
	}
	if (rc < 0) {
		json_decref(enemies);
		return -1;
	}
	int reinforce = strcmp(obj, "reinforceSiege") == 0;
	if (w->battle && !(reinforce && plan_attacker(w->battle) == g->player))
		rc = sim_refuse(why, "battleInProgress", "A battle is already under way at %s.",
			    w->name ? w->name : "this world");
	else if (reinforce && !w->battle)
		rc = sim_refuse(why, "noBattle", "There is no siege of yours to reinforce at %s.",
			    w->name ? w->name : "this world");
	else if (sim_rules_fleet_strength(g, w, g->player) <= 0)
		rc = sim_refuse(why, "noForces", "You have no armed fleet at %s.",
			    w->name ? w->name : "this world");
	else if (strcmp(obj, "invasion") == 0 && (!world_enemy || w->sov == g->player))
		rc = sim_refuse(why, "notEnemy", "%s is not held by a sovereign you named.",
			    w->name ? w->name : "This world");
	else if (strcmp(obj, "spaceSupremacy") == 0 && enemy_fleets <= 0 &&
		 !(world_enemy && sim_rules_defence(g, w) > 0))
		rc = sim_refuse(why, "notEnemy", "There are no enemy forces at %s.",
			    w->name ? w->name : "this world");
	if (rc < 0 || reinforce) {
		json_decref(enemies);
		return rc;
	}
	return start_battle(g, w, g->player, obj, enemies, why);
}

static int do_abort(struct sim_galaxy *g, const json_t *req, struct sim_refusal *why)
{
	struct sim_obj *w;
	if (sim_get_obj(g, req, "battleFieldID", SIM_WORLD, 0, &w, why) < 0)
		return -1;
	if (!w->battle || plan_attacker(w->battle) != g->player)
		return sim_refuse(why, "noBattle", "You have no battle under way at %s.",
			      w->name ? w->name : "this world");
	json_decref(w->battle);
	w->battle = NULL;
	sim_galaxy_touch(g, w);
	return 0;
}

static int do_sell(struct sim_galaxy *g, const json_t *req, struct sim_refusal *why)
{
	struct sim_obj *f, *w;
	struct sim_reslist want = {0};
	if (sim_get_obj(g, req, "objID", SIM_FLEET, 1, &f, why) < 0 ||
	    sim_get_obj(g, req, "buyerObjID", SIM_WORLD, 0, &w, why) < 0)
		return -1;
	if (!is_trading_hub(g, w))
		return sim_refuse(why, "notTradingHub", "%s does not trade.",
			      w->name ? w->name : "This world");
	if (anchored(f, why) < 0)
		return -1;
	if (f->anchor != w->id)
		return sim_refuse(why, "notHere", "Fleet %lld is not at %s.", (long long)f->id,
			      w->name ? w->name : "the buyer");
	if (get_resources(g, req, "resources", 0, &want, why) < 0)
		return -1;
	if (check_has(&f->res, &want, 1, "Fleet", f->id, why) < 0) {
		free(want.v);
		return -1;
	}
	double income = 0;
	for (size_t i = 0; i < want.n; i++) {
		const struct sim_item *it = sim_catalog_find(g->cat, want.v[i].id);
		income += it->price * (double)want.v[i].qty;
		sim_res_add(&f->res, want.v[i].id, -want.v[i].qty);
		sim_res_add(&w->res, want.v[i].id, want.v[i].qty);
	}
	free(want.v);
	struct sim_obj *me = player_sov(g);
	me->funds += income;
	sim_galaxy_touch(g, me);
	sim_galaxy_touch(g, w);
	fleet_settle(g, f); /* its speed matters no more once it is gone */
	return 0;
}

static int do_buy(struct sim_galaxy *g, const json_t *req, struct sim_refusal *why)
{
	struct sim_obj *w;
	int64_t item, count;
	if (sim_get_obj(g, req, "sourceObjID", SIM_WORLD, 0, &w, why) < 0)
		return -1;
	if (!is_trading_hub(g, w))
		return sim_refuse(why, "notTradingHub", "%s does not trade.",
			      w->name ? w->name : "This world");
	if (jsonx_get_int(req, "itemID", &item) < 0)
		return sim_refuse(why, "invalidParameter", "itemID: a resource id is required.");
	const struct sim_item *it = sim_catalog_find(g->cat, item);
	if (!it || it->price <= 0 || it->cat == SIM_CAT_CURRENCY)
		return sim_refuse(why, "invalidParameter", "Unknown item %lld.", (long long)item);
	if (jsonx_get_int(req, "itemCount", &count) < 0 || count <= 0 ||
	    count > 1000000000000LL)
		return sim_refuse(why, "invalidParameter", "itemCount: a positive count is required.");
	struct sim_obj *f = NULL;
	for (size_t i = 0; i < w->nnear && !f; i++) {
		struct sim_obj *x = sim_galaxy_find(g, w->near[i]);
		if (x && x->sov == g->player && !x->dest_id)
			f = x;
	}
	if (!f)
		return sim_refuse(why, "noFleet", "You need a fleet at %s to buy.",
			      w->name ? w->name : "this world");
	int64_t stock = sim_res_get(&w->res, item);
	if (stock < count)
		return sim_refuse(why, "insufficientResources",
			      "%s has only %lld of %s for sale.", w->name ? w->name : "The seller",
			      (long long)stock, it->name);
	struct sim_obj *me = player_sov(g);
	double cost = it->price * (double)count;
	if (me->funds < cost)
		return sim_refuse(why, "insufficientFunds", "This costs %.0f; you have %.0f.", cost,
			      me->funds);
	if (sim_res_add(&f->res, item, count) < 0)
		return sim_refuse(why, "invalidParameter", "Out of memory.");
	sim_res_add(&w->res, item, -count);
	me->funds -= cost;
	sim_fleet_update_ftl(g, f);
	sim_galaxy_touch(g, f);
	sim_galaxy_touch(g, w);
	sim_galaxy_touch(g, me);
	return 0;
}

/* The fleet actions but deployFleet, which also answers the fleet it
 * made (sim_rules_apply's selection). */
static const struct sim_action fleet_actions[] = {
	{"setDestination", do_set_destination}, {"transferFleet", do_transfer},
	{"disbandFleet", do_disband},           {"renameObject", do_rename},
	{"attack", do_attack},                  {"abortAttack", do_abort},
	{"sellFleet", do_sell},                 {"buyItem", do_buy},
};

static const struct sim_action *in_table(const struct sim_action *v, size_t n,
					 const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

/* The action name of either table, or NULL. */
static const struct sim_action *find_action(const char *name)
{
	const struct sim_action *a =
		in_table(fleet_actions, sizeof fleet_actions / sizeof fleet_actions[0], name);
	return a ? a : in_table(sim_world_actions, sim_world_nactions, name);
}

int sim_rules_is_action(const char *name)
{
	return strcmp(name, "deployFleet") == 0 || find_action(name) != NULL;
}

int sim_rules_apply(struct sim_galaxy *g, const char *name, const json_t *req,
		    int64_t *selection, struct sim_refusal *why)
{
	*selection = 0;
	if (strcmp(name, "deployFleet") == 0)
		return do_deploy(g, req, selection, why);
	const struct sim_action *a = find_action(name);
	if (!a)
		return sim_refuse(why, "invalidParameter", "Unknown action %s.", name);
	return a->fn(g, req, why);
}

json_t *sim_rules_tactical(struct sim_galaxy *g, const json_t *req,
			   struct sim_refusal *why)
{
	struct sim_obj *w;
	if (sim_get_obj(g, req, "objID", SIM_WORLD, 0, &w, why) < 0)
		return NULL;
	json_t *list = json_array();
	if (!list)
		return NULL;
	if (w->battle)
		json_array_append_new(list, json_pack("{s:s,s:I,s:O}", "class", "battlePlan",
						      "id", (json_int_t)w->id, "battlePlan",
						      w->battle));
	json_array_append_new(list, json_pack("{s:s,s:I,s:I,s:f}", "class", "tacticalForce",
					      "objID", (json_int_t)w->id, "sovereignID",
					      (json_int_t)w->sov, "strength",
					      sim_rules_defence(g, w)));
	for (size_t i = 0; i < w->nnear; i++) {
		const struct sim_obj *f = sim_galaxy_find(g, w->near[i]);
		if (f)
			json_array_append_new(
				list, json_pack("{s:s,s:I,s:I,s:f}", "class", "tacticalForce",
						"objID", (json_int_t)f->id, "sovereignID",
						(json_int_t)f->sov, "strength",
						sim_res_strength(g, &f->res)));
	}
	return list;
}

/* --- the test routes' changes: what other empires and the game do ------- */

static int admin_move(struct sim_galaxy *g, const json_t *req, struct sim_refusal *why)
{
	struct sim_obj *f, *w;
	if (sim_get_obj(g, req, "fleet", SIM_FLEET, 0, &f, why) < 0 ||
	    sim_get_obj(g, req, "to", SIM_WORLD, 0, &w, why) < 0)
		return -1;
	return send_fleet(g, f, w, why);
}

/* What /sim/battle and /sim/owner name: req's "world" (anyone's) and the
 * sovereign under key. */
static int get_world_sovereign(struct sim_galaxy *g, const json_t *req, const char *key,
			       struct sim_obj **w, int64_t *out, struct sim_refusal *why)
{
	if (sim_get_obj(g, req, "world", SIM_WORLD, 0, w, why) < 0 ||
	    get_id(req, key, out, why) < 0)
		return -1;
	const struct sim_obj *s = sim_galaxy_find(g, *out);
	if (!s || s->kind != SIM_SOVEREIGN)
		return sim_refuse(why, "unknownObject", "Unknown sovereign %lld.", (long long)*out);
	return 0;
}

static int admin_battle(struct sim_galaxy *g, const json_t *req, struct sim_refusal *why)
{
	struct sim_obj *w;
	int64_t att;
	if (get_world_sovereign(g, req, "attacker", &w, &att, why) < 0)
		return -1;
	const json_t *o = json_object_get(req, "objective");
	const char *obj = o ? json_string_value(o) : "invasion";
	if (!obj || (strcmp(obj, "invasion") && strcmp(obj, "spaceSupremacy")))
		return sim_refuse(why, "invalidParameter", "objective: invasion or spaceSupremacy.");
	if (att == w->sov)
		return sim_refuse(why, "notEnemy", "Sovereign %lld holds %s already.",
			      (long long)att, w->name ? w->name : "this world");
	if (w->battle)
		return sim_refuse(why, "battleInProgress", "A battle is already under way at %s.",
			      w->name ? w->name : "this world");
	json_t *enemies = json_pack("[I]", (json_int_t)w->sov);
	if (!enemies)
		return sim_refuse(why, "invalidParameter", "Out of memory.");
	return start_battle(g, w, att, obj, enemies, why);
}

static int admin_owner(struct sim_galaxy *g, const json_t *req, struct sim_refusal *why)
{
	struct sim_obj *w;
	int64_t sov;
	if (get_world_sovereign(g, req, "sovereign", &w, &sov, why) < 0)
		return -1;
	if (w->sov != sov) {
		w->sov = sov;
		sim_galaxy_touch(g, w);
	}
	return 0;
}

static int admin_stock(struct sim_galaxy *g, const json_t *req, struct sim_refusal *why)
{
	struct sim_obj *o;
	int64_t item, qty;
	if (sim_get_obj(g, req, "object", -1, 0, &o, why) < 0 || get_id(req, "resource", &item, why) < 0)
		return -1;
	if (!sim_catalog_find(g->cat, item))
		return sim_refuse(why, "invalidParameter", "resource: %lld is not in the catalogue.",
			      (long long)item);
	if (jsonx_get_int(req, "quantity", &qty) < 0 || qty < 0 || qty > SIM_STOCK_MAX)
		return sim_refuse(why, "invalidParameter", "quantity: a count from 0 to %lld.",
			      (long long)SIM_STOCK_MAX);
	int64_t now = sim_res_get(&o->res, item);
	if (now != qty) {
		if (sim_res_add(&o->res, item, qty - now) < 0)
			return sim_refuse(why, "invalidParameter", "Out of memory.");
		if (o->kind == SIM_FLEET)
			sim_fleet_update_ftl(g, o);
		sim_galaxy_touch(g, o);
	}
	return 0;
}

int sim_rules_admin(struct sim_galaxy *g, const char *what, const json_t *req,
		    struct sim_refusal *why)
{
	static const struct {
		const char *name;
		int (*fn)(struct sim_galaxy *, const json_t *, struct sim_refusal *);
	} changes[] = {{"move", admin_move},
		       {"battle", admin_battle},
		       {"owner", admin_owner},
		       {"stock", admin_stock}};
	for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++)
		if (strcmp(what, changes[i].name) == 0)
			return changes[i].fn(g, req, why);
	return sim_refuse(why, "unknownChange", "No test change named %s.", what);
}
