-- +goose Up
-- No foreign keys and as few indexes as possible: a batch inserts up to a million rows at
-- once. A batch's labels take a contiguous range of ids (label_batches.first_label_id), so
-- the primary key serves streaming and voiding a batch; serial = id - first_label_id + 1.
-- MySQL has no partial index, so scan counts are not indexed: the signals page scans.
CREATE TABLE labels (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    batch_id BIGINT NOT NULL,
    filing_id BIGINT NOT NULL,
    serial INT NOT NULL,
    code CHAR(17) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    status VARCHAR(8) NOT NULL DEFAULT 'active',
    void_reason VARCHAR(1000) NOT NULL DEFAULT '',
    scan_count BIGINT NOT NULL DEFAULT 0,
    first_scanned_at DATETIME(6) NULL,
    last_scanned_at DATETIME(6) NULL,
    UNIQUE KEY ux_labels_code (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE labels;
