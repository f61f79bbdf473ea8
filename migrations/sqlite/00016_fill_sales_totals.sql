-- +goose Up
-- SQLite filled the totals in 00015 (its DDL is transactional); MySQL does it here, after its
-- CREATE TABLE has committed.
SELECT 1;

-- +goose Down
SELECT 1;
