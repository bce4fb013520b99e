-- Partner webhooks name a connection by the partner's handle (a Plaid item_id, an MX member
-- guid); partner_ref is a keyed fingerprint of that handle, so a webhook finds its exchanges
-- while the handles themselves stay encrypted in connection. Older exchanges stay NULL.
ALTER TABLE exchanges ADD COLUMN partner_ref TEXT;
CREATE INDEX exchanges_partner_ref ON exchanges (account_id, partner, partner_ref);
