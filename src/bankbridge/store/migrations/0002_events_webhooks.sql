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

-- Webhook subscriptions: where an account's events are POSTed. secret is the signing secret,
-- encrypted with the install's key (it is needed to sign, so it cannot be hashed).
CREATE TABLE webhook_subscriptions (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    paused INTEGER NOT NULL DEFAULT 0,
    removed INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE INDEX webhook_subscriptions_account ON webhook_subscriptions (account_id, created_at);

-- Webhooks: one per event and subscription, queued in the event's transaction (outbox).
-- A worker claims a due one by setting claimed_until (a lease) and claim_token; a claim
-- whose lease has expired (its worker died) is due again.
CREATE TABLE webhooks (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions (id),
    event_id TEXT NOT NULL REFERENCES events (id),
    topic TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claimed_until BIGINT,
    claim_token TEXT,
    created_at BIGINT NOT NULL
);

CREATE INDEX webhooks_pending_due ON webhooks (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhooks_subscription_created ON webhooks (subscription_id, created_at);
CREATE INDEX webhooks_claim_token ON webhooks (claim_token);

-- Delivery attempts: the request as sent and the response (bodies truncated) or the error.
CREATE TABLE webhook_attempts (
    id TEXT PRIMARY KEY,
    webhook_id TEXT NOT NULL REFERENCES webhooks (id),
    request_at BIGINT NOT NULL,
    request_url TEXT NOT NULL,
    request_headers TEXT NOT NULL,
    request_body TEXT NOT NULL,
    response_at BIGINT NOT NULL,
    response_status INTEGER NOT NULL,
    response_headers TEXT NOT NULL,
    response_body TEXT NOT NULL
);

CREATE INDEX webhook_attempts_webhook ON webhook_attempts (webhook_id, request_at);

-- Retries a platform asked for (POST /webhooks/{id}/retries).
CREATE TABLE webhook_retries (
    id TEXT PRIMARY KEY,
    webhook_id TEXT NOT NULL REFERENCES webhooks (id),
    created_at BIGINT NOT NULL
);

CREATE INDEX webhook_retries_webhook ON webhook_retries (webhook_id, created_at);
