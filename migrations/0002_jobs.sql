-- 0002_jobs.sql -- the job engine's tables and the event log.
--
-- A job is one row of `jobs`: its submitted spec, its state, and the exact
-- point it has reached (step index, the step's enum sub-state by name and
-- the step's persisted fields as JSON).  Every suspension point is here,
-- so a restarted fleetd resumes from these columns alone.  Times are
-- wall-clock milliseconds since the epoch.
CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    name         TEXT,
    fleet        INTEGER,              -- current fleet; NULL until a first deploy
    spec         TEXT NOT NULL,        -- the normalised job as accepted
    state        TEXT NOT NULL CHECK (state IN ('queued', 'running', 'waiting',
                     'paused', 'succeeded', 'failed', 'cancelled')),
    paused_from  TEXT,                 -- the live state a paused job left
    step         INTEGER NOT NULL DEFAULT 0,   -- index into spec.steps
    sub_state    TEXT NOT NULL DEFAULT 'START',-- the op's enum sub-state
    step_data    TEXT NOT NULL DEFAULT '{}',   -- the op's persisted fields
    iteration    INTEGER NOT NULL DEFAULT 0,   -- passes completed (repeat)
    wake_at      INTEGER,              -- absolute deadline of a timed wait
    wait_kind    TEXT,                 -- condition: anchored, battle, watch, ready, fleet
    wait_key     INTEGER,              -- its fleet, world or watch number
    wait_arg     INTEGER,              -- second key (the world for anchored)
    intent_world INTEGER,              -- world of an open effectively-once intent
    attempts     INTEGER NOT NULL DEFAULT 0,   -- transient failures in a row
    last_error   TEXT,
    idem_key     TEXT,                 -- Idempotency-Key of the submission
    idem_body    TEXT,                 -- canonical body submitted with it
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    started_at   INTEGER,
    finished_at  INTEGER
);

-- The fleet lease: at most one live job per fleet, enforced by SQLite too.
CREATE UNIQUE INDEX jobs_fleet_lease ON jobs (fleet)
    WHERE state IN ('queued', 'running', 'waiting', 'paused') AND fleet IS NOT NULL;
CREATE UNIQUE INDEX jobs_idem ON jobs (idem_key) WHERE idem_key IS NOT NULL;
CREATE INDEX jobs_state ON jobs (state, id);
CREATE INDEX jobs_fleet ON jobs (fleet, id);
-- At most one open intent per world at a time (step_intent_lock): how a
-- reconciliation tells its own effect from another job's.
CREATE INDEX jobs_intent_world ON jobs (intent_world) WHERE intent_world IS NOT NULL;

-- explore: the worlds visited (or claimed) by a group of jobs.  A job
-- without a group uses the group "job:<id>".
CREATE TABLE explore_visited (
    grp     TEXT NOT NULL,
    world   INTEGER NOT NULL,
    job_id  INTEGER NOT NULL,
    at      INTEGER NOT NULL,
    PRIMARY KEY (grp, world)
) WITHOUT ROWID;

-- The event log (eventlog.c): id is also the SSE id.
CREATE TABLE events (
    id      INTEGER PRIMARY KEY,
    ts      INTEGER NOT NULL,
    job_id  INTEGER,
    type    TEXT NOT NULL,
    data    TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX events_job ON events (job_id, id) WHERE job_id IS NOT NULL;
