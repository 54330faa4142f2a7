/* test_store.c -- the store's statement cache: a text is prepared once and
 * handed back (reset, bindings cleared) on every later call; a full cache
 * refuses a new text instead of handing out a statement nobody would
 * finalize, keeps serving the texts it holds, and closes cleanly (the
 * sanitizer build's leak check sees any statement left behind).  Uses an
 * empty migration table: the cache does not depend on a schema.
 *
 * Then storage outages, made deterministic: a VFS of the test's own (the
 * default one, wrapped) fails every write with SQLITE_FULL on request, so
 * a COMMIT fails as on a full disk; PRAGMA max_page_count makes a
 * statement fail with SQLITE_FULL inside the transaction, which SQLite
 * answers by rolling the whole transaction back.  Either way: nothing of
 * the group is kept, the callbacks hear ok = 0, the store refuses writers
 * (reads go on) until a probe writes again, and then works as before.
 *
 * Flushes (a writer's held rows, written just before the COMMIT): each
 * registered one runs before every commit of an open transaction, in
 * order, and not after it is removed; one that fails fails the commit as
 * a COMMIT that cannot write does; none runs for a transaction SQLite has
 * already rolled back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "embed.h"
#include "store.h"
#include "tap.h"
#include "tmpdb.h"

static const struct embed_file no_migrations[] = {{NULL, NULL, 0}};

static char path[256];

static void cleanup(void)
{
	tmpdb_remove(path);
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
	/* store_stmt_bound: the same statement, reset, its bindings kept for
	 * the caller to overwrite */
	static const char sql2[] = "SELECT ?1, ?2";
	sqlite3_stmt *c = store_stmt_bound(st, sql2);
	CHECK(c != NULL);
	if (c) {
		sqlite3_bind_int(c, 1, 7);
		sqlite3_bind_text(c, 2, "x", -1, SQLITE_STATIC);
		CHECK(sqlite3_step(c) == SQLITE_ROW);
	}
	sqlite3_stmt *d = store_stmt_bound(st, sql2);
	CHECK(d == c);
	if (d) {
		sqlite3_bind_int(d, 2, 9);
		CHECK(sqlite3_step(d) == SQLITE_ROW);
		CHECK_EQ_INT(sqlite3_column_int(d, 0), 7); /* not cleared */
		CHECK_EQ_INT(sqlite3_column_int(d, 1), 9);
	}
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

/* --- a VFS whose writes fail on request ----------------------------------- */

static int fail_writes;
static sqlite3_vfs *real_vfs;
static sqlite3_vfs full_vfs;

struct full_file {
	sqlite3_file base;
	sqlite3_file *real; /* follows this struct in the same allocation */
};

static sqlite3_file *real_of(sqlite3_file *f)
{
	return ((struct full_file *)f)->real;
}

static int ff_close(sqlite3_file *f)
{
	return real_of(f)->pMethods->xClose(real_of(f));
}
static int ff_read(sqlite3_file *f, void *b, int n, sqlite3_int64 o)
{
	return real_of(f)->pMethods->xRead(real_of(f), b, n, o);
}
static int ff_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 o)
{
	return fail_writes ? SQLITE_FULL : real_of(f)->pMethods->xWrite(real_of(f), b, n, o);
}
static int ff_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	return real_of(f)->pMethods->xTruncate(real_of(f), size);
}
static int ff_sync(sqlite3_file *f, int flags)
{
	return real_of(f)->pMethods->xSync(real_of(f), flags);
}
static int ff_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return real_of(f)->pMethods->xFileSize(real_of(f), size);
}
static int ff_lock(sqlite3_file *f, int l)
{
	return real_of(f)->pMethods->xLock(real_of(f), l);
}
static int ff_unlock(sqlite3_file *f, int l)
{
	return real_of(f)->pMethods->xUnlock(real_of(f), l);
}
static int ff_check(sqlite3_file *f, int *out)
{
	return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out);
}
static int ff_fcntl(sqlite3_file *f, int op, void *arg)
{
	return real_of(f)->pMethods->xFileControl(real_of(f), op, arg);
}
static int ff_sector(sqlite3_file *f)
{
	return real_of(f)->pMethods->xSectorSize(real_of(f));
}
static int ff_caps(sqlite3_file *f)
{
	return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f));
}
static int ff_shm_map(sqlite3_file *f, int pg, int sz, int extend, void volatile **pp)
{
	return real_of(f)->pMethods->xShmMap(real_of(f), pg, sz, extend, pp);
}
static int ff_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	return real_of(f)->pMethods->xShmLock(real_of(f), off, n, flags);
}
static void ff_shm_barrier(sqlite3_file *f)
{
	real_of(f)->pMethods->xShmBarrier(real_of(f));
}
static int ff_shm_unmap(sqlite3_file *f, int del)
{
	return real_of(f)->pMethods->xShmUnmap(real_of(f), del);
}

