/* test_mirror.c -- the mirror against the real game's answer
 * ($FLEETD_SHARED/fixtures/anacreon/getObjects-excerpt.json, read in place;
 * SKIP when absent) and against hand-written deltas for every merge rule:
 * replace, destroyedSpaceObject, battlePlan/relationship partials, history,
 * stale answers, full reloads, quirks, the indexes and the change feed;
 * and mirror_fields.h's table: its rows, lookups by name and reads of
 * records through it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idmap.h"
#include "mirror.h"
#include "mirror_fields.h"
#include "fixture.h"
#include "tap.h"

#define PLAYER 3913334

struct feed {
	int calls;
	size_t nfleets, nworlds, nremoved;
	int64_t fleets[64], worlds[64], removed[64];
	int watch_changed;
};

static void on_change(void *arg, const struct mirror_changes *ch)
{
	struct feed *f = arg;
	f->calls++;
	f->nfleets = ch->nfleets;
	f->nworlds = ch->nworlds;
	f->nremoved = ch->nremoved;
	for (size_t i = 0; i < ch->nfleets && i < 64; i++)
		f->fleets[i] = ch->fleets[i];
	for (size_t i = 0; i < ch->nworlds && i < 64; i++)
		f->worlds[i] = ch->worlds[i];
	for (size_t i = 0; i < ch->nremoved && i < 64; i++)
		f->removed[i] = ch->removed[i];
	f->watch_changed = ch->watch_changed;
}

static int has(const int64_t *ids, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return 1;
	return 0;
}

static int merge_text(struct mirror *m, const char *text, int full)
{
	json_error_t je;
	json_t *a = json_loads(text, 0, &je);
	if (!a) {
		fprintf(stderr, "bad test JSON: %s\n", je.text);
		return -2;
	}
	char err[128];
	int rc = mirror_merge(m, a, full, err, sizeof err);
	json_decref(a);
	return rc;
}

static void test_idmap(void)
{
	struct idmap m;
	idmap_init(&m);
	static int vals[5000];
	for (int i = 0; i < 5000; i++)
		CHECK(idmap_put(&m, i * 7 + 1, &vals[i]) == 0);
	CHECK_EQ_INT(m.n, 5000);
	/* delete every other key, then every remaining one must still be found */
	for (int i = 0; i < 5000; i += 2)
		CHECK(idmap_del(&m, i * 7 + 1) == &vals[i]);
	int found = 0, missing = 0;
	for (int i = 0; i < 5000; i++) {
		void *v = idmap_get(&m, i * 7 + 1);
		if (i % 2 && v == &vals[i])
			found++;
		if (!(i % 2) && v)
			missing++;
	}
	CHECK_EQ_INT(found, 2500);
	CHECK_EQ_INT(missing, 0);
	CHECK(idmap_del(&m, 999999) == NULL);
	idmap_free(&m);
}

