-- 0003_jobs_plain_checks.sql -- the same jobs table, cheaper to write.
--
-- In 0002 the state CHECK and the lease index's condition were IN lists.
-- SQLite evaluates a constant IN list of more than a couple of values by
-- building a temporary b-tree of the list each time the expression runs,
-- i.e. on every write that changes a job's state (three times per UPDATE:
-- the CHECK and the lease index's old and new row).  The same conditions
-- written as OR chains compile to plain comparisons.  A CHECK cannot be
-- altered in place, so the table is rebuilt with its rows and indexes;
-- the columns are those of 0002.
CREATE TABLE jobs_new (
    id           INTEGER PRIMARY KEY,
    name         TEXT,
    fleet        INTEGER,
    spec         TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state = 'queued' OR state = 'running' OR
                     state = 'waiting' OR state = 'paused' OR state = 'succeeded' OR
                     state = 'failed' OR state = 'cancelled'),
    paused_from  TEXT,
    step         INTEGER NOT NULL DEFAULT 0,
    sub_state    TEXT NOT NULL DEFAULT 'START',
    step_data    TEXT NOT NULL DEFAULT '{}',
    iteration    INTEGER NOT NULL DEFAULT 0,
    wake_at      INTEGER,
    wait_kind    TEXT,
    wait_key     INTEGER,
    wait_arg     INTEGER,
    intent_world INTEGER,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    idem_key     TEXT,
    idem_body    TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    started_at   INTEGER,
    finished_at  INTEGER
);
INSERT INTO jobs_new (id, name, fleet, spec, state, paused_from, step, sub_state, step_data,
    iteration, wake_at, wait_kind, wait_key, wait_arg, intent_world, attempts,
    last_error, idem_key, idem_body, created_at, updated_at, started_at, finished_at)
SELECT id, name, fleet, spec, state, paused_from, step, sub_state, step_data,
    iteration, wake_at, wait_kind, wait_key, wait_arg, intent_world, attempts,
    last_error, idem_key, idem_body, created_at, updated_at, started_at, finished_at
FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_new RENAME TO jobs;

CREATE UNIQUE INDEX jobs_fleet_lease ON jobs (fleet)
    WHERE (state = 'queued' OR state = 'running' OR state = 'waiting' OR
           state = 'paused') AND fleet IS NOT NULL;
CREATE UNIQUE INDEX jobs_idem ON jobs (idem_key) WHERE idem_key IS NOT NULL;
CREATE INDEX jobs_state ON jobs (state, id);
CREATE INDEX jobs_fleet ON jobs (fleet, id);
CREATE INDEX jobs_intent_world ON jobs (intent_world) WHERE intent_world IS NOT NULL;
