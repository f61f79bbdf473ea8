-- +goose Up
CREATE TABLE sales_records (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    product_id INTEGER NOT NULL REFERENCES products (id),
    period INTEGER NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('online', 'export', 'offline')),
    platform TEXT NOT NULL DEFAULT '',
    country TEXT NOT NULL DEFAULT '',
    amount_fen INTEGER NOT NULL CHECK (amount_fen >= 0),
    quantity_g INTEGER NOT NULL CHECK (quantity_g >= 0),
    reported_by INTEGER NOT NULL REFERENCES users (id),
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
-- One figure per key: re-reporting replaces it (the old one goes to sales_history).
CREATE UNIQUE INDEX ux_sales_key ON sales_records (enterprise_id, product_id, period, channel, platform, country);
-- Covering index for the reports: a year's rows are one range, and every column a report
-- sums or groups by is in the index, so no table row is fetched.
CREATE INDEX ix_sales_report ON sales_records (period, channel, platform, country, product_id, enterprise_id, amount_fen, quantity_g);

-- +goose Down
DROP TABLE sales_records;