static const sqlite3_io_methods full_methods = {
	2, ff_close, ff_read, ff_write, ff_truncate, ff_sync, ff_size, ff_lock,
	ff_unlock, ff_check, ff_fcntl, ff_sector, ff_caps, ff_shm_map, ff_shm_lock,
	ff_shm_barrier, ff_shm_unmap, NULL, NULL,
};

static int full_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
		     int *out_flags)
{
	(void)vfs;
	struct full_file *ff = (struct full_file *)f;
	ff->real = (sqlite3_file *)(ff + 1);
	int rc = real_vfs->xOpen(real_vfs, name, ff->real, flags, out_flags);
	ff->base.pMethods = rc == SQLITE_OK && ff->real->pMethods ? &full_methods : NULL;
	return rc;
}

/* The default VFS, wrapped so fail_writes turns every write into
 * SQLITE_FULL (reads, syncs and the WAL index go through untouched). */
static void install_full_vfs(void)
{
	real_vfs = sqlite3_vfs_find(NULL);
	full_vfs = *real_vfs;
	full_vfs.zName = "fleetd-test-full";
	full_vfs.szOsFile = (int)sizeof(struct full_file) + real_vfs->szOsFile;
	full_vfs.xOpen = full_open;
	full_vfs.pNext = NULL;
	sqlite3_vfs_register(&full_vfs, 1);
}

/* --- storage outages ---------------------------------------------------------- */

static int heard[4], nheard;

static void on_commit_cb(void *arg, int ok)
{
	(void)arg;
	if (nheard < 4)
		heard[nheard++] = ok;
}

static int64_t rows_in(struct store *st)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT count(*) FROM t");
	if (!s || sqlite3_step(s) != SQLITE_ROW)
		return -1;
	int64_t n = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return n;
}

