-- +goose Up
-- One row per running gimark process, renewed every few seconds: an instance that sees
-- another one's recent beat while it has no Redis warns that its limits are per instance.
CREATE TABLE instances (
    id VARCHAR(64) NOT NULL PRIMARY KEY,
    host VARCHAR(255) NOT NULL,
    shared_state TINYINT(1) NOT NULL,
    started_at DATETIME(6) NOT NULL,
    seen_at DATETIME(6) NOT NULL
) ENGINE=InnoDB;

-- +goose Down
DROP TABLE instances;
