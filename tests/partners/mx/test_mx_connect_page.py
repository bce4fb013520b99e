"""The hosted MX Connect page over HTTP: MX's steps as forms, and the widget events each
move reports (the page script posts them; here they are read from the page's data block)."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from mx_testing import HEADERS, MX, api_get, connect, open_session, run, sign_in, started_client
from starlette.testclient import TestClient

from bankbridge.clock import now
from bankbridge.partners.mx.emulator import state
from helpers import TEST_OWNER

MX_BANK = {
    "code": "mxbank",
    "guid": state.INSTITUTION["guid"],
    "name": "MX Bank",
    "url": "https://www.mxbank.com",
}
INSTITUTION_REF = {"code": "mxbank", "guid": state.INSTITUTION["guid"]}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with started_client(tmp_path) as test_client:
        yield test_client


@pytest.fixture
def url(client: TestClient) -> str:
    """A fresh widget URL from the real adapter."""
    session = open_session(client)
    assert session.url is not None
    return session.url


def members(client: TestClient) -> list[dict[str, Any]]:
    user_guid = api_get(client, "/users")["users"][0]["guid"]
    result: list[dict[str, Any]] = api_get(client, f"/users/{user_guid}/members")["members"]
    return result


def data_of(html: str) -> dict[str, Any]:
    """The page's widget data block: guids, target origin and the events to post."""
    match = re.search(r'<script type="application/json" id="mx-connect-data">(.*?)</script>', html)
    assert match, html
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def events_of(html: str) -> list[tuple[str, dict[str, Any]]]:
    return [(e["type"], e["metadata"]) for e in data_of(html)["events"]]


def select_mx_bank(client: TestClient, url: str) -> str:
    response = client.post(url, data={"action": "select", "institution": "mxbank"})
    assert response.status_code == 200
    return response.text


def credentials(client: TestClient, url: str, password: str, username: str = "mxuser") -> str:
    data = {"action": "credentials", "username": username, "password": password}
    response = client.post(url, data=data)
    assert response.status_code == 200, response.text
    return response.text


def status_update(member_guid: str, code: int) -> tuple[str, dict[str, Any]]:
    return (
        "mx/connect/memberStatusUpdate",
        {"member_guid": member_guid, "connection_status": code},
    )


def step(previous: str, current: str) -> tuple[str, dict[str, Any]]:
    return ("mx/connect/stepChange", {"previous": previous, "current": current})


# Loading and search -------------------------------------------------------------------


def test_widget_url_opens_on_search_and_reports_load_and_loaded(
    client: TestClient, url: str
) -> None:
    response = client.get(url)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'self' http://localhost:*" in csp
    assert "script-src 'self'" in csp
    data = data_of(response.text)
    user = api_get(client, "/users")["users"][0]
    assert data["user_guid"] == user["guid"]
    assert data["session_guid"].startswith("CSN-")
    assert data["target_origin"] is None
    assert events_of(response.text) == [
        ("mx/load", {}),
        ("mx/connect/loaded", {"initial_step": "search"}),
    ]
    assert 'id="institution-search"' in response.text
    assert '<script src="http://testserver/sandbox/mx/connect.js"' in response.text


def test_the_page_script_is_served_from_the_emulator(client: TestClient) -> None:
    response = client.get(f"{MX}/connect.js")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert "mx/connect/connected/primaryAction" in response.text


def test_a_search_without_javascript_filters_the_institutions(client: TestClient, url: str) -> None:
    found = client.get(url, params={"q": "mx b"})
    missing = client.get(url, params={"q": "First Platypus"})

    assert re.search(r'<li data-institution="[^"]*">', found.text)
    assert 'id="no-results" class="hint" hidden' in found.text
    assert re.search(r'<li data-institution="[^"]*" hidden>', missing.text)
    assert 'id="no-results" class="hint">' in missing.text


def test_selecting_mx_bank_reports_it_and_asks_for_credentials(
    client: TestClient, url: str
) -> None:
    html = select_mx_bank(client, url)

    assert events_of(html) == [
        ("mx/connect/selectedInstitution", MX_BANK),
        step("search", "enterCreds"),
    ]
    assert 'type="password" id="password" name="password"' in html
    assert 'id="back-form"' in html
    assert events_of(client.get(url).text)[1] == (
        "mx/connect/loaded",
        {"initial_step": "enterCreds"},
    )


def test_an_unknown_institution_keeps_the_search(client: TestClient, url: str) -> None:
    response = client.post(url, data={"action": "select", "institution": "chase"})

    assert "Choose an institution from the list." in response.text
    assert events_of(response.text) == []


