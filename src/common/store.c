/* store.c -- see store.h.
 *
 * Migrations: each embedded file NNNN_name.sql must carry the next version
 * number.  A file is applied inside BEGIN IMMEDIATE together with
 * PRAGMA user_version = NNNN and a row in migration_log, so a crash leaves
 * either all of it or none.  A database whose user_version exceeds every
 * migration we know was written by a newer fleetd and is refused. */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "hooks.h"
#include "log.h"
#include "store_alloc.h"

struct cached {
	const char *sql;
	sqlite3_stmt *stmt;
};

struct pending {
	void (*fn)(void *arg, int ok);
	void *arg;
};

struct store {
	sqlite3 *db;
	struct cached stmts[STORE_STMT_CACHE];
	int nstmts;
	sqlite3_stmt *begin, *commit; /* run_tx_stmt() */
	int in_tx;
	int64_t tx_started_ns;
	int tx_lost; /* SQLite rolled the open transaction back (tx_lost()) */
	struct pending *pend;
	size_t npend, cappend;
	HOOKS(store_flush_fn, STORE_MAX_FLUSHES) flushes;
	struct store_stats stats;
	struct store_health health;
	int ckpt_due; /* the last commit left the WAL past STORE_CKPT_FRAMES */
};

static int version_of(const char *name)
{
	int v = 0, digits = 0;
	for (; *name >= '0' && *name <= '9'; name++, digits++)
		v = v * 10 + (*name - '0');
	return digits == 4 && *name == '_' ? v : -1;
}

int store_latest_version_of(const struct embed_file *migs)
{
	int v = 0;
	for (const struct embed_file *f = migs; f->name; f++)
		v = version_of(f->name);
	return v;
}

static int user_version(sqlite3 *db)
{
	sqlite3_stmt *s;
	int v = -1;
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

static int apply_one(sqlite3 *db, const struct embed_file *f, int version,
		     char *err, size_t errlen)
{
	char *msg = NULL;
	char tail[256];
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK)
		goto fail;
	if (sqlite3_exec(db, (const char *)f->data, NULL, NULL, &msg) != SQLITE_OK)
		goto fail;
	snprintf(tail, sizeof tail,
		 "INSERT INTO migration_log(version, name) VALUES (%d, '%s');"
		 "PRAGMA user_version = %d;",
		 version, f->name, version);
	if (sqlite3_exec(db, tail, NULL, NULL, &msg) != SQLITE_OK)
		goto fail;
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK)
		goto fail;
	log_info("migration applied", "version=%d name=%s", version, f->name);
	return 0;
