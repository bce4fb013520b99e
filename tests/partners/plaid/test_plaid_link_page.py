"""The hosted Plaid Link page, end to end through its HTML form (GET, then POST)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from plaid_support import PlaidPost, assert_plaid_error
from starlette.testclient import TestClient

import bankbridge.clock

LinkToken = Callable[..., str]
GOOD = {"institution_id": "ins_109508", "username": "user_good", "password": "pass_good"}


def _submit(client: TestClient, token: str, **form: str) -> httpx.Response:
    return client.post(
        "/sandbox/plaid/link", data={"token": token, **GOOD, **form}, follow_redirects=False
    )


def _public_token(html: str) -> str:
    match = re.search(r'id="public_token">([^<]+)<', html)
    assert match, html
    return match.group(1)


def test_link_page_shows_a_form_with_first_platypus_bank_selected(
    client: TestClient, link_token: LinkToken
) -> None:
    response = client.get("/sandbox/plaid/link", params={"token": link_token()})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<form method="post"' in response.text
    assert '<option value="ins_109508" selected>First Platypus Bank</option>' in response.text
    assert 'name="username"' in response.text and 'name="password"' in response.text


def test_good_credentials_show_the_accounts_and_an_exchangeable_public_token(
    client: TestClient, link_token: LinkToken, plaid: PlaidPost
) -> None:
    response = _submit(client, link_token())

    assert response.status_code == 200
    assert "Plaid Checking" in response.text and "Plaid Saving" in response.text
    public_token = _public_token(response.text)
    assert public_token.startswith("public-sandbox-")
    exchanged = plaid("/item/public_token/exchange", {"public_token": public_token})
    assert exchanged.status_code == 200
    item = plaid("/item/get", {"access_token": exchanged.json()["access_token"]}).json()["item"]
    assert item["institution_id"] == "ins_109508"


def test_good_credentials_redirect_to_the_redirect_uri_keeping_its_query(
    client: TestClient, link_token: LinkToken, plaid: PlaidPost
) -> None:
    token = link_token(redirect_uri="https://platform.example/return?state=abc")

    response = _submit(client, token)

    assert response.status_code == 303
    location = urlsplit(response.headers["location"])
    assert (location.scheme, location.netloc, location.path) == (
        "https",
        "platform.example",
        "/return",
    )
    query = parse_qs(location.query)
    assert query["state"] == ["abc"]
    exchanged = plaid("/item/public_token/exchange", {"public_token": query["public_token"][0]})
    assert exchanged.status_code == 200


def test_the_chosen_institution_becomes_the_items_institution(
    client: TestClient, link_token: LinkToken, plaid: PlaidPost
) -> None:
    response = _submit(client, link_token(), institution_id="ins_109511")

    exchanged = plaid("/item/public_token/exchange", {"public_token": _public_token(response.text)})
    item = plaid("/item/get", {"access_token": exchanged.json()["access_token"]}).json()["item"]
    assert item["institution_name"] == "Tartan Bank"


@pytest.mark.parametrize(
    ("username", "password", "code"),
    [
        ("user_good", "wrong", "INVALID_CREDENTIALS"),
        ("someone", "pass_good", "INVALID_CREDENTIALS"),
        ("user_good", "error_INVALID_CREDENTIALS", "INVALID_CREDENTIALS"),
        ("user_good", "error_ITEM_LOCKED", "ITEM_LOCKED"),
        ("user_good", "error_INSTITUTION_DOWN", "INSTITUTION_DOWN"),
    ],
)
def test_failed_logins_show_the_error_and_keep_the_token_usable(
    client: TestClient, link_token: LinkToken, username: str, password: str, code: str
) -> None:
    token = link_token()

    failed = _submit(client, token, username=username, password=password)
    retried = _submit(client, token)

    assert failed.status_code == 200
    assert code in failed.text
    assert "public-sandbox-" not in failed.text
    assert retried.status_code == 200 and _public_token(retried.text)


def test_the_locked_error_shows_plaids_display_message(
    client: TestClient, link_token: LinkToken
) -> None:
    response = _submit(client, link_token(), password="error_ITEM_LOCKED")

    assert "your account is locked" in response.text


def test_a_completed_link_token_cannot_be_used_again(
    client: TestClient, link_token: LinkToken
) -> None:
    token = link_token()
    _submit(client, token)

    again = _submit(client, token)
    page = client.get("/sandbox/plaid/link", params={"token": token})

    assert again.status_code == 410 and "public-sandbox-" not in again.text
    assert page.status_code == 410 and "expired or was already completed" in page.text


def test_an_unknown_link_token_shows_a_not_found_page(client: TestClient) -> None:
    get = client.get("/sandbox/plaid/link", params={"token": "link-sandbox-unknown"})
    post = _submit(client, "link-sandbox-unknown")
    bare = client.get("/sandbox/plaid/link")

    assert get.status_code == post.status_code == bare.status_code == 404
    assert "Link session not found" in get.text


def test_an_expired_link_token_shows_a_gone_page(
    client: TestClient, link_token: LinkToken, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = link_token()
    later = bankbridge.clock.now() + timedelta(hours=4, seconds=1)
    monkeypatch.setattr(bankbridge.clock, "now", lambda: later)

    get = client.get("/sandbox/plaid/link", params={"token": token})
    post = _submit(client, token)

    assert get.status_code == post.status_code == 410
    assert "Link session expired" in get.text


def test_page_output_is_html_escaped(client: TestClient, link_token: LinkToken) -> None:
    token = link_token(client_name="<script>alert(1)</script>")

    page = client.get("/sandbox/plaid/link", params={"token": token})
    failed = _submit(client, token, username='"><b>x</b>', password="nope")

    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;" in page.text
    assert "<b>x</b>" not in failed.text


def test_update_mode_link_clears_item_login_required_without_a_new_item(
    client: TestClient, link_token: LinkToken, plaid: PlaidPost, access_token: str
) -> None:
    plaid("/sandbox/item/reset_login", {"access_token": access_token})
    item_id = plaid("/item/get", {"access_token": access_token}).json()["item"]["item_id"]
    token = link_token(access_token=access_token, products=None)

    page = client.get("/sandbox/plaid/link", params={"token": token})
    failed = _submit(client, token, password="wrong")
    assert_plaid_error(
        plaid("/auth/get", {"access_token": access_token}), 400, "ITEM_ERROR", "ITEM_LOGIN_REQUIRED"
    )
    done = _submit(client, token)

    assert "Re-connect First Platypus Bank" in page.text
    assert "INVALID_CREDENTIALS" in failed.text
    assert done.status_code == 200 and "Account re-connected" in done.text
    assert "public-sandbox-" not in done.text
    auth = plaid("/auth/get", {"access_token": access_token})
    assert auth.status_code == 200
    assert auth.json()["item"]["item_id"] == item_id and auth.json()["item"]["error"] is None
