-- +goose Up
CREATE TABLE print_records (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    batch_id BIGINT NOT NULL,
    filing_id BIGINT NOT NULL,
    enterprise_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    format VARCHAR(8) NOT NULL,
    template VARCHAR(64) NOT NULL DEFAULT '',
    from_serial INT NOT NULL,
    to_serial INT NOT NULL,
    labels INT NOT NULL,
    sha256 CHAR(64) NOT NULL,
    size BIGINT NOT NULL,
    reprint BOOLEAN NOT NULL DEFAULT FALSE,
    created_at DATETIME(6) NOT NULL,
    KEY ix_print_records_batch (batch_id, id),
    KEY ix_print_records_filing (filing_id, id),
    KEY ix_print_records_enterprise (enterprise_id, id),
    KEY ix_print_records_created (created_at),
    CONSTRAINT fk_print_records_batch FOREIGN KEY (batch_id) REFERENCES label_batches (id),
    CONSTRAINT fk_print_records_filing FOREIGN KEY (filing_id) REFERENCES filings (id),
    CONSTRAINT fk_print_records_enterprise FOREIGN KEY (enterprise_id) REFERENCES enterprises (id),
    CONSTRAINT fk_print_records_user FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE print_records;
