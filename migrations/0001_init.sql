-- 0001_init.sql -- the first schema: facts about this database itself.
-- The schema version is PRAGMA user_version, set by the migration runner
-- in the same transaction as each file; this table records when and by
-- which build each migration was applied.
CREATE TABLE migration_log (
    version     INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    applied_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE meta (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
) WITHOUT ROWID;

INSERT INTO meta (key, value) VALUES ('created_at', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
