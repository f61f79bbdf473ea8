-- +goose Up
CREATE TABLE documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    filing_id INTEGER NOT NULL REFERENCES filings (id),
    kind TEXT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_by INTEGER NOT NULL REFERENCES users (id),
    created_at DATETIME NOT NULL
);
CREATE INDEX ix_documents_filing ON documents (filing_id, id);
CREATE INDEX ix_documents_sha256 ON documents (sha256);

-- +goose Down
DROP TABLE documents;
