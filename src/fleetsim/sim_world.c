/* sim_world.c -- see sim_world.h.  Each action is one function: read and
 * check every argument, then mutate; a refusal changes nothing.
 *
 * The model, in the game's shapes (docs/fleetsim.md, "World actions"):
 * - `designation` is one catalogue designation; its primary industry is
 *   the trait object carrying `isPrimary: "true"`.  A world redesignated
 *   may not be redesignated again before the watch ends.
 * - `traits` lists bare ids (features, plain improvements) and objects
 *   {traitID, allocation, targetAllocation, buildData, workUnits} for
 *   industries and improvements with allocations.  targetAllocation is
 *   what the player sets; allocation follows it when the watch ends.
 *   buildData is [product, percent, note, ...]; a note (["tech", 7],
 *   ["improve", 137], ...) means that product cannot be built yet.
 * - `tradeRoutes`: the importer's entry {partnerObjID: exporter,
 *   imports: [res, percent, amount, null, ...], importTech: [level, 0.0]}
 *   and the exporter's {partnerObjID: importer, return: "true",
 *   exports: [...], exportTech: [...]}, as the real excerpt shows them.
 * - Jump missiles (LAMUnit) sit in a citadel's resources; a salvo
 *   destroys a share of the target's units by mass.
 *
 * Refusal codes besides sim_rules.c's: capitalWorld,
 * designationInProgress, alreadyBuilt, techTooLow, notBuilt, noIndustry,
 * notBuildable, outOfRange, noTradeRoute, notCitadel, noTarget. */
#include "sim_world.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ipint.h"
#include "jsonx.h"

/* Shares are shown to a tenth, as the game shows them; never -0.0. */
static double r1(double v)
{
	double r = round(v * 10.0) / 10.0;
	return r == 0 ? 0.0 : r;
}

static const char *wname(const struct sim_obj *w)
{
	return w->name ? w->name : "The world";
}

static int oom(struct sim_refusal *why)
{
	return sim_refuse(why, "invalidParameter", "Out of memory.");
}

/* ------------------------------------------------------------- traits */

static int64_t trait_id(const json_t *t)
{
	int64_t id = 0;
	if (json_is_object(t))
		return jsonx_get_int(t, "traitID", &id) < 0 ? 0 : id;
	return ipint_decode(t, &id) < 0 ? 0 : id;
}

/* Index of trait id in traits, or -1. */
static long trait_find(const json_t *traits, int64_t id)
{
	for (size_t i = 0; i < json_array_size(traits); i++)
		if (trait_id(json_array_get(traits, i)) == id)
			return (long)i;
	return -1;
}

static double num_or(const json_t *o, const char *key, double dflt)
{
	double v;
	return jsonx_get_num(o, key, &v) < 0 ? dflt : v;
}

/* [product, share, null, ...] with every product of it, the shares even
 * (the first takes what rounding leaves: 33.4, 33.3, 33.3). */
static json_t *even_build_data(const struct sim_item *it)
{
	json_t *a = json_array();
	size_t n = it->nproducts;
	for (size_t i = 0; a && i < n; i++) {
		double share = r1(100.0 / (double)n);
		if (i == 0)
			share = r1(100.0 - share * (double)(n - 1));
		json_array_append_new(a, json_integer(it->products[i]));
		json_array_append_new(a, json_real(share));
		json_array_append_new(a, json_null());
	}
	return a;
}

static json_t *industry_new(const struct sim_item *it, double alloc, int primary)
{
	json_t *t = json_pack("{s:f,s:o,s:f,s:I,s:f}", "allocation", alloc, "buildData",
			      even_build_data(it), "targetAllocation", alloc, "traitID",
			      (json_int_t)it->id, "workUnits", 0.0);
	if (t && primary)
		json_object_set_new(t, "isPrimary", json_string("true"));
	return t;
}

