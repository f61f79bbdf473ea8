-- +goose Up
-- A signal's trail: its raising, each state change and each note, with the actor (NULL for
-- the rules themselves).
CREATE TABLE signal_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    signal_id INTEGER NOT NULL REFERENCES signals (id),
    actor_id INTEGER REFERENCES users (id),
    action TEXT NOT NULL,
    from_state TEXT NOT NULL DEFAULT '',
    to_state TEXT NOT NULL DEFAULT '',
    resolution TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    at DATETIME NOT NULL
);
CREATE INDEX ix_signal_events_signal ON signal_events (signal_id, id);

-- +goose Down
DROP TABLE signal_events;
