-- 0017: events_job keyed by the job alone.
-- It was (job_id, id); id is the rowid, which every index entry carries as
-- its last field anyway, so each entry held the id twice and each search
-- compared three fields where two give the same order (as 0015 found for
-- jobs_state).  A job's events are still read in id order from the index
-- (USING INDEX events_job (job_id=? AND rowid>?), tests/unit/test_eventlog.c),
-- and every event of a job writes one entry, two or three per woken job.
DROP INDEX events_job;
CREATE INDEX events_job ON events (job_id) WHERE job_id IS NOT NULL;
