-- +goose Up
CREATE TABLE sales_records (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    enterprise_id BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    period INT NOT NULL,
    channel VARCHAR(8) NOT NULL,
    platform VARCHAR(16) NOT NULL DEFAULT '',
    country CHAR(2) NOT NULL DEFAULT '',
    amount_fen BIGINT NOT NULL,
    quantity_g BIGINT NOT NULL,
    reported_by BIGINT NOT NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    UNIQUE KEY ux_sales_key (enterprise_id, product_id, period, channel, platform, country),
    KEY ix_sales_report (period, channel, platform, country, product_id, enterprise_id, amount_fen, quantity_g),
    CONSTRAINT fk_sales_enterprise FOREIGN KEY (enterprise_id) REFERENCES enterprises (id),
    CONSTRAINT fk_sales_product FOREIGN KEY (product_id) REFERENCES products (id),
    CONSTRAINT ck_sales_channel CHECK (channel IN ('online', 'export', 'offline')),
    CONSTRAINT ck_sales_amounts CHECK (amount_fen >= 0 AND quantity_g >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE sales_records;
