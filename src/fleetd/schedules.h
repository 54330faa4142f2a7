/* schedules.h -- schedules (spec: "Schedules, triggers and notifications"):
 * a job template fired every N watches or seconds.
 *
 * A schedule is a row of `schedules`; its progress is the rows of
 * `schedule_firings`, one per firing (or per run of firings missed
 * together), keyed by (schedule, firing number).  A firing, its row and
 * the job it creates are written in one transaction (the loop's group
 * transaction), so a crash never fires one twice (the key forbids it) nor
 * loses one: after a restart the highest recorded number says where the
 * schedule goes on, and the firings due meanwhile follow the catch-up rule
 * of sched_time.h.
 *
 * In memory each schedule is a small record with its template and one
 * timer node: a seconds schedule sits on the loop's timer heap at its next
 * due time, a watch schedule on this module's heap keyed by watch number,
 * taken when the mirror reports a new watch.  Firings due in the same turn
 * are made in one batch (one transaction).  No timer or scan runs per tick.
 *
 * Owns: the `schedules` and `schedule_firings` tables, the records and
 * their timers.  Creates jobs only through engine_submit() (which writes
 * the job's `schedule` column); must not touch the jobs table itself. */
#ifndef FLEETD_SCHEDULES_H
#define FLEETD_SCHEDULES_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct app;
struct schedules;

#define SCHED_MAX_WATCHES 100000
#define SCHED_MAX_SECONDS (366LL * 24 * 3600)

/* A schedule as a client gives it (POST /v1/schedules), checked. */
struct sched_def {
	const char *name;     /* borrowed from the request */
	int watches;          /* 1: every is in watches; 0: in ms */
	int64_t every;        /* watches, or ms */
	int64_t every_given;  /* as given: watches or seconds */
	const json_t *job;    /* the template, borrowed; checked by the caller */
	int overlap_skip;     /* "skip" (default) or "allow" */
	int catch_up_one;     /* "one" (default) or "none" */
	int64_t start_at;     /* ms; now when not given */
};

/* Check a request body's own fields (the job template is the caller's to
 * check with the job validator).  0, or -1 with "field: problem". */
int schedules_parse(const json_t *body, int64_t now_ms, struct sched_def *d, char *err,
		    size_t errlen);

/* Needs app->loop, app->store and app->engine; app->mirror may be NULL
 * (watch schedules then never fire). */
struct schedules *schedules_new(struct app *app);
void schedules_free(struct schedules *ss);
/* Read every schedule and arm it (start-up).  -1 with err. */
int schedules_load(struct schedules *ss, char *err, size_t errlen);
/* Listen to the mirror's watches (once both exist). */
int schedules_attach_mirror(struct schedules *ss);

/* In the current transaction.  The new id, or -1 on a database error. */
int64_t schedules_create(struct schedules *ss, const struct sched_def *d);
/* Pause (pause = 1) or resume: 0, 404 no such schedule, -1 on a database
 * error.  A firing due while paused is recorded skipped at the resume. */
int schedules_pause(struct schedules *ss, int64_t id, int pause);
/* Delete it and its firings (its jobs stay): 0, 404, -1. */
int schedules_delete(struct schedules *ss, int64_t id);

/* The answer of one schedule with its last `history` firings (newest
 * first), NULL if there is none (or on a database error: *db_error). */
json_t *schedules_answer(struct schedules *ss, int64_t id, int history, int *db_error);
/* Schedules with id > after, oldest first, at most limit; *next is the
 * cursor of the next page or 0.  NULL on a database error. */
json_t *schedules_list(struct schedules *ss, int64_t after, int limit, int64_t *next);

/* A retention_prune_fn (retention.h): delete at most max firing rows
 * recorded before cutoff_ms, never a schedule's newest (it says where the
 * schedule goes on); how many, or -1. */
int schedules_prune(void *arg, int64_t cutoff_ms, int max);

struct sched_stats {
	size_t schedules;
	uint64_t fired, skipped, missed; /* firings recorded since start */
	size_t last_batch;               /* firings of the last batch */
	int64_t last_batch_us;           /* how long it took */
};
void schedules_stats(const struct schedules *ss, struct sched_stats *out);

#endif
