-- +goose Up
CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'reviewer', 'enterprise')),
    enterprise_id INTEGER REFERENCES enterprises (id),
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX ux_users_username ON users (username);
CREATE INDEX ix_users_enterprise ON users (enterprise_id);
CREATE INDEX ix_users_role ON users (role);

-- +goose Down
DROP TABLE users;
