-- +goose Up
-- The public base URL a batch was ordered under (see the SQLite migration); NULL for batches
-- ordered before it was recorded, which use the configured base URL.
ALTER TABLE label_batches ADD COLUMN public_base_url VARCHAR(300) NULL;

-- +goose Down
ALTER TABLE label_batches DROP COLUMN public_base_url;
