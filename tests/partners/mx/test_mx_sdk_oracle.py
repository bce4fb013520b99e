"""MX's official SDK (mx-platform-python) as the contract oracle for the MX emulator.

A real uvicorn server runs the app; the SDK, pointed at ``/sandbox/mx`` with the sandbox
credentials, makes every call the MX adapter makes and must deserialize each answer (its
pydantic models reject a missing required field or a wrong type). The emulator must also
refuse what MX refuses, in MX's error format: wrong credentials (401) and a request missing
a required field (400).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import mx_platform_python as mx
import pytest
from mx_platform_python.api.accounts_api import AccountsApi
from mx_platform_python.api.members_api import MembersApi
from mx_platform_python.api.users_api import UsersApi
from mx_platform_python.api.widgets_api import WidgetsApi
from mx_platform_python.exceptions import (
    BadRequestException,
    NotFoundException,
    UnauthorizedException,
)
from mx_platform_python.models.user_create_request import UserCreateRequest
from mx_platform_python.models.user_create_request_body import UserCreateRequestBody
from mx_platform_python.models.widget_request import WidgetRequest
from mx_platform_python.models.widget_request_body import WidgetRequestBody

from bankbridge.config import Secret, Settings
from bankbridge.partners.mx import wire
from flows import submit
from helpers import TEST_SECRET_KEY, sandbox_credentials
from live_server import live_server

CLIENT_ID, API_KEY = sandbox_credentials("mx").client_id, sandbox_credentials("mx").secret
PAGE = {"page": 1, "records_per_page": 100}  # what the adapter's _pages asks for


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The MX emulator's URL on a real uvicorn server running the whole app."""
    database = Path(tmp_path_factory.mktemp("mx-oracle")) / "oracle.db"
    settings = Settings(database_url=f"sqlite:///{database}", secret_key=Secret(TEST_SECRET_KEY))
    with live_server(settings) as base:
        yield f"{base}/sandbox/mx"


def _client(base_url: str, username: str = CLIENT_ID, password: str = API_KEY) -> mx.ApiClient:
    configuration = mx.Configuration(host=base_url, username=username, password=password)
    return mx.ApiClient(configuration)


@pytest.fixture(scope="module")
def client(base_url: str) -> mx.ApiClient:
    """The official SDK's client, pointed at the emulator."""
    return _client(base_url)


def _widget(current_member_guid: str | None = None) -> WidgetRequestBody:
    """The adapter's widget request (wire.widget_url_request), as the SDK's model."""
    return WidgetRequestBody(
        widget_url=WidgetRequest(**wire.widget_url_request(current_member_guid)["widget_url"])
    )


def _new_user(client: mx.ApiClient) -> tuple[str, str]:
    """A user as the adapter creates it: ``id`` is the customer id; returns (id, guid)."""
    customer_id = str(uuid.uuid4())
    body = wire.user_request(customer_id, "jane@example.com")["user"]
    created = UsersApi(client).create_user(UserCreateRequestBody(user=UserCreateRequest(**body)))
    assert created.user.id == customer_id and created.user.guid.startswith("USR-")
    assert json.loads(created.user.metadata) == {"bankbridge_customer": customer_id}
    return customer_id, created.user.guid


def _connect(client: mx.ApiClient, user: tuple[str, str]) -> str:
    """Request a Connect widget URL and log in on its page; returns the member guid."""
    user_id, user_guid = user
    widget = WidgetsApi(client).request_widget_url(user_guid, _widget())
    assert widget.widget_url.type == "connect_widget"
    assert widget.widget_url.user_id == user_id  # MX answers the user's id, not its guid
    with httpx.Client() as browser:
        page = submit(browser, widget.widget_url.url, username="mxuser", password="password")
    found = re.search(r"MBR-[0-9a-zA-Z-]+", page.text)
    assert found, page.text[:500]
    return found.group(0)


def test_sdk_finds_and_creates_users_as_the_adapter_does(client):
    users = UsersApi(client)
    customer_id, guid = _new_user(client)
    listed = users.list_users(id=customer_id)  # _find_user
    assert [u.guid for u in listed.users] == [guid]
    assert listed.pagination.total_entries == 1
    assert users.list_users(id=str(uuid.uuid4())).users == []


def test_sdk_reads_a_connected_member_its_accounts_and_numbers(client):
    user = _new_user(client)
    user_guid = user[1]
    member_guid = _connect(client, user)
    members = MembersApi(client)
    accounts = AccountsApi(client)

    listed = members.list_members(user_guid, **PAGE)  # list_connected_accounts
    assert [(m.guid, m.connection_status) for m in listed.members] == [(member_guid, "CONNECTED")]
    assert listed.pagination.current_page == 1 and listed.pagination.total_pages == 1

    member = members.read_member(member_guid, user_guid).member  # read_funding_details
    assert member.connection_status == "CONNECTED" and member.name
    assert not member.needs_updated_credentials

    member_accounts = accounts.list_member_accounts(user_guid, member_guid, **PAGE)
    types = {a.type for a in member_accounts.accounts}
    assert {"CHECKING", "SAVINGS"} <= types
    assert all(a.member_guid == member_guid for a in member_accounts.accounts)

    numbers = accounts.list_account_numbers_by_member(member_guid, user_guid, **PAGE)
    by_account = {n.account_guid: n for n in numbers.account_numbers}
    for account in member_accounts.accounts:
        if account.type in ("CHECKING", "SAVINGS"):
            entry = by_account[account.guid]
            assert entry.account_number and re.fullmatch(r"\d{9}", entry.routing_number)


def test_sdk_requests_a_reauthentication_widget_for_a_member(client):
    user = _new_user(client)
    user_guid = user[1]
    member_guid = _connect(client, user)
    widget = WidgetsApi(client).request_widget_url(user_guid, _widget(member_guid))
    assert widget.widget_url.url.startswith("http")
    assert widget.widget_url.url != ""


def test_wrong_credentials_are_unauthorized_in_mx_error_format(base_url):
    bad = _client(base_url, CLIENT_ID, "not-the-api-key")
    with pytest.raises(UnauthorizedException) as raised:
        UsersApi(bad).list_users()
    assert raised.value.status == 401
    assert isinstance(json.loads(raised.value.body)["error"]["message"], str)


def test_missing_credentials_are_unauthorized(base_url):
    with pytest.raises(UnauthorizedException):
        UsersApi(_client(base_url, "", "")).list_users()


def test_a_missing_required_field_is_a_bad_request_in_mx_error_format(client):
    _, user_guid = _new_user(client)
    # The SDK's model requires widget_type; send the request without it, as MX would see it.
    body = WidgetRequestBody(widget_url=WidgetRequest.construct(mode="verification"))
    with pytest.raises(BadRequestException) as raised:
        WidgetsApi(client).request_widget_url(user_guid, body)
    assert raised.value.status == 400
    assert "widget_type" in json.loads(raised.value.body)["error"]["message"]


def test_unknown_users_and_members_are_not_found(client):
    _, user_guid = _new_user(client)
    with pytest.raises(NotFoundException):
        UsersApi(client).read_user("USR-00000000-0000-0000-0000-000000000000")
    with pytest.raises(NotFoundException):
        MembersApi(client).read_member("MBR-00000000-0000-0000-0000-000000000000", user_guid)
