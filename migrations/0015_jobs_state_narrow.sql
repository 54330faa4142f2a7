-- 0015: jobs_state keyed by the state alone.
-- It was (state, id); id is the rowid, which every index entry carries as
-- its last field anyway, so each entry held the id twice and each search
-- compared three fields where two give the same order.  The queries that
-- use it are answered as before (tests/unit/test_job_plan.c): a list by
-- state pages on the rowid (USING INDEX jobs_state (state=? AND rowid>?)),
-- the counts by state and the live jobs read at start-up use it as a
-- covering index.  Every job that changes state moves its entry, so the
-- narrower key is paid for by each job that waits, wakes or ends.
DROP INDEX jobs_state;
CREATE INDEX jobs_state ON jobs (state);
