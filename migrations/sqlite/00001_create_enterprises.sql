-- +goose Up
CREATE TABLE enterprises (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uscc TEXT NOT NULL,
    name TEXT NOT NULL,
    legal_representative TEXT NOT NULL,
    address TEXT NOT NULL,
    region_code TEXT NOT NULL,
    contact_phone TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX ux_enterprises_uscc ON enterprises (uscc);
CREATE INDEX ix_enterprises_name ON enterprises (name);

-- +goose Down
DROP TABLE enterprises;
