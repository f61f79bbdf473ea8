-- +goose Up
-- A trade item: a GTIN an enterprise uses for its product under an approved filing. Stored
-- as GTIN-14; one enterprise records a GTIN once.
CREATE TABLE trade_items (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    enterprise_id BIGINT NOT NULL,
    filing_id BIGINT NOT NULL,
    gtin CHAR(14) NOT NULL,
    description VARCHAR(200) NOT NULL DEFAULT '',
    created_by BIGINT NOT NULL,
    created_at DATETIME(6) NOT NULL,
    UNIQUE KEY ux_trade_items_enterprise_gtin (enterprise_id, gtin),
    KEY ix_trade_items_gtin (gtin),
    KEY ix_trade_items_filing (filing_id),
    CONSTRAINT fk_trade_items_enterprise FOREIGN KEY (enterprise_id) REFERENCES enterprises (id),
    CONSTRAINT fk_trade_items_filing FOREIGN KEY (filing_id) REFERENCES filings (id),
    CONSTRAINT fk_trade_items_user FOREIGN KEY (created_by) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE trade_items;