static void test_fixture(struct mirror *m, const char *path)
{
	json_error_t je;
	json_t *a = json_load_file(path, 0, &je);
	CHECK(a != NULL);
	if (!a)
		return;
	struct feed feed;
	memset(&feed, 0, sizeof feed);
	CHECK(mirror_subscribe(m, on_change, &feed) == 0);
	CHECK(!mirror_ready(m));
	char err[128];
	CHECK(mirror_merge(m, a, 1, err, sizeof err) == 0);
	CHECK(mirror_ready(m));
	CHECK_EQ_INT(feed.calls, 1);
	CHECK_EQ_INT(mirror_world_count(m), 63);
	CHECK_EQ_INT(mirror_fleet_count(m), 14);
	CHECK_EQ_INT(mirror_world_count_of(m, PLAYER), 54);
	const int64_t *ids;
	CHECK_EQ_INT(mirror_fleets_of(m, PLAYER, &ids), 11);
	CHECK_EQ_INT(mirror_sequence_value(m), 5201930622LL);
	/* the sequence is kept exactly as it came */
	json_t *upd = NULL;
	for (size_t i = 0; i < json_array_size(a); i++) {
		const char *c = json_string_value(json_object_get(json_array_get(a, i), "class"));
		if (c && !strcmp(c, "update"))
			upd = json_array_get(a, i);
	}
	CHECK(upd && json_equal((json_t *)mirror_sequence(m),
				json_object_get(upd, "sequence")));
	CHECK(mirror_watch(m) == 1007710.0);
	CHECK(mirror_history(m) && json_array_size(mirror_history(m)) == 1);

	/* iteration is in id order */
	int ordered = 1;
	for (size_t i = 1; i < mirror_world_count(m); i++)
		if (mirror_world_at(m, i - 1)->id >= mirror_world_at(m, i)->id)
			ordered = 0;
	CHECK(ordered);
	CHECK(mirror_world_at(m, mirror_world_count(m)) == NULL);

	const struct mirror_fleet *f = mirror_fleet(m, 4647969);
	CHECK(f && !strcmp(f->name, "320th Fleet"));
	CHECK(f && f->anchor == 1175 && f->sovereign == PLAYER);
	CHECK(f && !strcmp(f->ftl_type, "warp") && f->dest_id == 0 && f->eta == 0);
	CHECK(f && f->nres == 2 && mirror_qty(f->res, f->nres, 122) == 403);
	CHECK(f && f->x == -432.82 && f->y == -891.51);
	/* a field the mirror does not know (region) is ignored */
	CHECK(mirror_fleet(m, 4695169) != NULL);
	CHECK_EQ_INT(mirror_fleets_at(m, 4247, &ids), 3);
	CHECK(has(ids, 3, 4714368) && has(ids, 3, 4714376) && has(ids, 3, 4725875));
	const struct mirror_world *w = mirror_world(m, 99);
	CHECK(w && !strcmp(w->name, "tears") && w->tech_level == 10);
	CHECK(w && w->nnear == 1 && w->near[0] == 4925173);
	CHECK(w && mirror_qty(w->res, w->nres, 142) == 332628);
	CHECK(w && !w->in_battle);
	CHECK(mirror_world(m, 4647969) == NULL); /* a fleet id is no world */
	CHECK(mirror_sovereign_name(m, 4833679) &&
	      !strcmp(mirror_sovereign_name(m, 4833679), "chozo"));
	json_decref(a);

	/* a delta: the fleet leaves (replace), one fleet is destroyed, world 99
	 * gets a battle plan, another changes hands; the watch advances */
	feed.calls = 0;
	const struct mirror_fleet *before = mirror_fleet(m, 4647969);
	CHECK_EQ_INT(merge_text(m,
		"[{\"class\":\"update\",\"sequence\":5201930700,\"update\":1007711.0,"
		"\"nextUpdateTime\":60000},"
		"{\"class\":\"fleet\",\"id\":4647969,\"name\":\"320th Fleet\","
		"\"sovereignID\":3913334,\"ftlType\":\"warp\",\"pos\":[-430.0,-890.0],"
		"\"dest\":[-400.5,-850.25],\"destID\":20,\"eta\":1007715.0,"
		"\"resources\":[170,1,122,[\"AEON2011:ipInteger:v1\",\"KzFQSQUAAAABNg8pfg==\"]],"
		"\"anchorObjID\":null},"
		"{\"class\":\"destroyedSpaceObject\",\"id\":4664591},"
		"{\"class\":\"battlePlan\",\"id\":99,\"battlePlan\":{\"objective\":\"invasion\"}},"
		"{\"class\":\"world\",\"id\":1175,\"name\":\"taken\",\"sovereignID\":4833679,"
		"\"pos\":[-0.0,5],\"techLevel\":3,\"population\":-0.0},"
		"{\"class\":\"somethingNew\",\"id\":5},{\"class\":\"fleet\"},"
		"{\"id\":6}]", 0), 0);
	CHECK_EQ_INT(feed.calls, 1);
	CHECK(feed.watch_changed);
	f = mirror_fleet(m, 4647969);
	CHECK(f == before); /* replaced in place: the address survives */
	CHECK(f && f->anchor == 0 && f->dest_id == 20 && f->eta == 1007715.0);
	CHECK(f && f->dest_x == -400.5 && f->dest_y == -850.25);
	CHECK(f && mirror_qty(f->res, f->nres, 122) == 5201930622LL);
	CHECK(has(feed.fleets, feed.nfleets, 4647969));
	CHECK_EQ_INT(feed.nfleets, 1);
	CHECK(has(feed.worlds, feed.nworlds, 99) && has(feed.worlds, feed.nworlds, 1175));
	CHECK_EQ_INT(feed.nremoved, 1);
	CHECK(has(feed.removed, feed.nremoved, 4664591));
	CHECK(mirror_fleet(m, 4664591) == NULL);
	CHECK_EQ_INT(mirror_fleet_count(m), 13);
	CHECK_EQ_INT(mirror_fleets_of(m, PLAYER, &ids), 10);
	CHECK(!has(ids, 10, 4664591));
	CHECK_EQ_INT(mirror_fleets_at(m, 1175, &ids), 0);
	CHECK_EQ_INT(mirror_fleets_at(m, 4452, &ids), 0); /* destroyed one's world */
	CHECK(mirror_world(m, 99)->in_battle);
	CHECK_EQ_INT(mirror_world_count_of(m, PLAYER), 53);
	CHECK_EQ_INT(mirror_world_count_of(m, 4833679), 1);
	w = mirror_world(m, 1175);
	CHECK(w && w->x == 0 && w->y == 5 && w->nres == 0 && w->population == 0);
	CHECK(mirror_sequence_value(m) == 5201930700LL);
	CHECK(mirror_watch(m) == 1007711.0);
	/* the watch length is measured from two updates (about 60 s apart) */
	CHECK(mirror_watch_ms(m) > 50000);

	/* the fleet arrives at world 20: anchored, no dest, no eta */
	CHECK_EQ_INT(merge_text(m,
		"[{\"class\":\"fleet\",\"id\":4647969,\"name\":\"320th\","
		"\"sovereignID\":3913334,\"ftlType\":\"warp\",\"pos\":[-400.5,-850.25],"
		"\"anchorObjID\":20,\"resources\":[]}]", 0), 0);
	CHECK_EQ_INT(mirror_fleets_at(m, 20, &ids), 1);
	CHECK(mirror_fleet(m, 4647969)->dest_id == 0 && !feed.watch_changed);

	/* battle over: the partial patches only the plan */
	CHECK_EQ_INT(merge_text(m,
		"[{\"class\":\"battlePlan\",\"id\":99,\"battlePlan\":null},"
		"{\"class\":\"relationship\",\"id\":4833679,\"relationship\":{\"x\":1}}]",
		0), 0);
	w = mirror_world(m, 99);
	CHECK(w && !w->in_battle && !strcmp(w->name, "tears"));
	CHECK(has(feed.worlds, feed.nworlds, 99));
	CHECK(mirror_sovereign_name(m, 4833679) != NULL);

	/* history replaces all earlier history */
	CHECK_EQ_INT(merge_text(m,
		"[{\"class\":\"history\",\"history\":[{\"id\":1},{\"id\":2}]}]", 0), 0);
	CHECK_EQ_INT(json_array_size(mirror_history(m)), 2);

	/* an answer older than the merged state is skipped */
	feed.calls = 0;
	CHECK_EQ_INT(merge_text(m,
		"[{\"class\":\"update\",\"sequence\":5201930650},"
		"{\"class\":\"destroyedSpaceObject\",\"id\":4664592}]", 0), 0);
	CHECK_EQ_INT(feed.calls, 0);
	CHECK(mirror_fleet(m, 4664592) != NULL);
	CHECK_EQ_INT(mirror_stale_skipped(m), 1);

	/* not a list: refused, nothing changes */
	json_t *bad = json_pack("{s:i}", "id", 1);
	CHECK(mirror_merge(m, bad, 0, err, sizeof err) == -1);
	CHECK(strstr(err, "not a list") != NULL);
	json_decref(bad);
	CHECK_EQ_INT(mirror_fleet_count(m), 13);
}

