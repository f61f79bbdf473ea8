-- +goose Up
-- See the SQLite migration. A trailing column with a default: an instant change on MariaDB
-- 10.3+ and MySQL 8.0, whatever the size of scans.
ALTER TABLE scans ADD COLUMN network CHAR(32) NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE scans DROP COLUMN network;
