-- +goose Up
-- Sums of sales_records over enterprises, kept in the same transaction as every change to
-- them: a bureau-wide report reads a few thousand rows instead of a million.
CREATE TABLE sales_totals (
    period INT NOT NULL,
    product_id BIGINT NOT NULL,
    channel VARCHAR(8) NOT NULL,
    platform VARCHAR(16) NOT NULL DEFAULT '',
    country CHAR(2) NOT NULL DEFAULT '',
    amount_fen BIGINT NOT NULL,
    quantity_g BIGINT NOT NULL,
    PRIMARY KEY (period, product_id, channel, platform, country)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE sales_totals;
