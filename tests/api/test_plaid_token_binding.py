"""Plaid tokens are bound to who produced them (issue #10, finding 1), through the Dwolla API.

A public token from Link works only for the customer whose exchange session opened that
Link (BankBridge checks with Plaid's ``/link/token/get`` before spending it); one the
platform made with ``/sandbox/public_token/create`` works for any customer of its account; a
processor token only for the account whose Plaid credentials made it. Anything else is
``InvalidExchangeToken``, and the token stays usable by its owner.
"""

from __future__ import annotations

from test_plaid_flow import exchange, processor_token, public_token

from helpers import assert_dwolla_error, sandbox_credentials


def _headers(account):
    credentials = sandbox_credentials("plaid", account.account.id)
    return {"PLAID-CLIENT-ID": credentials.client_id, "PLAID-SECRET": credentials.secret}


def test_another_customers_public_token_is_refused_and_left_unspent(api, customer):
    other = api.create_customer(email="second@example.com")
    token = public_token(api, customer)

    stolen = exchange(api, other, {"plaid": {"publicToken": token}})
    own = exchange(api, customer, {"plaid": {"publicToken": token}})

    assert_dwolla_error(stolen, 400, "InvalidExchangeToken")
    assert own.status_code == 201, own.text


def test_another_accounts_link_public_token_is_refused_and_left_unspent(
    api, customer, make_account, api_for
):
    api_b = api_for(make_account("Account B"))
    customer_b = api_b.create_customer(email="b@example.com")
    token = public_token(api, customer)

    stolen = exchange(api_b, customer_b, {"plaid": {"publicToken": token}})
    own = exchange(api, customer, {"plaid": {"publicToken": token}})

    assert_dwolla_error(stolen, 400, "InvalidExchangeToken")
    assert own.status_code == 201, own.text


def test_a_sandbox_public_token_works_for_any_customer_of_its_account(api, account):
    other = api.create_customer(email="second@example.com")
    made = api.client.post(
        "/sandbox/plaid/sandbox/public_token/create",
        json={"institution_id": "ins_109508", "initial_products": ["auth"]},
        headers=_headers(account),
    ).json()["public_token"]

    created = exchange(api, other, {"plaid": {"publicToken": made}})

    assert created.status_code == 201, created.text


def test_another_accounts_processor_token_is_refused_and_stays_usable(
    api, customer, make_account, api_for
):
    owner_b = make_account("Account B")
    api_b = api_for(owner_b)
    customer_b = api_b.create_customer(email="b@example.com")
    token = processor_token(api.client, _headers(owner_b))

    stolen = exchange(api, customer, {"token": token})
    own = exchange(api_b, customer_b, {"token": token})

    assert_dwolla_error(stolen, 400, "InvalidExchangeToken")
    assert own.status_code == 201, own.text
