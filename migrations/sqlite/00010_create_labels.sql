-- +goose Up
-- No foreign keys on this table: a batch inserts up to a million rows at once, and the batch
-- row it belongs to is written in the same transaction.
CREATE TABLE labels (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_id INTEGER NOT NULL,
    filing_id INTEGER NOT NULL,
    serial INTEGER NOT NULL,
    code TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active',
    void_reason TEXT NOT NULL DEFAULT '',
    scan_count INTEGER NOT NULL DEFAULT 0,
    first_scanned_at DATETIME,
    last_scanned_at DATETIME
);
CREATE UNIQUE INDEX ux_labels_code ON labels (code);
CREATE UNIQUE INDEX ux_labels_batch_serial ON labels (batch_id, serial);
-- Partial: a label enters the index only when scanned a second time, so the first scan of
-- each label (the common case) costs no index write. Signals query with scan_count > 1.
CREATE INDEX ix_labels_scan_count ON labels (scan_count) WHERE scan_count > 1;

-- +goose Down
DROP TABLE labels;
