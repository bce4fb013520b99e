// A Node back end on Dwolla's Node SDK (dwolla-v2), unchanged: environment "sandbox", so every
// request names https://api-sandbox.dwolla.com. Run under BankBridge's preload; prints JSON.
"use strict";

const dwolla = require("dwolla-v2");

const client = new dwolla.Client({
  key: process.env.DWOLLA_APP_KEY,
  secret: process.env.DWOLLA_APP_SECRET,
  environment: "sandbox",
});

async function main() {
  const token = await client.auth.client();
  const created = await token.post("customers", {
    firstName: "Node",
    lastName: "Preload",
    email: "node.preload@example.com",
  });
  const customerUrl = created.headers.get("location");
  const customer = (await token.get(customerUrl)).body;
  const partners = (await token.get("exchange-partners")).body._embedded["exchange-partners"];
  const plaid = partners.find((partner) => partner.name === "Plaid");
  // As in Dwolla's guides: the partner named by an href on Dwolla's own host.
  const session = await token.post(`${customerUrl}/exchange-sessions`, {
    _links: { "exchange-partner": { href: `${client.apiUrl}/exchange-partners/${plaid.id}` } },
  });
  const sessionUrl = session.headers.get("location");
  const read = (await token.get(sessionUrl)).body;
  console.log(
    JSON.stringify({
      apiUrl: client.apiUrl,
      tokenUrl: client.tokenUrl,
      customerUrl,
      customerId: customer.id,
      partners: partners.map((partner) => partner.name),
      sessionUrl,
      session: read,
    })
  );
}

main().catch((error) => {
  console.error(`dwolla-v2 failed: ${error.status || ""} ${error.message}`);
  process.exit(1);
});
