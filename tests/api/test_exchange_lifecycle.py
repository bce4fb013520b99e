"""Exchange statuses: a connection the partner revokes (MX member deleted or closed, Plaid
Item removed) deactivates its exchange, tells the platform once, and refuses what needs it."""

from __future__ import annotations

import functools

from api.test_balances import MX_MEDIA, mx_source
from api.test_plaid_flow import _headers as plaid_headers
from api.test_plaid_flow import exchange as plaid_exchange
from api.test_plaid_flow import funding_source
from helpers import assert_dwolla_error, sandbox_credentials


def _mx(client, account, method, path, body=None):
    """A call to the MX emulator as the platform makes it, with its own MX credentials."""
    credentials = sandbox_credentials("mx", account.account.id)
    headers = {"Accept": MX_MEDIA, "Content-Type": "application/json"}
    auth = (credentials.client_id, credentials.secret)
    return client.request(method, f"/sandbox/mx{path}", headers=headers, auth=auth, json=body)


def _mx_member(client, account):
    user = _mx(client, account, "GET", "/users").json()["users"][0]["guid"]
    members = _mx(client, account, "GET", f"/users/{user}/members").json()["members"]
    return user, members[0]["guid"]


def _deactivated_events(api, exchange_id):
    events = api.get("/events").json()["_embedded"]["events"]
    return [
        e
        for e in events
        if e["resourceId"] == exchange_id and e["topic"] == "customer_exchange_deactivated"
    ]


def test_a_deleted_mx_member_deactivates_the_exchange_once(api, customer, client, account):
    source, exchange = mx_source(api, customer)
    exchange_id = exchange.rsplit("/", 1)[1]
    user, member = _mx_member(client, account)
    assert _mx(client, account, "DELETE", f"/users/{user}/members/{member}").status_code == 204

    body = assert_dwolla_error(api.get(f"{source}/balance"), 400, "InactiveExchange")
    assert body["message"] == "The Exchange was removed or disabled."
    assert api.get(exchange).json()["status"] == "deactivated"
    assert_dwolla_error(api.get(f"{source}/balance"), 400, "InactiveExchange")
    events = _deactivated_events(api, exchange_id)
    assert len(events) == 1
    assert events[0]["_links"]["customer"]["href"].endswith(customer["id"])

    # Nothing that needs the connection is offered any more.
    assert_dwolla_error(
        funding_source(api, customer, exchange, kind="savings"), 400, "InactiveExchange"
    )
    assert_dwolla_error(api.post(f"{exchange}/exchange-sessions", {}), 400, "InactiveExchange")
    assert_dwolla_error(
        api.post(f"/sandbox/exchanges/{exchange_id}/reset-login"), 400, "InactiveExchange"
    )


def test_a_removed_plaid_item_deactivates_its_processor_token_exchange(
    api, customer, client, account
):
    headers = plaid_headers(account)
    public = client.post(
        "/sandbox/plaid/sandbox/public_token/create",
        json={"institution_id": "ins_109508", "initial_products": ["auth"]},
        headers=headers,
    ).json()["public_token"]
    access = client.post(
        "/sandbox/plaid/item/public_token/exchange", json={"public_token": public}, headers=headers
    ).json()["access_token"]
    accounts = client.post(
        "/sandbox/plaid/accounts/get", json={"access_token": access}, headers=headers
    ).json()["accounts"]
    processor = client.post(
        "/sandbox/plaid/processor/token/create",
        json={
            "access_token": access,
            "account_id": accounts[0]["account_id"],
            "processor": "dwolla",
        },
        headers=headers,
    ).json()["processor_token"]
    made = plaid_exchange(api, customer, {"token": processor})
    assert made.status_code == 201, made.text
    exchange = made.headers["location"]
    source = funding_source(api, customer, exchange).headers["location"]
    assert api.get(f"{source}/balance").status_code == 200

    removed = client.post(
        "/sandbox/plaid/item/remove", json={"access_token": access}, headers=headers
    )
    assert removed.status_code == 200, removed.text
    assert_dwolla_error(api.get(f"{source}/balance"), 400, "InactiveExchange")
    assert api.get(exchange).json()["status"] == "deactivated"
    assert len(_deactivated_events(api, exchange.rsplit("/", 1)[1])) == 1


def test_a_closed_mx_member_deactivates_the_exchange(api, customer, client, account, run, services):
    """MX's CLOSED status (the member will never aggregate again) deactivates as well."""
    source, exchange = mx_source(api, customer)
    user, member = _mx_member(client, account)
    records = services.store.emulator_records(f"mx/{account.account.id}")
    stored = run(records.get, "member", member)
    stored["connection_status"] = "CLOSED"
    run(functools.partial(records.put, parent=user), "member", member, stored)
    assert_dwolla_error(api.get(f"{source}/balance"), 400, "InactiveExchange")
    assert api.get(exchange).json()["status"] == "deactivated"
