-- 0011_webhooks.sql -- webhooks and their durable outbox (spec: "Schedules,
-- triggers and notifications").
--
-- `webhooks`: one row per registered receiver.  `secret` is the HMAC key
-- of the X-Fleetd-Signature header; it is written once and never read
-- back by any route.  `events` is the JSON array of the public event names
-- the receiver asked for (webhook_events.c has the list).
--
-- `webhook_outbox`: one row per (webhook, matching event), inserted in the
-- transaction that appends the event, so a delivery exists exactly when
-- its event does.  `body` is the exact request body, built once, so every
-- attempt (and a redelivery) sends -- and signs -- the same bytes.  The id
-- orders the deliveries of one webhook.  state: 'pending' (to be sent at
-- or after next_ms), 'delivered' (a 2xx came back), 'dead' (no 2xx before
-- expires_ms).  Delivered and dead rows are kept as history; delivered
-- ones are deleted --retain-days after done_ms (retention.h).
CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    format TEXT NOT NULL CHECK (format IN ('json', 'discord')),
    secret TEXT NOT NULL,
    created_ms INTEGER NOT NULL
);

CREATE TABLE webhook_outbox (
    id INTEGER PRIMARY KEY,
    webhook_id INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
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
CREATE INDEX webhook_outbox_hook ON webhook_outbox (webhook_id, id);
CREATE INDEX webhook_outbox_pending ON webhook_outbox (webhook_id, id)
    WHERE state = 'pending';
CREATE INDEX webhook_outbox_delivered ON webhook_outbox (done_ms)
    WHERE state = 'delivered';
