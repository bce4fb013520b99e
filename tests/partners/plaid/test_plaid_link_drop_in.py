"""What the Link page tells the drop-in script (``link-frame.js``) inside its iframe.

Each view carries a JSON block of messages for the app's handler: Plaid's Link events with
their full metadata, then ``onSuccess`` or ``onExit``. The browser tests run the real
scripts; these pin the messages' shapes and order.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import httpx
from starlette.testclient import TestClient

from flows import read_form
from support.plaid_link import EVENT_KEYS

LinkToken = Callable[..., str]
LINK = "/sandbox/plaid/link"
APP = "http://localhost:3000"


def _drop_in(page: httpx.Response) -> dict[str, Any]:
    match = re.search(
        r'<script type="application/json" id="plaid-link-messages">(.*?)</script>', page.text, re.S
    )
    assert match, page.text[:300]
    block: dict[str, Any] = json.loads(match.group(1))
    return block


def _events(page: httpx.Response) -> list[tuple[str, dict[str, Any]]]:
    messages = _drop_in(page)["messages"]
    return [(m["event_name"], m["metadata"]) for m in messages if m["type"] == "event"]


def _names(page: httpx.Response) -> list[Any]:
    return [
        (m["event_name"], m["metadata"]["view_name"]) if m["type"] == "event" else m["type"]
        for m in _drop_in(page)["messages"]
    ]


def _open(client: TestClient, token: str) -> httpx.Response:
    return client.get(LINK, params={"token": token, "origin": APP})


def _post(client: TestClient, page: httpx.Response, **fields: str) -> httpx.Response:
    form = read_form(page.text)
    data = {k: v for k, v in form["fields"].items() if v} | fields
    return client.post(form["action"], data=data)


def test_the_drop_in_script_is_served_with_bankbridges_address_written_in(
    client: TestClient,
) -> None:
    response = client.get("/sandbox/plaid/link/v2/stable/link-initialize.js")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert 'var LINK_URL = "http://testserver/sandbox/plaid/link";' in response.text
    assert "__BANKBRIDGE_EMULATOR_URL__" not in response.text
    assert "window.Plaid = { create: create };" in response.text
    assert client.get("/sandbox/plaid/link/frame.js").status_code == 200


def test_opening_link_reports_open_then_the_first_view_once_the_app_opens_it(
    client: TestClient, link_token: LinkToken
) -> None:
    page = _open(client, link_token())

    block = _drop_in(page)
    assert block["parent_origin"] == APP and block["after_open"] is True
    assert _names(page) == [("OPEN", None), ("TRANSITION_VIEW", "SELECT_INSTITUTION")]
    for _, metadata in _events(page):
        assert set(metadata) == EVENT_KEYS
        assert re.fullmatch(r"[0-9a-f-]{36}", metadata["link_session_id"])
        assert re.fullmatch(r"[A-Za-z0-9]{15}", metadata["request_id"])


def test_a_page_opened_without_the_drop_in_posts_no_messages(
    client: TestClient, link_token: LinkToken
) -> None:
    page = client.get(LINK, params={"token": link_token()})
    foreign = client.get(LINK, params={"token": link_token(), "origin": "javascript:alert(1)"})

    assert _drop_in(page) == {"parent_origin": "", "after_open": True, "messages": []}
    assert _drop_in(foreign)["parent_origin"] == ""


def test_a_successful_link_reports_plaids_events_then_handoff_then_on_success(
    client: TestClient, link_token: LinkToken
) -> None:
    opened = _open(client, link_token())
    searched = _post(client, opened, action="search", q="platypus")
    login = _post(client, searched, institution_id="ins_109508")
    accounts = _post(client, login, username="user_good", password="pass_good")
    savings = re.search(r'value="([^"]+)"\s+data-subtype="savings"', accounts.text)
    assert savings
    done = _post(client, accounts, account_id=savings.group(1))

    assert _names(searched) == [("SEARCH_INSTITUTION", None)]
    assert _events(searched)[0][1]["institution_search_query"] == "platypus"
    assert _names(login) == [("SELECT_INSTITUTION", None), ("TRANSITION_VIEW", "CREDENTIAL")]
    assert _events(login)[0][1]["institution_id"] == "ins_109508"
    assert _events(login)[0][1]["institution_name"] == "First Platypus Bank"
    assert _names(accounts) == [
        ("SUBMIT_CREDENTIALS", None),
        ("TRANSITION_VIEW", "LOADING"),
        ("TRANSITION_VIEW", "SELECT_ACCOUNT"),
    ]
    assert _names(done) == [("TRANSITION_VIEW", "CONNECTED"), ("HANDOFF", None), "success"]
    assert _drop_in(done)["after_open"] is False
    success = _drop_in(done)["messages"][-1]
    assert success["public_token"].startswith("public-sandbox-")
    metadata = success["metadata"]
    assert set(metadata) == {"institution", "accounts", "link_session_id", "transfer_status"}
    assert metadata["institution"] == {
        "name": "First Platypus Bank",
        "institution_id": "ins_109508",
    }
    assert metadata["accounts"] == [
        {
            "id": savings.group(1),
            "name": "Plaid Saving",
            "mask": "1111",
            "type": "depository",
            "subtype": "savings",
            "verification_status": None,
            "class_type": None,
        }
    ]
    session_ids = {m["link_session_id"] for _, m in _events(opened) + _events(done)}
    assert session_ids == {metadata["link_session_id"]}


def test_mfa_reports_its_type_in_transition_and_submit_events(
    client: TestClient, link_token: LinkToken
) -> None:
    opened = _open(client, link_token())
    device = _post(client, opened, username="user_good", password="mfa_device")
    code = _post(client, device, device="phone")

    assert ("TRANSITION_VIEW", "MFA") in _names(device)
    assert _events(device)[-1][1]["mfa_type"] == "device"
    assert [(n, m["mfa_type"]) for n, m in _events(code)] == [
        ("SUBMIT_MFA", "device"),
        ("TRANSITION_VIEW", None),
        ("TRANSITION_VIEW", "code"),
    ]


def test_an_error_reports_an_error_event_and_the_error_view(
    client: TestClient, link_token: LinkToken
) -> None:
    opened = _open(client, link_token())
    failed = _post(client, opened, username="user_good", password="error_INSTITUTION_DOWN")

    assert _names(failed)[-2:] == [("ERROR", None), ("TRANSITION_VIEW", "ERROR")]
    error = _events(failed)[-2][1]
    assert (error["error_type"], error["error_code"]) == ("INSTITUTION_ERROR", "INSTITUTION_DOWN")
    assert error["error_message"]


def test_exit_reports_exit_with_its_status_then_on_exit_with_the_last_error(
    client: TestClient, link_token: LinkToken
) -> None:
    opened = _open(client, link_token())
    failed = _post(client, opened, username="user_good", password="error_ITEM_LOCKED")

    exited = _post(client, failed, action="exit")

    assert _names(exited) == [("EXIT", None), "exit"]
    event = _events(exited)[0][1]
    assert (event["exit_status"], event["error_code"]) == ("requires_credentials", "ITEM_LOCKED")
    message = _drop_in(exited)["messages"][-1]
    assert set(message["error"]) == {"error_type", "error_code", "error_message", "display_message"}
    assert message["error"]["error_code"] == "ITEM_LOCKED"
    assert message["metadata"]["institution"]["institution_id"] == "ins_109508"
    assert message["metadata"]["status"] == "requires_credentials"
    assert set(message["metadata"]) == {"institution", "status", "link_session_id", "request_id"}


def test_exit_statuses_say_where_the_user_left(client: TestClient, link_token: LinkToken) -> None:
    def status_after(password: str | None, **before: str) -> tuple[Any, Any]:
        page = _open(client, link_token())
        if before:
            page = _post(client, page, **before)
        if password:
            page = _post(client, page, username="user_good", password=password)
        message = _drop_in(_post(client, page, action="exit"))["messages"][-1]
        return message["metadata"]["status"], message["error"]

    assert status_after(None) == ("requires_credentials", None)
    assert status_after(None, action="search", q="nothing like it") == (
        "institution_not_found",
        None,
    )
    assert status_after("mfa_device") == ("choose_device", None)
    assert status_after("mfa_questions_1_1") == ("requires_questions", None)
    assert status_after("mfa_selections") == ("requires_selections", None)
    assert status_after("pass_good") == ("requires_account_selection", None)


def test_an_unknown_or_used_link_token_ends_link_with_invalid_link_token(
    client: TestClient, link_token: LinkToken
) -> None:
    unknown = client.get(LINK, params={"token": "link-sandbox-nope", "origin": APP})

    assert unknown.status_code == 404
    assert _names(unknown) == [("EXIT", None), "exit"]
    message = _drop_in(unknown)["messages"][-1]
    assert message["error"]["error_code"] == "INVALID_LINK_TOKEN"
    assert message["error"]["error_type"] == "INVALID_INPUT"
    assert _drop_in(unknown)["after_open"] is True


def test_a_link_token_completed_by_another_session_ends_this_one_at_once(
    client: TestClient, link_token: LinkToken
) -> None:
    token = link_token()
    mine = _post(client, _open(client, token), username="user_good", password="pass_good")
    other = _post(client, _open(client, token), username="user_good", password="pass_good")
    _post(client, other, account_id=re.findall(r'name="account_id" value="([^"]+)"', other.text)[0])

    late = _post(
        client, mine, account_id=re.findall(r'name="account_id" value="([^"]+)"', mine.text)[0]
    )

    assert late.status_code == 410
    assert _drop_in(late)["after_open"] is False  # Link is open: tell the app now
    assert _names(late) == [("EXIT", None), "exit"]
