/* engine.h -- the durable job engine: jobs as rows in SQLite, advanced by
 * the step ops (step.h) on the one loop.
 *
 * In memory a live job is only a compact record (id, fleet, state, one
 * timer node, one condition node); everything else is read from its row
 * when it wakes and written back in the same turn's transaction.  Timers
 * use the loop's heap with the absolute deadlines stored in the rows;
 * conditions live in the condition index and are woken by the mirror's
 * change feed.  The engine owns the `jobs` and `explore_visited` tables;
 * it sends game calls only through the session, and only after the state
 * that records them is committed. */
#ifndef FLEETD_ENGINE_H
#define FLEETD_ENGINE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct app;
struct engine;

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

const char *engine_state_name(int state);
/* -1 if name is not a state. */
int engine_state_of(const char *name);

/* Needs app->loop, app->store and app->eventlog; app->mirror and
 * app->session may be NULL (game steps then wait for the mirror). */
struct engine *engine_new(struct app *app);
void engine_free(struct engine *e);
/* Load every live job from the database (start-up).  -1 with err. */
int engine_load(struct engine *e, char *err, size_t errlen);
/* Start listening to the mirror's change feed (call once both exist). */
int engine_attach_mirror(struct engine *e);

/* Store a validated job (inside the current transaction) and schedule it.
 * Returns the new id; 0 with *holder set if the fleet is leased to another
 * live job; -1 on a database error. */
int64_t engine_submit(struct engine *e, const json_t *spec, const char *idem_key,
		      const char *idem_body, int64_t *holder);

enum engine_ctl { CTL_CANCEL, CTL_PAUSE, CTL_RESUME };
/* 0 done; 404 no such job; 409 impossible now (message in err); -1 DB. */
int engine_control(struct engine *e, int64_t id, enum engine_ctl ctl, char *err,
		   size_t errlen);

/* Is there a job with this id (live or ended)? */
int engine_job_exists(struct engine *e, int64_t id);
/* The job as the API shows it, serialised (job_answer.h): from the job
 * cache while the row is unchanged since it was last read outside a
 * transaction.  Owned by the engine and valid until the next engine call;
 * NULL if there is none. */
const char *engine_job_text(struct engine *e, int64_t id, size_t *len);
/* The same from the cache only (committed state), or NULL. */
const char *engine_job_cached(struct engine *e, int64_t id, size_t *len);
/* Jobs with id > after, filtered (state < 0, fleet 0: any), oldest first,
 * as the text of a JSON array (the caller frees it; NULL on ENOMEM);
 * *next is the cursor for the next page or 0. */
char *engine_list(struct engine *e, int state, int64_t fleet, int64_t after,
		  int limit, int64_t *next, size_t *len);
/* The id of the live job holding this fleet, 0 if none. */
int64_t engine_fleet_holder(const struct engine *e, int64_t fleet);

/* For metrics and /healthz. */
void engine_counts(const struct engine *e, uint64_t counts[JOB_STATE_COUNT]);
uint64_t engine_transitions(const struct engine *e);
size_t engine_live(const struct engine *e);
size_t engine_waiting_conditions(const struct engine *e);

/* Append an event about a job in the current transaction. */
void engine_note(struct engine *e, int64_t job_id, const char *type,
		 const json_t *data);

#endif
