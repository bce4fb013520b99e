"""Plaid webhooks in: the emulator signs and sends ITEM webhooks to the Link token's
``webhook`` (BankBridge's receiver), which verifies them and changes the exchange."""

from __future__ import annotations

import base64
import json

from api.test_balances import mx_source, plaid_source
from api.test_exchange_lifecycle import _mx, _mx_member
from api.test_plaid_flow import _headers as plaid_headers
from flows import public_token_of, submit
from helpers import assert_dwolla_error, sandbox_credentials
from webhook_testing import Receiver


def _exchange_id(url):
    return url.rsplit("/", 1)[1]


def _access_token(run, services, exchange_url):
    """The Item's access token, as only BankBridge holds it (the platform never sees it)."""
    exchange = run(services.store.get_exchange, _exchange_id(exchange_url))
    return exchange.connection["access_token"]


def _fire(client, account, access_token, code):
    response = client.post(
        "/sandbox/plaid/sandbox/item/fire_webhook",
        json={"access_token": access_token, "webhook_code": code},
        headers=plaid_headers(account),
    )
    assert response.status_code == 200, response.text
    assert response.json()["webhook_fired"] is True


def _topics(api, exchange_url):
    events = api.get("/events").json()["_embedded"]["events"]
    return [e["topic"] for e in events if e["resourceId"] == _exchange_id(exchange_url)]


def test_link_tokens_carry_the_receiver_as_webhook(api, customer, account, client):
    location = api.create_session(customer, "Plaid").headers["location"]
    token = api.get(location).json()["externalProviderSessionToken"]
    got = client.post(
        "/sandbox/plaid/link/token/get", json={"link_token": token}, headers=plaid_headers(account)
    ).json()
    assert got["metadata"]["webhook"] == (
        f"http://testserver/partner-webhooks/plaid/{account.account.id}"
    )


def test_the_lifecycle_by_plaid_webhooks(api, customer, client, account, run, services):
    """Login required -> re-auth flagged and told at once; repaired -> cleared; revoked ->
    deactivated; each step's event once, balances read along the way."""
    source, exchange = plaid_source(api, customer)
    access = _access_token(run, services, exchange)
    assert api.get(f"{source}/balance").status_code == 200

    _fire(client, account, access, "ERROR")  # ITEM_LOGIN_REQUIRED
    assert "re-authenticate" in api.get(exchange).json()["_links"]
    assert _topics(api, exchange).count("customer_exchange_reauth_required") == 1
    assert_dwolla_error(api.get(f"{source}/balance"), 400, "UpdateCredentials")

    _fire(client, account, access, "LOGIN_REPAIRED")
    assert "re-authenticate" not in api.get(exchange).json()["_links"]
    assert api.get(f"{source}/balance").status_code == 200

    # The Item still works until it disconnects: flagged and told at once, the flag
    # clears on the next read that succeeds.
    _fire(client, account, access, "PENDING_DISCONNECT")
    assert run(services.store.get_exchange, _exchange_id(exchange)).reauth_required is True
    assert _topics(api, exchange).count("customer_exchange_reauth_required") == 2

    _fire(client, account, access, "USER_PERMISSION_REVOKED")
    assert api.get(exchange).json()["status"] == "deactivated"
    assert _topics(api, exchange).count("customer_exchange_deactivated") == 1
    assert_dwolla_error(api.get(f"{source}/balance"), 400, "InactiveExchange")
    assert_dwolla_error(api.post(f"{exchange}/exchange-sessions", {}), 400, "InactiveExchange")


def test_reset_login_goes_through_plaids_webhook_and_update_mode_repairs(
    api, customer, client, account, run, services
):
    source, exchange = plaid_source(api, customer)
    reset = api.post(f"/sandbox/exchanges/{_exchange_id(exchange)}/reset-login")
    assert reset.status_code == 200
    # The reset went through Plaid's path: the ERROR webhook flagged the exchange, once.
    assert _topics(api, exchange).count("customer_exchange_reauth_required") == 1
    session = api.post(f"{exchange}/exchange-sessions", {})
    token = api.get(session.headers["location"]).json()["externalProviderSessionToken"]
    page = submit(
        api.client, f"/sandbox/plaid/link?token={token}", username="user_good", password="pass_good"
    )
    assert public_token_of(page.text)
    # Plaid sends no LOGIN_REPAIRED after update mode: the next read finds the Item working.
    assert api.get(f"{source}/balance").status_code == 200
    assert run(services.store.get_exchange, _exchange_id(exchange)).reauth_required is False


