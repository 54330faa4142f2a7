-- 0006_jobs_hygiene.sql -- job hygiene (spec: "Job hygiene").
--
-- retry_of: the failed job a job was created to retry (POST
-- /v1/jobs/{id}/retry), set once when the job is created, NULL for any
-- other job.  It stays as it was when the retried job is later pruned.
ALTER TABLE jobs ADD COLUMN retry_of INTEGER;
-- Retention (--retain-days) finds the oldest ended jobs first.  Only an
-- ended job has finished_at, so the index holds the ended jobs alone and
-- a live job's writes never touch it.
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE finished_at IS NOT NULL;
-- ... and the oldest events that are about no job (fleet, watch and game
-- events), which are pruned by their time alone.
CREATE INDEX events_loose ON events (ts) WHERE job_id IS NULL;
