/* test_world_steps.c -- the world ops (designate, build, demolish,
 * industry, products, trade_route, stop_trade_route, launch_lams) driven
 * through their sub-states as engine.c's run_op drives them, against the
 * mirror of the real game answer (steps_fixture.h; SKIP without the
 * excerpt) and a hand-written catalogue with unids and the categories the
 * ops check (getGameInfo is not in the excerpt).
 *
 * For each op: START with the effect already in the galaxy (done, a
 * job.note, no call); START waiting for W's intent lock, then sending the
 * exact call (the game API's field names, never CALL_IDEMPOTENT); SENT
 * with the answer (done), after a transient fault (the same call again),
 * with neither before a fresher watch (a wait for it), after it with the
 * effect not found (job.reconciled false, a new intent, sent again) and
 * found (job.reconciled true, done -- at once for the conclusive ops);
 * the refusals (verdict ERROR naming the argument); and every persisted
 * state run twice answering the same (run_twice). */
#include "steps_fixture.h"
#include "step_resolve.h"
#include "step_world.h"

/* Excerpt facts (getObjects-excerpt.json). */
#define W 583        /* WORLD_B: the player's, designation 169, no routes,
		      * traits 138 (bare), 264 (an industry at 10%), 158 (an
		      * improvement with allocations), 151 x2 held */
#define W_FROM 99    /* the player's, another world */
#define W_FOREIGN 1380 /* sovereign 5105 */
#define W_ROUTES 1175 /* the player's; its route from 5083 lists 188 at -0.0 */
#define W_ROUTES_FROM 5083
#define TARGET 1380

/* The catalogue: designations, improvements, industries, missiles. */
#define DES_HERE 169    /* W's designation */
#define DES_NEW 163
#define IMP_HERE 138    /* among W's traits (a bare id) */
#define IMP_NEW 137
#define IMP_ALLOC 158   /* an improvement with allocations on W */
#define IND 264         /* W's industry, targetAllocation 10 */
#define LAM 151

static json_t *catalogue(void)
{
	json_t *c = json_array();
	struct {
		int id;
		const char *unid, *category;
	} e[] = {
		{144, "core.cargo", "commodity"},
		{122, "core.frigate", "maneuveringUnit"},
		{170, "core.ark", "maneuveringUnit"},
		{90, "core.foodstuffs", "commodity"},
		{178, "core.luxuryGoods", "commodity"},
		{188, "core.consumerGoods", "commodity"},
		{102, "core.scout", "maneuveringUnit"},
		{167, "core.gunship", "maneuveringUnit"},
		{DES_HERE, "core.citadelDesignation", "designation"},
		{DES_NEW, "core.shipyardDesignation", "designation"},
		{IMP_HERE, "core.orbitalDockImprovement", "improvement"},
		{IMP_NEW, "core.deepMineImprovement", "improvement"},
		{IMP_ALLOC, "core.fieldHospitalImprovement", "improvement"},
		{IND, "core.medicalIndustry", "industry"},
		{168, "core.starshipYardsIndustry", "industry"},
		{LAM, "core.jumpMissile", "LAMUnit"},
	};
	for (size_t i = 0; i < sizeof e / sizeof e[0]; i++)
		json_array_append_new(c, json_pack("{s:i,s:s,s:s,s:s}", "id", e[i].id, "unid",
						   e[i].unid, "nameDesc", e[i].unid,
						   "category", e[i].category));
	return c;
}

/* --- the galaxy's worlds ------------------------------------------------------ */

/* World id as in the excerpt with key set to v (stolen; NULL: removed). */
static void put_world(int64_t id, const char *key, json_t *v)
{
	json_t *o = json_deep_copy(excerpt_object(id));
	CHECK(o != NULL);
	if (!o) {
		json_decref(v);
		return;
	}
	if (v)
		json_object_set_new(o, key, v);
	else
		json_object_del(o, key);
	merge(json_pack("[o]", o));
}

static void restore_world(int64_t id)
{
	merge(json_pack("[O]", excerpt_object(id)));
}

/* W's traits as in the excerpt without trait `drop`, with `add` (stolen)
 * appended when not NULL. */
static void put_traits(int64_t drop, json_t *add)
{
	json_t *traits = json_array();
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(excerpt_object(W), "traits"), i, t) {
		json_t *id = json_is_object(t) ? json_object_get(t, "traitID") : t;
		if (json_integer_value(id) != drop)
			json_array_append(traits, t);
	}
	if (add)
		json_array_append_new(traits, add);
	put_world(W, "traits", traits);
}

