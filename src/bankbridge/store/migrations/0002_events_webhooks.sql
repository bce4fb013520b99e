-- Events: what happened to which resource, in the order it happened.
CREATE TABLE events (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    topic TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    customer_id TEXT,
    created_at BIGINT NOT NULL
);

CREATE INDEX events_account_created ON events (account_id, created_at);
