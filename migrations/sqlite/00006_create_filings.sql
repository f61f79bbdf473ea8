-- +goose Up
CREATE TABLE filings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    product_id INTEGER NOT NULL REFERENCES products (id),
    kind TEXT NOT NULL CHECK (kind IN ('new', 'switch')),
    status TEXT NOT NULL,
    production_address TEXT NOT NULL,
    annual_output_grams INTEGER NOT NULL,
    authorization_number TEXT,
    label_quota INTEGER,
    decision_reason TEXT NOT NULL DEFAULT '',
    live_product_id INTEGER,
    submitted_at DATETIME,
    approved_at DATETIME,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX ux_filings_live ON filings (enterprise_id, live_product_id);
CREATE UNIQUE INDEX ux_filings_authorization_number ON filings (authorization_number);
CREATE INDEX ix_filings_status ON filings (status, submitted_at, id);
CREATE INDEX ix_filings_product ON filings (product_id, status);
CREATE INDEX ix_filings_enterprise ON filings (enterprise_id, id);

-- +goose Down
DROP TABLE filings;
