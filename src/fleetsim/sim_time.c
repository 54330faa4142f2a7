/* sim_time.c -- see sim_time.h.
 *
 * Movement: a fleet moves its speed (light-years per watch, by FTL type:
 * sim_ftl_speed) straight toward its destination each watch and arrives on
 * the watch its eta names: anchored there, dest/destID/eta cleared, the
 * world's nearObjIDs extended.
 *
 * Battles: each watch both sides lose a share of every unit stack, the
 * attacker 50% x D/(A+D) and the defender 50% x A/(A+D) (A: the attacker's
 * fleets at the world, D: the world's defence if its owner is an enemy plus
 * the enemies' fleets there), rounded to whole units.  The battle ends when
 * one side has nothing left or on its endsOn watch; the attacker wins if
 * its strength is then greater.  An invasion won takes the world; space
 * supremacy won destroys the enemy fleets and orbital defences there.
 * Worlds: industries' allocation reaches its targetAllocation, and a
 * world redesignated may be redesignated again (sim_world_end_watch).
 * Everything is arithmetic on the state: no randomness. */
#include "sim_time.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jsonx.h"
#include "sim_rules.h"
#include "sim_world.h"

static void advance_fleet(struct sim_galaxy *g, struct sim_obj *f)
{
	if ((double)g->watch >= f->eta) {
		struct sim_obj *w = sim_galaxy_find(g, f->dest_id);
		f->x = f->dx;
		f->y = f->dy;
		f->anchor = f->dest_id;
		f->dest_id = 0;
		f->eta = 0;
		if (w && w->kind == SIM_WORLD) {
			sim_world_near_add(w, f->id);
			sim_galaxy_touch(g, w);
		}
		sim_galaxy_touch(g, f);
		return;
	}
	double ddx = f->dx - f->x, ddy = f->dy - f->y;
	double dist = hypot(ddx, ddy), step = sim_fleet_speed(g, f);
	if (dist > step) {
		f->x = round((f->x + ddx * step / dist) * 100.0) / 100.0;
		f->y = round((f->y + ddy * step / dist) * 100.0) / 100.0;
	} else {
		f->x = f->dx;
		f->y = f->dy;
	}
	sim_galaxy_touch(g, f);
}

static int is_enemy(const json_t *plan, int64_t sov)
{
	const json_t *en = json_object_get(plan, "enemySovereignIDs");
	for (size_t i = 0; i < json_array_size(en); i++)
		if (json_integer_value(json_array_get(en, i)) == sov)
			return 1;
	return 0;
}

/* Lose share of every stack (at least one unit of a non-empty stack when
 * share > 0), keeping only units of the kinds selected by `which`. */
enum { UNITS_SHIPS, UNITS_DEFENCE };

static int lose(struct sim_galaxy *g, struct sim_reslist *r, double share, int which)
{
	int changed = 0;
	for (size_t i = 0; i < r->n;) {
		const struct sim_item *it = sim_catalog_find(g->cat, r->v[i].id);
		int mine = it && (which == UNITS_SHIPS ? it->cat == SIM_CAT_SHIP :
				  it->cat == SIM_CAT_ORBITAL || it->cat == SIM_CAT_GROUND);
		if (!mine || it->attack <= 0 || share <= 0) {
			i++;
			continue;
		}
		int64_t q = r->v[i].qty;
		int64_t loss = (int64_t)ceil((double)q * share);
		changed = 1;
		size_t before = r->n;
		sim_res_add(r, r->v[i].id, -loss);
		if (r->n == before)
			i++;
	}
	return changed;
}

static double side_strength(struct sim_galaxy *g, struct sim_obj *w, const json_t *plan,
			    int attacker)
{
	int64_t att = 0;
	jsonx_get_int(plan, "sovereignID", &att);
	if (attacker)
		return sim_rules_fleet_strength(g, w, att);
	double d = is_enemy(plan, w->sov) ? sim_rules_defence(g, w) : 0;
	for (size_t i = 0; i < w->nnear; i++) {
		const struct sim_obj *f = sim_galaxy_find(g, w->near[i]);
		if (f && is_enemy(plan, f->sov))
			d += sim_res_strength(g, &f->res);
	}
	return d;
}

