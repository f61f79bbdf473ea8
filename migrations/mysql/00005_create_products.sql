-- +goose Up
CREATE TABLE products (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(100) NOT NULL,
    kind VARCHAR(32) NOT NULL,
    reference_number VARCHAR(100) NOT NULL,
    registration_number VARCHAR(100) NOT NULL DEFAULT '',
    protected_area VARCHAR(1000) NOT NULL DEFAULT '',
    standard VARCHAR(200) NOT NULL DEFAULT '',
    region_code CHAR(6) NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    UNIQUE KEY ux_products_name (name),
    CONSTRAINT ck_products_kind CHECK (kind IN ('protected_product', 'certification_mark', 'collective_mark'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE products;
