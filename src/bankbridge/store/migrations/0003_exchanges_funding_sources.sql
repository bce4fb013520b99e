-- Exchanges: a customer's connection to one account (or card) at a partner.
-- connection holds the partner handles (access tokens, ids) encrypted with the install's key.
-- token_key is a keyed fingerprint of the token the platform exchanged: each is usable once.
CREATE TABLE exchanges (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    customer_id TEXT NOT NULL REFERENCES customers (id),
    partner TEXT NOT NULL,
    status TEXT NOT NULL,
    connection TEXT NOT NULL,
    token_key TEXT NOT NULL,
    reauth_required INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE UNIQUE INDEX exchanges_partner_token ON exchanges (partner, token_key);
CREATE INDEX exchanges_customer_created ON exchanges (customer_id, created_at);

-- Funding sources made from exchanges. Full account numbers are kept only encrypted;
-- fingerprint identifies the same bank account (or card) for duplicate detection.
CREATE TABLE funding_sources (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    customer_id TEXT NOT NULL REFERENCES customers (id),
    exchange_id TEXT NOT NULL REFERENCES exchanges (id),
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    name TEXT NOT NULL,
    bank_account_type TEXT,
    bank_name TEXT,
    fingerprint TEXT NOT NULL,
    account_number TEXT,
    routing_number TEXT,
    card_details TEXT,
    removed INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE UNIQUE INDEX funding_sources_customer_fingerprint
    ON funding_sources (customer_id, fingerprint) WHERE removed = 0;
CREATE INDEX funding_sources_customer_created ON funding_sources (customer_id, created_at);
