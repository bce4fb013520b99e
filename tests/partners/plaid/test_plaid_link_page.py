"""Plaid Link's hosted page as a plain form (no drop-in): its views, end to end by HTTP."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from plaid_support import PlaidPost, assert_plaid_error
from starlette.testclient import TestClient

import bankbridge.clock
from flows import complete_plaid_link, public_token_of, read_form

LinkToken = Callable[..., str]
LINK = "/sandbox/plaid/link"
GOOD = {"institution_id": "ins_109508", "username": "user_good", "password": "pass_good"}


def _open(client: TestClient, token: str) -> httpx.Response:
    return client.get(LINK, params={"token": token})


def _post(client: TestClient, page: httpx.Response, **fields: str) -> httpx.Response:
    """Post the page's first form with ``fields`` filled in (as a browser would)."""
    form = read_form(page.text)
    data = {k: v for k, v in form["fields"].items() if v} | fields
    return client.post(form["action"], data=data, follow_redirects=False)


def _login(client: TestClient, token: str, **fields: str) -> httpx.Response:
    return _post(client, _open(client, token), **{**GOOD, **fields})


def _accounts(page: httpx.Response) -> dict[str, str]:
    """subtype -> account id of the account selection view."""
    found = re.findall(r'name="account_id" value="([^"]+)"\s+data-subtype="([^"]+)"', page.text)
    return {subtype: account_id for account_id, subtype in found}


def _exchange(plaid: PlaidPost, public_token: str) -> str:
    exchanged = plaid("/item/public_token/exchange", {"public_token": public_token})
    assert exchanged.status_code == 200, exchanged.text
    access: str = exchanged.json()["access_token"]
    return access


def test_link_opens_on_institution_selection_with_plaids_sandbox_banks(
    client: TestClient, link_token: LinkToken
) -> None:
    page = _open(client, link_token())

    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Select your bank" in page.text
    assert 'data-institution-id="ins_109508">First Platypus Bank<' in page.text
    assert 'data-institution-id="ins_109511">Tartan Bank<' in page.text


def test_institution_search_filters_the_banks_and_says_when_none_match(
    client: TestClient, link_token: LinkToken
) -> None:
    page = _open(client, link_token())

    found = _post(client, page, action="search", q="tartan")
    none = _post(client, page, action="search", q="no such bank")

    assert "Tartan Bank" in found.text and "First Platypus Bank" not in found.text
    assert 'No results for "no such bank"' in none.text


def test_picking_a_bank_asks_for_its_login(client: TestClient, link_token: LinkToken) -> None:
    page = _post(client, _open(client, link_token()), institution_id="ins_109510")

    assert "Log in to Tattersall Federal Credit Union" in page.text
    assert 'name="username"' in page.text and 'name="password"' in page.text


def test_a_good_login_offers_the_items_accounts_to_choose_from(
    client: TestClient, link_token: LinkToken
) -> None:
    page = _login(client, link_token())

    assert page.status_code == 200 and "Select an account" in page.text
    assert set(_accounts(page)) == {"checking", "savings"}
    assert "Plaid Checking" in page.text and "Plaid Saving" in page.text
    assert "public-sandbox-" not in page.text


def test_the_chosen_savings_account_is_the_only_account_the_item_shares(
    client: TestClient, link_token: LinkToken, plaid: PlaidPost
) -> None:
    accounts = _login(client, link_token())
    savings = _accounts(accounts)["savings"]

    done = _post(client, accounts, account_id=savings)

    assert done.status_code == 200 and "Success" in done.text
    access = _exchange(plaid, public_token_of(done.text))
    auth = plaid("/auth/get", {"access_token": access}).json()
    listed = plaid("/accounts/get", {"access_token": access}).json()
    assert [a["account_id"] for a in auth["accounts"]] == [savings]
    assert [(a["account_id"], a["subtype"]) for a in listed["accounts"]] == [(savings, "savings")]
    assert auth["numbers"]["ach"][0]["account"] == "1111222233331111"
    processor = plaid(
        "/processor/token/create",
        {"access_token": access, "account_id": savings, "processor": "dwolla"},
    )
    assert processor.status_code == 200, processor.text


def test_posting_no_account_keeps_asking_for_one(client: TestClient, link_token: LinkToken) -> None:
    accounts = _login(client, link_token())

    again = _post(client, accounts)

    assert "Select an account" in again.text and "public-sandbox-" not in again.text


def test_the_link_tokens_account_filters_limit_the_accounts_offered(
    client: TestClient, link_token: LinkToken
) -> None:
    token = link_token(account_filters={"depository": {"account_subtypes": ["savings"]}})

    page = _login(client, token)

    assert set(_accounts(page)) == {"savings"}


