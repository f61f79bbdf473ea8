-- +goose Up
-- A batch may name one of its filing's GTINs; '' = no GTIN (labels carry /v/CODE).
ALTER TABLE label_batches ADD COLUMN gtin VARCHAR(14) NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE label_batches DROP COLUMN gtin;
