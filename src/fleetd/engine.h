/* engine.h -- the durable job engine: jobs as rows in SQLite, advanced by
 * the step ops (step.h) on the one loop.
 *
 * In memory a live job is only a compact record (id, fleet, state, one
 * timer node, one condition node); everything else is read from its row
 * when it wakes and written back in the same turn's transaction.  Timers
 * use the loop's heap with the absolute deadlines stored in the rows;
 * conditions live in the condition index and are woken by the mirror's
 * change feed.  It decides which take gets a queue's item (the rows are
 * queue.h's; the waiting takes, queue_wait.h, are the engine's).
 * The engine owns the `jobs` and `explore_visited` tables
 * (their rows are written through the row codec, job_row.h, and read for
 * the routes by the read side, job_read.h);
 * it sends game calls only through the session, and only after the state
 * that records them is committed. */
#ifndef FLEETD_ENGINE_H
#define FLEETD_ENGINE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct app;
struct engine;
struct jobread;

/* The live states come first: job_state_live() (job_row.h) is the one
 * list of them; their stored names are in job_row.c. */
enum job_state {
	JOB_QUEUED,
	JOB_RUNNING,
	JOB_WAITING,
	JOB_PAUSED,
	JOB_SUCCEEDED,
	JOB_FAILED,
	JOB_CANCELLED,
	JOB_STATE_COUNT
};

/* Needs app->loop, app->store and app->eventlog; app->mirror and
 * app->session may be NULL (game steps then wait for the mirror). */
struct engine *engine_new(struct app *app);
void engine_free(struct engine *e);
/* Load every live job from the database (start-up).  -1 with err. */
int engine_load(struct engine *e, char *err, size_t errlen);
/* Start listening to the mirror's change feed (call once both exist). */
int engine_attach_mirror(struct engine *e);

/* What a new job may carry besides its spec: every creator of jobs (the
 * job route, groups, schedules, triggers, retry) goes through
 * engine_submit() and adds its own field here.  Zero (or NULL) is "none"
 * for each, so `(struct engine_submit_opts){0}` is a plain submission. */
struct engine_submit_opts {
	const char *idem_key;  /* the Idempotency-Key it was submitted with */
	const char *idem_body; /* and the canonical request it answers */
	const json_t *vars;    /* variables bound from the start {"NAME": id} */
	int64_t retry_of;      /* the failed job this one retries */
	int64_t trigger;       /* the trigger whose firing made it */
	int64_t step;          /* the step index it starts at (a retry's) */
	int64_t iteration;     /* the repeat passes already done (a retry's) */
	int64_t fleet;         /* the fleet it holds, 0: the spec's (a retry:
				* the fleet the failed job held at its end) */
	int start_now;         /* start now, not at the spec's start_at or
				* after its delay_seconds */
	int64_t parent;        /* groups: the parent job of a child (group.h) */
	int64_t schedule;      /* the schedule whose firing makes it */
	const char *spec_text; /* the spec as json_dumps(JSON_COMPACT |
				* JSON_SORT_KEYS) writes it, when the caller
				* keeps it (a schedule's template): not
				* written again per job */
	/* called with the new job's id before anything of the job is
	 * written (a schedule records its firing with the id): non-zero
	 * refuses the job, engine_submit() then returns -1 and has written
	 * nothing of it */
	int (*on_id)(void *arg, int64_t id);
	void *on_id_arg;
};

/* Store a validated job (inside the current transaction) and schedule it;
 * o may be NULL.  Returns the new id; 0 with *holder set if the fleet (or,
 * for a world job, the world) is leased to another live job; -1 on a
 * database error. */
int64_t engine_submit(struct engine *e, const json_t *spec,
		      const struct engine_submit_opts *o, int64_t *holder);
/* The id of the live job holding what spec would hold (its fleet, or a
 * world job's world), 0 if none: what engine_submit() would answer 0 for. */
int64_t engine_spec_holder(const struct engine *e, const json_t *spec);
/* 1 if job id is live (queued, running, waiting, paused). */
int engine_job_live(const struct engine *e, int64_t id);
/* Store a group (group.h): a parent job holding no fleet, spec as
 * submitted (with `fleets`), and one child per fleet of fleets[0..n-1],
 * all in the current transaction, or nothing.  Returns the parent's id;
 * 0 if a fleet is held by a live job, with holders[i] the holder of
 * fleets[i] (0 for a free one) and nothing stored; -1 on a database
 * error (nothing stored). */
