-- Creating an exchange reads the account's recent sessions with the exchange's partner (a
-- Plaid public token must come from one of its customer's sessions); keep that cheap.
CREATE INDEX exchange_sessions_account_partner ON exchange_sessions (account_id, partner, created_at);
