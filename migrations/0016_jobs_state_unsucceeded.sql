-- 0016: jobs_state holds no succeeded job.
-- Every job that ends moved its entry from its live state to its end
-- state: a delete and an insert, each a search of an index whose keys are
-- a handful of repeated words.  Most jobs end succeeded, and an index entry
-- per succeeded job served only the list filtered by that state, where
-- those jobs are the common case and a walk by id finds them densely; the
-- counts take them as the total less the others.  So a job that succeeds
-- only leaves the index.  The queries that use it say so with the same
-- term (job_row_indexed_state_sql() in src/fleetd/job_row.c), as SQLite
-- uses a partial index only for a query that names its condition; the
-- plans are checked by tests/unit/test_job_plan.c.
DROP INDEX jobs_state;
CREATE INDEX jobs_state ON jobs (state) WHERE state <> 'succeeded';
