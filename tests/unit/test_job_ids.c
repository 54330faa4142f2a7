/* test_job_ids.c -- the ids engine_submit() hands out (engine.c's
 * next_job_id), on the steps' harness: a real engine, store and event log
 * over a temporary database.
 *
 * The next id is read from the table once and then followed in memory;
 * checked here that it is the id reading max(id) + 1 every time would
 * give: one after the other within a transaction and across commits, and,
 * after a commit that failed, the ids of the rows it lost handed out
 * again (the rows are gone, no client was told of them). */
#include "steps_fixture.h"

#include <sqlite3.h>

static int64_t table_next(void)
{
	sqlite3_stmt *s;
	int64_t n = -1;
	if (sqlite3_prepare_v2(store_db(H.st), "SELECT coalesce(max(id), 0) + 1 FROM jobs",
			       -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

static void test_in_order(void)
{
	int64_t a = other_job(0, 0), b = other_job(0, 0);
	CHECK_EQ_INT(b, a + 1);
	CHECK_EQ_INT(table_next(), b + 1);
	CHECK_EQ_INT(store_commit(H.st), 0);
	CHECK_EQ_INT(store_begin(H.st), 0);
	int64_t c = other_job(0, 0);
	CHECK_EQ_INT(c, b + 1);
	end_other_job(a);
	end_other_job(b);
	end_other_job(c);
	CHECK_EQ_INT(store_commit(H.st), 0);
}

/* The transaction is lost behind the store's back (as SQLite does on a
 * full disk): the commit fails, the engine is told, and the next job
 * takes the first of the lost ids. */
static void test_after_failed_commit(void)
{
	int64_t first = table_next();
	CHECK_EQ_INT(store_begin(H.st), 0);
	int64_t a = other_job(0, 0), b = other_job(0, 0);
	CHECK(a == first && b == first + 1);
	CHECK_EQ_INT(sqlite3_exec(store_db(H.st), "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	CHECK_EQ_INT(store_commit(H.st), -1);
	CHECK_EQ_INT(store_probe(H.st), 0);
	CHECK_EQ_INT(store_begin(H.st), 0);
	CHECK_EQ_INT(table_next(), first);
	int64_t c = other_job(0, 0);
	CHECK_EQ_INT(c, first);
	end_other_job(c);
}

int main(void)
{
	char path[512];
	if (fixture_excerpt(path, sizeof path) < 0)
		return 77;
	int ok = setup(path, json_array()) == 0;
	CHECK(ok);
	if (ok) {
		test_in_order();
		test_after_failed_commit();
	}
	teardown();
	return tap_done();
}
