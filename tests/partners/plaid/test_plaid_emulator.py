"""The Plaid emulator's API, driven directly: credentials, validation, formats, Item state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from plaid_support import CLIENT_ID, LINK_TOKEN_BODY, SECRET, PlaidPost, assert_plaid_error
from starlette.testclient import TestClient

import bankbridge.clock


def test_credentials_are_accepted_in_the_body_instead_of_headers(plaid: PlaidPost) -> None:
    body = {**LINK_TOKEN_BODY, "client_id": CLIENT_ID, "secret": SECRET}

    response = plaid("/link/token/create", body, headers={})

    assert response.status_code == 200, response.text
    assert response.json()["link_token"].startswith("link-sandbox-")


def test_a_wrong_secret_is_rejected_with_invalid_api_keys(plaid: PlaidPost) -> None:
    headers = {"PLAID-CLIENT-ID": CLIENT_ID, "PLAID-SECRET": "wrong"}

    response = plaid("/link/token/create", LINK_TOKEN_BODY, headers=headers)

    assert_plaid_error(response, 400, "INVALID_INPUT", "INVALID_API_KEYS")
    assert response.json()["status"] == 400


def test_a_wrong_client_id_in_the_body_is_rejected_with_invalid_api_keys(
    plaid: PlaidPost,
) -> None:
    body = {**LINK_TOKEN_BODY, "client_id": "someone-else", "secret": SECRET}

    assert_plaid_error(
        plaid("/auth/get", body, headers={}), 400, "INVALID_INPUT", "INVALID_API_KEYS"
    )


def test_missing_credentials_are_reported_as_missing_fields(plaid: PlaidPost) -> None:
    response = plaid("/link/token/create", LINK_TOKEN_BODY, headers={})

    assert_plaid_error(response, 400, "INVALID_REQUEST", "MISSING_FIELDS")
    assert "client_id, secret" in response.json()["error_message"]


def test_malformed_json_is_rejected_with_invalid_body(client: TestClient) -> None:
    response = client.post(
        "/sandbox/plaid/link/token/create",
        content=b'{"client_name": ',
        headers={"Content-Type": "application/json"},
    )

    assert_plaid_error(response, 400, "INVALID_REQUEST", "INVALID_BODY")


def test_a_json_array_body_is_rejected_with_invalid_body(plaid: PlaidPost) -> None:
    assert_plaid_error(plaid("/item/get", ["x"]), 400, "INVALID_REQUEST", "INVALID_BODY")


@pytest.mark.parametrize("field", ["client_name", "language", "country_codes", "user"])
def test_link_token_create_reports_each_missing_required_field(
    plaid: PlaidPost, field: str
) -> None:
    body = {k: v for k, v in LINK_TOKEN_BODY.items() if k != field}

    response = plaid("/link/token/create", body)

    assert_plaid_error(response, 400, "INVALID_REQUEST", "MISSING_FIELDS")
    assert response.json()["error_message"].endswith(field)


def test_link_token_create_requires_user_client_user_id(plaid: PlaidPost) -> None:
    response = plaid("/link/token/create", {**LINK_TOKEN_BODY, "user": {}})

    assert_plaid_error(response, 400, "INVALID_REQUEST", "MISSING_FIELDS")
    assert "user.client_user_id" in response.json()["error_message"]


@pytest.mark.parametrize(
    "change",
    [
        {"language": "xx"},
        {"country_codes": ["ZZ"]},
        {"country_codes": []},
        {"country_codes": "US"},
        {"client_name": 7},
        {"user": "customer-1"},
        {"products": ["not_a_product"]},
        {"redirect_uri": "ftp://example.com/x"},
    ],
)
def test_link_token_create_rejects_invalid_values_with_invalid_field(
    plaid: PlaidPost, change: dict[str, Any]
) -> None:
    response = plaid("/link/token/create", {**LINK_TOKEN_BODY, **change})

    assert_plaid_error(response, 400, "INVALID_REQUEST", "INVALID_FIELD")


@pytest.mark.parametrize(
    "redirect_uri",
    ["https://evil.example/return", "https://platform.example/return/", "http://platform.example"],
)
def test_link_token_create_accepts_only_a_redirect_uri_registered_for_the_credentials(
    plaid: PlaidPost, redirect_uri: str
) -> None:
    refused = plaid("/link/token/create", {**LINK_TOKEN_BODY, "redirect_uri": redirect_uri})
    registered = plaid(
        "/link/token/create",
        {**LINK_TOKEN_BODY, "redirect_uri": "https://platform.example/return"},
    )

    assert_plaid_error(refused, 400, "INVALID_REQUEST", "INVALID_FIELD")
    assert "OAuth redirect URI must be configured" in refused.json()["error_message"]
    assert registered.status_code == 200, registered.text


def test_unknown_fields_are_rejected_with_unknown_fields(plaid: PlaidPost) -> None:
    response = plaid("/link/token/create", {**LINK_TOKEN_BODY, "colour": "blue"})

    assert_plaid_error(response, 400, "INVALID_REQUEST", "UNKNOWN_FIELDS")
    assert response.json()["error_message"].endswith("colour")


def test_link_token_create_answers_an_iso_expiration_with_z_four_hours_ahead(
    plaid: PlaidPost,
) -> None:
    body = plaid("/link/token/create", LINK_TOKEN_BODY).json()

    assert body["expiration"].endswith("Z")
    expiration = datetime.fromisoformat(body["expiration"])
    assert abs(expiration - bankbridge.clock.now() - timedelta(hours=4)) < timedelta(seconds=5)
    assert isinstance(body["request_id"], str) and len(body["request_id"]) >= 10


def test_link_token_get_echoes_the_tokens_metadata(
    plaid: PlaidPost, link_token: Callable[..., str]
) -> None:
    token = link_token(redirect_uri="https://platform.example/return", webhook="https://h.example")

    body = plaid("/link/token/get", {"link_token": token}).json()

    assert body["link_token"] == token
    assert body["metadata"] == {
        "initial_products": ["auth"],
        "webhook": "https://h.example",
        "country_codes": ["US"],
        "language": "en",
        "redirect_uri": "https://platform.example/return",
        "client_name": "Acme",
    }
    assert body["created_at"].endswith("Z") and body["expiration"].endswith("Z")


def test_link_token_get_with_an_unknown_token_fails_with_invalid_link_token(
    plaid: PlaidPost,
) -> None:
    response = plaid("/link/token/get", {"link_token": "link-sandbox-nope"})

    assert_plaid_error(response, 400, "INVALID_INPUT", "INVALID_LINK_TOKEN")


def test_update_mode_link_token_with_an_unknown_access_token_fails(plaid: PlaidPost) -> None:
    body = {**LINK_TOKEN_BODY, "access_token": "access-sandbox-unknown"}
    del body["products"]

    assert_plaid_error(
        plaid("/link/token/create", body), 400, "INVALID_INPUT", "INVALID_ACCESS_TOKEN"
    )


def test_public_token_exchange_is_single_use(plaid: PlaidPost) -> None:
    public_token = plaid(
        "/sandbox/public_token/create",
        {"institution_id": "ins_109508", "initial_products": ["auth"]},
    ).json()["public_token"]

    first = plaid("/item/public_token/exchange", {"public_token": public_token})
    second = plaid("/item/public_token/exchange", {"public_token": public_token})

    assert first.status_code == 200
    assert first.json()["access_token"].startswith("access-sandbox-")
    assert_plaid_error(second, 400, "INVALID_INPUT", "INVALID_PUBLIC_TOKEN")


def test_public_token_expires_after_thirty_minutes(
    plaid: PlaidPost, monkeypatch: pytest.MonkeyPatch
) -> None:
    public_token = plaid(
        "/sandbox/public_token/create",
        {"institution_id": "ins_109508", "initial_products": ["auth"]},
    ).json()["public_token"]
    later = bankbridge.clock.now() + timedelta(minutes=31)
    monkeypatch.setattr(bankbridge.clock, "now", lambda: later)

    response = plaid("/item/public_token/exchange", {"public_token": public_token})

    assert_plaid_error(response, 400, "INVALID_INPUT", "INVALID_PUBLIC_TOKEN")
    assert "expired" in response.json()["error_message"]


def test_public_token_in_a_wrong_format_fails_with_invalid_public_token(plaid: PlaidPost) -> None:
    response = plaid("/item/public_token/exchange", {"public_token": "access-sandbox-x"})

    assert_plaid_error(response, 400, "INVALID_INPUT", "INVALID_PUBLIC_TOKEN")


def test_auth_get_answers_accounts_numbers_and_item(plaid: PlaidPost, access_token: str) -> None:
    body = plaid("/auth/get", {"access_token": access_token}).json()

    checking, saving = body["accounts"]
    assert checking["name"] == "Plaid Checking" and checking["mask"] == "0000"
    assert checking["balances"] == {
        "available": 100.0,
        "current": 110.0,
        "limit": None,
        "iso_currency_code": "USD",
        "unofficial_currency_code": None,
    }
    assert (saving["name"], saving["mask"], saving["subtype"]) == (
        "Plaid Saving",
        "1111",
        "savings",
    )
    assert (
        body["numbers"]["eft"] == body["numbers"]["international"] == body["numbers"]["bacs"] == []
    )
    assert [n["account"] for n in body["numbers"]["ach"]] == [
        "1111222233330000",
        "1111222233331111",
    ]
    assert body["numbers"]["ach"][0]["account_id"] == checking["account_id"]
    assert body["numbers"]["ach"][0]["routing"] == "011401533"
    item = body["item"]
    assert item["error"] is None and item["webhook"] is None
    assert item["consent_expiration_time"] is None
    assert item["billed_products"] == ["auth"]
    assert item["institution_id"] == "ins_109508"


def test_auth_get_filters_by_account_ids_and_rejects_unknown_ones(
    plaid: PlaidPost, access_token: str
) -> None:
    accounts = plaid("/auth/get", {"access_token": access_token}).json()["accounts"]
    savings_id = accounts[1]["account_id"]

    only = plaid(
        "/auth/get", {"access_token": access_token, "options": {"account_ids": [savings_id]}}
    )
    bad = plaid("/auth/get", {"access_token": access_token, "options": {"account_ids": ["nope"]}})

    assert [a["account_id"] for a in only.json()["accounts"]] == [savings_id]
    assert [n["account_id"] for n in only.json()["numbers"]["ach"]] == [savings_id]
    assert_plaid_error(bad, 400, "INVALID_INPUT", "INVALID_ACCOUNT_ID")


@pytest.mark.parametrize("path", ["/auth/get", "/accounts/get", "/accounts/balance/get"])
def test_data_calls_with_an_unknown_access_token_fail_with_invalid_access_token(
    plaid: PlaidPost, path: str
) -> None:
    response = plaid(path, {"access_token": "access-sandbox-00000000"})

    assert_plaid_error(response, 400, "INVALID_INPUT", "INVALID_ACCESS_TOKEN")


def test_accounts_balance_get_answers_accounts_and_item(
    plaid: PlaidPost, access_token: str
) -> None:
    body = plaid("/accounts/balance/get", {"access_token": access_token}).json()

    assert [a["balances"]["current"] for a in body["accounts"]] == [110.0, 210.0]
    assert body["item"]["update_type"] == "background"


def test_reset_login_makes_data_calls_fail_until_link_update_mode(
    plaid: PlaidPost, access_token: str
) -> None:
    reset = plaid("/sandbox/item/reset_login", {"access_token": access_token})

    assert reset.json()["reset_login"] is True
    for path in ("/auth/get", "/accounts/get", "/accounts/balance/get"):
        response = plaid(path, {"access_token": access_token})
        assert_plaid_error(response, 400, "ITEM_ERROR", "ITEM_LOGIN_REQUIRED")
    item = plaid("/item/get", {"access_token": access_token}).json()["item"]
    assert item["error"]["error_code"] == "ITEM_LOGIN_REQUIRED"


def test_item_remove_revokes_the_access_token_and_its_processor_tokens(
    plaid: PlaidPost, access_token: str
) -> None:
    account_id = plaid("/accounts/get", {"access_token": access_token}).json()["accounts"][0][
        "account_id"
    ]
    processor_token = plaid(
        "/processor/token/create",
        {"access_token": access_token, "account_id": account_id, "processor": "dwolla"},
    ).json()["processor_token"]

    removed = plaid("/item/remove", {"access_token": access_token})

    assert removed.status_code == 200 and set(removed.json()) == {"request_id"}
    assert_plaid_error(
        plaid("/item/get", {"access_token": access_token}),
        400,
        "INVALID_INPUT",
        "INVALID_ACCESS_TOKEN",
    )
    assert_plaid_error(
        plaid("/processor/auth/get", {"processor_token": processor_token}),
        400,
        "INVALID_INPUT",
        "INVALID_PROCESSOR_TOKEN",
    )


def test_processor_token_create_rejects_an_unknown_processor(
    plaid: PlaidPost, access_token: str
) -> None:
    account_id = plaid("/accounts/get", {"access_token": access_token}).json()["accounts"][0][
        "account_id"
    ]
    body = {"access_token": access_token, "account_id": account_id, "processor": "notreal"}

    assert_plaid_error(
        plaid("/processor/token/create", body), 400, "INVALID_REQUEST", "INVALID_FIELD"
    )


def test_processor_token_create_rejects_an_account_of_another_item(
    plaid: PlaidPost, access_token: str
) -> None:
    body = {"access_token": access_token, "account_id": "not-this-items", "processor": "checkout"}

    assert_plaid_error(
        plaid("/processor/token/create", body), 400, "INVALID_INPUT", "INVALID_ACCOUNT_ID"
    )


def test_processor_token_create_reports_missing_fields(plaid: PlaidPost) -> None:
    response = plaid("/processor/token/create", {"access_token": "access-sandbox-x"})

    assert_plaid_error(response, 400, "INVALID_REQUEST", "MISSING_FIELDS")
    assert response.json()["error_message"].endswith("account_id, processor")


def test_processor_auth_get_answers_one_account_with_ach_numbers(
    plaid: PlaidPost, access_token: str
) -> None:
    account = plaid("/accounts/get", {"access_token": access_token}).json()["accounts"][0]
    processor_token = plaid(
        "/processor/token/create",
        {"access_token": access_token, "account_id": account["account_id"], "processor": "dwolla"},
    ).json()["processor_token"]

    body = plaid("/processor/auth/get", {"processor_token": processor_token}).json()

    assert processor_token.startswith("processor-sandbox-")
    assert body["account"] == account
    assert body["numbers"]["ach"]["account"] == "1111222233330000"
    assert body["numbers"]["eft"] is None


def test_sandbox_public_token_create_validates_institution_and_products(plaid: PlaidPost) -> None:
    missing = plaid("/sandbox/public_token/create", {"institution_id": "ins_109508"})
    unknown = plaid(
        "/sandbox/public_token/create", {"institution_id": "ins_0", "initial_products": ["auth"]}
    )
    empty = plaid(
        "/sandbox/public_token/create", {"institution_id": "ins_109508", "initial_products": []}
    )

    assert_plaid_error(missing, 400, "INVALID_REQUEST", "MISSING_FIELDS")
    assert_plaid_error(unknown, 400, "INVALID_INPUT", "INVALID_INSTITUTION")
    assert_plaid_error(empty, 400, "INVALID_REQUEST", "INVALID_FIELD")


def test_sandbox_public_token_create_honours_an_error_override_password(plaid: PlaidPost) -> None:
    body: dict[str, Any] = {
        "institution_id": "ins_109508",
        "initial_products": ["auth"],
        "options": {"override_username": "user_good", "override_password": "error_ITEM_LOCKED"},
    }

    assert_plaid_error(
        plaid("/sandbox/public_token/create", body), 400, "ITEM_ERROR", "ITEM_LOCKED"
    )


def test_get_on_an_api_path_answers_a_plaid_error_not_a_500(client: TestClient) -> None:
    response = client.get("/sandbox/plaid/link/token/create")

    assert response.status_code == 405
    assert response.json()["error_type"] == "INVALID_REQUEST"
    assert response.json()["request_id"]


def test_an_unknown_path_answers_a_plaid_not_found_error(plaid: PlaidPost) -> None:
    response = plaid("/nothing/here", {})

    assert response.status_code == 404
    assert response.json()["error_code"] == "NOT_FOUND"
