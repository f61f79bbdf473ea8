-- +goose Up
-- One row per running gimark process, renewed every few seconds: an instance that sees
-- another one's recent beat while it has no Redis warns that its limits are per instance.
CREATE TABLE instances (
    id TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    shared_state INTEGER NOT NULL,
    started_at DATETIME NOT NULL,
    seen_at DATETIME NOT NULL
);

-- +goose Down
DROP TABLE instances;
