/* job_answer.h -- the public JSON text of one job: the body of
 * GET /v1/jobs/{id}, each element of GET /v1/jobs and the answer to
 * POST /v1/jobs and the control routes (shape: api-docs/openapi.yaml).
 *
 * Written straight into a growing buffer from the job's fields, instead of
 * building a jansson tree per answer and serialising it.  Knows the
 * answer's shape and nothing of SQLite, HTTP or the engine's records: the
 * engine fills a job_view from a row or from a job it holds. */
#ifndef FLEETD_JOB_ANSWER_H
#define FLEETD_JOB_ANSWER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "textbuf.h"

/* A job's fields as the answer shows them.  Times are epoch ms, 0 for
 * none; fleet 0 for none; strings may be NULL.  wait_kind is the engine's
 * enum wait_kind. */
struct job_view {
	int64_t id, fleet, step, iteration, attempts, wake_at;
	int64_t world; /* a world job's world; 0 (not shown) for a fleet job */
	int64_t retry_of; /* the failed job this one retries; 0 (null) for none */
	int64_t schedule; /* the schedule whose firing made it; 0 (null) for none */
	int64_t trigger;  /* the trigger whose firing made it; 0 (null) for none */
	int64_t wait_key, wait_arg;
	int64_t created_at, updated_at, started_at, finished_at;
	const char *name, *state, *paused_from, *sub_state, *last_error;
	int live, waiting, paused, wait_kind;
	const json_t *spec;    /* the job as accepted: steps, repeat, start_at... */
	const char *step_data; /* the op's persisted fields, JSON object text */
	const char *vars;      /* the job's variables, JSON object text, or NULL */
	int64_t parent;        /* a group child's parent; 0 (not shown) for none */
	/* a group's parent (group.h): its children's ids, and how many are in
	 * each state (enum job_state); NULL for any other job */
	const int64_t *children;
	size_t nchildren;
	const uint64_t *child_states;
};

/* Append v's answer to t. */
void job_answer_write(struct textbuf *t, const struct job_view *v);

#endif