/* W's trait `id` as in the excerpt with key set to v (stolen). */
static void put_trait_field(int64_t id, const char *key, json_t *v)
{
	json_t *copy = NULL;
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(excerpt_object(W), "traits"), i, t) {
		if (json_is_object(t) && json_integer_value(json_object_get(t, "traitID")) == id)
			copy = json_deep_copy(t);
	}
	CHECK(copy != NULL);
	json_object_set_new(copy, key, v);
	put_traits(id, copy);
}

/* --- the life every world op shares -------------------------------------------- */

/* A copy of the job's persisted state, to try one branch on. */
static struct job fork_job(const struct job *j)
{
	struct job a = *j;
	a.data = json_deep_copy(j->data);
	a.args = json_incref(j->args);
	return a;
}

/* START with the effect in the galaxy: done, one job.note naming W, and no
 * call -- also when run twice. */
static void check_already(struct job *j, int64_t world, const char *msg)
{
	struct outcome o = {0};
	run(j, NULL, 0, &o);
	CHECK_EQ_INT(o.r.verdict, STEP_DONE);
	CHECK(o.params == NULL);
	CHECK(strcmp(state(j), "START") == 0);
	json_t *d;
	CHECK_EQ_INT(events_of(j->id, "job.note", &d), 1);
	CHECK(d && json_integer_value(json_object_get(d, "world")) == world);
	const char *m = d ? json_string_value(json_object_get(d, "message")) : NULL;
	CHECK(m && strstr(m, msg));
	if (!(m && strstr(m, msg)))
		fprintf(stderr, "  note: %s, expected '%s'\n", m ? m : "-", msg);
	json_decref(d);
	json_object_clear(j->data);
	run_twice(j, NULL, 0, &o);
	CHECK_EQ_INT(o.r.verdict, STEP_DONE);
	CHECK(o.params == NULL);
	outcome_clear(&o);
}

/* START with the effect absent: W's lock waited for, then the call.  Then
 * SENT: answered (done), resend (the call again), neither (a wait for a
 * fresher watch; after it, not found: reconciled false and sent again with
 * a new intent).  Leaves the job in SENT with its intent written. */
static void check_send(struct job *j, int64_t world, const char *endpoint,
		       const char *call, const char *op)
{
	struct outcome o = {0};
	json_t *reply = json_array();
	check_lock(j, world);
	run(j, NULL, 0, &o);
	CHECK(is_call(&o, endpoint, call));
	CHECK(!(o.r.flags & CALL_IDEMPOTENT));
	CHECK(strcmp(state(j), "SENT") == 0);
	CHECK_EQ_INT(json_integer_value(json_object_get(j->data, "intent_world")), world);
	CHECK_EQ_INT(json_integer_value(json_object_get(j->data, "intent_watch")), watch_now());
	CHECK_EQ_INT(events_of(j->id, "job.note", NULL), 0);
	/* answered: done, and again so */
	struct job a = fork_job(j);
	run_twice(&a, reply, 0, &o);
	CHECK_EQ_INT(o.r.verdict, STEP_DONE);
	job_free(&a);
	/* a transient fault: certainly no effect, the same call */
	run_twice(j, NULL, 1, &o);
	CHECK(is_call(&o, endpoint, call));
	CHECK(strcmp(state(j), "SENT") == 0);
	/* unknown outcome: not judged before a watch later than the intent's */
	run_twice(j, NULL, 0, &o);
	CHECK(is_wait_for(&o, WAIT_WATCH, watch_now() + 1, 0));
	CHECK_EQ_INT(reconciled(j->id, op), -1);
	/* an ambiguous outcome recorded later than the intent: that watch */
	a = fork_job(j);
	json_object_set_new(a.data, "ambiguous_watch", json_integer(watch_now() + 1));
	run_twice(&a, NULL, 0, &o);
	CHECK(is_wait_for(&o, WAIT_WATCH, watch_now() + 2, 0));
	job_free(&a);
	/* fresher, no effect: it never acted -> a new intent, sent again */
	next_watch();
	run(j, NULL, 0, &o);
	CHECK(is_call(&o, endpoint, call));
	CHECK_EQ_INT(reconciled(j->id, op), 0);
	CHECK_EQ_INT(json_integer_value(json_object_get(j->data, "intent_watch")), watch_now());
	CHECK(strcmp(state(j), "SENT") == 0);
	json_decref(reply);
	outcome_clear(&o);
}

