/* job_check.h -- whether a job can be taken: the job language
 * (jobspec_validate) and, once the galaxy is known, every id and catalogue
 * entry it names against the mirror (a fleet must be the player's, a
 * world job's world too, ...).  The one check of a new job, whoever makes
 * it: POST /v1/jobs, a trigger's template when it is posted and its job
 * when it fires.  Owns nothing; must not touch the store. */
#ifndef FLEETD_JOB_CHECK_H
#define FLEETD_JOB_CHECK_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct mirror;

/* A job template whose top-level "world" is a placeholder for a "$NAME"
 * bound later: it is not checked against the galaxy.  (A "$NAME" fleet
 * needs no flag: the job language takes it, and only ids are checked.) */
#define JOB_CHECK_TEMPLATE 1u

/* 0 if spec is acceptable; -1 with "path: problem" in err.  m may be NULL
 * or not ready: the ids are then checked when the job starts. */
int job_check(const struct mirror *m, const json_t *spec, int64_t now_ms,
	      unsigned flags, char *err, size_t errlen);

#endif
