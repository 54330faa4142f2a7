-- 0013_triggers_ids.sql -- a trigger's id is never handed out again.
--
-- 0009 made triggers.id a plain INTEGER PRIMARY KEY, which SQLite reuses
-- once the highest row is deleted: a new trigger then took the id of a
-- deleted one, and the deleted one's jobs (jobs.trigger keeps it) showed
-- as the new trigger's in GET /v1/jobs?trigger= and counted as its own
-- jobs for the loop guard of job.failed / job.succeeded.  The table is
-- rebuilt with AUTOINCREMENT (same columns, rows and ids), and its
-- sequence starts past every id a job still names.
CREATE TABLE triggers_new (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT NOT NULL,
    event         TEXT NOT NULL,
    filter        TEXT NOT NULL DEFAULT '{}',
    job           TEXT NOT NULL,
    cooldown_ms   INTEGER NOT NULL DEFAULT 0,
    paused        INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    last_fired_at INTEGER
);
INSERT INTO triggers_new (id, name, event, filter, job, cooldown_ms, paused, created_at,
                          last_fired_at)
    SELECT id, name, event, filter, job, cooldown_ms, paused, created_at, last_fired_at
    FROM triggers;
DROP TABLE triggers;
ALTER TABLE triggers_new RENAME TO triggers;

INSERT INTO sqlite_sequence (name, seq)
    SELECT 'triggers', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence
                                           WHERE name = 'triggers');
UPDATE sqlite_sequence
    SET seq = max(seq, coalesce((SELECT max(id) FROM triggers), 0),
                  coalesce((SELECT max("trigger") FROM jobs), 0))
    WHERE name = 'triggers';
