-- +goose Up
-- A counterfeit signal that reviewers work: raised once by a rule (or a consumer report) and
-- then updated. open_key names what the signal is about while it is not resolved (rule and
-- label, code or network), so a rule that fires again updates it instead of raising another;
-- resolving sets it to NULL, and the next evidence raises a new signal.
CREATE TABLE signals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    rule TEXT NOT NULL,
    open_key TEXT UNIQUE,
    state TEXT NOT NULL DEFAULT 'open',
    resolution TEXT NOT NULL DEFAULT '',
    code TEXT NOT NULL DEFAULT '',
    label_id INTEGER,
    batch_id INTEGER,
    filing_id INTEGER,
    enterprise_id INTEGER,
    product_id INTEGER,
    network TEXT NOT NULL DEFAULT '',
    count INTEGER NOT NULL DEFAULT 0,
    detail TEXT NOT NULL DEFAULT '',
    first_seen DATETIME NOT NULL,
    last_seen DATETIME NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE INDEX ix_signals_state ON signals (state, last_seen);
CREATE INDEX ix_signals_enterprise ON signals (enterprise_id, last_seen);
CREATE INDEX ix_signals_product ON signals (product_id, created_at);
CREATE INDEX ix_signals_batch ON signals (batch_id);

-- +goose Down
DROP TABLE signals;
