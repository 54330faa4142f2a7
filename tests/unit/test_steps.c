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
#include "steps_fixture.h"

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
	int64_t lost_at = mirror_asked_ms(H.m) + 5;
	mirror_note_asked(H.m, lost_at - 1, 0);
	CHECK_EQ_INT(step_intent_fresh(&c, &r), 0);
	/* asked in the millisecond the loss was known: possibly before it (a
	 * call sent in the same turn as the lost one; a cut answer returns in
	 * under a millisecond), so possibly written before the call acted */
	mirror_note_asked(H.m, lost_at, 0);
	CHECK_EQ_INT(step_intent_fresh(&c, &r), 0);
	CHECK(r.verdict == STEP_WAIT_FOR && r.wait == WAIT_WATCH && r.key == w + 1);
	mirror_note_asked(H.m, lost_at + 1, 0);
	CHECK_EQ_INT(step_intent_fresh(&c, &r), 1);
	/* an older answer merged as a delta changes nothing (it was skipped
	 * as stale, or everything it holds is in the mirror already) ... */
	mirror_note_asked(H.m, lost_at - 3, 0);
	CHECK_EQ_INT(step_intent_fresh(&c, &r), 1);
	/* ... but a full answer asked before the loss and merged after an
	 * answer asked after it took the galaxy back to before the call
	 * acted: judged on it, the transfer looked unsent and went out twice
	 * (tests/e2e/jobs_lost_order.py, once in a full make check) */
	mirror_note_asked(H.m, lost_at - 3, 1);
	CHECK_EQ_INT(mirror_asked_ms(H.m), lost_at - 3);
	CHECK_EQ_INT(step_intent_fresh(&c, &r), 0);
	CHECK(r.verdict == STEP_WAIT_FOR && r.wait == WAIT_WATCH);
	mirror_note_asked(H.m, lost_at + 1, 0);
	CHECK_EQ_INT(step_intent_fresh(&c, &r), 1);
	/* without a loss, the asked time plays no part */
	json_object_del(c.data, "ambiguous_at");
	mirror_note_asked(H.m, 0, 1);
	CHECK_EQ_INT(step_intent_fresh(&c, &r), 1);
	mirror_note_asked(H.m, lost_at + 1, 1);
	/* a new intent forgets the loss */
	step_intent_open(&c);
	CHECK(!json_object_get(c.data, "ambiguous_at"));
	json_decref(c.data);
}

/* step_intent_send, the send of every effectively-once op: the intent
 * holds this watch and no earlier loss, the op is in its SENT sub-state,
 * and the call is sent once (not idempotent), its params taken over */
static void test_intent_send(void)
{
	struct step_ctx c = {.m = H.m, .data = json_object(), .sub = 0};
	struct step_result r = {0};
	json_object_set_new(c.data, "intent_watch", json_integer(1));
	json_object_set_new(c.data, "ambiguous_watch", json_integer(2));
	json_object_set_new(c.data, "ambiguous_at", json_integer(3));
	json_t *params = json_pack("{s:i}", "objID", 7);
	step_intent_send(&c, &r, 5, "sellFleet", params);
	CHECK_EQ_INT(c.sub, 5);
	CHECK_EQ_INT(step_data_int(&c, "intent_watch", -1), watch_now());
	CHECK(!json_object_get(c.data, "ambiguous_watch"));
	CHECK(!json_object_get(c.data, "ambiguous_at"));
	CHECK(r.verdict == STEP_CALL && r.flags == 0);
	CHECK(r.endpoint && strcmp(r.endpoint, "sellFleet") == 0);
	CHECK(r.params == params);
	json_decref(r.params);
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

int main(void)
{
	char path[512];
	if (fixture_excerpt(path, sizeof path) < 0)
		return 77;
	/* a catalogue for "sell all": 144 is cargo, 122 and 170 are ships
	 * (hand-written: getGameInfo is not in the excerpt) */
	json_t *cat = json_pack("[{s:i,s:s,s:s},{s:i,s:s,s:s},{s:i,s:s,s:s}]", "id", 144,
				"nameDesc", "cargo", "category", "commodity", "id", 122,
				"nameDesc", "frigate", "category", "maneuveringUnit", "id",
				170, "nameDesc", "ark", "category", "maneuveringUnit");
	int ok = setup(path, cat) == 0;
	CHECK(ok);
	if (ok) {
		CHECK(mirror_ready(H.m) && mirror_player(H.m) == PLAYER);
		CHECK(qty(FLEET_B, 144) == 1 && qty(FLEET_C, 122) == 352);
		test_wait();
		test_move();
		test_explore();
		test_attack();
		test_fresh();
		test_intent_send();
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
