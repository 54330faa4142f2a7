/* steps_fixture.h -- what the step-op tests (test_steps.c, test_world_steps.c)
 * share: a mirror built from the real game answer
 * ($FLEETD_SHARED/fixtures/anacreon/getObjects-excerpt.json, read in place)
 * and moved by hand-written deltas, a real engine, store and event log on a
 * temporary database, and a job driven as engine.c's run_op drives it:
 * its persisted state (sub-state, step_data as text) between runs, each
 * run's verdict, call and flags kept for comparison, and run_twice() for
 * step.h's rule that a re-run at a persisted sub-state is harmless.
 *
 * One test program includes it once: the state (H) and helpers are
 * static. */
#ifndef FLEETD_STEPS_FIXTURE_H
#define FLEETD_STEPS_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "engine.h"
#include "eventlog.h"
#include "fixture.h"
#include "loop.h"
#include "mirror.h"
#include "rng.h"
#include "schema.h"
#include "step.h"
#include "tap.h"

#define PLAYER 3913334
#define T0 1700000000000LL /* the tests' wall clock, ms */

/* Fixture facts used below (see getObjects-excerpt.json). */
#define FLEET_A 4647969 /* at 1175: 170 x1, 122 x403 */
#define FLEET_B 4705106 /* at 583: 170 x1, 144 x1, 122 x3189 */
#define FLEET_C 4725875 /* at 4247 with two other player fleets: 122 x352 */
#define WORLD_A 1175
#define WORLD_B 583
#define WORLD_C 4247    /* the player's, three player fleets there */
#define WORLD_FAR 99

static struct {
	char dir[64], db[128];
	struct loop *loop;
	struct store *st;
	struct eventlog *el;
	struct mirror *m;
	struct engine *eng;
	struct app app;
	double watch;
	int64_t seq;
	int64_t next_job;
	json_t *excerpt; /* the excerpt as read */
} H;

/* --- the galaxy ----------------------------------------------------------- */

static inline void merge(json_t *answer)
{
	char err[128];
	int rc = mirror_merge(H.m, answer, 0, err, sizeof err);
	if (rc != 0)
		fprintf(stderr, "merge: %s\n", err);
	CHECK_EQ_INT(rc, 0);
	json_decref(answer);
}

/* The next watch: everything merged from now on is "fresher". */
static inline void next_watch(void)
{
	H.watch += 1;
	merge(json_pack("[{s:s,s:I,s:f,s:i}]", "class", "update", "sequence",
			(json_int_t)++H.seq, "update", H.watch, "nextUpdateTime", 60000));
}

static const char *fleet_name(int64_t id)
{
	const struct mirror_fleet *f = mirror_fleet(H.m, id);
	return f && f->name ? f->name : "fleet";
}

/* Replace fleet id (the player's): anchored at a world, or under way to
 * dest, holding resources (JSON text of [id, qty, ...]). */
static inline void put_fleet_named(int64_t id, const char *name, int64_t anchor, int64_t dest,
			    const char *res)
{
	const struct mirror_fleet *f = mirror_fleet(H.m, id);
	const struct mirror_world *at = mirror_world(H.m, anchor);
	double x = at ? at->x : f ? f->x : 0, y = at ? at->y : f ? f->y : 0;
	json_t *o = json_pack("{s:s,s:I,s:s,s:I,s:s,s:[f,f],s:o}", "class", "fleet",
			      "id", (json_int_t)id, "name", name, "sovereignID",
			      (json_int_t)PLAYER, "ftlType", "warp", "pos", x, y,
			      "resources", json_loads(res, 0, NULL));
	json_object_set_new(o, "anchorObjID", anchor ? json_integer(anchor) : json_null());
	const struct mirror_world *to = mirror_world(H.m, dest);
	if (to) {
		json_object_set_new(o, "destID", json_integer(dest));
		json_object_set_new(o, "dest", json_pack("[f,f]", to->x, to->y));
		json_object_set_new(o, "eta", json_real(H.watch + 3));
	}
	merge(json_pack("[o]", o));
}