static int insert(struct store *st, int bytes)
{
	sqlite3_stmt *s = store_stmt(st, "INSERT INTO t (b) VALUES (zeroblob(?1))");
	if (!s)
		return -1;
	sqlite3_bind_int(s, 1, bytes);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static struct store *open_table(void)
{
	struct store *st = open_empty();
	if (st && store_exec(st, "CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB)") < 0) {
		store_close(st);
		return NULL;
	}
	return st;
}

/* A COMMIT that cannot write (the disk is full): the group is gone. */
static void test_commit_fails(void)
{
	struct store *st = open_table();
	CHECK(st != NULL);
	if (!st)
		return;
	CHECK(store_available(st));
	CHECK(store_begin(st) == 0 && insert(st, 10) == 0);
	CHECK(store_commit(st) == 0);
	CHECK_EQ_INT(rows_in(st), 1);

	nheard = 0;
	CHECK(store_begin(st) == 0 && insert(st, 10) == 0 && insert(st, 10) == 0);
	CHECK(store_on_commit(st, on_commit_cb, NULL) == 0);
	fail_writes = 1;
	CHECK(store_commit(st) == -1);
	CHECK_EQ_INT(nheard, 1);
	CHECK_EQ_INT(heard[0], 0);
	const struct store_health *h = store_get_health(st);
	CHECK(!store_available(st) && !h->available);
	CHECK_EQ_INT(h->error & 0xff, SQLITE_FULL);
	CHECK_EQ_INT(h->outages, 1);
	CHECK_EQ_INT(h->failed_commits, 1);
	CHECK(h->since_ms > 0);
	/* writers are refused, readers served what was committed */
	CHECK(store_begin(st) == -1);
	CHECK(!store_in_tx(st));
	CHECK_EQ_INT(rows_in(st), 1);
	/* probes fail while the disk is full; one outage however many */
	CHECK(store_probe(st) == -1);
	CHECK(store_probe(st) == -1);
	CHECK(!store_available(st));
	CHECK_EQ_INT(h->outages, 1);
	CHECK_EQ_INT(h->failed_commits, 3);
	fail_writes = 0;
	CHECK(store_probe(st) == 0);
	CHECK(store_available(st));
	CHECK(store_probe(st) == 0); /* nothing to do */
	/* back to normal: a new group commits */
	nheard = 0;
	CHECK(store_begin(st) == 0 && insert(st, 10) == 0);
	CHECK(store_on_commit(st, on_commit_cb, NULL) == 0);
	CHECK(store_commit(st) == 0);
	CHECK_EQ_INT(nheard, 1);
	CHECK_EQ_INT(heard[0], 1);
	CHECK_EQ_INT(rows_in(st), 2);
	CHECK_EQ_INT(store_schema_version(st), 0); /* the probe rewrote it as it was */
	store_close(st);
}

/* A statement that fails with SQLITE_FULL inside the group: SQLite rolls
 * the whole transaction back, and nothing more may be written in it (it
 * would commit on its own). */
static void test_statement_fails(void)
{
	struct store *st = open_table();
	CHECK(st != NULL);
	if (!st)
		return;
	nheard = 0;
	CHECK(store_begin(st) == 0 && insert(st, 10) == 0);
	CHECK(store_on_commit(st, on_commit_cb, NULL) == 0);
	CHECK(store_exec(st, "PRAGMA max_page_count = 3") == 0);
	CHECK(insert(st, 200000) == -1); /* SQLITE_FULL: no room for its pages */
	CHECK(store_stmt(st, "SELECT 1") == NULL); /* the transaction is gone */
	CHECK(!store_available(st));
	CHECK(store_begin(st) == -1);
	CHECK(store_in_tx(st));
	CHECK(store_commit(st) == -1);
	CHECK_EQ_INT(nheard, 1);
	CHECK_EQ_INT(heard[0], 0);
	CHECK(!store_in_tx(st));
	CHECK_EQ_INT(rows_in(st), 0); /* the first row went with it */
	CHECK_EQ_INT(store_get_health(st)->outages, 1);
	CHECK(store_exec(st, "PRAGMA max_page_count = 1073741823") == 0);
	CHECK(store_probe(st) == 0);
	CHECK(store_begin(st) == 0 && insert(st, 200000) == 0);
	CHECK(store_commit(st) == 0);
	CHECK_EQ_INT(rows_in(st), 1);
	store_close(st);
}

struct held {
	int rows, fail, runs;
};

/* Write the rows held, or fail as asked. */
static int flush_held(void *arg)
{
	struct held *h = arg;
	h->runs++;
	return h->fail ? -1 : 0;
}

static struct store *flush_st;
static int flush_rows(void *arg)
{
	struct held *h = arg;
	h->runs++;
	for (; h->rows > 0; h->rows--)
		if (insert(flush_st, 10) < 0)
			return -1;
	return 0;
}

static void test_flushes(void)
{
	struct store *st = flush_st = open_table();
	CHECK(st != NULL);
	if (!st)
		return;
	struct held a = {0}, b = {0};
	CHECK_EQ_INT(store_add_flush(st, flush_rows, &a), 0);
	CHECK_EQ_INT(store_add_flush(st, flush_held, &b), 0);
	for (int i = 2; i < STORE_MAX_FLUSHES; i++)
		CHECK_EQ_INT(store_add_flush(st, flush_held, &b), 0);
	CHECK_EQ_INT(store_add_flush(st, flush_held, &b), -1); /* full */
	for (int i = 2; i < STORE_MAX_FLUSHES; i++)
		store_remove_flush(st, flush_held, &b);

	CHECK_EQ_INT(store_commit(st), 0); /* no transaction: no flush */
	CHECK_EQ_INT(a.runs + b.runs, 0);
	CHECK_EQ_INT(store_begin(st), 0);
	a.rows = 3;
	CHECK_EQ_INT(store_commit(st), 0);
	CHECK_EQ_INT(a.runs, 1);
	CHECK_EQ_INT(b.runs, 1);
	CHECK_EQ_INT(rows_in(st), 3); /* written inside the committed transaction */

	nheard = 0;
	CHECK_EQ_INT(store_begin(st), 0);
	CHECK_EQ_INT(insert(st, 10), 0);
	CHECK(store_on_commit(st, on_commit_cb, NULL) == 0);
	a.rows = 2;
	b.fail = 1;
	CHECK_EQ_INT(store_commit(st), -1);
	CHECK_EQ_INT(nheard, 1);
	CHECK_EQ_INT(heard[0], 0);
	CHECK_EQ_INT(rows_in(st), 3); /* the insert and the flushed rows are gone */
	CHECK(!store_available(st));
	CHECK_EQ_INT(store_probe(st), 0);

	store_remove_flush(st, flush_held, &b);
	b.runs = 0;
	CHECK_EQ_INT(store_begin(st), 0);
	CHECK_EQ_INT(store_commit(st), 0);
	CHECK_EQ_INT(b.runs, 0); /* removed */
	store_remove_flush(st, flush_rows, &a);
	store_close(st);
	cleanup();
}

/* --- the WAL checkpoint ---------------------------------------------------- */

#include <sys/stat.h>

#define WAL_TXS 60
#define WAL_ROWS 100 /* of 3,000 bytes: about a page each */

static long long wal_bytes(void)
{
	char p[300];
	struct stat sb;
	snprintf(p, sizeof p, "%s-wal", path);
	return stat(p, &sb) == 0 ? (long long)sb.st_size : -1;
}

/* One transaction of WAL_ROWS rows; the frames it added to the WAL (or
 * the WAL's frames, if it started over). */
static int write_tx(struct store *st)
{
	int before = store_get_stats(st)->wal_frames;
	if (store_begin(st) < 0)
		return -1;
	for (int i = 0; i < WAL_ROWS; i++)
		if (insert(st, 3000) < 0)
			return -1;
	if (store_commit(st) < 0)
		return -1;
	int after = store_get_stats(st)->wal_frames;
	return after > before ? after - before : after;
}

/* Sustained writes, WAL_TXS transactions of ~100 frames (six times the
 * checkpoint threshold in all).  With the owner checkpointing when idle
 * (idle = 1: after every commit, as commit.c's idle hook does) the WAL
 * file stops growing at about the threshold plus a transaction; with an
 * owner that never does, store_commit() checkpoints by itself at
 * STORE_CKPT_FORCE_FRAMES, so the file is bounded by that.  Either way
 * SQLite's own checkpoint at 1,000 frames is off: the frames a commit
 * reports grow past STORE_CKPT_FRAMES until a checkpoint runs. */
static void test_wal_bounded(int idle)
{
	struct store *st = open_table();
	CHECK(st != NULL);
	if (!st)
		return;
	int grew_past = 0, most = 0, failed = 0;
	long long biggest = 0;
	for (int t = 0; t < WAL_TXS; t++) {
		int frames = write_tx(st);
		if (frames < 0) {
			failed = 1;
			break;
		}
		if (frames > most)
			most = frames;
		if (store_get_stats(st)->wal_frames > STORE_CKPT_FRAMES)
			grew_past = 1; /* nobody checkpointed inside the COMMIT */
		if (idle)
			CHECK(store_checkpoint(st) >= 0);
		long long b = wal_bytes();
		if (b > biggest)
			biggest = b;
	}
	CHECK(!failed);
	const struct store_stats *ss = store_get_stats(st);
	int limit = (idle ? STORE_CKPT_FRAMES : STORE_CKPT_FORCE_FRAMES) + 2 * most;
	CHECK(most > 50);
	CHECK(grew_past);
	CHECK(ss->checkpoints >= (idle ? 4u : 1u));
	CHECK(biggest > 0 && biggest <= 32 + (long long)limit * 4120);
	if (biggest > 32 + (long long)limit * 4120)
		fprintf(stderr, "# wal grew to %lld bytes (limit %d frames)\n", biggest, limit);
	CHECK(store_checkpoint(st) >= 0); /* nothing due right after one: 0 */
	store_close(st);
	cleanup();
}

/* Nothing is due below the threshold, nor inside a transaction. */
static void test_checkpoint_due(void)
{
	struct store *st = open_table();
	CHECK(st != NULL);
	if (!st)
		return;
	CHECK_EQ_INT(store_checkpoint(st), 0);
	CHECK(write_tx(st) > 0);
	CHECK_EQ_INT(store_checkpoint(st), 0); /* ~100 frames: not due */
	while (store_get_stats(st)->wal_frames < STORE_CKPT_FRAMES && write_tx(st) > 0)
		;
	CHECK(store_begin(st) == 0 && insert(st, 10) == 0);
	CHECK_EQ_INT(store_checkpoint(st), 0); /* a transaction is open */
	CHECK_EQ_INT(store_commit(st), 0);
	CHECK_EQ_INT(store_checkpoint(st), 1);
	CHECK_EQ_INT(store_checkpoint(st), 0); /* done until a commit reports again */
	CHECK(write_tx(st) > 0);
	CHECK(store_get_stats(st)->wal_frames < STORE_CKPT_FRAMES); /* started over */
	store_close(st);
	cleanup();
}

int main(void)
{
	snprintf(path, sizeof path, "/tmp/fleetd-test-store-%d.db", (int)getpid());
	test_reuse();
	test_full_cache();
	test_checkpoint_due();
	test_wal_bounded(1);
	test_wal_bounded(0);
	install_full_vfs();
	test_commit_fails();
	test_statement_fails();
	test_flushes();
	cleanup();
	return tap_done();
}
