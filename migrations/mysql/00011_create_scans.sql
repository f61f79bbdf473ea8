-- +goose Up
CREATE TABLE scans (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    label_id BIGINT NULL,
    code VARCHAR(64) NOT NULL,
    result VARCHAR(12) NOT NULL,
    client_hash CHAR(32) NOT NULL,
    user_agent VARCHAR(255) NOT NULL DEFAULT '',
    scanned_at DATETIME(6) NOT NULL,
    KEY ix_scans_scanned_at (scanned_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE scans;
