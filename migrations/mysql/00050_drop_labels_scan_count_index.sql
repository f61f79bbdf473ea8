-- +goose Up
-- The index dropped on SQLite by this number never existed on MySQL; kept so both engines
-- number their migrations alike.
SELECT 1;

-- +goose Down
SELECT 1;
