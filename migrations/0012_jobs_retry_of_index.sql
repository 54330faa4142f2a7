-- 0012: an index for GET /v1/jobs?retry_of=ID (the retries of a job).
-- The list drives a given filter by its column's index (job_filter.h);
-- retry_of (0006) had none, so that filter walked every job.  Ordered by
-- id within a job's retries, as the list pages; only rows that are
-- retries are indexed.
CREATE INDEX jobs_retry_of ON jobs (retry_of, id) WHERE retry_of IS NOT NULL;
