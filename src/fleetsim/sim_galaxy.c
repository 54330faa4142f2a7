/* sim_galaxy.c -- see sim_galaxy.h.  Objects live in one array in output
 * order with an id hash beside it; a destroyed object leaves a tombstone
 * that deltas report as destroyedSpaceObject.  An object's JSON text is
 * cached until it next changes, so a full getObjects is mostly memcpy. */
#include "sim_galaxy.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "ipint.h"

/* ------------------------------------------------------------ buffers */

/* ---------------------------------------------------------- resources */

int64_t sim_res_get(const struct sim_reslist *r, int64_t id)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].id == id)
			return r->v[i].qty;
	return 0;
}

int sim_res_add(struct sim_reslist *r, int64_t id, int64_t delta)
{
	for (size_t i = 0; i < r->n; i++) {
		if (r->v[i].id != id)
			continue;
		r->v[i].qty += delta;
		if (r->v[i].qty <= 0) {
			memmove(&r->v[i], &r->v[i + 1], (r->n - i - 1) * sizeof r->v[0]);
			r->n--;
		}
		return 0;
	}
	if (delta <= 0)
		return 0;
	return sim_res_append(r, id, delta);
}

int sim_res_append(struct sim_reslist *r, int64_t id, int64_t qty)
{
	struct sim_res *v = array_grow(r->v, &r->cap, r->n, sizeof *v, 8);
	if (!v)
		return -1;
	r->v = v;
	r->v[r->n].id = id;
	r->v[r->n].qty = qty;
	r->n++;
	return 0;
}

/* ------------------------------------------------------------ objects */

struct sim_obj *sim_obj_new(enum sim_kind kind, int64_t id)
{
	struct sim_obj *o = calloc(1, sizeof *o);
	if (!o)
		return NULL;
	o->kind = kind;
	o->id = id;
	o->ftl = SIM_FTL_NONE;
	o->text_seq = -1;
	return o;
}

void sim_obj_free(struct sim_obj *o)
{
	if (!o)
		return;
	free(o->name);
	free(o->res.v);
	free(o->near);
	free(o->text);
	json_decref(o->extra);
	json_decref(o->battle);
	json_decref(o->traits);
	json_decref(o->routes);
	free(o);
}

int sim_world_near_add(struct sim_obj *w, int64_t fleet)
{
	for (size_t i = 0; i < w->nnear; i++)
		if (w->near[i] == fleet)
			return 0;
	if (w->nnear == w->capnear) {
		size_t cap = w->capnear ? w->capnear * 2 : 4;
		int64_t *v = realloc(w->near, cap * sizeof *v);
		if (!v)
			return -1;
		w->near = v;
		w->capnear = cap;
	}
	w->near[w->nnear++] = fleet;
	return 0;
}

void sim_world_near_remove(struct sim_obj *w, int64_t fleet)
{
	for (size_t i = 0; i < w->nnear; i++)
		if (w->near[i] == fleet) {
			memmove(&w->near[i], &w->near[i + 1],
				(w->nnear - i - 1) * sizeof w->near[0]);
			w->nnear--;
			return;
		}
}

char *sim_galaxy_fleet_name(struct sim_galaxy *g)
{
	long long n = (long long)++g->fleet_names;
	const char *suf = "th";
	if (n % 100 < 11 || n % 100 > 13)
		suf = n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
	char buf[48];
	snprintf(buf, sizeof buf, "%lld%s Fleet", n, suf);
	return strdup(buf);
}

/* --------------------------------------------------------------- hash */

static size_t hslot(int64_t id, size_t cap)
{
	uint64_t h = (uint64_t)id * 0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 17) & (cap - 1);
}

static int hash_rebuild(struct sim_galaxy *g, size_t want)
{
	size_t cap = 64;
	while (cap < want * 2)
		cap *= 2;
	struct sim_obj **h = calloc(cap, sizeof *h);
	if (!h)
		return -1;
	for (size_t i = 0; i < g->n; i++) {
		if (g->objs[i]->kind == SIM_OTHER)
			continue;
		size_t s = hslot(g->objs[i]->id, cap);
		while (h[s])
			s = (s + 1) & (cap - 1);
		h[s] = g->objs[i];
	}
	free(g->hash);
	g->hash = h;
	g->hcap = cap;
	return 0;
}

struct sim_obj *sim_galaxy_find(const struct sim_galaxy *g, int64_t id)
{
	if (!g->hcap)
		return NULL;
	for (size_t s = hslot(id, g->hcap); g->hash[s]; s = (s + 1) & (g->hcap - 1))
		if (g->hash[s]->id == id)
			return g->hash[s];
	return NULL;
}

/* ------------------------------------------------------------- galaxy */

