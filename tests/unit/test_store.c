/* test_store.c -- the store's statement cache: a text is prepared once and
 * handed back (reset, bindings cleared) on every later call; a full cache
 * refuses a new text instead of handing out a statement nobody would
 * finalize, keeps serving the texts it holds, and closes cleanly (the
 * sanitizer build's leak check sees any statement left behind).  Uses an
 * empty migration table: the cache does not depend on a schema. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "embed.h"
#include "store.h"
#include "tap.h"

static const struct embed_file no_migrations[] = {{NULL, NULL, 0}};

static char path[256];

static void cleanup(void)
{
	char p[300];
	unlink(path);
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
}

static struct store *open_empty(void)
{
	char err[256];
	cleanup();
	struct store *st = store_open_with(path, no_migrations, err, sizeof err);
	if (!st)
		fprintf(stderr, "store_open_with: %s\n", err);
	return st;
}

/* The same text gives the same statement, reset and unbound. */
static void test_reuse(void)
{
	static const char sql[] = "SELECT ?1";
	struct store *st = open_empty();
	CHECK(st != NULL);
	if (!st)
		return;
	sqlite3_stmt *a = store_stmt(st, sql);
	CHECK(a != NULL);
	if (a) {
		sqlite3_bind_int(a, 1, 42);
		CHECK(sqlite3_step(a) == SQLITE_ROW);
		CHECK_EQ_INT(sqlite3_column_int(a, 0), 42);
	}
	sqlite3_stmt *b = store_stmt(st, sql);
	CHECK(b == a);
	if (b) {
		CHECK(sqlite3_step(b) == SQLITE_ROW);
		CHECK(sqlite3_column_type(b, 0) == SQLITE_NULL); /* bindings cleared */
	}
	CHECK(store_stmt(st, "SELECT nonsense FROM nowhere") == NULL);
	store_close(st);
}

/* STORE_STMT_CACHE distinct texts fill the cache; one more is refused. */
static void test_full_cache(void)
{
	static char texts[STORE_STMT_CACHE + 1][32];
	sqlite3_stmt *held[STORE_STMT_CACHE];
	struct store *st = open_empty();
	CHECK(st != NULL);
	if (!st)
		return;
	int prepared = 0;
	for (int i = 0; i < STORE_STMT_CACHE; i++) {
		snprintf(texts[i], sizeof texts[i], "SELECT %d", i);
		held[i] = store_stmt(st, texts[i]);
		prepared += held[i] != NULL;
	}
	CHECK_EQ_INT(prepared, STORE_STMT_CACHE);

	snprintf(texts[STORE_STMT_CACHE], sizeof texts[0], "SELECT %d", STORE_STMT_CACHE);
	CHECK(store_stmt(st, texts[STORE_STMT_CACHE]) == NULL); /* logged */
	CHECK(store_stmt(st, texts[STORE_STMT_CACHE]) == NULL); /* every time */

	/* what the cache holds still works, first and last */
	CHECK(store_stmt(st, texts[0]) == held[0]);
	sqlite3_stmt *last = store_stmt(st, texts[STORE_STMT_CACHE - 1]);
	CHECK(last == held[STORE_STMT_CACHE - 1]);
	if (last) {
		CHECK(sqlite3_step(last) == SQLITE_ROW);
		CHECK_EQ_INT(sqlite3_column_int(last, 0), STORE_STMT_CACHE - 1);
	}
	/* no statement exists outside the cache, so close finalizes them all */
	int open_stmts = 0;
	for (sqlite3_stmt *s = sqlite3_next_stmt(store_db(st), NULL); s;
	     s = sqlite3_next_stmt(store_db(st), s))
		open_stmts++;
	CHECK_EQ_INT(open_stmts, STORE_STMT_CACHE);
	store_close(st);
}

int main(void)
{
	snprintf(path, sizeof path, "/tmp/fleetd-test-store-%d.db", (int)getpid());
	test_reuse();
	test_full_cache();
	cleanup();
	return tap_done();
}
