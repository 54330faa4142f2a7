/* test_job_plan.c -- the access path of GET /v1/jobs's list (job_filter.c,
 * job_read.c) on a real database with fleetd's schema, by EXPLAIN QUERY
 * PLAN of the very SELECT the list runs:
 *   - each filter whose column has an index (parent, schedule, trigger,
 *     retry_of, fleet, state) is answered from that index, not by walking
 *     the jobs by id;
 *   - given with others, the first indexed one in the table drives and
 *     the others stay plain conditions (parent with state: jobs_parent);
 *   - no filter, or only unindexed ones (name, since), walks the ids;
 *   - the filters' order in the table puts the drivers first;
 *   - jobs_state, keyed by the state alone and holding no succeeded job
 *     (migration 0016), serves the paging of a list by any other state,
 *     the counts but succeeded's and the start-up's read of live jobs; a
 *     list of succeeded jobs walks the ids;
 *   - a job's state change (the engine's write) does not open jobs_parent,
 *     and jobs_world_lease's condition tests the world first (migration
 *     0018), so a fleet job pays for neither. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "job_filter.h"
#include "job_read.h"
#include "job_row.h"
#include "schema.h"
#include "store.h"
#include "tap.h"
#include "tmpdb.h"

static char path[256];

/* The plan of sql, its lines joined by '|', into buf. */
static void plan_of(struct store *st, const char *sql, char *buf, size_t len)
{
	char q[4096];
	sqlite3_stmt *s = NULL;
	buf[0] = 0;
	snprintf(q, sizeof q, "EXPLAIN QUERY PLAN %s", sql);
	if (sqlite3_prepare_v2(store_db(st), q, -1, &s, NULL) != SQLITE_OK) {
		snprintf(buf, len, "prepare: %s", sqlite3_errmsg(store_db(st)));
		return;
	}
	while (sqlite3_step(s) == SQLITE_ROW) {
		size_t used = strlen(buf);
		snprintf(buf + used, len - used, "%s|", (const char *)sqlite3_column_text(s, 3));
	}
	sqlite3_finalize(s);
}

/* Does the list for f's filters search index (NULL: walk the ids)? */
static int list_uses(struct store *st, struct jobread *r, const struct job_filters *f,
		     const char *index)
{
	char plan[1024], want[80];
	plan_of(st, jobread_list_sql(r, f), plan, sizeof plan);
	if (index)
		snprintf(want, sizeof want, "USING INDEX %s (", index);
	else
		snprintf(want, sizeof want, "USING INTEGER PRIMARY KEY (rowid>?)");
	int ok = strstr(plan, want) != NULL;
	if (!ok)
		fprintf(stderr, "# want %s; plan: %s\n", want, plan);
	return ok;
}

static void test_each(struct store *st, struct jobread *r)
{
	int indexed = 0;
	for (int i = 0; i < JF_COUNT; i++) {
		struct job_filters f = {0};
		f.set[i] = 1;
		CHECK(list_uses(st, r, &f, job_filter_index(i)));
		indexed += job_filter_index(i) != NULL;
	}
	CHECK_EQ_INT(indexed, 6);
	/* the drivers come first, so "the first given indexed one" is a
	 * table order and not a request's */
	for (int i = 1; i < JF_COUNT; i++)
		CHECK(job_filter_index(i - 1) || !job_filter_index(i));
}

static void test_combined(struct store *st, struct jobread *r)
{
	struct job_filters none = {0}, f = {0};
	CHECK(list_uses(st, r, &none, NULL));
	CHECK_EQ_INT(job_filters_drive(&none), -1);
	f.set[JF_STATE] = f.set[JF_PARENT] = 1;
	CHECK_EQ_INT(job_filters_drive(&f), JF_PARENT);
	CHECK(list_uses(st, r, &f, "jobs_parent"));
	memset(&f, 0, sizeof f);
	f.set[JF_NAME] = f.set[JF_SINCE] = f.set[JF_FLEET] = 1;
	CHECK(list_uses(st, r, &f, "jobs_fleet"));
	f.set[JF_FLEET] = 0;
	CHECK(list_uses(st, r, &f, NULL));
}

/* jobs_state is keyed by the state alone (migration 0015) and holds no
 * succeeded job (0016): the list by any other state still pages inside
 * the index (the id cursor is the rowid every entry ends with), a list of
 * succeeded jobs walks the ids, the counts but succeeded's and the live
 * jobs read at start-up still read the index alone, and the total the
 * succeeded count is taken from reads a full index, not the table. */
