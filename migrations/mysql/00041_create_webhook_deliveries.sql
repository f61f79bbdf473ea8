-- +goose Up
CREATE TABLE webhook_deliveries (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    webhook_id BIGINT NOT NULL,
    webhook_event_id BIGINT NOT NULL,
    event_id CHAR(32) NOT NULL,
    attempt INT NOT NULL,
    status_code INT NOT NULL DEFAULT 0,
    error VARCHAR(500) NOT NULL DEFAULT '',
    duration_ms BIGINT NOT NULL DEFAULT 0,
    at DATETIME(6) NOT NULL,
    KEY ix_webhook_deliveries_webhook (webhook_id, id),
    CONSTRAINT fk_webhook_deliveries_webhook FOREIGN KEY (webhook_id) REFERENCES webhooks (id),
    CONSTRAINT fk_webhook_deliveries_event FOREIGN KEY (webhook_event_id) REFERENCES webhook_events (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE webhook_deliveries;