static void test_full_reload_and_info(void)
{
	struct mirror *m = mirror_new();
	char err[128];
	json_t *info = json_loads(
		"{\"userInfo\":{\"sovereignID\":7},"
		"\"scenarioInfo\":[{\"id\":100,\"class\":\"resourceType\","
		"\"category\":\"commodity\",\"nameDesc\":\"hexacarbide\"},"
		"{\"id\":200,\"class\":\"trait\",\"category\":\"designation\","
		"\"role\":\"tradingHub\",\"nameDesc\":\"trading hub\"}],"
		"\"sovereigns\":[{\"id\":7,\"name\":\"me\",\"imperialMight\":1}]}",
		0, NULL);
	CHECK(mirror_set_game_info(m, info, err, sizeof err) == 0);
	json_decref(info);
	CHECK_EQ_INT(mirror_player(m), 7);
	CHECK(!strcmp(mirror_resource_name(m, 100), "hexacarbide"));
	CHECK(!strcmp(mirror_resource_category(m, 100), "commodity"));
	CHECK(mirror_resource_name(m, 101) == NULL);
	json_t *bad = json_loads("{\"userInfo\":{}}", 0, NULL);
	CHECK(mirror_set_game_info(m, bad, err, sizeof err) == -1);
	json_decref(bad);

	CHECK_EQ_INT(merge_text(m,
		"[{\"class\":\"world\",\"id\":1,\"designation\":200,\"sovereignID\":7},"
		"{\"class\":\"world\",\"id\":2,\"traits\":[{\"traitID\":200}]},"
		"{\"class\":\"world\",\"id\":3,\"traits\":[5,6]},"
		"{\"class\":\"fleet\",\"id\":10,\"sovereignID\":7,\"anchorObjID\":1,"
		"\"battlePlan\":\"true\"},"
		"{\"class\":\"fleet\",\"id\":11,\"sovereignID\":7,\"anchorObjID\":1}]", 1),
		0);
	CHECK(mirror_world(m, 1)->trading && mirror_world(m, 2)->trading);
	CHECK(!mirror_world(m, 3)->trading);
	CHECK(mirror_fleet(m, 10)->in_battle && !mirror_fleet(m, 11)->in_battle);
	CHECK(!strcmp(mirror_fleet(m, 10)->ftl_type, ""));
	CHECK(mirror_sequence(m) == NULL && mirror_sequence_value(m) == -1);

	/* a second full answer replaces everything: what it lacks is gone */
	struct feed feed;
	memset(&feed, 0, sizeof feed);
	mirror_subscribe(m, on_change, &feed);
	CHECK_EQ_INT(merge_text(m,
		"[{\"class\":\"world\",\"id\":1,\"sovereignID\":7},"
		"{\"class\":\"fleet\",\"id\":11,\"sovereignID\":7,\"anchorObjID\":3}]", 1),
		0);
	CHECK(mirror_fleet(m, 10) == NULL && mirror_world(m, 2) == NULL);
	CHECK_EQ_INT(mirror_fleet_count(m), 1);
	CHECK_EQ_INT(mirror_world_count(m), 1);
	CHECK_EQ_INT(feed.nremoved, 3);
	const int64_t *ids;
	CHECK_EQ_INT(mirror_fleets_at(m, 1, &ids), 0);
	CHECK_EQ_INT(mirror_fleets_at(m, 3, &ids), 1);

	CHECK_EQ_INT(mirror_fleet_job(m, 11), 0);
	mirror_free(m);
}

