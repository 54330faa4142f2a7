-- 0009_triggers.sql -- triggers (spec: "Schedules, triggers and
-- notifications"): a trigger creates a job when an event it watches is
-- appended to the event log.
--
-- `triggers` holds what was posted (the job template and the `where`
-- filter as JSON text), whether it is paused and when it last fired (the
-- cooldown runs from there, so it survives a restart).  `trigger_firings`
-- is the history, one row per (trigger, event): the UNIQUE pair is what
-- makes an event fire a trigger at most once, across restarts.  A firing
-- is written `pending` in the transaction that appends its event and
-- becomes `fired` (with its job) or `skipped` (with why) in the
-- transaction that creates the job, so a crash in between leaves a pending
-- firing that the next start completes.  jobs.trigger names the trigger
-- that created a job; nothing else of `jobs` changes.
CREATE TABLE triggers (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    event         TEXT NOT NULL,
    filter        TEXT NOT NULL DEFAULT '{}',   -- the `where` object
    job           TEXT NOT NULL,                -- the job template
    cooldown_ms   INTEGER NOT NULL DEFAULT 0,
    paused        INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    last_fired_at INTEGER                       -- NULL: never fired
);

CREATE TABLE trigger_firings (
    id         INTEGER PRIMARY KEY,
    trigger_id INTEGER NOT NULL,
    event_id   INTEGER NOT NULL,
    at         INTEGER NOT NULL,                -- when the event was appended
    state      TEXT NOT NULL CHECK (state IN ('pending', 'fired', 'skipped')),
    vars       TEXT NOT NULL DEFAULT '{}',      -- what the event binds
    job_id     INTEGER,                         -- the job it created (fired)
    reason     TEXT,                            -- why it was skipped
    UNIQUE (trigger_id, event_id)
);
CREATE INDEX trigger_firings_pending ON trigger_firings (id) WHERE state = 'pending';

ALTER TABLE jobs ADD COLUMN "trigger" INTEGER;
CREATE INDEX jobs_trigger ON jobs ("trigger", id) WHERE "trigger" IS NOT NULL;
