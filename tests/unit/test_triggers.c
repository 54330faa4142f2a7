/* test_triggers.c -- firings that can never run (triggers.h, step 2), on a
 * real store, event log, engine and mirror (steps_fixture.h; SKIP without
 * the game excerpt):
 *
 *  - a trigger deleted after an event recorded its firing and before the
 *    firer's turn: the pending firing goes with it, in the delete's
 *    transaction -- the turn makes no job and settles nothing, and the
 *    next trigger gets a new id;
 *  - a pending firing naming a trigger that no longer exists (a database
 *    edited by hand, or a trigger row fleetd cannot read): the turn
 *    records it `skipped` ("the trigger is gone") with no job, beside a
 *    live trigger's firing that makes its job, and retention may then
 *    prune it like any settled firing. */
#include "steps_fixture.h"
#include "triggers.h"

static struct triggers *T;

static int64_t count(const char *sql)
{
	sqlite3_stmt *s;
	int64_t n = -1;
	if (sqlite3_prepare_v2(store_db(H.st), sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

static int64_t arrival_trigger(void)
{
	char err[200];
	json_t *body = json_pack("{s:s,s:s,s:{s:s,s:[{s:s,s:i}]}}", "name", "sell", "on",
				 "fleet.arrived", "job", "fleet", "$fleet", "steps", "op",
				 "wait", "seconds", 1);
	int64_t id = triggers_create(T, body, err, sizeof err);
	json_decref(body);
	if (id <= 0)
		fprintf(stderr, "triggers_create: %s\n", err);
	CHECK(id > 0);
	return id;
}

static void arrived(int64_t fleet, int64_t world)
{
	char data[96];
	snprintf(data, sizeof data, "{\"fleet\":%lld,\"world\":%lld}", (long long)fleet,
		 (long long)world);
	CHECK(eventlog_append_text(H.el, 0, "fleet.arrived", data) > 0);
}

/* Give the firer its turn (its timer is due at once), then commit it. */
static void firer_turn(void)
{
	CHECK(store_begin(H.st) == 0);
	CHECK(loop_run_once(H.loop, 50) >= 0);
	CHECK(store_commit(H.st) == 0);
}

static void test_deleted_before_its_turn(void)
{
	const struct triggers_stats *ts = triggers_get_stats(T);
	struct triggers_stats before = *ts;
	CHECK(store_begin(H.st) == 0);
	int64_t id = arrival_trigger();
	CHECK(store_commit(H.st) == 0);

	CHECK(store_begin(H.st) == 0);
	arrived(FLEET_A, WORLD_A);
	CHECK_EQ_INT(ts->recorded, before.recorded + 1);
	CHECK_EQ_INT(count("SELECT count(*) FROM trigger_firings WHERE state = 'pending'"), 1);
	CHECK_EQ_INT(triggers_delete(T, id), 0);
	CHECK(store_commit(H.st) == 0);
	CHECK_EQ_INT(count("SELECT count(*) FROM trigger_firings"), 0);

	firer_turn();
	CHECK_EQ_INT(ts->fired, before.fired);
	CHECK_EQ_INT(ts->skipped, before.skipped);
	CHECK_EQ_INT(count("SELECT count(*) FROM jobs WHERE \"trigger\" IS NOT NULL"), 0);
	CHECK_EQ_INT(count("SELECT count(*) FROM trigger_firings"), 0);

	/* a new trigger does not take the id, nor the deleted one's firings */
	CHECK(store_begin(H.st) == 0);
	int64_t again = arrival_trigger();
	CHECK(again > id);
	CHECK_EQ_INT(triggers_delete(T, again), 0);
	CHECK(store_commit(H.st) == 0);
}

static void test_firing_of_a_gone_trigger(void)
{
	const struct triggers_stats *ts = triggers_get_stats(T);
	struct triggers_stats before = *ts;
	int64_t gone = count("SELECT seq FROM sqlite_sequence WHERE name = 'triggers'") + 5;
	char sql[300];
	snprintf(sql, sizeof sql,
		 "INSERT INTO trigger_firings (trigger_id, event_id, at, state, vars) "
		 "VALUES (%lld, 1, 1000, 'pending', '{\"fleet\":%d}')",
		 (long long)gone, FLEET_B);
	CHECK(store_begin(H.st) == 0);
	CHECK_EQ_INT(store_exec(H.st, sql), 0);
	/* a live trigger's firing beside it wakes the firer */
	int64_t live = arrival_trigger();
	arrived(FLEET_A, WORLD_A);
	CHECK(store_commit(H.st) == 0);

	firer_turn();
	CHECK_EQ_INT(ts->skipped, before.skipped + 1);
	CHECK_EQ_INT(ts->fired, before.fired + 1);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM trigger_firings WHERE trigger_id = %lld "
		 "AND state = 'skipped' AND job_id IS NULL AND reason = 'the trigger is gone'",
		 (long long)gone);
	CHECK_EQ_INT(count(sql), 1);
	CHECK_EQ_INT(count("SELECT count(*) FROM trigger_firings WHERE state = 'pending'"), 0);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM jobs WHERE \"trigger\" = %lld",
		 (long long)live);
	CHECK_EQ_INT(count(sql), 1);
	CHECK_EQ_INT(count("SELECT count(*) FROM jobs WHERE \"trigger\" IS NOT NULL"), 1);

	/* settled, it is history: retention may take it (the live trigger's
	 * firing is of a later event) */
	CHECK(store_begin(H.st) == 0);
	CHECK_EQ_INT(triggers_prune(T, 1001, 10), 1);
	CHECK(store_commit(H.st) == 0);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM trigger_firings WHERE trigger_id = %lld",
		 (long long)gone);
	CHECK_EQ_INT(count(sql), 0);
}

int main(void)
{
	char path[512], err[200];
	if (fixture_excerpt(path, sizeof path) < 0)
		return 77;
	int ok = setup(path, json_object()) == 0;
	CHECK(ok);
	if (ok) {
		CHECK(store_commit(H.st) == 0);
		H.app.engine = H.eng;
		T = triggers_new(&H.app, err, sizeof err);
		CHECK(T != NULL);
	}
	if (T) {
		test_deleted_before_its_turn();
		test_firing_of_a_gone_trigger();
		triggers_free(T);
	}
	teardown();
	return tap_done();
}