/* An answer continues the mirror only from the sequence its call was sent
 * from or an earlier one; above it (a full answer took the mirror back
 * meanwhile) it is refused and counted. */
static void test_continues(void)
{
	struct mirror *m = mirror_new();
	CHECK_EQ_INT(mirror_continues(m, 5), 1); /* no sequence yet */
	CHECK_EQ_INT(merge_text(m, "[{\"class\":\"update\",\"sequence\":20}]", 1), 0);
	CHECK_EQ_INT(mirror_sequence_value(m), 20);
	CHECK_EQ_INT(mirror_continues(m, -1), 1); /* a full getObjects */
	CHECK_EQ_INT(mirror_continues(m, 12), 1);
	CHECK_EQ_INT(mirror_continues(m, 20), 1);
	CHECK_EQ_INT(mirror_gaps_skipped(m), 0);
	CHECK_EQ_INT(mirror_continues(m, 21), 0);
	CHECK_EQ_INT(mirror_gaps_skipped(m), 1);
	mirror_free(m);
}

/* Bytes a row's read keeps in its record, member and second together. */
static size_t read_size(enum mirror_read read)
{
	switch (read) {
	case MIRROR_READ_INT:
	case MIRROR_READ_BATTLE:
	case MIRROR_READ_BOOL:
		return sizeof(int);
	case MIRROR_READ_POS:
		return 2 * sizeof(double);
	case MIRROR_READ_RES:
	case MIRROR_READ_IDS:
	case MIRROR_READ_TRAITS:
	case MIRROR_READ_ROUTES:
		return sizeof(int64_t *) + sizeof(size_t);
	case MIRROR_READ_CLASS:
		return 0;
	default:
		return 8; /* int64_t, double, a pointer */
	}
}

