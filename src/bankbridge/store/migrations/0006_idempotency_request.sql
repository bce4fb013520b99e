-- The request a key was first used for, so that reusing it for another one is refused.
ALTER TABLE idempotency_keys ADD COLUMN request_key TEXT;