def test_back_from_credentials_returns_to_search(client: TestClient, url: str) -> None:
    select_mx_bank(client, url)

    response = client.post(url, data={"action": "back"})

    assert events_of(response.text) == [step("enterCreds", "search")]
    assert 'id="institution-search"' in response.text


# Connecting ---------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["password", "wrong", "PASSWORD"])
def test_mxuser_with_any_ordinary_password_connects_as_at_mx(
    client: TestClient, url: str, password: str
) -> None:
    select_mx_bank(client, url)

    html = credentials(client, url, password)

    (member,) = members(client)
    guid = member["guid"]
    assert member["connection_status"] == "CONNECTED"
    assert events_of(html) == [
        ("mx/connect/enterCredentials", {"institution": INSTITUTION_REF}),
        step("enterCreds", "connecting"),
        status_update(guid, 0),
        status_update(guid, 6),
        ("mx/connect/memberConnected", {"member_guid": guid}),
        step("connecting", "connected"),
    ]
    assert "<li>MX Bank Checking</li>" in html
    assert "<li>MX Bank Savings</li>" in html
    assert f'id="member-guid">{guid}<' in html
    assert '<button type="button" id="done">Done</button>' in html


def test_a_scripted_sign_in_on_the_first_page_selects_mx_bank_for_it(
    client: TestClient, url: str
) -> None:
    html = sign_in(client, url)

    kinds = [kind for kind, _ in events_of(html)]
    assert kinds[:3] == [
        "mx/connect/selectedInstitution",
        "mx/connect/stepChange",
        "mx/connect/enterCredentials",
    ]
    assert kinds[-2:] == ["mx/connect/memberConnected", "mx/connect/stepChange"]


def test_widget_url_is_single_use_once_connected(client: TestClient, url: str) -> None:
    sign_in(client, url)

    again = client.get(url)
    resubmitted = client.post(url, data={"username": "mxuser", "password": "password"})

    assert again.status_code == 410
    assert "already been used" in again.text
    assert events_of(again.text) == []
    assert resubmitted.status_code == 410
    assert len(members(client)) == 1


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("mxuser", "UNAUTHORIZED"),
        ("mxuser", "INVALID"),
        ("mxuser", "DISABLED"),
        ("someone", "password"),
        ("", ""),
    ],
)
def test_denied_credentials_ask_again_and_the_retry_updates_the_member(
    client: TestClient, url: str, username: str, password: str
) -> None:
    select_mx_bank(client, url)

    failed = credentials(client, url, password, username=username)

    (member,) = members(client)
    guid = member["guid"]
    assert member["connection_status"] == "DENIED"
    assert events_of(failed)[-3:] == [
        status_update(guid, 0),
        status_update(guid, 2),
        step("connecting", "enterCreds"),
    ]
    assert "DENIED: The credentials entered do not match" in failed
    assert 'name="password"' in failed

    retried = credentials(client, url, "password")

    assert events_of(retried)[:2] == [
        (
            "mx/connect/updateCredentials",
            {"member_guid": guid, "institution": INSTITUTION_REF},
        ),
        step("enterCreds", "connecting"),
    ]
    assert status_update(guid, 0) not in events_of(retried)
    assert [m["connection_status"] for m in members(client)] == ["CONNECTED"]


@pytest.mark.parametrize(
    ("password", "status", "code"),
    [
        ("LOCKED", "LOCKED", 5),
        ("BAD_REQUEST", "FAILED", 14),
        ("SERVER_ERROR", "FAILED", 14),
        ("UNAVAILABLE", "FAILED", 14),
    ],
)
def test_error_passwords_end_on_the_error_step_with_try_again(
    client: TestClient, url: str, password: str, status: str, code: int
) -> None:
    select_mx_bank(client, url)

    failed = credentials(client, url, password)

    (member,) = members(client)
    assert member["connection_status"] == status
    assert member["connection_status_message"] == state.STATUS_MESSAGES[status]
    assert events_of(failed)[-2:] == [
        status_update(member["guid"], code),
        step("connecting", "loginError"),
    ]
    assert f"<strong>{status}</strong>" in failed

    again = client.post(url, data={"action": "retry"})

    assert events_of(again.text) == [step("loginError", "enterCreds")]
    assert "mx/connect/memberConnected" in json.dumps(events_of(credentials(client, url, "x")))


