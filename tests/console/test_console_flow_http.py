"""Walk a flow and the sandbox levers over HTTP: each step's form, refusals, isolation.

Plaid Link is completed as a script would (its hosted page's forms); the browser tests
(``test_console_flow_browser.py``) drive all three partners' front ends in Chromium.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from starlette.testclient import TestClient

from api.test_checkout_flow import exchange as card_exchange
from api.test_checkout_flow import payment_id
from bankbridge.app import create_app
from bankbridge.domain.accounts import create_account
from console_user import ConsoleUser
from flows import complete_plaid_link, public_token_of, submit

PLAID = "cc37a51a-9674-5d46-b5d2-097d54ac7e8d"


@pytest.fixture(params=["sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    """The console calls the API: its storage is tested elsewhere, one backend is enough."""
    return f"sqlite:///{tmp_path}/console-flow.db"


def _flow_data(page: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/json" id="flow-data">(.*?)</script>', page, re.S)
    assert match, page[:2000]
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, (name, page[:2000])
    return html.unescape(match.group(1))


def _plaid_exchange_page(console: ConsoleUser, client: Any, customer_id: str) -> Any:
    """Steps 1 to 3 with Plaid: the step-4 page (the exchange created)."""
    step2 = console.post("/console/flow", {"customer": customer_id, "partner": "plaid"})
    assert step2.status_code == 200, step2.text[:2000]
    token = _flow_data(step2.text)["linkToken"]
    public_token = public_token_of(
        complete_plaid_link(client, f"/sandbox/plaid/link?token={token}").text
    )
    step4 = console.post(
        f"/console/flow/{customer_id}/exchanges",
        {"partner": "plaid", "session": _hidden(step2.text, "session"), "token": public_token},
    )
    assert step4.status_code == 200, step4.text[:2000]
    return step4


def test_the_start_page_offers_the_accounts_customers_and_enabled_partners(console, customer):
    page = console.get("/console/flow")
    assert page.status_code == 200
    assert f'<option value="{customer["id"]}"' in page.text
    assert [p for p in ("mx", "plaid", "checkout") if f'value="{p}"' in page.text] == [
        "mx",
        "plaid",
        "checkout",
    ]
    assert 'aria-current="page">Walk a flow' in page.text


def test_only_enabled_partners_are_offered_and_accepted(console_for, make_account, client):
    only_mx = make_account(partners=["mx"])
    console = console_for(only_mx)
    page = console.get("/console/flow")
    assert 'value="mx"' in page.text and 'value="plaid"' not in page.text
    refused = console.post(
        "/console/flow", {"partner": "plaid", "firstName": "A", "lastName": "B", "email": "a@b.c"}
    )
    assert refused.status_code == 400
    assert "Pick one of the account&#39;s partners." in refused.text


def test_a_plaid_walk_ends_in_a_verified_funding_source_with_each_call_shown(console, client, api):
    step2 = console.post(
        "/console/flow",
        {"partner": "plaid", "firstName": "Walk", "lastName": "Er", "email": "walk@example.com"},
    )
    assert step2.status_code == 200, step2.text[:2000]
    # Step 1's calls (customer, session) and step 2's reads, each as curl and dwollav2.
    calls = re.findall(r'<span class="method">(\w+)</span> <code>([^<]+)</code>', step2.text)
    assert [(m, u.split("/", 3)[3].split("/")[0]) for m, u in calls] == [
        ("POST", "customers"),
        ("POST", "customers"),
        ("GET", "exchange-sessions"),
        ("GET", "customers"),
    ]
    assert "token.post(" in step2.text and "curl -X POST" in step2.text
    assert 'src="/sandbox/plaid/link/v2/stable/link-initialize.js"' in step2.text
    assert '<script src="/console/static/flow.js"></script>' in step2.text
    customer_id = api.get("/customers").json()["_embedded"]["customers"][0]["id"]

    # Reload: the walk's state is in the URL.
    session_id = _hidden(step2.text, "session")
    again = console.get(f"/console/flow/{customer_id}/sessions/{session_id}")
    assert _flow_data(again.text) == _flow_data(step2.text)

    step4 = _plaid_exchange_page(console, client, customer_id)
    exchange_id = _hidden(step4.text, "exchange")
    assert api.get(f"/exchanges/{exchange_id}").json()["status"] == "active"
    done = console.post(
        f"/console/flow/{customer_id}/funding-sources",
        {
            "partner": "plaid",
            "session": session_id,
            "exchange": exchange_id,
            "name": "Walked checking",
            "bankAccountType": "checking",
        },
    )
    assert done.status_code == 200, done.text[:2000]
    assert '<strong data-testid="funding-status">verified</strong>' in done.text
    assert 'data-testid="balance"' in done.text
    (source,) = api.get(f"/customers/{customer_id}/funding-sources").json()["_embedded"][
        "funding-sources"
    ]
    assert (source["name"], source["status"]) == ("Walked checking", "verified")


def test_a_wrong_token_or_account_type_is_shown_as_the_apis_error(console, client, customer):
    cid = customer["id"]
    step2 = console.post("/console/flow", {"customer": cid, "partner": "plaid"})
    session_id = _hidden(step2.text, "session")
    bad = console.post(
        f"/console/flow/{cid}/exchanges",
        {"partner": "plaid", "session": session_id, "token": "public-sandbox-nope"},
    )
    assert bad.status_code == 400
    assert 'role="alert"' in bad.text and "InvalidExchangeToken" in bad.text
    step4 = _plaid_exchange_page(console, client, cid)
    wrong = console.post(
        f"/console/flow/{cid}/funding-sources",
        {
            "partner": "plaid",
            "session": session_id,
            "exchange": _hidden(step4.text, "exchange"),
            "name": "Mislabelled",
            "bankAccountType": "savings",
        },
    )
    assert wrong.status_code == 400
    assert "bankAccountType must be checking" in wrong.text
    assert 'aria-describedby="e-bankAccountType"' in wrong.text


def test_mx_without_a_connected_member_says_so(console, customer):
    cid = customer["id"]
    step2 = console.post("/console/flow", {"customer": cid, "partner": "mx"})
    assert 'id="mx-connect"' in step2.text and 'referrerpolicy="origin"' in step2.text
    early = console.post(
        f"/console/flow/{cid}/exchanges",
        {"partner": "mx", "session": _hidden(step2.text, "session")},
    )
    assert early.status_code == 400
    assert "MX has no connected account for this customer yet" in early.text


def test_an_mx_savings_account_defaults_step_4_to_savings_from_its_name(console, client, customer):
    cid = customer["id"]
    step2 = console.post("/console/flow", {"customer": cid, "partner": "mx"})
    connected = submit(
        client, _flow_data(step2.text)["connectUrl"], username="mxuser", password="password"
    )
    assert connected.status_code == 200, connected.text[:2000]
    session = _hidden(step2.text, "session")
    step3 = console.post(f"/console/flow/{cid}/exchanges", {"partner": "mx", "session": session})
    assert step3.status_code == 200, step3.text[:2000]
    offered = re.findall(
        r'name="offered" value="([^"]+)">\s*<input type="hidden" name="offered_name" '
        r'value="([^"]+)">',
        step3.text,
    )
    names = {html.unescape(name): html.unescape(token) for token, name in offered}
    assert set(names) == {"MX Bank Checking", "MX Bank Savings"}, offered
    form = {
        "partner": "mx",
        "session": session,
        "connection": names["MX Bank Savings"],
        "offered": [token for token, _ in offered],
        "offered_name": [name for _, name in offered],
    }
    step4 = console.post(f"/console/flow/{cid}/exchanges", form)
    assert step4.status_code == 200, step4.text[:2000]
    assert '<option value="savings" selected>savings</option>' in step4.text
    assert 'value="MX savings"' in step4.text
    source = console.post(
        f"/console/flow/{cid}/funding-sources",
        {
            "partner": "mx",
            "session": session,
            "exchange": _hidden(step4.text, "exchange"),
            "name": "MX savings",
            "bankAccountType": "savings",
        },
    )
    assert '<strong data-testid="funding-status">verified</strong>' in source.text


def test_the_checkout_step_carries_the_accounts_public_key(console, customer, account):
    step2 = console.post("/console/flow", {"customer": customer["id"], "partner": "checkout"})
    data = _flow_data(step2.text)
    assert data["publicKey"].startswith("pk_sbox_")
    assert data["paymentSession"]["id"].startswith("ps_")
    assert step2.headers["content-security-policy"].count("'unsafe-inline'") == 0


def test_another_accounts_customer_or_session_is_not_found(
    console_for, make_account, console, customer
):
    other = console_for(make_account())
    step2 = console.post("/console/flow", {"customer": customer["id"], "partner": "plaid"})
    session_id = _hidden(step2.text, "session")
    for response in (
        other.post("/console/flow", {"customer": customer["id"], "partner": "plaid"}),
        other.get(f"/console/flow/{customer['id']}/sessions/{session_id}"),
        other.post(
            f"/console/flow/{customer['id']}/exchanges",
            {"partner": "plaid", "session": session_id, "token": "public-sandbox-x"},
        ),
    ):
        assert response.status_code == 404, response.status_code
        assert session_id not in response.text.replace(f"/sessions/{session_id}", "")


# --- Sandbox levers -------------------------------------------------------------------


def test_reset_login_shows_the_exchange_needing_re_authentication(console, client, customer, api):
    step4 = _plaid_exchange_page(console, client, customer["id"])
    exchange_id = _hidden(step4.text, "exchange")
    page = console.get(f"/console/exchanges/{exchange_id}")
    assert f'action="/console/exchanges/{exchange_id}/sandbox/reset-login"' in page.text
    pulled = console.post(f"/console/exchanges/{exchange_id}/sandbox/reset-login")
    assert pulled.status_code == 200, pulled.text[:2000]
    assert f"/sandbox/exchanges/{exchange_id}/reset-login: the API answered 200" in pulled.text
    assert 'data-testid="reauth"' in pulled.text
    assert "re-authenticate" in api.get(f"/exchanges/{exchange_id}").json()["_links"]
    topics = [e["topic"] for e in api.get("/events").json()["_embedded"]["events"]]
    assert "customer_exchange_reauth_required" in topics


def test_a_partner_webhook_repairs_the_login_and_another_revokes_the_exchange(
    console, client, customer, api
):
    step4 = _plaid_exchange_page(console, client, customer["id"])
    exchange_id = _hidden(step4.text, "exchange")
    console.post(f"/console/exchanges/{exchange_id}/sandbox/reset-login")
    page = console.get(f"/console/exchanges/{exchange_id}")
    assert "<option>LOGIN_REPAIRED</option>" in page.text and "Reset login" not in page.text
    lever = f"/console/exchanges/{exchange_id}/sandbox/partner-webhooks"
    repaired = console.post(lever, {"webhookCode": "LOGIN_REPAIRED"})
    assert repaired.status_code == 200, repaired.text[:2000]
    assert 'data-testid="reauth"' not in repaired.text
    assert "re-authenticate" not in api.get(f"/exchanges/{exchange_id}").json()["_links"]
    unknown = console.post(lever, {"webhookCode": "MEMBER_DELETED"})
    assert unknown.status_code == 400 and "webhookCode must be one of: ERROR" in unknown.text
    revoked = console.post(lever, {"webhookCode": "USER_PERMISSION_REVOKED"})
    assert '<dd data-testid="resource-status">deactivated</dd>' in revoked.text
    assert "no lever acts on it any more" in revoked.text


def test_a_card_exchange_offers_no_levers_and_refuses_reset_login_with_the_apis_error(
    console, customer, api
):
    made = card_exchange(api, customer, payment_id(api, customer))
    exchange_id = made.headers["location"].rsplit("/", 1)[1]
    page = console.get(f"/console/exchanges/{exchange_id}")
    assert "Card exchanges have no login to reset" in page.text
    refused = console.post(f"/console/exchanges/{exchange_id}/sandbox/reset-login")
    assert refused.status_code == 400
    assert 'role="alert"' in refused.text and "does not support this product" in refused.text


def test_set_balance_shows_the_new_balance_and_refuses_bad_amounts(console, client, customer):
    cid = customer["id"]
    step4 = _plaid_exchange_page(console, client, cid)
    done = console.post(
        f"/console/flow/{cid}/funding-sources",
        {
            "partner": "plaid",
            "session": _hidden(step4.text, "session"),
            "exchange": _hidden(step4.text, "exchange"),
            "name": "Checking",
            "bankAccountType": "checking",
        },
    )
    source_id = re.search(r'href="/console/funding-sources/([^"]+)"', done.text).group(1)
    page = console.get(f"/console/funding-sources/{source_id}")
    assert f'action="/console/funding-sources/{source_id}/sandbox/balance"' in page.text
    set_it = console.post(
        f"/console/funding-sources/{source_id}/sandbox/balance",
        {"available": "12.34", "closing": "56.78"},
    )
    assert set_it.status_code == 200, set_it.text[:2000]
    assert "12.34 USD available · 56.78 USD closing" in set_it.text
    bad = console.post(f"/console/funding-sources/{source_id}/sandbox/balance", {"closing": "lots"})
    assert bad.status_code == 400
    assert 'role="alert"' in bad.text
    assert 'aria-describedby="e-closing"' in bad.text and 'value="lots"' in bad.text


def test_a_fault_is_listed_fails_the_next_call_and_is_cleared(console, customer):
    added = console.post(
        "/console/sandbox/faults",
        {"partner": "Plaid", "fault": "error", "error": "INSTITUTION_DOWN", "calls": "1"},
    )
    assert added.status_code == 200, added.text[:2000]
    assert "<td>Plaid</td><td>error</td><td>INSTITUTION_DOWN</td>" in added.text
    failed = console.post("/console/flow", {"customer": customer["id"], "partner": "plaid"})
    assert failed.status_code == 502
    assert 'role="alert"' in failed.text
    console.post("/console/sandbox/faults", {"partner": "MX", "fault": "unavailable"})
    cleared = console.post("/console/sandbox/faults/clear")
    assert cleared.status_code == 200
    assert "No faults: every emulated partner answers as usual." in cleared.text


@pytest.mark.parametrize(
    ("form", "shown"),
    [
        ({"partner": "Plaid", "fault": "error", "error": "BAD_GATEWAY"}, "Error must be one of"),
        ({"partner": "MX", "fault": "slow", "delaySeconds": "soon"}, "delaySeconds must be"),
        ({"partner": "MX", "fault": "slow"}, "DelaySeconds is required."),
        ({"partner": "Nobody", "fault": "slow", "delaySeconds": "1"}, 'role="alert"'),
        ({"partner": "MX", "fault": "unavailable", "calls": "0"}, 'role="alert"'),
    ],
)
def test_bad_fault_input_is_refused_with_a_clear_error(console, form, shown):
    response = console.post("/console/sandbox/faults", form)
    assert response.status_code == 400, response.text[:2000]
    assert shown in response.text


@pytest.mark.parametrize(
    "path",
    [
        "/console/sandbox/faults",
        "/console/sandbox/faults/clear",
        "/console/exchanges/x/sandbox/reset-login",
        "/console/exchanges/x/sandbox/partner-webhooks",
        "/console/funding-sources/x/sandbox/balance",
        "/console/flow",
    ],
)
def test_lever_and_flow_forms_refuse_posts_without_csrf_or_from_another_site(console, path):
    assert (
        console.post(path, {"partner": "MX", "fault": "unavailable"}, csrf=False).status_code == 403
    )
    foreign = console.post(
        path, {"partner": "MX", "fault": "unavailable"}, headers={"Origin": "http://evil.test"}
    )
    assert foreign.status_code == 403
    assert console.get("/console/sandbox").text.count("<td>MX</td>") == 0


def test_another_accounts_exchange_and_funding_source_are_not_found(
    console, console_for, make_account, client, customer
):
    step4 = _plaid_exchange_page(console, client, customer["id"])
    exchange_id = _hidden(step4.text, "exchange")
    other = console_for(make_account())
    for path in (
        f"/console/exchanges/{exchange_id}/sandbox/reset-login",
        f"/console/exchanges/{exchange_id}/sandbox/partner-webhooks",
        f"/console/funding-sources/{exchange_id}/sandbox/balance",
    ):
        response = other.post(path, {"closing": "1.00"})
        assert response.status_code == 404, (path, response.status_code)
        assert exchange_id not in response.text.replace(path, "")


def test_outside_sandbox_mode_there_is_no_sandbox_page_and_no_lever(settings):
    nowhere = {"base_url": "http://127.0.0.1:9", "client_id": "c", "secret": "s"}
    remote = settings.with_changes(
        mode="remote", partner_overrides={p: nowhere for p in ("mx", "plaid", "checkout")}
    )
    with TestClient(create_app(remote), base_url="http://testserver") as client:
        store = client.app.state.services.store
        made = client.portal.call(create_account, store, "Remote", [], [])
        console = ConsoleUser.sign_in(client, made.application.key, made.secret)
        assert console.get("/console/sandbox").status_code == 404
        assert 'href="/console/sandbox"' not in console.get("/console/flow").text
        for path in (
            "/console/sandbox/faults",
            "/console/exchanges/x/sandbox/reset-login",
            "/console/exchanges/x/sandbox/partner-webhooks",
            "/console/funding-sources/x/sandbox/balance",
        ):
            assert console.post(path, {"partner": "MX", "fault": "slow"}).status_code == 404