/* SENT with the effect in the galaxy (a conclusive op): done at once,
 * without a fresher watch, reconciled true; a resend that finds it is no
 * reconciliation. */
static void check_found_conclusive(struct job *j, const char *op)
{
	struct outcome o = {0};
	struct job a = fork_job(j);
	int n = events_of(j->id, "job.reconciled", NULL);
	run_twice(&a, NULL, 1, &o);
	CHECK_EQ_INT(o.r.verdict, STEP_DONE);
	CHECK_EQ_INT(events_of(j->id, "job.reconciled", NULL), n);
	job_free(&a);
	run_twice(j, NULL, 0, &o);
	CHECK_EQ_INT(o.r.verdict, STEP_DONE);
	CHECK(o.params == NULL);
	CHECK_EQ_INT(reconciled(j->id, op), 1);
	outcome_clear(&o);
}

static struct job world_job(const struct step_op *op, int64_t world, json_t *args)
{
	struct job j = job_new(op, 0, args);
	j.world = world;
	return j;
}

/* A step refused with an error naming part, sending nothing. */
static void check_refused(struct job *j, const char *part)
{
	struct outcome o = {0};
	run_twice(j, NULL, 0, &o);
	CHECK(is_error(&o, part));
	CHECK(o.params == NULL);
	CHECK(strcmp(state(j), "START") == 0);
	CHECK(json_object_get(j->data, "intent_world") == NULL);
	outcome_clear(&o);
}

/* --- the ops --------------------------------------------------------------------- */

static void test_catalogue(void)
{
	char err[200];
	json_t *v = json_string("core.shipyardDesignation");
	CHECK_EQ_INT(world_cat_resolve(H.m, v, "designation", err, sizeof err), DES_NEW);
	json_decref(v);
	v = json_integer(DES_NEW);
	CHECK_EQ_INT(world_cat_resolve(H.m, v, "designation", err, sizeof err), DES_NEW);
	CHECK_EQ_INT(world_cat_resolve(H.m, v, "improvement", err, sizeof err), 0);
	CHECK(strstr(err, "catalogue entry 163 (core.shipyardDesignation) is not an improvement"));
	json_decref(v);
	/* industry takes an industry or an improvement with allocations */
	v = json_integer(IMP_ALLOC);
	CHECK_EQ_INT(world_cat_resolve(H.m, v, "industry", err, sizeof err), IMP_ALLOC);
	CHECK_EQ_INT(world_cat_resolve(H.m, v, "designation", err, sizeof err), 0);
	CHECK(strstr(err, "is not a designation"));
	json_decref(v);
	v = json_integer(99999);
	CHECK_EQ_INT(world_cat_resolve(H.m, v, "industry", err, sizeof err), 0);
	CHECK(strstr(err, "no catalogue entry 99999 is known"));
	json_decref(v);
	v = json_string("core.nothing");
	CHECK_EQ_INT(world_cat_resolve(H.m, v, "industry", err, sizeof err), 0);
	CHECK(strstr(err, "no catalogue entry has unid \"core.nothing\""));
	/* without a catalogue an id is the game's to judge; a unid cannot be */
	struct mirror *bare = mirror_new();
	CHECK_EQ_INT(world_cat_resolve(bare, v, "industry", err, sizeof err), 0);
	json_decref(v);
	v = json_integer(12345);
	CHECK_EQ_INT(world_cat_resolve(bare, v, "industry", err, sizeof err), 12345);
	json_decref(v);
	mirror_free(bare);
}

/* What decides W: the world job's, or a fleet job's `world` (an id,
 * "$here" or absent: where the fleet is anchored), checked. */
