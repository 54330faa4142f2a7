-- 0008_schedules.sql -- schedules (spec: "Schedules, triggers and
-- notifications"): a job template fired every N watches or seconds.
--
-- A schedule's firing n is due at base + n * every: a watch number
-- (unit 'watches') or wall-clock ms (unit 'seconds', every in ms).  base
-- is NULL for a watch schedule until the first watch at or after its
-- start_at is known.  A firing is recorded in schedule_firings in the
-- same transaction as the job it creates, keyed by (schedule, firing):
-- the primary key makes a second firing of one number impossible, and
-- the row with the highest number says where the schedule goes on after
-- a restart.  A row may stand for a run of numbers (firing .. through)
-- that were missed or skipped together.  Schedules are never re-numbered
-- (AUTOINCREMENT): a job's `schedule` keeps naming the one that made it.
CREATE TABLE schedules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    unit TEXT NOT NULL CHECK (unit = 'watches' OR unit = 'seconds'),
    every INTEGER NOT NULL CHECK (every > 0),
    job TEXT NOT NULL,
    overlap TEXT NOT NULL CHECK (overlap = 'skip' OR overlap = 'allow'),
    catch_up TEXT NOT NULL CHECK (catch_up = 'one' OR catch_up = 'none'),
    start_at INTEGER NOT NULL,
    base INTEGER,
    paused INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE schedule_firings (
    schedule INTEGER NOT NULL,
    firing INTEGER NOT NULL,
    through INTEGER NOT NULL,
    due INTEGER NOT NULL,
    at INTEGER NOT NULL,
    outcome TEXT NOT NULL
        CHECK (outcome = 'fired' OR outcome = 'skipped' OR outcome = 'missed'),
    job INTEGER,
    reason TEXT,
    PRIMARY KEY (schedule, firing),
    CHECK (through >= firing)
) WITHOUT ROWID;
-- --retain-days deletes old firing rows (never a schedule's newest) by age
CREATE INDEX schedule_firings_at ON schedule_firings (at);
-- the job a firing created names its schedule; set once, by the INSERT
ALTER TABLE jobs ADD COLUMN schedule INTEGER;
CREATE INDEX jobs_schedule ON jobs (schedule, id) WHERE schedule IS NOT NULL;
