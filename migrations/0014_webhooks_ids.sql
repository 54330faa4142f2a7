-- 0014_webhooks_ids.sql -- webhook and delivery ids are never handed out
-- again.
--
-- 0011 made webhooks.id and webhook_outbox.id plain INTEGER PRIMARY KEYs,
-- which SQLite reuses once the highest row is deleted.  Deleting the
-- newest webhook (its deliveries go with it) let the next one take its
-- id: a transfer of the deleted webhook still in flight then finished as
-- the new webhook's (webhook_send.c looks the webhook up by id), and its
-- outcome was written to whichever delivery had taken the deleted one's
-- id -- a delivery of the new webhook could be marked delivered without
-- ever being sent.  Receivers also saw an X-Fleetd-Delivery id twice.
--
-- Both tables are rebuilt with AUTOINCREMENT (same columns, rows, ids and
-- indexes) and their sequences start past every id in use.  The order
-- matters: the migration runs with foreign keys on, so the old outbox is
-- dropped before the old webhooks (dropping a parent first would delete
-- the rows that reference it), and each new table is renamed only once
-- the old one is gone.
CREATE TABLE webhooks_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    format TEXT NOT NULL CHECK (format IN ('json', 'discord')),
    secret TEXT NOT NULL,
    created_ms INTEGER NOT NULL
);
INSERT INTO webhooks_new (id, url, events, format, secret, created_ms)
    SELECT id, url, events, format, secret, created_ms FROM webhooks;

CREATE TABLE webhook_outbox_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id INTEGER NOT NULL REFERENCES webhooks_new (id) ON DELETE CASCADE,
    event_id INTEGER NOT NULL,
    type TEXT NOT NULL,
    body TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    last_ms INTEGER,
    last_status INTEGER,
    last_error TEXT,
    done_ms INTEGER
);
INSERT INTO webhook_outbox_new (id, webhook_id, event_id, type, body, created_ms, state,
                                attempts, next_ms, expires_ms, last_ms, last_status,
                                last_error, done_ms)
    SELECT id, webhook_id, event_id, type, body, created_ms, state, attempts, next_ms,
           expires_ms, last_ms, last_status, last_error, done_ms
    FROM webhook_outbox;

DROP TABLE webhook_outbox;
DROP TABLE webhooks;
ALTER TABLE webhooks_new RENAME TO webhooks;
ALTER TABLE webhook_outbox_new RENAME TO webhook_outbox;
CREATE INDEX webhook_outbox_hook ON webhook_outbox (webhook_id, id);
CREATE INDEX webhook_outbox_pending ON webhook_outbox (webhook_id, id)
    WHERE state = 'pending';
CREATE INDEX webhook_outbox_delivered ON webhook_outbox (done_ms)
    WHERE state = 'delivered';

-- AUTOINCREMENT made the sequence rows when the copies were inserted
-- (none for an empty table); the webhooks' also passes any id a delivery
-- still names.
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'webhooks', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence
                                           WHERE name = 'webhooks');
UPDATE sqlite_sequence
    SET seq = max(seq, coalesce((SELECT max(id) FROM webhooks), 0),
                  coalesce((SELECT max(webhook_id) FROM webhook_outbox), 0))
    WHERE name = 'webhooks';
