"""Re-authenticate an exchange from the console, over HTTP: the session, the partner's
update flow (driven here as a script would), and the exchange as the API shows it after."""

from __future__ import annotations

import re
from typing import Any

import pytest

from api.test_checkout_flow import exchange as card_exchange
from api.test_checkout_flow import payment_id
from console.test_console_flow_http import _flow_data
from console_user import ConsoleUser
from flows import public_token_of, submit


@pytest.fixture(params=["sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    """The console calls the API: one backend is enough."""
    return f"sqlite:///{tmp_path}/console-reauth.db"


def test_a_plaid_exchange_needing_a_login_is_re_authenticated_through_link_update_mode(
    console: ConsoleUser, client: Any, api: Any, linked: dict[str, str]
) -> None:
    exchange = linked["exchange"]
    assert api.post(f"/sandbox/exchanges/{exchange}/reset-login").status_code == 200
    page = console.get(f"/console/exchanges/{exchange}")
    assert 'data-testid="reauth-needed"' in page.text
    assert f'action="/console/exchanges/{exchange}/re-authenticate"' in page.text

    step2 = console.post(f"/console/exchanges/{exchange}/re-authenticate")
    assert step2.status_code == 200, step2.text[:2000]
    assert "<h1>Re-authenticate an exchange</h1>" in step2.text
    assert f"/exchanges/{exchange}/exchange-sessions" in step2.text  # the call, shown
    data = _flow_data(step2.text)
    assert data["partner"] == "plaid" and data["reauth"] is True
    assert f'action="/console/exchanges/{exchange}/re-authenticated"' in step2.text
    session = re.search(r'name="session" value="([^"]+)"', step2.text)
    assert session, step2.text[:2000]
    # A reload of step 2 shows the same session's flow.
    again = console.get(f"/console/exchanges/{exchange}/re-authenticate/{session.group(1)}")
    assert _flow_data(again.text)["linkToken"] == data["linkToken"]

    # Plaid Link in update mode: the same bank, a new login.
    linked_again = submit(
        client,
        f"/sandbox/plaid/link?token={data['linkToken']}",
        username="user_good",
        password="pass_good",
    )
    assert public_token_of(linked_again.text)

    done = console.get(f"/console/exchanges/{exchange}/re-authenticated?session={session.group(1)}")
    assert done.status_code == 200, done.text[:2000]
    assert '<strong data-testid="exchange-status">active</strong>' in done.text
    assert "not needed: Plaid shares the account's data again" in done.text
    assert "re-authenticate" not in api.get(f"/exchanges/{exchange}").json()["_links"]
    page = console.get(f"/console/exchanges/{exchange}")
    assert 'data-testid="reauth-needed"' not in page.text
    assert "The customer's login works" in page.text


def test_before_the_partner_flow_the_exchange_still_needs_the_login(
    console: ConsoleUser, api: Any, linked: dict[str, str]
) -> None:
    exchange = linked["exchange"]
    api.post(f"/sandbox/exchanges/{exchange}/reset-login")
    assert console.post(f"/console/exchanges/{exchange}/re-authenticate").status_code == 200
    done = console.get(f"/console/exchanges/{exchange}/re-authenticated")
    assert 'data-testid="reauth-state">still needed' in done.text


def test_a_card_exchange_says_it_is_not_re_authenticated_and_the_api_agrees(
    console: ConsoleUser, api: Any, customer: dict[str, Any]
) -> None:
    made = card_exchange(api, customer, payment_id(api, customer))
    exchange = made.headers["location"].rsplit("/", 1)[1]
    page = console.get(f"/console/exchanges/{exchange}")
    assert 'data-testid="no-reauth"' in page.text
    assert "/re-authenticate" not in page.text
    # What the page says is what the API answers.
    answer = api.post(f"/exchanges/{exchange}/exchange-sessions", {})
    assert answer.status_code == 403
    assert "does not support this product" in answer.text
    forced = console.post(f"/console/exchanges/{exchange}/re-authenticate")
    assert forced.status_code == 400
    assert 'role="alert">The exchange partner specified does not support this product' in (
        forced.text
    )
    assert 'data-testid="no-reauth"' in forced.text


def test_re_authenticate_needs_the_csrf_token_and_a_known_exchange(
    console: ConsoleUser, linked: dict[str, str]
) -> None:
    path = f"/console/exchanges/{linked['exchange']}/re-authenticate"
    assert console.post(path, {"go": "1"}, csrf=False).status_code == 403
    assert console.post("/console/exchanges/nope/re-authenticate").status_code == 404
    assert console.get("/console/exchanges/nope/re-authenticated").status_code == 404
