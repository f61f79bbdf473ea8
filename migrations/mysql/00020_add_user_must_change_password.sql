-- +goose Up
-- Set when an admin resets a password to a one-time one (see the SQLite migration).
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE users DROP COLUMN must_change_password;
