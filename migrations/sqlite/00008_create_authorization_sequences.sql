-- +goose Up
CREATE TABLE authorization_sequences (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);

-- +goose Down
DROP TABLE authorization_sequences;
