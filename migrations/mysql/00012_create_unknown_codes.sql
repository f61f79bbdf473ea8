-- +goose Up
CREATE TABLE unknown_codes (
    code CHAR(17) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    count BIGINT NOT NULL,
    first_seen DATETIME(6) NOT NULL,
    last_seen DATETIME(6) NOT NULL,
    KEY ix_unknown_codes_last_seen (last_seen)
) ENGINE=InnoDB;

-- +goose Down
DROP TABLE unknown_codes;
