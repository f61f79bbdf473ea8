-- +goose Up
-- A consumer's report of a suspected fake, from the verification page. token_hash is unique:
-- a page's token is spent by its first report, so a replayed form is refused.
CREATE TABLE consumer_reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    signal_id INTEGER NOT NULL REFERENCES signals (id),
    code TEXT NOT NULL,
    label_id INTEGER,
    where_bought TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL DEFAULT '',
    problem TEXT NOT NULL,
    phone TEXT NOT NULL DEFAULT '',
    photo_sha256 TEXT NOT NULL DEFAULT '',
    photo_type TEXT NOT NULL DEFAULT '',
    network TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    created_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX ux_consumer_reports_token ON consumer_reports (token_hash);
CREATE INDEX ix_consumer_reports_signal ON consumer_reports (signal_id, id);

-- +goose Down
DROP TABLE consumer_reports;