def _captured_webhook(client, account, code="NEW_ACCOUNTS_AVAILABLE"):
    """A real webhook from the emulator, caught on a local receiver: (body, headers)."""
    headers = plaid_headers(account)
    receiver = Receiver().start()
    try:
        public = client.post(
            "/sandbox/plaid/sandbox/public_token/create",
            json={
                "institution_id": "ins_109508",
                "initial_products": ["auth"],
                "options": {"webhook": receiver.url},
            },
            headers=headers,
        ).json()["public_token"]
        access = client.post(
            "/sandbox/plaid/item/public_token/exchange",
            json={"public_token": public},
            headers=headers,
        ).json()["access_token"]
        _fire(client, account, access, code)
        [delivered] = receiver.requests
    finally:
        receiver.stop()
    return delivered.body, {"Plaid-Verification": delivered.headers["plaid-verification"]}


def test_a_verified_webhook_is_accepted_once_and_a_replay_refused(client, account):
    body, headers = _captured_webhook(client, account)
    url = f"/partner-webhooks/plaid/{account.account.id}"
    first = client.post(url, content=body, headers=headers)
    assert first.status_code == 200, first.text
    assert_dwolla_error(client.post(url, content=body, headers=headers), 401, "InvalidSignature")


def test_tampered_or_unsigned_webhooks_are_refused(client, account):
    body, headers = _captured_webhook(client, account)
    url = f"/partner-webhooks/plaid/{account.account.id}"
    tampered = body.replace(b"NEW_ACCOUNTS_AVAILABLE", b"USER_PERMISSION_REVOKED")
    assert_dwolla_error(
        client.post(url, content=tampered, headers=headers), 401, "InvalidSignature"
    )
    assert_dwolla_error(client.post(url, content=body), 401, "InvalidSignature")
    _, claims, signature = headers["Plaid-Verification"].split(".")
    forged_header = base64.urlsafe_b64encode(
        json.dumps({"alg": "none", "kid": "x"}).encode()
    ).rstrip(b"=")
    forged = {"Plaid-Verification": f"{forged_header.decode()}.{claims}.{signature}"}
    assert_dwolla_error(client.post(url, content=body, headers=forged), 401, "InvalidSignature")


def test_a_webhook_for_an_unknown_account_is_refused(client, account):
    body, headers = _captured_webhook(client, account)
    unknown = "/partner-webhooks/plaid/4a9e5c2e-1111-4bbb-8ccc-000000000000"
    assert_dwolla_error(
        client.post(unknown, content=body, headers=headers), 401, "InvalidSignature"
    )


# MX ----------------------------------------------------------------------------------------


def test_mx_member_webhooks_drive_the_exchange(api, customer, client, account):
    """DENIED (credentials expired at the bank) -> re-auth flagged and told at once; the
    user reconnects in a re-auth session -> MEMBER UPDATED clears it; the member is
    deleted -> MEMBER DELETED deactivates the exchange."""
    source, exchange = mx_source(api, customer)
    user, member = _mx_member(client, account)
    expired = _mx(
        client, account, "POST", f"/users/{user}/members/{member}/sandbox/expire_credentials", {}
    )
    assert expired.status_code == 200
    stored_flag = "re-authenticate" in api.get(exchange).json()["_links"]
    assert stored_flag
    assert _topics(api, exchange).count("customer_exchange_reauth_required") == 1
    assert_dwolla_error(api.get(f"{source}/balance"), 400, "UpdateCredentials")

    session = api.post(f"{exchange}/exchange-sessions", {})
    assert session.status_code == 201, session.text
    widget = api.get(session.headers["location"]).json()["_links"]["external-provider-session"]
    page = submit(api.client, widget["href"], username="mxuser", password="password")
    assert "Connected" in page.text
    assert api.get(f"{source}/balance").status_code == 200

    assert _mx(client, account, "DELETE", f"/users/{user}/members/{member}").status_code == 204
    assert api.get(exchange).json()["status"] == "deactivated"
    assert _topics(api, exchange).count("customer_exchange_deactivated") == 1


def test_mx_webhooks_need_the_accounts_mx_credentials(client, account, make_account):
    body = json.dumps(
        {"type": "MEMBER", "action": "DELETED", "guid": "MBR-x", "user_guid": "USR-x"}
    ).encode()
    url = f"/partner-webhooks/mx/{account.account.id}"
    assert_dwolla_error(client.post(url, content=body), 401, "InvalidSignature")
    other = sandbox_credentials("mx", make_account("Other").account.id)
    wrong = {
        "Authorization": "Basic "
        + base64.b64encode(f"{other.client_id}:{other.secret}".encode()).decode()
    }
    assert_dwolla_error(client.post(url, content=body, headers=wrong), 401, "InvalidSignature")
    mine = sandbox_credentials("mx", account.account.id)
    right = {
        "Authorization": "Basic "
        + base64.b64encode(f"{mine.client_id}:{mine.secret}".encode()).decode()
    }
    assert client.post(url, content=body, headers=right).status_code == 204
