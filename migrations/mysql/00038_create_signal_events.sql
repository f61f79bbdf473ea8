-- +goose Up
CREATE TABLE signal_events (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    signal_id BIGINT NOT NULL,
    actor_id BIGINT NULL,
    action VARCHAR(32) NOT NULL,
    from_state VARCHAR(16) NOT NULL DEFAULT '',
    to_state VARCHAR(16) NOT NULL DEFAULT '',
    resolution VARCHAR(32) NOT NULL DEFAULT '',
    note VARCHAR(2000) NOT NULL DEFAULT '',
    at DATETIME(6) NOT NULL,
    KEY ix_signal_events_signal (signal_id, id),
    CONSTRAINT fk_signal_events_signal FOREIGN KEY (signal_id) REFERENCES signals (id),
    CONSTRAINT fk_signal_events_actor FOREIGN KEY (actor_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE signal_events;
