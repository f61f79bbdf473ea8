-- +goose Up
-- The next label id: a batch reserves a contiguous range of ids here, inside its transaction.
CREATE TABLE label_sequence (
    id INT NOT NULL PRIMARY KEY,
    next_id BIGINT NOT NULL
) ENGINE=InnoDB;

-- +goose Down
DROP TABLE label_sequence;
