-- +goose Up
CREATE TABLE authorization_sequences (
    year INT NOT NULL PRIMARY KEY,
    last BIGINT NOT NULL
) ENGINE=InnoDB;

-- +goose Down
DROP TABLE authorization_sequences;
