-- The partner-side user that stands for a customer (an MX user guid), remembered after the
-- customer's first session so that later sessions need not look it up at the partner.
CREATE TABLE customer_partner_users (
    customer_id TEXT NOT NULL REFERENCES customers (id),
    partner TEXT NOT NULL,
    user_ref TEXT NOT NULL,
    PRIMARY KEY (customer_id, partner)
);
