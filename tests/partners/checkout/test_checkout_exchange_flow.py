"""Checkout.com end to end through the Dwolla API: session -> Flow page -> payment id ->
exchange -> card funding source."""

from __future__ import annotations

from typing import Any

from checkout_support import CREDIT_VISA, EMULATOR, US_DEBIT_VISA, card_form, payment_id_in


def _paid_session(api: Any, customer: dict[str, Any], number: str) -> str:
    location = api.create_session(customer, "Checkout.com").headers["location"]
    data = api.get(location).json()["externalProviderSessionData"]
    page = api.client.post(f"{EMULATOR}/flow/{data['id']}", data=card_form(number))
    assert page.status_code == 200, page.text
    return payment_id_in(page.text)


def _exchange(api: Any, customer: dict[str, Any], payment_id: str) -> Any:
    return api.post(
        f"/customers/{customer['id']}/exchanges",
        {
            "_links": {"exchange-partner": {"href": api.partner_href("Checkout.com")}},
            "token": payment_id,
        },
    )


def test_a_flow_payment_id_becomes_a_verified_debit_card_funding_source(
    api: Any, customer: dict[str, Any]
) -> None:
    created = _exchange(api, customer, _paid_session(api, customer, US_DEBIT_VISA))
    assert created.status_code == 201, created.text

    source = api.post(
        f"/customers/{customer['id']}/funding-sources",
        {
            "_links": {"exchange": {"href": created.headers["location"]}},
            "name": "My debit card",
            "cardDetails": {
                "firstName": "Jane",
                "lastName": "Doe",
                "billingAddress": {
                    "address1": "1 Main St",
                    "city": "Des Moines",
                    "stateProvinceRegion": "IA",
                    "country": "US",
                    "postalCode": "50309",
                },
            },
        },
    )

    assert source.status_code == 201, source.text
    body = api.get(source.headers["location"]).json()
    assert (body["type"], body["status"]) == ("card", "verified")
    card = body["cardDetails"]
    assert (card["brand"], card["lastFour"], card["bin"]) == ("Visa", "1519", "402476")
    assert (card["expirationMonth"], card["expirationYear"]) == (12, 2099)
    assert card["nameOnCard"] == "Jane Q Doe"


def test_a_credit_card_payment_is_not_accepted_for_an_exchange(
    api: Any, customer: dict[str, Any]
) -> None:
    response = _exchange(api, customer, _paid_session(api, customer, CREDIT_VISA))

    assert response.status_code == 400
    assert response.json()["code"] == "InvalidExchangeToken"