static void test_world_choice(void)
{
	struct outcome o = {0};
	char call[128];
	snprintf(call, sizeof call, "{\"newDesignation\":%d,\"sourceObjID\":%d}", DES_NEW, W);
	/* a world job on a world that is no longer the player's */
	struct job j = world_job(&step_designate, W_FOREIGN,
				 json_pack("{s:s,s:i}", "op", "designate", "designation", DES_NEW));
	check_refused(&j, "world 1380 is not one of your worlds");
	job_free(&j);
	/* a fleet job: "$here" is where the fleet is anchored */
	j = job_new(&step_designate, FLEET_B,
		    json_pack("{s:s,s:i,s:s}", "op", "designate", "designation", DES_NEW,
			      "world", "$here"));
	run(&j, NULL, 0, &o);
	CHECK(is_call(&o, "designateWorld", call));
	job_free(&j);
	/* ... as when `world` is absent */
	j = job_new(&step_designate, FLEET_B,
		    json_pack("{s:s,s:i}", "op", "designate", "designation", DES_NEW));
	run(&j, NULL, 0, &o);
	CHECK(is_call(&o, "designateWorld", call));
	job_free(&j);
	/* a world by id, wherever the fleet is */
	j = job_new(&step_designate, FLEET_A,
		    json_pack("{s:s,s:i,s:i}", "op", "designate", "designation", DES_NEW,
			      "world", W));
	run(&j, NULL, 0, &o);
	CHECK(is_call(&o, "designateWorld", call));
	job_free(&j);
	/* ... not the player's */
	j = job_new(&step_designate, FLEET_A,
		    json_pack("{s:s,s:i,s:i}", "op", "designate", "designation", DES_NEW,
			      "world", W_FOREIGN));
	check_refused(&j, "world 1380 is not one of your worlds");
	job_free(&j);
	/* ... held by a world job */
	json_t *spec = json_pack("{s:i,s:i,s:[{s:s,s:i}]}", "world", W, "delay_seconds", 3600,
				 "steps", "op", "wait", "seconds", 1);
	int64_t holder = 0;
	int64_t wj = engine_submit(H.eng, spec, NULL, &holder);
	json_decref(spec);
	CHECK(wj > 0);
	char msg[64];
	snprintf(msg, sizeof msg, "world %d is held by job %lld", W, (long long)wj);
	j = job_new(&step_designate, FLEET_B,
		    json_pack("{s:s,s:i,s:s}", "op", "designate", "designation", DES_NEW,
			      "world", "$here"));
	check_refused(&j, msg);
	job_free(&j);
	end_other_job(wj);
	/* "$here" with the fleet under way, or gone */
	put_fleet(FLEET_B, 0, WORLD_A, "[170,1,144,1,122,3189]");
	j = job_new(&step_designate, FLEET_B,
		    json_pack("{s:s,s:i,s:s}", "op", "designate", "designation", DES_NEW,
			      "world", "$here"));
	check_refused(&j, "is not anchored");
	job_free(&j);
	put_fleet(FLEET_B, WORLD_B, 0, "[170,1,144,1,122,3189]");
	j = job_new(&step_designate, 42,
		    json_pack("{s:s,s:i}", "op", "designate", "designation", DES_NEW));
	check_refused(&j, "fleet 42 no longer exists");
	job_free(&j);
	outcome_clear(&o);
}

static void test_designate(void)
{
	char call[128];
	snprintf(call, sizeof call, "{\"newDesignation\":%d,\"sourceObjID\":%d}", DES_NEW, W);
	/* already so (by unid): nothing sent */
	struct job j = world_job(&step_designate, W,
				 json_pack("{s:s,s:s}", "op", "designate", "designation",
					   "core.citadelDesignation"));
	check_already(&j, W, "already has this designation");
	job_free(&j);

	j = world_job(&step_designate, W, json_pack("{s:s,s:s}", "op", "designate",
						    "designation", "core.shipyardDesignation"));
	check_send(&j, W, "designateWorld", call, "designate");
	CHECK_EQ_INT(json_integer_value(json_object_get(j.data, "cat")), DES_NEW);
	put_world(W, "designation", json_integer(DES_NEW));
	check_found_conclusive(&j, "designate");
	restore_world(W);
	job_free(&j);

	/* refusals: unknown unid, unknown id, another category */
	j = world_job(&step_designate, W, json_pack("{s:s,s:s}", "op", "designate",
						    "designation", "core.nowhere"));
	check_refused(&j, "designation: no catalogue entry has unid \"core.nowhere\"");
	job_free(&j);
	j = world_job(&step_designate, W,
		      json_pack("{s:s,s:i}", "op", "designate", "designation", 99999));
	check_refused(&j, "designation: no catalogue entry 99999 is known");
	job_free(&j);
	j = world_job(&step_designate, W,
		      json_pack("{s:s,s:i}", "op", "designate", "designation", IND));
	check_refused(&j, "is not a designation");
	job_free(&j);
}

