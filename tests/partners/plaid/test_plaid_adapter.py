"""The Plaid adapter against the Plaid emulator, in-process through the app's HTTP client."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from plaid_support import PlaidPost

from bankbridge.clock import now
from bankbridge.config import PartnerCredentials, Secret
from bankbridge.errors import PartnerError
from bankbridge.models import Customer
from bankbridge.partners.base import SessionRequest
from bankbridge.partners.plaid import wire
from bankbridge.partners.plaid.adapter import PlaidAdapter, PlaidApiError

Run = Callable[..., Any]


def _session(customer: Customer, redirect_url: str | None = None) -> SessionRequest:
    return SessionRequest(
        session_id="session-1",
        customer=customer,
        return_url="http://testserver/return",
        redirect_url=redirect_url,
    )


def _token_metadata(plaid: PlaidPost, token: str) -> dict[str, Any]:
    response = plaid("/link/token/get", {"link_token": token})
    assert response.status_code == 200, response.text
    metadata: dict[str, Any] = response.json()["metadata"]
    return metadata


def test_create_session_returns_a_four_hour_link_token(
    run: Run, adapter: PlaidAdapter, plaid_customer: Customer, plaid: PlaidPost
) -> None:
    session = run(adapter.create_session, _session(plaid_customer))

    assert session.token is not None and session.token.startswith("link-sandbox-")
    assert session.external_ref == session.token
    assert session.url is None and session.data is None
    assert session.expires_at is not None
    assert abs(session.expires_at - (now() + timedelta(hours=4))) < timedelta(seconds=5)
    metadata = _token_metadata(plaid, session.token)
    assert metadata["initial_products"] == ["auth"]
    assert metadata["client_name"] == "BankBridge"
    assert metadata["country_codes"] == ["US"]
    assert metadata["redirect_uri"] is None
    assert metadata["account_filters"] == {
        "depository": {"account_subtypes": ["checking", "savings"]}
    }


def test_create_session_sends_an_https_redirect_url_as_redirect_uri(
    run: Run, adapter: PlaidAdapter, plaid_customer: Customer, plaid: PlaidPost
) -> None:
    url = "https://platform.example/return"
    session = run(adapter.create_session, _session(plaid_customer, url))

    assert _token_metadata(plaid, session.token)["redirect_uri"] == url


def test_create_session_sends_an_app_package_name_as_android_package_name() -> None:
    body = wire.link_token_request("customer-1", "com.example.app")

    assert body.get("android_package_name") == "com.example.app"
    assert "redirect_uri" not in body


def test_create_session_with_an_app_package_name_succeeds_without_redirect_uri(
    run: Run, adapter: PlaidAdapter, plaid_customer: Customer, plaid: PlaidPost
) -> None:
    session = run(adapter.create_session, _session(plaid_customer, "com.example.app"))

    assert _token_metadata(plaid, session.token)["redirect_uri"] is None


def test_create_session_raises_partner_error_with_plaids_error_code(
    run: Run, adapter: PlaidAdapter, plaid_customer: Customer
) -> None:
    good = adapter
    wrong = PlaidAdapter(
        PartnerCredentials(good.credentials.base_url, good.credentials.client_id, Secret("nope")),
        good.http,
    )

    with pytest.raises(PlaidApiError) as raised:
        run(wrong.create_session, _session(plaid_customer))

    assert isinstance(raised.value, PartnerError)
    assert raised.value.error_code == "INVALID_API_KEYS"
    assert "INVALID_API_KEYS" in raised.value.detail
    assert "nope" not in raised.value.detail
    assert raised.value.retryable is False


def test_exchange_public_token_returns_the_items_access_token_and_id(
    run: Run, adapter: PlaidAdapter, plaid: PlaidPost
) -> None:
    created = plaid(
        "/sandbox/public_token/create",
        {"institution_id": "ins_109508", "initial_products": ["auth"]},
    )

    access_token, item_id = run(adapter.exchange_public_token, created.json()["public_token"])

    assert access_token.startswith("access-sandbox-")
    item = plaid("/item/get", {"access_token": access_token}).json()["item"]
    assert item["item_id"] == item_id


def test_exchange_public_token_twice_fails_with_invalid_public_token(
    run: Run, adapter: PlaidAdapter, plaid: PlaidPost
) -> None:
    created = plaid(
        "/sandbox/public_token/create",
        {"institution_id": "ins_109508", "initial_products": ["auth"]},
    )
    run(adapter.exchange_public_token, created.json()["public_token"])

    with pytest.raises(PlaidApiError) as raised:
        run(adapter.exchange_public_token, created.json()["public_token"])

    assert raised.value.error_code == "INVALID_PUBLIC_TOKEN"


def test_get_auth_returns_checking_and_savings_with_ach_numbers(
    run: Run, adapter: PlaidAdapter, access_token: str
) -> None:
    accounts = run(adapter.get_auth, access_token)

    assert [(a.name, a.mask, a.subtype, a.account_number, a.routing) for a in accounts] == [
        ("Plaid Checking", "0000", "checking", "1111222233330000", "011401533"),
        ("Plaid Saving", "1111", "savings", "1111222233331111", "011401533"),
    ]
    assert all(a.status == "verified" and a.wire_routing == "021000021" for a in accounts)
    assert len({a.account_id for a in accounts}) == 2


def test_get_auth_after_reset_login_raises_item_login_required(
    run: Run, adapter: PlaidAdapter, access_token: str, plaid: PlaidPost
) -> None:
    plaid("/sandbox/item/reset_login", {"access_token": access_token})

    with pytest.raises(PlaidApiError) as raised:
        run(adapter.get_auth, access_token)

    assert (raised.value.error_type, raised.value.error_code) == (
        "ITEM_ERROR",
        "ITEM_LOGIN_REQUIRED",
    )


def test_create_link_token_for_update_makes_a_thirty_minute_update_mode_token(
    run: Run, adapter: PlaidAdapter, access_token: str, plaid: PlaidPost
) -> None:
    session = run(
        adapter.create_link_token_for_update,
        access_token,
        "customer-1",
        "https://platform.example/return",
    )

    assert session.token.startswith("link-sandbox-")
    assert abs(session.expires_at - (now() + timedelta(minutes=30))) < timedelta(seconds=5)
    metadata = _token_metadata(plaid, session.token)
    assert metadata["initial_products"] == []
    assert metadata["redirect_uri"] == "https://platform.example/return"


def test_get_processor_auth_returns_the_one_account_behind_the_token(
    run: Run, adapter: PlaidAdapter, access_token: str
) -> None:
    savings = run(adapter.get_auth, access_token)[1]
    processor_token = run(adapter.create_processor_token, access_token, savings.account_id)

    account = run(adapter.get_processor_auth, processor_token)

    assert processor_token.startswith("processor-sandbox-")
    assert account == dataclasses.replace(savings, institution_name=None)
    assert savings.institution_name == "First Platypus Bank"


def test_get_processor_auth_with_an_unknown_token_raises_invalid_processor_token(
    run: Run, adapter: PlaidAdapter
) -> None:
    with pytest.raises(PlaidApiError) as raised:
        run(adapter.get_processor_auth, "processor-sandbox-00000000-0000-0000-0000-000000000000")

    assert raised.value.error_code == "INVALID_PROCESSOR_TOKEN"


@pytest.mark.parametrize(
    ("verification_status", "expected"),
    [
        (None, "verified"),
        ("automatically_verified", "verified"),
        ("pending_manual_verification", "pending"),
        ("verification_failed", "failed"),
        ("database_matched", "pending"),
        ("something_new", "pending"),
        (42, "pending"),
    ],
)
def test_account_status_maps_unknown_verification_statuses_to_pending(
    verification_status: object, expected: str
) -> None:
    assert wire.account_status(verification_status) == expected