struct sim_galaxy *sim_galaxy_new(struct sim_catalog *cat)
{
	struct sim_galaxy *g = calloc(1, sizeof *g);
	if (!g)
		return NULL;
	g->cat = cat;
	g->year0 = 4021;
	return g;
}

void sim_galaxy_free(struct sim_galaxy *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->n; i++)
		sim_obj_free(g->objs[i]);
	free(g->objs);
	free(g->hash);
	free(g->tombs);
	free(g);
}

/* Objects without an id (update, history) share id 0 and are not hashed. */
static int append(struct sim_galaxy *g, struct sim_obj *o)
{
	struct sim_obj **v = array_grow(g->objs, &g->cap, g->n, sizeof *v, 256);
	if (!v)
		return -1;
	g->objs = v;
	g->objs[g->n++] = o;
	if (o->kind == SIM_OTHER)
		return 0; /* carried along, never looked up */
	if ((g->n + 1) * 2 > g->hcap)
		return hash_rebuild(g, g->n + 1);
	size_t s = hslot(o->id, g->hcap);
	while (g->hash[s])
		s = (s + 1) & (g->hcap - 1);
	g->hash[s] = o;
	return 0;
}

int sim_galaxy_add(struct sim_galaxy *g, struct sim_obj *o)
{
	if (append(g, o) < 0)
		return -1;
	o->seq = ++g->seq;
	return 0;
}

void sim_galaxy_touch(struct sim_galaxy *g, struct sim_obj *o)
{
	o->seq = ++g->seq;
}

void sim_galaxy_destroy(struct sim_galaxy *g, struct sim_obj *o)
{
	size_t i;
	for (i = 0; i < g->n && g->objs[i] != o; i++)
		;
	if (i == g->n)
		return;
	memmove(&g->objs[i], &g->objs[i + 1], (g->n - i - 1) * sizeof g->objs[0]);
	g->n--;
	if (g->ntombs == g->captombs) {
		size_t cap = g->captombs ? g->captombs * 2 : 16;
		struct sim_tomb *t = realloc(g->tombs, cap * sizeof *t);
		if (t) {
			g->tombs = t;
			g->captombs = cap;
		}
	}
	if (g->ntombs < g->captombs) {
		g->tombs[g->ntombs].id = o->id;
		g->tombs[g->ntombs].seq = ++g->seq;
		g->ntombs++;
	}
	sim_obj_free(o);
	hash_rebuild(g, g->n + 1);
}

/* ------------------------------------------------------------- fleets */

void sim_fleet_update_ftl(const struct sim_galaxy *g, struct sim_obj *f)
{
	enum sim_ftl slow = SIM_FTL_NONE;
	for (size_t i = 0; i < f->res.n; i++) {
		const struct sim_item *it = sim_catalog_find(g->cat, f->res.v[i].id);
		if (!it || it->cat != SIM_CAT_SHIP)
			continue;
		if (slow == SIM_FTL_NONE || sim_ftl_speed(it->ftl) < sim_ftl_speed(slow))
			slow = it->ftl;
	}
	if (slow != SIM_FTL_NONE)
		f->ftl = slow;
}

int sim_fleet_has_ships(const struct sim_galaxy *g, const struct sim_obj *f)
{
	for (size_t i = 0; i < f->res.n; i++) {
		const struct sim_item *it = sim_catalog_find(g->cat, f->res.v[i].id);
		if (it && it->cat == SIM_CAT_SHIP)
			return 1;
	}
	return 0;
}

double sim_fleet_speed(const struct sim_galaxy *g, const struct sim_obj *f)
{
	(void)g;
	return sim_ftl_speed(f->ftl);
}

double sim_res_strength(const struct sim_galaxy *g, const struct sim_reslist *r)
{
	double s = 0;
	for (size_t i = 0; i < r->n; i++) {
		const struct sim_item *it = sim_catalog_find(g->cat, r->v[i].id);
		if (it)
			s += it->attack * (double)r->v[i].qty;
	}
	return s;
}

/* ------------------------------------------------------- serialising */

static json_t *res_json(const struct sim_reslist *r)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < r->n; i++) {
		json_array_append_new(a, json_integer(r->v[i].id));
		json_array_append_new(a, ipint_encode(r->v[i].qty));
	}
	return a;
}

static json_t *pos_json(double x, double y)
{
	return json_pack("[ff]", x, y);
}

/* What the game sends only to a world's owner (the excerpt's own worlds all
 * carry these; a rival's never do).  A loaded dump has them already; a
 * generated or conquered world gets values that follow from its state:
 * food and consumer goods eaten in proportion to its population (millions,
 * as the game counts it), a content people, the game's default route cap. */
