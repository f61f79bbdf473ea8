-- +goose Up
-- The transactional outbox: one row per event and endpoint, written in the transaction that
-- raised or changed the signal, so no committed change goes undelivered. The delivery worker
-- claims a due row by moving next_attempt_at past a lease, and marks it delivered or
-- schedules the next attempt.
CREATE TABLE webhook_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL,
    webhook_id INTEGER NOT NULL REFERENCES webhooks (id),
    signal_id INTEGER NOT NULL,
    type TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at DATETIME NOT NULL,
    created_at DATETIME NOT NULL,
    delivered_at DATETIME
);
CREATE UNIQUE INDEX ux_webhook_events_event ON webhook_events (event_id, webhook_id);
CREATE INDEX ix_webhook_events_due ON webhook_events (state, next_attempt_at);

-- +goose Down
DROP TABLE webhook_events;
