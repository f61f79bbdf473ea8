-- +goose Up
CREATE TABLE label_batches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    filing_id INTEGER NOT NULL REFERENCES filings (id),
    quantity INTEGER NOT NULL,
    first_label_id INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'active',
    void_reason TEXT NOT NULL DEFAULT '',
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at DATETIME NOT NULL,
    voided_at DATETIME
);
CREATE INDEX ix_label_batches_filing ON label_batches (filing_id, created_at);

-- +goose Down
DROP TABLE label_batches;