static void test_build(void)
{
	char call[128];
	snprintf(call, sizeof call, "{\"improvementID\":%d,\"sourceObjID\":%d}", IMP_NEW, W);
	struct job j = world_job(&step_build, W, json_pack("{s:s,s:s}", "op", "build",
							   "improvement",
							   "core.orbitalDockImprovement"));
	check_already(&j, W, "already built");
	job_free(&j);

	j = world_job(&step_build, W, json_pack("{s:s,s:i}", "op", "build", "improvement",
						IMP_NEW));
	check_send(&j, W, "buildImprovement", call, "build");
	/* it appears among the traits as a bare id */
	put_traits(0, json_integer(IMP_NEW));
	check_found_conclusive(&j, "build");
	restore_world(W);
	job_free(&j);
	/* ... or as an object with traitID */
	j = world_job(&step_build, W, json_pack("{s:s,s:i}", "op", "build", "improvement",
						IMP_NEW));
	check_send(&j, W, "buildImprovement", call, "build");
	put_traits(0, json_pack("{s:i,s:f,s:f,s:[]}", "traitID", IMP_NEW, "allocation", 0.0,
				"targetAllocation", 0.0, "buildData"));
	check_found_conclusive(&j, "build");
	restore_world(W);
	job_free(&j);

	j = world_job(&step_build, W, json_pack("{s:s,s:i}", "op", "build", "improvement",
						DES_NEW));
	check_refused(&j, "improvement: catalogue entry 163 (core.shipyardDesignation) is not an improvement");
	job_free(&j);
	j = world_job(&step_build, W, json_pack("{s:s,s:s}", "op", "build", "improvement",
						"core.unheardOf"));
	check_refused(&j, "improvement: no catalogue entry has unid");
	job_free(&j);
}

static void test_demolish(void)
{
	char call[128];
	snprintf(call, sizeof call, "{\"improvementID\":%d,\"sourceObjID\":%d}", IMP_HERE, W);
	struct job j = world_job(&step_demolish, W, json_pack("{s:s,s:i}", "op", "demolish",
							      "improvement", IMP_NEW));
	check_already(&j, W, "not there");
	job_free(&j);

	j = world_job(&step_demolish, W, json_pack("{s:s,s:s}", "op", "demolish",
						   "improvement", "core.orbitalDockImprovement"));
	check_send(&j, W, "destroyImprovement", call, "demolish");
	put_traits(IMP_HERE, NULL);
	check_found_conclusive(&j, "demolish");
	restore_world(W);
	job_free(&j);

	j = world_job(&step_demolish, W, json_pack("{s:s,s:i}", "op", "demolish",
						   "improvement", LAM));
	check_refused(&j, "is not an improvement");
	job_free(&j);
}

static void test_industry(void)
{
	char call[128];
	snprintf(call, sizeof call, "{\"allocValue\":60,\"industryID\":%d,\"objID\":%d}", IND, W);
	/* 10 is what the trait shows (to a tenth) */
	struct job j = world_job(&step_industry, W,
				 json_pack("{s:s,s:s,s:f}", "op", "industry", "industry",
					   "core.medicalIndustry", "percent", 10.04));
	check_already(&j, W, "already has this share");
	job_free(&j);

	j = world_job(&step_industry, W, json_pack("{s:s,s:i,s:i}", "op", "industry",
						   "industry", IND, "percent", 60));
	check_send(&j, W, "setIndustryAlloc", call, "industry");
	/* the share it has now is not the target */
	put_trait_field(IND, "allocation", json_real(60.0));
	struct outcome o = {0};
	next_watch();
	run(&j, NULL, 0, &o);
	CHECK(is_call(&o, "setIndustryAlloc", call));
	CHECK_EQ_INT(reconciled(j.id, "industry"), 0);
	put_trait_field(IND, "targetAllocation", json_real(60.0));
	check_found_conclusive(&j, "industry");
	restore_world(W);
	job_free(&j);

	/* an improvement with allocations takes a share too */
	snprintf(call, sizeof call, "{\"allocValue\":5,\"industryID\":%d,\"objID\":%d}",
		 IMP_ALLOC, W);
	j = world_job(&step_industry, W, json_pack("{s:s,s:i,s:i}", "op", "industry",
						   "industry", IMP_ALLOC, "percent", 5));
	run(&j, NULL, 0, &o);
	CHECK(is_call(&o, "setIndustryAlloc", call));
	job_free(&j);

	j = world_job(&step_industry, W, json_pack("{s:s,s:i,s:i}", "op", "industry",
						   "industry", DES_HERE, "percent", 5));
	check_refused(&j, "industry: catalogue entry 169 (core.citadelDesignation) is not an industry");
	job_free(&j);
	outcome_clear(&o);
}

