-- +goose Up
CREATE TABLE consumer_reports (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    signal_id BIGINT NOT NULL,
    code VARCHAR(64) NOT NULL,
    label_id BIGINT NULL,
    where_bought VARCHAR(400) NOT NULL DEFAULT '',
    city VARCHAR(200) NOT NULL DEFAULT '',
    problem VARCHAR(4000) NOT NULL,
    phone VARCHAR(32) NOT NULL DEFAULT '',
    photo_sha256 CHAR(64) NOT NULL DEFAULT '',
    photo_type VARCHAR(32) NOT NULL DEFAULT '',
    network CHAR(32) NOT NULL,
    token_hash CHAR(64) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    UNIQUE KEY ux_consumer_reports_token (token_hash),
    KEY ix_consumer_reports_signal (signal_id, id),
    CONSTRAINT fk_consumer_reports_signal FOREIGN KEY (signal_id) REFERENCES signals (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE consumer_reports;
