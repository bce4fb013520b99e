"""The Checkout.com adapter against its emulator, in-process."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import httpx
import pytest
from checkout_support import (
    AUTH,
    CREDIT_VISA,
    EMULATOR,
    INSUFFICIENT_FUNDS,
    US_DEBIT_VISA,
)
from starlette.testclient import TestClient

from bankbridge.config import PartnerCredentials, Secret
from bankbridge.errors import PartnerError
from bankbridge.models import Customer
from bankbridge.partners.base import (
    CardDetails,
    ExchangeRequest,
    ExchangeTokenRejected,
    SessionRequest,
)
from bankbridge.partners.checkout import wire
from bankbridge.partners.checkout.adapter import CheckoutAdapter, CheckoutApiError
from bankbridge.services import Services

Run = Callable[..., Any]
RETURN_URL = "http://testserver/exchange-sessions/return"


def _request(customer: Customer, redirect_url: str | None = None) -> SessionRequest:
    return SessionRequest(
        session_id="6c1e9c7a-3333-4a2b-8c3d-0123456789ab",
        customer=customer,
        return_url=RETURN_URL,
        redirect_url=redirect_url,
    )


def _session(client: TestClient, session_id: str) -> dict[str, Any]:
    response = client.get(f"{EMULATOR}/payment-sessions/{session_id}", headers=AUTH)
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def test_create_session_returns_the_payment_session_as_provider_data(
    client: TestClient, run: Run, adapter: CheckoutAdapter, checkout_customer: Customer
) -> None:
    session = run(adapter.create_session, _request(checkout_customer))

    assert session.url is None and session.token is None
    assert session.data is not None
    assert set(session.data) == {"id", "payment_session_secret", "payment_session_token"}
    assert re.fullmatch(r"ps_[A-Za-z0-9]{27}", session.data["id"])
    assert session.data["payment_session_secret"].startswith("pss_")
    assert session.external_ref == session.data["id"]
    token = json.loads(base64.b64decode(session.data["payment_session_token"]))
    assert token["id"] == session.data["id"]


def test_create_session_asks_for_a_zero_amount_card_verification_for_the_customer(
    client: TestClient, run: Run, adapter: CheckoutAdapter, checkout_customer: Customer
) -> None:
    request = _request(checkout_customer, "https://platform.example/return")

    session = run(adapter.create_session, request)

    stored = _session(client, session.data["id"])
    assert stored["amount"] == 0
    assert stored["currency"] == "USD"
    assert stored["payment_type"] == "Unscheduled"
    assert stored["reference"] == request.session_id
    assert stored["success_url"] == stored["failure_url"] == "https://platform.example/return"


def test_create_session_with_an_app_package_redirect_returns_to_the_return_url(
    client: TestClient, run: Run, adapter: CheckoutAdapter, checkout_customer: Customer
) -> None:
    session = run(adapter.create_session, _request(checkout_customer, "com.example.app"))

    assert _session(client, session.data["id"])["success_url"] == RETURN_URL


def test_the_session_request_body_has_the_documented_fields(checkout_customer: Customer) -> None:
    body = wire.payment_session_request(_request(checkout_customer))

    assert body == {
        "amount": 0,
        "currency": "USD",
        "billing": {"address": {"country": "US"}},
        "customer": {"email": "jane@example.com", "name": "Jane Doe"},
        "reference": "6c1e9c7a-3333-4a2b-8c3d-0123456789ab",
        "success_url": RETURN_URL,
        "failure_url": RETURN_URL,
        "enabled_payment_methods": ["card"],
        "payment_type": "Unscheduled",
    }


def test_a_wrong_secret_key_is_a_partner_error_naming_http_401(
    run: Run, services: Services, adapter: CheckoutAdapter, checkout_customer: Customer
) -> None:
    credentials = replace(adapter.credentials, secret=Secret("sk_sbox_" + "a" * 27))
    wrong = CheckoutAdapter(credentials, adapter.http)

    with pytest.raises(CheckoutApiError) as caught:
        run(wrong.create_session, _request(checkout_customer))

    assert caught.value.status_code == 401
    assert "HTTP 401" in caught.value.detail
    assert "sk_sbox_" not in caught.value.detail
    assert caught.value.retryable is False


def test_a_422_answer_is_a_partner_error_carrying_the_error_codes(
    run: Run, adapter: CheckoutAdapter, checkout_customer: Customer
) -> None:
    customer = replace(checkout_customer, email="not-an-email")

    with pytest.raises(PartnerError) as caught:
        run(adapter.create_session, _request(customer))

    assert isinstance(caught.value, CheckoutApiError)
    assert caught.value.error_codes == ["customer_email_invalid"]
    assert "request_invalid: customer_email_invalid" in caught.value.detail


def test_get_payment_reads_the_card_of_a_flow_payment(
    run: Run,
    adapter: CheckoutAdapter,
    new_session: Callable[..., str],
    pay: Callable[..., str],
) -> None:
    session_id = new_session()
    payment_id = pay(session_id, US_DEBIT_VISA)

    payment = run(adapter.get_payment, payment_id)

    assert isinstance(payment, wire.CardPayment)
    assert (payment.id, payment.status, payment.approved) == (payment_id, "Card Verified", True)
    assert payment.payment_session_id == session_id
    assert payment.source_id.startswith("src_")
    assert (payment.scheme, payment.last4, payment.bin) == ("Visa", "1519", "402476")
    assert (payment.expiry_month, payment.expiry_year) == (12, 2099)
    assert (payment.card_type, payment.issuer_country) == ("DEBIT", "US")
    assert payment.name == "Jane Q Doe"
    assert len(payment.fingerprint) == 64
    assert payment.fundable


def test_get_payment_of_an_unknown_id_is_a_partner_error_saying_not_found(
    run: Run, adapter: CheckoutAdapter
) -> None:
    with pytest.raises(PartnerError) as caught:
        run(adapter.get_payment, "pay_" + "a" * 26)

    assert "GET /payments/pay_" in caught.value.detail
    assert "HTTP 404 (no such resource)" in caught.value.detail


def test_open_exchange_keeps_the_payment_and_card_source_and_names_the_session(
    run: Run,
    adapter: CheckoutAdapter,
    checkout_customer: Customer,
    pay: Callable[..., str],
) -> None:
    request = _request(checkout_customer)
    session = run(adapter.create_session, request)
    payment_id = pay(session.data["id"], US_DEBIT_VISA)

    opened = run(adapter.open_exchange, ExchangeRequest(checkout_customer, "token", payment_id))

    assert opened.session_ref == request.session_id
    assert opened.connection["payment_id"] == payment_id
    assert opened.connection["source_id"].startswith("src_")


@pytest.mark.parametrize(
    ("card", "reason"),
    [(CREDIT_VISA, "did not verify"), (INSUFFICIENT_FUNDS, "did not verify")],
)
def test_open_exchange_rejects_declined_payments_and_credit_cards(
    run: Run,
    adapter: CheckoutAdapter,
    checkout_customer: Customer,
    new_session: Callable[..., str],
    pay: Callable[..., str],
    card: str,
    reason: str,
) -> None:
    payment_id = pay(new_session(), card)

    with pytest.raises(ExchangeTokenRejected, match=reason):
        run(adapter.open_exchange, ExchangeRequest(checkout_customer, "token", payment_id))


def test_open_exchange_refuses_a_card_a_remote_checkout_verified_that_is_not_us_debit(
    run: Run, checkout_customer: Customer
) -> None:
    """Real Checkout.com may verify a credit card; push to card still cannot take it."""
    source = {"type": "card", "id": "src_x", "scheme": "Visa", "last4": "4242", "bin": "424242"}
    source |= {
        "expiry_month": 1,
        "expiry_year": 2030,
        "card_type": "CREDIT",
        "issuer_country": "US",
    }
    payment = {"id": "pay_" + "c" * 26, "status": "Card Verified", "approved": True}

    def checkout(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={**payment, "source": source})

    async def open_it() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(checkout)) as http:
            credentials = PartnerCredentials(
                "https://api.sandbox.checkout.example", "", Secret("sk")
            )
            adapter = CheckoutAdapter(credentials, http)
            await adapter.open_exchange(ExchangeRequest(checkout_customer, "token", payment["id"]))

    with pytest.raises(ExchangeTokenRejected, match="not a US debit card"):
        run(open_it)


@pytest.mark.parametrize("token", ["pay_" + "a" * 26, "processor-sandbox-1", "ps_123"])
def test_open_exchange_rejects_unknown_or_foreign_tokens(
    run: Run, adapter: CheckoutAdapter, checkout_customer: Customer, token: str
) -> None:
    with pytest.raises(ExchangeTokenRejected):
        run(adapter.open_exchange, ExchangeRequest(checkout_customer, "token", token))


def test_read_funding_details_describes_the_card_without_its_number(
    run: Run,
    adapter: CheckoutAdapter,
    new_session: Callable[..., str],
    pay: Callable[..., str],
) -> None:
    payment_id = pay(new_session(), "5318 7730 1249 0080", name="")

    details = run(adapter.read_funding_details, {"payment_id": payment_id, "source_id": "x"})

    assert isinstance(details, CardDetails)
    assert details.brand == "Mastercard"
    assert (details.last_four, details.bin) == ("0080", "531877")
    assert (details.expiration_month, details.expiration_year) == (12, 2099)
    assert (details.card_type, details.issuer_country) == ("DEBIT", "US")
    assert details.name_on_card == "Jane Doe"  # blank on the form: the session customer's name
    assert "5318773012490080" not in repr(details)


def test_checkout_has_no_available_connections_or_reauth(
    run: Run, adapter: CheckoutAdapter, checkout_customer: Customer
) -> None:
    assert run(adapter.list_available_connections, checkout_customer) == []
    with pytest.raises(PartnerError):
        run(adapter.require_reauth, {"payment_id": "pay_x"})
    with pytest.raises(PartnerError):
        run(adapter.create_reauth_session, {}, _request(checkout_customer))


@pytest.mark.parametrize(
    ("status", "ours"),
    [
        ("Card Verified", "verified"),
        ("Authorized", "verified"),
        ("Captured", "verified"),
        ("Declined", "declined"),
        ("Pending", "pending"),
        ("Something New", "pending"),
    ],
)
def test_payment_statuses_map_through_the_table_and_unknown_is_pending(
    status: str, ours: str
) -> None:
    assert wire.payment_status(status) == ours


def test_a_payment_with_an_unknown_status_is_not_verified_even_if_approved() -> None:
    body = {
        "id": "pay_x",
        "status": "Pending",
        "approved": True,
        "source": {
            "type": "card",
            "id": "src_x",
            "scheme": "Visa",
            "last4": "1519",
            "bin": "402476",
            "expiry_month": 1,
            "expiry_year": 2030,
            "card_type": "Debit",
            "issuer_country": "US",
        },
    }

    payment = wire.card_payment(body)

    assert not payment.verified and not payment.fundable
    assert wire.card_payment({**body, "status": "Captured"}).fundable  # "Debit" in any case


@pytest.mark.parametrize(
    "change",
    [
        {"approved": "true"},
        {"source": None},
        {"source": {"type": "network_token"}},
        {"id": 1},
        {"status": None},
    ],
)
def test_a_malformed_payment_body_is_refused(change: dict[str, Any]) -> None:
    source = {"type": "card", "id": "src_x", "scheme": "Visa", "last4": "1519", "bin": "402476"}
    source |= {"expiry_month": 1, "expiry_year": 2030}
    body: dict[str, Any] = {"id": "pay_x", "status": "Captured", "approved": True, "source": source}
    assert wire.card_payment(body).id == "pay_x"  # the unchanged body is fine
    with pytest.raises((KeyError, TypeError, ValueError)):
        wire.card_payment({**body, **change})
