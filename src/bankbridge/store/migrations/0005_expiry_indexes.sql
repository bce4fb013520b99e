-- Housekeeping deletes expired rows in small batches; these indexes keep that cheap.
CREATE INDEX emulator_records_expires_at ON emulator_records (expires_at);
