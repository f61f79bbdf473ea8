-- +goose Up
CREATE TABLE webhooks (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    enterprise_id BIGINT NULL,
    url VARCHAR(2000) NOT NULL,
    secret VARCHAR(255) NOT NULL,
    kinds VARCHAR(500) NOT NULL DEFAULT '',
    created_by BIGINT NOT NULL,
    created_at DATETIME(6) NOT NULL,
    failing_since DATETIME(6) NULL,
    disabled_at DATETIME(6) NULL,
    disabled_reason VARCHAR(500) NOT NULL DEFAULT '',
    deleted_at DATETIME(6) NULL,
    KEY ix_webhooks_enterprise (enterprise_id),
    CONSTRAINT fk_webhooks_enterprise FOREIGN KEY (enterprise_id) REFERENCES enterprises (id),
    CONSTRAINT fk_webhooks_creator FOREIGN KEY (created_by) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE webhooks;
