/* sim_generate.c -- a galaxy made from a seed (sim_galaxy_generate).
 *
 * Everything drawn here comes from one splitmix64 stream, in a fixed order,
 * so the same seed, world and fleet counts give the same galaxy byte for
 * byte.  Layout: worlds scattered over a square about 50 ly per sqrt(world);
 * the player owns the quarter nearest its capital, two rival empires own
 * clusters of their own, a traders' union owns the trading hubs (the first
 * is the non-player world nearest the capital), and the rest are
 * independent worlds with defences.  Every world starts with industries
 * (sim_world_initial_traits); the player's world farthest from its
 * capital is a citadel with jump missiles.  Touches nothing but the galaxy. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "sim_galaxy.h"
#include "sim_world.h"

#define SOV_INDEPENDENT 1
#define SOV_PLAYER 5000001
#define SOV_RIVAL_A 5000002
#define SOV_RIVAL_B 5000003
#define SOV_TRADERS 5000004
#define WORLD_ID0 1000
#define FLEET_ID0 6000001
/* a generated galaxy's sequences start past 2^32, as on the live server */
#define GEN_SEQ0 (((int64_t)1 << 32) + 1000)
#define GEN_WATCH0 1000
#define CITADEL_LAMS 40

static double round2(double v)
{
	return round(v * 100.0) / 100.0;
}

static const char *const syl[] = {"an", "bel", "cor", "dra", "el", "fen", "gal", "hes",
				  "ir", "jor", "kel", "lum", "mar", "nov", "or", "pra",
				  "qua", "ris", "sol", "tor", "ul", "vex", "wen", "zan"};

static char *world_name(struct rng *r, int index)
{
	char buf[64];
	size_t n = 0;
	int parts = (int)rng_range(r, 2, 3);
	for (int i = 0; i < parts; i++)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "%s",
				      syl[rng_next(r) % (sizeof syl / sizeof syl[0])]);
	buf[0] = (char)(buf[0] - 'a' + 'A');
	snprintf(buf + n, sizeof buf - n, " %d", index % 12 + 1);
	return strdup(buf);
}

static json_t *relationship(void)
{
	return json_pack("{s:i,s:{s:i,s:i,s:i},s:{s:i,s:i,s:i}}", "firstContact", 0,
			 "ourActions", "attacksInitiated", 0, "offensivesInitiated", 0,
			 "worldsConquered", 0, "theirActions", "attacksInitiated", 0,
			 "offensivesInitiated", 0, "worldsConquered", 0);
}

static int add_sovereign(struct sim_galaxy *g, int64_t id, const char *name,
			 int might, int64_t capital)
{
	struct sim_obj *s = sim_obj_new(SIM_SOVEREIGN, id);
	if (!s || !(s->name = strdup(name)) || !(s->extra = json_object())) {
		if (s) {
			free(s->name);
			free(s);
		}
		return -1;
	}
	json_object_set_new(s->extra, "imperialMight", json_integer(might));
	if (capital)
		json_object_set_new(s->extra, "capitalID", json_integer(capital));
	if (id == g->player) {
		s->has_funds = 1;
		s->funds = 250000.0;
		json_object_set_new(s->extra, "adminRange", json_array());
		json_object_set_new(s->extra, "explorationGrid",
				    json_pack("{s:[]}", "exploredOutline"));
		json_object_set_new(s->extra, "stats",
				    json_pack("{s:i,s:i,s:i}", "fleets", 0, "worlds", 0,
					      "population", 0));
		json_object_set_new(s->extra, "doctrine", json_integer(172));
		json_object_set_new(s->extra, "foundedOn", json_integer(GEN_WATCH0));
		json_object_set_new(s->extra, "secessionChance", json_real(0.03));
		json_object_set_new(s->extra, "territory", json_array());
	} else {
		json_object_set_new(s->extra, "relationship", relationship());
	}
	return sim_galaxy_add(g, s);
}

struct cand {
	double d;
	size_t i;
};

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->d != y->d)
		return x->d < y->d ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Give the k unowned worlds nearest to world c to sovereign sov. */
static void claim(struct sim_obj **w, size_t n, size_t c, size_t k, int64_t sov,
		  struct cand *tmp)
{
	for (size_t i = 0; i < n; i++) {
		double dx = w[i]->x - w[c]->x, dy = w[i]->y - w[c]->y;
		tmp[i].d = dx * dx + dy * dy;
		tmp[i].i = i;
	}
	qsort(tmp, n, sizeof *tmp, cand_cmp);
	for (size_t j = 0; j < n && k > 0; j++) {
		struct sim_obj *o = w[tmp[j].i];
		if (o->sov != 0)
			continue;
		o->sov = sov;
		k--;
	}
}

