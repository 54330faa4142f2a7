-- 0005_jobs_world.sql -- world jobs (spec: "World jobs and combat"): a job
-- may name one of the player's worlds instead of a fleet, and holds it as
-- a fleet job holds its fleet.  `world` is set once, when the job is
-- submitted, and never changes.  The lease is the same partial unique
-- index as jobs_fleet_lease (0003): only one live job per world, the
-- live states written as plain comparisons.
ALTER TABLE jobs ADD COLUMN world INTEGER;
CREATE UNIQUE INDEX jobs_world_lease ON jobs (world)
    WHERE (state = 'queued' OR state = 'running' OR state = 'waiting' OR
           state = 'paused') AND world IS NOT NULL;