def test_the_chosen_institution_becomes_the_items_institution(
    client: TestClient, link_token: LinkToken, plaid: PlaidPost
) -> None:
    done = complete_plaid_link(client, f"{LINK}?token={link_token()}")
    tartan = _post(client, _open(client, link_token()), **{**GOOD, "institution_id": "ins_109511"})
    done_tartan = _post(client, tartan, account_id=_accounts(tartan)["checking"])

    items = [
        plaid("/item/get", {"access_token": _exchange(plaid, public_token_of(page.text))})
        for page in (done, done_tartan)
    ]
    names = [response.json()["item"]["institution_name"] for response in items]
    assert names == ["First Platypus Bank", "Tartan Bank"]


@pytest.mark.parametrize(
    ("username", "password", "code"),
    [
        ("user_good", "wrong", "INVALID_CREDENTIALS"),
        ("someone", "pass_good", "INVALID_CREDENTIALS"),
        ("user_good", "error_INVALID_CREDENTIALS", "INVALID_CREDENTIALS"),
        ("user_good", "error_ITEM_LOCKED", "ITEM_LOCKED"),
        ("user_good", "error_INSTITUTION_DOWN", "INSTITUTION_DOWN"),
        ("user_good", "mfa_questions_0_1", "INVALID_CREDENTIALS"),
    ],
)
def test_a_failed_login_shows_the_error_in_link_and_try_again_goes_back_to_the_login(
    client: TestClient, link_token: LinkToken, username: str, password: str, code: str
) -> None:
    failed = _login(client, link_token(), username=username, password=password)

    retried = _post(client, failed)
    accounts = _post(client, retried, username="user_good", password="pass_good")

    assert failed.status_code == 200 and code in failed.text
    assert "Try again" in failed.text and "public-sandbox-" not in failed.text
    assert "Log in to First Platypus Bank" in retried.text
    assert "Select an account" in accounts.text


def test_the_locked_error_shows_plaids_display_message(
    client: TestClient, link_token: LinkToken
) -> None:
    page = _login(client, link_token(), password="error_ITEM_LOCKED")

    assert "your account is locked" in page.text


def test_mfa_device_sends_a_code_that_must_be_1234(
    client: TestClient, link_token: LinkToken
) -> None:
    token = link_token()
    device = _login(client, token, password="mfa_device")
    code = _post(client, device, device="phone")
    wrong = _post(client, code, code="9999")
    accounts = _post(client, _login(client, token, password="mfa_device"), device="email")

    assert "Where should we send your verification code?" in device.text
    assert 'name="code"' in code.text
    assert "INVALID_MFA" in wrong.text
    assert "Select an account" in _post(client, accounts, code="1234").text


def test_mfa_questions_take_rounds_of_answers(client: TestClient, link_token: LinkToken) -> None:
    first = _login(client, link_token(), password="mfa_questions_2_2")
    second = _post(client, first, answer_0="answer_0_0", answer_1="answer_0_1")
    done = _post(client, second, answer_0="answer_1_0", answer_1="answer_1_1")

    assert "question_0_0" in first.text and "question_0_1" in first.text
    assert "question_1_0" in second.text
    assert "Select an account" in done.text


def test_a_wrong_mfa_answer_is_invalid_mfa(client: TestClient, link_token: LinkToken) -> None:
    page = _login(client, link_token(), password="mfa_questions_1_1")

    wrong = _post(client, page, answer_0="answer_1_1")

    assert "INVALID_MFA" in wrong.text and "Select an account" not in wrong.text


@pytest.mark.parametrize(
    ("password", "answers"),
    [
        ("mfa_selections", {"answer_0": "Yes"}),
        ("mfa_selections_1_2_3", {"answer_0": "answer_0_0_0", "answer_1": "answer_0_1_0"}),
    ],
)
def test_mfa_selections_pass_with_the_documented_answers(
    client: TestClient, link_token: LinkToken, password: str, answers: dict[str, str]
) -> None:
    page = _login(client, link_token(), password=password)
    wrong = _post(client, _login(client, link_token(), password=password), answer_0="No")

    assert 'type="radio" name="answer_0"' in page.text
    assert "Select an account" in _post(client, page, **answers).text
    assert "INVALID_MFA" in wrong.text


def test_the_exit_control_asks_first_then_ends_the_session(
    client: TestClient, link_token: LinkToken
) -> None:
    token = link_token()
    page = _login(client, token, password="mfa_device")

    asked = _post(client, page, action="exit_prompt")
    resumed = _post(client, asked, action="resume")
    exited = _post(client, resumed, action="exit")
    after = _post(client, resumed, action="resume")

    assert "Are you sure you want to exit?" in asked.text
    assert "Where should we send your verification code?" in resumed.text
    assert "You exited Plaid Link" in exited.text
    assert after.status_code == 410
    assert "Select your bank" in _open(client, token).text  # the token itself stays usable


def test_a_redirect_uri_is_not_a_place_to_send_the_public_token(
    client: TestClient, link_token: LinkToken
) -> None:
    token = link_token(redirect_uri="https://platform.example/return")

    done = complete_plaid_link(client, f"{LINK}?token={token}")

    assert done.status_code == 200 and "location" not in done.headers
    assert public_token_of(done.text)


