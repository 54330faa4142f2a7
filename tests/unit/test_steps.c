/* test_steps.c -- every step op driven through its sub-states against a
 * mirror built from the real game answer
 * ($FLEETD_SHARED/fixtures/anacreon/getObjects-excerpt.json, read in place;
 * SKIP when absent), then moved by hand-written deltas: fleets that leave,
 * arrive, change cargo or vanish, battles that start and end, new watches.
 *
 * No network and no loop turns: each op's advance() is called as the engine
 * calls it (engine.c's run_op), with a real engine, store and event log
 * behind the context (a temporary database), because the ops write events,
 * read the lease and take the intent lock through them.  Checked: each
 * verdict (done, wait until, wait for, call, error), the call each op asks
 * for, the events it writes (job.reconciled, job.fleet, job.unclaimed,
 * job.note), and step.h's rule that a re-run at a persisted sub-state is
 * harmless: the same persisted state run twice gives the same answer, and
 * an action whose effect is in the galaxy is never asked for again. */
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
	json_t *excerpt; /* the objects as loaded, for set_world_qty */
} H;

/* --- the galaxy ----------------------------------------------------------- */

static void merge(json_t *answer)
{
	char err[128];
	int rc = mirror_merge(H.m, answer, 0, err, sizeof err);
	if (rc != 0)
		fprintf(stderr, "merge: %s\n", err);
	CHECK_EQ_INT(rc, 0);
	json_decref(answer);
}

