-- +goose Up
-- The fold mark's row exists from the start on both engines (no row read as 0, as before:
-- nothing folded yet).
INSERT INTO scan_fold (id, last_scan_id) SELECT 1, 0 WHERE NOT EXISTS (SELECT 1 FROM scan_fold WHERE id = 1);

-- +goose Down
SELECT 1;
