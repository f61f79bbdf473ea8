-- +goose Up
-- The keyed hash of the client's network (/24 of IPv4, /48 of IPv6), for the rules and the
-- analytics' distinct networks; never the address. Empty for scans recorded before.
ALTER TABLE scans ADD COLUMN network TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE scans DROP COLUMN network;
