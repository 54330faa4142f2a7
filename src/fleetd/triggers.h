/* triggers.h -- triggers (spec: "Schedules, triggers and notifications"):
 * a job made from a template when a watched event is appended to the
 * event log.
 *
 * How a firing happens, and why it happens at most once:
 *  1. An event is appended (eventlog.h).  Inside that same transaction the
 *     event log's tap hands it here; the index (trigger_match.h) names the
 *     triggers it fires, and for each (not paused, out of its cooldown) a
 *     `pending` row of trigger_firings is written, keyed UNIQUE by
 *     (trigger, event), with the variables the event binds.  So a firing
 *     is durable exactly when its event is.
 *  2. On the next turn (never inside the tap: the engine may be the one
 *     appending) each pending firing becomes its job: the template with
 *     "fleet"/"world" "$NAME" replaced by the bound ids, checked like any
 *     job (job_check.h), submitted with `trigger` and `vars` set
 *     (engine_submit), and the row turned `fired` with the job's id -- in
 *     one transaction.  A job that cannot be made (its fleet or world held
 *     by a live job, an unbound variable, a refused template) turns the
 *     row `skipped` with the reason: a record, never a retry loop.  A
 *     crash between 1 and 2 leaves the row pending; the next start
 *     completes it.
 *
 * Loops: a trigger never fires on the job events (job.failed,
 * job.succeeded) of the jobs it created itself; a chain of triggers that
 * feed each other is bounded by their cooldowns.
 *
 * Owns the tables `triggers` and `trigger_firings` (migration 0006) and
 * the index of triggers in memory (put back from the rows when a commit
 * fails).  Creates jobs only through engine_submit; reads jobs' name,
 * trigger (and schedule, when that column exists) for job events; knows
 * nothing of HTTP. */
#ifndef FLEETD_TRIGGERS_H
#define FLEETD_TRIGGERS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct app;
struct triggers;

#define TRIGGERS_NAME_MAX 200
#define TRIGGERS_HISTORY_MAX 1000

/* Needs app->store, app->eventlog, app->engine and app->loop (app->mirror
 * may be NULL).  Loads the triggers, taps the event log and schedules the
 * firings left pending.  NULL with err. */
struct triggers *triggers_new(struct app *app, char *err, size_t errlen);
void triggers_free(struct triggers *t);

/* Check a POST body and store the trigger in the open transaction: its
 * id; 0 with "path: problem" in err (422); -1 on a database error. */
int64_t triggers_create(struct triggers *t, const json_t *body, char *err,
			size_t errlen);
/* 0 done, 404 no such trigger, -1 database error. */
int triggers_set_paused(struct triggers *t, int64_t id, int paused);
/* Delete the trigger and its history (its jobs keep `trigger`). */
int triggers_delete(struct triggers *t, int64_t id);

/* The trigger as the API shows it, with its last `history` firings
 * (newest first) when history > 0; NULL if there is none (or ENOMEM). */
json_t *triggers_answer(struct triggers *t, int64_t id, int history);
/* Triggers with id > after, oldest first, at most limit; *next is the
 * cursor of the next page or 0.  NULL on a database error. */
json_t *triggers_list(struct triggers *t, int64_t after, int limit, int64_t *next);

/* A retention pruner (retention.h): delete at most max settled firings
 * (fired or skipped) of events older than cutoff_ms, in the current
 * transaction; how many, or -1.  A pending one is never deleted, and an
 * event is never appended twice, so no event can fire a trigger again. */
int triggers_prune(void *arg, int64_t cutoff_ms, int max);

/* Counters for metrics and the bench: events looked at, firings
 * recorded. */
uint64_t triggers_events_seen(const struct triggers *t);
uint64_t triggers_firings(const struct triggers *t);

#endif