# MFA ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "kind", "marker"),
    [
        ("challenge", "TEXT", "What city were you born in?"),
        ("options", "OPTIONS", 'type="radio" name="answer" value="correct"'),
        ("image", "IMAGE", '<img src="data:image/svg+xml;base64,'),
    ],
)
def test_challenge_passwords_ask_their_mfa_type_and_correct_connects(
    client: TestClient, url: str, password: str, kind: str, marker: str
) -> None:
    select_mx_bank(client, url)

    asked = credentials(client, url, password)

    (member,) = members(client)
    guid = member["guid"]
    assert member["connection_status"] == "CHALLENGED"
    assert events_of(asked)[-2:] == [status_update(guid, 3), step("connecting", "mfa")]
    assert marker in asked
    status = api_get(client, f"/users/{member['user_guid']}/members/{guid}/status")["member"]
    (challenge,) = status["challenges"]
    assert challenge["type"] == kind
    assert challenge["guid"].startswith("CRD-")
    reloaded = client.get(url).text
    assert marker in reloaded
    assert ("mx/connect/loaded", {"initial_step": "mfa"}) in events_of(reloaded)

    answered = client.post(url, data={"action": "mfa", "answer": "correct"}).text

    assert events_of(answered) == [
        ("mx/connect/submitMFA", {"member_guid": guid}),
        step("mfa", "connecting"),
        status_update(guid, 6),
        ("mx/connect/memberConnected", {"member_guid": guid}),
        step("connecting", "connected"),
    ]
    assert [m["connection_status"] for m in members(client)] == ["CONNECTED"]


def test_a_wrong_mfa_answer_is_rejected_as_at_mx_and_the_user_can_start_over(
    client: TestClient, url: str
) -> None:
    select_mx_bank(client, url)
    credentials(client, url, "challenge")

    failed = client.post(url, data={"action": "mfa", "answer": "Paris"}).text

    (member,) = members(client)
    assert member["connection_status"] == "REJECTED"
    assert events_of(failed)[-2:] == [
        status_update(member["guid"], 4),
        step("connecting", "loginError"),
    ]
    assert "<strong>REJECTED</strong>: The answer or answers provided were incorrect." in failed
    skipped = client.post(url, data={"action": "mfa", "answer": "correct"})
    assert "<strong>REJECTED</strong>" in skipped.text  # no question is pending any more
    client.post(url, data={"action": "retry"})
    assert "Connected" in sign_in(client, url)


def test_an_error_password_as_the_mfa_answer_gives_that_error(client: TestClient, url: str) -> None:
    select_mx_bank(client, url)
    credentials(client, url, "challenge")

    client.post(url, data={"action": "mfa", "answer": "SERVER_ERROR"})

    assert [m["connection_status"] for m in members(client)] == ["FAILED"]


def test_an_mfa_answer_without_a_challenge_is_refused(client: TestClient, url: str) -> None:
    select_mx_bank(client, url)

    response = client.post(url, data={"action": "mfa", "answer": "correct"})

    assert response.status_code == 200
    assert "Please sign in first." in response.text
    assert members(client) == []


# Ended sessions -----------------------------------------------------------------------


def test_an_unknown_widget_url_gets_a_404_page(client: TestClient) -> None:
    for method in ("GET", "POST"):
        response = client.request(method, f"{MX}/connect/not-a-token/e30%3D")

        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        assert "This connection link is not valid." in response.text
        assert "mx-connect-data" not in response.text


def test_credentials_sent_to_a_used_url_report_create_member_error(
    client: TestClient, url: str
) -> None:
    session = data_of(client.get(url).text)
    select_mx_bank(client, url)
    sign_in(client, url)  # another tab finishes the session first

    response = client.post(
        url, data={"action": "credentials", "username": "mxuser", "password": "p"}
    )

    assert response.status_code == 410
    data = data_of(response.text)
    assert (data["user_guid"], data["session_guid"]) == (
        session["user_guid"],
        session["session_guid"],
    )
    assert events_of(response.text) == [
        (
            "mx/connect/createMemberError",
            {"institution_guid": MX_BANK["guid"], "institution_code": "mxbank"},
        )
    ]


def test_an_expired_widget_url_gets_a_410_page(client: TestClient, url: str) -> None:
    token = url.split("/connect/", 1)[1].split("/")[0]
    store = client.app.state.services.require_store()  # type: ignore[attr-defined]
    records = store.emulator_records(f"mx/{TEST_OWNER}")
    widget = run(client, records.get, state.WIDGET, token)
    assert widget is not None

    async def expire() -> None:
        await records.put(state.WIDGET, token, widget, expires_at=now() - timedelta(seconds=1))

    run(client, expire)
    response = client.post(url, data={"username": "mxuser", "password": "password"})

    assert response.status_code == 410
    assert "This connection link has expired." in response.text
    assert [kind for kind, _ in events_of(response.text)] == ["mx/connect/createMemberError"]
    assert members(client) == []


