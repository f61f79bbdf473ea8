-- +goose Up
CREATE TABLE sales_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    record_id INTEGER NOT NULL REFERENCES sales_records (id),
    amount_fen INTEGER NOT NULL,
    quantity_g INTEGER NOT NULL,
    reported_by INTEGER NOT NULL,
    reported_at DATETIME NOT NULL,
    replaced_by INTEGER NOT NULL REFERENCES users (id),
    replaced_at DATETIME NOT NULL
);
CREATE INDEX ix_sales_history_record ON sales_history (record_id, id);

-- +goose Down
DROP TABLE sales_history;