static inline void put_fleet(int64_t id, int64_t anchor, int64_t dest, const char *res)
{
	char name[64];
	snprintf(name, sizeof name, "%s", fleet_name(id));
	put_fleet_named(id, name, anchor, dest, res);
}

static inline void destroy(int64_t id)
{
	merge(json_pack("[{s:s,s:I}]", "class", "destroyedSpaceObject", "id",
			(json_int_t)id));
}


static inline int64_t qty(int64_t fleet, int64_t res)
{
	const struct mirror_fleet *f = mirror_fleet(H.m, fleet);
	return f ? mirror_qty(f->res, f->nres, res) : -1;
}

/* --- a job as the engine keeps it between runs ------------------------------ */

struct job {
	const struct step_op *op;
	int64_t id, fleet;
	int64_t world; /* a world job's world (0: a fleet job) */
	json_t *args;
	json_t *data;
	int sub;
};

/* What one run said, in a form two runs can be compared by. */
struct outcome {
	struct step_result r;
	char *params; /* the call's fields as text, or NULL */
	char *data;   /* step_data after the run */
	int sub;
	int64_t fleet;
};

static inline void outcome_clear(struct outcome *o)
{
	json_decref(o->r.params);
	free(o->params);
	free(o->data);
	memset(o, 0, sizeof *o);
}

static inline struct job job_new(const struct step_op *op, int64_t fleet, json_t *args)
{
	struct job j = {.op = op, .id = H.next_job++, .fleet = fleet, .args = args,
			.data = json_object()};
	return j;
}

static inline void job_free(struct job *j)
{
	json_decref(j->args);
	json_decref(j->data);
}

/* The engine keeps step_data as text in its row: so does the test. */
static inline void persist(struct job *j)
{
	char *text = json_dumps(j->data, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j->data);
	j->data = json_loads(text, 0, NULL);
	free(text);
}

static inline void run_with(struct job *j, int64_t now, const json_t *reply, int resend,
		     struct rng *rng, struct outcome *o)
{
	outcome_clear(o);
	struct step_ctx c = {
		.eng = H.eng, .store = H.st, .m = H.m, .now_ms = now,
		.job_id = j->id, .fleet = j->fleet, .world = j->world, .args = j->args,
		.sub = j->sub,
		.data = j->data, .reply = reply, .resend = resend, .rng = rng,
	};
	j->op->advance(&c, &o->r);
	CHECK(c.sub >= 0 && c.sub < j->op->nstates);
	j->sub = c.sub;
	j->fleet = c.fleet;
	persist(j);
	o->sub = c.sub;
	o->fleet = c.fleet;
	o->data = json_dumps(j->data, JSON_COMPACT | JSON_SORT_KEYS);
	if (o->r.params)
		o->params = json_dumps(o->r.params, JSON_COMPACT | JSON_SORT_KEYS);
}

static inline void run(struct job *j, const json_t *reply, int resend, struct outcome *o)
{
	run_with(j, T0, reply, resend, NULL, o);
}

/* step.h: "may be re-run at any persisted sub-state: re-running it must be
 * harmless".  Run the job's persisted state twice (as after a crash that
 * lost the first run's transaction) and require the same answer. */
static inline void run_twice(struct job *j, const json_t *reply, int resend, struct outcome *o)
{
	int sub = j->sub;
	int64_t fleet = j->fleet;
	json_t *saved = json_deep_copy(j->data);
	struct outcome first = {0};
	run(j, reply, resend, &first);
	json_decref(j->data);
	j->data = saved;
	j->sub = sub;
	j->fleet = fleet;
	run(j, reply, resend, o);
	CHECK_EQ_INT(o->r.verdict, first.r.verdict);
	CHECK_EQ_INT(o->r.until_ms, first.r.until_ms);
	CHECK_EQ_INT(o->r.wait, first.r.wait);
	CHECK_EQ_INT(o->r.key, first.r.key);
	CHECK_EQ_INT(o->r.arg, first.r.arg);
	CHECK_EQ_INT(o->sub, first.sub);
	CHECK_EQ_INT(o->fleet, first.fleet);
	CHECK((o->params == NULL) == (first.params == NULL));
	CHECK(!o->params || !first.params || strcmp(o->params, first.params) == 0);
	CHECK(strcmp(o->data, first.data) == 0);
	outcome_clear(&first);
}

