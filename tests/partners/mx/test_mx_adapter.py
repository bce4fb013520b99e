"""The MX adapter against the in-process MX emulator (and a mock transport for bad answers)."""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest
from mx_testing import (
    MX,
    PUBLIC_URL,
    adapter,
    api_get,
    connect,
    customer,
    open_session,
    run,
    session_request,
    sign_in,
    started_client,
)
from starlette.testclient import TestClient

from bankbridge.clock import now
from bankbridge.config import PartnerCredentials, Secret
from bankbridge.errors import PartnerError
from bankbridge.partners.mx.adapter import MxAdapter
from bankbridge.partners.mx.wire import ConnectedAccount, aba_checksum_ok


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with started_client(tmp_path) as test_client:
        yield test_client


def test_create_session_returns_a_widget_url_for_the_customers_mx_user(
    client: TestClient,
) -> None:
    before = now()
    session = open_session(client)

    assert session.token is None and session.data is None
    assert session.url is not None
    assert session.url.startswith(f"{PUBLIC_URL}{MX}/connect/")
    assert session.external_ref is not None and session.external_ref.startswith("USR-")
    assert session.expires_at is not None
    assert timedelta(minutes=9) < session.expires_at - before <= timedelta(minutes=10, seconds=5)
    config = unquote(session.url.rsplit("/", 1)[1])
    assert json.loads(base64.urlsafe_b64decode(config)) == {
        "ui_message_version": 4,
        "ui_message_webview_url_scheme": "mx",
        "mode": "verification",
    }


def test_create_session_creates_the_mx_user_with_the_customer_id_email_and_metadata(
    client: TestClient,
) -> None:
    who = customer("cust-42")
    session = open_session(client, who)

    users = api_get(client, "/users", id="cust-42")["users"]
    assert users == [
        {
            "guid": session.external_ref,
            "id": "cust-42",
            "email": who.email,
            "is_disabled": False,
            "metadata": '{"bankbridge_customer":"cust-42"}',
        }
    ]


def test_create_session_reuses_the_mx_user_and_issues_a_fresh_url_each_time(
    client: TestClient,
) -> None:
    first = open_session(client)
    second = open_session(client)

    assert first.external_ref == second.external_ref
    assert first.url != second.url
    assert len(api_get(client, "/users")["users"]) == 1


def test_create_session_with_wrong_credentials_raises_partner_error(client: TestClient) -> None:
    real = adapter(client)
    wrong = MxAdapter(
        PartnerCredentials(real.credentials.base_url, "someone", Secret("wrong-key")), real.http
    )

    with pytest.raises(PartnerError) as caught:
        run(client, wrong.create_session, session_request())

    assert caught.value.partner == "mx"
    assert "401" in caught.value.detail
    assert caught.value.retryable is False
    assert "wrong-key" not in caught.value.detail


def _mock_adapter(handler: Callable[[httpx.Request], httpx.Response]) -> MxAdapter:
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return MxAdapter(PartnerCredentials("https://int-api.mx.test", "id", Secret("key")), http)


def _mx(body: object, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json=body)


def test_create_session_looks_the_user_up_again_when_creating_it_conflicts(
    client: TestClient,
) -> None:
    calls: list[str] = []
    lookups = iter([[], [{"guid": "USR-existing", "id": "9f2c"}]])

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(f"{request.method} {request.url.path}")
        if request.method == "GET":
            users = next(lookups)
            return _mx({"users": [dict(u, id=request.url.params["id"]) for u in users]})
        if request.url.path == "/users":
            return _mx({"error": {"message": "exists"}}, 409)
        return _mx({"widget_url": {"type": "connect_widget", "url": "https://w.example/c/x"}})

    session = run(client, _mock_adapter(handler).create_session, session_request())

    assert session.external_ref == "USR-existing"
    assert session.url == "https://w.example/c/x"
    assert calls == [
        "GET /users",
        "POST /users",
        "GET /users",
        "POST /users/USR-existing/widget_urls",
    ]


def test_create_session_with_a_remembered_user_makes_one_call(client: TestClient) -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(f"{request.method} {request.url.path}")
        return _mx({"widget_url": {"type": "connect_widget", "url": "https://w.example/c/x"}})

    known = dataclasses.replace(session_request(), partner_user="USR-known")
    session = run(client, _mock_adapter(handler).create_session, known)

    assert calls == ["POST /users/USR-known/widget_urls"]
    assert session.external_ref == session.partner_user == "USR-known"


def test_create_session_finds_the_user_again_when_mx_forgot_the_remembered_one(
    client: TestClient,
) -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(f"{request.method} {request.url.path}")
        if request.url.path == "/users/USR-gone/widget_urls":
            return _mx({"error": {"message": "not found"}}, 404)
        if request.method == "GET":
            return _mx({"users": [{"guid": "USR-found", "id": request.url.params["id"]}]})
        return _mx({"widget_url": {"type": "connect_widget", "url": "https://w.example/c/x"}})

    gone = dataclasses.replace(session_request(), partner_user="USR-gone")
    session = run(client, _mock_adapter(handler).create_session, gone)

    assert calls == [
        "POST /users/USR-gone/widget_urls",
        "GET /users",
        "POST /users/USR-found/widget_urls",
    ]
    assert session.partner_user == "USR-found"


def test_create_session_with_a_remembered_user_reports_other_failures(client: TestClient) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return _mx({"error": {"message": "busy"}}, 503)

    known = dataclasses.replace(session_request(), partner_user="USR-known")
    with pytest.raises(PartnerError) as caught:
        run(client, _mock_adapter(handler).create_session, known)
    assert caught.value.retryable


