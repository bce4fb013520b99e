-- Revoking an application's tokens (secret rotation, removal) finds them by application.
CREATE INDEX access_tokens_application ON access_tokens (application_id);
