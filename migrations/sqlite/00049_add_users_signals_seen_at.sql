-- +goose Up
-- When the user last opened the console's signal list: signals raised after it are shown
-- as new in the navigation. NULL: never opened.
ALTER TABLE users ADD COLUMN signals_seen_at DATETIME NULL;

-- +goose Down
ALTER TABLE users DROP COLUMN signals_seen_at;
