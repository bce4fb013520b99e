"""Plaid's official SDK (plaid-python) as the contract oracle for the emulator's responses.

A real uvicorn server runs the app on a free localhost port; the SDK is pointed at the Plaid
emulator and must deserialize every response the adapter relies on (a missing required field
raises ``TypeError``, a wrong type ``ApiTypeError``, a bad datetime ``ApiValueError``).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import plaid
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
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
from plaid.model.sandbox_item_fire_webhook_request import SandboxItemFireWebhookRequest
from plaid.model.sandbox_item_reset_login_request import SandboxItemResetLoginRequest
from plaid.model.sandbox_public_token_create_request import SandboxPublicTokenCreateRequest
from plaid.model.sandbox_public_token_create_request_options import (
    SandboxPublicTokenCreateRequestOptions,
)
from plaid.model.webhook_verification_key_get_request import WebhookVerificationKeyGetRequest

from bankbridge.config import Secret, Settings
from bankbridge.crypto import load_vault
from bankbridge.domain.accounts import create_account
from bankbridge.partners.kit.keys import SandboxCredentials
from bankbridge.store import SqlStore, open_database
from flows import complete_plaid_link, public_token_of
from helpers import TEST_SECRET_KEY, sandbox_credentials
from live_server import live_server
from webhook_testing import Receiver

HOST = "127.0.0.1"
REDIRECT_URI = "https://platform.example/return"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, SandboxCredentials]]:
    """The Plaid emulator's URL on a real uvicorn server running the whole app, and the
    sandbox credentials of an account on it (with a registered redirect URL)."""
    database = Path(tmp_path_factory.mktemp("plaid-oracle")) / "oracle.db"
    settings = Settings(database_url=f"sqlite:///{database}", secret_key=Secret(TEST_SECRET_KEY))

    async def account() -> str:
        db = await open_database(settings.database_url)
        try:
            made = await create_account(
                SqlStore(db, load_vault(settings)), "Oracle", [REDIRECT_URI]
            )
            return made.account.id
        finally:
            await db.close()

    with live_server(settings) as base:
        owner = asyncio.run(account())
        yield f"{base}/sandbox/plaid", sandbox_credentials("plaid", owner)


@pytest.fixture(scope="module")
def base_url(server: tuple[str, SandboxCredentials]) -> str:
    return server[0]


def _api(server: tuple[str, SandboxCredentials], secret: str | None = None) -> PlaidApi:
    base_url, credentials = server
    configuration = plaid.Configuration(
        host=base_url,
        api_key={"clientId": credentials.client_id, "secret": secret or credentials.secret},
    )
    return PlaidApi(plaid.ApiClient(configuration))


@pytest.fixture(scope="module")
def api(server: tuple[str, SandboxCredentials]) -> PlaidApi:
    """The official SDK's client, pointed at the emulator."""
    return _api(server)


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
            redirect_uri=REDIRECT_URI,
        )
    )
    fetched = api.link_token_get(LinkTokenGetRequest(link_token=created.link_token))

    assert created.link_token.startswith("link-sandbox-")
    assert created.expiration.tzinfo is not None
    assert fetched.expiration == created.expiration
    assert fetched.metadata.redirect_uri == REDIRECT_URI
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


def test_sdk_raises_api_exception_with_invalid_api_keys_for_a_wrong_secret(
    server: tuple[str, SandboxCredentials],
) -> None:
    with pytest.raises(plaid.ApiException) as raised:
        _api(server, secret="wrong").item_get(ItemGetRequest(access_token="access-sandbox-x"))

    assert raised.value.status == 400
    body = json.loads(raised.value.body)
    assert (body["error_type"], body["error_code"]) == ("INVALID_INPUT", "INVALID_API_KEYS")


def test_sdk_deserializes_link_sessions_and_their_results(api: PlaidApi, base_url: str) -> None:
    created = api.link_token_create(
        LinkTokenCreateRequest(
            client_name="BankBridge",
            language="en",
            country_codes=[CountryCode("US")],
            user=LinkTokenCreateRequestUser(client_user_id="customer-1"),
            products=[Products("auth")],
        )
    )
    with httpx.Client() as browser:
        failed = complete_plaid_link(
            browser, f"{base_url}/link?token={created.link_token}", password="error_ITEM_LOCKED"
        )
        page = complete_plaid_link(
            browser, f"{base_url}/link?token={created.link_token}", subtype="savings"
        )
    assert failed.status_code == 200 and "ITEM_LOCKED" in failed.text
    public_token = public_token_of(page.text)

    fetched = api.link_token_get(LinkTokenGetRequest(link_token=created.link_token))

    finished = [s for s in fetched.link_sessions if s.get("results")]
    assert len(fetched.link_sessions) == 2 and len(finished) == 1
    added = finished[0].results.item_add_results[0]
    assert added.public_token == public_token
    assert [a.subtype for a in added.accounts] == ["savings"]
    assert added.institution.institution_id == "ins_109508"


def test_sdk_verifies_the_emulators_webhook_jwt_as_plaid_documents(api: PlaidApi) -> None:
    """Plaid's procedure: the JWT header's alg is ES256 and names a kid; the key comes from
    /webhook_verification_key/get; the signature verifies; iat is under five minutes old;
    the body's SHA-256 equals request_body_sha256."""
    receiver = Receiver().start()
    try:
        created = api.sandbox_public_token_create(
            SandboxPublicTokenCreateRequest(
                institution_id="ins_109508",
                initial_products=[Products("auth")],
                options=SandboxPublicTokenCreateRequestOptions(webhook=receiver.url),
            )
        )
        access = api.item_public_token_exchange(
            ItemPublicTokenExchangeRequest(public_token=created.public_token)
        ).access_token
        fired = api.sandbox_item_fire_webhook(
            SandboxItemFireWebhookRequest(access_token=access, webhook_code="ERROR")
        )
        assert fired.webhook_fired is True
        [delivered] = receiver.requests
    finally:
        receiver.stop()
    jwt = delivered.headers["plaid-verification"]
    header_part, claims_part, signature_part = jwt.split(".")
    header = json.loads(_unb64(header_part))
    assert header["alg"] == "ES256"
    key = api.webhook_verification_key_get(
        WebhookVerificationKeyGetRequest(key_id=header["kid"])
    ).key
    assert (key.alg, key.crv, key.kty, key.kid) == ("ES256", "P-256", "EC", header["kid"])
    public_key = ec.EllipticCurvePublicNumbers(
        int.from_bytes(_unb64(key.x), "big"), int.from_bytes(_unb64(key.y), "big"), ec.SECP256R1()
    ).public_key()
    raw = _unb64(signature_part)
    signature = encode_dss_signature(
        int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
    )
    public_key.verify(signature, f"{header_part}.{claims_part}".encode(), ec.ECDSA(hashes.SHA256()))
    claims = json.loads(_unb64(claims_part))
    assert time.time() - claims["iat"] < 5 * 60
    assert hmac.compare_digest(
        claims["request_body_sha256"], hashlib.sha256(delivered.body).hexdigest()
    )
    body = json.loads(delivered.body)
    assert (body["webhook_type"], body["webhook_code"]) == ("ITEM", "ERROR")
    assert body["error"]["error_code"] == "ITEM_LOGIN_REQUIRED"


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
