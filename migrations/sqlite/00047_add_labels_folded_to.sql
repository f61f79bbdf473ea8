-- +goose Up
-- Each label keeps the mark of the last fold that changed its count, so verification reads
-- it from the label's own row instead of from scan_fold in a subquery.
ALTER TABLE labels ADD COLUMN folded_to INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE labels DROP COLUMN folded_to;
