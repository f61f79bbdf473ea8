-- +goose Up
-- Each label keeps the mark of the last fold that changed its count, so verification reads
-- it from the label's own row instead of from scan_fold in a subquery. 0: no fold since; an
-- instance's scans of the label are then all past it (every instance is stopped for 00046).
ALTER TABLE labels ADD COLUMN folded_to BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE labels DROP COLUMN folded_to;
