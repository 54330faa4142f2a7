/* job_retry.c -- see job_retry.h. */
#include "job_retry.h"

#include <jansson.h>
#include <stdio.h>

#include "engine.h"
#include "job_read.h"
#include "job_row.h"

/* What a retry takes from the failed job's row (owned copies: the row is
 * borrowed from a statement that is reset before the submission). */
struct failed_job {
	int state;
	int64_t fleet, step, iteration;
	json_t *spec, *vars;
	int bad; /* a copy failed (memory) or the stored text did not parse */
};

static void take_row(void *arg, const struct job_row *row)
{
	struct failed_job *f = arg;
	f->state = row->state;
	f->fleet = row->fleet;
	f->step = row->step;
	f->iteration = row->iteration;
	f->spec = row->spec ? json_loads(row->spec, 0, NULL) : NULL;
	f->vars = row->vars ? json_loads(row->vars, 0, NULL) : NULL;
	f->bad = !json_is_object(f->spec) || (row->vars && !json_is_object(f->vars));
}

enum job_retry_result job_retry(struct engine *e, int64_t failed, const char *idem_key,
				const char *idem_body, int64_t *id, int64_t *holder,
				char *err, size_t errlen)
{
	struct failed_job f = {0};
	int found = jobread_with_row(engine_reads(e), failed, take_row, &f);
	enum job_retry_result res = RETRY_ERROR;
	if (found == 0) {
		snprintf(err, errlen, "no job %lld", (long long)failed);
		res = RETRY_NOT_FOUND;
	} else if (found < 0 || f.bad) {
		snprintf(err, errlen, "job %lld could not be read", (long long)failed);
	} else if (json_object_get(f.spec, "fleets")) {
		/* its spec would make one job of a group (group.h) */
		snprintf(err, errlen,
			 "job %lld is a group: retry its failed children "
			 "(GET /v1/jobs?parent=%lld&state=failed)",
			 (long long)failed, (long long)failed);
		res = RETRY_GROUP;
	} else if (f.state != JOB_FAILED) {
		snprintf(err, errlen, "job %lld is %s: only a failed job can be retried",
			 (long long)failed, job_state_name(f.state));
		res = RETRY_NOT_FAILED;
	} else {
		struct engine_submit_opts o = {
			.idem_key = idem_key, .idem_body = idem_body, .vars = f.vars,
			.retry_of = failed, .step = f.step, .iteration = f.iteration,
			.fleet = f.fleet, .start_now = 1,
		};
		*id = engine_submit(e, f.spec, &o, holder);
		if (*id > 0) {
			json_t *data = json_pack("{s:I}", "job", (json_int_t)*id);
			engine_note(e, failed, "job.retried", data);
			json_decref(data);
			res = RETRY_CREATED;
		} else if (*id == 0) {
			int64_t world = json_integer_value(json_object_get(f.spec, "world"));
			snprintf(err, errlen, "%s %lld is held by job %lld",
				 world ? "world" : "fleet", (long long)(world ? world : f.fleet),
				 (long long)*holder);
			res = world ? RETRY_WORLD_BUSY : RETRY_FLEET_BUSY;
		} else {
			snprintf(err, errlen, "the retry of job %lld could not be stored",
				 (long long)failed);
		}
	}
	json_decref(f.spec);
	json_decref(f.vars);
	return res;
}
