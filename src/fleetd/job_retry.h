/* job_retry.h -- what a retry of a failed job is (POST
 * /v1/jobs/{id}/retry): a new job with the failed job's spec and
 * variables that starts at the step that failed, in the pass it failed
 * in, now (not at the spec's start_at or after its delay), holding the
 * fleet the failed job held at its end, its row's retry_of naming the
 * failed job.
 *
 * Owns: that rule and the job.retried event of the failed job.
 * Must not touch: HTTP (api_jobs.c), how a job is stored or started (it
 * submits through engine_submit like every creator of jobs), the failed
 * job's row (a retry never changes it: it may be retried again). */
#ifndef FLEETD_JOB_RETRY_H
#define FLEETD_JOB_RETRY_H

#include <stddef.h>
#include <stdint.h>

struct engine;

enum job_retry_result {
	RETRY_CREATED,    /* *id is the new job */
	RETRY_NOT_FOUND,  /* no such job */
	RETRY_NOT_FAILED, /* it has not failed (err says what it is) */
	RETRY_GROUP,      /* a group's parent: its failed children are
			   * retried one by one (err says how to list them) */
	RETRY_FLEET_BUSY, /* its fleet is held by live job *holder */
	RETRY_WORLD_BUSY, /* its world (a world job's) is held by *holder */
	RETRY_ERROR,      /* the database: nothing was stored */
};

/* Retry job `failed` in the current transaction.  idem_key and idem_body
 * (may be NULL) are stored with the new job as a submission's are. */
enum job_retry_result job_retry(struct engine *e, int64_t failed, const char *idem_key,
				const char *idem_body, int64_t *id, int64_t *holder,
				char *err, size_t errlen);

#endif
