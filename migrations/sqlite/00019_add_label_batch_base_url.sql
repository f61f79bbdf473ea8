-- +goose Up
-- The public base URL a batch was ordered under: its print files keep pointing there even
-- if GIMARK_PUBLIC_BASE_URL changes later. Batches ordered before this column existed keep
-- NULL and use the configured base URL (what they were printed with, unless it changed).
ALTER TABLE label_batches ADD COLUMN public_base_url TEXT;

-- +goose Down
ALTER TABLE label_batches DROP COLUMN public_base_url;
