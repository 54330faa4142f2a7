/* test_job_row.c -- the job-row codec (job_row.c) against the real schema:
 * every column written by the INSERT comes back by the decoder with the
 * value it was given, each optional column's 0 is stored as NULL and read
 * as 0, an UPDATE of some columns leaves the others alone, the SELECT
 * names its columns where the decoder reads them, and the states, wait
 * kinds and the live-state condition agree with the names stored.
 * JOB_COLS_INDEXED names every column an index of `jobs` covers among those
 * a save writes: the UPDATE of JOB_COLS_SAVE opens the table alone, no
 * index (SQLite maintains an index only for the columns an UPDATE names). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "job_row.h"
#include "schema.h"
#include "step.h"
#include "tap.h"
#include "tmpdb.h"

static char path[256];

static void cleanup(void)
{
	tmpdb_remove(path);
}

/* A row with a distinct value in every column. */
static struct job_row full_row(void)
{
	return (struct job_row){
		.id = 41, .name = "n\"ame", .fleet = 7001, .spec = "{\"steps\":[]}",
		.state = JOB_PAUSED, .paused_from = JOB_WAITING, .step = 3,
		.sub_state = "TRAVELLING", .step_data = "{\"a\":1}", .iteration = 5,
		.wake_at = 1700000000123, .wait = WAIT_ANCHORED, .wait_key = 7001,
		.wait_arg = 88, .attempts = 2, .last_error = "upstream: busy",
		.created_at = 1700000000001, .updated_at = 1700000000002,
		.started_at = 1700000000003, .finished_at = 1700000000004,
		.intent_world = 99, .idem_key = "key-1", .idem_body = "{\"b\":2}",
	};
}

