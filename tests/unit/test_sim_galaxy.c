/* test_sim_galaxy.c -- fleetsim's model without HTTP: resource lists,
 * change sequences and tombstones (what deltas are made of), the object
 * cache, the JSON writer's exact reals and escapes, deterministic
 * generation, and a watch moving a fleet to its destination. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim_catalog.h"
#include "sim_galaxy.h"
#include "sim_rules.h"
#include "sim_time.h"
#include "tap.h"

static char *write_json(const char *text)
{
	json_error_t je;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &je);
	struct textbuf b = {0};
	sim_json_write(&b, v);
	json_decref(v);
	return b.p;
}

static void test_writer(void)
{
	char *s = write_json("[314.33, -0.0, 1000.0, 0.30000000000000004, 1e300, -783.3970445161685]");
	CHECK(s && strcmp(s, "[314.33,-0.0,1000.0,0.30000000000000004,1e+300,-783.3970445161685]") == 0);
	free(s);
	s = write_json("{\"b\":1,\"a\":\"q\\\"\\\\\\n\\u0001\u00e9\",\"c\":[true,false,null]}");
	CHECK(s && strcmp(s, "{\"a\":\"q\\\"\\\\\\n\\u0001\u00e9\",\"b\":1,\"c\":[true,false,null]}") == 0);
	free(s);
}

static void test_resources(void)
{
	struct sim_reslist r = {0};
	CHECK_EQ_INT(sim_res_add(&r, 122, 5), 0);
	CHECK_EQ_INT(sim_res_add(&r, 90, 3), 0);
	CHECK_EQ_INT(sim_res_get(&r, 122), 5);
	sim_res_add(&r, 122, -5); /* emptied entries go */
	CHECK_EQ_INT(r.n, 1);
	CHECK_EQ_INT(sim_res_get(&r, 122), 0);
	sim_res_add(&r, 7, -1); /* nothing to take from */
	CHECK_EQ_INT(r.n, 1);
	sim_res_append(&r, 130, 0); /* a dump's zero stays */
	CHECK_EQ_INT(r.n, 2);
	free(r.v);
}

static size_t count_since(struct sim_galaxy *g, int64_t since, struct textbuf *b)
{
	b->len = 0;
	textbuf_put(b, "[", 1);
	return sim_galaxy_write_since(g, since, b);
}

static void test_sequences(void)
{
	struct sim_catalog *cat = sim_catalog_new();
	struct sim_galaxy *g = sim_galaxy_new(cat);
	char err[128];
	CHECK_EQ_INT(sim_galaxy_generate(g, 5, 30, 4, err, sizeof err), 0);
	CHECK(g->seq > ((int64_t)1 << 32));
	struct textbuf b = {0};
	size_t all = count_since(g, 0, &b);
	CHECK_EQ_INT(all, g->n);
	int64_t s0 = g->seq;
	CHECK_EQ_INT(count_since(g, s0, &b), 0);

	/* one touched object: exactly it, with its cached text renewed */
	struct sim_obj *w = sim_galaxy_find(g, g->capital);
	CHECK(w != NULL && w->kind == SIM_WORLD);
	size_t len;
	const char *t1 = sim_obj_text(g, w, &len);
	CHECK(t1 && strstr(t1, "\"class\":\"world\""));
	free(w->name);
	w->name = strdup("Renamed");
	sim_galaxy_touch(g, w);
	CHECK_EQ_INT(count_since(g, s0, &b), 1);
	CHECK(strstr(b.p, "\"name\":\"Renamed\"") != NULL);

	/* a destroyed fleet: gone from lookups, a tombstone in the delta */
	int64_t s1 = g->seq, fid = 0;
	for (size_t i = 0; i < g->n && !fid; i++)
		if (g->objs[i]->kind == SIM_FLEET)
			fid = g->objs[i]->id;
	struct sim_obj *f = sim_galaxy_find(g, fid);
	CHECK(f != NULL);
	sim_galaxy_destroy(g, f);
	CHECK(sim_galaxy_find(g, fid) == NULL);
	CHECK_EQ_INT(count_since(g, s1, &b), 1);
	char want[96];
	snprintf(want, sizeof want, "{\"class\":\"destroyedSpaceObject\",\"id\":%lld}",
		 (long long)fid);
	CHECK(strstr(b.p, want) != NULL);
	CHECK_EQ_INT(count_since(g, 0, &b), all - 1); /* a full read has no tombstones */
	/* every other object is still found after the rebuild */
	for (size_t i = 0; i < g->n; i++)
		if (g->objs[i]->kind != SIM_OTHER)
			CHECK(sim_galaxy_find(g, g->objs[i]->id) == g->objs[i]);
	textbuf_free(&b);
	sim_galaxy_free(g);
	sim_catalog_free(cat);
}

