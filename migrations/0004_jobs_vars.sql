-- 0004_jobs_vars.sql -- a job's variables (spec: "Variables"): a JSON
-- object {"NAME": id} kept in the job's row, shown as `vars` in its
-- answer and read by its conditions, targets and filters.  NULL is no
-- variable bound.  Nothing else of the table changes.
ALTER TABLE jobs ADD COLUMN vars TEXT;
