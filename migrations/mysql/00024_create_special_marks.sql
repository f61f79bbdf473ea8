-- +goose Up
CREATE TABLE special_marks (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    sha256 CHAR(64) NOT NULL,
    content_type VARCHAR(64) NOT NULL,
    size BIGINT NOT NULL,
    width INT NOT NULL,
    height INT NOT NULL,
    slot_x DOUBLE NOT NULL,
    slot_y DOUBLE NOT NULL,
    slot_w DOUBLE NOT NULL,
    slot_h DOUBLE NOT NULL,
    uploaded_by BIGINT NOT NULL,
    created_at DATETIME(6) NOT NULL,
    KEY ix_special_marks_sha256 (sha256),
    CONSTRAINT fk_special_marks_user FOREIGN KEY (uploaded_by) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE special_marks;
