-- +goose Up
CREATE TABLE unknown_codes (
    code TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    first_seen DATETIME NOT NULL,
    last_seen DATETIME NOT NULL
);
CREATE INDEX ix_unknown_codes_last_seen ON unknown_codes (last_seen);

-- +goose Down
DROP TABLE unknown_codes;