static void test_products(void)
{
	/* industry 168 on W builds 102 at 100, 170, 167 and 159 at 0 */
	char call[160];
	snprintf(call, sizeof call,
		 "{\"alloc\":[170,30,167,10],\"industryID\":168,\"objID\":%d}", W);
	struct job j = world_job(&step_products, W,
				 json_pack("{s:s,s:s,s:[i,i]}", "op", "products", "industry",
					   "core.starshipYardsIndustry", "alloc", 102, 100));
	check_already(&j, W, "already builds these shares");
	job_free(&j);
	/* named shares as the game scales them: 30:10 is 75:25 */
	j = world_job(&step_products, W, json_pack("{s:s,s:i,s:[i,i,i,i]}", "op", "products",
						   "industry", 168, "alloc", 170, 30, 167, 10));
	check_send(&j, W, "setProductAlloc", call, "products");
	/* not yet: 102 still built */
	put_trait_field(168, "buildData",
			json_pack("[i,f,n,i,f,n,i,f,n,i,f,n]", 102, 10.0, 170, 67.5, 167, 22.5,
				  159, 0.0));
	struct outcome o = {0};
	next_watch();
	run(&j, NULL, 0, &o);
	CHECK(is_call(&o, "setProductAlloc", call));
	CHECK_EQ_INT(reconciled(j.id, "products"), 0);
	/* rounding's remainder on the largest: within half a point */
	put_trait_field(168, "buildData",
			json_pack("[i,f,n,i,f,n,i,f,n,i,f,n]", 102, -0.0, 170, 75.4, 167, 24.6,
				  159, 0.0));
	check_found_conclusive(&j, "products");
	restore_world(W);
	job_free(&j);

	j = world_job(&step_products, W, json_pack("{s:s,s:i,s:[i,i]}", "op", "products",
						   "industry", IMP_NEW + 237000, "alloc", 170, 1));
	check_refused(&j, "industry: no catalogue entry 237137 is known");
	job_free(&j);
	outcome_clear(&o);
}

/* W's and W_FROM's routes with each other: W imports `imports` (stolen,
 * NULL: none) from W_FROM; W_FROM lists the return. */
static void put_route(json_t *imports, json_t *exports)
{
	json_t *mine = json_pack("{s:i}", "partnerObjID", W_FROM);
	if (imports)
		json_object_set_new(mine, "imports", imports);
	put_world(W, "tradeRoutes", json_pack("[o]", mine));
	json_t *theirs = json_deep_copy(json_object_get(excerpt_object(W_FROM), "tradeRoutes"));
	json_t *back = json_pack("{s:i,s:s}", "partnerObjID", W, "return", "true");
	if (exports)
		json_object_set_new(back, "exports", exports);
	json_array_append_new(theirs, back);
	put_world(W_FROM, "tradeRoutes", theirs);
}

static void restore_routes(void)
{
	restore_world(W);
	restore_world(W_FROM);
}

