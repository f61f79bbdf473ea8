-- +goose Up
-- The next label id: a batch reserves a contiguous range of ids here, inside its transaction.
CREATE TABLE label_sequence (
    id INTEGER PRIMARY KEY,
    next_id INTEGER NOT NULL
);

-- +goose Down
DROP TABLE label_sequence;