static void test_state_index(struct store *st, struct jobread *r)
{
	char plan[1024], live[256], sql[512], indexed[64];
	struct job_filters f = {0};
	f.set[JF_STATE] = 1;
	for (int state = 0; state < JOB_STATE_COUNT; state++) {
		f.num[JF_STATE] = state;
		plan_of(st, jobread_list_sql(r, &f), plan, sizeof plan);
		if (state == JOB_STATE_UNINDEXED)
			CHECK(strstr(plan, "USING INTEGER PRIMARY KEY (rowid>?)") != NULL);
		else
			CHECK(strstr(plan, "USING INDEX jobs_state (state=? AND rowid>?)") != NULL);
	}
	CHECK(job_row_indexed_state_sql(indexed, sizeof indexed) == 0);
	CHECK(strcmp(indexed, "state <> 'succeeded'") == 0);
	snprintf(sql, sizeof sql, "SELECT state, count(*) FROM jobs WHERE %s GROUP BY state",
		 indexed);
	plan_of(st, sql, plan, sizeof plan);
	CHECK(strstr(plan, "USING COVERING INDEX jobs_state") != NULL);
	plan_of(st, "SELECT count(*) FROM jobs", plan, sizeof plan);
	CHECK(strstr(plan, "USING COVERING INDEX") != NULL);
	CHECK(strstr(plan, "jobs_state") == NULL);
	CHECK(job_row_live_sql(live, sizeof live) == 0);
	snprintf(sql, sizeof sql, "SELECT id FROM jobs WHERE %s", live);
	plan_of(st, sql, plan, sizeof plan);
	CHECK(strstr(plan, "USING COVERING INDEX jobs_state (state=?)") != NULL);
	if (!strstr(plan, "jobs_state"))
		fprintf(stderr, "# live plan: %s\n", plan);
}

/* The root page of index name; 0 if there is none. */
static int root_of(struct store *st, const char *name)
{
	sqlite3_stmt *s = NULL;
	int root = 0;
	if (sqlite3_prepare_v2(store_db(st), "SELECT rootpage FROM sqlite_schema WHERE name = ?1",
			       -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW)
			root = sqlite3_column_int(s, 0);
	}
	sqlite3_finalize(s);
	return root;
}

/* Does the program of sql open a cursor on the b-tree at root? */
static int opens(struct store *st, const char *sql, int root)
{
	char q[4096];
	sqlite3_stmt *s = NULL;
	int n = 0;
	snprintf(q, sizeof q, "EXPLAIN %s", sql);
	if (sqlite3_prepare_v2(store_db(st), q, -1, &s, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *op = (const char *)sqlite3_column_text(s, 1);
		n += strncmp(op, "Open", 4) == 0 && sqlite3_column_int(s, 3) == root;
	}
	sqlite3_finalize(s);
	return n > 0;
}

static void test_state_write(struct store *st)
{
	char sql[2048], index_sql[512] = "";
	int parent = root_of(st, "jobs_parent"), lease = root_of(st, "jobs_fleet_lease");
	CHECK(parent > 0 && lease > 0);
	/* the write of a job that ends, as the engine words it */
	CHECK(job_row_update_sql(sql, sizeof sql,
				 JC_BIT(JC_ID) | JC_BIT(JC_STATE) | JC_BIT(JC_STEP) |
				 JC_BIT(JC_WAIT_KIND) | JC_BIT(JC_FINISHED_AT)) == 0);
	CHECK_EQ_INT(opens(st, sql, lease), 1); /* the check can see an open */
	CHECK_EQ_INT(opens(st, sql, parent), 0);
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(store_db(st), "SELECT sql FROM sqlite_schema WHERE name = "
			       "'jobs_world_lease'", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		snprintf(index_sql, sizeof index_sql, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	CHECK(strstr(index_sql, "WHERE world IS NOT NULL AND (state = ") != NULL);
}

int main(void)
{
	snprintf(path, sizeof path, "/tmp/fleetd-test-job-plan-%d.db", (int)getpid());
	tmpdb_remove(path);
	char err[256];
	struct store *st = store_open(path, err, sizeof err);
	struct jobread *r = st ? jobread_new(st) : NULL;
	CHECK(r != NULL);
	if (r) {
		test_each(st, r);
		test_combined(st, r);
		test_state_index(st, r);
		test_state_write(st);
	}
	jobread_free(r);
	if (st)
		store_close(st);
	tmpdb_remove(path);
	return tap_done();
}
