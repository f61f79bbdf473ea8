-- +goose Up
-- Set when an admin resets a password to a one-time one: the user must choose a new
-- password before doing anything else.
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE users DROP COLUMN must_change_password;
