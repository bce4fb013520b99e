"""The Flow drop-in's server side: the script, the Flow frame and the frame's calls."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from checkout_support import EMULATOR
from starlette.testclient import TestClient

from bankbridge.domain.accounts import NewAccount
from helpers import ApiClient, sandbox_credentials

FRAME = f"{EMULATOR}/web-components/flow"
SAME_ORIGIN = {"Origin": "http://testserver"}
Call = Callable[..., httpx.Response]


@pytest.fixture
def session_data(api: ApiClient, customer: dict[str, Any]) -> dict[str, str]:
    """A Checkout.com exchange session's ``externalProviderSessionData``."""
    location = api.create_session(customer, "Checkout.com").headers["location"]
    data: dict[str, str] = api.get(location).json()["externalProviderSessionData"]
    return data


@pytest.fixture
def public_key(account: NewAccount) -> str:
    """The account's sandbox public key."""
    key = sandbox_credentials("checkout", account.account.id).public_key
    assert key is not None
    return key


@pytest.fixture
def frame_call(client: TestClient, session_data: dict[str, str], public_key: str) -> Call:
    """Factory: one of the frame's calls, as the frame makes it (same origin, JSON)."""

    def call(action: str, headers: dict[str, str] | None = None, **body: Any) -> httpx.Response:
        payload = {
            "public_key": public_key,
            "payment_session_secret": session_data["payment_session_secret"],
            **body,
        }
        return client.post(
            f"{FRAME}/{session_data['id']}/{action}",
            json=payload,
            headers=SAME_ORIGIN if headers is None else headers,
        )

    return call


def _card(number: str = "4024 7644 4997 1519", **changes: Any) -> dict[str, Any]:
    card = {"card_number": number, "expiry_month": 12, "expiry_year": 2035, "cvv": "100"}
    return {**card, "name": "Jane Q Doe", **changes}


