-- +goose Up
CREATE TABLE documents (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    filing_id BIGINT NOT NULL,
    kind VARCHAR(32) NOT NULL,
    filename VARCHAR(255) NOT NULL,
    content_type VARCHAR(64) NOT NULL,
    size BIGINT NOT NULL,
    sha256 CHAR(64) NOT NULL,
    uploaded_by BIGINT NOT NULL,
    created_at DATETIME(6) NOT NULL,
    KEY ix_documents_filing (filing_id, id),
    KEY ix_documents_sha256 (sha256),
    CONSTRAINT fk_documents_filing FOREIGN KEY (filing_id) REFERENCES filings (id),
    CONSTRAINT fk_documents_user FOREIGN KEY (uploaded_by) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE documents;