static int stock_world(struct rng *r, struct sim_obj *w, int is_capital)
{
	static const int64_t goods[] = {90, 130, 142, 178, 188, 260};
	int rc = 0;
	if (w->sov == SOV_PLAYER) {
		rc |= sim_res_add(&w->res, 122, rng_range(r, is_capital ? 200 : 20, 200));
		rc |= sim_res_add(&w->res, 170, rng_range(r, is_capital ? 10 : 1, 10));
		rc |= sim_res_add(&w->res, 144, rng_range(r, 5, 20));
		rc |= sim_res_add(&w->res, 102, rng_range(r, 2, 30));
		rc |= sim_res_add(&w->res, 175, rng_range(r, 1, 4));
	} else if (w->designation == SIM_DESIG_TRADING_HUB) {
		rc |= sim_res_add(&w->res, 122, 5000);
		rc |= sim_res_add(&w->res, 160, 2000);
		rc |= sim_res_add(&w->res, 170, 500);
		rc |= sim_res_add(&w->res, 144, 1000);
		rc |= sim_res_add(&w->res, 102, 1000);
		rc |= sim_res_add(&w->res, 26, 500);
	} else {
		/* independent and rival worlds defend themselves */
		rc |= sim_res_add(&w->res, 205, rng_range(r, 10, 120));
		rc |= sim_res_add(&w->res, 204, rng_range(r, 0, 25));
	}
	for (size_t i = 0; i < sizeof goods / sizeof goods[0]; i++)
		rc |= sim_res_add(&w->res, goods[i], rng_range(r, 0, 50000));
	return rc ? -1 : 0;
}

static int world_extra(struct rng *r, struct sim_obj *w)
{
	static const int64_t classes[] = {34, 93, 103, 186};
	w->extra = json_pack("{s:i,s:f,s:[f,f],s:I}", "culture", SIM_CULTURE_ID,
			     "efficiency", round(900.0 + rng_unit(r) * 100.0) / 10.0,
			     "orbit", 1.0, round(rng_unit(r) * 62831.0) / 10000.0,
			     "worldClass",
			     (json_int_t)classes[rng_next(r) % 4]);
	return w->extra ? 0 : -1;
}

/* The player's world farthest from the capital, on its frontier, is a
 * citadel holding jump missiles (no draw from the stream: the rest of the
 * galaxy is as it was). */
static int make_citadel(struct sim_galaxy *g, struct sim_obj **w, size_t n,
			struct cand *tmp)
{
	for (size_t i = 0; i < n; i++) {
		double dx = w[i]->x - w[0]->x, dy = w[i]->y - w[0]->y;
		tmp[i].d = dx * dx + dy * dy;
		tmp[i].i = i;
	}
	qsort(tmp, n, sizeof *tmp, cand_cmp);
	for (size_t j = n; j-- > 1;) {
		struct sim_obj *o = w[tmp[j].i];
		if (o->sov != SOV_PLAYER)
			continue;
		json_decref(o->traits);
		o->designation = SIM_DESIG_CITADEL;
		o->traits = sim_world_initial_traits(g->cat, o->designation);
		if (!o->traits || sim_res_add(&o->res, SIM_LAM_ID, CITADEL_LAMS) < 0)
			return -1;
		return 0;
	}
	return 0;
}

static int add_fleet(struct sim_galaxy *g, int64_t sov, struct sim_obj *at,
		     const int64_t *res, size_t nres)
{
	struct sim_obj *f = sim_obj_new(SIM_FLEET, g->next_id++);
	if (!f)
		return -1;
	f->name = sim_galaxy_fleet_name(g);
	f->sov = sov;
	f->x = at->x;
	f->y = at->y;
	f->anchor = at->id;
	f->ftl = SIM_FTL_WARP;
	int rc = f->name ? 0 : -1;
	for (size_t i = 0; i + 1 < nres; i += 2)
		rc |= sim_res_add(&f->res, res[i], res[i + 1]);
	sim_fleet_update_ftl(g, f);
	if (rc < 0 || sim_galaxy_add(g, f) < 0) {
		sim_obj_free(f);
		return -1;
	}
	return sim_world_near_add(at, f->id);
}

