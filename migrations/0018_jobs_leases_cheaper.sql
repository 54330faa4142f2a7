-- 0018: the world lease and the group index cost a fleet job nothing.
--
-- A job that changes state (every wake, every end) made SQLite evaluate
-- the condition of each partial index that names `state` for its old and
-- new row, and open a cursor on each index that names it:
--
--   jobs_world_lease (0005) tested the four live states before
--     `world IS NOT NULL`, so a fleet job (world NULL) paid the state
--     compares for an index it is never in.  The same index, the same
--     rule (one live job per world), with `world IS NOT NULL` first: SQLite
--     stops at that term for a fleet job.
--   jobs_parent (0007) was (parent, state), so every state change opened
--     it although only group children are in it.  Keyed by the parent
--     alone it no longer names `state`, and a state change does not touch
--     it.  Its three questions are still answered from it (children by
--     parent, then each child's state read from its row: a group has a
--     few children); the list by parent pages on the rowid every entry
--     ends with.  tests/unit/test_job_plan.c and test_group.c check it.
DROP INDEX jobs_world_lease;
CREATE UNIQUE INDEX jobs_world_lease ON jobs (world)
    WHERE world IS NOT NULL AND (state = 'queued' OR state = 'running' OR
          state = 'waiting' OR state = 'paused');
DROP INDEX jobs_parent;
CREATE INDEX jobs_parent ON jobs (parent) WHERE parent IS NOT NULL;