/* The next watch: everything merged from now on is "fresher". */
static void next_watch(void)
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
static void put_fleet_named(int64_t id, const char *name, int64_t anchor, int64_t dest,
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

static void put_fleet(int64_t id, int64_t anchor, int64_t dest, const char *res)
{
	char name[64];
	snprintf(name, sizeof name, "%s", fleet_name(id));
	put_fleet_named(id, name, anchor, dest, res);
}

static void destroy(int64_t id)
{
	merge(json_pack("[{s:s,s:I}]", "class", "destroyedSpaceObject", "id",
			(json_int_t)id));
}

/* World id's stock of res becomes q: the world as the excerpt has it, with
 * the quantities the mirror holds now but that one. */
static void set_world_qty(int64_t id, int64_t res, int64_t q)
{
	const struct mirror_world *w = mirror_world(H.m, id);
	json_t *o = NULL, *v;
	size_t i;
	json_array_foreach(H.excerpt, i, v) {
		const char *cls = json_string_value(json_object_get(v, "class"));
		if (cls && strcmp(cls, "world") == 0 &&
		    json_integer_value(json_object_get(v, "id")) == id)
			o = json_deep_copy(v);
	}
	CHECK(w && o);
	if (!w || !o) {
		json_decref(o);
		return;
	}
	json_t *list = json_array();
	int set = 0;
	for (i = 0; i < w->nres; i++) {
		int64_t r = w->res[2 * i], n = r == res ? q : w->res[2 * i + 1];
		set |= r == res;
		json_array_append_new(list, json_integer(r));
		json_array_append_new(list, json_integer(n));
	}
	if (!set) {
		json_array_append_new(list, json_integer(res));
		json_array_append_new(list, json_integer(q));
	}
	json_object_set_new(o, "resources", list);
	merge(json_pack("[o]", o));
}

static int64_t world_qty(int64_t world, int64_t res)
{
	const struct mirror_world *w = mirror_world(H.m, world);
	return w ? mirror_qty(w->res, w->nres, res) : -1;
}

static void battle(int64_t world, int on)
{
	merge(json_pack("[{s:s,s:I,s:o}]", "class", "battlePlan", "id", (json_int_t)world,
			"battlePlan", on ? json_pack("{s:s}", "objective", "invasion")
					 : json_null()));
}

static int64_t qty(int64_t fleet, int64_t res)
{
	const struct mirror_fleet *f = mirror_fleet(H.m, fleet);
	return f ? mirror_qty(f->res, f->nres, res) : -1;
}

/* --- a job as the engine keeps it between runs ------------------------------ */

struct job {
	const struct step_op *op;
	int64_t id, fleet;
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

static void outcome_clear(struct outcome *o)
{
	json_decref(o->r.params);
	free(o->params);
	free(o->data);
	memset(o, 0, sizeof *o);
}

static struct job job_new(const struct step_op *op, int64_t fleet, json_t *args)
{
	struct job j = {.op = op, .id = H.next_job++, .fleet = fleet, .args = args,
			.data = json_object()};
	return j;
}

static void job_free(struct job *j)
{
	json_decref(j->args);
	json_decref(j->data);
}

/* The engine keeps step_data as text in its row: so does the test. */
static void persist(struct job *j)
{
	char *text = json_dumps(j->data, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j->data);
	j->data = json_loads(text, 0, NULL);
	free(text);
}

static void run_with(struct job *j, int64_t now, const json_t *reply, int resend,
		     struct rng *rng, struct outcome *o)
{
	outcome_clear(o);
	struct step_ctx c = {
		.eng = H.eng, .store = H.st, .m = H.m, .now_ms = now,
		.job_id = j->id, .fleet = j->fleet, .args = j->args, .sub = j->sub,
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

static void run(struct job *j, const json_t *reply, int resend, struct outcome *o)
{
	run_with(j, T0, reply, resend, NULL, o);
}

/* step.h: "may be re-run at any persisted sub-state: re-running it must be
 * harmless".  Run the job's persisted state twice (as after a crash that
 * lost the first run's transaction) and require the same answer. */
static void run_twice(struct job *j, const json_t *reply, int resend, struct outcome *o)
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

static int is_call(const struct outcome *o, const char *endpoint, const char *params)
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

static int is_wait_for(const struct outcome *o, enum wait_kind kind, int64_t key,
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

static int is_error(const struct outcome *o, const char *part)
{
	int ok = o->r.verdict == STEP_ERROR && strstr(o->r.msg, part);
	if (!ok)
		fprintf(stderr, "  expected error '%s', got verdict %d '%s'\n", part,
			o->r.verdict, o->r.msg);
	return ok;
}

static int64_t watch_now(void)
{
	return (int64_t)H.watch;
}

/* --- events ----------------------------------------------------------------- */

/* How many events of this type the job has, and the data of the last. */
static int events_of(int64_t job, const char *type, json_t **last)
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
static int reconciled(int64_t job, const char *op)
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
static int64_t other_job(int64_t fleet, int64_t world)
{
	json_t *spec = json_pack("{s:i,s:[{s:s,s:i}]}", "delay_seconds", 3600, "steps",
				 "op", "wait", "seconds", 1);
	if (fleet)
		json_object_set_new(spec, "fleet", json_integer(fleet));
	int64_t holder = 0;
	int64_t id = engine_submit(H.eng, spec, NULL, NULL, &holder);
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

static void end_other_job(int64_t id)
{
	char err[128];
	CHECK_EQ_INT(engine_control(H.eng, id, CTL_CANCEL, err, sizeof err), 0);
}

/* --- the ops ------------------------------------------------------------------ */

static void test_wait(void)
{
	struct outcome o = {0};
	struct job j = job_new(&step_wait, 0, json_pack("{s:s,s:i}", "op", "wait", "seconds", 30));
	run_with(&j, T0, NULL, 0, NULL, &o);
	CHECK(o.r.verdict == STEP_WAIT_UNTIL && o.r.until_ms == T0 + 30000);
	CHECK(strcmp(state(&j), "WAITING") == 0);
	/* a restart 10 s later keeps the deadline */
	run_with(&j, T0 + 10000, NULL, 0, NULL, &o);
	CHECK(o.r.verdict == STEP_WAIT_UNTIL && o.r.until_ms == T0 + 30000);
	run_with(&j, T0 + 30000, NULL, 0, NULL, &o);
	CHECK_EQ_INT(o.r.verdict, STEP_DONE);
	job_free(&j);

	j = job_new(&step_wait, 0, json_pack("{s:s,s:i}", "op", "wait", "watches", 2));
	int64_t until = watch_now() + 2;
	run(&j, NULL, 0, &o);
	CHECK(is_wait_for(&o, WAIT_WATCH, until, 0));
	next_watch();
	run_twice(&j, NULL, 0, &o);
	CHECK(is_wait_for(&o, WAIT_WATCH, until, 0));
	next_watch();
	run(&j, NULL, 0, &o);
	CHECK_EQ_INT(o.r.verdict, STEP_DONE);
	job_free(&j);
	outcome_clear(&o);
}

static void test_move(void)
{
	struct outcome o = {0};
	char call[96];
	snprintf(call, sizeof call, "{\"dest\":%d,\"objID\":%d}", WORLD_B, FLEET_A);
	/* already there: done without a call */
	struct job j = job_new(&step_move, FLEET_A, json_pack("{s:s,s:i}", "op", "move", "to", WORLD_A));
	run(&j, NULL, 0, &o);
	CHECK_EQ_INT(o.r.verdict, STEP_DONE);
	job_free(&j);

	j = job_new(&step_move, FLEET_A, json_pack("{s:s,s:i}", "op", "move", "to", WORLD_B));
	run(&j, NULL, 0, &o);
	CHECK(is_call(&o, "setDestination", call));
	CHECK(o.r.flags & CALL_IDEMPOTENT);
	CHECK(strcmp(state(&j), "SENT") == 0);
	/* SENT, no answer and the fleet has not moved: sent again (idempotent) */
	run_twice(&j, NULL, 0, &o);
	CHECK(is_call(&o, "setDestination", call));
	/* SENT, resend after a transient fault */
	run(&j, NULL, 1, &o);
	CHECK(is_call(&o, "setDestination", call));
	/* SENT, answered: travelling, woken by the fleet */
	json_t *reply = json_array();
	put_fleet(FLEET_A, 0, WORLD_B, "[170,1,122,403]");
	run(&j, reply, 0, &o);
	CHECK(is_wait_for(&o, WAIT_ANCHORED, FLEET_A, WORLD_B));
	CHECK(strcmp(state(&j), "TRAVELLING") == 0);
	run_twice(&j, NULL, 0, &o);
	CHECK(is_wait_for(&o, WAIT_ANCHORED, FLEET_A, WORLD_B));
	/* stopped elsewhere: the order is given again, three times at most */
	for (int i = 1; i <= 3; i++) {
		put_fleet(FLEET_A, WORLD_FAR, 0, "[170,1,122,403]");
		run(&j, NULL, 0, &o);
		CHECK(is_call(&o, "setDestination", call));
		CHECK_EQ_INT(json_integer_value(json_object_get(j.data, "resends")), i);
		put_fleet(FLEET_A, 0, WORLD_B, "[170,1,122,403]");
		run(&j, reply, 0, &o);
		CHECK(is_wait_for(&o, WAIT_ANCHORED, FLEET_A, WORLD_B));
	}
	put_fleet(FLEET_A, WORLD_FAR, 0, "[170,1,122,403]");
	run(&j, NULL, 0, &o);
	CHECK(is_error(&o, "does not head for world"));
	/* SENT without an answer but the fleet under way: travelling */
	json_object_clear(j.data);
	j.sub = 1;
	put_fleet(FLEET_A, 0, WORLD_B, "[170,1,122,403]");
	run(&j, NULL, 0, &o);
	CHECK(is_wait_for(&o, WAIT_ANCHORED, FLEET_A, WORLD_B));
	/* arrived */
	put_fleet(FLEET_A, WORLD_B, 0, "[170,1,122,403]");
	run_twice(&j, NULL, 0, &o);
	CHECK_EQ_INT(o.r.verdict, STEP_DONE);
	put_fleet(FLEET_A, WORLD_A, 0, "[170,1,122,403]");
	job_free(&j);

	/* a fleet that no longer exists */
	j = job_new(&step_move, 42, json_pack("{s:s,s:i}", "op", "move", "to", WORLD_B));
	run(&j, NULL, 0, &o);
	CHECK(is_error(&o, "fleet 42 no longer exists"));
	job_free(&j);
	json_decref(reply);
	outcome_clear(&o);
}

/* The world an explorer at `at` picks first (nearest, not `but`). */
static int64_t nearest_world(int64_t at, int64_t but, double radius)
{
	const struct mirror_world *w0 = mirror_world(H.m, at);
	int64_t best = 0;
	double best_d = 1e300;
	for (size_t i = 0; i < mirror_world_count(H.m); i++) {
		const struct mirror_world *w = mirror_world_at(H.m, i);
		double d = (w->x - w0->x) * (w->x - w0->x) + (w->y - w0->y) * (w->y - w0->y);
		if (w->id == at || w->id == but || d > radius * radius)
			continue;
		if (d < best_d) {
			best_d = d;
			best = w->id;
		}
	}
	return best;
}

static void test_explore(void)
{
	struct outcome o = {0};
	char call[96];
	json_t *reply = json_array();
	int64_t first = nearest_world(WORLD_B, 0, 1e9);
	int64_t second = nearest_world(WORLD_B, first, 1e9);
	CHECK(first && second && first != second);

	/* START claims the world it stands at, PICK the nearest */
	struct job j = job_new(&step_explore, FLEET_B,
			       json_pack("{s:s,s:s,s:i}", "op", "explore", "group", "scouts", "max", 2));
	run(&j, NULL, 0, &o);
	snprintf(call, sizeof call, "{\"dest\":%lld,\"objID\":%d}", (long long)first, FLEET_B);
	CHECK(is_call(&o, "setDestination", call));
	CHECK(o.r.flags & CALL_IDEMPOTENT);
	CHECK(strcmp(state(&j), "SENT") == 0);
	CHECK_EQ_INT(json_integer_value(json_object_get(j.data, "target")), first);
	CHECK_EQ_INT(json_integer_value(json_object_get(j.data, "n")), 1);
	/* SENT again without an answer: the same order (not a new pick) */
	run_twice(&j, NULL, 0, &o);
	CHECK(is_call(&o, "setDestination", call));
	run(&j, NULL, 1, &o);
	CHECK(is_call(&o, "setDestination", call));

	/* a second scout of the group skips the claimed world */
	struct job k = job_new(&step_explore, FLEET_A,
			       json_pack("{s:s,s:s,s:i}", "op", "explore", "group", "scouts", "max", 1));
	put_fleet(FLEET_A, WORLD_B, 0, "[170,1,122,403]");
	run(&k, NULL, 0, &o);
	snprintf(call, sizeof call, "{\"dest\":%lld,\"objID\":%d}", (long long)second, FLEET_A);
	CHECK(is_call(&o, "setDestination", call));
	/* ... and gives its claim back when it leaves the step under way */
	put_fleet(FLEET_A, 0, second, "[170,1,122,403]");
	struct step_ctx c = {.eng = H.eng, .store = H.st, .m = H.m, .now_ms = T0,
			     .job_id = k.id, .fleet = k.fleet, .args = k.args,
			     .sub = k.sub, .data = k.data};
	step_explore.abandon(&c);
	json_t *d;
	CHECK_EQ_INT(events_of(k.id, "job.unclaimed", &d), 1);
	CHECK(d && json_integer_value(json_object_get(d, "world")) == second &&
	      strcmp(json_string_value(json_object_get(d, "group")), "group:scouts") == 0);
	json_decref(d);
	put_fleet(FLEET_A, WORLD_A, 0, "[170,1,122,403]");
	job_free(&k);

	/* answered, under way: travelling */
	put_fleet(FLEET_B, 0, first, "[170,1,144,1,122,3189]");
	run(&j, reply, 0, &o);
	CHECK(is_wait_for(&o, WAIT_ANCHORED, FLEET_B, first));
	CHECK(strcmp(state(&j), "TRAVELLING") == 0);
	run_twice(&j, NULL, 0, &o);
	CHECK(is_wait_for(&o, WAIT_ANCHORED, FLEET_B, first));
	/* stopped short: the order again, three times at most */
	for (int i = 1; i <= 3; i++) {
		put_fleet(FLEET_B, WORLD_FAR, 0, "[170,1,144,1,122,3189]");
		run(&j, NULL, 0, &o);
		CHECK_EQ_INT(o.r.verdict, STEP_CALL);
		CHECK_EQ_INT(json_integer_value(json_object_get(j.data, "resends")), i);
		put_fleet(FLEET_B, 0, first, "[170,1,144,1,122,3189]");
		run(&j, reply, 0, &o);
	}
	put_fleet(FLEET_B, WORLD_FAR, 0, "[170,1,144,1,122,3189]");
	struct job lost = j;
	lost.data = json_deep_copy(j.data);
	lost.args = json_incref(j.args);
	run(&lost, NULL, 0, &o);
	CHECK(is_error(&o, "does not head for world"));
	job_free(&lost);
	json_object_del(j.data, "resends");

	/* arrived: the next pick (the second scout gave `second` back) */
	put_fleet(FLEET_B, first, 0, "[170,1,144,1,122,3189]");
	run(&j, NULL, 0, &o);
	int64_t next = json_integer_value(json_object_get(j.data, "target"));
	CHECK(o.r.verdict == STEP_CALL && next != first && next != WORLD_B);
	CHECK_EQ_INT(json_integer_value(json_object_get(j.data, "n")), 2);
	/* abandoned once it stands at its target: the claim stays */
	put_fleet(FLEET_B, next, 0, "[170,1,144,1,122,3189]");
	c = (struct step_ctx){.eng = H.eng, .store = H.st, .m = H.m, .now_ms = T0,
			      .job_id = j.id, .fleet = j.fleet, .args = j.args,
			      .sub = j.sub, .data = j.data};
	step_explore.abandon(&c);
	CHECK_EQ_INT(events_of(j.id, "job.unclaimed", NULL), 0);
	/* arrived with max reached: done */
	run(&j, reply, 0, &o);
	CHECK_EQ_INT(o.r.verdict, STEP_DONE);
	job_free(&j);

	/* nothing within the radius: done at once */
	j = job_new(&step_explore, FLEET_B,
		    json_pack("{s:s,s:f}", "op", "explore", "radius", 0.5));
	run(&j, NULL, 0, &o);
	CHECK_EQ_INT(o.r.verdict, STEP_DONE);
	job_free(&j);
	put_fleet(FLEET_B, WORLD_B, 0, "[170,1,144,1,122,3189]");
	json_decref(reply);
	outcome_clear(&o);
}

static void test_attack(void)
{
	struct outcome o = {0};
	json_t *reply = json_array();
	const char *call = "{\"attackerObjID\":4647969,\"battlePlan\":{\"battleFieldID\":1175,\"enemySovereignIDs\":"
			   "[4833679],\"objective\":\"invasion\"}}";
	json_t *args = json_pack("{s:s,s:s,s:[i]}", "op", "attack", "objective", "invasion",
				 "enemies", 4833679);
	/* under way: not anchored */
	put_fleet(FLEET_A, 0, WORLD_B, "[170,1,122,403]");
	struct job j = job_new(&step_attack, FLEET_A, json_incref(args));
	run(&j, NULL, 0, &o);
	CHECK(is_error(&o, "is not anchored"));
	job_free(&j);
	put_fleet(FLEET_A, WORLD_A, 0, "[170,1,122,403]");

	j = job_new(&step_attack, FLEET_A, json_incref(args));
	run(&j, NULL, 0, &o);
	CHECK(is_call(&o, "attack", call));
	CHECK(!(o.r.flags & CALL_IDEMPOTENT));
	CHECK(strcmp(state(&j), "SENT") == 0);
	/* SENT without an answer and no battle: judged only once a fresher
	 * watch is in; nothing changed there: order it again */
	run_twice(&j, NULL, 0, &o);
	CHECK(is_wait_for(&o, WAIT_WATCH, watch_now() + 1, 0));
	next_watch();
	run_twice(&j, NULL, 0, &o);
	CHECK(is_call(&o, "attack", call));
	run(&j, NULL, 1, &o);
	CHECK(is_call(&o, "attack", call));
	/* SENT without an answer, a battle on: the order took */
	battle(WORLD_A, 1);
	run_twice(&j, NULL, 0, &o);
	CHECK(is_wait_for(&o, WAIT_BATTLE, WORLD_A, 0));
	CHECK(strcmp(state(&j), "FIGHTING") == 0);
	battle(WORLD_A, 0);
	run_twice(&j, NULL, 0, &o);
	CHECK_EQ_INT(o.r.verdict, STEP_DONE);
	job_free(&j);

	/* without an answer, no battle on, but the fleet lost ships: the
	 * order took and its battle is over (issue 14.1) -- done, not ordered
	 * again */
	j = job_new(&step_attack, FLEET_A, json_incref(args));
	run(&j, NULL, 0, &o);
	CHECK(is_call(&o, "attack", call));
	put_fleet(FLEET_A, WORLD_A, 0, "[170,1,122,390]");
	next_watch();
	run_twice(&j, NULL, 0, &o);
	CHECK_EQ_INT(o.r.verdict, STEP_DONE);
	put_fleet(FLEET_A, WORLD_A, 0, "[170,1,122,403]");
	job_free(&j);

	/* answered, but no battle seen yet: wait a watch; then done */
	j = job_new(&step_attack, FLEET_A, json_incref(args));
	run(&j, NULL, 0, &o);
	run(&j, reply, 0, &o);
	CHECK(is_wait_for(&o, WAIT_WATCH, watch_now() + 1, 0));
	CHECK(strcmp(state(&j), "FIGHTING") == 0);
	next_watch();
	run(&j, NULL, 0, &o);
	CHECK_EQ_INT(o.r.verdict, STEP_DONE);
	job_free(&j);
	json_decref(args);
	json_decref(reply);
	outcome_clear(&o);
}

/* step_intent_fresh after a lost answer: a later watch is not enough, the
 * mirror must hold an answer asked for after the loss was known (one the
 * game wrote before the call acted may carry the later watch) */
static void test_fresh(void)
{
	struct step_ctx c = {.m = H.m, .data = json_object()};
	struct step_result r = {0};
	int64_t w = watch_now();
	json_object_set_new(c.data, "intent_watch", json_integer(w - 1));
	CHECK_EQ_INT(step_intent_fresh(&c, &r), 1);
	json_object_set_new(c.data, "ambiguous_watch", json_integer(w - 1));
	json_object_set_new(c.data, "ambiguous_at", json_integer(mirror_asked_ms(H.m) + 5));
	CHECK_EQ_INT(step_intent_fresh(&c, &r), 0);
	CHECK(r.verdict == STEP_WAIT_FOR && r.wait == WAIT_WATCH && r.key == w + 1);
	mirror_note_asked(H.m, mirror_asked_ms(H.m) + 4);
	CHECK_EQ_INT(step_intent_fresh(&c, &r), 0);
	mirror_note_asked(H.m, mirror_asked_ms(H.m) + 1);
	CHECK_EQ_INT(step_intent_fresh(&c, &r), 1);
	/* a new intent forgets the loss */
	step_intent_open(&c);
	CHECK(!json_object_get(c.data, "ambiguous_at"));
	json_decref(c.data);
}

/* The engine's cancel as it calls an op's hook (engine.c cancel_deferred):
 * 1 if the step has work to do first, with its new sub-state persisted. */
static int cancel_step(struct job *j)
{
	struct step_ctx c = {
		.eng = H.eng, .store = H.st, .m = H.m, .now_ms = T0, .job_id = j->id,
		.fleet = j->fleet, .args = j->args, .sub = j->sub, .data = j->data,
	};
	int rc = j->op->cancel ? j->op->cancel(&c) : 0;
	CHECK(c.sub >= 0 && c.sub < j->op->nstates);
	CHECK(rc || c.sub == j->sub); /* nothing to do: nothing changed */
	j->sub = c.sub;
	persist(j);
	return rc;
}

/* The data of the job's last event of this type: its integer member key. */
static int64_t event_int(int64_t job, const char *type, const char *key)
{
	json_t *d;
	if (events_of(job, type, &d) == 0)
		return -1;
	int64_t v = json_integer_value(json_object_get(d, key));
	json_decref(d);
	return v;
}

static void test_abort_attack(void)
{
	struct outcome o = {0};
	json_t *reply = json_array();
	const char *call = "{\"battleFieldID\":1175}";
	json_t *args = json_pack("{s:s}", "op", "abort_attack");
	/* under way: not anchored */
	put_fleet(FLEET_A, 0, WORLD_B, "[170,1,122,403]");
	struct job j = job_new(&step_abort_attack, FLEET_A, json_incref(args));
	run(&j, NULL, 0, &o);
	CHECK(is_error(&o, "is not anchored"));
	job_free(&j);
	put_fleet(FLEET_A, WORLD_A, 0, "[170,1,122,403]");

	/* no battle at the world: done, nothing sent, and said so */
	battle(WORLD_A, 0);
	j = job_new(&step_abort_attack, FLEET_A, json_incref(args));
	run_twice(&j, NULL, 0, &o);
	CHECK_EQ_INT(o.r.verdict, STEP_DONE);
	CHECK_EQ_INT(events_of(j.id, "job.abort_sent", NULL), 0);
	CHECK_EQ_INT(event_int(j.id, "job.abort_skipped", "world"), WORLD_A);
	job_free(&j);

	/* a battle on: abortAttack at the fleet's world */
	battle(WORLD_A, 1);
	j = job_new(&step_abort_attack, FLEET_A, json_incref(args));
	run(&j, NULL, 0, &o);
	CHECK(is_call(&o, "abortAttack", call));
	CHECK(!(o.r.flags & CALL_IDEMPOTENT));
	CHECK(strcmp(state(&j), "SENT") == 0);
	CHECK_EQ_INT(event_int(j.id, "job.abort_sent", "attempt"), 1);
	/* answered: done */
	struct job a = j;
	a.data = json_deep_copy(j.data);
	a.args = json_incref(j.args);
	run(&a, reply, 0, &o);
	CHECK_EQ_INT(o.r.verdict, STEP_DONE);
	job_free(&a);
	/* a transient fault (certainly no effect), the battle still on: again */
	run(&j, NULL, 1, &o);
	CHECK(is_call(&o, "abortAttack", call));
	CHECK_EQ_INT(event_int(j.id, "job.abort_sent", "attempt"), 2);
	/* unknown outcome, still on in this watch: wait for a fresher one */
	run_twice(&j, NULL, 0, &o);
	CHECK(is_wait_for(&o, WAIT_WATCH, watch_now() + 1, 0));
	CHECK_EQ_INT(reconciled(j.id, "abort_attack"), -1);
	/* fresher and still on: the call never acted -> sent again */
	next_watch();
	run(&j, NULL, 0, &o);
	CHECK(is_call(&o, "abortAttack", call));
	CHECK_EQ_INT(reconciled(j.id, "abort_attack"), 0);
	/* the battle gone: done at once, whatever the watch, never sent again */
	battle(WORLD_A, 0);
	run_twice(&j, NULL, 0, &o);
	CHECK_EQ_INT(o.r.verdict, STEP_DONE);
	CHECK_EQ_INT(reconciled(j.id, "abort_attack"), 1);
	int n = events_of(j.id, "job.reconciled", NULL);
	run(&j, NULL, 1, &o); /* after a transient fault: no reconciliation */
	CHECK_EQ_INT(o.r.verdict, STEP_DONE);
	CHECK_EQ_INT(events_of(j.id, "job.reconciled", NULL), n);
	CHECK_EQ_INT(event_int(j.id, "job.abort_sent", "attempt"), 3);
	job_free(&j);
	/* abort_attack itself has nothing to undo when cancelled */
	j = job_new(&step_abort_attack, FLEET_A, json_incref(args));
	CHECK_EQ_INT(cancel_step(&j), 0);
	job_free(&j);
	json_decref(args);
	json_decref(reply);
	outcome_clear(&o);
}

/* An attack job in SENT (the order out) for attack args. */
static struct job attack_sent(json_t *args, struct outcome *o)
{
	struct job j = job_new(&step_attack, FLEET_A, json_incref(args));
	run(&j, NULL, 0, o);
	CHECK(strcmp(state(&j), "SENT") == 0);
	return j;
}

static void test_attack_cancel(void)
{
	struct outcome o = {0};
	json_t *reply = json_array();
	const char *call = "{\"battleFieldID\":1175}";
	json_t *keep = json_pack("{s:s,s:s,s:[i]}", "op", "attack", "objective", "invasion",
				 "enemies", 4833679);
	json_t *keep2 = json_deep_copy(keep);
	json_object_set_new(keep2, "on_cancel", json_string("keep"));
	json_t *abort = json_deep_copy(keep);
	json_object_set_new(abort, "on_cancel", json_string("abort"));
	put_fleet(FLEET_A, WORLD_A, 0, "[170,1,122,403]");
	battle(WORLD_A, 0);

	/* keep (the default, or said): the cancel ends the job, battle or not */
	struct job j = attack_sent(keep, &o);
	battle(WORLD_A, 1);
	run(&j, NULL, 0, &o);
	CHECK(strcmp(state(&j), "FIGHTING") == 0);
	CHECK_EQ_INT(cancel_step(&j), 0);
	job_free(&j);
	j = attack_sent(keep2, &o);
	run(&j, NULL, 0, &o);
	CHECK_EQ_INT(cancel_step(&j), 0);
	job_free(&j);
	/* abort in START: nothing was ordered, nothing to undo */
	j = job_new(&step_attack, FLEET_A, json_incref(abort));
	CHECK_EQ_INT(cancel_step(&j), 0);
	CHECK(strcmp(state(&j), "START") == 0);
	job_free(&j);

	/* abort in FIGHTING with the battle on: ABORT sends abortAttack once */
	j = attack_sent(abort, &o);
	run(&j, reply, 0, &o);
	CHECK(is_wait_for(&o, WAIT_BATTLE, WORLD_A, 0));
	CHECK_EQ_INT(cancel_step(&j), 1);
	CHECK(strcmp(state(&j), "ABORT") == 0);
	run_twice(&j, NULL, 0, &o);
	CHECK(is_call(&o, "abortAttack", call));
	CHECK(strcmp(state(&j), "ABORT_SENT") == 0);
	/* answered: done (the engine then ends the job cancelled) */
	struct job a = j;
	a.data = json_deep_copy(j.data);
	a.args = json_incref(j.args);
	run(&a, reply, 0, &o);
	CHECK_EQ_INT(o.r.verdict, STEP_DONE);
	job_free(&a);
	/* no answer (kill -9 during the call), still on: a fresh watch first */
	run_twice(&j, NULL, 0, &o);
	CHECK(is_wait_for(&o, WAIT_WATCH, watch_now() + 1, 0));
	next_watch();
	run(&j, NULL, 0, &o);
	CHECK(is_call(&o, "abortAttack", call));
	CHECK_EQ_INT(reconciled(j.id, "abort_attack"), 0);
	/* the call acted (the battle gone): done, not sent again */
	battle(WORLD_A, 0);
	run_twice(&j, NULL, 0, &o);
	CHECK_EQ_INT(o.r.verdict, STEP_DONE);
	CHECK_EQ_INT(reconciled(j.id, "abort_attack"), 1);
	job_free(&j);

	/* abort in SENT: the order may have started a battle the mirror does
	 * not show yet, so no battle is believed before a watch later than
	 * the order's; a battle shown is aborted at once */
	j = attack_sent(abort, &o);
	int64_t sent = watch_now();
	CHECK_EQ_INT(cancel_step(&j), 1);
	CHECK(strcmp(state(&j), "ABORT") == 0);
	run_twice(&j, NULL, 0, &o);
	CHECK(is_wait_for(&o, WAIT_WATCH, sent + 1, 0));
	/* the attack's answer arriving now is not the abort's */
	run(&j, reply, 0, &o);
	CHECK(is_wait_for(&o, WAIT_WATCH, sent + 1, 0));
	battle(WORLD_A, 1);
	run(&j, reply, 0, &o);
	CHECK(is_call(&o, "abortAttack", call));
	job_free(&j);
	battle(WORLD_A, 0);
	j = attack_sent(abort, &o);
	CHECK_EQ_INT(cancel_step(&j), 1);
	next_watch();
	run_twice(&j, NULL, 0, &o);
	CHECK_EQ_INT(o.r.verdict, STEP_DONE);
	CHECK_EQ_INT(event_int(j.id, "job.abort_skipped", "world"), WORLD_A);
	CHECK_EQ_INT(events_of(j.id, "job.abort_sent", NULL), 0);
	job_free(&j);
	json_decref(keep);
	json_decref(keep2);
	json_decref(abort);
	json_decref(reply);
	outcome_clear(&o);
}

static void test_rename(void)
{
	struct outcome o = {0};
	json_t *reply = json_array();
	struct job j = job_new(&step_rename, FLEET_A,
			       json_pack("{s:s,s:s}", "op", "rename", "name", fleet_name(FLEET_A)));
	run(&j, NULL, 0, &o);
	CHECK_EQ_INT(o.r.verdict, STEP_DONE); /* already so named */
	job_free(&j);

	j = job_new(&step_rename, FLEET_A, json_pack("{s:s,s:s}", "op", "rename", "name", "Vanguard"));
	run(&j, NULL, 0, &o);
	char call[96];
	snprintf(call, sizeof call, "{\"name\":\"Vanguard\",\"objID\":%d}", FLEET_A);
	CHECK(is_call(&o, "renameObject", call));
	CHECK(o.r.flags & CALL_IDEMPOTENT);
	run_twice(&j, NULL, 0, &o);
	CHECK(is_call(&o, "renameObject", call));
	run(&j, NULL, 1, &o);
	CHECK(is_call(&o, "renameObject", call));
	run(&j, reply, 0, &o);
	CHECK_EQ_INT(o.r.verdict, STEP_DONE);
	/* the name shows in the galaxy: done without an answer */
	char old[64];
	snprintf(old, sizeof old, "%s", fleet_name(FLEET_A));
	put_fleet_named(FLEET_A, "Vanguard", WORLD_A, 0, "[170,1,122,403]");
	run_twice(&j, NULL, 0, &o);
	CHECK_EQ_INT(o.r.verdict, STEP_DONE);
	put_fleet_named(FLEET_A, old, WORLD_A, 0, "[170,1,122,403]");
	job_free(&j);
	json_decref(reply);
	outcome_clear(&o);
}

/* The intent lock: a world held by another live job makes the op wait
 * 200-500 ms (drawn from the context's stream, or a local one). */
static void check_lock(struct job *j, int64_t world)
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

static void test_transfer(void)
{
	struct outcome o = {0};
	json_t *reply = json_array();
	char call[128];
	snprintf(call, sizeof call,
		 "{\"destObjID\":%d,\"fleetObjID\":%d,\"resources\":[170,-1]}", WORLD_A, FLEET_A);
	json_t *args = json_pack("{s:s,s:i,s:[i,i]}", "op", "transfer", "to", WORLD_A,
				 "resources", 170, -1);
	/* not anchored */
	put_fleet(FLEET_A, 0, WORLD_B, "[170,1,122,403]");
	struct job j = job_new(&step_transfer, FLEET_A, json_incref(args));
	run(&j, NULL, 0, &o);
	CHECK(is_error(&o, "is not anchored"));
	job_free(&j);
	put_fleet(FLEET_A, WORLD_A, 0, "[170,1,122,403]");

	j = job_new(&step_transfer, FLEET_A, json_incref(args));
	check_lock(&j, WORLD_A);
	run(&j, NULL, 0, &o);
	CHECK(is_call(&o, "transferFleet", call));
	CHECK(!(o.r.flags & CALL_IDEMPOTENT));
	CHECK(strcmp(state(&j), "SENT") == 0);
	CHECK_EQ_INT(json_integer_value(json_object_get(j.data, "intent_world")), WORLD_A);
	CHECK_EQ_INT(json_integer_value(json_object_get(j.data, "intent_watch")), watch_now());
	/* answered: done */
	struct job a = j;
	a.data = json_deep_copy(j.data);
	a.args = json_incref(j.args);
	run(&a, reply, 0, &o);
	CHECK_EQ_INT(o.r.verdict, STEP_DONE);
	job_free(&a);
	/* resend: the same call */
	run(&j, NULL, 1, &o);
	CHECK(is_call(&o, "transferFleet", call));
	/* unknown outcome: wait for a watch later than the intent's */
	run_twice(&j, NULL, 0, &o);
	CHECK(is_wait_for(&o, WAIT_WATCH, watch_now() + 1, 0));
	CHECK_EQ_INT(reconciled(j.id, "transfer"), -1);
	/* fresher, unchanged: it never happened -> a new intent, sent */
	next_watch();
	run(&j, NULL, 0, &o);
	CHECK(is_call(&o, "transferFleet", call));
	CHECK_EQ_INT(reconciled(j.id, "transfer"), 0);
	CHECK_EQ_INT(json_integer_value(json_object_get(j.data, "intent_watch")), watch_now());
	/* fresher, changed: it happened -> done, and a re-run never sends */
	put_fleet(FLEET_A, WORLD_A, 0, "[122,403]");
	next_watch();
	run_twice(&j, NULL, 0, &o);
	CHECK_EQ_INT(o.r.verdict, STEP_DONE);
	CHECK_EQ_INT(reconciled(j.id, "transfer"), 1);
	put_fleet(FLEET_A, WORLD_A, 0, "[170,1,122,403]");
	job_free(&j);
	json_decref(args);
	json_decref(reply);
	outcome_clear(&o);
}

static void test_sell(void)
{
	struct outcome o = {0};
	json_t *reply = json_array();
	char call[128];
	/* not at the buyer */
	struct job j = job_new(&step_sell, FLEET_A,
			       json_pack("{s:s,s:i,s:s}", "op", "sell", "to", WORLD_B, "resources", "all"));
	run(&j, NULL, 0, &o);
	CHECK(is_error(&o, "is not anchored at world"));
	job_free(&j);
	/* "all" of a fleet without commodities: nothing to sell, done */
	j = job_new(&step_sell, FLEET_A,
		    json_pack("{s:s,s:i,s:s}", "op", "sell", "to", WORLD_A, "resources", "all"));
	run(&j, NULL, 0, &o);
	CHECK_EQ_INT(o.r.verdict, STEP_DONE);
	CHECK_EQ_INT(events_of(j.id, "job.note", NULL), 1);
	job_free(&j);

	/* "all": the cargo (144), never the ships (170, 122) */
	snprintf(call, sizeof call,
		 "{\"buyerObjID\":%d,\"objID\":%d,\"resources\":[144,1]}", WORLD_B, FLEET_B);
	j = job_new(&step_sell, FLEET_B,
		    json_pack("{s:s,s:i,s:s}", "op", "sell", "to", WORLD_B, "resources", "all"));
	check_lock(&j, WORLD_B);
	run(&j, NULL, 0, &o);
	CHECK(is_call(&o, "sellFleet", call));
	CHECK(strcmp(state(&j), "SENT") == 0);
	run(&j, NULL, 1, &o);
	CHECK(is_call(&o, "sellFleet", call));
	run_twice(&j, NULL, 0, &o);
	CHECK(is_wait_for(&o, WAIT_WATCH, watch_now() + 1, 0));
	next_watch();
	run(&j, NULL, 0, &o);
	CHECK(is_call(&o, "sellFleet", call));
	CHECK_EQ_INT(reconciled(j.id, "sell"), 0);
	run(&j, reply, 0, &o);
	CHECK_EQ_INT(o.r.verdict, STEP_DONE);
	job_free(&j);

	/* a listed sale whose fleet vanished (it sold its last ships): once
	 * fresh, the effect is found -- even after a transient fault */
	snprintf(call, sizeof call,
		 "{\"buyerObjID\":%d,\"objID\":%d,\"resources\":[122,352]}", WORLD_C, FLEET_C);
	j = job_new(&step_sell, FLEET_C, json_pack("{s:s,s:i,s:[i,i]}", "op", "sell", "to",
						   WORLD_C, "resources", 122, 352));
	run(&j, NULL, 0, &o);
	CHECK(is_call(&o, "sellFleet", call));
	destroy(FLEET_C);
	run_twice(&j, NULL, 1, &o);
	CHECK(is_wait_for(&o, WAIT_WATCH, watch_now() + 1, 0));
	next_watch();
	run_twice(&j, NULL, 0, &o);
	CHECK_EQ_INT(o.r.verdict, STEP_DONE);
	CHECK_EQ_INT(reconciled(j.id, "sell"), 1);
	put_fleet_named(FLEET_C, "587th Fleet", WORLD_C, 0, "[122,352]");
	job_free(&j);
	json_decref(reply);
	outcome_clear(&o);
}

static void test_buy(void)
{
	struct outcome o = {0};
	json_t *reply = json_array();
	char call[128];
	snprintf(call, sizeof call, "{\"itemCount\":5,\"itemID\":144,\"sourceObjID\":%d}", WORLD_C);
	json_t *args = json_pack("{s:s,s:i,s:i}", "op", "buy", "item", 144, "count", 5);
	struct job j = job_new(&step_buy, FLEET_C, json_incref(args));
	check_lock(&j, WORLD_C);
	run(&j, NULL, 0, &o);
	CHECK(is_call(&o, "buyItem", call));
	CHECK(strcmp(state(&j), "SENT") == 0);
	/* before: each of our three fleets at the world with its 144 */
	json_t *before = json_object_get(j.data, "before");
	CHECK_EQ_INT(json_array_size(before), 6);
	run(&j, NULL, 1, &o);
	CHECK(is_call(&o, "buyItem", call));
	run_twice(&j, NULL, 0, &o);
	CHECK(is_wait_for(&o, WAIT_WATCH, watch_now() + 1, 0));
	/* fewer than `count` more: it never happened */
	put_fleet(4714376, WORLD_C, 0, "[170,3,144,5]");
	next_watch();
	run(&j, NULL, 0, &o);
	CHECK(is_call(&o, "buyItem", call));
	CHECK_EQ_INT(reconciled(j.id, "buy"), 0);
	/* the purchase landed on another of our fleets, which left since */
	put_fleet(4714376, 0, WORLD_A, "[170,3,144,10]");
	next_watch();
	run_twice(&j, NULL, 0, &o);
	CHECK_EQ_INT(o.r.verdict, STEP_DONE);
	CHECK_EQ_INT(reconciled(j.id, "buy"), 1);
	put_fleet(4714376, WORLD_C, 0, "[170,3,144,3]");
	job_free(&j);

	j = job_new(&step_buy, FLEET_C, json_incref(args));
	run(&j, NULL, 0, &o);
	run(&j, reply, 0, &o);
	CHECK_EQ_INT(o.r.verdict, STEP_DONE);
	job_free(&j);
	/* not anchored */
	put_fleet(FLEET_C, 0, WORLD_A, "[122,352]");
	j = job_new(&step_buy, FLEET_C, json_incref(args));
	run(&j, NULL, 0, &o);
	CHECK(is_error(&o, "is not anchored"));
	put_fleet(FLEET_C, WORLD_C, 0, "[122,352]");
	job_free(&j);
	json_decref(args);
	json_decref(reply);
	outcome_clear(&o);
}

static void test_deploy(void)
{
	struct outcome o = {0};
	char call[128];
	snprintf(call, sizeof call, "{\"resources\":[122,2],\"sourceObjID\":%d}", WORLD_C);
	json_t *args = json_pack("{s:s,s:i,s:[i,i]}", "op", "deploy", "from", WORLD_C,
				 "resources", 122, 2);
	/* frigates to deploy at the world (the excerpt's are in its fleets) */
	int64_t stock0 = world_qty(WORLD_C, 122);
	set_world_qty(WORLD_C, 122, 10);
	/* a source that is neither a world nor an anchored fleet */
	struct job j = job_new(&step_deploy, 0,
			       json_pack("{s:s,s:i,s:[i,i]}", "op", "deploy", "from", 42,
					 "resources", 122, 2));
	run(&j, NULL, 0, &o);
	CHECK(is_error(&o, "neither a world nor"));
	job_free(&j);
	/* from a fleet: the world it is anchored at */
	j = job_new(&step_deploy, 0, json_pack("{s:s,s:i,s:[i,i]}", "op", "deploy", "from",
					       FLEET_C, "resources", 122, 2));
	run(&j, NULL, 0, &o);
	CHECK_EQ_INT(o.r.verdict, STEP_CALL);
	CHECK_EQ_INT(json_integer_value(json_object_get(j.data, "intent_world")), WORLD_C);
	job_free(&j);

	j = job_new(&step_deploy, 0, json_incref(args));
	check_lock(&j, WORLD_C);
	run(&j, NULL, 0, &o);
	CHECK(is_call(&o, "deployFleet", call));
	CHECK(strcmp(state(&j), "SENT") == 0);
	CHECK_EQ_INT(json_array_size(json_object_get(j.data, "before")), 3);
	run(&j, NULL, 1, &o);
	CHECK(is_call(&o, "deployFleet", call));
	run_twice(&j, NULL, 0, &o);
	CHECK(is_wait_for(&o, WAIT_WATCH, watch_now() + 1, 0));
	/* fresher: a new fleet of another make-up, and one of the right
	 * make-up held by another job, are not this call's */
	put_fleet_named(5000001, "other", WORLD_C, 0, "[122,3]");
	put_fleet_named(5000002, "leased", WORLD_C, 0, "[122,2]");
	int64_t lease = other_job(5000002, 0);
	next_watch();
	run(&j, NULL, 0, &o);
	CHECK(is_call(&o, "deployFleet", call));
	CHECK_EQ_INT(reconciled(j.id, "deploy"), 0);
	CHECK_EQ_INT(json_array_size(json_object_get(j.data, "before")), 5);
	/* an older fleet of the same make-up that merely arrived, free (its
	 * move job ended), while nothing was deployed: not this call's (issue
	 * 14 point 9: its id is below the intent's max_fleet, and the source
	 * has not given up the deployed amounts) */
	put_fleet(FLEET_A, WORLD_C, 0, "[122,2]");
	next_watch();
	run(&j, NULL, 0, &o);
	CHECK(is_call(&o, "deployFleet", call));
	CHECK_EQ_INT(reconciled(j.id, "deploy"), 0);
	put_fleet(FLEET_A, WORLD_A, 0, "[170,1,122,403]");
	run_twice(&j, NULL, 0, &o);
	CHECK(is_wait_for(&o, WAIT_WATCH, watch_now() + 1, 0));
	/* ... the one it made: adopted, the job's fleet becomes it -- and not
	 * the older free fleet of the same make-up that arrived meanwhile */
	int64_t stock = world_qty(WORLD_C, 122);
	put_fleet(FLEET_A, WORLD_C, 0, "[122,2]");
	put_fleet_named(5000003, "new", WORLD_C, 0, "[122,2]");
	set_world_qty(WORLD_C, 122, stock - 2);
	next_watch();
	run_twice(&j, NULL, 0, &o);
	CHECK_EQ_INT(o.r.verdict, STEP_DONE);
	CHECK_EQ_INT(o.fleet, 5000003);
	put_fleet(FLEET_A, WORLD_A, 0, "[170,1,122,403]");
	CHECK_EQ_INT(reconciled(j.id, "deploy"), 1);
	json_t *d;
	CHECK(events_of(j.id, "job.fleet", &d) >= 1);
	CHECK(d && json_integer_value(json_object_get(d, "to")) == 5000003);
	json_decref(d);
	job_free(&j);

	/* answered: the answer's selection names the new fleet */
	j = job_new(&step_deploy, 0, json_incref(args));
	run(&j, NULL, 0, &o);
	json_t *reply = json_pack("[{s:s,s:i},{s:s,s:i}]", "class", "fleet", "id", 5000004,
				  "class", "selection", "id", 5000004);
	run_twice(&j, reply, 0, &o);
	CHECK_EQ_INT(o.r.verdict, STEP_DONE);
	CHECK_EQ_INT(o.fleet, 5000004);
	json_decref(reply);
	job_free(&j);
	/* answered without a selection: the new fleet in the galaxy, or an error */
	j = job_new(&step_deploy, 0, json_incref(args));
	run(&j, NULL, 0, &o);
	reply = json_array();
	run(&j, reply, 0, &o);
	CHECK(is_error(&o, "without naming the new fleet"));
	j.sub = 1;
	put_fleet_named(5000005, "new", WORLD_C, 0, "[122,2]");
	set_world_qty(WORLD_C, 122, world_qty(WORLD_C, 122) - 2);
	run(&j, reply, 0, &o);
	CHECK_EQ_INT(o.r.verdict, STEP_DONE);
	CHECK_EQ_INT(o.fleet, 5000005);
	json_decref(reply);
	job_free(&j);

	end_other_job(lease);
	set_world_qty(WORLD_C, 122, stock0);
	for (int64_t id = 5000001; id <= 5000005; id++)
		if (mirror_fleet(H.m, id))
			destroy(id);
	json_decref(args);
	outcome_clear(&o);
}

static void test_disband(void)
{
	struct outcome o = {0};
	json_t *reply = json_array();
	char call[96];
	snprintf(call, sizeof call, "{\"destObjID\":%d,\"fleetObjID\":%d}", FLEET_C, 4714368);
	json_t *args = json_pack("{s:s,s:i}", "op", "disband", "into", FLEET_C);
	struct job j = job_new(&step_disband, 42, json_incref(args));
	run(&j, NULL, 0, &o);
	CHECK(is_error(&o, "no longer exists"));
	job_free(&j);

	j = job_new(&step_disband, 4714368, json_incref(args));
	run(&j, NULL, 0, &o);
	CHECK(is_call(&o, "disbandFleet", call));
	CHECK(strcmp(state(&j), "SENT") == 0);
	run(&j, NULL, 1, &o);
	CHECK(is_call(&o, "disbandFleet", call));
	run_twice(&j, NULL, 0, &o);
	CHECK(is_wait_for(&o, WAIT_WATCH, watch_now() + 1, 0));
	/* fresher, still there: it never happened -> sent again */
	CHECK_EQ_INT(reconciled(j.id, "disband"), -1);
	next_watch();
	run(&j, NULL, 0, &o);
	CHECK(is_call(&o, "disbandFleet", call));
	CHECK_EQ_INT(reconciled(j.id, "disband"), 0);
	struct job a = j;
	a.data = json_deep_copy(j.data);
	a.args = json_incref(j.args);
	run(&a, reply, 0, &o);
	CHECK_EQ_INT(o.r.verdict, STEP_DONE);
	job_free(&a);
	/* gone: done at once, without waiting for a fresher watch */
	destroy(4714368);
	run_twice(&j, NULL, 0, &o);
	CHECK_EQ_INT(o.r.verdict, STEP_DONE);
	CHECK_EQ_INT(reconciled(j.id, "disband"), 1);
	/* ... also after a transient fault, which is no reconciliation */
	int n = events_of(j.id, "job.reconciled", NULL);
	run(&j, NULL, 1, &o);
	CHECK_EQ_INT(o.r.verdict, STEP_DONE);
	CHECK_EQ_INT(events_of(j.id, "job.reconciled", NULL), n);
	put_fleet_named(4714368, "585th Fleet", WORLD_C, 0, "[164,571]");
	job_free(&j);
	json_decref(args);
	json_decref(reply);
	outcome_clear(&o);
}

/* --- set-up ---------------------------------------------------------------------- */

static int setup(const char *excerpt)
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
	if (!H.eng)
		return -1;
	/* the player, and a catalogue for "sell all": 144 is cargo, 122 and
	 * 170 are ships (hand-written: getGameInfo is not in the excerpt) */
	json_t *info = json_pack(
		"{s:{s:i},s:[{s:i,s:s,s:s},{s:i,s:s,s:s},{s:i,s:s,s:s}]}", "userInfo",
		"sovereignID", PLAYER, "scenarioInfo", "id", 144, "nameDesc", "cargo",
		"category", "commodity", "id", 122, "nameDesc", "frigate", "category",
		"maneuveringUnit", "id", 170, "nameDesc", "ark", "category",
		"maneuveringUnit");
	int rc = mirror_set_game_info(H.m, info, err, sizeof err);
	json_decref(info);
	json_error_t je;
	json_t *a = json_load_file(excerpt, 0, &je);
	if (rc < 0 || !a || mirror_merge(H.m, a, 1, err, sizeof err) < 0) {
		json_decref(a);
		return -1;
	}
	H.excerpt = a;
	H.watch = mirror_watch(H.m);
	H.seq = mirror_sequence_value(H.m);
	H.next_job = 1000;
	return store_begin(H.st);
}

static void teardown(void)
{
	/* commit while the engine lives: it is told of the commit (as in
	 * fleetd_main.c's shutdown) */
	if (H.st && store_in_tx(H.st))
		store_commit(H.st);
	engine_free(H.eng);
	json_decref(H.excerpt);
	mirror_free(H.m);
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

int main(void)
{
	char path[512];
	if (fixture_excerpt(path, sizeof path) < 0)
		return 77;
	int ok = setup(path) == 0;
	CHECK(ok);
	if (ok) {
		CHECK(mirror_ready(H.m) && mirror_player(H.m) == PLAYER);
		CHECK(qty(FLEET_B, 144) == 1 && qty(FLEET_C, 122) == 352);
		test_wait();
		test_move();
		test_explore();
		test_attack();
		test_fresh();
		test_abort_attack();
		test_attack_cancel();
		test_rename();
		test_transfer();
		test_sell();
		test_buy();
		test_deploy();
		test_disband();
	}
	teardown();
	return tap_done();
}
