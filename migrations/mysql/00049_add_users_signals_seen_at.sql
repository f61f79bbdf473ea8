-- +goose Up
-- See the SQLite migration. A trailing nullable column: an instant change.
ALTER TABLE users ADD COLUMN signals_seen_at DATETIME(6) NULL;

-- +goose Down
ALTER TABLE users DROP COLUMN signals_seen_at;