def test_create_session_sends_mx_headers_basic_auth_and_the_verification_widget_body(
    client: TestClient,
) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.method == "GET":
            return _mx({"users": [{"guid": "USR-1", "id": request.url.params["id"]}]})
        return _mx({"widget_url": {"type": "connect_widget", "url": "https://w.example/c/x"}})

    run(client, _mock_adapter(handler).create_session, session_request())

    widget_call = seen[-1]
    assert widget_call.headers["accept"] == "application/vnd.mx.api.v1+json"
    assert widget_call.headers["content-type"] == "application/json"
    assert widget_call.headers["authorization"] == "Basic " + base64.b64encode(b"id:key").decode()
    assert json.loads(widget_call.content) == {
        "widget_url": {
            "widget_type": "connect_widget",
            "mode": "verification",
            "ui_message_version": 4,
            "include_transactions": False,
            "disable_background_agg": True,
        }
    }


@pytest.mark.parametrize(
    ("widget_answer", "status", "retryable"),
    [
        ({"widget_url": {"type": "connect_widget"}}, 200, False),
        ({"widget_url": {"url": 42}}, 200, False),
        ({"widget_url": {"url": "javascript:alert(1)"}}, 200, False),
        ([], 200, False),
        ({"error": {"message": "Internal error"}}, 500, True),
        ({"error": {"message": "Too many requests"}}, 429, True),
        ({"error": {"message": "widget_type is required"}}, 400, False),
    ],
)
def test_create_session_turns_bad_or_failed_widget_answers_into_partner_errors(
    client: TestClient, widget_answer: object, status: int, retryable: bool
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return _mx({"users": [{"guid": "USR-1", "id": request.url.params["id"]}]})
        return _mx(widget_answer, status)

    with pytest.raises(PartnerError) as caught:
        run(client, _mock_adapter(handler).create_session, session_request())

    assert caught.value.retryable is retryable


def test_create_session_turns_a_non_json_answer_into_a_partner_error(client: TestClient) -> None:
    adapter_ = _mock_adapter(lambda request: httpx.Response(200, text="<html>maintenance"))

    with pytest.raises(PartnerError, match="not JSON"):
        run(client, adapter_.create_session, session_request())


def test_create_session_turns_a_transport_failure_into_a_retryable_partner_error(
    client: TestClient,
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(PartnerError) as caught:
        run(client, _mock_adapter(handler).create_session, session_request())

    assert caught.value.retryable is True


def test_list_connected_accounts_returns_checking_and_savings_of_connected_members(
    client: TestClient,
) -> None:
    user_guid, member_guid = connect(client)
    denied = open_session(client)
    assert denied.url is not None
    sign_in(client, denied.url, password="INVALID")  # leaves a DENIED member behind

    accounts = run(client, adapter(client).list_connected_accounts, user_guid)

    assert [(a.member_guid, a.name, a.type) for a in accounts] == [
        (member_guid, "MX Bank Checking", "CHECKING"),
        (member_guid, "MX Bank Savings", "SAVINGS"),
    ]
    assert all(isinstance(a, ConnectedAccount) for a in accounts)
    assert all(a.account_guid.startswith("ACT-") for a in accounts)
    assert len(api_get(client, f"/users/{user_guid}/members")["members"]) == 2


def test_list_connected_accounts_is_empty_before_anything_is_connected(
    client: TestClient,
) -> None:
    session = open_session(client)
    assert session.external_ref is not None

    assert run(client, adapter(client).list_connected_accounts, session.external_ref) == []


def test_get_account_numbers_returns_the_emulated_account_and_routing_numbers(
    client: TestClient,
) -> None:
    user_guid, member_guid = connect(client)
    checking, savings = run(client, adapter(client).list_connected_accounts, user_guid)

    number, routing = run(
        client, adapter(client).get_account_numbers, user_guid, member_guid, savings.account_guid
    )

    stored = api_get(client, f"/users/{user_guid}/accounts/{savings.account_guid}/account_numbers")
    assert number == stored["account_numbers"][0]["account_number"]
    assert 10 <= len(number) <= 12 and number.isdigit()
    assert routing == "091000019" and aba_checksum_ok(routing)
    other, _ = run(
        client, adapter(client).get_account_numbers, user_guid, member_guid, checking.account_guid
    )
    assert other != number


def test_get_account_numbers_for_an_unknown_account_raises_a_retryable_partner_error(
    client: TestClient,
) -> None:
    user_guid, member_guid = connect(client)

    with pytest.raises(PartnerError) as caught:
        run(client, adapter(client).get_account_numbers, user_guid, member_guid, "ACT-nope")

    assert caught.value.retryable is True


def test_create_session_with_current_member_guid_reconnects_the_same_member(
    client: TestClient,
) -> None:
    user_guid, member_guid = connect(client)
    before = run(client, adapter(client).list_connected_accounts, user_guid)

    session = run(
        client,
        lambda: adapter(client).create_session(session_request(), current_member_guid=member_guid),
    )
    assert session.url is not None
    assert "Reconnect" in client.get(session.url).text
    html = sign_in(client, session.url)

    assert f'id="member-guid">{member_guid}<' in html
    assert run(client, adapter(client).list_connected_accounts, user_guid) == before


def test_aba_checksum_accepts_real_routing_numbers_and_rejects_others() -> None:
    assert aba_checksum_ok("091000019")
    assert aba_checksum_ok("021000021")
    assert not aba_checksum_ok("091000018")
    assert not aba_checksum_ok("09100001")
    assert not aba_checksum_ok("09100001x")
