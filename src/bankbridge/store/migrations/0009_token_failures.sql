-- Failed POST /token attempts per client key, for throttling. The key is kept as its
-- SHA-256 (any length of key costs one short row); failures count within a window ending
-- at window_end; a key with too many is refused until locked_until. A row whose window and
-- lock have both passed means nothing and is purged by housekeeping.
CREATE TABLE token_failures (
    key_hash TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    window_end BIGINT NOT NULL,
    locked_until BIGINT NOT NULL
);

CREATE INDEX token_failures_window_end ON token_failures (window_end);
