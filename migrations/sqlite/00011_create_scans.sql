-- +goose Up
CREATE TABLE scans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    label_id INTEGER,
    code TEXT NOT NULL,
    result TEXT NOT NULL,
    client_hash TEXT NOT NULL,
    user_agent TEXT NOT NULL DEFAULT '',
    scanned_at DATETIME NOT NULL
);
CREATE INDEX ix_scans_scanned_at ON scans (scanned_at);

-- +goose Down
DROP TABLE scans;
