-- +goose Up
CREATE TABLE enterprises (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    uscc CHAR(18) NOT NULL,
    name VARCHAR(200) NOT NULL,
    legal_representative VARCHAR(64) NOT NULL,
    address VARCHAR(300) NOT NULL,
    region_code CHAR(6) NOT NULL,
    contact_phone VARCHAR(32) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    UNIQUE KEY ux_enterprises_uscc (uscc),
    KEY ix_enterprises_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE enterprises;
