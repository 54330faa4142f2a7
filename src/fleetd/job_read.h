/* job_read.h -- the read side of the jobs: the answers of GET /v1/jobs/{id}
 * and GET /v1/jobs, and the cache that serves unchanged jobs without a
 * read of their row.
 *
 * Owns: the answer cache (jobcache.h) and the answers of jobs submitted in
 * the open transaction (they enter the cache when it commits), the
 * SELECTs of the routes.
 * Must not touch: a job's life (engine.c), how a row is stored
 * (job_row.c), the answer's shape (job_answer.c).  It never writes.
 *
 * The engine tells it when a row is being written (jobread_forget), so no
 * answer outlives the row it was made from. */
#ifndef FLEETD_JOB_READ_H
#define FLEETD_JOB_READ_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct jobread;
struct job_filters;
struct job_row;
struct store;

struct jobread *jobread_new(struct store *st);
void jobread_free(struct jobread *r);

/* id's row is being written: no answer of it may outlive this. */
void jobread_forget(struct jobread *r, int64_t id);
/* The answer of a row just written in the open transaction, from the row
 * in hand (spec parsed): GET serves it once the transaction commits, so a
 * POST is answered without reading the row back. */
void jobread_fresh(struct jobread *r, const struct job_row *row, const json_t *spec);

/* Is there a job with this id (live or ended)? */
int jobread_exists(struct jobread *r, int64_t id);
/* The job as the API shows it, serialised (job_answer.h): from the cache
 * while the row is unchanged since it was last read outside a
 * transaction.  Owned by the reader and valid until its next call; NULL
 * if there is none. */
const char *jobread_text(struct jobread *r, int64_t id, size_t *len);
/* The same from the cache only (committed state), or NULL. */
const char *jobread_cached(struct jobread *r, int64_t id, size_t *len);
/* Hand fn job id's row as stored (the columns an answer reads; text
 * borrowed for the call), for a route that acts on an ended job.  1 if
 * there is one, 0 if not, -1 on a database error. */
typedef void (*jobread_row_fn)(void *arg, const struct job_row *row);
int jobread_with_row(struct jobread *r, int64_t id, jobread_row_fn fn, void *arg);
/* Jobs with id > after, filtered (job_filter.h), oldest first,
 * as the text of a JSON array (the caller frees it; NULL on ENOMEM or a
 * database error); *next is the cursor for the next page or 0.  At most
 * limit jobs, and no job that would take the text past max_bytes (but
 * always the first): a page of big jobs is cut short and the cursor
 * carries on from the last one sent. */
char *jobread_list(struct jobread *r, const struct job_filters *f, int64_t after,
		   int limit, size_t max_bytes, int64_t *next, size_t *len);
/* The SELECT jobread_list runs for f's filters (owned by r): the one
 * driven by the index of f's driving filter (job_filter.h), if any. */
const char *jobread_list_sql(const struct jobread *r, const struct job_filters *f);

#endif
