"""Each account's sandbox is its own: emulator state is reachable only with its credentials.

The emulators authenticate each account's derived credentials to that account, keep API
records under it, and hosted pages reach only the state their capability token opens.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from bankbridge.domain.accounts import NewAccount
from helpers import ApiClient, assert_dwolla_error, sandbox_credentials

MX_MEDIA_TYPE = "application/vnd.mx.api.v1+json"
FIRST_PLATYPUS = "ins_109508"


def _plaid(
    client: TestClient, owner: NewAccount, path: str, body: dict[str, Any]
) -> httpx.Response:
    credentials = sandbox_credentials("plaid", owner.account.id)
    headers = {"PLAID-CLIENT-ID": credentials.client_id, "PLAID-SECRET": credentials.secret}
    return client.post(f"/sandbox/plaid{path}", json=body, headers=headers)


def _mx_headers(owner: NewAccount) -> dict[str, str]:
    credentials = sandbox_credentials("mx", owner.account.id)
    pair = f"{credentials.client_id}:{credentials.secret}".encode()
    return {"Authorization": "Basic " + base64.b64encode(pair).decode(), "Accept": MX_MEDIA_TYPE}


def _checkout_headers(owner: NewAccount) -> dict[str, str]:
    return {"Authorization": f"Bearer {sandbox_credentials('checkout', owner.account.id).secret}"}


def _public_token(client: TestClient, owner: NewAccount) -> str:
    response = _plaid(
        client,
        owner,
        "/sandbox/public_token/create",
        {"institution_id": FIRST_PLATYPUS, "initial_products": ["auth"]},
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["public_token"]
    return token


@pytest.fixture
def two_accounts(make_account: Callable[..., NewAccount]) -> tuple[NewAccount, NewAccount]:
    return make_account("Account A"), make_account("Account B")


def test_each_account_has_its_own_sandbox_credentials(
    two_accounts: tuple[NewAccount, NewAccount],
) -> None:
    a, b = two_accounts
    for slug in ("mx", "plaid", "checkout"):
        first, second = (
            sandbox_credentials(slug, a.account.id),
            sandbox_credentials(slug, b.account.id),
        )
        assert first.client_id != second.client_id and first.secret != second.secret
        assert first.secret not in repr(first)


def test_no_fixed_credentials_open_the_emulators(client: TestClient) -> None:
    legacy = {
        "PLAID-CLIENT-ID": "bankbridge-sandbox-client",
        "PLAID-SECRET": "bankbridge-sandbox-secret",
    }
    response = client.post(
        "/sandbox/plaid/link/token/create", json={"client_name": "x"}, headers=legacy
    )
    assert response.status_code == 400 and response.json()["error_code"] == "INVALID_API_KEYS"
    forged = "sk_sbox_" + "a" * 26 + "b"
    response = client.get(
        "/sandbox/checkout/payments/pay_x", headers={"Authorization": f"Bearer {forged}"}
    )
    assert response.status_code == 401


def test_another_accounts_plaid_public_token_is_unknown_and_stays_unspent(
    client: TestClient, two_accounts: tuple[NewAccount, NewAccount]
) -> None:
    a, b = two_accounts
    token = _public_token(client, a)

    stolen = _plaid(client, b, "/item/public_token/exchange", {"public_token": token})
    assert stolen.status_code == 400 and stolen.json()["error_code"] == "INVALID_PUBLIC_TOKEN"

    own = _plaid(client, a, "/item/public_token/exchange", {"public_token": token})
    assert own.status_code == 200, own.text


def test_another_accounts_public_token_is_an_invalid_exchange_token_through_the_api(
    client: TestClient,
    two_accounts: tuple[NewAccount, NewAccount],
    api_for: Callable[[NewAccount], ApiClient],
) -> None:
    a, b = two_accounts
    token = _public_token(client, a)
    api_a, api_b = api_for(a), api_for(b)
    customer_a, customer_b = api_a.create_customer(), api_b.create_customer()

    stolen = api_b.post(
        f"/customers/{customer_b['id']}/exchanges", {"plaid": {"publicToken": token}}
    )
    assert_dwolla_error(stolen, 400, "InvalidExchangeToken")

    own = api_a.post(f"/customers/{customer_a['id']}/exchanges", {"plaid": {"publicToken": token}})
    assert own.status_code == 201, own.text


def test_another_accounts_plaid_item_cannot_be_read_or_changed(
    client: TestClient, two_accounts: tuple[NewAccount, NewAccount]
) -> None:
    a, b = two_accounts
    exchanged = _plaid(
        client, a, "/item/public_token/exchange", {"public_token": _public_token(client, a)}
    )
    access = exchanged.json()["access_token"]

    for path in ("/auth/get", "/item/get", "/sandbox/item/reset_login", "/item/remove"):
        response = _plaid(client, b, path, {"access_token": access})
        assert response.json()["error_code"] == "INVALID_ACCESS_TOKEN", (path, response.text)
    assert _plaid(client, a, "/auth/get", {"access_token": access}).status_code == 200


def test_another_accounts_mx_users_and_members_are_invisible(
    client: TestClient, two_accounts: tuple[NewAccount, NewAccount]
) -> None:
    a, b = two_accounts
    created = client.post(
        "/sandbox/mx/users",
        json={"user": {"id": "customer-a", "email": "a@example.com"}},
        headers={**_mx_headers(a), "Content-Type": "application/json"},
    )
    assert created.status_code == 200, created.text
    guid = created.json()["user"]["guid"]

    listed = client.get("/sandbox/mx/users", headers=_mx_headers(b))
    assert listed.status_code == 200 and listed.json()["users"] == []
    for method, path in (
        ("GET", f"/users/{guid}"),
        ("GET", f"/users/{guid}/members"),
        ("DELETE", f"/users/{guid}"),
        ("POST", f"/users/{guid}/members/MBR-x/sandbox/expire_credentials"),
    ):
        headers = {**_mx_headers(b), "Content-Type": "application/json"}
        response = client.request(method, f"/sandbox/mx{path}", headers=headers, json={})
        assert response.status_code == 404, (method, path, response.text)
    assert client.get(f"/sandbox/mx/users/{guid}", headers=_mx_headers(a)).status_code == 200


def test_another_accounts_checkout_sessions_and_payments_are_invisible(
    client: TestClient, two_accounts: tuple[NewAccount, NewAccount]
) -> None:
    a, b = two_accounts
    body = {
        "amount": 0,
        "currency": "USD",
        "billing": {"address": {"country": "US"}},
        "success_url": "https://platform.example/ok",
        "failure_url": "https://platform.example/failed",
    }
    created = client.post(
        "/sandbox/checkout/payment-sessions", json=body, headers=_checkout_headers(a)
    )
    assert created.status_code == 201, created.text
    session_id = created.json()["id"]

    theirs = client.get(
        f"/sandbox/checkout/payment-sessions/{session_id}", headers=_checkout_headers(b)
    )
    assert theirs.status_code == 404
    mine = client.get(
        f"/sandbox/checkout/payment-sessions/{session_id}", headers=_checkout_headers(a)
    )
    assert mine.status_code == 200


def test_emulator_bodies_are_bounded_before_credentials_are_checked(client: TestClient) -> None:
    huge = b'{"a": "' + b"x" * (1_048_576 + 10) + b'"}'
    headers = {"Content-Type": "application/json"}
    plaid = client.post("/sandbox/plaid/link/token/create", content=huge, headers=headers)
    assert plaid.status_code == 400 and plaid.json()["error_message"] == "request body is too large"
    mx = client.post("/sandbox/mx/users", content=huge, headers=headers)
    assert mx.status_code == 413 and "error" in mx.json()
    checkout = client.post("/sandbox/checkout/payment-sessions", content=huge, headers=headers)
    assert checkout.status_code == 413


def test_deeply_nested_json_is_a_partner_style_400(
    client: TestClient, two_accounts: tuple[NewAccount, NewAccount]
) -> None:
    a, _ = two_accounts
    nested = b"[" * 100_000 + b"]" * 100_000
    credentials = sandbox_credentials("plaid", a.account.id)
    headers = {
        "PLAID-CLIENT-ID": credentials.client_id,
        "PLAID-SECRET": credentials.secret,
        "Content-Type": "application/json",
    }
    plaid = client.post("/sandbox/plaid/link/token/create", content=nested, headers=headers)
    assert plaid.status_code == 400 and plaid.json()["error_code"] == "INVALID_BODY"
    mx_headers = {**_mx_headers(a), "Content-Type": "application/json"}
    mx = client.post("/sandbox/mx/users", content=nested, headers=mx_headers)
    assert mx.status_code == 400 and "error" in mx.json()


def test_mx_paging_with_unicode_digits_is_a_400(
    client: TestClient, two_accounts: tuple[NewAccount, NewAccount]
) -> None:
    a, _ = two_accounts
    for value in ("²", "٣", "1²"):
        response = client.get(
            "/sandbox/mx/users", params={"records_per_page": value}, headers=_mx_headers(a)
        )
        assert response.status_code == 400, (value, response.text)
        assert "records_per_page" in response.json()["error"]["message"]