fail:
	snprintf(err, errlen, "migration %s failed: %s", f->name,
		 msg ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

static int migrate(sqlite3 *db, const struct embed_file *migs, char *err,
		   size_t errlen)
{
	int have = user_version(db), expect = 1, latest = 0;
	for (const struct embed_file *f = migs; f->name; f++, expect++) {
		int v = version_of(f->name);
		if (v != expect) {
			snprintf(err, errlen,
				 "migration %s is out of sequence (expected version %04d)",
				 f->name, expect);
			return -1;
		}
		latest = v;
	}
	if (have < 0) {
		snprintf(err, errlen, "cannot read the schema version: %s",
			 sqlite3_errmsg(db));
		return -1;
	}
	if (have > latest) {
		snprintf(err, errlen,
			 "database schema version %d is newer than this fleetd knows "
			 "(%d); run a newer fleetd or restore a backup",
			 have, latest);
		return -1;
	}
	for (const struct embed_file *f = migs; f->name; f++) {
		int v = version_of(f->name);
		if (v > have && apply_one(db, f, v, err, errlen) < 0)
			return -1;
	}
	return 0;
}

static int pragmas(sqlite3 *db, char *err, size_t errlen)
{
	static const char *const sql[] = {
		"PRAGMA journal_mode = WAL",
		"PRAGMA synchronous = FULL",
		"PRAGMA foreign_keys = ON",
		"PRAGMA busy_timeout = 5000",
	};
	for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
		sqlite3_stmt *s;
		if (sqlite3_prepare_v2(db, sql[i], -1, &s, NULL) != SQLITE_OK) {
			snprintf(err, errlen, "%s: %s", sql[i], sqlite3_errmsg(db));
			return -1;
		}
		int rc = sqlite3_step(s);
		if (i == 0 && (rc != SQLITE_ROW ||
			       strcmp((const char *)sqlite3_column_text(s, 0), "wal") != 0)) {
			sqlite3_finalize(s);
			snprintf(err, errlen, "the database cannot use WAL mode");
			return -1;
		}
		sqlite3_finalize(s);
	}
	char limit[64];
	snprintf(limit, sizeof limit, "PRAGMA journal_size_limit = %lld",
		 (long long)STORE_WAL_LIMIT_BYTES);
	if (sqlite3_exec(db, limit, NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", limit, sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

/* SQLite calls this after every commit with the frames now in the WAL;
 * installing it turns SQLite's own checkpoint (inside the COMMIT) off. */
static int on_wal_commit(void *arg, sqlite3 *db, const char *name, int frames)
{
	(void)db;
	(void)name;
	struct store *st = arg;
	st->stats.wal_frames = frames;
	st->ckpt_due = frames >= STORE_CKPT_FRAMES;
	return SQLITE_OK;
}

/* Create the file ourselves so its mode is 0600 whatever the umask; SQLite
 * gives the -wal and -shm files the same mode. */
static int create_private(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open database %s: %s", path,
			 strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

/* One thread uses each connection, and nobody reads SQLite's memory
 * statistics: no global mutex around every allocation; and SQLite's small
 * blocks come from store_alloc's free lists, not malloc() (Debian's SQLite
 * has no lookaside: each statement run allocates its registers and cursors
 * afresh).  Set before SQLite initialises; a later call is refused by
 * SQLite and changes nothing. */
static void configure_once(void)
{
	static int done;
	if (!done) {
		sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
		store_alloc_install();
		done = 1;
	}
}

void store_close(struct store *st)
{
	if (!st)
		return;
	if (st->in_tx)
		store_commit(st);
	for (int i = 0; i < st->nstmts; i++)
		sqlite3_finalize(st->stmts[i].stmt);
	sqlite3_finalize(st->begin);
	sqlite3_finalize(st->commit);
	sqlite3_close(st->db);
	free(st->pend);
	free(st);
}

struct store *store_open_with(const char *path, const struct embed_file *migs,
			      char *err, size_t errlen)
{
	configure_once();
	if (create_private(path, err, errlen) < 0)
		return NULL;
	struct store *st = calloc(1, sizeof *st);
	if (!st) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	/* NOMUTEX: the connection and its statements stay on the loop's thread */
	if (sqlite3_open_v2(path, &st->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open database %s: %s", path,
			 st->db ? sqlite3_errmsg(st->db) : "out of memory");
		store_close(st);
		return NULL;
	}
	sqlite3_extended_result_codes(st->db, 1);
	st->health.available = 1;
	int rc = pragmas(st->db, err, errlen);
	if (rc == 0) {
		sqlite3_wal_hook(st->db, on_wal_commit, st);
		rc = migrate(st->db, migs, err, errlen);
	}
	if (rc < 0) {
		store_close(st);
		return NULL;
	}
	return st;
}

sqlite3 *store_db(struct store *st)
{
	return st->db;
}

int store_schema_version(struct store *st)
{
	return user_version(st->db);
}

/* --- failures --------------------------------------------------------------- */

/* A write failed: the store is unavailable until store_probe() succeeds.
 * The first failure of an outage is logged as an error, the probes that
 * fail after it only at debug level. */
static void note_failure(struct store *st, int code, const char *msg)
{
	struct store_health *h = &st->health;
	h->failed_commits++;
	h->error = code;
	snprintf(h->message, sizeof h->message, "%s", msg ? msg : sqlite3_errstr(code));
	if (!h->available) {
		log_debug("storage still unavailable", "error=%d message=\"%s\"", code,
			  h->message);
		return;
	}
	h->available = 0;
	h->outages++;
	h->since_ms = clock_now_ms();
	log_error("storage unavailable; writes refused until a probe succeeds",
		  "error=%d message=\"%s\"", code, h->message);
}

/* A write that failed: the error noted (its message copied first, the
 * ROLLBACK would replace it) and whatever transaction SQLite still holds
 * rolled back (harmless when it has already done so itself). */
static void fail_and_roll_back(struct store *st)
{
	int code = sqlite3_extended_errcode(st->db);
	char msg[160];
	snprintf(msg, sizeof msg, "%s", sqlite3_errmsg(st->db));
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	note_failure(st, code, msg);
}

/* SQLite rolls the whole transaction back by itself when a statement in it
 * fails with SQLITE_FULL, SQLITE_IOERR or SQLITE_NOMEM (unless a statement
 * journal lets it undo that statement alone); the connection is then in
 * autocommit mode, where each later write would commit on its own.  Seen
 * here as "in a transaction, but SQLite is not": the store is unavailable
 * from then on, and store_commit() reports the loss to the callbacks. */
static int tx_lost(struct store *st)
{
	if (st->in_tx && !st->tx_lost && sqlite3_get_autocommit(st->db)) {
		st->tx_lost = 1;
		log_error("transaction rolled back by sqlite; the turn's writes are lost",
			  NULL);
		note_failure(st, sqlite3_extended_errcode(st->db), sqlite3_errmsg(st->db));
	}
	return st->tx_lost;
}

/* The cached statement for sql, reset (its bindings cleared if clear). */
static sqlite3_stmt *stmt_get(struct store *st, const char *sql, int clear)
{
	/* after a lost transaction no statement until store_commit() has
	 * reported it: a write would otherwise commit alone */
	if (tx_lost(st))
		return NULL;
	for (int i = 0; i < st->nstmts; i++)
		if (st->stmts[i].sql == sql) {
			sqlite3_reset(st->stmts[i].stmt);
			if (clear)
				sqlite3_clear_bindings(st->stmts[i].stmt);
			return st->stmts[i].stmt;
		}
	/* Callers never finalize what this returns: a statement the cache
	 * cannot hold would leak, so it is refused.  The keys are the SQL
	 * texts of the program (string constants), far fewer than the cache;
	 * a full cache means a caller builds its SQL at run time. */
	if (st->nstmts == STORE_STMT_CACHE) {
		log_error("statement cache full; statement refused", "cache=%d",
			  STORE_STMT_CACHE);
		return NULL;
	}
	sqlite3_stmt *s;
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s,
			       NULL) != SQLITE_OK) {
		log_error("sql prepare failed", "error=\"%s\"", sqlite3_errmsg(st->db));
		return NULL;
	}
	st->stmts[st->nstmts].sql = sql;
	st->stmts[st->nstmts].stmt = s;
	st->nstmts++;
	return s;
}

sqlite3_stmt *store_stmt(struct store *st, const char *sql)
{
	return stmt_get(st, sql, 1);
}

sqlite3_stmt *store_stmt_bound(struct store *st, const char *sql)
{
	return stmt_get(st, sql, 0);
}

int store_exec(struct store *st, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_error("sql failed", "error=\"%s\"", msg ? msg : "?");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* BEGIN IMMEDIATE and COMMIT, run by every turn that writes: prepared
 * once, kept in *slot (parsing them again each time cost a group commit of
 * a few jobs more than a third of its work).  0 when it is done; -1 with
 * SQLite's error on the connection, as sqlite3_exec() leaves it. */
static int run_tx_stmt(struct store *st, sqlite3_stmt **slot, const char *sql)
{
	if (!*slot && sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, slot,
					 NULL) != SQLITE_OK)
		return -1;
	int rc = sqlite3_step(*slot);
	sqlite3_reset(*slot);
	return rc == SQLITE_DONE ? 0 : -1;
}

int store_begin(struct store *st)
{
	if (st->in_tx)
		return tx_lost(st) ? -1 : 0;
	if (!st->health.available)
		return -1;
	if (run_tx_stmt(st, &st->begin, "BEGIN IMMEDIATE") < 0) {
		log_error("sql failed", "error=\"%s\"", sqlite3_errmsg(st->db));
		note_failure(st, sqlite3_extended_errcode(st->db), sqlite3_errmsg(st->db));
		return -1;
	}
	st->in_tx = 1;
	st->tx_started_ns = clock_mono_ns();
	return 0;
}

int store_in_tx(const struct store *st)
{
	return st->in_tx;
}

int64_t store_tx_age_ns(const struct store *st)
{
	return st->in_tx ? clock_mono_ns() - st->tx_started_ns : 0;
}

int store_busy(const struct store *st)
{
	return st->in_tx || st->npend > 0;
}

static void run_pending(struct store *st, int ok)
{
	/* callbacks may queue more for the next commit: take the list first */
	struct pending *p = st->pend;
	size_t n = st->npend;
	st->pend = NULL;
	st->npend = st->cappend = 0;
	for (size_t i = 0; i < n; i++)
		p[i].fn(p[i].arg, ok);
	free(p);
}

/* The held rows of every registered writer, into the open transaction. */
static int run_flushes(struct store *st)
{
	int rc = 0;
	HOOKS_EACH(i, &st->flushes)
		if (st->flushes.at[i].fn(st->flushes.at[i].arg) < 0)
			rc = -1;
	return rc;
}

int store_commit(struct store *st)
{
	int ok = 1;
	if (st->in_tx) {
		int64_t t0 = clock_mono_ns();
		int flushed = tx_lost(st) ? 0 : run_flushes(st);
		int lost = tx_lost(st);
		st->in_tx = 0;
		st->tx_lost = 0;
		if (lost) {
			ok = 0; /* counted when it was found */
		} else if (flushed < 0 || run_tx_stmt(st, &st->commit, "COMMIT") < 0) {
			/* a flush failed, or SQLite has rolled back a COMMIT
			 * that could not write; make sure of it */
			fail_and_roll_back(st);
			ok = 0;
		}
		int64_t dt = clock_mono_ns() - t0;
		st->stats.commits++;
		st->stats.last_commit_ns = dt;
		st->stats.total_commit_ns += dt;
	}
	if (st->npend)
		run_pending(st, ok);
	/* the owner has not found the loop idle for a long while */
	if (st->stats.wal_frames >= STORE_CKPT_FORCE_FRAMES)
		store_checkpoint(st);
	return ok ? 0 : -1;
}

int store_checkpoint(struct store *st)
{
	if (!st->ckpt_due || st->in_tx || !st->health.available)
		return 0;
	int64_t t0 = clock_mono_ns();
	int frames = 0, copied = 0;
	int rc = sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &frames,
					   &copied);
	/* not again before a commit has reported the WAL anew (a reader's
	 * snapshot may keep the rest from being copied until it ends) */
	st->ckpt_due = 0;
	st->stats.checkpoints++;
	st->stats.last_checkpoint_ns = clock_mono_ns() - t0;
	if (rc != SQLITE_OK) {
		log_error("wal checkpoint failed", "error=\"%s\"", sqlite3_errmsg(st->db));
		return -1;
	}
	if (copied < frames)
		log_debug("wal checkpoint cut short by a reader", "frames=%d copied=%d",
			  frames, copied);
	return 1;
}

int store_on_commit(struct store *st, void (*fn)(void *arg, int ok), void *arg)
{
	if (st->npend == st->cappend) {
		size_t cap = st->cappend ? st->cappend * 2 : 16;
		struct pending *p = realloc(st->pend, cap * sizeof *p);
		if (!p)
			return -1;
		st->pend = p;
		st->cappend = cap;
	}
	st->pend[st->npend].fn = fn;
	st->pend[st->npend].arg = arg;
	st->npend++;
	return 0;
}

int store_add_flush(struct store *st, store_flush_fn fn, void *arg)
{
	return HOOKS_ADD(&st->flushes, fn, arg);
}

void store_remove_flush(struct store *st, store_flush_fn fn, void *arg)
{
	HOOKS_REMOVE(&st->flushes, fn, arg);
}

const struct store_stats *store_get_stats(const struct store *st)
{
	return &st->stats;
}

int store_available(const struct store *st)
{
	return st->health.available;
}

const struct store_health *store_get_health(const struct store *st)
{
	return &st->health;
}

/* The probe rewrites the schema version as it is: one page (the header)
 * through the WAL and an fdatasync, like the smallest real commit.  Then a
 * passive checkpoint copies the WAL into the database file, which must
 * grow for the pages the outage left in the WAL: on a disk with room for
 * a page but not for that, the probe fails rather than let the next real
 * commit fail again. */
int store_probe(struct store *st)
{
	if (st->health.available)
		return 0;
	if (st->in_tx)
		return -1;
	int v = user_version(st->db), rc = SQLITE_ERROR;
	if (v >= 0) {
		char sql[96];
		snprintf(sql, sizeof sql, "BEGIN IMMEDIATE; PRAGMA user_version = %d; COMMIT", v);
		rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_PASSIVE,
					       NULL, NULL);
	if (rc != SQLITE_OK) {
		fail_and_roll_back(st);
		return -1;
	}
	log_info("storage available again", "outage_ms=%lld failed_commits=%llu",
		 (long long)(clock_now_ms() - st->health.since_ms),
		 (unsigned long long)st->health.failed_commits);
	st->health.available = 1;
	return 0;
}
