"""The Checkout.com emulator's API: auth, validation, payment sessions, payments, OAuth."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from checkout_support import AUTH, CLIENT_ID, EMULATOR, SECRET_KEY, SESSION_BODY, US_DEBIT_VISA
from starlette.testclient import TestClient

import bankbridge.clock

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def test_payment_session_creation_answers_201_with_id_secret_token_and_self_link(
    client: TestClient,
) -> None:
    response = client.post(f"{EMULATOR}/payment-sessions", json=SESSION_BODY, headers=AUTH)

    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    assert re.fullmatch(UUID, response.headers["cko-request-id"])
    body = response.json()
    assert set(body) == {"id", "payment_session_secret", "payment_session_token", "_links"}
    assert re.fullmatch(r"ps_[A-Za-z0-9]{27}", body["id"])
    assert re.fullmatch(f"pss_{UUID}", body["payment_session_secret"])
    assert body["_links"] == {
        "self": {"href": f"http://testserver/sandbox/checkout/payment-sessions/{body['id']}"}
    }
    token = json.loads(base64.b64decode(body["payment_session_token"]))
    assert token["id"] == body["id"]
    assert token["amount"] == 0
    assert token["currency"] == "USD"
    assert token["payment_methods"] == [{"type": "card"}]
    assert body["payment_session_secret"] not in json.dumps(token)


def test_payment_session_can_be_read_back_with_its_request_values(
    client: TestClient, new_session: Callable[..., str]
) -> None:
    session_id = new_session(reference="ref-42", currency="usd")

    response = client.get(f"{EMULATOR}/payment-sessions/{session_id}", headers=AUTH)

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == session_id
    assert body["status"] == "Active"
    assert body["reference"] == "ref-42"
    assert body["currency"] == "USD"
    assert body["payment_type"] == "Unscheduled"
    assert body["success_url"] == SESSION_BODY["success_url"]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer sk_sbox_" + "a" * 27},
        {"Authorization": SECRET_KEY},
        {"Authorization": f"Basic {SECRET_KEY}"},
        {"Authorization": "Bearer "},
    ],
    ids=["missing", "wrong-key", "no-scheme", "basic", "empty"],
)
def test_payment_session_creation_without_the_secret_key_is_401_with_an_empty_body(
    client: TestClient, headers: dict[str, str]
) -> None:
    response = client.post(f"{EMULATOR}/payment-sessions", json=SESSION_BODY, headers=headers)

    assert response.status_code == 401
    assert response.content == b""
    assert "content-type" not in response.headers
    assert response.headers["cko-request-id"]


def test_an_empty_payment_session_request_lists_every_missing_required_field(
    client: TestClient,
) -> None:
    response = client.post(f"{EMULATOR}/payment-sessions", json={}, headers=AUTH)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body == {
        "request_id": response.headers["cko-request-id"],
        "error_type": "request_invalid",
        "error_codes": [
            "amount_required",
            "currency_required",
            "billing_required",
            "success_url_required",
            "failure_url_required",
        ],
    }


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"amount": -1}, "amount_invalid"),
        ({"amount": "0"}, "amount_invalid"),
        ({"amount": True}, "amount_invalid"),
        ({"amount": 1.5}, "amount_invalid"),
        ({"currency": "US"}, "currency_invalid"),
        ({"currency": 840}, "currency_invalid"),
        ({"billing": {}}, "billing_address_country_required"),
        ({"billing": {"address": {}}}, "billing_address_country_required"),
        ({"billing": {"address": {"country": "USA"}}}, "billing_address_country_invalid"),
        ({"billing": "US"}, "billing_invalid"),
        ({"success_url": "not a url"}, "success_url_invalid"),
        ({"failure_url": "ftp://platform.example/"}, "failure_url_invalid"),
        ({"payment_type": "Sometimes"}, "payment_type_invalid"),
        ({"reference": 12}, "reference_invalid"),
        ({"enabled_payment_methods": "card"}, "enabled_payment_methods_invalid"),
        ({"customer": {"email": "nobody"}}, "customer_email_invalid"),
        ({"expires_on": "yesterday"}, "expires_on_invalid"),
        ({"expires_on": "2001-01-01T00:00:00Z"}, "expires_on_invalid"),
    ],
)
def test_an_invalid_payment_session_field_is_422_with_its_error_code(
    client: TestClient, change: dict[str, object], code: str
) -> None:
    response = client.post(
        f"{EMULATOR}/payment-sessions", json={**SESSION_BODY, **change}, headers=AUTH
    )

    assert response.status_code == 422
    assert response.json()["error_codes"] == [code]


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b"", b"\xff\xfe"])
def test_a_body_that_is_not_a_json_object_is_422_request_body_malformed(
    client: TestClient, content: bytes
) -> None:
    headers = {**AUTH, "Content-Type": "application/json"}
    response = client.post(f"{EMULATOR}/payment-sessions", content=content, headers=headers)

    assert response.status_code == 422
    assert response.json()["error_codes"] == ["request_body_malformed"]


def test_an_unknown_payment_is_404_with_an_empty_body(client: TestClient) -> None:
    response = client.get(f"{EMULATOR}/payments/pay_{'a' * 26}", headers=AUTH)

    assert response.status_code == 404
    assert response.content == b""
    assert response.headers["cko-request-id"]


def test_reading_a_payment_needs_the_secret_key(
    client: TestClient, new_session: Callable[..., str], pay: Callable[..., str]
) -> None:
    payment_id = pay(new_session(), US_DEBIT_VISA)

    assert client.get(f"{EMULATOR}/payments/{payment_id}").status_code == 401
    assert client.get(f"{EMULATOR}/payments/{payment_id}", headers=AUTH).status_code == 200


def test_an_unknown_payment_session_is_404(client: TestClient) -> None:
    response = client.get(f"{EMULATOR}/payment-sessions/ps_{'A' * 27}", headers=AUTH)

    assert response.status_code == 404


def test_unknown_paths_and_methods_answer_without_a_body_but_with_a_request_id(
    client: TestClient,
) -> None:
    missing = client.get(f"{EMULATOR}/customers", headers=AUTH)
    wrong_method = client.delete(f"{EMULATOR}/payment-sessions", headers=AUTH)

    assert (missing.status_code, missing.content) == (404, b"")
    assert (wrong_method.status_code, wrong_method.content) == (405, b"")
    assert missing.headers["cko-request-id"] != wrong_method.headers["cko-request-id"]


def test_a_session_past_its_expiry_reads_as_expired(
    client: TestClient, new_session: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    session_id = new_session()
    later = bankbridge.clock.now() + timedelta(hours=1, seconds=1)
    monkeypatch.setattr(bankbridge.clock, "now", lambda: later)

    response = client.get(f"{EMULATOR}/payment-sessions/{session_id}", headers=AUTH)

    assert response.json()["status"] == "Expired"


def _oauth_token(client: TestClient, **form: str) -> dict[str, object]:
    data = {
        "grant_type": "client_credentials",
        "client_id": CLIENT_ID,
        "client_secret": SECRET_KEY,
        "scope": "gateway:payment-details",
        **form,
    }
    response = client.post(f"{EMULATOR}/connect/token", data=data)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_oauth_client_credentials_give_a_bearer_token_for_an_hour(client: TestClient) -> None:
    body = _oauth_token(client)

    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == "gateway:payment-details"
    assert isinstance(body["access_token"], str) and body["access_token"] != SECRET_KEY


def test_an_oauth_token_reads_payments_but_cannot_create_payment_sessions(
    client: TestClient, new_session: Callable[..., str], pay: Callable[..., str]
) -> None:
    payment_id = pay(new_session(), US_DEBIT_VISA)
    bearer = {"Authorization": f"Bearer {_oauth_token(client)['access_token']}"}

    read = client.get(f"{EMULATOR}/payments/{payment_id}", headers=bearer)
    create = client.post(f"{EMULATOR}/payment-sessions", json=SESSION_BODY, headers=bearer)

    assert read.status_code == 200
    assert read.json()["id"] == payment_id
    assert (create.status_code, create.content) == (401, b"")


def test_oauth_accepts_client_credentials_in_basic_auth(client: TestClient) -> None:
    basic = base64.b64encode(f"{CLIENT_ID}:{SECRET_KEY}".encode()).decode()

    response = client.post(
        f"{EMULATOR}/connect/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )

    assert response.status_code == 200
    assert response.json()["token_type"] == "Bearer"


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"client_secret": "sk_sbox_wrong"}, "invalid_client"),
        ({"client_id": "someone"}, "invalid_client"),
        ({"client_id": ""}, "invalid_client"),
        ({"grant_type": "password"}, "unsupported_grant_type"),
    ],
)
def test_oauth_rejects_bad_client_credentials_with_an_oauth_error(
    client: TestClient, form: dict[str, str], error: str
) -> None:
    data = {
        "grant_type": "client_credentials",
        "client_id": CLIENT_ID,
        "client_secret": SECRET_KEY,
        **form,
    }
    response = client.post(f"{EMULATOR}/connect/token", data=data)

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"error": error}


def test_an_unknown_oauth_token_is_401(client: TestClient) -> None:
    headers = {"Authorization": "Bearer cko_sbox_at_made-up"}

    response = client.get(f"{EMULATOR}/payments/pay_{'a' * 26}", headers=headers)

    assert response.status_code == 401


def test_deeply_nested_json_is_422_request_body_malformed_not_a_500(client: TestClient) -> None:
    nested = b"[" * 100_000 + b"]" * 100_000

    response = client.post(
        f"{EMULATOR}/payment-sessions",
        content=b'{"metadata": ' + nested + b"}",
        headers={**AUTH, "Content-Type": "application/json"},
    )

    assert response.status_code == 422
    assert response.json()["error_codes"] == ["request_body_malformed"]


def test_an_oversized_oauth_form_is_refused_with_an_oauth_error(client: TestClient) -> None:
    response = client.post(
        f"{EMULATOR}/connect/token",
        content=b"grant_type=" + b"x" * (1024 * 1024 + 1),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert response.status_code == 400
    assert response.json() == {"error": "invalid_request"}
