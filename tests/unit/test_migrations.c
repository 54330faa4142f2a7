/* test_migrations.c -- the runner: a fresh file gets every migration once,
 * a second open applies nothing, WAL is on, the file is 0600, a database
 * from a newer schema is refused, a failing migration leaves nothing
 * behind, and a gap in the numbering is refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store.h"
#include "tap.h"

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
	char p[300];
	unlink(path);
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
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

int main(void)
{
	snprintf(path, sizeof path, "/tmp/fleetd-test-mig-%d.db", (int)getpid());
	test_fresh_and_again();
	test_newer_refused();
	test_failure_rolls_back();
	test_group_commit();
	return tap_done();
}
