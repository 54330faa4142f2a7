/* test_migrations.c -- the runner: a fresh file gets every migration once,
 * a second open applies nothing, WAL is on, the file is 0600, a database
 * from a newer schema is refused, a failing migration leaves nothing
 * behind, and a gap in the numbering is refused.  0003 (the jobs table
 * rebuilt) keeps a 0002 database's rows and rules, and a state change
 * no longer builds temporary b-trees.  0013 keeps the triggers and never
 * hands out a trigger id again, not even one only a job still names; 0014
 * does the same for webhooks and their deliveries, whose rows still go
 * with their webhook. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "schema.h"
#include "tap.h"
#include "tmpdb.h"

static char path[256];

static int count(struct store *st, const char *sql)
{
	sqlite3_stmt *s;
	int n = -1;
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return n;
}

static void cleanup(void)
{
	tmpdb_remove(path);
}

static void test_fresh_and_again(void)
{
	char err[256];
	cleanup();
	struct store *st = store_open(path, err, sizeof err);
	CHECK(st != NULL);
	if (!st)
		return;
	int latest = store_latest_version();
	CHECK(latest >= 1);
	CHECK_EQ_INT(store_schema_version(st), latest);
	CHECK_EQ_INT(count(st, "SELECT count(*) FROM migration_log"), latest);
	sqlite3_stmt *s;
	sqlite3_prepare_v2(store_db(st), "PRAGMA journal_mode", -1, &s, NULL);
	CHECK(sqlite3_step(s) == SQLITE_ROW &&
	      strcmp((const char *)sqlite3_column_text(s, 0), "wal") == 0);
	sqlite3_finalize(s);
	store_close(st);

	struct stat sb;
	CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);

	st = store_open(path, err, sizeof err);
	CHECK(st != NULL);
	if (st) {
		CHECK_EQ_INT(count(st, "SELECT count(*) FROM migration_log"), latest);
		store_close(st);
	}
}

static void test_newer_refused(void)
{
	char err[256];
	struct store *st = store_open(path, err, sizeof err);
	CHECK(st != NULL);
	if (!st)
		return;
	CHECK(store_exec(st, "PRAGMA user_version = 9999") == 0);
	store_close(st);
	st = store_open(path, err, sizeof err);
	CHECK(st == NULL);
	CHECK(strstr(err, "newer than this fleetd") != NULL);
	store_close(st);
	cleanup();
}

static const unsigned char good[] = "CREATE TABLE migration_log(version INTEGER "
	"PRIMARY KEY, name TEXT, applied_at TEXT); CREATE TABLE a(x);";
static const unsigned char bad[] = "CREATE TABLE b(y); THIS IS NOT SQL;";

static void test_failure_rolls_back(void)
{
	char err[256];
	struct embed_file migs[] = {{"0001_a.sql", good, sizeof good - 1},
				    {"0002_b.sql", bad, sizeof bad - 1},
				    {NULL, NULL, 0}};
	cleanup();
	struct store *st = store_open_with(path, migs, err, sizeof err);
	CHECK(st == NULL);
	CHECK(strstr(err, "0002_b.sql") != NULL);
	struct embed_file first[] = {{"0001_a.sql", good, sizeof good - 1},
				     {NULL, NULL, 0}};
	st = store_open_with(path, first, err, sizeof err);
	CHECK(st != NULL);
	if (st) {
		CHECK_EQ_INT(store_schema_version(st), 1);
		CHECK_EQ_INT(count(st, "SELECT count(*) FROM sqlite_master WHERE name='b'"), 0);
		store_close(st);
	}
	struct embed_file gap[] = {{"0001_a.sql", good, sizeof good - 1},
				   {"0003_c.sql", good, sizeof good - 1},
				   {NULL, NULL, 0}};
	st = store_open_with(path, gap, err, sizeof err);
	CHECK(st == NULL);
	CHECK(strstr(err, "out of sequence") != NULL);
	cleanup();
}

static void on_commit(void *arg, int ok)
{
	*(int *)arg = ok ? 1 : -1;
}

static void test_group_commit(void)
{
	char err[256];
	cleanup();
	struct store *st = store_open(path, err, sizeof err);
	CHECK(st != NULL);
	if (!st)
		return;
	int called = 0;
	CHECK(store_begin(st) == 0);
	CHECK(store_exec(st, "INSERT INTO meta VALUES ('k1', 'v')") == 0);
	CHECK(store_begin(st) == 0); /* same transaction */
	CHECK(store_exec(st, "INSERT INTO meta VALUES ('k2', 'v')") == 0);
	CHECK(store_on_commit(st, on_commit, &called) == 0);
	CHECK_EQ_INT(called, 0); /* not before the commit */
	CHECK(store_in_tx(st));
	CHECK(store_commit(st) == 0);
	CHECK_EQ_INT(called, 1);
	CHECK(!store_in_tx(st));
	CHECK_EQ_INT(count(st, "SELECT count(*) FROM meta WHERE key LIKE 'k_'"), 2);
	CHECK_EQ_INT(store_get_stats(st)->commits, 1);
	store_close(st);
	cleanup();
}

