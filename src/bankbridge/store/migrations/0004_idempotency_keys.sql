-- Responses remembered per (account, Idempotency-Key) for 24 hours.
-- state: 'pending' while the first request runs (its lease ends at locked_until), then 'done'.
CREATE TABLE idempotency_keys (
    account_id TEXT NOT NULL REFERENCES accounts (id),
    idempotency_key TEXT NOT NULL,
    state TEXT NOT NULL,
    locked_until BIGINT NOT NULL,
    response_status INTEGER,
    response_headers TEXT,
    response_body TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, idempotency_key)
);

CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
