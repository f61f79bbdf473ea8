-- +goose Up
-- See the SQLite migration: open_key dedupes a signal while it is not resolved.
CREATE TABLE signals (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    rule VARCHAR(32) NOT NULL,
    open_key VARCHAR(191) NULL,
    state VARCHAR(16) NOT NULL DEFAULT 'open',
    resolution VARCHAR(32) NOT NULL DEFAULT '',
    code VARCHAR(64) NOT NULL DEFAULT '',
    label_id BIGINT NULL,
    batch_id BIGINT NULL,
    filing_id BIGINT NULL,
    enterprise_id BIGINT NULL,
    product_id BIGINT NULL,
    network CHAR(32) NOT NULL DEFAULT '',
    count BIGINT NOT NULL DEFAULT 0,
    detail VARCHAR(1000) NOT NULL DEFAULT '',
    first_seen DATETIME(6) NOT NULL,
    last_seen DATETIME(6) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    UNIQUE KEY ux_signals_open_key (open_key),
    KEY ix_signals_state (state, last_seen),
    KEY ix_signals_enterprise (enterprise_id, last_seen),
    KEY ix_signals_product (product_id, created_at),
    KEY ix_signals_batch (batch_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE signals;