static const char *state(const struct job *j)
{
	return j->op->states[j->sub];
}

static inline int is_call(const struct outcome *o, const char *endpoint, const char *params)
{
	int ok = o->r.verdict == STEP_CALL && o->r.endpoint &&
		 strcmp(o->r.endpoint, endpoint) == 0 && o->params &&
		 strcmp(o->params, params) == 0;
	if (!ok)
		fprintf(stderr, "  expected call %s %s, got verdict %d %s %s (%s)\n",
			endpoint, params, o->r.verdict,
			o->r.endpoint ? o->r.endpoint : "-", o->params ? o->params : "-",
			o->r.msg);
	return ok;
}

static inline int is_wait_for(const struct outcome *o, enum wait_kind kind, int64_t key,
		       int64_t arg)
{
	int ok = o->r.verdict == STEP_WAIT_FOR && o->r.wait == kind && o->r.key == key &&
		 o->r.arg == arg;
	if (!ok)
		fprintf(stderr, "  expected wait %d %lld %lld, got verdict %d wait %d %lld %lld\n",
			kind, (long long)key, (long long)arg, o->r.verdict, o->r.wait,
			(long long)o->r.key, (long long)o->r.arg);
	return ok;
}

static inline int is_error(const struct outcome *o, const char *part)
{
	int ok = o->r.verdict == STEP_ERROR && strstr(o->r.msg, part);
	if (!ok)
		fprintf(stderr, "  expected error '%s', got verdict %d '%s'\n", part,
			o->r.verdict, o->r.msg);
	return ok;
}

static inline int64_t watch_now(void)
{
	return (int64_t)H.watch;
}

/* --- events ----------------------------------------------------------------- */

/* How many events of this type the job has, and the data of the last. */
static inline int events_of(int64_t job, const char *type, json_t **last)
{
	json_t *all = eventlog_read(H.el, 0, job, 1000);
	int n = 0;
	size_t i;
	json_t *e;
	if (last)
		*last = NULL;
	json_array_foreach(all, i, e) {
		if (strcmp(json_string_value(json_object_get(e, "type")), type))
			continue;
		n++;
		if (last) {
			json_decref(*last);
			*last = json_incref(json_object_get(e, "data"));
		}
	}
	json_decref(all);
	return n;
}

/* The last job.reconciled of the job: effect_found, or -1 if none. */
static inline int reconciled(int64_t job, const char *op)
{
	json_t *d;
	if (events_of(job, "job.reconciled", &d) == 0)
		return -1;
	CHECK(strcmp(json_string_value(json_object_get(d, "op")), op) == 0);
	int found = json_is_true(json_object_get(d, "effect_found"));
	json_decref(d);
	return found;
}

/* A live job of the engine's (queued for an hour) that leases fleet and,
 * when world is not 0, holds world's intent lock as a job in SENT does. */
static inline int64_t other_job(int64_t fleet, int64_t world)
{
	json_t *spec = json_pack("{s:i,s:[{s:s,s:i}]}", "delay_seconds", 3600, "steps",
				 "op", "wait", "seconds", 1);
	if (fleet)
		json_object_set_new(spec, "fleet", json_integer(fleet));
	int64_t holder = 0;
	int64_t id = engine_submit(H.eng, spec, NULL, &holder);
	json_decref(spec);
	CHECK(id > 0);
	if (world) {
		char sql[128];
		snprintf(sql, sizeof sql, "UPDATE jobs SET intent_world = %lld WHERE id = %lld",
			 (long long)world, (long long)id);
		CHECK_EQ_INT(store_exec(H.st, sql), 0);
	}
	return id;
}