/* How many temporary b-trees the program of sql opens. */
static int ephemeral_tables(struct store *st, const char *sql)
{
	char q[600];
	snprintf(q, sizeof q, "EXPLAIN %s", sql);
	sqlite3_stmt *s;
	int n = 0;
	if (sqlite3_prepare_v2(store_db(st), q, -1, &s, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(s) == SQLITE_ROW)
		n += strcmp((const char *)sqlite3_column_text(s, 1), "OpenEphemeral") == 0;
	sqlite3_finalize(s);
	return n;
}

static const char JOB_ROW[] =
	"INSERT INTO jobs (id, name, fleet, spec, state, step, sub_state, step_data, "
	"wake_at, wait_kind, wait_key, idem_key, idem_body, created_at, updated_at) "
	"VALUES (%d, 'n%d', %d, '{\"fleet\":%d}', '%s', 1, 'MOVING', '{\"x\":1}', "
	"1700000000000, 'anchored', %d, %s, %s, 1600000000000, 1600000000001)";

static void test_jobs_rebuilt(void)
{
	char err[256], sql[600];
	cleanup();
	/* a database as fleetd left it before 0003 */
	int n02 = 0;
	while (migrations_files[n02].name && strncmp(migrations_files[n02].name, "0003", 4))
		n02++;
	struct embed_file upto2[8];
	CHECK(n02 == 2 && migrations_files[n02].name != NULL);
	memcpy(upto2, migrations_files, (size_t)n02 * sizeof upto2[0]);
	upto2[n02] = (struct embed_file){NULL, NULL, 0};
	struct store *st = store_open_with(path, upto2, err, sizeof err);
	CHECK(st != NULL);
	if (!st)
		return;
	CHECK(ephemeral_tables(st, "UPDATE jobs SET state = ?2 WHERE id = ?1") > 0);
	const char *states[] = {"waiting", "succeeded", "paused", "cancelled"};
	for (int i = 1; i <= 4; i++) {
		snprintf(sql, sizeof sql, JOB_ROW, i, i, 100 + i, 100 + i, states[i - 1],
			 200 + i, i == 2 ? "'key-2'" : "NULL", i == 2 ? "'{}'" : "NULL");
		CHECK(store_exec(st, sql) == 0);
	}
	store_close(st);

	st = store_open(path, err, sizeof err);
	CHECK(st != NULL);
	if (!st)
		return;
	CHECK_EQ_INT(store_schema_version(st), store_latest_version());
	CHECK_EQ_INT(count(st, "SELECT count(*) FROM jobs"), 4);
	CHECK_EQ_INT(count(st, "SELECT count(*) FROM jobs WHERE id = 2 AND name = 'n2' "
			       "AND fleet = 102 AND spec = '{\"fleet\":102}' AND "
			       "state = 'succeeded' AND step = 1 AND sub_state = 'MOVING' "
			       "AND step_data = '{\"x\":1}' AND wake_at = 1700000000000 "
			       "AND wait_kind = 'anchored' AND wait_key = 202 AND "
			       "idem_key = 'key-2' AND created_at = 1600000000000 AND "
			       "updated_at = 1600000000001"), 1);
	CHECK_EQ_INT(count(st, "SELECT count(*) FROM sqlite_master WHERE type = 'index' "
			       "AND tbl_name = 'jobs' AND name LIKE 'jobs_%'"), 11);
	/* 0005: jobs_world_lease, 0006: jobs_finished, 0007: jobs_parent,
	 * 0008: jobs_schedule, 0009: jobs_trigger, 0012: jobs_retry_of */
	CHECK_EQ_INT(count(st, "SELECT count(*) FROM sqlite_master WHERE name = 'jobs_new'"), 0);
	/* the rules of 0002 still hold */
	CHECK(store_exec(st, "UPDATE jobs SET state = 'lost' WHERE id = 1") < 0);
	snprintf(sql, sizeof sql, JOB_ROW, 5, 5, 101, 101, "queued", 0, "NULL", "NULL");
	CHECK(store_exec(st, sql) < 0); /* fleet 101 is leased by live job 1 */
	snprintf(sql, sizeof sql, JOB_ROW, 5, 5, 102, 102, "queued", 0, "NULL", "NULL");
	CHECK(store_exec(st, sql) == 0); /* job 2 has ended: 102 is free */
	/* 0005: one live job per world, as per fleet */
	CHECK(store_exec(st, "UPDATE jobs SET world = 7001 WHERE id = 5") == 0);
	CHECK(store_exec(st, "UPDATE jobs SET world = 7001 WHERE id = 1") < 0);
	CHECK(store_exec(st, "UPDATE jobs SET world = 7001 WHERE id = 2") == 0); /* ended */
	snprintf(sql, sizeof sql, JOB_ROW, 6, 6, 106, 106, "queued", 0, "'key-2'", "'{}'");
	CHECK(store_exec(st, sql) < 0); /* Idempotency-Key used */
	/* 0006: retry_of, and the ended jobs and loose events by age */
	CHECK(store_exec(st, "UPDATE jobs SET retry_of = 2 WHERE id = 5") == 0);
	CHECK_EQ_INT(count(st, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND "
			       "name IN ('jobs_finished', 'events_loose')"), 2);
	/* 0009: jobs.trigger; a firing per (trigger, event) */
	CHECK(store_exec(st, "UPDATE jobs SET \"trigger\" = 3 WHERE id = 5") == 0);
	CHECK(store_exec(st, "INSERT INTO trigger_firings (trigger_id, event_id, at, state) "
			 "VALUES (3, 9, 1, 'pending')") == 0);
	CHECK(store_exec(st, "INSERT INTO trigger_firings (trigger_id, event_id, at, state) "
			 "VALUES (3, 9, 2, 'fired')") < 0);
	CHECK(store_exec(st, "INSERT INTO trigger_firings (trigger_id, event_id, at, state) "
			 "VALUES (3, 10, 2, 'lost')") < 0);
	/* and a state change is plain comparisons now */
	CHECK_EQ_INT(ephemeral_tables(st, "UPDATE jobs SET state = ?2 WHERE id = ?1"), 0);
	store_close(st);
	cleanup();
}

/* The migrations before the one numbered prefix (4 digits). */
static struct store *open_before(const char *prefix, char *err, size_t errlen)
{
	static struct embed_file upto[64];
	int n = 0;
	while (migrations_files[n].name && strncmp(migrations_files[n].name, prefix, 4) &&
	       n < 63)
		n++;
	if (!migrations_files[n].name)
		return NULL;
	memcpy(upto, migrations_files, (size_t)n * sizeof upto[0]);
	upto[n] = (struct embed_file){NULL, NULL, 0};
	return store_open_with(path, upto, err, errlen);
}

/* Rows 1..n of row_fmt, an INSERT whose two %s take "id," and "N," (a row
 * with the id given) or "" and "" (the next id the table hands out). */
static void add_numbered(struct store *st, const char *row_fmt, int n)
{
	char sql[300], idv[16];
	for (int id = 1; id <= n; id++) {
		snprintf(idv, sizeof idv, "%d,", id);
		snprintf(sql, sizeof sql, row_fmt, "id,", idv);
		CHECK(store_exec(st, sql) == 0);
	}
}

static const char TRIGGER_ROW[] =
	"INSERT INTO triggers (%s name, event, job, created_at) "
	"VALUES (%s 'n', 'job.failed', '{}', 1)";

static void test_trigger_ids(void)
{
	char err[256], sql[300];
	cleanup();
	struct store *st = open_before("0013", err, sizeof err);
	CHECK(st != NULL);
	if (!st)
		return;
	/* triggers 1 and 2; 2 and 7 deleted, 7's job still names it */
	add_numbered(st, TRIGGER_ROW, 2);
	CHECK(store_exec(st, "UPDATE triggers SET paused = 1, last_fired_at = 5 WHERE id = 1") == 0);
	snprintf(sql, sizeof sql, JOB_ROW, 1, 1, 101, 101, "succeeded", 0, "NULL", "NULL");
	CHECK(store_exec(st, sql) == 0);
	CHECK(store_exec(st, "UPDATE jobs SET \"trigger\" = 7 WHERE id = 1") == 0);
	CHECK(store_exec(st, "DELETE FROM triggers WHERE id = 2") == 0);
	store_close(st);

	st = store_open(path, err, sizeof err);
	CHECK(st != NULL);
	if (!st)
		return;
	CHECK_EQ_INT(count(st, "SELECT count(*) FROM triggers WHERE id = 1 AND paused = 1 "
			       "AND last_fired_at = 5 AND name = 'n'"), 1);
	snprintf(sql, sizeof sql, TRIGGER_ROW, "", "");
	CHECK(store_exec(st, sql) == 0);
	CHECK_EQ_INT(count(st, "SELECT max(id) FROM triggers"), 8); /* past job 1's 7 */
	CHECK(store_exec(st, "DELETE FROM triggers WHERE id = 8") == 0);
	CHECK(store_exec(st, sql) == 0);
	CHECK_EQ_INT(count(st, "SELECT max(id) FROM triggers"), 9); /* 8 not again */
	store_close(st);
	cleanup();
}

static const char HOOK_ROW[] =
	"INSERT INTO webhooks (%s url, events, format, secret, created_ms) "
	"VALUES (%s 'http://127.0.0.1:1/x', '[\"job.failed\"]', 'json', 's', 1)";
static const char DELIVERY_ROW[] =
	"INSERT INTO webhook_outbox (webhook_id, event_id, type, body, created_ms, next_ms, "
	"expires_ms) VALUES (%d, 1, 'job.failed', '{}', 1, 1, 2)";

static void add_delivery(struct store *st, int hook)
{
	char sql[300];
	snprintf(sql, sizeof sql, DELIVERY_ROW, hook);
	CHECK(store_exec(st, sql) == 0);
}

static void test_webhook_ids(void)
{
	char err[256], sql[300];
	cleanup();
	struct store *st = open_before("0014", err, sizeof err);
	CHECK(st != NULL);
	if (!st)
		return;
	/* webhooks 1 and 2; deliveries 1, 2 of webhook 1 and 3 of webhook 2 */
	add_numbered(st, HOOK_ROW, 2);
	add_delivery(st, 1);
	add_delivery(st, 1);
	add_delivery(st, 2);
	CHECK(store_exec(st, "UPDATE webhook_outbox SET state = 'delivered', attempts = 1, "
			     "done_ms = 9 WHERE id = 1") == 0);
	store_close(st);

	st = store_open(path, err, sizeof err);
	CHECK(st != NULL);
	if (!st)
		return;
	CHECK_EQ_INT(count(st, "SELECT count(*) FROM webhook_outbox WHERE webhook_id = 1"), 2);
	CHECK_EQ_INT(count(st, "SELECT count(*) FROM webhook_outbox WHERE id = 1 AND "
			       "state = 'delivered' AND attempts = 1 AND done_ms = 9"), 1);
	/* the newest webhook deleted with its delivery 3: neither id again */
	CHECK(store_exec(st, "DELETE FROM webhooks WHERE id = 2") == 0);
	CHECK_EQ_INT(count(st, "SELECT count(*) FROM webhook_outbox WHERE id = 3"), 0);
	snprintf(sql, sizeof sql, HOOK_ROW, "", "");
	CHECK(store_exec(st, sql) == 0);
	CHECK_EQ_INT(count(st, "SELECT max(id) FROM webhooks"), 3);
	add_delivery(st, 3);
	CHECK_EQ_INT(count(st, "SELECT max(id) FROM webhook_outbox"), 4);
	CHECK(store_exec(st, "DELETE FROM webhooks WHERE id = 3") == 0);
	CHECK(store_exec(st, sql) == 0);
	CHECK_EQ_INT(count(st, "SELECT max(id) FROM webhooks"), 4);
	add_delivery(st, 4);
	CHECK_EQ_INT(count(st, "SELECT max(id) FROM webhook_outbox"), 5);
	/* a webhook's rows still go with it, and need it */
	CHECK(store_exec(st, "DELETE FROM webhooks WHERE id = 1") == 0);
	CHECK_EQ_INT(count(st, "SELECT count(*) FROM webhook_outbox"), 1);
	fprintf(stderr, "# a FOREIGN KEY error is expected next\n");
	snprintf(sql, sizeof sql, DELIVERY_ROW, 77);
	CHECK(store_exec(st, sql) != 0);
	store_close(st);
	cleanup();
}

int main(void)
{
	snprintf(path, sizeof path, "/tmp/fleetd-test-mig-%d.db", (int)getpid());
	test_fresh_and_again();
	test_newer_refused();
	test_failure_rolls_back();
	test_group_commit();
	test_jobs_rebuilt();
	test_trigger_ids();
	test_webhook_ids();
	return tap_done();
}