int sim_galaxy_generate(struct sim_galaxy *g, uint64_t seed, int nworlds,
			int nfleets, char *err, size_t errlen)
{
	struct rng r = {seed};
	size_t n = (size_t)(nworlds < 4 ? 4 : nworlds);
	struct sim_obj **w = calloc(n, sizeof *w);
	struct cand *tmp = calloc(n, sizeof *tmp);
	if (!w || !tmp)
		goto oom;
	g->seq = GEN_SEQ0;
	g->watch = GEN_WATCH0;
	g->player = SOV_PLAYER;
	g->next_id = FLEET_ID0;
	g->live_stats = 1;
	double side = sqrt((double)n) * 50.0;
	for (size_t i = 0; i < n; i++) {
		if (!(w[i] = sim_obj_new(SIM_WORLD, WORLD_ID0 + (int64_t)i)))
			goto oom;
		w[i]->x = round2((rng_unit(&r) - 0.5) * side);
		w[i]->y = round2((rng_unit(&r) - 0.5) * side);
	}
	/* ownership: player around world 0, rivals around two far worlds */
	size_t mine = n / 4 < 2 ? 2 : n / 4;
	claim(w, n, 0, mine, SOV_PLAYER, tmp);
	size_t ra = n / 2, rb = n - 1;
	if (w[ra]->sov == 0)
		claim(w, n, ra, n / 10 + 1, SOV_RIVAL_A, tmp);
	if (w[rb]->sov == 0)
		claim(w, n, rb, n / 10 + 1, SOV_RIVAL_B, tmp);
	/* trading hubs: the first is the unowned world nearest the capital */
	size_t hubs = n / 50 < 1 ? 1 : n / 50;
	claim(w, n, 0, 1, SOV_TRADERS, tmp);
	for (size_t i = 0, made = 1; i < n && made < hubs; i += 37)
		if (w[i]->sov == 0) {
			w[i]->sov = SOV_TRADERS;
			made++;
		}
	int64_t cap_a = 0, cap_b = 0, cap_t = 0;
	for (size_t i = 0; i < n; i++) {
		struct sim_obj *o = w[i];
		if (o->sov == 0)
			o->sov = SOV_INDEPENDENT;
		if (!(o->name = world_name(&r, (int)i)) || world_extra(&r, o) < 0)
			goto oom;
		o->population = rng_range(&r, 200, 12000);
		o->tech = rng_range(&r, 1, 10);
		if (i == 0) {
			o->designation = SIM_DESIG_CAPITAL;
			o->tech = 10;
		} else if (o->sov == SOV_TRADERS) {
			o->designation = SIM_DESIG_TRADING_HUB;
			if (!cap_t)
				cap_t = o->id;
		} else if (o->sov == SOV_PLAYER) {
			static const int64_t d[] = {155, 163, 222, 33};
			o->designation = d[rng_next(&r) % 4];
		} else {
			o->designation = SIM_DESIG_UNASSIGNED;
		}
		if (!(o->traits = sim_world_initial_traits(g->cat, o->designation)))
			goto oom;
		if (o->sov == SOV_RIVAL_A && !cap_a)
			cap_a = o->id;
		if (o->sov == SOV_RIVAL_B && !cap_b)
			cap_b = o->id;
		if (stock_world(&r, o, i == 0) < 0)
			goto oom;
	}
	g->capital = w[0]->id;
	if (make_citadel(g, w, n, tmp) < 0)
		goto oom;
	if (add_sovereign(g, SOV_INDEPENDENT, "independent", 0, 0) < 0 ||
	    add_sovereign(g, SOV_PLAYER, "Demo Imperium", 100, g->capital) < 0 ||
	    add_sovereign(g, SOV_RIVAL_A, "Kell Hegemony", 40, cap_a) < 0 ||
	    add_sovereign(g, SOV_RIVAL_B, "Vashti Concord", 25, cap_b) < 0 ||
	    add_sovereign(g, SOV_TRADERS, "Mesari Traders Union", 15, cap_t) < 0)
		goto oom;
	for (size_t i = 0; i < n; i++) {
		if (sim_galaxy_add(g, w[i]) < 0)
			goto oom;
		w[i] = NULL;
	}
	/* fleets: three quarters the player's, the rest the rivals' */
	int theirs = nfleets / 4, ours = nfleets - theirs;
	size_t nmine = 0, nrival = 0;
	for (size_t i = 0; i < g->n; i++) {
		struct sim_obj *o = g->objs[i];
		if (o->kind != SIM_WORLD)
			continue;
		if (o->sov == SOV_PLAYER)
			w[nmine++] = o;
	}
	for (size_t i = 0; i < g->n; i++) {
		struct sim_obj *o = g->objs[i];
		if (o->kind == SIM_WORLD && (o->sov == SOV_RIVAL_A || o->sov == SOV_RIVAL_B))
			w[nmine + nrival++] = o;
	}
	for (int i = 0; i < ours; i++) {
		static const int64_t kinds[4][4] = {
			{122, 50, 170, 2}, {160, 10, 170, 3}, {102, 20, 0, 0}, {144, 5, 90, 400}};
		const int64_t *k = kinds[i % 4];
		if (add_fleet(g, SOV_PLAYER, w[(size_t)i % nmine], k, k[2] ? 4 : 2) < 0)
			goto oom;
	}
	for (int i = 0; i < theirs && nrival; i++) {
		struct sim_obj *at = w[nmine + (size_t)i % nrival];
		int64_t k[2] = {123, rng_range(&r, 10, 60)};
		if (add_fleet(g, at->sov, at, k, 2) < 0)
			goto oom;
	}
	/* everything so far is the initial state */
	for (size_t i = 0; i < g->n; i++)
		g->objs[i]->seq = GEN_SEQ0;
	g->seq = GEN_SEQ0;
	g->base_seq = GEN_SEQ0;
	free(w);
	free(tmp);
	return 0;
oom:
	if (w)
		for (size_t i = 0; i < n; i++)
			if (w[i] && !sim_galaxy_find(g, w[i]->id))
				sim_obj_free(w[i]);
	free(w);
	free(tmp);
	snprintf(err, errlen, "out of memory generating the galaxy");
	return -1;
}