def test_a_widget_url_of_a_deleted_user_gets_a_404_page(client: TestClient, url: str) -> None:
    user_guid = api_get(client, "/users")["users"][0]["guid"]
    assert client.delete(f"{MX}/users/{user_guid}", headers=HEADERS).status_code == 204

    response = client.get(url)
    posted = client.post(url, data={"username": "mxuser", "password": "password"})

    assert response.status_code == 404
    assert "no longer available" in response.text
    assert events_of(response.text) == []
    assert [kind for kind, _ in events_of(posted.text)] == ["mx/connect/createMemberError"]


# Re-authentication --------------------------------------------------------------------


def test_a_reconnect_url_starts_on_credentials_and_updates_the_existing_member(
    client: TestClient,
) -> None:
    user_guid, member_guid = connect(client)
    body = {"widget_url": {"widget_type": "connect_widget", "current_member_guid": member_guid}}
    widget = client.post(
        f"{MX}/users/{user_guid}/widget_urls",
        headers={**HEADERS, "Content-Type": "application/json"},
        json=body,
    ).json()["widget_url"]

    form = client.get(widget["url"])
    failed = client.post(widget["url"], data={"username": "mxuser", "password": "INVALID"})
    member = api_get(client, f"/users/{user_guid}/members/{member_guid}")["member"]

    assert "Reconnect to MX Bank" in form.text
    assert 'id="back-form"' not in form.text
    assert events_of(form.text)[1] == ("mx/connect/loaded", {"initial_step": "enterCreds"})
    assert events_of(failed.text)[0] == (
        "mx/connect/updateCredentials",
        {"member_guid": member_guid, "institution": INSTITUTION_REF},
    )
    assert member["connection_status"] == "DENIED"
    assert f'id="member-guid">{member_guid}<' in sign_in(client, widget["url"])
    assert len(api_get(client, f"/users/{user_guid}/members")["members"]) == 1


# Target origin and form safety --------------------------------------------------------


def test_the_parent_origin_the_script_carried_comes_back_to_later_steps(
    client: TestClient, url: str
) -> None:
    carried = client.post(
        url,
        data={"action": "select", "institution": "mxbank", "target_origin": "http://App.test:3000"},
    )
    junk = client.post(url, data={"action": "back", "target_origin": "javascript:alert(1)"})

    assert data_of(carried.text)["target_origin"] == "http://app.test:3000"
    assert data_of(junk.text)["target_origin"] is None


def test_a_target_origin_referrer_in_the_url_config_is_used(client: TestClient, url: str) -> None:
    config = {"ui_message_version": 4, "target_origin_referrer": "https://app.example/connect"}
    segment = base64.urlsafe_b64encode(json.dumps(config).encode()).decode().rstrip("=")
    page = client.get(url.rsplit("/", 1)[0] + "/" + segment)

    assert data_of(page.text)["target_origin"] == "https://app.example"


def test_a_form_post_from_another_site_is_refused(client: TestClient, url: str) -> None:
    cross = client.post(
        url,
        data={"username": "mxuser", "password": "password"},
        headers={"Origin": "https://evil.example"},
    )
    own = client.post(
        url,
        data={"action": "select", "institution": "mxbank"},
        headers={"Origin": "null", "Sec-Fetch-Site": "same-origin"},
    )

    assert cross.status_code == 403
    assert members(client) == []
    assert own.status_code == 200


def test_an_oversized_form_is_refused_before_it_is_read(client: TestClient, url: str) -> None:
    response = client.post(
        url,
        content=b"username=" + b"a" * (2 * 1024 * 1024),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert response.status_code == 413
    assert members(client) == []


def test_the_page_escapes_what_the_user_typed(client: TestClient, url: str) -> None:
    response = client.post(url, data={"username": '<script>alert("x")</script>', "password": "x"})

    assert "<script>alert" not in response.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in response.text


def test_absolute_urls_come_from_the_public_url_never_the_host_header(
    client: TestClient, url: str
) -> None:
    response = client.get(url, headers={"Host": "evil.example"})

    assert '<script src="http://testserver/sandbox/mx/connect.js"' in response.text
    assert "evil.example" not in response.text


def test_the_framing_pages_referrer_is_where_messages_go_and_every_form_carries_it(
    client: TestClient, url: str
) -> None:
    page = client.get(url, headers={"Referer": "http://localhost:3000/checkout?step=bank"})

    assert data_of(page.text)["target_origin"] == "http://localhost:3000"
    carried = '<input type="hidden" name="target_origin" value="http://localhost:3000">'
    assert page.text.count(carried) == page.text.count("<form ")
