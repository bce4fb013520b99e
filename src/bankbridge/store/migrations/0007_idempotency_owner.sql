-- The request (process and claim) that holds a pending key: only it renews its lease,
-- stores its response or releases the key, so a request whose lease was taken over after a
-- stall cannot overwrite or delete the new owner's claim.
ALTER TABLE idempotency_keys ADD COLUMN owner TEXT;