static void test_trade_route(void)
{
	char call[192];
	struct outcome o = {0};
	/* default: both sides list the route */
	snprintf(call, sizeof call,
		 "{\"allocType\":\"addDefaultRoute\",\"objID\":%d,\"sourceObjID\":%d}", W, W_FROM);
	struct job j = world_job(&step_trade_route, W,
				 json_pack("{s:s,s:i,s:s}", "op", "trade_route", "from", W_FROM,
					   "kind", "default"));
	check_send(&j, W, "setTradeRoute", call, "trade_route");
	/* one side only is not the route */
	put_world(W, "tradeRoutes", json_pack("[{s:i}]", "partnerObjID", W_FROM));
	next_watch();
	run(&j, NULL, 0, &o);
	CHECK(is_call(&o, "setTradeRoute", call));
	CHECK_EQ_INT(reconciled(j.id, "trade_route"), 0);
	put_route(NULL, NULL);
	check_found_conclusive(&j, "trade_route");
	job_free(&j);
	j = world_job(&step_trade_route, W, json_pack("{s:s,s:i,s:s}", "op", "trade_route",
						      "from", W_FROM, "kind", "export"));
	check_already(&j, W, "already so");
	job_free(&j);

	/* consumption: W's imports of the resource at the value */
	snprintf(call, sizeof call,
		 "{\"allocType\":\"consumption\",\"allocValue\":50,\"objID\":%d,\"resType\":90,"
		 "\"sourceObjID\":%d}", W, W_FROM);
	j = world_job(&step_trade_route, W,
		      json_pack("{s:s,s:i,s:s,s:i,s:i}", "op", "trade_route", "from", W_FROM,
				"kind", "consumption", "resource", 90, "value", 50));
	check_send(&j, W, "setTradeRoute", call, "trade_route");
	put_route(json_pack("[i,f,i,n]", 90, 50.0, 3000), NULL);
	check_found_conclusive(&j, "trade_route");
	job_free(&j);

	/* quota: the exporter's exports */
	snprintf(call, sizeof call,
		 "{\"allocType\":\"setExportQuota\",\"allocValue\":25.5,\"objID\":%d,"
		 "\"resType\":188,\"sourceObjID\":%d}", W, W_FROM);
	j = world_job(&step_trade_route, W,
		      json_pack("{s:s,s:i,s:s,s:i,s:f}", "op", "trade_route", "from", W_FROM,
				"kind", "quota", "resource", 188, "value", 25.5));
	check_send(&j, W, "setTradeRoute", call, "trade_route");
	put_route(json_pack("[i,f,i,n]", 188, 25.5, 3000), NULL); /* W's imports: not it */
	next_watch();
	run(&j, NULL, 0, &o);
	CHECK(is_call(&o, "setTradeRoute", call));
	put_route(NULL, json_pack("[i,f,i,n]", 188, 25.5, 3000));
	check_found_conclusive(&j, "trade_route");
	job_free(&j);
	restore_routes();

	/* tech: the mirror keeps no tech level, so it is never found: sent
	 * again once a fresher watch is in (it sets the same level) */
	snprintf(call, sizeof call,
		 "{\"allocType\":\"tech\",\"allocValue\":7,\"objID\":%d,\"sourceObjID\":%d}", W,
		 W_FROM);
	j = world_job(&step_trade_route, W,
		      json_pack("{s:s,s:i,s:s,s:i}", "op", "trade_route", "from", W_FROM,
				"kind", "tech", "value", 7));
	check_send(&j, W, "setTradeRoute", call, "trade_route");
	job_free(&j);
	outcome_clear(&o);
}

/* A consumption share of 0 shows in the game's shape as an entry at -0.0
 * (W_ROUTES imports 188 at -0.0 from W_ROUTES_FROM in the excerpt). */
static void test_trade_route_zero(void)
{
	struct job j = world_job(&step_trade_route, W_ROUTES,
				 json_pack("{s:s,s:i,s:s,s:i,s:i}", "op", "trade_route", "from",
					   W_ROUTES_FROM, "kind", "consumption", "resource", 188,
					   "value", 0));
	check_already(&j, W_ROUTES, "already so");
	job_free(&j);
}

static void test_stop_trade_route(void)
{
	char call[128];
	snprintf(call, sizeof call, "{\"objID\":%d,\"sourceObjID\":%d}", W, W_FROM);
	struct job j = world_job(&step_stop_trade_route, W,
				 json_pack("{s:s,s:i}", "op", "stop_trade_route", "with", W_FROM));
	check_already(&j, W, "no trade route");
	job_free(&j);

	put_route(NULL, NULL);
	j = world_job(&step_stop_trade_route, W,
		      json_pack("{s:s,s:i}", "op", "stop_trade_route", "with", W_FROM));
	check_send(&j, W, "stopTradeRoute", call, "stop_trade_route");
	/* one side still listing it is not stopped */
	restore_world(W);
	struct outcome o = {0};
	next_watch();
	run(&j, NULL, 0, &o);
	CHECK(is_call(&o, "stopTradeRoute", call));
	CHECK_EQ_INT(reconciled(j.id, "stop_trade_route"), 0);
	restore_routes();
	check_found_conclusive(&j, "stop_trade_route");
	job_free(&j);
	outcome_clear(&o);
}

