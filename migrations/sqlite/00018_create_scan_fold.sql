-- +goose Up
-- How far scans have been folded into labels.scan_count. On SQLite a flush only appends
-- scans, and the counts are applied in larger, label-ordered folds (one instance owns the
-- file, so it knows the scans it has not folded yet). MySQL applies counts at every flush
-- and leaves this table empty.
CREATE TABLE scan_fold (
    id INTEGER PRIMARY KEY,
    last_scan_id INTEGER NOT NULL
);

-- +goose Down
DROP TABLE scan_fold;