json_t *sim_world_initial_traits(const struct sim_catalog *c, int64_t designation)
{
	static const int64_t common[] = {71, 134, 264};
	const struct sim_item *d = sim_catalog_find_cat(c, designation, SIM_CAT_DESIGNATION);
	const struct sim_item *p =
		d && d->primary ? sim_catalog_find_cat(c, d->primary, SIM_CAT_INDUSTRY) : NULL;
	const struct sim_item *list[4];
	size_t n = 0;
	if (p)
		list[n++] = p;
	for (size_t i = 0; i < sizeof common / sizeof common[0]; i++) {
		const struct sim_item *it = sim_catalog_find_cat(c, common[i], SIM_CAT_INDUSTRY);
		if (it && it != p)
			list[n++] = it;
	}
	json_t *a = json_array();
	size_t nrest = p ? n - 1 : n;
	double rest = p ? 30.0 : 100.0;
	for (size_t i = 0; a && i < n; i++) {
		double alloc = 70.0;
		if (!p || i > 0) {
			size_t k = p ? i - 1 : i;
			alloc = r1(rest / (double)nrest);
			if (k == 0)
				alloc = r1(rest - alloc * (double)(nrest - 1));
		}
		json_t *t = industry_new(list[i], alloc, p && i == 0);
		if (!t || json_array_append_new(a, t) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

void sim_world_end_watch(struct sim_galaxy *g, struct sim_obj *w)
{
	w->redesignated = 0;
	if (!w->realloc_due)
		return;
	w->realloc_due = 0;
	for (size_t i = 0; i < json_array_size(w->traits); i++) {
		json_t *t = json_array_get(w->traits, i);
		double target;
		if (json_is_object(t) && jsonx_get_num(t, "targetAllocation", &target) == 0)
			json_object_set_new(t, "allocation", json_real(target));
	}
	sim_galaxy_touch(g, w);
}

/* ------------------------------------------------------- designateWorld */

static int has_role(const struct sim_catalog *c, int64_t id, const char *role)
{
	const struct sim_item *it = sim_catalog_find(c, id);
	return it && it->role && strcmp(it->role, role) == 0;
}

/* A copy of traits in which primary (0: none) is the primary industry. */
static json_t *with_primary(const struct sim_catalog *c, const json_t *traits,
			    int64_t primary)
{
	json_t *a = traits ? json_deep_copy(traits) : json_array();
	for (size_t i = 0; a && i < json_array_size(a); i++)
		json_object_del(json_array_get(a, i), "isPrimary");
	const struct sim_item *p = sim_catalog_find_cat(c, primary, SIM_CAT_INDUSTRY);
	if (!a || !p)
		return a;
	long k = trait_find(a, primary);
	json_t *t = k >= 0 ? json_array_get(a, (size_t)k) : NULL;
	if (json_is_object(t)) {
		json_object_set_new(t, "isPrimary", json_string("true"));
		return a;
	}
	json_t *n = industry_new(p, 0.0, 1);
	if (!n || (k >= 0 ? json_array_set_new(a, (size_t)k, n) : json_array_append_new(a, n)) < 0) {
		json_decref(a);
		return NULL;
	}
	return a;
}

static int do_designate(struct sim_galaxy *g, const json_t *req, struct sim_refusal *why)
{
	struct sim_obj *w;
	int64_t id;
	if (sim_get_obj(g, req, "sourceObjID", SIM_WORLD, 1, &w, why) < 0)
		return -1;
	if (jsonx_get_int(req, "newDesignation", &id) < 0)
		return sim_refuse(why, "invalidParameter",
				  "newDesignation: a designation id is required.");
	const struct sim_item *d = sim_catalog_find_cat(g->cat, id, SIM_CAT_DESIGNATION);
	if (!d)
		return sim_refuse(why, "invalidParameter", "Unknown designation %lld.",
				  (long long)id);
	if (w->designation == id)
		return 0; /* it is that already: nothing to do */
	if (w->id == g->capital || has_role(g->cat, w->designation, "imperialCapital"))
		return sim_refuse(why, "capitalWorld",
				  "%s is your imperial capital: its designation cannot change.",
				  wname(w));
	if (d->role && strcmp(d->role, "imperialCapital") == 0)
		return sim_refuse(why, "invalidParameter",
				  "An empire has one imperial capital; %s cannot be another.",
				  wname(w));
	if (w->redesignated)
		return sim_refuse(why, "designationInProgress",
				  "%s was redesignated this watch: one designation at a time.",
				  wname(w));
	if (w->battle)
		return sim_refuse(why, "battleInProgress",
				  "%s cannot be redesignated during a battle.", wname(w));
	json_t *traits = with_primary(g->cat, w->traits, d->primary);
	if (!traits)
		return oom(why);
	json_decref(w->traits);
	w->traits = traits;
	w->designation = id;
	w->redesignated = 1;
	sim_galaxy_touch(g, w);
	return 0;
}

/* ------------------------------------------ build and destroy improvements */

/* What build and destroy name: the player's world sourceObjID and the
 * improvement improvementID. */
static int get_improvement(struct sim_galaxy *g, const json_t *req, struct sim_obj **w,
			   const struct sim_item **out, struct sim_refusal *why)
{
	int64_t id;
	if (sim_get_obj(g, req, "sourceObjID", SIM_WORLD, 1, w, why) < 0)
		return -1;
	if (jsonx_get_int(req, "improvementID", &id) < 0)
		return sim_refuse(why, "invalidParameter",
				  "improvementID: an improvement id is required.");
	if (!(*out = sim_catalog_find_cat(g->cat, id, SIM_CAT_IMPROVEMENT)))
		return sim_refuse(why, "invalidParameter", "Unknown improvement %lld.",
				  (long long)id);
	return 0;
}

/* Products that waited on improvement id (["improve", id]) can be built. */
static void clear_improve_notes(json_t *traits, int64_t id)
{
	for (size_t i = 0; i < json_array_size(traits); i++) {
		json_t *bd = json_object_get(json_array_get(traits, i), "buildData");
		for (size_t k = 2; k < json_array_size(bd); k += 3) {
			const json_t *note = json_array_get(bd, k);
			const char *why = json_string_value(json_array_get(note, 0));
			int64_t what;
			if (why && strcmp(why, "improve") == 0 &&
			    ipint_decode(json_array_get(note, 1), &what) == 0 && what == id)
				json_array_set_new(bd, k, json_null());
		}
	}
}

static int do_build(struct sim_galaxy *g, const json_t *req, struct sim_refusal *why)
{
	struct sim_obj *w;
	const struct sim_item *it;
	if (get_improvement(g, req, &w, &it, why) < 0)
		return -1;
	if (trait_find(w->traits, it->id) >= 0)
		return sim_refuse(why, "alreadyBuilt", "%s already has a %s.", wname(w), it->name);
	if (w->tech < it->tech)
		return sim_refuse(why, "techTooLow", "A %s needs tech level %d; %s is at %lld.",
				  it->name, it->tech, wname(w), (long long)w->tech);
	if (w->battle)
		return sim_refuse(why, "battleInProgress", "%s cannot build during a battle.",
				  wname(w));
	json_t *t = it->nproducts ? industry_new(it, 0.0, 0) : json_integer(it->id);
	if (!t || (!w->traits && !(w->traits = json_array()))) {
		json_decref(t);
		return oom(why);
	}
	if (json_array_append_new(w->traits, t) < 0)
		return oom(why);
	clear_improve_notes(w->traits, it->id);
	sim_galaxy_touch(g, w);
	return 0;
}

static int do_destroy(struct sim_galaxy *g, const json_t *req, struct sim_refusal *why)
{
	struct sim_obj *w;
	const struct sim_item *it;
	if (get_improvement(g, req, &w, &it, why) < 0)
		return -1;
	long k = trait_find(w->traits, it->id);
	if (k < 0)
		return sim_refuse(why, "notBuilt", "%s has no %s.", wname(w), it->name);
	json_array_remove(w->traits, (size_t)k);
	sim_galaxy_touch(g, w);
	return 0;
}

/* ----------------------------------------------------- industry shares */

/* The world's trait object for req's industryID: an industry, or an
 * improvement with allocations, that the world has. */
static int get_industry(struct sim_galaxy *g, const json_t *req, const struct sim_obj *w,
			json_t **out, struct sim_refusal *why)
{
	int64_t id;
	if (jsonx_get_int(req, "industryID", &id) < 0)
		return sim_refuse(why, "invalidParameter",
				  "industryID: an industry id is required.");
	const struct sim_item *it = sim_catalog_find(g->cat, id);
	if (!sim_item_has_allocations(it))
		return sim_refuse(why, "invalidParameter", "Unknown industry %lld.",
				  (long long)id);
	long k = trait_find(w->traits, id);
	json_t *t = k >= 0 ? json_array_get(w->traits, (size_t)k) : NULL;
	if (!json_is_object(t))
		return sim_refuse(why, "noIndustry", "%s has no %s.", wname(w), it->name);
	*out = t;
	return 0;
}

static int get_share(const json_t *v, const char *what, double *out,
		     struct sim_refusal *why)
{
	if (!json_is_number(v) || !isfinite(json_number_value(v)) ||
	    json_number_value(v) < 0 || json_number_value(v) > 100)
		return sim_refuse(why, "invalidParameter", "%s: a share from 0 to 100.", what);
	*out = json_number_value(v);
	return 0;
}

/* The target of t becomes v; the other shares are scaled so that all
 * add up to 100 again (shares all at zero stay there). */
static void set_target(json_t *traits, json_t *t, double v)
{
	double others = 0;
	for (size_t i = 0; i < json_array_size(traits); i++) {
		json_t *u = json_array_get(traits, i);
		if (u != t && json_is_object(u))
			others += num_or(u, "targetAllocation", 0);
	}
	json_object_set_new(t, "targetAllocation", json_real(r1(v)));
	if (others <= 0)
		return;
	double f = (100.0 - r1(v)) / others;
	for (size_t i = 0; i < json_array_size(traits); i++) {
		json_t *u = json_array_get(traits, i);
		if (u != t && json_is_object(u) && json_object_get(u, "targetAllocation"))
			json_object_set_new(u, "targetAllocation",
					    json_real(r1(num_or(u, "targetAllocation", 0) * f)));
	}
}

static int do_industry_alloc(struct sim_galaxy *g, const json_t *req,
			     struct sim_refusal *why)
{
	struct sim_obj *w;
	json_t *t = NULL;
	double v;
	if (sim_get_obj(g, req, "objID", SIM_WORLD, 1, &w, why) < 0 ||
	    get_industry(g, req, w, &t, why) < 0 ||
	    get_share(json_object_get(req, "allocValue"), "allocValue", &v, why) < 0)
		return -1;
	set_target(w->traits, t, v);
	w->realloc_due = 1;
	sim_galaxy_touch(g, w);
	return 0;
}

/* Index of product id among buildData's [product, share, note] triples. */
static long product_find(const json_t *bd, int64_t id)
{
	for (size_t i = 0; i + 2 < json_array_size(bd); i += 3) {
		int64_t p;
		if (ipint_decode(json_array_get(bd, i), &p) == 0 && p == id)
			return (long)(i / 3);
	}
	return -1;
}

/* Read alloc into share[] (one per product of bd, -1 when not named). */
static int read_alloc(struct sim_galaxy *g, const json_t *a, const json_t *bd,
		      double *share, double *sum, struct sim_refusal *why)
{
	*sum = 0;
	for (size_t i = 0; i < json_array_size(a); i += 2) {
		int64_t id;
		double pct;
		if (ipint_decode(json_array_get(a, i), &id) < 0)
			return sim_refuse(why, "invalidParameter", "alloc: entry %zu is not an id.", i);
		long p = product_find(bd, id);
		const struct sim_item *it = sim_catalog_find(g->cat, id);
		if (p < 0)
			return sim_refuse(why, "invalidParameter", "This industry does not build %s.",
					  it ? it->name : "that");
		if (share[p] >= 0)
			return sim_refuse(why, "invalidParameter", "alloc names %lld twice.",
					  (long long)id);
		if (get_share(json_array_get(a, i + 1), "alloc", &pct, why) < 0)
			return -1;
		if (pct > 0 && !json_is_null(json_array_get(bd, (size_t)p * 3 + 2)))
			return sim_refuse(why, "notBuildable", "%s cannot be built here yet.",
					  it ? it->name : "That product");
		share[p] = pct;
		*sum += pct;
	}
	if (*sum <= 0)
		return sim_refuse(why, "invalidParameter", "alloc: at least one share above 0.");
	if (*sum > 100.05)
		return sim_refuse(why, "invalidParameter", "alloc: the shares add up to %.1f, over 100.",
				  *sum);
	return 0;
}

/* buildData with the named shares scaled to 100 (rounding's remainder on
 * the largest), the others at 0, notes kept. */
static json_t *scaled_build_data(const json_t *bd, const double *share, double sum)
{
	json_t *out = json_deep_copy(bd);
	size_t n = json_array_size(bd) / 3, big = 0;
	double total = 0;
	for (size_t p = 0; out && p < n; p++) {
		double v = share[p] > 0 ? r1(share[p] * 100.0 / sum) : 0.0;
		json_array_set_new(out, p * 3 + 1, json_real(v));
		total += v;
		if (share[p] > share[big])
			big = p;
	}
	if (out && n && fabs(100.0 - total) > 1e-9)
		json_array_set_new(out, big * 3 + 1,
				   json_real(r1(json_real_value(json_array_get(out, big * 3 + 1)) +
						100.0 - total)));
	return out;
}

static int do_product_alloc(struct sim_galaxy *g, const json_t *req,
			    struct sim_refusal *why)
{
	struct sim_obj *w;
	json_t *t = NULL;
	if (sim_get_obj(g, req, "objID", SIM_WORLD, 1, &w, why) < 0 ||
	    get_industry(g, req, w, &t, why) < 0)
		return -1;
	const json_t *a = json_object_get(req, "alloc");
	const json_t *bd = json_object_get(t, "buildData");
	if (!json_is_array(a) || json_array_size(a) == 0 || json_array_size(a) % 2)
		return sim_refuse(why, "invalidParameter",
				  "alloc: a list of product ids and percentages is required.");
	size_t n = json_array_size(bd) / 3;
	double *share = malloc((n ? n : 1) * sizeof *share), sum;
	if (!share)
		return oom(why);
	for (size_t p = 0; p < n; p++)
		share[p] = -1;
	json_t *nbd = NULL;
	int rc = read_alloc(g, a, bd, share, &sum, why);
	if (rc == 0 && !(nbd = scaled_build_data(bd, share, sum)))
		rc = oom(why);
	free(share);
	if (rc < 0)
		return -1;
	json_object_set_new(t, "buildData", nbd);
	sim_galaxy_touch(g, w);
	return 0;
}

/* --------------------------------------------------------- trade routes */

enum route_kind { RT_DEFAULT, RT_EXPORT, RT_CONSUMPTION, RT_QUOTA, RT_TECH };

static const char *const route_kinds[] = {"addDefaultRoute", "addExportRoute",
					  "consumption", "setExportQuota", "tech", NULL};

/* w's entry for partner, its index in *at (-1 when none). */
static json_t *route_find(const struct sim_obj *w, int64_t partner, long *at)
{
	*at = -1;
	for (size_t i = 0; i < json_array_size(w->routes); i++) {
		json_t *r = json_array_get(w->routes, i);
		int64_t p;
		if (jsonx_get_int(r, "partnerObjID", &p) == 0 && p == partner) {
			*at = (long)i;
			return r;
		}
	}
	return NULL;
}

/* w's entry for partner, made when there is none (the exporter's marked
 * as the route's return side).  NULL when out of memory. */
static json_t *route_get(struct sim_obj *w, int64_t partner, int exporter)
{
	long at;
	json_t *r = route_find(w, partner, &at);
	if (r)
		return r;
	if (!w->routes && !(w->routes = json_array()))
		return NULL;
	r = json_pack("{s:I}", "partnerObjID", (json_int_t)partner);
	if (r && exporter)
		json_object_set_new(r, "return", json_string("true"));
	if (!r || json_array_append_new(w->routes, r) < 0)
		return NULL;
	return r;
}

/* Set res's [res, percent, amount, null] in entry's list key; percent 0
 * removes it (and the list once empty). */
static int quad_set(json_t *entry, const char *key, int64_t res, double pct, int64_t amount)
{
	json_t *l = json_object_get(entry, key);
	if (!json_is_array(l)) {
		if (pct <= 0)
			return 0;
		if (json_object_set_new(entry, key, l = json_array()) < 0 || !l)
			return -1;
	}
	size_t i;
	for (i = 0; i + 3 < json_array_size(l); i += 4) {
		int64_t id;
		if (ipint_decode(json_array_get(l, i), &id) == 0 && id == res)
			break;
	}
	if (pct <= 0) {
		for (int k = 0; k < 4 && i < json_array_size(l); k++)
			json_array_remove(l, i);
		if (json_array_size(l) == 0)
			json_object_del(entry, key);
		return 0;
	}
	json_t *q[4] = {json_integer(res), json_real(r1(pct)), json_integer(amount), json_null()};
	int rc = 0;
	for (int k = 0; k < 4; k++)
		rc |= i + 3 < json_array_size(l) ? json_array_set_new(l, i + (size_t)k, q[k])
						 : json_array_append_new(l, q[k]);
	return rc ? -1 : 0;
}

struct route_req {
	struct sim_obj *importer, *exporter;
	enum route_kind kind;
	int64_t res;
	double value;
};

static int read_route_kind(const json_t *req, enum route_kind *out, struct sim_refusal *why)
{
	const char *s = json_string_value(json_object_get(req, "allocType"));
	for (size_t i = 0; s && route_kinds[i]; i++)
		if (strcmp(s, route_kinds[i]) == 0) {
			*out = (enum route_kind)i;
			return 0;
		}
	return sim_refuse(why, "invalidParameter",
			  "allocType: addDefaultRoute, addExportRoute, consumption, "
			  "setExportQuota or tech.");
}

/* resType and allocValue as the kind needs them. */
static int read_route_value(struct sim_galaxy *g, const json_t *req, struct route_req *r,
			    struct sim_refusal *why)
{
	if (r->kind == RT_DEFAULT || r->kind == RT_EXPORT)
		return 0;
	const json_t *v = json_object_get(req, "allocValue");
	if (r->kind == RT_TECH) {
		if (!json_is_number(v) || json_number_value(v) != floor(json_number_value(v)) ||
		    json_number_value(v) < 1 || json_number_value(v) > 10)
			return sim_refuse(why, "invalidParameter",
					  "allocValue: a tech level from 1 to 10.");
		r->value = json_number_value(v);
		if (r->value > (double)r->exporter->tech)
			return sim_refuse(why, "techTooLow",
					  "%s is at tech level %lld: it cannot raise %s to %.0f.",
					  wname(r->exporter), (long long)r->exporter->tech,
					  wname(r->importer), r->value);
		return 0;
	}
	if (jsonx_get_int(req, "resType", &r->res) < 0)
		return sim_refuse(why, "invalidParameter", "resType: a commodity id is required.");
	if (!sim_catalog_find_cat(g->cat, r->res, SIM_CAT_COMMODITY))
		return sim_refuse(why, "invalidParameter", "Unknown commodity %lld.",
				  (long long)r->res);
	return get_share(v, "allocValue", &r->value, why);
}

static int do_set_route(struct sim_galaxy *g, const json_t *req, struct sim_refusal *why)
{
	struct route_req r = {0};
	if (sim_get_obj(g, req, "objID", SIM_WORLD, 1, &r.importer, why) < 0 ||
	    sim_get_obj(g, req, "sourceObjID", SIM_WORLD, 1, &r.exporter, why) < 0)
		return -1;
	if (r.importer == r.exporter)
		return sim_refuse(why, "invalidParameter", "A world cannot trade with itself.");
	double d = hypot(r.importer->x - r.exporter->x, r.importer->y - r.exporter->y);
	if (d > SIM_ROUTE_RANGE)
		return sim_refuse(why, "outOfRange",
				  "%s is %.0f light-years from %s; trade routes reach %.0f.",
				  wname(r.exporter), d, wname(r.importer), SIM_ROUTE_RANGE);
	if (read_route_kind(req, &r.kind, why) < 0 || read_route_value(g, req, &r, why) < 0)
		return -1;
	json_t *ri = route_get(r.importer, r.exporter->id, 0);
	json_t *re = ri ? route_get(r.exporter, r.importer->id, 1) : NULL;
	int rc = re ? 0 : -1;
	if (rc == 0 && r.kind == RT_CONSUMPTION) {
		double need = sim_world_consumption(r.importer, r.res);
		rc = quad_set(ri, "imports", r.res, r.value, (int64_t)round(need * r.value / 100));
	} else if (rc == 0 && r.kind == RT_QUOTA) {
		rc = quad_set(re, "exports", r.res, r.value, 0);
	} else if (rc == 0 && r.kind == RT_TECH) {
		rc = json_object_set_new(ri, "importTech", json_pack("[ff]", r.value, 0.0)) |
		     json_object_set_new(re, "exportTech", json_pack("[ff]", r.value, 0.0));
	}
	sim_galaxy_touch(g, r.importer);
	sim_galaxy_touch(g, r.exporter);
	return rc < 0 ? oom(why) : 0;
}

static int do_stop_route(struct sim_galaxy *g, const json_t *req, struct sim_refusal *why)
{
	struct sim_obj *a, *b;
	long ia, ib;
	if (sim_get_obj(g, req, "objID", SIM_WORLD, 1, &a, why) < 0 ||
	    sim_get_obj(g, req, "sourceObjID", SIM_WORLD, 0, &b, why) < 0)
		return -1;
	route_find(a, b->id, &ia);
	route_find(b, a->id, &ib);
	if (a == b || (ia < 0 && ib < 0))
		return sim_refuse(why, "noTradeRoute", "There is no trade route between %s and %s.",
				  wname(a), b->name ? b->name : "that world");
	if (ia >= 0)
		json_array_remove(a->routes, (size_t)ia);
	if (ib >= 0)
		json_array_remove(b->routes, (size_t)ib);
	sim_galaxy_touch(g, a);
	sim_galaxy_touch(g, b);
	return 0;
}

/* --------------------------------------------------------- jump missiles */

/* The units a missile can hit: a fleet's ships, a world's defences. */
static int hittable(const struct sim_galaxy *g, const struct sim_obj *o, int64_t id)
{
	const struct sim_item *it = sim_catalog_find(g->cat, id);
	if (!it)
		return 0;
	return o->kind == SIM_FLEET ? it->cat == SIM_CAT_SHIP :
	       it->cat == SIM_CAT_ORBITAL || it->cat == SIM_CAT_GROUND;
}

static double hittable_mass(const struct sim_galaxy *g, const struct sim_obj *o)
{
	double m = 0;
	for (size_t i = 0; i < o->res.n; i++)
		if (hittable(g, o, o->res.v[i].id) && o->res.v[i].qty > 0)
			m += sim_catalog_find(g->cat, o->res.v[i].id)->mass * (double)o->res.v[i].qty;
	return m;
}

static int lam_target(struct sim_galaxy *g, const json_t *req, const struct sim_obj *from,
		      struct sim_obj **out, struct sim_refusal *why)
{
	struct sim_obj *t;
	if (sim_get_obj(g, req, "targetObjID", -1, 0, &t, why) < 0)
		return -1;
	if (t->sov == g->player)
		return sim_refuse(why, "notEnemy", "You cannot fire on your own %s.",
				  t->kind == SIM_FLEET ? "fleet" : "world");
	if (t->kind == SIM_FLEET && t->dest_id)
		return sim_refuse(why, "inTransit", "Fleet %lld is in transit: missiles need a "
				  "stationary target.", (long long)t->id);
	double d = hypot(t->x - from->x, t->y - from->y);
	if (d > SIM_LAM_RANGE)
		return sim_refuse(why, "outOfRange",
				  "The target is %.0f light-years from %s; jump missiles reach %.0f.",
				  d, wname(from), SIM_LAM_RANGE);
	if (hittable_mass(g, t) <= 0)
		return sim_refuse(why, "noTarget", "There is nothing there that missiles can hit.");
	*out = t;
	return 0;
}

/* Each hittable stack of t loses ceil(qty x share). */
static void lam_hit(struct sim_galaxy *g, struct sim_obj *t, double share)
{
	for (size_t i = 0; i < t->res.n;) {
		size_t before = t->res.n;
		if (hittable(g, t, t->res.v[i].id) && t->res.v[i].qty > 0)
			sim_res_add(&t->res, t->res.v[i].id,
				    -(int64_t)ceil((double)t->res.v[i].qty * share));
		if (t->res.n == before)
			i++;
	}
}

static int do_launch_lams(struct sim_galaxy *g, const json_t *req, struct sim_refusal *why)
{
	struct sim_obj *w, *t = NULL;
	if (sim_get_obj(g, req, "objID", SIM_WORLD, 1, &w, why) < 0)
		return -1;
	if (!has_role(g->cat, w->designation, "citadel"))
		return sim_refuse(why, "notCitadel",
				  "%s is not a citadel: only citadels launch jump missiles.", wname(w));
	int64_t stock = sim_res_get(&w->res, SIM_LAM_ID);
	if (stock <= 0)
		return sim_refuse(why, "insufficientResources", "%s has no jump missiles.",
				  wname(w));
	if (lam_target(g, req, w, &t, why) < 0)
		return -1;
	const struct sim_item *lam = sim_catalog_find(g->cat, SIM_LAM_ID);
	int64_t n = stock < SIM_LAM_SALVO ? stock : SIM_LAM_SALVO;
	double share = (double)n * lam->attack / hittable_mass(g, t);
	lam_hit(g, t, share > 1 ? 1 : share);
	sim_res_add(&w->res, SIM_LAM_ID, -n);
	sim_galaxy_touch(g, w);
	if (t->kind == SIM_FLEET && !sim_fleet_has_ships(g, t)) {
		sim_fleet_destroy(g, t);
		return 0;
	}
	if (t->kind == SIM_FLEET)
		sim_fleet_update_ftl(g, t);
	sim_galaxy_touch(g, t);
	return 0;
}

/* ------------------------------------------------------------ dispatch */

const struct sim_action sim_world_actions[] = {
	{"designateWorld", do_designate},      {"buildImprovement", do_build},
	{"destroyImprovement", do_destroy},    {"setIndustryAlloc", do_industry_alloc},
	{"setProductAlloc", do_product_alloc}, {"setTradeRoute", do_set_route},
	{"stopTradeRoute", do_stop_route},     {"launchLAMs", do_launch_lams},
};

const size_t sim_world_nactions = sizeof sim_world_actions / sizeof sim_world_actions[0];
