"""The Plaid adapter's exchange side: redeeming tokens, reading accounts, re-authentication."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from plaid_support import PlaidPost
from starlette.testclient import TestClient

from bankbridge.models import Customer
from bankbridge.partners.base import (
    BankDetails,
    ExchangeRequest,
    ExchangeTokenRejected,
    ReauthRequired,
    SessionRequest,
)
from bankbridge.partners.plaid.adapter import PlaidAdapter

Run = Callable[..., Any]
SANDBOX_ITEM = {"institution_id": "ins_109508", "initial_products": ["auth"]}


def _public_token(plaid: PlaidPost) -> str:
    token: str = plaid("/sandbox/public_token/create", SANDBOX_ITEM).json()["public_token"]
    return token


def test_open_exchange_with_a_public_token_keeps_the_item_and_first_account(
    run: Run, adapter: PlaidAdapter, plaid: PlaidPost, plaid_customer: Customer
) -> None:
    request = ExchangeRequest(plaid_customer, "plaid.publicToken", _public_token(plaid))

    opened = run(adapter.open_exchange, request)

    connection = opened.connection
    assert set(connection) == {"access_token", "item_id", "account_id"}
    accounts = plaid("/accounts/get", {"access_token": connection["access_token"]}).json()
    assert connection["account_id"] == accounts["accounts"][0]["account_id"]
    assert connection["item_id"] == accounts["item"]["item_id"]
    assert opened.session_ref is None


def test_open_exchange_with_a_spent_public_token_is_rejected(
    run: Run, adapter: PlaidAdapter, plaid: PlaidPost, plaid_customer: Customer
) -> None:
    request = ExchangeRequest(plaid_customer, "plaid.publicToken", _public_token(plaid))
    run(adapter.open_exchange, request)

    with pytest.raises(ExchangeTokenRejected) as raised:
        run(adapter.open_exchange, request)

    assert "public-sandbox" not in str(raised.value)


def test_open_exchange_with_a_processor_token_reads_its_account(
    run: Run, adapter: PlaidAdapter, access_token: str, plaid_customer: Customer
) -> None:
    savings = run(adapter.get_auth, access_token)[1]
    processor_token = run(adapter.create_processor_token, access_token, savings.account_id)

    opened = run(adapter.open_exchange, ExchangeRequest(plaid_customer, "token", processor_token))
    details = run(adapter.read_funding_details, opened.connection)

    assert opened.connection == {
        "processor_token": processor_token,
        "account_id": savings.account_id,
    }
    assert details == BankDetails(
        routing_number="011401533",
        account_number="1111222233331111",
        account_type="savings",
        bank_name="",
        account_name="Plaid Saving",
    )


def test_open_exchange_with_an_unknown_processor_token_is_rejected(
    run: Run, adapter: PlaidAdapter, plaid_customer: Customer
) -> None:
    request = ExchangeRequest(plaid_customer, "token", "processor-sandbox-unknown")

    with pytest.raises(ExchangeTokenRejected):
        run(adapter.open_exchange, request)


def test_read_funding_details_returns_the_exchanged_checking_account(
    run: Run, adapter: PlaidAdapter, plaid: PlaidPost, plaid_customer: Customer
) -> None:
    request = ExchangeRequest(plaid_customer, "plaid.publicToken", _public_token(plaid))
    connection = run(adapter.open_exchange, request).connection

    details = run(adapter.read_funding_details, connection)

    assert details == BankDetails(
        routing_number="011401533",
        account_number="1111222233330000",
        account_type="checking",
        bank_name="First Platypus Bank",
        account_name="Plaid Checking",
    )


def test_reauth_cycle_requires_login_then_update_mode_link_restores_access(
    run: Run,
    adapter: PlaidAdapter,
    plaid: PlaidPost,
    plaid_customer: Customer,
    client: TestClient,
) -> None:
    request = ExchangeRequest(plaid_customer, "plaid.publicToken", _public_token(plaid))
    connection = run(adapter.open_exchange, request).connection

    run(adapter.require_reauth, connection)
    with pytest.raises(ReauthRequired):
        run(adapter.read_funding_details, connection)
    session = run(
        adapter.create_reauth_session,
        connection,
        SessionRequest("session-2", plaid_customer, "http://testserver/return"),
    )
    page = client.post(
        "/sandbox/plaid/link",
        data={"token": session.token, "username": "user_good", "password": "pass_good"},
    )

    assert "Account re-connected" in page.text
    assert run(adapter.read_funding_details, connection).account_number == "1111222233330000"


def test_list_available_connections_is_empty_for_plaid(
    run: Run, adapter: PlaidAdapter, plaid_customer: Customer
) -> None:
    assert run(adapter.list_available_connections, plaid_customer) == []
