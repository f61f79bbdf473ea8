-- +goose Up
-- Sums of sales_records over enterprises, kept in the same transaction as every change to
-- them: a bureau-wide report reads a few thousand rows instead of a million.
CREATE TABLE sales_totals (
    period INTEGER NOT NULL,
    product_id INTEGER NOT NULL,
    channel TEXT NOT NULL,
    platform TEXT NOT NULL DEFAULT '',
    country TEXT NOT NULL DEFAULT '',
    amount_fen INTEGER NOT NULL,
    quantity_g INTEGER NOT NULL,
    PRIMARY KEY (period, product_id, channel, platform, country)
);
INSERT INTO sales_totals (period, product_id, channel, platform, country, amount_fen, quantity_g)
SELECT period, product_id, channel, platform, country, SUM(amount_fen), SUM(quantity_g)
FROM sales_records GROUP BY period, product_id, channel, platform, country;

-- +goose Down
DROP TABLE sales_totals;
