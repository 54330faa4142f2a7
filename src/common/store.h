/* store.h -- the SQLite database: opening (WAL, 0600), migrations, cached
 * prepared statements and the group commit.
 *
 * Writers call store_begin() before changing anything; the transaction stays
 * open until the daemon calls store_commit() (when its loop goes idle, or
 * once the transaction is a few ms old), so the changes of a burst of
 * turns share one transaction and one fdatasync.  Callbacks queued with
 * store_on_commit() run after that commit (e.g. to answer a suspended POST
 * only once its job is durable).  Owns the sqlite3 handle and statements;
 * knows no table but those the migration runner needs. */
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
int store_exec(struct store *st, const char *sql);

int store_begin(struct store *st);
int store_in_tx(const struct store *st);
/* How long the open transaction has been open (monotonic ns; 0 if none). */
int64_t store_tx_age_ns(const struct store *st);
/* Is there a transaction or a queued callback for store_commit()? */
int store_busy(const struct store *st);
/* Commit the open transaction, if any, then run the queued callbacks with
 * ok = 1 (or ok = 0 if the commit failed and was rolled back). */
int store_commit(struct store *st);
int store_on_commit(struct store *st, void (*fn)(void *arg, int ok), void *arg);
const struct store_stats *store_get_stats(const struct store *st);

#endif
