"""Checkout.com's official SDK (checkout-sdk) as the contract oracle for the emulator.

A real uvicorn server runs the app on a free localhost port; the SDK is pointed at the
Checkout.com emulator (``use_legacy_domain()``, since a merchant subdomain cannot prefix a
loopback address) and must read every response the broker relies on. The SDK has no response
models: it crashes when a bodied response lacks ``Content-Type`` and turns any non-2xx answer
into ``CheckoutApiException``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from checkout_sdk.checkout_sdk import CheckoutSdk
from checkout_sdk.common.enums import Currency
from checkout_sdk.environment import Environment
from checkout_sdk.exception import CheckoutApiException, CheckoutAuthorizationException
from checkout_sdk.oauth_scopes import OAuthScopes
from checkout_sdk.payments.payments import PaymentType
from checkout_sdk.payments.sessions.sessions import (
    BillingAddress,
    PaymentSessionsRequest,
    SessionBilling,
    SessionPaymentCustomerRequest,
)
from checkout_support import (
    CLIENT_ID,
    FAILURE_URL,
    INSUFFICIENT_FUNDS,
    SECRET_KEY,
    SUCCESS_URL,
    US_DEBIT_VISA,
    card_form,
    payment_id_in,
)

from bankbridge.config import Secret, Settings
from helpers import TEST_SECRET_KEY
from live_server import live_server

HOST = "127.0.0.1"
SDK_KEY = re.compile(r"^sk_(sbox_)?[a-z2-7]{26}[a-z2-7*#$=]$")
OTHER_KEY = "sk_sbox_" + "a" * 26 + "b"

# The SDK deprecates use_legacy_domain() and warns about its own Risk client on every build.
pytestmark = [
    pytest.mark.filterwarnings("ignore:use_legacy_domain\\(\\) is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Risk endpoints are no longer supported:DeprecationWarning"),
]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The Checkout.com emulator's URL (with the trailing slash the SDK needs)."""
    database = Path(tmp_path_factory.mktemp("checkout-oracle")) / "oracle.db"
    settings = Settings(database_url=f"sqlite:///{database}", secret_key=Secret(TEST_SECRET_KEY))
    with live_server(settings) as base:
        yield f"{base}/sandbox/checkout/"


def _environment(base_url: str) -> Environment:
    return Environment(
        base_uri=base_url,
        authorization_uri=base_url + "connect/token",
        files_uri=base_url,
        transfers_uri=base_url,
        balances_uri=base_url,
        forward_uri=base_url,
        identity_uri=base_url,
        is_sandbox=True,
    )


def _api(base_url: str, secret_key: str = SECRET_KEY) -> Any:
    return (
        CheckoutSdk.builder()
        .secret_key(secret_key)
        .environment(_environment(base_url))
        .use_legacy_domain()
        .build()
    )


def _oauth_api(base_url: str) -> Any:
    return (
        CheckoutSdk.builder()
        .oauth()
        .client_credentials(CLIENT_ID, SECRET_KEY)
        .scopes([OAuthScopes.GATEWAY_PAYMENT_DETAILS])
        .environment(_environment(base_url))
        .use_legacy_domain()
        .build()
    )


def _session_request() -> PaymentSessionsRequest:
    address = BillingAddress()
    address.country = "US"
    billing = SessionBilling()
    billing.address = address
    customer = SessionPaymentCustomerRequest()
    customer.email = "jane@example.com"
    customer.name = "Jane Doe"
    request = PaymentSessionsRequest()
    request.amount = 0
    request.currency = Currency.USD
    request.billing = billing
    request.customer = customer
    request.reference = "oracle-session"
    request.success_url = SUCCESS_URL
    request.failure_url = FAILURE_URL
    request.payment_type = PaymentType.UNSCHEDULED
    request.enabled_payment_methods = ["card"]
    return request