def test_the_drop_in_is_served_with_the_public_url_written_in(client: TestClient) -> None:
    response = client.get(f"{EMULATOR}/web-components/index.js", headers={"Host": "evil.example"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["access-control-allow-origin"] == "*"
    script = response.text
    assert 'var EMULATOR_URL = "http://testserver/sandbox/checkout";' in script
    assert "__BANKBRIDGE" not in script and "evil.example" not in script
    assert "window.CheckoutWebComponents = function CheckoutWebComponents" in script


def test_the_flow_frame_may_be_embedded_by_the_accounts_redirect_url_origins(
    client: TestClient, session_data: dict[str, str]
) -> None:
    response = client.get(f"{FRAME}/{session_data['id']}?component=flow")

    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    ancestors = policy.split("frame-ancestors ", 1)[1]
    assert "https://platform.example" in ancestors and "http://localhost:*" in ancestors
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"
    assert f'data-api="http://testserver{FRAME}/{session_data["id"]}"' in response.text
    assert 'src="http://testserver/sandbox/checkout/web-components/flow-frame.js"' in response.text
    assert session_data["payment_session_secret"] not in response.text


def test_init_describes_the_session_to_its_owners_public_key(frame_call: Call) -> None:
    response = frame_call("init")

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["amount"], body["currency"]) == (0, "USD")
    assert body["payment_methods"] == [{"type": "card"}]
    assert body["cardholder_name"] == "Jane Merchant"


@pytest.mark.parametrize(
    "key",
    [
        lambda: sandbox_credentials("checkout", str(uuid.uuid4())).public_key,
        lambda: sandbox_credentials("checkout").secret,  # a secret key is not a public key
        lambda: "pk_sbox_" + "a" * 27,
        lambda: None,
    ],
)
def test_a_public_key_not_of_the_sessions_account_is_an_integration_error(
    frame_call: Call, key: Callable[[], Any]
) -> None:
    response = frame_call("init", public_key=key())

    assert response.status_code == 401
    error = response.json()["error"]
    assert (error["type"], error["code"]) == ("Integration", "payment_session_invalid")
    assert "publicKey" in error["message"]


def test_a_wrong_session_secret_or_unknown_session_is_payment_session_invalid(
    client: TestClient, frame_call: Call, public_key: str
) -> None:
    wrong = frame_call("init", payment_session_secret="pss_" + str(uuid.uuid4()))
    unknown = client.post(
        f"{FRAME}/ps_{'Z' * 27}/init",
        json={"public_key": public_key, "payment_session_secret": "pss_x"},
        headers=SAME_ORIGIN,
    )

    for response in (wrong, unknown):
        assert response.status_code == 404
        error = response.json()["error"]
        assert (error["type"], error["code"]) == ("Integration", "payment_session_invalid")


def test_frame_calls_from_another_site_are_refused(frame_call: Call) -> None:
    response = frame_call("init", headers={"Origin": "https://evil.example"})

    assert response.status_code == 403
    assert response.json()["error"]["type"] == "Request"


@pytest.mark.parametrize(
    ("content", "status"),
    [(b"[" * 50_000 + b"]" * 50_000, 400), (b'{"x": "' + b"y" * (1024 * 1024) + b'"}', 413)],
)
def test_frame_calls_with_bad_bodies_get_an_error_not_a_500(
    client: TestClient, session_data: dict[str, str], content: bytes, status: int
) -> None:
    response = client.post(
        f"{FRAME}/{session_data['id']}/init",
        content=content,
        headers={**SAME_ORIGIN, "Content-Type": "application/json"},
    )

    assert response.status_code == status
    assert response.json()["error"]["code"] == "network_error"


def test_card_metadata_answers_for_the_first_eight_digits(frame_call: Call) -> None:
    debit = frame_call("card-metadata", bin="40247644").json()
    unknown = frame_call("card-metadata", bin="51000000").json()
    bad = frame_call("card-metadata", bin="4024\u0664644")

    assert debit == {
        "bin": "40247644",
        "scheme": "visa",
        "card_type": "DEBIT",
        "card_category": "CONSUMER",
        "issuer": "Sandbox Test Bank US",
        "issuer_country": "US",
    }
    assert unknown == {"bin": "51000000", "scheme": "mastercard"}
    assert bad.status_code == 422


def test_a_token_pays_once_and_the_payment_verifies_the_card(
    client: TestClient, frame_call: Call, account: NewAccount
) -> None:
    tokenized = frame_call("tokens", **_card())
    assert tokenized.status_code == 201, tokenized.text
    result = tokenized.json()
    assert result["type"] == "card" and result["cardMetadata"]["card_type"] == "DEBIT"
    data = result["data"]
    assert data["token"].startswith("tok_") and data["type"] == "card"
    assert (data["bin"], data["last4"], data["scheme"]) == ("402476", "1519", "VISA")
    assert "4024764449971519" not in tokenized.text

    paid = frame_call("payments", token=data["token"])
    again = frame_call("payments", token=data["token"])

    assert paid.status_code == 201
    body = paid.json()
    assert (body["status"], body["type"], body["decline_reason"]) == ("Approved", "card", None)
    assert again.status_code == 422
    secret = sandbox_credentials("checkout", account.account.id).secret
    payment = client.get(
        f"{EMULATOR}/payments/{body['id']}", headers={"Authorization": f"Bearer {secret}"}
    ).json()
    assert (payment["status"], payment["source"]["name"]) == ("Card Verified", "Jane Q Doe")
    completed = frame_call("init")
    assert completed.status_code == 410
    assert completed.json()["error"]["details"]["requestErrorCodes"] == [
        "payment_session_completed"
    ]


@pytest.mark.parametrize(
    ("number", "reason", "code"),
    [
        ("4242 4242 4242 4242", "card_not_supported", "20057"),
        ("4544 2491 6767 3670", "not_enough_funds", "20051"),
        ("4724 1172 1595 1699", "invalid_customer_data", "20054"),
        ("4610 1798 4673 0147", "try_again", "20005"),
    ],
)
def test_a_declined_payment_answers_flows_decline_reason(
    frame_call: Call, number: str, reason: str, code: str
) -> None:
    token = frame_call("tokens", **_card(number)).json()["data"]["token"]

    body = frame_call("payments", token=token).json()

    assert (body["status"], body["decline_reason"], body["response_code"]) == (
        "Declined",
        reason,
        code,
    )
    assert body["id"].startswith("pay_") and body["display_message"]
    assert frame_call("init").status_code == 200  # still payable


def test_bad_card_fields_answer_field_errors_and_make_no_token(frame_call: Call) -> None:
    response = frame_call("tokens", **_card(cvv="999", expiry_year=2001, name=None))

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"cvv", "expiry"}
    assert "past" in errors["expiry"]


def test_an_unknown_frame_action_is_404(frame_call: Call) -> None:
    assert frame_call("refunds").status_code == 404
