/* store.h -- the SQLite database: opening (WAL, 0600), migrations, cached
 * prepared statements and the group commit.
 *
 * Writers call store_begin() before changing anything; the transaction stays
 * open until the daemon calls store_commit() (when its loop goes idle, or
 * once the transaction is a few ms old), so the changes of a burst of
 * turns share one transaction and one fdatasync.  Callbacks queued with
 * store_on_commit() run after that commit (e.g. to answer a suspended POST
 * only once its job is durable).  Owns the sqlite3 handle and statements;
 * knows no table but those the migration runner needs.
 *
 * A failed commit (SQLite could not write: a full disk, an I/O error)
 * rolls the whole transaction back -- every change of every writer in it
 * is undone, and the callbacks run with ok = 0 -- and makes the store
 * *unavailable*: store_begin() refuses (-1) until store_probe() has
 * written a transaction of its own again.  Reads keep working.  SQLite
 * itself rolls a transaction back when a statement in it fails with
 * SQLITE_FULL or SQLITE_IOERR; from then on store_stmt() hands out no
 * statement until store_commit() has reported the loss, so no later write
 * of that turn slips into the database on its own (autocommit). */
#ifndef FLEETD_STORE_H
#define FLEETD_STORE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "embed.h"

struct store;

struct store_stats {
	uint64_t commits;
	int64_t last_commit_ns;
	int64_t total_commit_ns;
	uint64_t checkpoints;   /* WAL checkpoints run (idle and forced) */
	int64_t last_checkpoint_ns;
	int wal_frames;         /* frames in the WAL after the last commit */
};

/* Whether the database can be written, and the history of failures. */
struct store_health {
	int available;           /* 0 from a failed commit until a probe succeeds */
	int error;               /* SQLite's extended code of the last failure */
	char message[160];       /* and its text */
	int64_t since_ms;        /* wall clock when the current outage began */
	uint64_t failed_commits; /* commits (and probes) that failed */
	uint64_t outages;        /* times the store became unavailable */
};

/* Open (creating with mode 0600) and migrate with the given migration table
 * (ends with a NULL name; fleetd's own is in schema.h). */
struct store *store_open_with(const char *path, const struct embed_file *migs,
			      char *err, size_t errlen);
void store_close(struct store *st);
sqlite3 *store_db(struct store *st);
int store_schema_version(struct store *st);
/* Highest version among a migration table's files. */
int store_latest_version_of(const struct embed_file *migs);

/* Prepared once per SQL text (keyed by the pointer: pass string constants),
 * reset for reuse; the store finalizes it at close.  NULL when the text does
 * not prepare, or when the cache (STORE_STMT_CACHE texts) is full. */
#define STORE_STMT_CACHE 128
sqlite3_stmt *store_stmt(struct store *st, const char *sql);
/* store_stmt() for a caller that binds every parameter before each step:
 * the previous run's bindings are left in place for it to overwrite, not
 * cleared first (sqlite3_clear_bindings walks all of them). */
sqlite3_stmt *store_stmt_bound(struct store *st, const char *sql);
int store_exec(struct store *st, const char *sql);

/* Open the group transaction (nothing if it is open).  -1 while the store
 * is unavailable, or when the open transaction was lost (rolled back by
 * SQLite after a failed statement): nothing may be written then. */
int store_begin(struct store *st);
int store_in_tx(const struct store *st);
/* How long the open transaction has been open (monotonic ns; 0 if none). */
int64_t store_tx_age_ns(const struct store *st);
/* Is there a transaction or a queued callback for store_commit()? */
int store_busy(const struct store *st);
/* Commit the open transaction, if any, then run the queued callbacks with
 * ok = 1 (or ok = 0 if the commit failed and was rolled back: the store
 * is then unavailable).  -1 when it failed. */
int store_commit(struct store *st);
int store_on_commit(struct store *st, void (*fn)(void *arg, int ok), void *arg);
/* A writer that holds rows back to write them together (the event log)
 * registers its flush: run before every COMMIT of a transaction SQLite
 * still holds, in registration order.  A flush returning -1 fails the
 * commit (rolled back, the callbacks told ok = 0, the store unavailable),
 * as a COMMIT that cannot write does.  At most STORE_MAX_FLUSHES; -1 when
 * full.  Removed before its arg is freed. */
#define STORE_MAX_FLUSHES 4
typedef int (*store_flush_fn)(void *arg);
int store_add_flush(struct store *st, store_flush_fn fn, void *arg);
void store_remove_flush(struct store *st, store_flush_fn fn, void *arg);
const struct store_stats *store_get_stats(const struct store *st);

/* The WAL checkpoint (copying the WAL's pages back into the database
 * file, after which SQLite writes the WAL from its start again).  SQLite's
 * own, run inside the COMMIT that takes the WAL past 1,000 frames, is off:
 * it put ~1,000 page copies and an fsync of the database file between
 * that COMMIT and its callbacks (the answers, the game calls sent after
 * it).  The owner of the loop calls store_checkpoint() when the loop is
 * idle; it copies the WAL once STORE_CKPT_FRAMES frames are in it.  A
 * store whose owner never does (or a loop that is never idle) is still
 * bounded: store_commit() checkpoints by itself once the WAL holds
 * STORE_CKPT_FORCE_FRAMES.  When the WAL starts over, SQLite cuts its file
 * back to STORE_WAL_LIMIT_BYTES, so the file stays near the larger of that
 * and the biggest transaction.  Durability is untouched: a commit is
 * durable once its frames are synced to the WAL, checkpointed or not. */
#define STORE_CKPT_FRAMES 1000
#define STORE_CKPT_FORCE_FRAMES (4 * STORE_CKPT_FRAMES)
#define STORE_WAL_LIMIT_BYTES (STORE_CKPT_FORCE_FRAMES * 4120LL) /* 4 KiB page + frame header */
/* 1 if a checkpoint ran, 0 if none was due (fewer frames, a transaction
 * open, the store unavailable), -1 if SQLite refused it (logged; tried
 * again once a later commit reports the WAL past the threshold).  A
 * checkpoint that a reader's older snapshot cuts short is not an error. */
int store_checkpoint(struct store *st);

/* May writers begin?  0 while the storage is unavailable: from a failed
 * commit, or from the moment a transaction is found rolled back by
 * SQLite, until a probe succeeds. */
int store_available(const struct store *st);
const struct store_health *store_get_health(const struct store *st);
/* While unavailable (and no transaction is open): write one small
 * transaction of the store's own (the schema version, rewritten as it
 * is) and let the WAL be copied into the database file; when both
 * succeed, storage is back: available again, 0.  -1 while it still
 * fails (or a lost transaction is not yet reported by store_commit());
 * 0 at once when the store is available. */
int store_probe(struct store *st);

#endif
