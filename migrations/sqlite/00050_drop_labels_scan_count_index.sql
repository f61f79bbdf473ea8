-- +goose Up
-- Nothing reads labels by scan_count any more (the signal rules judge scans as they are
-- written), and every fold that takes a label past one scan wrote this index.
DROP INDEX IF EXISTS ix_labels_scan_count;

-- +goose Down
CREATE INDEX ix_labels_scan_count ON labels (scan_count) WHERE scan_count > 1;