static int same_text(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Compare every column of cols; one CHECK per column, so a failure names
 * the column's line. */
static void check_row(const struct job_row *got, const struct job_row *want, job_cols cols)
{
#define INT_COL(c, f) \
	if (cols & JC_BIT(c)) CHECK_EQ_INT(got->f, want->f)
#define TEXT_COL(c, f) \
	if (cols & JC_BIT(c)) CHECK(same_text(got->f, want->f))
	INT_COL(JC_ID, id);
	TEXT_COL(JC_NAME, name);
	INT_COL(JC_FLEET, fleet);
	TEXT_COL(JC_SPEC, spec);
	INT_COL(JC_STATE, state);
	INT_COL(JC_PAUSED_FROM, paused_from);
	INT_COL(JC_STEP, step);
	TEXT_COL(JC_SUB_STATE, sub_state);
	TEXT_COL(JC_STEP_DATA, step_data);
	INT_COL(JC_ITERATION, iteration);
	INT_COL(JC_WAKE_AT, wake_at);
	INT_COL(JC_WAIT_KIND, wait);
	INT_COL(JC_WAIT_KEY, wait_key);
	INT_COL(JC_WAIT_ARG, wait_arg);
	INT_COL(JC_ATTEMPTS, attempts);
	TEXT_COL(JC_LAST_ERROR, last_error);
	INT_COL(JC_CREATED_AT, created_at);
	INT_COL(JC_UPDATED_AT, updated_at);
	INT_COL(JC_STARTED_AT, started_at);
	INT_COL(JC_FINISHED_AT, finished_at);
	INT_COL(JC_INTENT_WORLD, intent_world);
	TEXT_COL(JC_IDEM_KEY, idem_key);
	TEXT_COL(JC_IDEM_BODY, idem_body);
#undef INT_COL
#undef TEXT_COL
}

static int insert(struct store *st, const struct job_row *row)
{
	char sql[1024];
	sqlite3_stmt *s = NULL;
	if (job_row_insert_sql(sql, sizeof sql, JOB_COLS_ALL) < 0 ||
	    sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	job_row_bind(s, JOB_COLS_ALL, row);
	int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
	if (rc < 0)
		fprintf(stderr, "insert: %s\n", sqlite3_errmsg(store_db(st)));
	sqlite3_finalize(s);
	return rc;
}

/* Read row id with cols and compare it with want. */
static void read_back(struct store *st, int64_t id, job_cols cols, const struct job_row *want)
{
	char sql[1024];
	sqlite3_stmt *s = NULL;
	CHECK(job_row_select_sql(sql, sizeof sql, cols, "WHERE id = ?1") == 0);
	CHECK(sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) == SQLITE_OK);
	sqlite3_bind_int64(s, 1, id);
	CHECK(sqlite3_step(s) == SQLITE_ROW);
	/* the SELECT names each column where the decoder reads it */
	int i = 0;
	for (int c = 0; c < JC_COUNT; c++)
		if (cols & JC_BIT(c))
			CHECK(strcmp(sqlite3_column_name(s, i++), job_col_name(c)) == 0);
	CHECK_EQ_INT(sqlite3_column_count(s), i);
	struct job_row got;
	job_row_decode(s, cols, &got);
	check_row(&got, want, cols);
	sqlite3_finalize(s);
}

static int is_null(struct store *st, int64_t id, const char *col)
{
	char sql[128];
	sqlite3_stmt *s = NULL;
	snprintf(sql, sizeof sql, "SELECT %s IS NULL FROM jobs WHERE id = %lld", col,
		 (long long)id);
	int v = -1;
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

static void test_round_trip(struct store *st)
{
	struct job_row row = full_row();
	CHECK(insert(st, &row) == 0);
	read_back(st, row.id, JOB_COLS_ALL, &row);
	read_back(st, row.id, JOB_COLS_READ, &row);
	read_back(st, row.id, JC_BIT(JC_WAIT_ARG) | JC_BIT(JC_ID), &row);
	/* what the codec says is stored is what is read back */
	struct job_row as;
	job_row_as_stored(JOB_COLS_READ, &row, &as);
	read_back(st, row.id, JOB_COLS_READ, &as);
}

static void test_nulls(struct store *st)
{
	/* a queued job that never ran: every optional column empty */
	struct job_row row = {
		.id = 42, .spec = "{}", .state = JOB_QUEUED, .paused_from = -1,
		.sub_state = "START", .step_data = "{}", .created_at = 5, .updated_at = 5,
		.wait_key = 123, .wait_arg = 456, /* no wait: stored NULL */
	};
	CHECK(insert(st, &row) == 0);
	const char *nulls[] = {"name", "fleet", "paused_from", "wake_at", "wait_kind",
			       "wait_key", "wait_arg", "last_error", "started_at",
			       "finished_at", "intent_world", "idem_key", "idem_body"};
	for (size_t i = 0; i < sizeof nulls / sizeof nulls[0]; i++)
		if (is_null(st, 42, nulls[i]) != 1) {
			fprintf(stderr, "column %s is not NULL\n", nulls[i]);
			CHECK(0);
		}
	struct job_row as;
	job_row_as_stored(JOB_COLS_ALL, &row, &as);
	read_back(st, 42, JOB_COLS_ALL, &as);
	row.wait_key = row.wait_arg = 0;
	read_back(st, 42, JOB_COLS_ALL, &row);
	/* a wait whose key is 0 keeps the 0 */
	row.wait = WAIT_READY;
	char sql[1024];
	sqlite3_stmt *s = NULL;
	job_cols w = JC_BIT(JC_ID) | JC_BIT(JC_WAIT_KIND) | JC_BIT(JC_WAIT_KEY);
	CHECK(job_row_update_sql(sql, sizeof sql, w) == 0);
	CHECK(sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) == SQLITE_OK);
	job_row_bind(s, w, &row);
	CHECK(sqlite3_step(s) == SQLITE_DONE);
	sqlite3_finalize(s);
	CHECK_EQ_INT(is_null(st, 42, "wait_key"), 0);
	read_back(st, 42, JOB_COLS_ALL, &row);
	job_row_as_stored(JOB_COLS_ALL, &row, &as);
	read_back(st, 42, JOB_COLS_ALL, &as);
	/* a state or wait that is not one is stored as NULL */
	row.state = 99;
	row.wait = 99;
	job_row_as_stored(JOB_COLS_ALL, &row, &as);
	CHECK_EQ_INT(as.state, -1);
	CHECK_EQ_INT(as.wait, WAIT_NONE);
	CHECK_EQ_INT(as.wait_key, 0);
}

static void test_update_some(struct store *st)
{
	struct job_row row = full_row();
	struct job_row ch = row;
	ch.state = JOB_FAILED;
	ch.paused_from = -1;
	ch.step = 9;
	ch.last_error = NULL;
	ch.finished_at = 0;
	ch.name = "ignored"; /* not in the update */
	job_cols cols = JC_BIT(JC_ID) | JC_BIT(JC_STATE) | JC_BIT(JC_PAUSED_FROM) |
		JC_BIT(JC_STEP) | JC_BIT(JC_LAST_ERROR) | JC_BIT(JC_FINISHED_AT);
	char sql[1024];
	sqlite3_stmt *s = NULL;
	CHECK(job_row_update_sql(sql, sizeof sql, cols) == 0);
	CHECK(strstr(sql, "name") == NULL && strstr(sql, "WHERE id = ?1") != NULL);
	CHECK(sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) == SQLITE_OK);
	job_row_bind(s, cols, &ch);
	CHECK(sqlite3_step(s) == SQLITE_DONE);
	CHECK_EQ_INT(sqlite3_changes(store_db(st)), 1);
	sqlite3_finalize(s);
	struct job_row want = row;
	want.state = JOB_FAILED;
	want.paused_from = -1;
	want.step = 9;
	want.last_error = NULL;
	want.finished_at = 0;
	read_back(st, row.id, JOB_COLS_ALL, &want);
}

