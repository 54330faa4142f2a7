/* commit.h -- the group commit on the loop, and fleetd's way through a
 * storage outage.
 *
 * The open transaction (store.h) is committed when the loop has read
 * everything that was ready and is about to wait, or, under a load that
 * never lets it go idle, once it is COMMIT_MAX_AGE_MS old.
 *
 * When a commit fails (a full disk, an I/O error) the store becomes
 * unavailable: every change of that transaction is undone (its writers
 * hear ok = 0 and put their memory back to what the rows say), writers are
 * refused, reads go on.  From then on this module probes the store with
 * backoff (backoff.h: COMMIT_PROBE_BASE_MS doubling to COMMIT_PROBE_MAX_MS)
 * until a probe writes again; the engine, which holds its jobs while the
 * store is unavailable, then goes on by itself.  The backoff keeps growing
 * across outages that follow each other closely (a disk with room for a
 * probe but not for the work) and starts again once the store has stayed
 * available for COMMIT_CALM_MS.
 *
 * The WAL is checkpointed here too, when the loop is idle and there is
 * nothing to commit (store_checkpoint(): SQLite's checkpoint inside the
 * COMMIT is off).
 *
 * Owns: the loop hooks of the commit and the checkpoint, and the probe timer.  Knows nothing
 * of what is written. */
#ifndef FLEETD_COMMIT_H
#define FLEETD_COMMIT_H

#include <stdint.h>

struct loop;
struct store;
struct commit;

#define COMMIT_MAX_AGE_MS 4
#define COMMIT_PROBE_BASE_MS 500
#define COMMIT_PROBE_MAX_MS 10000
#define COMMIT_CALM_MS 30000

/* Install the hooks on loop for st (both outlive the result). */
struct commit *commit_new(struct loop *loop, struct store *st);
void commit_free(struct commit *c);

/* While the store is unavailable: whole seconds until the next probe (at
 * least 1), for Retry-After; 0 when the store is available. */
int commit_retry_after_s(const struct commit *c);
/* Wall clock (ms) of the next probe, 0 if none is due. */
int64_t commit_next_probe_ms(const struct commit *c);

#endif
