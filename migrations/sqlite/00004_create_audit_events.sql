-- +goose Up
CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    actor_id INTEGER REFERENCES users (id),
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id INTEGER NOT NULL,
    from_state TEXT NOT NULL DEFAULT '',
    to_state TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    at DATETIME NOT NULL
);
CREATE INDEX ix_audit_events_object ON audit_events (object_type, object_id, id);

-- +goose Down
DROP TABLE audit_events;
