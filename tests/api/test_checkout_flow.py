"""Checkout.com end to end: session -> Flow page -> pay_ id -> exchange -> card funding source."""

from __future__ import annotations

import re

import pytest

from flows import submit
from helpers import assert_dwolla_error

BILLING = {
    "address1": "552 Test St",
    "city": "Des Moines",
    "stateProvinceRegion": "IA",
    "country": "US",
    "postalCode": "50310",
}


def pay(api, customer, card="4024 7644 4997 1519", cvv="100"):
    """Create a Checkout.com session and pay on its Flow page; returns the result page."""
    location = api.create_session(customer, "Checkout.com").headers["location"]
    session_id = api.get(location).json()["externalProviderSessionData"]["id"]
    return submit(
        api.client,
        f"/sandbox/checkout/flow/{session_id}",
        card_number=card,
        expiry_month="12",
        expiry_year="2035",
        cvv=cvv,
        name="Jane Doe",
    )


def payment_id(api, customer, **kwargs):
    page = pay(api, customer, **kwargs)
    assert page.status_code == 200, page.text
    return re.search(r"pay_[a-z2-7]{26}", page.text).group(0)


def exchange(api, customer, token):
    return api.post(
        f"/customers/{customer['id']}/exchanges",
        {
            "_links": {"exchange-partner": {"href": api.partner_href("Checkout.com")}},
            "token": token,
        },
    )


def card_source(api, customer, exchange_location, **overrides):
    body = {
        "_links": {"exchange": {"href": exchange_location}},
        "name": "Debit card",
        "cardDetails": {"firstName": "Jane", "lastName": "Doe", "billingAddress": BILLING},
        **overrides,
    }
    return api.post(f"/customers/{customer['id']}/funding-sources", body)


@pytest.mark.parametrize("card", ["5318 7730 1249 0080", "4024764449971519"])
def test_flow_page_shows_a_checkout_payment_id(api, customer, card):
    assert re.fullmatch(r"pay_[a-z2-7]{26}", payment_id(api, customer, card=card))


def test_declining_card_shows_a_decline(api, customer):
    page = pay(api, customer, card="4544 2491 6767 3670")
    assert "20051" in page.text
    assert "declined" in page.text.lower()


def test_payment_becomes_a_verified_card_funding_source(api, customer):
    created = exchange(api, customer, payment_id(api, customer))
    assert created.status_code == 201, created.text
    source = card_source(api, customer, created.headers["location"])
    assert source.status_code == 201, source.text
    body = api.get(source.headers["location"]).json()
    assert (body["status"], body["type"]) == ("verified", "card")
    details = body["cardDetails"]
    assert details["brand"].lower() == "visa"
    assert details["lastFour"] == "1519"
    assert (details["expirationMonth"], details["expirationYear"]) == (12, 2035)
    assert details["bin"].startswith("402476")
    assert details["nameOnCard"] == "Jane Doe"
    assert details["billingAddress"] == BILLING
    assert "4024764449971519" not in api.get(source.headers["location"]).text


def test_card_funding_source_lists_missing_billing_fields_by_path(api, customer):
    location = exchange(api, customer, payment_id(api, customer)).headers["location"]
    response = card_source(
        api,
        customer,
        location,
        cardDetails={"firstName": "Jane", "lastName": "Doe", "billingAddress": {"address1": "x"}},
    )
    body = assert_dwolla_error(response, 400, "ValidationError")
    paths = {e["path"] for e in body["_embedded"]["errors"]}
    assert paths == {
        "/cardDetails/billingAddress/city",
        "/cardDetails/billingAddress/stateProvinceRegion",
        "/cardDetails/billingAddress/country",
        "/cardDetails/billingAddress/postalCode",
    }


def test_payment_id_is_single_use(api, customer):
    token = payment_id(api, customer)
    assert exchange(api, customer, token).status_code == 201
    assert_dwolla_error(exchange(api, customer, token), 400, "InvalidExchangeToken")


def test_payment_of_another_customers_session_is_rejected(api, customer):
    token = payment_id(api, customer)
    other = api.create_customer()
    assert_dwolla_error(exchange(api, other, token), 400, "InvalidExchangeToken")


def test_unknown_payment_is_rejected(api, customer):
    assert_dwolla_error(exchange(api, customer, "pay_" + "a" * 26), 400, "InvalidExchangeToken")


def test_the_same_card_twice_is_a_duplicate(api, customer):
    first = exchange(api, customer, payment_id(api, customer)).headers["location"]
    source = card_source(api, customer, first)
    second = exchange(api, customer, payment_id(api, customer)).headers["location"]
    error = assert_dwolla_error(card_source(api, customer, second), 400, "DuplicateResource")
    assert error["_links"]["about"]["href"] == source.headers["location"]


def test_checkout_exchanges_have_no_reauth(api, customer):
    location = exchange(api, customer, payment_id(api, customer)).headers["location"]
    assert_dwolla_error(api.post(f"{location}/exchange-sessions", {}), 403, "forbidden")


def test_a_credit_card_payment_cannot_become_a_funding_source(api, customer):
    """Push-to-card needs a US debit card; 4242 4242 4242 4242 is a Visa credit card."""
    page = pay(api, customer, card="4242 4242 4242 4242")
    assert "Card not supported" in page.text
    token = re.search(r"pay_[a-z2-7]{26}", page.text).group(0)
    body = assert_dwolla_error(exchange(api, customer, token), 400, "InvalidExchangeToken")
    assert "did not verify" in body["message"]


def test_without_a_redirect_url_the_flow_page_links_nowhere(api, customer):
    """No "Return to the app" to BankBridge's own API root (which answers 401)."""
    page = pay(api, customer)
    assert "Card verified" in page.text
    assert "Return to the app" not in page.text and "<a " not in page.text


def test_with_a_redirect_url_the_flow_page_returns_there_with_the_payment_id(
    api, customer, account
):
    redirect = account.account.redirect_urls[0]
    location = api.create_session(customer, "Checkout.com", redirect).headers["location"]
    session_id = api.get(location).json()["externalProviderSessionData"]["id"]
    page = submit(
        api.client,
        f"/sandbox/checkout/flow/{session_id}",
        card_number="4024 7644 4997 1519",
        expiry_month="12",
        expiry_year="2035",
        cvv="100",
    )
    token = re.search(r"pay_[a-z2-7]{26}", page.text).group(0)
    assert "Return to the app" in page.text
    assert f"cko-payment-id={token}" in page.text
