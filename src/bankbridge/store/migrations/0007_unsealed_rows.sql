-- Secrets at rest are sealed (store/sealed.py): emulator records and exchange sessions'
-- provider data are stored encrypted, and emulator record keys as keyed fingerprints. Rows
-- written before that hold plain JSON, which starts with "{" (sealed text never does).
-- The app seals them at start; these partial indexes find them without a table scan and
-- stay empty afterwards.
CREATE INDEX emulator_records_unsealed ON emulator_records (partner, kind, record_key)
    WHERE substr(data, 1, 1) = '{';
CREATE INDEX exchange_sessions_unsealed ON exchange_sessions (id)
    WHERE substr(provider_data, 1, 1) = '{';
