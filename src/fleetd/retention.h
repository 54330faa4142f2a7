/* retention.h -- --retain-days: what has aged out of the database is
 * deleted, a small batch at a time, while the loop has nothing else to do.
 *
 * Aged out, with keep = the retention and now - keep the cut-off:
 *   - an ended job (succeeded, failed, cancelled) that finished before the
 *     cut-off, with its events and its explore claims of its own group
 *     ("job:<id>"), the events first so a job never loses its row before
 *     its history;
 *   - an event about no job (fleet, watch, game events) older than it;
 *   - whatever a module registered with retention_add() says is (the
 *     webhooks' delivered outbox rows).
 * Never a live job nor any event of one, whatever its age.  The newest job
 * row and the newest event stay whatever their age, so SQLite never hands
 * out an id twice (both tables take max(id) + 1).
 *
 * When: a timer on the loop every RETAIN_PERIOD (keep / 10, from 200 ms to
 * a minute) marks a sweep due; the sweep runs from an idle hook, only when
 * the loop found nothing ready and the store has no open transaction, and
 * deletes at most RETAIN_BATCH rows per turn in the store's transaction
 * (the group commit writes it).  A sweep that filled its batch goes on
 * the next idle turn; one that did not re-arms the timer.  Nothing is in
 * memory but that mark: after a restart the next sweep finds the same rows.
 *
 * SQLite puts the pages the deleted rows held on its free list and
 * reuses them for new rows, so the file stops growing at about the size
 * of the window kept; it does not shrink without VACUUM (README).
 *
 * Owns: the deletion of aged-out rows of jobs, events and explore_visited
 * (their owners never delete), the timer and the idle hook.
 * Must not touch: live jobs, the engine's memory (an ended job has none
 * but the answer cache, which it tells through jobread_forget). */
#ifndef FLEETD_RETENTION_H
#define FLEETD_RETENTION_H

#include <stdint.h>

struct loop;
struct store;
struct jobread;
struct retention;

#define RETAIN_BATCH 256
#define RETAIN_PERIOD_MIN_MS 200
#define RETAIN_PERIOD_MAX_MS 60000

/* keep_ms <= 0: keep everything (no timer, no hook).  NULL on ENOMEM. */
struct retention *retention_new(struct loop *loop, struct store *st,
				struct jobread *reads, int64_t keep_ms);
void retention_free(struct retention *r);

/* A module's own aged-out rows: delete at most max of those older than
 * cutoff_ms in the current transaction; return how many, or -1. */
typedef int (*retention_prune_fn)(void *arg, int64_t cutoff_ms, int max);
/* At most RETAIN_MAX_PRUNERS; -1 when full.  Harmless with no retention. */
#define RETAIN_MAX_PRUNERS 4
int retention_add(struct retention *r, retention_prune_fn fn, void *arg);

struct retention_stats {
	uint64_t jobs, events, other; /* rows deleted, since start */
	uint64_t batches;
};
const struct retention_stats *retention_get_stats(const struct retention *r);

#endif