def _pay(base_url: str, session_id: str, number: str) -> str:
    response = httpx.post(f"{base_url}flow/{session_id}", data=card_form(number))
    assert response.status_code == 200, response.text
    return payment_id_in(response.text)


def test_the_sandbox_secret_key_matches_the_sdk_key_format() -> None:
    assert SDK_KEY.match(SECRET_KEY)


def test_the_sdk_creates_a_payment_session(base_url: str) -> None:
    session = _api(base_url).payment_sessions.create_payment_sessions(_session_request())

    assert session.http_metadata.status_code == 201
    assert re.fullmatch(r"ps_[A-Za-z0-9]{27}", session.id)
    assert session.payment_session_secret.startswith("pss_")
    assert session.payment_session_token
    assert session._links.self.href == f"{base_url}payment-sessions/{session.id}"
    assert session.http_metadata.headers["Cko-Request-Id"]


def test_the_sdk_reads_an_approved_payment_with_its_debit_card(base_url: str) -> None:
    api = _api(base_url)
    session = api.payment_sessions.create_payment_sessions(_session_request())
    payment_id = _pay(base_url, session.id, US_DEBIT_VISA)

    payment = api.payments.get_payment_details(payment_id)

    assert payment.http_metadata.status_code == 200
    assert (payment.id, payment.status, payment.approved) == (payment_id, "Card Verified", True)
    assert payment.payment_session_id == session.id
    assert payment.reference == "oracle-session"
    source = payment.source
    assert (source.type, source.scheme, source.last4, source.bin) == (
        "card",
        "Visa",
        "1519",
        "402476",
    )
    assert (source.expiry_month, source.expiry_year) == (12, 2099)
    assert (source.card_type, source.issuer_country) == ("DEBIT", "US")
    assert source.id.startswith("src_")


def test_the_sdk_reads_a_declined_payment(base_url: str) -> None:
    api = _api(base_url)
    session = api.payment_sessions.create_payment_sessions(_session_request())
    payment_id = _pay(base_url, session.id, INSUFFICIENT_FUNDS)

    payment = api.payments.get_payment_details(payment_id)

    assert (payment.status, payment.approved, payment.response_code) == (
        "Declined",
        False,
        "20051",
    )


def test_a_wrong_secret_key_raises_checkout_api_exception_401(base_url: str) -> None:
    with pytest.raises(CheckoutApiException) as caught:
        _api(base_url, OTHER_KEY).payment_sessions.create_payment_sessions(_session_request())

    assert caught.value.http_metadata.status_code == 401
    assert caught.value.request_id  # from the Cko-Request-Id header: the body is empty


def test_an_invalid_session_request_raises_with_the_error_codes(base_url: str) -> None:
    request = _session_request()
    request.amount = -5
    del request.success_url

    with pytest.raises(CheckoutApiException) as caught:
        _api(base_url).payment_sessions.create_payment_sessions(request)

    assert caught.value.http_metadata.status_code == 422
    assert caught.value.error_type == "request_invalid"
    assert caught.value.error_details == ["amount_invalid", "success_url_required"]
    assert caught.value.request_id


def test_an_unknown_payment_raises_checkout_api_exception_404(base_url: str) -> None:
    with pytest.raises(CheckoutApiException) as caught:
        _api(base_url).payments.get_payment_details("pay_" + "a" * 26)

    assert caught.value.http_metadata.status_code == 404


def test_the_oauth_sdk_reads_payments_but_may_not_create_payment_sessions(base_url: str) -> None:
    api = _api(base_url)
    session = api.payment_sessions.create_payment_sessions(_session_request())
    payment_id = _pay(base_url, session.id, US_DEBIT_VISA)
    oauth = _oauth_api(base_url)

    payment = oauth.payments.get_payment_details(payment_id)

    assert payment.id == payment_id
    with pytest.raises(CheckoutAuthorizationException):
        oauth.payment_sessions.create_payment_sessions(_session_request())
