"""The hosted MX Connect page: plain HTML forms driven by GET and POST, no JavaScript."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from mx_testing import HEADERS, MX, api_get, connect, open_session, run, sign_in, started_client
from starlette.testclient import TestClient

from bankbridge.clock import now
from bankbridge.partners.mx import sandbox
from helpers import TEST_OWNER


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


def members(client: TestClient) -> list[dict[str, str]]:
    user_guid = api_get(client, "/users")["users"][0]["guid"]
    result: list[dict[str, str]] = api_get(client, f"/users/{user_guid}/members")["members"]
    return result


def test_widget_url_shows_the_mx_bank_sign_in_form(client: TestClient, url: str) -> None:
    response = client.get(url)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    assert "MX Bank" in response.text
    assert '<form method="post">' in response.text
    assert 'name="username"' in response.text
    assert 'type="password" id="password" name="password"' in response.text


def test_good_credentials_connect_and_show_the_accounts_and_member_guid(
    client: TestClient, url: str
) -> None:
    response = client.post(url, data={"username": "mxuser", "password": "password"})

    assert response.status_code == 200
    assert "Connected" in response.text
    assert "<li>MX Bank Checking</li>" in response.text
    assert "<li>MX Bank Savings</li>" in response.text
    (member,) = members(client)
    assert member["connection_status"] == "CONNECTED"
    assert f'id="member-guid">{member["guid"]}<' in response.text


def test_connected_page_posts_the_mx_member_connected_message(client: TestClient, url: str) -> None:
    html = sign_in(client, url)

    match = re.search(r"var message = (\{.*?\});", html)
    assert match, html
    message = json.loads(match.group(1))
    (member,) = members(client)
    assert message["mx"] is True
    assert message["type"] == "mx/connect/memberConnected"
    assert message["metadata"]["member_guid"] == member["guid"]
    assert message["metadata"]["user_guid"] == member["user_guid"]
    assert message["metadata"]["session_guid"].startswith("CSN-")
    assert "postMessage(message" in html


def test_widget_url_is_single_use_once_connected(client: TestClient, url: str) -> None:
    sign_in(client, url)

    again = client.get(url)
    resubmitted = client.post(url, data={"username": "mxuser", "password": "password"})

    assert again.status_code == 410
    assert "already been used" in again.text
    assert resubmitted.status_code == 410
    assert len(members(client)) == 1


@pytest.mark.parametrize(
    ("username", "password"),
    [("mxuser", "wrong"), ("someone", "password"), ("", ""), ("mxuser", "PASSWORD")],
)
def test_wrong_credentials_show_denied_and_let_the_user_try_again(
    client: TestClient, url: str, username: str, password: str
) -> None:
    failed = client.post(url, data={"username": username, "password": password})

    assert failed.status_code == 200
    assert "<strong>DENIED</strong>: The credentials you entered are incorrect." in failed.text
    assert 'name="password"' in failed.text
    assert [m["connection_status"] for m in members(client)] == ["DENIED"]

    retried = client.post(url, data={"username": "mxuser", "password": "password"})

    assert "Connected" in retried.text
    assert [m["connection_status"] for m in members(client)] == ["CONNECTED"]


def test_challenge_password_asks_the_mfa_question_and_correct_connects(
    client: TestClient, url: str
) -> None:
    question = client.post(url, data={"username": "mxuser", "password": "challenge"})

    assert question.status_code == 200
    assert "What city were you born in?" in question.text
    assert 'name="step" value="mfa"' in question.text
    assert "What city were you born in?" in client.get(url).text  # a reload keeps the step

    answered = client.post(url, data={"step": "mfa", "answer": "correct"})

    assert "Connected" in answered.text
    assert [m["connection_status"] for m in members(client)] == ["CONNECTED"]


def test_a_wrong_mfa_answer_fails_and_the_user_can_start_over(client: TestClient, url: str) -> None:
    client.post(url, data={"username": "mxuser", "password": "challenge"})

    failed = client.post(url, data={"step": "mfa", "answer": "Paris"})

    assert "<strong>DENIED</strong>" in failed.text
    assert 'name="username"' in failed.text
    assert [m["connection_status"] for m in members(client)] == ["DENIED"]
    skipped = client.post(url, data={"step": "mfa", "answer": "correct"})
    assert "Please sign in first." in skipped.text
    assert "Connected" in sign_in(client, url)


def test_an_mfa_answer_without_a_challenge_is_refused(client: TestClient, url: str) -> None:
    response = client.post(url, data={"step": "mfa", "answer": "correct"})

    assert response.status_code == 200
    assert "Please sign in first." in response.text
    assert members(client) == []


def test_an_unknown_widget_url_gets_a_404_page(client: TestClient) -> None:
    for method in ("GET", "POST"):
        response = client.request(method, f"{MX}/connect/not-a-token/e30%3D")

        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        assert "This connection link is not valid." in response.text


def test_an_expired_widget_url_gets_a_410_page(client: TestClient, url: str) -> None:
    token = url.split("/connect/", 1)[1].split("/")[0]
    records = client.app.state.services.store.emulator_records(f"mx/{TEST_OWNER}")  # type: ignore[attr-defined]
    widget = run(client, records.get, sandbox.WIDGET, token)
    assert widget is not None

    async def expire() -> None:
        await records.put(sandbox.WIDGET, token, widget, expires_at=now() - timedelta(seconds=1))

    run(client, expire)
    response = client.post(url, data={"username": "mxuser", "password": "password"})

    assert response.status_code == 410
    assert "This connection link has expired." in response.text
    assert members(client) == []


def test_a_widget_url_of_a_deleted_user_gets_a_404_page(client: TestClient, url: str) -> None:
    user_guid = api_get(client, "/users")["users"][0]["guid"]
    assert client.delete(f"{MX}/users/{user_guid}", headers=HEADERS).status_code == 204

    response = client.get(url)

    assert response.status_code == 404
    assert "no longer available" in response.text


def test_the_page_escapes_what_the_user_typed(client: TestClient, url: str) -> None:
    response = client.post(url, data={"username": '<script>alert("x")</script>', "password": "x"})

    assert "<script>alert" not in response.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in response.text


def test_a_reconnect_url_updates_the_existing_member(client: TestClient) -> None:
    user_guid, member_guid = connect(client)
    body = {"widget_url": {"widget_type": "connect_widget", "current_member_guid": member_guid}}
    widget = client.post(
        f"{MX}/users/{user_guid}/widget_urls",
        headers={**HEADERS, "Content-Type": "application/json"},
        json=body,
    ).json()["widget_url"]

    form = client.get(widget["url"])
    failed = client.post(widget["url"], data={"username": "mxuser", "password": "nope"})
    member = api_get(client, f"/users/{user_guid}/members/{member_guid}")["member"]

    assert "Reconnect to MX Bank" in form.text
    assert "DENIED" in failed.text
    assert member["connection_status"] == "DENIED"
    assert f'id="member-guid">{member_guid}<' in sign_in(client, widget["url"])
    assert len(api_get(client, f"/users/{user_guid}/members")["members"]) == 1
