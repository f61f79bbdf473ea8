-- +goose Up
CREATE TABLE special_marks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sha256 TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    slot_x REAL NOT NULL,
    slot_y REAL NOT NULL,
    slot_w REAL NOT NULL,
    slot_h REAL NOT NULL,
    uploaded_by INTEGER NOT NULL REFERENCES users (id),
    created_at DATETIME NOT NULL
);
CREATE INDEX ix_special_marks_sha256 ON special_marks (sha256);

-- +goose Down
DROP TABLE special_marks;
