-- Accounts (tenants), their API applications and issued bearer tokens.
CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    redirect_urls TEXT NOT NULL,
    partners TEXT NOT NULL
);

CREATE TABLE applications (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    client_key TEXT NOT NULL UNIQUE,
    secret_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE access_tokens (
    token_hash TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id),
    account_id TEXT NOT NULL REFERENCES accounts (id),
    expires_at BIGINT NOT NULL
);

CREATE INDEX access_tokens_expires_at ON access_tokens (expires_at);

-- Customers of an account; an email is unique within its account.
CREATE TABLE customers (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    email TEXT NOT NULL,
    email_key TEXT NOT NULL,
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    business_name TEXT,
    correlation_id TEXT,
    created_at BIGINT NOT NULL
);

CREATE UNIQUE INDEX customers_account_email ON customers (account_id, email_key);
CREATE INDEX customers_account_created ON customers (account_id, created_at);

-- Exchange sessions; the provider_* columns hold what the partner handed back.
CREATE TABLE exchange_sessions (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    customer_id TEXT NOT NULL REFERENCES customers (id),
    partner TEXT NOT NULL,
    redirect_url TEXT,
    exchange_id TEXT,
    provider_url TEXT,
    provider_token TEXT,
    provider_data TEXT,
    external_ref TEXT,
    expires_at BIGINT,
    created_at BIGINT NOT NULL
);

CREATE INDEX exchange_sessions_customer ON exchange_sessions (customer_id);

-- Partner emulators' own state, as JSON documents.
CREATE TABLE emulator_records (
    partner TEXT NOT NULL,
    kind TEXT NOT NULL,
    record_key TEXT NOT NULL,
    parent TEXT,
    data TEXT NOT NULL,
    expires_at BIGINT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (partner, kind, record_key)
);

CREATE INDEX emulator_records_parent ON emulator_records (partner, kind, parent, created_at);
