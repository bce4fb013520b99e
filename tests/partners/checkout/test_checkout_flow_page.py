"""The hosted Flow page, end to end by form GET and POST."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from checkout_support import (
    AUTH,
    CREDIT_VISA,
    DO_NOT_HONOUR,
    EMULATOR,
    FAILURE_URL,
    INSUFFICIENT_FUNDS,
    SUCCESS_URL,
    US_DEBIT_VISA,
    card_form,
    payment_id_in,
)
from starlette.testclient import TestClient

import bankbridge.clock
from bankbridge.partners.checkout.emulator.state import PAYMENT
from bankbridge.store.base import EmulatorRecords

NewSession = Callable[..., str]


def _payment(client: TestClient, payment_id: str) -> dict[str, Any]:
    response = client.get(f"{EMULATOR}/payments/{payment_id}", headers=AUTH)
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def _payments_of(run: Callable[..., Any], records: EmulatorRecords, session_id: str) -> list[Any]:
    found: list[Any] = run(records.list, PAYMENT, session_id)
    return found


def test_the_flow_page_shows_a_card_form_that_posts_back_to_itself(
    client: TestClient, new_session: NewSession
) -> None:
    session_id = new_session()

    response = client.get(f"{EMULATOR}/flow/{session_id}")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert f'<form method="post" action="http://testserver/sandbox/checkout/flow/{session_id}"' in (
        page
    )
    for field in ("card_number", "expiry_month", "expiry_year", "cvv", "name"):
        assert f'name="{field}"' in page
    assert 'value="Jane Doe"' in page  # the session's customer name is the default
    assert "<script" not in page


def test_an_approved_us_debit_card_verifies_the_card_and_links_back_with_the_payment_id(
    client: TestClient, new_session: NewSession
) -> None:
    session_id = new_session(reference="my-session")

    response = client.post(f"{EMULATOR}/flow/{session_id}", data=card_form("4024 7644 4997 1519"))

    assert response.status_code == 200
    assert "Card verified" in response.text
    payment_id = payment_id_in(response.text)
    assert html.escape(f"{SUCCESS_URL}&cko-payment-id={payment_id}") in response.text
    payment = _payment(client, payment_id)
    assert payment["status"] == "Card Verified"
    assert payment["approved"] is True
    assert payment["response_code"] == "10000"
    assert payment["amount"] == 0
    assert payment["reference"] == "my-session"
    assert payment["payment_session_id"] == session_id
    assert payment["customer"]["email"] == "jane@example.com"
    assert payment["customer"]["id"].startswith("cus_")
    source = payment["source"]
    assert source["type"] == "card"
    assert source["id"].startswith("src_") and len(source["id"]) == 30
    assert (source["scheme"], source["last4"], source["bin"]) == ("Visa", "1519", "402476")
    assert (source["expiry_month"], source["expiry_year"]) == (12, 2099)
    assert (source["card_type"], source["issuer_country"]) == ("DEBIT", "US")
    assert source["name"] == "Jane Q Doe"
    assert len(source["fingerprint"]) == 64


@pytest.mark.parametrize(
    ("number", "card_type", "country"),
    [(CREDIT_VISA, "CREDIT", "US"), ("4921 8178 4444 5119", "DEBIT", "GB")],
)
def test_a_card_push_to_card_cannot_take_is_declined_as_not_supported(
    client: TestClient,
    new_session: NewSession,
    pay: Callable[..., str],
    number: str,
    card_type: str,
    country: str,
) -> None:
    """A card the exchange would refuse never looks accepted: not a US debit/prepaid card."""
    session_id = new_session()
    response = client.post(f"{EMULATOR}/flow/{session_id}", data=card_form(number))

    assert response.status_code == 200
    assert "Card declined" in response.text and "Card not supported" in response.text
    assert "Push to card takes US debit or prepaid cards only." in response.text
    payment = _payment(client, payment_id_in(response.text))
    assert (payment["status"], payment["approved"]) == ("Declined", False)
    assert payment["response_code"] == "20057"
    assert (payment["source"]["card_type"], payment["source"]["issuer_country"]) == (
        card_type,
        country,
    )
    assert _payment(client, pay(session_id, US_DEBIT_VISA))["approved"] is True


def test_a_payout_mastercard_debit_card_is_approved_with_two_digit_expiry_year(
    client: TestClient, new_session: NewSession, pay: Callable[..., str]
) -> None:
    payment = _payment(client, pay(new_session(), "5318-7730-1249-0080", expiry_year="99"))

    assert payment["status"] == "Card Verified"
    assert payment["source"]["scheme"] == "Mastercard"
    assert payment["source"]["expiry_year"] == 2099


def test_the_same_card_keeps_its_source_id_for_the_same_customer(
    client: TestClient, new_session: NewSession, pay: Callable[..., str]
) -> None:
    customer = {"id": "cus_" + "d" * 26, "email": "jane@example.com", "name": "Jane Doe"}
    first = _payment(client, pay(new_session(customer=customer), US_DEBIT_VISA))
    second = _payment(client, pay(new_session(customer=customer), US_DEBIT_VISA))

    assert first["id"] != second["id"]
    assert first["source"]["id"] == second["source"]["id"]
    assert first["source"]["fingerprint"] == second["source"]["fingerprint"]


@pytest.mark.parametrize(
    ("number", "code", "summary"),
    [
        (INSUFFICIENT_FUNDS, "20051", "Insufficient Funds"),
        (DO_NOT_HONOUR, "20005", "Declined - Do Not Honour"),
    ],
)
def test_a_declining_card_makes_a_declined_payment_and_shows_its_response_code(
    client: TestClient, new_session: NewSession, number: str, code: str, summary: str
) -> None:
    session_id = new_session()

    response = client.post(f"{EMULATOR}/flow/{session_id}", data=card_form(number))

    assert response.status_code == 200
    assert "Card declined" in response.text
    assert code in response.text and summary in response.text
    payment_id = payment_id_in(response.text)
    assert html.escape(f"{FAILURE_URL}?cko-payment-id={payment_id}") in response.text
    payment = _payment(client, payment_id)
    assert (payment["status"], payment["approved"]) == ("Declined", False)
    assert (payment["response_code"], payment["response_summary"]) == (code, summary)


def test_a_declined_card_leaves_the_session_payable_with_another_card(
    client: TestClient, new_session: NewSession, pay: Callable[..., str]
) -> None:
    session_id = new_session()
    pay(session_id, INSUFFICIENT_FUNDS)

    payment = _payment(client, pay(session_id, US_DEBIT_VISA))

    assert payment["approved"] is True


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"cvv": "123"}, "cvv", "security code is incorrect"),
        ({"cvv": "1"}, "cvv", "security code is incomplete"),
        ({"cvv": "\uff11\uff12\uff13"}, "cvv", "security code is incomplete"),
        ({"expiry_year": "2001"}, "expiry_year", "expiry date is in the past"),
        ({"expiry_month": "\u00b2"}, "expiry_month", "Enter the expiry month"),
        ({"expiry_month": "13"}, "expiry_month", "Enter the expiry month"),
        ({"expiry_year": "soon"}, "expiry_year", "Enter the expiry year"),
        ({"card_number": "4024 7644 4997 1518"}, "card_number", "not valid"),
        ({"card_number": "4111 1111 1111 1111"}, "card_number", "not a Checkout.com Sandbox"),
        ({"card_number": ""}, "card_number", "Enter the card number."),
        ({"name": "x" * 101}, "name", "less than 100"),
    ],
)
def test_bad_card_input_redisplays_the_form_with_a_field_error_and_makes_no_payment(
    client: TestClient,
    new_session: NewSession,
    run: Callable[..., Any],
    records: EmulatorRecords,
    overrides: dict[str, str],
    field: str,
    message: str,
) -> None:
    session_id = new_session()
    form = {**card_form(), **overrides}

    response = client.post(f"{EMULATOR}/flow/{session_id}", data=form)

    assert response.status_code == 422
    assert message in response.text
    assert f'id="{field}" name="{field}"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert 'name="cvv" inputmode="numeric" autocomplete="cc-csc" value=""' in response.text
    assert _payments_of(run, records, session_id) == []


def test_a_session_is_completed_at_most_once(
    client: TestClient, new_session: NewSession, pay: Callable[..., str]
) -> None:
    session_id = new_session()
    first = pay(session_id, US_DEBIT_VISA)

    again = client.post(f"{EMULATOR}/flow/{session_id}", data=card_form("5318 7730 1249 0080"))
    shown = client.get(f"{EMULATOR}/flow/{session_id}")
    read = client.get(f"{EMULATOR}/payment-sessions/{session_id}", headers=AUTH)

    assert again.status_code == 410
    assert "already completed" in again.text and first in again.text
    assert shown.status_code == 410
    assert read.json()["status"] == "Completed"


def test_an_unknown_session_gets_a_404_page(client: TestClient) -> None:
    response = client.get(f"{EMULATOR}/flow/ps_{'Z' * 27}")
    posted = client.post(f"{EMULATOR}/flow/ps_{'Z' * 27}", data=card_form())

    assert response.status_code == 404
    assert "Payment session not found" in response.text
    assert posted.status_code == 404


def test_an_expired_session_gets_a_410_page_and_takes_no_payment(
    client: TestClient,
    new_session: NewSession,
    monkeypatch: pytest.MonkeyPatch,
    run: Callable[..., Any],
    records: EmulatorRecords,
) -> None:
    session_id = new_session()
    later = bankbridge.clock.now() + timedelta(hours=1, minutes=1)
    monkeypatch.setattr(bankbridge.clock, "now", lambda: later)

    shown = client.get(f"{EMULATOR}/flow/{session_id}")
    posted = client.post(f"{EMULATOR}/flow/{session_id}", data=card_form())

    assert shown.status_code == 410
    assert "Payment session expired" in shown.text
    assert posted.status_code == 410
    assert _payments_of(run, records, session_id) == []


def test_a_short_expires_on_is_honoured(
    client: TestClient, new_session: NewSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    soon = bankbridge.clock.now() + timedelta(minutes=5)
    session_id = new_session(expires_on=soon.isoformat())
    later = soon + timedelta(seconds=1)
    monkeypatch.setattr(bankbridge.clock, "now", lambda: later)

    assert client.get(f"{EMULATOR}/flow/{session_id}").status_code == 410


def test_page_output_is_html_escaped(client: TestClient, new_session: NewSession) -> None:
    customer = {"email": "x@example.com", "name": "<script>alert(1)</script>"}
    session_id = new_session(customer=customer)

    response = client.get(f"{EMULATOR}/flow/{session_id}")

    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


def test_a_malformed_form_body_is_a_400_page_not_a_500(
    client: TestClient, new_session: NewSession
) -> None:
    session_id = new_session()

    response = client.post(
        f"{EMULATOR}/flow/{session_id}",
        content=b"card_number=4242",
        headers={"Content-Type": "multipart/form-data"},  # no boundary
    )

    assert response.status_code == 400
    assert "The form could not be read." in response.text


def test_a_forged_host_header_does_not_change_where_the_form_posts(
    client: TestClient, new_session: NewSession
) -> None:
    session_id = new_session()

    response = client.get(f"{EMULATOR}/flow/{session_id}", headers={"Host": "evil.example"})

    assert response.status_code == 200
    assert "evil.example" not in response.text
    assert f'action="http://testserver/sandbox/checkout/flow/{session_id}"' in response.text


def test_a_form_post_from_another_site_is_refused_and_pays_nothing(
    client: TestClient,
    new_session: NewSession,
    run: Callable[..., Any],
    records: EmulatorRecords,
) -> None:
    session_id = new_session()

    response = client.post(
        f"{EMULATOR}/flow/{session_id}",
        data=card_form(),
        headers={"Origin": "https://evil.example"},
    )
    same_site = client.post(
        f"{EMULATOR}/flow/{session_id}", data=card_form(), headers={"Origin": "http://testserver"}
    )

    assert response.status_code == 403
    assert same_site.status_code == 200
    assert len(_payments_of(run, records, session_id)) == 1


def test_the_flow_pages_send_the_hosted_page_security_headers(
    client: TestClient, new_session: NewSession
) -> None:
    session_id = new_session()

    for response in (
        client.get(f"{EMULATOR}/flow/{session_id}"),
        client.post(f"{EMULATOR}/flow/{session_id}", data=card_form()),
        client.get(f"{EMULATOR}/flow/ps_{'Z' * 27}"),
    ):
        policy = response.headers["content-security-policy"]
        assert "frame-ancestors 'self'" in policy and "form-action 'self'" in policy
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["cache-control"] == "no-store"


def test_a_form_body_over_the_limit_is_refused_before_it_is_read(
    client: TestClient, new_session: NewSession
) -> None:
    session_id = new_session()
    huge = b"name=" + b"x" * (1024 * 1024 + 1)

    response = client.post(
        f"{EMULATOR}/flow/{session_id}",
        content=huge,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Origin": "null", "Sec-Fetch-Site": "same-origin"}, 200),  # no-referrer form post
        ({"Origin": "null", "Sec-Fetch-Site": "cross-site"}, 403),
        ({"Origin": "null"}, 403),
        ({"Sec-Fetch-Site": "same-site"}, 403),
    ],
)
def test_a_form_post_is_judged_by_fetch_metadata_when_origin_is_null(
    client: TestClient, new_session: NewSession, headers: dict[str, str], status: int
) -> None:
    response = client.post(f"{EMULATOR}/flow/{new_session()}", data=card_form(), headers=headers)

    assert response.status_code == status
