-- One row that GET /readyz rewrites, so readiness proves the database accepts a write
-- (a read-only file or a full disk fails it) without growing any table.
CREATE TABLE readiness_probe (
    id INTEGER PRIMARY KEY,
    checked_at BIGINT NOT NULL
);