double sim_world_consumption(const struct sim_obj *w, int64_t res)
{
	const json_t *bc = json_object_get(w->extra, "baseConsumption");
	if (json_is_array(bc)) {
		for (size_t i = 0; i + 1 < json_array_size(bc); i += 3) {
			int64_t id;
			if (ipint_decode(json_array_get(bc, i), &id) == 0 && id == res)
				return json_number_value(json_array_get(bc, i + 1));
		}
		return 0;
	}
	double pop = (double)w->population;
	return res == SIM_FOOD_ID ? round(pop * 1.7) :
	       res == SIM_CONSUMER_GOODS_ID ? round(pop * 1.8) : 0;
}

static void own_world_keys(json_t *j, const struct sim_obj *o)
{
	if (!json_object_get(j, "baseConsumption"))
		json_object_set_new(j, "baseConsumption",
				    json_pack("[i,f,n,i,f,n]", SIM_FOOD_ID,
					      sim_world_consumption(o, SIM_FOOD_ID),
					      SIM_CONSUMER_GOODS_ID,
					      sim_world_consumption(o, SIM_CONSUMER_GOODS_ID)));
	if (!json_object_get(j, "revIndex"))
		json_object_set_new(j, "revIndex", json_string("content"));
	if (!json_object_get(j, "tradeRouteMax"))
		json_object_set_new(j, "tradeRouteMax", json_real(100.0));
	if (!json_object_get(j, "news"))
		json_object_set_new(j, "news", json_null());
}

/* A world's traits as its owner sees them, or as a rival does: an
 * industry object shown by its traitID only. */
static json_t *traits_json(json_t *traits, int own)
{
	if (own)
		return json_incref(traits);
	json_t *a = json_array();
	for (size_t i = 0; a && i < json_array_size(traits); i++) {
		json_t *t = json_array_get(traits, i);
		json_t *id = json_is_object(t) ? json_object_get(t, "traitID") : t;
		json_array_append(a, id ? id : t);
	}
	return a;
}

json_t *sim_obj_json(const struct sim_galaxy *g, const struct sim_obj *o)
{
	json_t *j = json_object();
	if (!j)
		return NULL;
	if (o->extra)
		json_object_update(j, o->extra);
	if (o->kind == SIM_OTHER)
		return j;
	json_object_set_new(j, "id", json_integer(o->id));
	if (o->name)
		json_object_set_new(j, "name", json_string(o->name));
	switch (o->kind) {
	case SIM_WORLD:
		json_object_set_new(j, "class", json_string("world"));
		json_object_set_new(j, "pos", pos_json(o->x, o->y));
		json_object_set_new(j, "sovereignID", json_integer(o->sov));
		json_object_set_new(j, "designation", json_integer(o->designation));
		json_object_set_new(j, "population", ipint_encode(o->population));
		json_object_set_new(j, "techLevel", json_integer(o->tech));
		if (o->res.n)
			json_object_set_new(j, "resources", res_json(&o->res));
		if (o->traits)
			json_object_set_new(j, "traits", traits_json(o->traits,
								     o->sov == g->player));
		if (json_array_size(o->routes))
			json_object_set(j, "tradeRoutes", o->routes);
		if (o->nnear) {
			json_t *a = json_array();
			for (size_t i = 0; i < o->nnear; i++)
				json_array_append_new(a, json_integer(o->near[i]));
			json_object_set_new(j, "nearObjIDs", a);
		}
		if (o->sov == g->player)
			own_world_keys(j, o);
		break;
	case SIM_FLEET:
		json_object_set_new(j, "class", json_string("fleet"));
		json_object_set_new(j, "pos", pos_json(o->x, o->y));
		json_object_set_new(j, "sovereignID", json_integer(o->sov));
		json_object_set_new(j, "ftlType", json_string(sim_ftl_name(o->ftl)));
		json_object_set_new(j, "resources", res_json(&o->res));
		if (o->dest_id) {
			json_object_set_new(j, "dest", pos_json(o->dx, o->dy));
			json_object_set_new(j, "destID", json_integer(o->dest_id));
			json_object_set_new(j, "eta", json_real(o->eta));
		} else {
			json_object_set_new(j, "anchorObjID", json_integer(o->anchor));
		}
		/* the owner is told its fleets' news (null when there is none) */
		if (o->sov == g->player && !json_object_get(j, "news"))
			json_object_set_new(j, "news", json_null());
		break;
	case SIM_SOVEREIGN:
		json_object_set_new(j, "class", json_string("sovereign"));
		if (o->has_funds)
			json_object_set_new(j, "funds",
					    json_pack("[if]", SIM_CURRENCY_ID, o->funds));
		if (o->id == g->player && g->live_stats) {
			/* live counts for the player's own stats */
			json_t *st = json_object_get(j, "stats");
			if (json_is_object(st)) {
				st = json_deep_copy(st);
				size_t nf = 0, nw = 0;
				for (size_t i = 0; i < g->n; i++) {
					const struct sim_obj *x = g->objs[i];
					if (x->sov != g->player)
						continue;
					nf += x->kind == SIM_FLEET;
					nw += x->kind == SIM_WORLD;
				}
				json_object_set_new(st, "fleets", json_integer((json_int_t)nf));
				json_object_set_new(st, "worlds", json_integer((json_int_t)nw));
				json_object_set_new(j, "stats", st);
			}
		}
		break;
	default:
		break;
	}
	if (o->battle)
		json_object_set(j, "battlePlan", o->battle);
	return j;
}

