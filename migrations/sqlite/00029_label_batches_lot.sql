-- +goose Up
-- The batch/lot (GS1 AI 10) of a batch with a GTIN: up to 20 characters of set 82.
ALTER TABLE label_batches ADD COLUMN lot TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE label_batches DROP COLUMN lot;
