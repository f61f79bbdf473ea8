-- +goose Up
CREATE TABLE filings (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    enterprise_id BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    kind VARCHAR(16) NOT NULL,
    status VARCHAR(16) NOT NULL,
    production_address VARCHAR(300) NOT NULL,
    annual_output_grams BIGINT NOT NULL,
    authorization_number VARCHAR(40) NULL,
    label_quota BIGINT NULL,
    decision_reason VARCHAR(1000) NOT NULL DEFAULT '',
    live_product_id BIGINT NULL,
    submitted_at DATETIME(6) NULL,
    approved_at DATETIME(6) NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    UNIQUE KEY ux_filings_live (enterprise_id, live_product_id),
    UNIQUE KEY ux_filings_authorization_number (authorization_number),
    KEY ix_filings_status (status, submitted_at, id),
    KEY ix_filings_product (product_id, status),
    KEY ix_filings_enterprise (enterprise_id, id),
    CONSTRAINT fk_filings_enterprise FOREIGN KEY (enterprise_id) REFERENCES enterprises (id),
    CONSTRAINT fk_filings_product FOREIGN KEY (product_id) REFERENCES products (id),
    CONSTRAINT ck_filings_kind CHECK (kind IN ('new', 'switch'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE filings;