int64_t engine_submit_group(struct engine *e, const json_t *spec,
			    const int64_t *fleets, size_t n,
			    const struct engine_submit_opts *opts, int64_t *holders);

enum engine_ctl { CTL_CANCEL, CTL_PAUSE, CTL_RESUME };
/* 0 done; 202 a cancel taken, but the job's step first undoes what it
 * started (attack with on_cancel "abort"): the job stays live and ends
 * cancelled after; 404 no such job; 409 impossible now (message in err;
 * also any control of a job being cancelled so); -1 DB.  A group's
 * parent passes the control to every live child it applies to, in the
 * same transaction (202 if a child's cancel is carried on by its step). */
int engine_control(struct engine *e, int64_t id, enum engine_ctl ctl, char *err,
		   size_t errlen);

/* The read side: the answers of the job routes (job_read.h). */
struct jobread *engine_reads(struct engine *e);
/* The id of the live job holding this fleet, 0 if none. */
int64_t engine_fleet_holder(const struct engine *e, int64_t fleet);
/* The id of the live world job holding this world, 0 if none. */
int64_t engine_world_holder(const struct engine *e, int64_t world);

/* For metrics and /healthz. */
void engine_counts(const struct engine *e, uint64_t counts[JOB_STATE_COUNT]);
uint64_t engine_transitions(const struct engine *e);
size_t engine_live(const struct engine *e);
size_t engine_waiting_conditions(const struct engine *e);
/* Waiting conditions judged in memory because an object they name changed. */
uint64_t engine_cond_evaluations(const struct engine *e);

/* --- what the steps ask the engine (they never read its tables) --------- */

struct idmap;
/* The id of a live job other than job_id whose open intent holds world
 * (jobs.intent_world), 0 if none; -1 on a database error. */
int64_t engine_world_locked_by(struct engine *e, int64_t world, int64_t job_id);
/* The explore group grp's visited set (explore_visited), in the current
 * transaction.  Claim world for job_id: 0 (claimed now or before, by any
 * job), -1 on a database error. */
int engine_explore_claim(struct engine *e, const char *grp, int64_t world,
			 int64_t job_id, int64_t now_ms);
/* Give job_id's claim on world back: 1 if it held one, 0 if not, -1 on a
 * database error. */
int engine_explore_unclaim(struct engine *e, const char *grp, int64_t world,
			   int64_t job_id);
/* Put every world of grp's set into seen (as keys); 0, or -1. */
int engine_explore_visited(struct engine *e, const char *grp, struct idmap *seen);

/* --- queues: queue.h holds the rows, the engine the waiting takers ----- */

/* Put value at the back of queue name (created if new) in the current
 * transaction (opened if need be), by job `by` (0: from the API), with a
 * queue.put event; the first waiting taker then gets the item.  0, or a
 * queue_err (queue.h) with err ("queue_full: ...", "queue_limit: ...",
 * "store: ..."), so a caller tells the refusals apart by the code. */
int engine_queue_put(struct engine *e, const char *name, int64_t value, int64_t by,
		     char *err, size_t errlen);
/* A take of job at (step, iter) whose place among the waiters is ticket:
 * 1 with *value -- the item held for it, or the front item if no earlier
 * taker waits, now held (queue.taken) --; 0 if there is none for it now
 * (wait on *qid); -1 with err. */
int engine_queue_take(struct engine *e, const char *name, int64_t job, int64_t step,
		      int64_t iter, int64_t ticket, int64_t *qid, int64_t *value,
		      char *err, size_t errlen);
/* The takers waiting on queue qid, first to last: fn(job, since_ms). */
void engine_queue_waiters(const struct engine *e, int64_t qid,
			  void (*fn)(void *arg, int64_t job, int64_t since), void *arg);
size_t engine_queue_waiting(const struct engine *e, int64_t qid);

/* Append an event about a job in the current transaction. */
void engine_note(struct engine *e, int64_t job_id, const char *type,
		 const json_t *data);

#endif