static char *full_text(uint64_t seed)
{
	struct sim_catalog *cat = sim_catalog_new();
	struct sim_galaxy *g = sim_galaxy_new(cat);
	char err[128];
	struct textbuf b = {0};
	if (sim_galaxy_generate(g, seed, 150, 12, err, sizeof err) == 0) {
		textbuf_put(&b, "[", 1);
		sim_galaxy_write_since(g, 0, &b);
	}
	sim_galaxy_free(g);
	sim_catalog_free(cat);
	return b.p;
}

static void test_determinism(void)
{
	char *a = full_text(77), *b = full_text(77), *c = full_text(78);
	CHECK(a && b && c);
	CHECK(a && b && strcmp(a, b) == 0);
	CHECK(a && c && strcmp(a, c) != 0);
	free(a);
	free(b);
	free(c);
}

static void test_movement(void)
{
	struct sim_catalog *cat = sim_catalog_new();
	struct sim_galaxy *g = sim_galaxy_new(cat);
	char err[128];
	CHECK_EQ_INT(sim_galaxy_generate(g, 9, 40, 4, err, sizeof err), 0);
	struct sim_obj *f = NULL, *dest = NULL;
	for (size_t i = 0; i < g->n; i++) {
		struct sim_obj *o = g->objs[i];
		if (!f && o->kind == SIM_FLEET && o->sov == g->player)
			f = o;
	}
	CHECK(f != NULL);
	if (!f)
		goto out;
	for (size_t i = 0; i < g->n; i++)
		if (g->objs[i]->kind == SIM_WORLD && g->objs[i]->id != f->anchor)
			dest = g->objs[i];
	json_t *req = json_pack("{s:I,s:I}", "objID", (json_int_t)f->id, "dest",
				(json_int_t)dest->id);
	struct sim_refusal why;
	int64_t sel;
	CHECK_EQ_INT(sim_rules_apply(g, "setDestination", req, &sel, &why), 0);
	json_decref(req);
	double eta = f->eta;
	double speed = sim_ftl_speed(f->ftl);
	CHECK(eta > (double)g->watch);
	while ((double)g->watch < eta - 1) {
		double before = hypot(f->dx - f->x, f->dy - f->y);
		sim_time_end_watch(g);
		double after = hypot(f->dx - f->x, f->dy - f->y);
		CHECK(f->dest_id == dest->id);
		CHECK(fabs(before - after - speed) < 0.02 || after == 0);
	}
	sim_time_end_watch(g);
	CHECK_EQ_INT(f->anchor, dest->id);
	CHECK_EQ_INT(f->dest_id, 0);
	CHECK(f->x == dest->x && f->y == dest->y);
	int near = 0;
	for (size_t i = 0; i < dest->nnear; i++)
		near |= dest->near[i] == f->id;
	CHECK(near);
out:
	sim_galaxy_free(g);
	sim_catalog_free(cat);
}

int main(void)
{
	test_writer();
	test_resources();
	test_sequences();
	test_determinism();
	test_movement();
	return tap_done();
}
