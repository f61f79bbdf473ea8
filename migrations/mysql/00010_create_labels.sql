-- +goose Up
-- No foreign keys on this table: a batch inserts up to a million rows at once, and the batch
-- row it belongs to is written in the same transaction.
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
    UNIQUE KEY ux_labels_code (code),
    UNIQUE KEY ux_labels_batch_serial (batch_id, serial),
    KEY ix_labels_scan_count (scan_count)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE labels;