/* The table's own rules: names are unique and their lengths right; a
 * record's rows are together; a key kept by several classes the scanner
 * reduces is read one way; and every member of a record is named by a row
 * (a member no row names would be read as 0: what is left over must be
 * padding, less than 8 bytes here). */
static void test_field_table(void)
{
	int bad = 0;
	for (size_t i = 0; i < MIRROR_NFIELDS; i++) {
		const struct mirror_field *f = &mirror_fields[i];
		CHECK(f->key_len == strlen(f->key) && f->key_len > 0);
		CHECK(mirror_field_of(f->cls, f->key, f->key_len) == f);
		for (size_t j = 0; j < MIRROR_NFIELDS; j++) {
			const struct mirror_field *g = &mirror_fields[j];
			/* inner classes' rows are read by their own readers */
			int kept = (mirror_class_use(f->cls) == MIRROR_USE_REDUCE ||
				    f->cls == MIRROR_C_any) &&
				   (mirror_class_use(g->cls) == MIRROR_USE_REDUCE ||
				    g->cls == MIRROR_C_any);
			if (kept && !strcmp(f->key, g->key) && f->read != g->read) {
				fprintf(stderr, "read two ways: %s\n", f->key);
				bad++;
			}
		}
	}
	CHECK_EQ_INT(bad, 0);
	/* derived members no row names: a world's trading */
	static const struct {
		enum mirror_class cls;
		size_t size;
	} records[] = {{MIRROR_C_fleet, sizeof(struct mirror_fleet)},
		       {MIRROR_C_world, sizeof(struct mirror_world) - sizeof(int)},
		       {MIRROR_C_sovereign, sizeof(struct mirror_sovereign)}};
	size_t in_records = 0;
	for (size_t r = 0; r < sizeof records / sizeof records[0]; r++) {
		size_t n, covered = 0;
		const struct mirror_field *f = mirror_record_fields(records[r].cls, &n);
		CHECK(f && n > 0);
		for (size_t i = 0; i < n; i++) {
			CHECK(f[i].cls == records[r].cls && f[i].in_record);
			covered += read_size(f[i].read);
		}
		in_records += n;
		CHECK(covered <= records[r].size && records[r].size - covered < 8);
	}
	size_t n_in = 0;
	for (size_t i = 0; i < MIRROR_NFIELDS; i++)
		n_in += mirror_fields[i].in_record;
	CHECK_EQ_INT(in_records, n_in);
	size_t n;
	CHECK(mirror_record_fields(MIRROR_C_update, &n) == NULL && n == 0);

	CHECK_EQ_INT(mirror_class_find("fleet", 5), MIRROR_C_fleet);
	CHECK_EQ_INT(mirror_class_find("destroyedSpaceObject", 20), MIRROR_C_destroyedSpaceObject);
	CHECK_EQ_INT(mirror_class_find("fleets", 6), -1);
	CHECK_EQ_INT(mirror_class_find("flee", 4), -1);
	CHECK_EQ_INT(mirror_class_find("", 0), -1);
	CHECK(!strcmp(mirror_class_name(MIRROR_C_world), "world"));
	CHECK(mirror_class_name(MIRROR_NCLASSES) == NULL);
	CHECK(mirror_class_use(MIRROR_C_sovereign) == MIRROR_USE_REDUCE);
	CHECK(mirror_class_use(MIRROR_C_siege) == MIRROR_USE_WHOLE);
	CHECK(mirror_class_use(MIRROR_C_trait) == MIRROR_USE_INNER);
}