def test_a_completed_link_token_cannot_be_used_again(
    client: TestClient, link_token: LinkToken
) -> None:
    token = link_token()
    first = _login(client, token)
    second = _login(client, token)
    _post(client, first, account_id=_accounts(first)["checking"])

    late = _post(client, second, account_id=_accounts(second)["checking"])
    page = _open(client, token)

    assert late.status_code == 410 and "public-sandbox-" not in late.text
    assert page.status_code == 410 and "expired or was already completed" in page.text


def test_a_scripted_post_without_opening_the_page_starts_a_session(
    client: TestClient, link_token: LinkToken
) -> None:
    page = client.post(LINK, data={"token": link_token(), **GOOD})

    assert "Select an account" in page.text


def test_an_unknown_link_token_shows_a_not_found_page(client: TestClient) -> None:
    get = client.get(LINK, params={"token": "link-sandbox-unknown"})
    post = client.post(LINK, data={"token": "link-sandbox-unknown", **GOOD})
    bare = client.get(LINK)

    assert get.status_code == post.status_code == bare.status_code == 404
    assert "Link session not found" in get.text


def test_an_expired_link_token_shows_a_gone_page(
    client: TestClient, link_token: LinkToken, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = link_token()
    later = bankbridge.clock.now() + timedelta(hours=4, seconds=1)
    monkeypatch.setattr(bankbridge.clock, "now", lambda: later)

    get = _open(client, token)
    post = client.post(LINK, data={"token": token, **GOOD})

    assert get.status_code == post.status_code == 410
    assert "Link session expired" in get.text


def test_page_output_is_html_escaped(client: TestClient, link_token: LinkToken) -> None:
    token = link_token(client_name="<script>alert(1)</script>")

    page = _open(client, token)
    searched = _post(client, page, action="search", q='"><b>x</b>')

    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)" in page.text
    assert "<b>x</b>" not in searched.text


def test_update_mode_logs_in_to_the_items_bank_and_clears_item_login_required(
    client: TestClient, link_token: LinkToken, plaid: PlaidPost, access_token: str
) -> None:
    plaid("/sandbox/item/reset_login", {"access_token": access_token})
    before = plaid("/item/get", {"access_token": access_token}).json()["item"]
    token = link_token(access_token=access_token, products=None)

    page = _open(client, token)
    failed = _post(client, page, username="user_good", password="wrong")
    assert_plaid_error(
        plaid("/auth/get", {"access_token": access_token}), 400, "ITEM_ERROR", "ITEM_LOGIN_REQUIRED"
    )
    done = _post(client, _post(client, failed), username="user_good", password="pass_good")

    assert "Log in to First Platypus Bank again" in page.text
    assert "INVALID_CREDENTIALS" in failed.text
    assert done.status_code == 200 and "Account re-connected" in done.text
    exchanged = plaid("/item/public_token/exchange", {"public_token": public_token_of(done.text)})
    assert exchanged.json()["access_token"] == access_token
    auth = plaid("/auth/get", {"access_token": access_token}).json()
    assert auth["item"]["item_id"] == before["item_id"] and auth["item"]["error"] is None
    assert len(auth["accounts"]) == 2


def test_link_pages_send_the_hosted_page_security_headers(
    client: TestClient, link_token: LinkToken
) -> None:
    page = _open(client, link_token())

    policy = page.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in policy and "https://platform.example" in policy
    assert "form-action 'self'" in policy
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"


def test_link_pages_build_their_urls_from_the_public_url_not_the_host_header(
    client: TestClient, link_token: LinkToken
) -> None:
    page = client.get(LINK, params={"token": link_token()}, headers={"Host": "evil.example"})

    assert read_form(page.text)["action"] == "http://testserver/sandbox/plaid/link"
    assert "evil.example" not in page.text


def test_a_form_posted_from_another_site_is_refused(
    client: TestClient, link_token: LinkToken
) -> None:
    page = _open(client, link_token())
    form = read_form(page.text)
    data: dict[str, Any] = {k: v for k, v in form["fields"].items() if v} | GOOD

    forged = client.post(LINK, data=data, headers={"Origin": "https://evil.example"})
    hidden = client.post(
        LINK, data=data, headers={"Origin": "null", "Sec-Fetch-Site": "cross-site"}
    )
    own = client.post(LINK, data=data, headers={"Origin": "http://testserver"})
    # Our pages' no-referrer policy makes browsers send "Origin: null" on their own posts.
    own_no_referrer = client.post(
        LINK, data=data, headers={"Origin": "null", "Sec-Fetch-Site": "same-origin"}
    )

    assert forged.status_code == hidden.status_code == 403
    assert "public-sandbox-" not in forged.text
    assert own.status_code == 200 and "Select an account" in own.text
    assert own_no_referrer.status_code == 200


def test_an_oversized_form_is_refused_before_it_is_read(
    client: TestClient, link_token: LinkToken
) -> None:
    huge = "username=" + "a" * (1024 * 1024 + 1)

    response = client.post(
        LINK,
        content=huge,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert response.status_code == 413
