-- A customer's active exchanges hold distinct partner connections: the same MX account
-- exchanged again answers DuplicateResource instead of making a second exchange.
-- connection_key is a keyed fingerprint of the partner and its connection handles (the
-- handles themselves stay encrypted in connection); exchanges made before it stay NULL.
ALTER TABLE exchanges ADD COLUMN connection_key TEXT;
CREATE UNIQUE INDEX exchanges_customer_connection ON exchanges (customer_id, connection_key)
    WHERE status = 'active';