/* Fields by name, and their values read from records merged from an
 * answer. */
static void test_field_lookup(void)
{
	const struct mirror_field *f = mirror_field_find("fleet.eta");
	CHECK(f && f == &mirror_fields[MIRROR_F_fleet_eta]);
	CHECK(f && f->cls == MIRROR_C_fleet && !strcmp(f->key, "eta") &&
	      f->type == MIRROR_T_REAL && f->in_record);
	f = mirror_field_find("world.population");
	CHECK(f && f->cls == MIRROR_C_world && f->type == MIRROR_T_REAL);
	CHECK(mirror_field_find("world.techLevel") == &mirror_fields[MIRROR_F_world_techLevel]);
	CHECK(mirror_field_find("sovereign.capitalID") ==
	      &mirror_fields[MIRROR_F_sovereign_capitalID]);
	CHECK(mirror_field_find("update.sequence") &&
	      !mirror_field_find("update.sequence")->in_record);
	static const char *const none[] = {"fleet.nope", "nope.eta", "fleet", "fleet.",
					   ".eta", "", "fleet.eta.x", "Fleet.eta",
					   "fleet.ETA", "world.eta", "fleet..eta"};
	for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
		CHECK(mirror_field_find(none[i]) == NULL);
	CHECK(mirror_field_find(NULL) == NULL);
	CHECK(mirror_field_of(MIRROR_C_fleet, "eta", 3) == &mirror_fields[MIRROR_F_fleet_eta]);
	CHECK(mirror_field_of(MIRROR_C_fleet, "etaX", 3) == &mirror_fields[MIRROR_F_fleet_eta]);
	CHECK(mirror_field_of(MIRROR_C_fleet, "et", 2) == NULL);

	struct mirror *m = mirror_new();
	char err[128];
	json_t *info = json_loads("{\"userInfo\":{\"sovereignID\":7},\"scenarioInfo\":"
				  "[{\"id\":200,\"role\":\"tradingHub\"}]}", 0, NULL);
	CHECK(mirror_set_game_info(m, info, err, sizeof err) == 0);
	json_decref(info);
	CHECK_EQ_INT(merge_text(m,
		"[{\"class\":\"fleet\",\"id\":10,\"name\":\"f\",\"sovereignID\":7,"
		"\"ftlType\":\"jump\",\"pos\":[1.5,-2],\"destID\":3,\"dest\":[4,5],"
		"\"eta\":1007715.5,\"resources\":[100,6,101,7],\"battlePlan\":{}},"
		"{\"class\":\"world\",\"id\":3,\"name\":\"w\",\"sovereignID\":7,"
		"\"pos\":[4,5],\"designation\":9,\"techLevel\":6,\"population\":12.25,"
		"\"traits\":[{\"traitID\":200}],\"nearObjIDs\":[10,11]},"
		"{\"class\":\"sovereign\",\"id\":7,\"name\":\"me\",\"capitalID\":3,"
		"\"relationship\":{\"x\":1}}]", 1), 0);
	const struct mirror_fleet *fl = mirror_fleet(m, 10);
	const struct mirror_world *w = mirror_world(m, 3);
	const struct mirror_sovereign *sv = mirror_sovereign(m, 7);
	CHECK(fl && w && sv);
	if (!fl || !w || !sv) {
		mirror_free(m);
		return;
	}
	struct mirror_value v;
	CHECK(mirror_field_get(mirror_field_find("fleet.eta"), fl, &v) == 0);
	CHECK(v.type == MIRROR_T_REAL && v.d == 1007715.5);
	CHECK(mirror_field_get(mirror_field_find("fleet.id"), fl, &v) == 0 && v.i == 10);
	CHECK(mirror_field_get(mirror_field_find("fleet.name"), fl, &v) == 0 &&
	      v.type == MIRROR_T_STRING && !strcmp(v.s, "f"));
	CHECK(mirror_field_get(mirror_field_find("fleet.ftlType"), fl, &v) == 0 &&
	      !strcmp(v.s, "jump"));
	CHECK(mirror_field_get(mirror_field_find("fleet.sovereignID"), fl, &v) == 0 &&
	      v.type == MIRROR_T_INT && v.i == 7);
	CHECK(mirror_field_get(mirror_field_find("fleet.pos"), fl, &v) == 0 &&
	      v.type == MIRROR_T_POS && v.x == 1.5 && v.y == -2);
	CHECK(mirror_field_get(mirror_field_find("fleet.dest"), fl, &v) == 0 &&
	      v.x == 4 && v.y == 5);
	CHECK(mirror_field_get(mirror_field_find("fleet.resources"), fl, &v) == 0 &&
	      v.type == MIRROR_T_PAIRS && v.n == 2 && v.list[2] == 101 && v.list[3] == 7);
	CHECK(mirror_field_get(mirror_field_find("fleet.battlePlan"), fl, &v) == 0 &&
	      v.type == MIRROR_T_BOOL && v.i == 1);
	CHECK(mirror_field_get(mirror_field_find("fleet.anchorObjID"), fl, &v) == 0 &&
	      v.i == 0);
	CHECK(mirror_field_get(mirror_field_find("world.population"), w, &v) == 0 &&
	      v.d == 12.25);
	CHECK(mirror_field_get(mirror_field_find("world.techLevel"), w, &v) == 0 &&
	      v.type == MIRROR_T_INT && v.i == 6);
	CHECK(mirror_field_get(mirror_field_find("world.designation"), w, &v) == 0 && v.i == 9);
	CHECK(mirror_field_get(mirror_field_find("world.traits"), w, &v) == 0 &&
	      v.type == MIRROR_T_TRAITS && v.n == 1 && v.traits[0].id == 200 &&
	      v.traits[0].structured);
	CHECK(w->trading);
	CHECK(mirror_field_get(mirror_field_find("world.nearObjIDs"), w, &v) == 0 &&
	      v.type == MIRROR_T_IDS && v.n == 2 && v.list[1] == 11);
	CHECK(mirror_field_get(mirror_field_find("world.battlePlan"), w, &v) == 0 && v.i == 0);
	CHECK(mirror_field_get(mirror_field_find("sovereign.name"), sv, &v) == 0 &&
	      !strcmp(v.s, "me"));
	CHECK(mirror_field_get(mirror_field_find("sovereign.capitalID"), sv, &v) == 0 &&
	      v.i == 3);
	CHECK(mirror_field_get(mirror_field_find("sovereign.relationship"), sv, &v) == 0 &&
	      v.type == MIRROR_T_JSON && json_integer_value(json_object_get(v.json, "x")) == 1);
	/* fields kept in no record cannot be read from one */
	CHECK(mirror_field_get(mirror_field_find("update.sequence"), fl, &v) == -1);
	CHECK(mirror_field_get(mirror_field_find("any.class"), fl, &v) == -1);
	CHECK(mirror_field_get(NULL, fl, &v) == -1);
	CHECK(mirror_field_get(mirror_field_find("fleet.eta"), NULL, &v) == -1);
	mirror_free(m);
}

int main(void)
{
	test_idmap();
	test_field_table();
	test_field_lookup();
	test_full_reload_and_info();
	test_continues();
	char path[4096];
	if (fixture_excerpt(path, sizeof path) < 0) {
		int rc = tap_done();
		return rc ? rc : 77;
	}
	struct mirror *m = mirror_new();
	test_fixture(m, path);
	mirror_free(m);
	return tap_done();
}
