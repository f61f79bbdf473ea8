-- +goose Up
CREATE TABLE sales_history (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    record_id BIGINT NOT NULL,
    amount_fen BIGINT NOT NULL,
    quantity_g BIGINT NOT NULL,
    reported_by BIGINT NOT NULL,
    reported_at DATETIME(6) NOT NULL,
    replaced_by BIGINT NOT NULL,
    replaced_at DATETIME(6) NOT NULL,
    KEY ix_sales_history_record (record_id, id),
    CONSTRAINT fk_sales_history_record FOREIGN KEY (record_id) REFERENCES sales_records (id),
    CONSTRAINT fk_sales_history_user FOREIGN KEY (replaced_by) REFERENCES users (id)
) ENGINE=InnoDB;

-- +goose Down
DROP TABLE sales_history;