static void test_names(void)
{
	for (int i = 0; i < JOB_STATE_COUNT; i++)
		CHECK_EQ_INT(job_state_of(job_state_name(i)), i);
	CHECK_EQ_INT(job_state_of("nope"), -1);
	CHECK_EQ_INT(job_state_of(NULL), -1);
	CHECK(strcmp(job_state_name(99), "?") == 0);
	for (int w = WAIT_NONE + 1; w < WAIT_KIND_COUNT; w++)
		CHECK_EQ_INT(job_wait_of(job_wait_name(w)), w);
	CHECK(job_wait_name(WAIT_NONE) == NULL);
	CHECK_EQ_INT(job_wait_of("nope"), WAIT_NONE);
	char live[256];
	CHECK(job_row_live_sql(live, sizeof live) == 0);
	CHECK(strcmp(live, "((state = 'queued' OR state = 'running' OR "
			   "state = 'waiting' OR state = 'paused') AND state <> 'succeeded')") == 0);
	char tiny[8];
	CHECK(job_row_live_sql(tiny, sizeof tiny) < 0);
	CHECK(job_row_indexed_state_sql(tiny, sizeof tiny) < 0);
	CHECK(job_row_select_sql(tiny, sizeof tiny, JOB_COLS_ALL, NULL) < 0);
	for (int c = 0; c < JC_COUNT; c++)
		CHECK(job_col_name(c) != NULL);
}

/* The b-trees an UPDATE of cols opens for writing, from its EXPLAIN. */
static int open_writes(struct store *st, job_cols cols)
{
	char sql[1024], ex[1100];
	if (job_row_update_sql(sql, sizeof sql, cols) < 0)
		return -1;
	snprintf(ex, sizeof ex, "EXPLAIN %s", sql);
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(store_db(st), ex, -1, &s, NULL) != SQLITE_OK)
		return -1;
	int n = 0;
	while (sqlite3_step(s) == SQLITE_ROW)
		n += strcmp((const char *)sqlite3_column_text(s, 1), "OpenWrite") == 0;
	sqlite3_finalize(s);
	return n;
}

static void test_save_opens_no_index(struct store *st)
{
	job_cols save = JOB_COLS_SAVE | JC_BIT(JC_ID);
	CHECK_EQ_INT(open_writes(st, save), 1);
	/* and each indexed column does bring its indexes in */
	for (int c = 0; c < JC_COUNT; c++)
		if (JOB_COLS_INDEXED & JC_BIT(c))
			CHECK(open_writes(st, save | JC_BIT(c)) > 1);
}

int main(void)
{
	snprintf(path, sizeof path, "/tmp/fleetd-test-job-row-%d.db", (int)getpid());
	cleanup();
	char err[256];
	struct store *st = store_open(path, err, sizeof err);
	CHECK(st != NULL);
	if (st) {
		test_round_trip(st);
		test_nulls(st);
		test_update_some(st);
		test_save_opens_no_index(st);
		store_close(st);
	}
	test_names();
	cleanup();
	return tap_done();
}