/* Our own writer rather than json_dumps(): keys sorted as the live server
 * writes them, and every real in its shortest form that reads back to the
 * same double (jansson offers only a fixed precision, which either loses
 * digits of a loaded dump or prints 314.33 as 314.32999999999998). */
static void put_real(struct textbuf *b, double v)
{
	char t[40];
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(t, sizeof t, "%.*g", prec, v);
		if (strtod(t, NULL) == v)
			break;
	}
	textbuf_puts(b, t);
	if (!strpbrk(t, ".eEn")) /* keep it a real: 1000 -> 1000.0 */
		textbuf_put(b, ".0", 2);
}

static int key_cmp(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static void put_json(struct textbuf *b, const json_t *v)
{
	char t[32];
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		size_t n = json_object_size(v), k = 0;
		const char **keys = malloc((n ? n : 1) * sizeof *keys);
		if (!keys) {
			b->oom = 1;
			return;
		}
		const char *key;
		json_t *val;
		json_object_foreach((json_t *)v, key, val) keys[k++] = key;
		qsort(keys, n, sizeof *keys, key_cmp);
		textbuf_put(b, "{", 1);
		for (k = 0; k < n; k++) {
			if (k)
				textbuf_put(b, ",", 1);
			textbuf_json_str(b, keys[k], strlen(keys[k]));
			textbuf_put(b, ":", 1);
			put_json(b, json_object_get(v, keys[k]));
		}
		textbuf_put(b, "}", 1);
		free(keys);
		return;
	}
	case JSON_ARRAY:
		textbuf_put(b, "[", 1);
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i)
				textbuf_put(b, ",", 1);
			put_json(b, json_array_get(v, i));
		}
		textbuf_put(b, "]", 1);
		return;
	case JSON_STRING:
		textbuf_json_str(b, json_string_value(v), json_string_length(v));
		return;
	case JSON_INTEGER:
		snprintf(t, sizeof t, "%lld", (long long)json_integer_value(v));
		textbuf_puts(b, t);
		return;
	case JSON_REAL:
		put_real(b, json_real_value(v));
		return;
	case JSON_TRUE:
		textbuf_puts(b, "true");
		return;
	case JSON_FALSE:
		textbuf_puts(b, "false");
		return;
	case JSON_NULL:
		textbuf_puts(b, "null");
		return;
	}
}

void sim_json_write(struct textbuf *b, const json_t *v)
{
	put_json(b, v);
}

const char *sim_obj_text(struct sim_galaxy *g, struct sim_obj *o, size_t *len)
{
	if (o->text && o->text_seq == o->seq) {
		*len = o->text_len;
		return o->text;
	}
	free(o->text);
	o->text = NULL;
	json_t *j = sim_obj_json(g, o);
	struct textbuf b = {0};
	if (j)
		put_json(&b, j);
	json_decref(j);
	if (!j || b.oom) {
		textbuf_free(&b);
		return NULL;
	}
	o->text = b.p;
	o->text_len = b.len;
	o->text_seq = o->seq;
	*len = o->text_len;
	return o->text;
}

size_t sim_galaxy_write_since(struct sim_galaxy *g, int64_t since, struct textbuf *b)
{
	size_t count = 0;
	for (size_t i = 0; i < g->n; i++) {
		struct sim_obj *o = g->objs[i];
		if (since > 0 && o->seq <= since)
			continue;
		size_t len;
		const char *t = sim_obj_text(g, o, &len);
		if (!t) {
			b->oom = 1;
			return count;
		}
		if (b->len && b->p[b->len - 1] != '[')
			textbuf_put(b, ",", 1);
		textbuf_put(b, t, len);
		count++;
	}
	for (size_t i = 0; since > 0 && i < g->ntombs; i++) {
		if (g->tombs[i].seq <= since)
			continue;
		char t[96];
		int n = snprintf(t, sizeof t,
				 "{\"class\":\"destroyedSpaceObject\",\"id\":%lld}",
				 (long long)g->tombs[i].id);
		if (b->len && b->p[b->len - 1] != '[')
			textbuf_put(b, ",", 1);
		textbuf_put(b, t, (size_t)n);
		count++;
	}
	return count;
}
