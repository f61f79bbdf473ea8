-- +goose Up
INSERT INTO sales_totals (period, product_id, channel, platform, country, amount_fen, quantity_g)
SELECT period, product_id, channel, platform, country, SUM(amount_fen), SUM(quantity_g)
FROM sales_records GROUP BY period, product_id, channel, platform, country;

-- +goose Down
DELETE FROM sales_totals;
