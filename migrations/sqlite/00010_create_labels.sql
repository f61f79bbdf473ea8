-- +goose Up
-- No foreign keys and as few indexes as possible: a batch inserts up to a million rows at
-- once. A batch's labels take a contiguous range of ids (label_batches.first_label_id), so
-- the primary key serves streaming and voiding a batch; serial = id - first_label_id + 1.
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
-- Partial: a label enters the index only when scanned a second time, so the first scan of
-- each label (the common case) costs no index write. Signals query with scan_count > 1.
CREATE INDEX ix_labels_scan_count ON labels (scan_count) WHERE scan_count > 1;

-- +goose Down
DROP TABLE labels;
