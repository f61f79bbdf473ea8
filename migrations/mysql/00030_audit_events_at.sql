-- +goose Up
-- The EPCIS export reads voids and filing status changes by time.
CREATE INDEX ix_audit_events_at ON audit_events (at);

-- +goose Down
DROP INDEX ix_audit_events_at ON audit_events;
