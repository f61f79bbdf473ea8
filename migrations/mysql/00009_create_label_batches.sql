-- +goose Up
CREATE TABLE label_batches (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    filing_id BIGINT NOT NULL,
    quantity INT NOT NULL,
    first_label_id BIGINT NOT NULL DEFAULT 0,
    status VARCHAR(8) NOT NULL DEFAULT 'active',
    void_reason VARCHAR(1000) NOT NULL DEFAULT '',
    created_by BIGINT NOT NULL,
    created_at DATETIME(6) NOT NULL,
    voided_at DATETIME(6) NULL,
    KEY ix_label_batches_filing (filing_id, created_at),
    CONSTRAINT fk_label_batches_filing FOREIGN KEY (filing_id) REFERENCES filings (id),
    CONSTRAINT fk_label_batches_user FOREIGN KEY (created_by) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE label_batches;