static inline void end_other_job(int64_t id)
{
	char err[128];
	CHECK_EQ_INT(engine_control(H.eng, id, CTL_CANCEL, err, sizeof err), 0);
}

/* --- the ops ------------------------------------------------------------------ */

/* The intent lock: a world held by another live job makes the op wait
 * 200-500 ms (drawn from the context's stream, or a local one). */
static inline void check_lock(struct job *j, int64_t world)
{
	struct outcome o = {0};
	int64_t other = other_job(0, world);
	struct rng g;
	rng_seed(&g, 7);
	for (int i = 0; i < 20; i++) {
		run_with(j, T0 + i, NULL, 0, i % 2 ? &g : NULL, &o);
		CHECK_EQ_INT(o.r.verdict, STEP_WAIT_UNTIL);
		CHECK(o.r.until_ms >= T0 + i + INTENT_LOCK_POLL_MIN_MS &&
		      o.r.until_ms <= T0 + i + INTENT_LOCK_POLL_MAX_MS);
		CHECK(strcmp(state(j), "START") == 0);
	}
	end_other_job(other);
	outcome_clear(&o);
}

/* --- set-up ---------------------------------------------------------------------- */

/* The excerpt's object `id` as read (borrowed), or NULL. */
static inline json_t *excerpt_object(int64_t id)
{
	size_t i;
	json_t *o;
	json_array_foreach(H.excerpt, i, o) {
		if (json_integer_value(json_object_get(o, "id")) == id)
			return o;
	}
	return NULL;
}

/* scenarioInfo: the catalogue getGameInfo would give (stolen); the
 * excerpt is getObjects only. */
static inline int setup(const char *excerpt, json_t *scenario)
{
	snprintf(H.dir, sizeof H.dir, "/tmp/test_steps.XXXXXX");
	if (!mkdtemp(H.dir))
		return -1;
	snprintf(H.db, sizeof H.db, "%s/fleetd.db", H.dir);
	char err[256];
	H.loop = loop_new();
	H.st = store_open(H.db, err, sizeof err);
	if (!H.loop || !H.st) {
		fprintf(stderr, "setup: %s\n", H.st ? "no loop" : err);
		return -1;
	}
	H.el = eventlog_new(H.st);
	H.m = mirror_new();
	H.app = (struct app){.loop = H.loop, .store = H.st, .eventlog = H.el, .mirror = H.m};
	H.eng = H.el && H.m ? engine_new(&H.app) : NULL;
	if (!H.eng) {
		json_decref(scenario);
		return -1;
	}
	json_t *info = json_pack("{s:{s:i},s:o}", "userInfo", "sovereignID", PLAYER,
				 "scenarioInfo", scenario);
	int rc = mirror_set_game_info(H.m, info, err, sizeof err);
	json_decref(info);
	json_error_t je;
	H.excerpt = json_load_file(excerpt, 0, &je);
	if (rc < 0 || !H.excerpt || mirror_merge(H.m, H.excerpt, 1, err, sizeof err) < 0)
		return -1;
	H.watch = mirror_watch(H.m);
	H.seq = mirror_sequence_value(H.m);
	H.next_job = 1000;
	return store_begin(H.st);
}

static inline void teardown(void)
{
	/* commit while the engine lives: it is told of the commit (as in
	 * fleetd_main.c's shutdown) */
	if (H.st && store_in_tx(H.st))
		store_commit(H.st);
	engine_free(H.eng);
	mirror_free(H.m);
	json_decref(H.excerpt);
	eventlog_free(H.el);
	store_close(H.st);
	loop_free(H.loop);
	char p[160];
	const char *suffix[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s%s", H.db, suffix[i]);
		unlink(p);
	}
	rmdir(H.dir);
}

#endif
