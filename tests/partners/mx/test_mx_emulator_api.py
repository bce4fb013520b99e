"""The MX emulator's Platform API: auth, content negotiation, validation, shapes, pagination."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mx_testing import (
    HEADERS,
    MEDIA_TYPE,
    MX,
    PUBLIC_URL,
    api_get,
    basic,
    connect,
    open_session,
    sign_in,
    started_client,
)
from starlette.testclient import TestClient

from bankbridge.partners.mx.wire import aba_checksum_ok

JSON_HEADERS = {**HEADERS, "Content-Type": "application/json"}
GUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
NOT_FOUND = {"error": {"message": "We were unable to find the record you requested."}}

# Field types the mx-platform-python 1.12.0 models enforce (pydantic v1, strict).
Types = tuple[type, ...]
STRING: Types = (str,)
BOOLEAN: Types = (bool,)
INTEGER: Types = (int,)
NUMBER: Types = (int, float)
USER_TYPES: dict[str, Types] = {
    **dict.fromkeys(["guid", "id", "email", "metadata"], STRING),
    "is_disabled": BOOLEAN,
}
MEMBER_TYPES: dict[str, Types] = {
    **dict.fromkeys(
        [
            "guid",
            "user_guid",
            "user_id",
            "id",
            "institution_code",
            "name",
            "connection_status",
            "aggregated_at",
            "successfully_aggregated_at",
            "metadata",
            "oauth_window_uri",
        ],
        STRING,
    ),
    **dict.fromkeys(
        [
            "is_being_aggregated",
            "is_oauth",
            "is_manual",
            "is_managed_by_user",
            "needs_updated_credentials",
            "background_aggregation_is_disabled",
        ],
        BOOLEAN,
    ),
    "most_recent_job_detail_code": INTEGER,
}
ACCOUNT_TYPES: dict[str, Types] = {
    **dict.fromkeys(
        ["guid", "member_guid", "user_guid", "user_id", "id", "name", "type", "subtype"],
        STRING,
    ),
    **dict.fromkeys(["account_number", "currency_code", "institution_code", "metadata"], STRING),
    **dict.fromkeys(["created_at", "updated_at"], STRING),
    **dict.fromkeys(["is_closed", "is_hidden", "is_manual"], BOOLEAN),
    **dict.fromkeys(["balance", "available_balance"], NUMBER),
}
NUMBERS_TYPES: dict[str, Types] = {
    **dict.fromkeys(
        ["guid", "account_guid", "member_guid", "user_guid", "account_number", "routing_number"],
        STRING,
    ),
    "passed_validation": BOOLEAN,
}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with started_client(tmp_path) as test_client:
        yield test_client


def assert_mx_types(obj: dict[str, Any], types: dict[str, Types]) -> None:
    """Every known field present has the JSON type the official SDK insists on."""
    for key, allowed in types.items():
        value = obj.get(key)
        if value is None:
            continue
        assert isinstance(value, allowed), (key, value)
        if allowed != BOOLEAN:
            assert not isinstance(value, bool), (key, value)


def create_user(client: TestClient, **fields: Any) -> dict[str, Any]:
    response = client.post(f"{MX}/users", headers=JSON_HEADERS, json={"user": fields})
    assert response.status_code == 200, response.text
    user: dict[str, Any] = response.json()["user"]
    return user


# Auth and headers -------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [None, basic("bankbridge-sandbox-client", "wrong"), basic("other", "x"), "Bearer abc", "Basic"],
)
def test_api_rejects_missing_or_wrong_basic_credentials_with_401(
    client: TestClient, authorization: str | None
) -> None:
    headers = {"Accept": MEDIA_TYPE}
    if authorization:
        headers["Authorization"] = authorization

    response = client.get(f"{MX}/users", headers=headers)

    assert response.status_code == 401
    assert response.headers["content-type"].startswith(MEDIA_TYPE)
    assert set(response.json()) == {"error"}
    assert "Unauthorized" in response.json()["error"]["message"]


def test_api_answers_406_without_the_mx_accept_header(client: TestClient) -> None:
    for accept in ("application/json", "*/*", ""):
        response = client.get(f"{MX}/users", headers={**HEADERS, "Accept": accept})

        assert response.status_code == 406
        assert MEDIA_TYPE in response.json()["error"]["message"]


def test_api_accepts_the_mx_media_type_among_several(client: TestClient) -> None:
    accept = f"application/json;q=0.5, {MEDIA_TYPE}"
    response = client.get(f"{MX}/users", headers={**HEADERS, "Accept": accept})

    assert response.status_code == 200


def test_delete_needs_no_accept_header_like_the_official_sdk_sends(client: TestClient) -> None:
    user = create_user(client)

    response = client.delete(f"{MX}/users/{user['guid']}", headers={"Authorization": basic()})

    assert response.status_code == 204
    assert response.content == b""


def test_api_answers_404_to_a_post_without_json_content_type_like_mx(client: TestClient) -> None:
    response = client.post(f"{MX}/users", headers=HEADERS, content=b'{"user": {"id": "a"}}')

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_unknown_paths_get_an_mx_style_json_404(client: TestClient) -> None:
    response = client.get(f"{MX}/institutions/nope", headers=HEADERS)

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


# Users ----------------------------------------------------------------------------------


def test_create_user_returns_the_user_with_a_usr_guid_and_strict_types(client: TestClient) -> None:
    user = create_user(client, id="cust-1", email="a@example.com", metadata='{"k":1}')

    assert re.fullmatch(f"USR-{GUID}", user["guid"])
    assert user == {
        "guid": user["guid"],
        "id": "cust-1",
        "email": "a@example.com",
        "is_disabled": False,
        "metadata": '{"k":1}',
    }
    assert_mx_types(user, USER_TYPES)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "user is required."),
        ({"user": "cust-1"}, "user is required."),
        ({"user": {"id": 7}}, "id must be a string."),
        ({"user": {"metadata": {"a": 1}}}, "metadata must be a string."),
        ({"user": {"is_disabled": "false"}}, "is_disabled must be a boolean."),
        ([], "The request body must be a JSON object."),
    ],
)
def test_create_user_rejects_invalid_bodies_with_400(
    client: TestClient, body: Any, message: str
) -> None:
    response = client.post(f"{MX}/users", headers=JSON_HEADERS, json=body)

    assert response.status_code == 400
    assert response.json() == {"error": {"message": message}}


def test_create_user_rejects_a_body_that_is_not_json_with_400(client: TestClient) -> None:
    response = client.post(f"{MX}/users", headers=JSON_HEADERS, content=b"{user:")

    assert response.status_code == 400
    assert response.json()["error"]["message"] == "The request body is not valid JSON."


def test_create_user_with_a_duplicate_id_answers_409(client: TestClient) -> None:
    create_user(client, id="cust-1")

    response = client.post(f"{MX}/users", headers=JSON_HEADERS, json={"user": {"id": "cust-1"}})

    assert response.status_code == 409
    assert "already exists" in response.json()["error"]["message"]


def test_list_users_filters_by_id_and_email_and_paginates(client: TestClient) -> None:
    first = create_user(client, id="cust-1", email="one@example.com")
    second = create_user(client, id="cust-2", email="two@example.com")
    create_user(client)  # users need no id

    assert api_get(client, "/users", id="cust-2")["users"] == [second]
    assert api_get(client, "/users", email="ONE@example.com")["users"] == [first]
    assert api_get(client, "/users", id="nobody")["users"] == []
    assert api_get(client, "/users", records_per_page="5000")["pagination"]["per_page"] == 25
    listing = api_get(client, "/users", page="2", records_per_page="2")
    assert len(listing["users"]) == 1
    assert listing["pagination"] == {
        "current_page": 2,
        "per_page": 2,
        "total_entries": 3,
        "total_pages": 2,
    }


@pytest.mark.parametrize("params", [{"page": "0"}, {"page": "x"}, {"records_per_page": "-5"}])
def test_list_users_rejects_bad_paging_parameters_with_400(
    client: TestClient, params: dict[str, str]
) -> None:
    response = client.get(f"{MX}/users", headers=HEADERS, params=params)

    assert response.status_code == 400
    assert "positive integer" in response.json()["error"]["message"]


def test_read_user_returns_it_and_unknown_guids_answer_404(client: TestClient) -> None:
    user = create_user(client, id="cust-1")

    assert api_get(client, f"/users/{user['guid']}") == {"user": user}
    response = client.get(f"{MX}/users/USR-unknown", headers=HEADERS)
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_delete_user_removes_it_with_its_members_and_frees_its_id(client: TestClient) -> None:
    user_guid, member_guid = connect(client)

    response = client.delete(f"{MX}/users/{user_guid}", headers=HEADERS)

    assert response.status_code == 204
    assert client.get(f"{MX}/users/{user_guid}", headers=HEADERS).status_code == 404
    member_path = f"{MX}/users/{user_guid}/members/{member_guid}"
    assert client.get(member_path, headers=HEADERS).status_code == 404
    assert api_get(client, "/users")["users"] == []
    assert client.delete(f"{MX}/users/{user_guid}", headers=HEADERS).status_code == 404


# Widget URLs ----------------------------------------------------------------------------


def test_request_widget_url_returns_a_connect_url_shaped_like_mx(client: TestClient) -> None:
    user = create_user(client, id="cust-1")
    body = {"widget_url": {"widget_type": "connect_widget", "mode": "verification"}}

    response = client.post(
        f"{MX}/users/{user['guid']}/widget_urls", headers=JSON_HEADERS, json=body
    )

    assert response.status_code == 200
    widget = response.json()["widget_url"]
    assert widget["type"] == "connect_widget"
    assert widget["user_id"] == "cust-1"
    assert re.fullmatch(
        rf"{PUBLIC_URL}{MX}/connect/[A-Za-z0-9_-]{{64}}/"
        "eyJ1aV9tZXNzYWdlX3ZlcnNpb24iOjQsInVpX21lc3NhZ2Vfd2Vidmlld191cmxfc2NoZW1lIjoibXgiLCJt"
        "b2RlIjoidmVyaWZpY2F0aW9uIn0%3D",
        widget["url"],
    )


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({}, 400, "widget_url is required."),
        ({"widget_url": {}}, 400, "widget_type is required."),
        ({"widget_url": {"widget_type": ""}}, 400, "widget_type is required."),
        ({"widget_url": {"widget_type": "connect_widget", "mode": "turbo"}}, 400, None),
        ({"widget_url": {"widget_type": "connect_widget", "ui_message_version": "4"}}, 400, None),
        ({"widget_url": {"widget_type": "connect_widget", "is_mobile_webview": 1}}, 400, None),
        ({"widget_url": {"widget_type": "connect_widget", "use_cases": ["X"]}}, 400, None),
        ({"widget_url": {"widget_type": "accounts_widget"}}, 400, None),
        (
            {"widget_url": {"widget_type": "connect_widget", "current_member_guid": "MBR-x"}},
            404,
            None,
        ),
    ],
)
def test_request_widget_url_validates_the_request(
    client: TestClient, body: dict[str, Any], status: int, message: str | None
) -> None:
    user = create_user(client)

    response = client.post(
        f"{MX}/users/{user['guid']}/widget_urls", headers=JSON_HEADERS, json=body
    )

    assert response.status_code == status
    assert isinstance(response.json()["error"]["message"], str)
    if message:
        assert response.json()["error"]["message"] == message


def test_request_widget_url_for_an_unknown_user_answers_404(client: TestClient) -> None:
    body = {"widget_url": {"widget_type": "connect_widget"}}

    response = client.post(f"{MX}/users/USR-nope/widget_urls", headers=JSON_HEADERS, json=body)

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


# Members, accounts, account numbers ---------------------------------------------------


def test_connected_member_is_listed_and_readable_with_sdk_safe_fields(client: TestClient) -> None:
    user_guid, member_guid = connect(client)

    listing = api_get(client, f"/users/{user_guid}/members")
    member = api_get(client, f"/users/{user_guid}/members/{member_guid}")["member"]

    assert listing["members"] == [member]
    assert listing["pagination"]["total_entries"] == 1
    assert re.fullmatch(f"MBR-{GUID}", member["guid"])
    assert member["user_guid"] == user_guid
    assert member["connection_status"] == "CONNECTED"
    assert member["institution_code"] == "mxbank"
    assert member["name"] == "MX Bank"
    assert "most_recent_job_guid" not in member
    assert "most_recent_job_detail_text" not in member
    assert "challenge_guid" not in member
    assert member["use_cases"] == ["MONEY_MOVEMENT"]
    assert_mx_types(member, MEMBER_TYPES)


def test_member_status_reports_processed_account_numbers_once_connected(
    client: TestClient,
) -> None:
    user_guid, member_guid = connect(client)

    status = api_get(client, f"/users/{user_guid}/members/{member_guid}/status")["member"]

    assert status["guid"] == member_guid
    assert status["connection_status"] == "CONNECTED"
    assert status["is_authenticated"] is True
    assert status["has_processed_accounts"] is True
    assert status["has_processed_account_numbers"] is True
    assert status["challenges"] == []


def test_member_status_of_a_challenged_member_lists_the_mfa_question(client: TestClient) -> None:
    session = open_session(client)
    assert session.url is not None and session.external_ref is not None
    sign_in(client, session.url, password="challenge")
    (member,) = api_get(client, f"/users/{session.external_ref}/members")["members"]

    status = api_get(client, f"/users/{session.external_ref}/members/{member['guid']}/status")

    assert status["member"]["connection_status"] == "CHALLENGED"
    assert status["member"]["is_authenticated"] is False
    (challenge,) = status["member"]["challenges"]
    assert challenge["type"] == "TEXT"
    assert challenge["label"] == "What city were you born in?"
    assert challenge["guid"].startswith("CRD-")


def test_member_accounts_are_a_checking_and_a_savings_account(client: TestClient) -> None:
    user_guid, member_guid = connect(client)

    listing = api_get(client, f"/users/{user_guid}/members/{member_guid}/accounts")

    assert [(a["name"], a["type"]) for a in listing["accounts"]] == [
        ("MX Bank Checking", "CHECKING"),
        ("MX Bank Savings", "SAVINGS"),
    ]
    assert listing["pagination"] == {
        "current_page": 1,
        "per_page": 25,
        "total_entries": 2,
        "total_pages": 1,
    }
    for account in listing["accounts"]:
        assert re.fullmatch(f"ACT-{GUID}", account["guid"])
        assert account["member_guid"] == member_guid
        assert account["user_guid"] == user_guid
        assert_mx_types(account, ACCOUNT_TYPES)


def test_account_numbers_by_member_and_by_account_agree_and_look_real(client: TestClient) -> None:
    user_guid, member_guid = connect(client)
    accounts = api_get(client, f"/users/{user_guid}/members/{member_guid}/accounts")["accounts"]

    by_member = api_get(client, f"/users/{user_guid}/members/{member_guid}/account_numbers")

    numbers = by_member["account_numbers"]
    assert [n["account_guid"] for n in numbers] == [a["guid"] for a in accounts]
    assert numbers[0]["account_number"] != numbers[1]["account_number"]
    for entry, account in zip(numbers, accounts, strict=True):
        assert re.fullmatch(f"ACN-{GUID}", entry["guid"])
        assert re.fullmatch(r"[1-9][0-9]{9,11}", entry["account_number"])
        assert entry["account_number"].endswith(account["account_number"])
        assert entry["routing_number"] == "091000019"
        assert aba_checksum_ok(entry["routing_number"])
        assert entry["passed_validation"] is True
        assert_mx_types(entry, NUMBERS_TYPES)
        by_account = api_get(
            client, f"/users/{user_guid}/accounts/{account['guid']}/account_numbers"
        )
        assert by_account["account_numbers"] == [entry]


def test_account_numbers_of_another_users_account_answer_404(client: TestClient) -> None:
    user_guid, member_guid = connect(client)
    (account, _) = api_get(client, f"/users/{user_guid}/members/{member_guid}/accounts")["accounts"]
    other = create_user(client, id="someone-else")

    response = client.get(
        f"{MX}/users/{other['guid']}/accounts/{account['guid']}/account_numbers", headers=HEADERS
    )

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_member_of_another_user_answers_404(client: TestClient) -> None:
    _, member_guid = connect(client)
    other = create_user(client, id="someone-else")

    for suffix in ("", "/status", "/accounts", "/account_numbers"):
        path = f"{MX}/users/{other['guid']}/members/{member_guid}{suffix}"
        response = client.get(path, headers=HEADERS)

        assert response.status_code == 404, suffix
        assert response.json() == NOT_FOUND


def test_delete_member_removes_it_and_its_accounts(client: TestClient) -> None:
    user_guid, member_guid = connect(client)

    response = client.delete(f"{MX}/users/{user_guid}/members/{member_guid}", headers=HEADERS)

    assert response.status_code == 204
    assert api_get(client, f"/users/{user_guid}/members")["members"] == []
    path = f"{MX}/users/{user_guid}/members/{member_guid}/accounts"
    assert client.get(path, headers=HEADERS).status_code == 404
