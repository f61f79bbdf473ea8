-- +goose Up
CREATE TABLE print_records (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_id INTEGER NOT NULL REFERENCES label_batches (id),
    filing_id INTEGER NOT NULL REFERENCES filings (id),
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    format TEXT NOT NULL,
    template TEXT NOT NULL DEFAULT '',
    from_serial INTEGER NOT NULL,
    to_serial INTEGER NOT NULL,
    labels INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    reprint BOOLEAN NOT NULL DEFAULT FALSE,
    created_at DATETIME NOT NULL
);
CREATE INDEX ix_print_records_batch ON print_records (batch_id, id);
CREATE INDEX ix_print_records_filing ON print_records (filing_id, id);
CREATE INDEX ix_print_records_enterprise ON print_records (enterprise_id, id);
CREATE INDEX ix_print_records_created ON print_records (created_at);

-- +goose Down
DROP TABLE print_records;