/* Apply losses to one side; emptied fleets are destroyed. */
static void side_lose(struct sim_galaxy *g, struct sim_obj *w, const json_t *plan,
		      int attacker, double share)
{
	int64_t att = 0;
	jsonx_get_int(plan, "sovereignID", &att);
	if (!attacker && is_enemy(plan, w->sov) && lose(g, &w->res, share, UNITS_DEFENCE))
		sim_galaxy_touch(g, w);
	for (size_t i = 0; i < w->nnear;) {
		struct sim_obj *f = sim_galaxy_find(g, w->near[i]);
		int mine = f && (attacker ? f->sov == att : is_enemy(plan, f->sov));
		if (!mine || !lose(g, &f->res, share, UNITS_SHIPS)) {
			i++;
			continue;
		}
		if (f->res.n == 0 || !sim_fleet_has_ships(g, f)) {
			sim_world_near_remove(w, f->id);
			sim_galaxy_touch(g, w);
			struct sim_obj *s = sim_galaxy_find(g, f->sov);
			if (s && f->sov == g->player)
				sim_galaxy_touch(g, s);
			sim_galaxy_destroy(g, f);
			continue; /* near[i] now holds the next fleet */
		}
		sim_fleet_update_ftl(g, f);
		sim_galaxy_touch(g, f);
		i++;
	}
}

static void end_battle(struct sim_galaxy *g, struct sim_obj *w, int attacker_won)
{
	json_t *plan = w->battle;
	w->battle = NULL;
	if (attacker_won) {
		const char *obj = json_string_value(json_object_get(plan, "objective"));
		int64_t att = 0;
		jsonx_get_int(plan, "sovereignID", &att);
		if (obj && strcmp(obj, "spaceSupremacy") == 0) {
			side_lose(g, w, plan, 0, 1.0);
		} else if (is_enemy(plan, w->sov)) {
			lose(g, &w->res, 1.0, UNITS_DEFENCE);
			w->sov = att;
			struct sim_obj *s = sim_galaxy_find(g, g->player);
			if (s)
				sim_galaxy_touch(g, s);
		}
	}
	json_decref(plan);
	sim_galaxy_touch(g, w);
}

static void battle_watch(struct sim_galaxy *g, struct sim_obj *w)
{
	json_t *plan = w->battle;
	double a = side_strength(g, w, plan, 1), d = side_strength(g, w, plan, 0);
	if (a <= 0 || d <= 0) {
		end_battle(g, w, a > 0);
		return;
	}
	side_lose(g, w, plan, 1, 0.5 * d / (a + d));
	side_lose(g, w, plan, 0, 0.5 * a / (a + d));
	int64_t ends = 0;
	jsonx_get_int(plan, "endsOn", &ends);
	a = side_strength(g, w, plan, 1);
	d = side_strength(g, w, plan, 0);
	if (a <= 0 || d <= 0 || g->watch >= ends)
		end_battle(g, w, a > d);
	else {
		json_object_set_new(plan, "attackStrength", json_real(round(a * 100) / 100));
		json_object_set_new(plan, "defenseStrength", json_real(round(d * 100) / 100));
		sim_galaxy_touch(g, w);
	}
}

void sim_time_end_watch(struct sim_galaxy *g)
{
	g->watch++;
	/* collect first: arrivals and battles may destroy or reorder objects */
	size_t n = 0;
	int64_t *ids = malloc((g->n + 1) * sizeof *ids);
	if (!ids)
		return;
	for (size_t i = 0; i < g->n; i++) {
		struct sim_obj *o = g->objs[i];
		if (o->kind == SIM_WORLD)
			sim_world_end_watch(g, o); /* touches only: nothing moves */
		if ((o->kind == SIM_FLEET && o->dest_id) || (o->kind == SIM_WORLD && o->battle))
			ids[n++] = o->id;
	}
	for (size_t i = 0; i < n; i++) {
		struct sim_obj *o = sim_galaxy_find(g, ids[i]);
		if (o && o->kind == SIM_FLEET && o->dest_id)
			advance_fleet(g, o);
	}
	for (size_t i = 0; i < n; i++) {
		struct sim_obj *o = sim_galaxy_find(g, ids[i]);
		if (o && o->kind == SIM_WORLD && o->battle)
			battle_watch(g, o);
	}
	free(ids);
}
