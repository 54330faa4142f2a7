/* test_readmodel.c -- the read model's JSON against the real excerpt
 * ($FLEETD_SHARED/fixtures/anacreon/getObjects-excerpt.json, read in place
 * through fleetd's scanner; SKIP when absent): world 99 ("tears", the
 * player's capital) with no catalogue and with a small one naming some of
 * its traits, its trade routes as the game lists them on both ends, fleet
 * strength, catalogue entries, sovereigns in id order; and the routes'
 * query checks against hostile values. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mirror.h"
#include "mirror_scan.h"
#include "readmodel.h"
#include "fixture.h"
#include "tap.h"

#define PLAYER 3913334

/* A catalogue naming a few of world 99's traits (the excerpt has none):
 * 39, 92 and 54 improvements (54 is a trait object there: the category
 * wins over the shape), 71 an industry, 138 a feature; 46 its designation;
 * ships 170 and 122 with an attack, 144 a freighter without one, 205
 * ground troops. */
static const char *const GAME_INFO =
	"{\"userInfo\":{\"sovereignID\":3913334},\"scenarioInfo\":["
	"{\"id\":39,\"class\":\"trait\",\"category\":\"improvement\",\"unid\":\"core.t39\","
	"\"nameDesc\":\"defense grid\"},"
	"{\"id\":92,\"class\":\"trait\",\"category\":\"improvement\",\"unid\":\"core.t92\"},"
	"{\"id\":54,\"class\":\"trait\",\"category\":\"improvement\",\"unid\":\"core.t54\"},"
	"{\"id\":71,\"class\":\"trait\",\"category\":\"industry\",\"unid\":\"core.consumerGoods\","
	"\"nameDesc\":\"consumer goods industry\"},"
	"{\"id\":138,\"class\":\"trait\",\"category\":\"feature\",\"unid\":\"core.t138\"},"
	"{\"id\":46,\"class\":\"trait\",\"category\":\"designation\","
	"\"unid\":\"core.imperialCapitalDesignation\",\"role\":\"imperialCapital\"},"
	"{\"id\":142,\"class\":\"resourceType\",\"category\":\"commodity\",\"nameDesc\":\"machinery\"},"
	"{\"id\":170,\"class\":\"resourceType\",\"category\":\"maneuveringUnit\",\"attackValue\":25,"
	"\"cargoSpace\":100,\"mass\":60,\"unid\":\"core.ark\"},"
	"{\"id\":122,\"class\":\"resourceType\",\"category\":\"maneuveringUnit\",\"attackValue\":8.5},"
	"{\"id\":144,\"class\":\"resourceType\",\"category\":\"maneuveringUnit\",\"cargoSpace\":500},"
	"{\"id\":205,\"class\":\"resourceType\",\"category\":\"groundUnit\",\"attackValue\":4},"
	"{\"id\":0,\"unid\":\"bad\"},{\"unid\":\"noid\"}]}";

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	long n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

/* The excerpt loaded through the scanner, with GAME_INFO or with only the
 * player's id. */
static struct mirror *load(const char *text, size_t len, int catalogue)
{
	char err[256];
	struct mirror *m = mirror_new();
	json_t *info = json_loads(catalogue ? GAME_INFO : "{\"userInfo\":{\"sovereignID\":3913334}}",
				  0, NULL);
	CHECK(info && mirror_set_game_info(m, info, err, sizeof err) == 0);
	json_decref(info);
	json_t *a = mirror_scan_answer(text, len, 100, err, sizeof err);
	CHECK(a && mirror_merge(m, a, 1, err, sizeof err) == 0);
	json_decref(a);
	return m;
}

static json_t *world_obj(const struct mirror *m, int64_t id)
{
	json_t *o = json_object();
	const struct mirror_world *w = mirror_world(m, id);
	CHECK(w && readmodel_world_add(m, w, o) == 0);
	return o;
}

static int64_t id_of(const json_t *a, size_t i)
{
	const json_t *e = json_array_get(a, i);
	return json_integer_value(json_is_object(e) ? json_object_get(e, "id") : e);
}