static void test_launch_lams(void)
{
	char call[96];
	snprintf(call, sizeof call, "{\"objID\":%d,\"targetObjID\":%d}", W, TARGET);
	struct job j = world_job(&step_launch_lams, W,
				 json_pack("{s:s,s:i}", "op", "launch_lams", "target", TARGET));
	check_send(&j, W, "launchLAMs", call, "launch_lams");
	/* before: W's missiles only */
	json_t *before = json_object_get(j.data, "before");
	CHECK_EQ_INT(json_array_size(before), 2);
	CHECK_EQ_INT(json_integer_value(json_array_get(before, 0)), LAM);
	CHECK_EQ_INT(json_integer_value(json_array_get(before, 1)), 2);
	/* not conclusive: a salvo gone is judged only after a fresher watch */
	json_t *res = json_deep_copy(json_object_get(excerpt_object(W), "resources"));
	CHECK_EQ_INT(json_integer_value(json_array_get(res, 0)), LAM);
	json_array_set_new(res, 1, json_integer(1));
	put_world(W, "resources", res);
	struct outcome o = {0};
	run_twice(&j, NULL, 0, &o);
	CHECK(is_wait_for(&o, WAIT_WATCH, watch_now() + 1, 0));
	CHECK_EQ_INT(reconciled(j.id, "launch_lams"), 0);
	/* a resend is a new intent from what W holds now */
	struct job a = fork_job(&j);
	run_twice(&a, NULL, 1, &o);
	CHECK(is_call(&o, "launchLAMs", call));
	CHECK_EQ_INT(json_integer_value(json_array_get(json_object_get(a.data, "before"), 1)),
		     1);
	job_free(&a);
	next_watch();
	run_twice(&j, NULL, 0, &o);
	CHECK_EQ_INT(o.r.verdict, STEP_DONE);
	CHECK_EQ_INT(reconciled(j.id, "launch_lams"), 1);
	restore_world(W);
	job_free(&j);

	/* a world without missiles: nothing to tell, sent again (the game
	 * refuses it) */
	snprintf(call, sizeof call, "{\"objID\":%d,\"targetObjID\":%d}", W_FROM, TARGET);
	j = world_job(&step_launch_lams, W_FROM,
		      json_pack("{s:s,s:i}", "op", "launch_lams", "target", TARGET));
	check_send(&j, W_FROM, "launchLAMs", call, "launch_lams");
	CHECK_EQ_INT(json_array_size(json_object_get(j.data, "before")), 0);
	job_free(&j);

	j = world_job(&step_launch_lams, W_FOREIGN,
		      json_pack("{s:s,s:i}", "op", "launch_lams", "target", TARGET));
	check_refused(&j, "is not one of your worlds");
	job_free(&j);
	outcome_clear(&o);
}

/* launch_lams' target may be a "$NAME" (jobspec: F_OBJECT, "accepted
 * wherever an id is"): resolved when the step starts, as the engine does
 * (engine.c's resolve_args), never sent as object 0. */
static void test_launch_lams_var(void)
{
	json_t *args = json_pack("{s:s,s:s}", "op", "launch_lams", "target", "$PREY");
	json_t *vars = json_pack("{s:i}", "PREY", TARGET);
	CHECK(step_resolve_needed(args));
	json_t *out = NULL;
	int nothing = 1;
	char err[200] = "";
	CHECK_EQ_INT(step_resolve(args, H.m, 0, vars, &out, &nothing, err, sizeof err), 0);
	CHECK(!nothing);
	CHECK_EQ_INT(json_integer_value(json_object_get(out, "target")), TARGET);
	struct job j = world_job(&step_launch_lams, W, json_incref(args));
	if (out)
		json_object_set_new(j.data, "args", out);
	struct outcome o = {0};
	char call[96];
	snprintf(call, sizeof call, "{\"objID\":%d,\"targetObjID\":%d}", W, TARGET);
	run(&j, NULL, 0, &o);
	CHECK(is_call(&o, "launchLAMs", call));
	job_free(&j);
	/* unbound: the step fails before it acts */
	json_object_clear(vars);
	out = NULL;
	CHECK_EQ_INT(step_resolve(args, H.m, 0, vars, &out, &nothing, err, sizeof err), -1);
	CHECK(strstr(err, "unbound_variable: $PREY"));
	json_decref(out);
	json_decref(vars);
	json_decref(args);
	outcome_clear(&o);
}

int main(void)
{
	char path[512];
	if (fixture_excerpt(path, sizeof path) < 0)
		return 77;
	int ok = setup(path, catalogue()) == 0;
	CHECK(ok);
	if (ok) {
		const struct mirror_world *w = mirror_world(H.m, W);
		CHECK(w && w->designation == DES_HERE && w->nroutes == 0);
		CHECK(mirror_held(H.m, W, LAM) == 2);
		test_catalogue();
		test_world_choice();
		test_designate();
		test_build();
		test_demolish();
		test_industry();
		test_products();
		test_trade_route();
		test_trade_route_zero();
		test_stop_trade_route();
		test_launch_lams();
		test_launch_lams_var();
	}
	teardown();
	return tap_done();
}
