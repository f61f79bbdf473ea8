-- +goose Up
-- Endpoints that receive signals: the bureau's (enterprise_id NULL) or one enterprise's.
-- failing_since is set by the first failed delivery and cleared by a success; an endpoint
-- failing for 24 h gets disabled_at, which the console shows its owner.
CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    enterprise_id INTEGER REFERENCES enterprises (id),
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    kinds TEXT NOT NULL DEFAULT '',
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at DATETIME NOT NULL,
    failing_since DATETIME,
    disabled_at DATETIME,
    disabled_reason TEXT NOT NULL DEFAULT '',
    deleted_at DATETIME
);
CREATE INDEX ix_webhooks_enterprise ON webhooks (enterprise_id);

-- +goose Down
DROP TABLE webhooks;
