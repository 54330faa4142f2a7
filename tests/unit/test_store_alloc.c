/* test_store_alloc.c -- SQLite's allocator (store_alloc.c), installed as
 * store_open does it: what sqlite3_malloc/realloc/free/msize answer through
 * it (capacities, contents kept across a realloc, a block freed and handed
 * out again, large blocks in their coarser classes and the largest not
 * kept), the bounds on what its free lists keep, and a real database
 * written and read through it.  In a sanitizer build it is not installed
 * (SQLite's own allocator is checked instead). */
#include <sqlite3.h>
#include <string.h>

#include "store_alloc.h"
#include "tap.h"
#include "tmpdb.h"

static const struct embed_file no_migrations[] = {{NULL, NULL, 0}};

static void test_blocks(void)
{
	char *a = sqlite3_malloc(100);
	CHECK(a != NULL);
	CHECK_EQ_INT(sqlite3_msize(a), 128); /* rounded up to its class */
	memset(a, 'x', 100);
	char *b = sqlite3_realloc(a, 120); /* same class: the same block */
	CHECK(b == a);
	char *c = sqlite3_realloc(b, 5000); /* a large class: moved, kept */
	CHECK(c != NULL && sqlite3_msize(c) == 2 * STORE_ALLOC_LARGE_GRAIN);
	CHECK(c[0] == 'x' && c[99] == 'x');
	char *d = sqlite3_realloc(c, 10); /* back into a class */
	CHECK(d != NULL && sqlite3_msize(d) == 64 && d[9] == 'x');
	size_t before = store_alloc_cached();
	sqlite3_free(d);
	CHECK_EQ_INT(store_alloc_cached(), before + 1);
	char *e = sqlite3_malloc(1);
	CHECK(e == d); /* the freed block of its class, handed out again */
	CHECK_EQ_INT(store_alloc_cached(), before);
	sqlite3_free(e);
	CHECK(sqlite3_msize(NULL) == 0);
	sqlite3_free(NULL);
}

/* However many blocks of a class are freed, STORE_ALLOC_KEEP are kept. */
static void test_bound(void)
{
	enum { N = STORE_ALLOC_KEEP * 3 };
	void *v[N];
	size_t before = store_alloc_cached();
	for (int i = 0; i < N; i++)
		v[i] = sqlite3_malloc(STORE_ALLOC_MAX_CLASS);
	for (int i = 0; i < N; i++)
		sqlite3_free(v[i]);
	CHECK(store_alloc_cached() <= before + STORE_ALLOC_KEEP);
	CHECK(store_alloc_cached() >= STORE_ALLOC_KEEP);
}

/* A large block is rounded to its class, handed out again once freed,
 * and a class keeps STORE_ALLOC_KEEP_BYTES of them at most; a block past
 * the largest class goes back to free(). */
static void test_large(void)
{
	enum { N = STORE_ALLOC_KEEP_BYTES / STORE_ALLOC_LARGE_GRAIN * 3 };
	char *a = sqlite3_malloc(9000);
	CHECK(a != NULL && sqlite3_msize(a) == 3 * STORE_ALLOC_LARGE_GRAIN);
	size_t before = store_alloc_cached();
	sqlite3_free(a);
	CHECK_EQ_INT(store_alloc_cached(), before + 1);
	char *b = sqlite3_malloc(3 * STORE_ALLOC_LARGE_GRAIN - 100);
	CHECK(b == a);
	sqlite3_free(b);

	before = store_alloc_cached();
	char *huge = sqlite3_malloc(STORE_ALLOC_MAX_LARGE + 1);
	CHECK(huge != NULL && sqlite3_msize(huge) >= STORE_ALLOC_MAX_LARGE + 1);
	sqlite3_free(huge);
	CHECK_EQ_INT(store_alloc_cached(), before);

	void *v[N];
	for (int i = 0; i < N; i++)
		v[i] = sqlite3_malloc(STORE_ALLOC_LARGE_GRAIN);
	for (int i = 0; i < N; i++)
		sqlite3_free(v[i]);
	CHECK(store_alloc_cached() <=
	      before + STORE_ALLOC_KEEP_BYTES / STORE_ALLOC_LARGE_GRAIN);
}

static void test_database(void)
{
	char path[256];
	struct store *st = tmpdb_open(path, sizeof path, "store-alloc", no_migrations);
	CHECK(st != NULL);
	if (!st)
		return;
	CHECK_EQ_INT(store_exec(st, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"), 0);
	CHECK_EQ_INT(store_begin(st), 0);
	for (int i = 0; i < 2000; i++) {
		sqlite3_stmt *s = store_stmt(st, "INSERT INTO t (v) VALUES (printf('%0*d', ?1, ?1))");
		CHECK(s != NULL);
		if (!s)
			break;
		sqlite3_bind_int(s, 1, i % 700);
		CHECK_EQ_INT(sqlite3_step(s), SQLITE_DONE);
	}
	CHECK_EQ_INT(store_commit(st), 0);
	sqlite3_stmt *s = store_stmt(st, "SELECT count(*), sum(length(v)) FROM t");
	CHECK(s && sqlite3_step(s) == SQLITE_ROW);
	if (s) {
		CHECK_EQ_INT(sqlite3_column_int(s, 0), 2000);
		long long want = 0;
		for (int i = 0; i < 2000; i++)
			want += i % 700 ? i % 700 : 1;
		CHECK(sqlite3_column_int64(s, 1) == want);
		sqlite3_reset(s);
	}
	tmpdb_close(st, path);
}

int main(void)
{
	int installed = store_alloc_install() == 0;
#if defined(__SANITIZE_ADDRESS__)
	CHECK(!installed);
#else
	CHECK(installed);
#endif
	if (installed) {
		test_blocks();
		test_bound();
		test_large();
	}
	test_database();
	CHECK(store_alloc_install() == -1); /* refused once SQLite runs */
	return tap_done();
}