static double real_at(const json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

/* World 99's traits are [39, 92, 138, 262, then 12 objects: 6, 54, 134,
 * 264, 71, 232, 31, 143, 189, 195, 145, 192]. */
static void test_world_bare(const char *text, size_t len)
{
	struct mirror *m = load(text, len, 0);
	json_t *o = world_obj(m, 99);
	json_t *imp = json_object_get(o, "improvements"), *ind = json_object_get(o, "industries");
	json_t *other = json_object_get(o, "other_traits");
	/* no catalogue: the objects are industries, the bare ids unknown */
	CHECK_EQ_INT(json_array_size(imp), 0);
	CHECK_EQ_INT(json_array_size(ind), 12);
	CHECK_EQ_INT(json_array_size(other), 4);
	CHECK(id_of(other, 0) == 39 && id_of(other, 3) == 262);
	json_t *six = json_array_get(ind, 0);
	CHECK(id_of(ind, 0) == 6 && real_at(six, "target_allocation") == 37.1 &&
	      real_at(six, "allocation") == 37.1);
	CHECK(json_is_null(json_object_get(six, "unid")) && json_is_null(json_object_get(six, "name")));
	json_t *build = json_object_get(six, "build");
	CHECK(json_array_size(build) == 1 &&
	      json_integer_value(json_object_get(json_array_get(build, 0), "resource")) == 142 &&
	      real_at(json_array_get(build, 0), "percent") == 100.0);
	/* 54 builds an improvement: [49, -0.0, ["improve", 56]] */
	json_t *b54 = json_object_get(json_array_get(ind, 1), "build");
	CHECK(id_of(ind, 1) == 54 && json_array_size(b54) == 1 &&
	      real_at(json_array_get(b54, 0), "percent") == 0.0);
	CHECK(json_is_null(json_object_get(o, "designation_unid")));
	/* trade routes: 4, as the game lists them on 99 */
	json_t *routes = json_object_get(o, "trade_routes");
	CHECK_EQ_INT(json_array_size(routes), 4);
	json_t *r0 = json_array_get(routes, 0);
	CHECK(json_integer_value(json_object_get(r0, "partner")) == 3181 &&
	      json_is_false(json_object_get(r0, "return")));
	json_t *imp0 = json_array_get(json_object_get(r0, "imports"), 0);
	CHECK(json_integer_value(json_object_get(imp0, "resource")) == 130 &&
	      real_at(imp0, "percent") == 100.1 && real_at(imp0, "amount") == 534);
	CHECK_EQ_INT(json_array_size(json_object_get(r0, "exports")), 0);
	json_t *r3 = json_array_get(routes, 3);
	CHECK(json_array_size(json_object_get(r3, "imports")) == 3);
	json_decref(o);
	/* the other end: 3181 lists 99 as the return side of 99's route */
	o = world_obj(m, 3181);
	routes = json_object_get(o, "trade_routes");
	json_t *back = NULL;
	for (size_t i = 0; i < json_array_size(routes); i++)
		if (json_integer_value(json_object_get(json_array_get(routes, i), "partner")) == 99)
			back = json_array_get(routes, i);
	CHECK(back && json_is_true(json_object_get(back, "return")) &&
	      json_array_size(json_object_get(back, "imports")) == 0);
	CHECK_EQ_INT(json_array_size(routes), 19);
	json_decref(o);
	/* no catalogue: no fleet has a strength */
	const struct mirror_fleet *f = mirror_fleet(m, 4705106);
	json_t *s = f ? readmodel_strength(m, f) : NULL;
	CHECK(s && json_is_null(s));
	json_decref(s);
	CHECK_EQ_INT(mirror_cat_count(m), 0);
	mirror_free(m);
}

static void test_world_catalogue(const char *text, size_t len)
{
	struct mirror *m = load(text, len, 1);
	json_t *o = world_obj(m, 99);
	json_t *imp = json_object_get(o, "improvements"), *ind = json_object_get(o, "industries");
	json_t *other = json_object_get(o, "other_traits");
	CHECK_EQ_INT(json_array_size(imp), 3);
	CHECK(id_of(imp, 0) == 39 && id_of(imp, 1) == 92 && id_of(imp, 2) == 54);
	CHECK(!strcmp(json_string_value(json_object_get(json_array_get(imp, 0), "unid")), "core.t39"));
	CHECK(!strcmp(json_string_value(json_object_get(json_array_get(imp, 0), "name")),
		      "defense grid"));
	CHECK_EQ_INT(json_array_size(ind), 11);
	json_t *ind71 = json_array_get(ind, 3);
	CHECK(id_of(ind, 3) == 71 && real_at(ind71, "target_allocation") == 0.4);
	CHECK(!strcmp(json_string_value(json_object_get(ind71, "unid")), "core.consumerGoods"));
	CHECK_EQ_INT(json_array_size(json_object_get(ind71, "build")), 3);
	CHECK(!strcmp(json_string_value(json_object_get(
			      json_array_get(json_object_get(json_array_get(ind, 0), "build"), 0),
			      "name")), "machinery"));
	CHECK_EQ_INT(json_array_size(other), 2);
	CHECK(id_of(other, 0) == 138 && id_of(other, 1) == 262);
	CHECK(!strcmp(json_string_value(json_object_get(o, "designation_unid")),
		      "core.imperialCapitalDesignation"));
	json_decref(o);

	/* a foreign world shows industries as bare ids: 71 there has no
	 * allocations */
	int found = 0;
	for (size_t i = 0; i < mirror_world_count(m) && !found; i++) {
		const struct mirror_world *w = mirror_world_at(m, i);
		for (size_t k = 0; w->sovereign != PLAYER && k < w->ntraits && !found; k++) {
			if (w->traits[k].id != 71 || w->traits[k].structured)
				continue;
			json_t *wo = world_obj(m, w->id);
			json_t *wi = json_object_get(wo, "industries");
			for (size_t j = 0; j < json_array_size(wi); j++)
				if (id_of(wi, j) == 71)
					found = json_is_null(json_object_get(json_array_get(wi, j),
									 "target_allocation"));
			json_decref(wo);
		}
	}
	CHECK(found);

	/* strength: 4705106 holds 170 x1, 144 x1, 122 x3189: 25 + 0 + 8.5 x 3189 */
	const struct mirror_fleet *f = mirror_fleet(m, 4705106);
	json_t *s = f ? readmodel_strength(m, f) : NULL;
	CHECK(s && real_at(s, "space") == 25 + 8.5 * 3189 && real_at(s, "ground") == 0);
	CHECK(s && json_integer_value(json_object_get(s, "known")) == 3 &&
	      json_integer_value(json_object_get(s, "unknown")) == 0);
	json_decref(s);
	/* 4925173 holds 102 (unknown to this catalogue) only */
	f = mirror_fleet(m, 4925173);
	s = f ? readmodel_strength(m, f) : NULL;
	CHECK(s && json_is_null(s));
	json_decref(s);
	/* 4707453: 170 x3 and 26 (unknown) */
	f = mirror_fleet(m, 4707453);
	s = f ? readmodel_strength(m, f) : NULL;
	CHECK(s && real_at(s, "space") == 75 && json_integer_value(json_object_get(s, "unknown")) == 1);
	json_decref(s);
	/* ground units apart */
	struct mirror_fleet troops = {.id = 1, .res = (const int64_t[]){205, 10, 170, 2}, .nres = 2};
	s = readmodel_strength(m, &troops);
	CHECK(real_at(s, "ground") == 40 && real_at(s, "space") == 50);
	json_decref(s);

	/* the catalogue: entries with an id > 0, in id order; by unid */
	CHECK_EQ_INT(mirror_cat_count(m), 11);
	CHECK(mirror_cat_at(m, 0)->id == 39 && mirror_cat_at(m, 10)->id == 205);
	CHECK(mirror_cat_at(m, 11) == NULL);
	const struct mirror_cat *c = mirror_cat_by_unid(m, "core.ark");
	CHECK(c && c->id == 170 && c->has_attack && c->attack == 25 && c->cargo == 100);
	CHECK(mirror_cat_by_unid(m, "core.ar") == NULL && mirror_cat_by_unid(m, "") == NULL &&
	      mirror_cat_by_unid(m, "bad") == NULL && mirror_cat_by_unid(m, NULL) == NULL);
	json_t *cj = readmodel_cat_json(mirror_cat(m, 144));
	CHECK(json_is_null(json_object_get(cj, "attack_value")) &&
	      real_at(cj, "cargo_space") == 500 && json_is_null(json_object_get(cj, "unid")) &&
	      !strcmp(json_string_value(json_object_get(cj, "category")), "maneuveringUnit"));
	json_decref(cj);

	/* sovereigns in id order, the player's marked */
	CHECK_EQ_INT(mirror_sovereign_count(m), 6);
	CHECK(mirror_sovereign_at(m, 0)->id == 1 && mirror_sovereign_at(m, 5)->id == 4908681);
	json_t *sj = readmodel_sovereign_json(m, mirror_sovereign(m, PLAYER));
	CHECK(json_is_true(json_object_get(sj, "mine")) && real_at(sj, "imperial_might") == 100 &&
	      json_integer_value(json_object_get(sj, "capital")) == 99 &&
	      json_integer_value(json_object_get(sj, "worlds")) == 54 &&
	      json_integer_value(json_object_get(sj, "fleets")) == 11);
	json_decref(sj);
	sj = readmodel_sovereign_json(m, mirror_sovereign(m, 1));
	CHECK(json_is_null(json_object_get(sj, "capital")) &&
	      json_is_false(json_object_get(sj, "mine")));
	json_decref(sj);
	/* a destroyed sovereign leaves the list; a new one joins it in order */
	char err[128];
	json_t *d = json_loads("[{\"class\":\"destroyedSpaceObject\",\"id\":5105},"
			       "{\"class\":\"sovereign\",\"id\":2,\"name\":\"new\"}]", 0, NULL);
	CHECK(mirror_merge(m, d, 0, err, sizeof err) == 0);
	json_decref(d);
	CHECK_EQ_INT(mirror_sovereign_count(m), 6);
	CHECK(mirror_sovereign_at(m, 1)->id == 2 && mirror_sovereign(m, 5105) == NULL);
	/* game info again (a re-login): the catalogue replaced, not doubled */
	json_t *info = json_loads(GAME_INFO, 0, NULL);
	CHECK(mirror_set_game_info(m, info, err, sizeof err) == 0);
	json_decref(info);
	CHECK_EQ_INT(mirror_cat_count(m), 11);
	CHECK(mirror_cat_by_unid(m, "core.t54") == mirror_cat(m, 54));
	mirror_free(m);
}

static void test_queries(void)
{
	char err[200];
	int64_t limit, after;
	CHECK(readmodel_page_args(NULL, NULL, &limit, &after, err, sizeof err) == 0 &&
	      limit == READMODEL_DEFAULT_LIMIT && after == 0);
	CHECK(readmodel_page_args("1000", "4925173", &limit, &after, err, sizeof err) == 0 &&
	      limit == 1000 && after == 4925173);
	static const char *const bad_limits[] = {"0", "1001", "-1", "abc", "", " 5", "5 ",
						 "+5", "99999999999999999999", "1e3", "0x10"};
	for (size_t i = 0; i < sizeof bad_limits / sizeof bad_limits[0]; i++) {
		err[0] = 0;
		CHECK(readmodel_page_args(bad_limits[i], NULL, &limit, &after, err, sizeof err) < 0 &&
		      strstr(err, "limit"));
	}
	static const char *const bad_cursors[] = {"-1", "x", "", "1.5", "99999999999999999999"};
	for (size_t i = 0; i < sizeof bad_cursors / sizeof bad_cursors[0]; i++) {
		err[0] = 0;
		CHECK(readmodel_page_args(NULL, bad_cursors[i], &limit, &after, err, sizeof err) < 0 &&
		      strstr(err, "cursor"));
	}
	CHECK(readmodel_check_category("maneuveringUnit", err, sizeof err) == 0);
	CHECK(readmodel_check_category("LAMUnit", err, sizeof err) == 0);
	static const char *const bad_cats[] = {"", "a b", "x1", "industry;drop", "\xc3\xa9",
					       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
	for (size_t i = 0; i < sizeof bad_cats / sizeof bad_cats[0]; i++)
		CHECK(readmodel_check_category(bad_cats[i], err, sizeof err) < 0 &&
		      strstr(err, "category"));
	CHECK(readmodel_check_unid("core.tradingHubDesignation", err, sizeof err) == 0);
	CHECK(readmodel_check_unid("fleetsim:26", err, sizeof err) == 0);
	char longer[READMODEL_MAX_UNID + 2];
	memset(longer, 'a', sizeof longer - 1);
	longer[sizeof longer - 1] = 0;
	static const char *const bad_unids[] = {"", "a b", "a\tb", "\x7f", "\xc3\xa9"};
	for (size_t i = 0; i < sizeof bad_unids / sizeof bad_unids[0]; i++)
		CHECK(readmodel_check_unid(bad_unids[i], err, sizeof err) < 0 && strstr(err, "unid"));
	CHECK(readmodel_check_unid(longer, err, sizeof err) < 0);
	longer[READMODEL_MAX_UNID] = 0;
	CHECK(readmodel_check_unid(longer, err, sizeof err) == 0);
}

int main(void)
{
	test_queries();
	char path[4096];
	if (fixture_excerpt(path, sizeof path) < 0) {
		int rc = tap_done();
		return rc ? rc : 77;
	}
	size_t len;
	char *text = slurp(path, &len);
	CHECK(text != NULL);
	if (text) {
		test_world_bare(text, len);
		test_world_catalogue(text, len);
	}
	free(text);
	return tap_done();
}
