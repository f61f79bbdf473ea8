-- +goose Up
CREATE TABLE products (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('protected_product', 'certification_mark', 'collective_mark')),
    reference_number TEXT NOT NULL,
    registration_number TEXT NOT NULL DEFAULT '',
    protected_area TEXT NOT NULL DEFAULT '',
    standard TEXT NOT NULL DEFAULT '',
    region_code TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX ux_products_name ON products (name);

-- +goose Down
DROP TABLE products;
