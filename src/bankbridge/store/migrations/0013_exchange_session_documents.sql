-- The GET document of each exchange session, rendered once at creation (a session never
-- changes once created): hrefs relative to the public URL, which is spliced in per read.
-- Sealed like provider data when it holds a partner secret (Checkout.com's). NULL for
-- sessions stored before this migration: those are rendered on every read, as before.
ALTER TABLE exchange_sessions ADD COLUMN document TEXT;
