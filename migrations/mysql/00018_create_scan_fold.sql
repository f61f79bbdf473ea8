-- +goose Up
-- How far scans have been folded into labels.scan_count. Only SQLite folds (see the SQLite
-- migration); MySQL applies counts at every flush, because several instances may share the
-- database, and leaves this table empty.
CREATE TABLE scan_fold (
    id INT NOT NULL PRIMARY KEY,
    last_scan_id BIGINT NOT NULL
) ENGINE=InnoDB;

-- +goose Down
DROP TABLE scan_fold;
