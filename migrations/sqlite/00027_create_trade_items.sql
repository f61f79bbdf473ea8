-- +goose Up
-- A trade item: a GTIN an enterprise uses for its product under an approved filing. Stored
-- as GTIN-14; one enterprise records a GTIN once (another enterprise may claim the same one:
-- the bureau cannot check GS1 prefix ownership, and the register shows both).
CREATE TABLE trade_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    filing_id INTEGER NOT NULL REFERENCES filings (id),
    gtin TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX ux_trade_items_enterprise_gtin ON trade_items (enterprise_id, gtin);
CREATE INDEX ix_trade_items_gtin ON trade_items (gtin);
CREATE INDEX ix_trade_items_filing ON trade_items (filing_id);

-- +goose Down
DROP TABLE trade_items;
