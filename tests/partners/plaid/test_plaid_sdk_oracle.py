"""Plaid's official SDK (plaid-python) as the contract oracle for the emulator's responses.

A real uvicorn server runs the app on a free localhost port; the SDK is pointed at the Plaid
emulator and must deserialize every response the adapter relies on (a missing required field
raises ``TypeError``, a wrong type ``ApiTypeError``, a bad datetime ``ApiValueError``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import plaid
import pytest
from plaid.api.plaid_api import PlaidApi
from plaid.model.accounts_balance_get_request import AccountsBalanceGetRequest
from plaid.model.accounts_get_request import AccountsGetRequest
from plaid.model.auth_get_request import AuthGetRequest
from plaid.model.country_code import CountryCode
from plaid.model.item_get_request import ItemGetRequest
from plaid.model.item_public_token_exchange_request import ItemPublicTokenExchangeRequest
from plaid.model.item_remove_request import ItemRemoveRequest
from plaid.model.link_token_create_request import LinkTokenCreateRequest
from plaid.model.link_token_create_request_user import LinkTokenCreateRequestUser
from plaid.model.link_token_get_request import LinkTokenGetRequest
from plaid.model.processor_auth_get_request import ProcessorAuthGetRequest
from plaid.model.processor_token_create_request import ProcessorTokenCreateRequest
from plaid.model.products import Products
from plaid.model.sandbox_item_reset_login_request import SandboxItemResetLoginRequest
from plaid.model.sandbox_public_token_create_request import SandboxPublicTokenCreateRequest
from plaid_support import CLIENT_ID, SECRET

from bankbridge.config import Secret, Settings
from helpers import TEST_SECRET_KEY
from live_server import live_server

HOST = "127.0.0.1"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The Plaid emulator's URL on a real uvicorn server running the whole app."""
    database = Path(tmp_path_factory.mktemp("plaid-oracle")) / "oracle.db"
    settings = Settings(database_url=f"sqlite:///{database}", secret_key=Secret(TEST_SECRET_KEY))
    with live_server(settings) as base:
        yield f"{base}/sandbox/plaid"


def _api(base_url: str, secret: str = SECRET) -> PlaidApi:
    configuration = plaid.Configuration(
        host=base_url, api_key={"clientId": CLIENT_ID, "secret": secret}
    )
    return PlaidApi(plaid.ApiClient(configuration))


@pytest.fixture(scope="module")
def api(base_url: str) -> PlaidApi:
    """The official SDK's client, pointed at the emulator."""
    return _api(base_url)


def _access_token(api: PlaidApi) -> str:
    created = api.sandbox_public_token_create(
        SandboxPublicTokenCreateRequest(
            institution_id="ins_109508", initial_products=[Products("auth")]
        )
    )
    exchanged = api.item_public_token_exchange(
        ItemPublicTokenExchangeRequest(public_token=created.public_token)
    )
    assert exchanged.item_id
    token: str = exchanged.access_token
    return token


def test_sdk_deserializes_link_token_create_and_get(api: PlaidApi) -> None:
    created = api.link_token_create(
        LinkTokenCreateRequest(
            client_name="BankBridge",
            language="en",
            country_codes=[CountryCode("US")],
            user=LinkTokenCreateRequestUser(client_user_id="customer-1"),
            products=[Products("auth")],
            redirect_uri="https://platform.example/return",
        )
    )
    fetched = api.link_token_get(LinkTokenGetRequest(link_token=created.link_token))

    assert created.link_token.startswith("link-sandbox-")
    assert created.expiration.tzinfo is not None
    assert fetched.expiration == created.expiration
    assert fetched.metadata.redirect_uri == "https://platform.example/return"
    assert [str(p) for p in fetched.metadata.initial_products] == ["auth"]


def test_sdk_deserializes_the_public_token_exchange_and_auth_get(api: PlaidApi) -> None:
    access_token = _access_token(api)

    auth = api.auth_get(AuthGetRequest(access_token=access_token))

    assert [a.name for a in auth.accounts] == ["Plaid Checking", "Plaid Saving"]
    assert [n.account for n in auth.numbers.ach] == ["1111222233330000", "1111222233331111"]
    assert auth.numbers.eft == [] and auth.numbers.bacs == []
    assert auth.accounts[0].balances.available == 100
    assert auth.item.error is None


def test_sdk_deserializes_accounts_balance_and_item_calls(api: PlaidApi) -> None:
    access_token = _access_token(api)

    accounts = api.accounts_get(AccountsGetRequest(access_token=access_token))
    balance = api.accounts_balance_get(AccountsBalanceGetRequest(access_token=access_token))
    item = api.item_get(ItemGetRequest(access_token=access_token))
    removed = api.item_remove(ItemRemoveRequest(access_token=access_token))

    assert len(accounts.accounts) == len(balance.accounts) == 2
    assert item.item.institution_id == "ins_109508"
    assert removed.request_id


def test_sdk_deserializes_processor_token_create_and_processor_auth_get(api: PlaidApi) -> None:
    access_token = _access_token(api)
    account = api.accounts_get(AccountsGetRequest(access_token=access_token)).accounts[0]
    created = api.processor_token_create(
        ProcessorTokenCreateRequest(
            access_token=access_token, account_id=account.account_id, processor="dwolla"
        )
    )

    auth = api.processor_auth_get(ProcessorAuthGetRequest(processor_token=created.processor_token))

    assert created.processor_token.startswith("processor-sandbox-")
    assert auth.account.name == "Plaid Checking"
    assert auth.numbers.ach.routing == "011401533"


def test_sdk_sees_item_login_required_after_reset_login(api: PlaidApi) -> None:
    access_token = _access_token(api)

    reset = api.sandbox_item_reset_login(SandboxItemResetLoginRequest(access_token=access_token))
    item = api.item_get(ItemGetRequest(access_token=access_token))
    with pytest.raises(plaid.ApiException) as raised:
        api.auth_get(AuthGetRequest(access_token=access_token))

    assert reset.reset_login is True
    assert item.item.error.error_code == "ITEM_LOGIN_REQUIRED"
    assert json.loads(raised.value.body)["error_code"] == "ITEM_LOGIN_REQUIRED"


def test_sdk_raises_api_exception_with_invalid_api_keys_for_a_wrong_secret(base_url: str) -> None:
    with pytest.raises(plaid.ApiException) as raised:
        _api(base_url, secret="wrong").item_get(ItemGetRequest(access_token="access-sandbox-x"))

    assert raised.value.status == 400
    body = json.loads(raised.value.body)
    assert (body["error_type"], body["error_code"]) == ("INVALID_INPUT", "INVALID_API_KEYS")
