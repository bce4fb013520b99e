"""An unchanged react-plaid-link app links a bank through BankBridge, in a browser kept offline.

The app (``apps/plaid_link_app.jsx``) is bundled from the published npm packages and served
from its own origin; only ``https://cdn.plaid.com/`` is routed to BankBridge, every other
off-host request is blocked. The test plays the app's back end: it creates the customer and
the exchange session through the Dwolla API, hands the link token to the app, and turns the
``onSuccess`` public token into an exchange and a funding source.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import FrameLocator, Page, expect

from helpers import TEST_SECRET_KEY, sandbox_credentials
from live_server import LivePlatform
from support.frontend import APPS_DIR, Frontend
from support.offline_browser import (
    CDN_PATHS,
    PLAID_CDN,
    AppServer,
    OfflineContext,
    route_cdn,
    wait_until,
)
from support.plaid_link import EVENT_KEYS

pytestmark = pytest.mark.browser

LINK_FRAME = "iframe[title='Plaid Link']"
FIRST_PLATYPUS = {"name": "First Platypus Bank", "institution_id": "ins_109508"}


# -- the app's back end, through the Dwolla API ------------------------------------------------


def _partner_href(api: Any, name: str) -> str:
    partners = api.get("/exchange-partners").json()["_embedded"]["exchange-partners"]
    href: str = next(p for p in partners if p["name"] == name)["_links"]["self"]["href"]
    return href


def _customer(api: Any) -> str:
    created = api.post(
        "/customers", json={"firstName": "Jane", "lastName": "Doe", "email": "jane@example.com"}
    )
    assert created.status_code == 201, created.text
    location: str = created.headers["location"]
    return location


def _link_token(api: Any, customer: str) -> str:
    made = api.post(
        f"{customer}/exchange-sessions",
        json={"_links": {"exchange-partner": {"href": _partner_href(api, "Plaid")}}},
    )
    assert made.status_code == 201, made.text
    token: str = api.get(made.headers["location"]).json()["externalProviderSessionToken"]
    return token


def _funding_source(api: Any, customer: str, exchange: str, kind: str) -> dict[str, Any]:
    made = api.post(
        f"{customer}/funding-sources",
        json={
            "_links": {"exchange": {"href": exchange}},
            "bankAccountType": kind,
            "name": f"My {kind}",
        },
    )
    assert made.status_code == 201, made.text
    source: dict[str, Any] = api.get(made.headers["location"]).json()
    return source


# -- the browser side ----------------------------------------------------------------------------


def _open_app(
    frontend: Frontend,
    app_server: AppServer,
    offline: OfflineContext,
    bankbridge: LivePlatform,
    token: str,
    **config: Any,
) -> Page:
    route_cdn(offline.context, PLAID_CDN, bankbridge.base + CDN_PATHS[PLAID_CDN])
    bundle = frontend.bundle(APPS_DIR / "plaid_link_app.jsx")
    url = app_server.host_app(bundle, {"token": token, **config})
    page = offline.context.new_page()
    page.goto(url)
    return page


def _log(page: Page) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = page.evaluate("window.plaidLog")
    return entries


def _wait_for(page: Page, callback: str) -> dict[str, Any]:
    wait_until(page, lambda: any(e["callback"] == callback for e in _log(page)))
    return next(e for e in _log(page) if e["callback"] == callback)


def _events(page: Page) -> list[tuple[str, dict[str, Any]]]:
    return [(e["eventName"], e["metadata"]) for e in _log(page) if e["callback"] == "onEvent"]


def _log_in(link: FrameLocator, password: str = "pass_good") -> None:
    link.locator("[data-institution-id=ins_109508]").click()
    link.locator("#username").fill("user_good")
    link.locator("#password").fill(password)
    link.get_by_role("button", name="Submit").click()


def _assert_offline(offline: OfflineContext) -> None:
    assert offline.blocked == [], offline.blocked
    assert offline.errors == [], offline.errors


def test_react_plaid_link_links_a_savings_account_to_a_verified_savings_funding_source(
    frontend: Frontend,
    app_server: AppServer,
    bankbridge: LivePlatform,
    offline: OfflineContext,
) -> None:
    api = bankbridge.api
    customer = _customer(api)
    page = _open_app(
        frontend, app_server, offline, bankbridge, _link_token(api, customer), openWhenReady=True
    )
    link = page.frame_locator(LINK_FRAME)

    _log_in(link)
    link.locator("input[data-subtype=savings]").check()
    link.get_by_role("button", name="Continue").click()
    success = _wait_for(page, "onSuccess")

    # onSuccess(public_token, metadata), with the account the user picked.
    metadata = success["metadata"]
    assert success["publicToken"].startswith("public-sandbox-")
    assert set(metadata) == {"institution", "accounts", "link_session_id", "transfer_status"}
    assert metadata["institution"] == {
        "name": "First Platypus Bank",
        "institution_id": "ins_109508",
    }
    [account] = metadata["accounts"]
    assert set(account) == {
        "id", "name", "mask", "type", "subtype", "verification_status", "class_type"
    }  # fmt: skip
    assert (account["name"], account["mask"], account["subtype"]) == (
        "Plaid Saving",
        "1111",
        "savings",
    )
    assert metadata["transfer_status"] is None
    # Events: OPEN first, Plaid's names and full metadata, HANDOFF just before onSuccess.
    names = [name for name, _ in _events(page)]
    assert names[0] == "OPEN"
    assert names[-2:] == ["TRANSITION_VIEW", "HANDOFF"]
    assert {"SELECT_INSTITUTION", "SUBMIT_CREDENTIALS"} <= set(names)
    for _, event_metadata in _events(page):
        assert set(event_metadata) == EVENT_KEYS
        assert event_metadata["link_session_id"] == metadata["link_session_id"]
    views = [m["view_name"] for n, m in _events(page) if n == "TRANSITION_VIEW"]
    assert views == ["SELECT_INSTITUTION", "CREDENTIAL", "LOADING", "SELECT_ACCOUNT", "CONNECTED"]
    callbacks = [e["callback"] for e in _log(page) if e["callback"] != "onEvent"]
    assert callbacks == ["onLoad", "onSuccess"]  # exit() inside onSuccess did nothing
    expect(page.locator(LINK_FRAME)).to_be_hidden()

    # The app's back end: public token -> exchange -> funding source.
    exchange = api.post(
        f"{customer}/exchanges",
        json={
            "_links": {"exchange-partner": {"href": _partner_href(api, "Plaid")}},
            "plaid": {"publicToken": success["publicToken"]},
        },
    )
    assert exchange.status_code == 201, exchange.text
    source = _funding_source(api, customer, exchange.headers["location"], "savings")
    assert (source["status"], source["type"], source["bankAccountType"]) == (
        "verified",
        "bank",
        "savings",
    )
    assert source["bankName"] == "First Platypus Bank"
    _assert_offline(offline)


def test_an_error_is_shown_in_link_with_an_error_event_and_exit_reports_it(
    frontend: Frontend,
    app_server: AppServer,
    bankbridge: LivePlatform,
    offline: OfflineContext,
) -> None:
    api = bankbridge.api
    page = _open_app(frontend, app_server, offline, bankbridge, _link_token(api, _customer(api)))
    link = page.frame_locator(LINK_FRAME)
    page.locator("#open:enabled").click()

    _log_in(link, password="error_INSTITUTION_DOWN")
    expect(link.locator("[role=alert]")).to_contain_text("INSTITUTION_DOWN")
    wait_until(page, lambda: any(name == "ERROR" for name, _ in _events(page)))
    error_event = next(m for n, m in _events(page) if n == "ERROR")
    assert (error_event["error_type"], error_event["error_code"]) == (
        "INSTITUTION_ERROR",
        "INSTITUTION_DOWN",
    )
    assert error_event["error_message"]
    assert error_event["institution_id"] == "ins_109508"

    link.get_by_role("button", name="Close").click()  # Link's exit control asks first...
    link.get_by_role("button", name="Exit", exact=True).click()  # ...then leaves
    exited = _wait_for(page, "onExit")

    error, metadata = exited["error"], exited["metadata"]
    assert set(error) == {"error_type", "error_code", "error_message", "display_message"}
    assert error["error_code"] == "INSTITUTION_DOWN"
    assert set(metadata) == {"institution", "status", "link_session_id", "request_id"}
    assert metadata["status"] == "requires_credentials"
    assert metadata["institution"] == {
        "name": "First Platypus Bank",
        "institution_id": "ins_109508",
    }
    names = [name for name, _ in _events(page)]
    assert names[-1] == "EXIT" and "TRANSITION_VIEW" in names
    exit_event = _events(page)[-1][1]
    assert (exit_event["exit_status"], exit_event["error_code"]) == (
        "requires_credentials",
        "INSTITUTION_DOWN",
    )
    expect(page.locator(LINK_FRAME)).to_be_hidden()
    _assert_offline(offline)


def test_a_wrong_mfa_code_is_an_error_event_and_the_app_can_close_link(
    frontend: Frontend,
    app_server: AppServer,
    bankbridge: LivePlatform,
    offline: OfflineContext,
) -> None:
    api = bankbridge.api
    page = _open_app(frontend, app_server, offline, bankbridge, _link_token(api, _customer(api)))
    link = page.frame_locator(LINK_FRAME)
    page.locator("#open:enabled").click()

    _log_in(link, password="mfa_device")
    link.get_by_role("button", name="Send code").click()
    link.locator("#code").fill("0000")
    link.get_by_role("button", name="Submit").click()
    expect(link.locator("[role=alert]")).to_contain_text("INVALID_MFA")
    # The app calls exit({force: true}) (Link covers the page: no pointer reaches the app).
    page.locator("#close").dispatch_event("click")
    exited = _wait_for(page, "onExit")

    mfa = [m["mfa_type"] for n, m in _events(page) if n in ("TRANSITION_VIEW", "SUBMIT_MFA")]
    assert [t for t in mfa if t] == ["device", "device", "code", "code"]
    assert exited["error"]["error_code"] == "INVALID_MFA"
    assert exited["metadata"]["status"] == "requires_credentials"
    _assert_offline(offline)


def test_exit_before_any_error_gives_on_exit_with_a_null_error(
    frontend: Frontend,
    app_server: AppServer,
    bankbridge: LivePlatform,
    offline: OfflineContext,
) -> None:
    api = bankbridge.api
    page = _open_app(frontend, app_server, offline, bankbridge, _link_token(api, _customer(api)))
    page.locator("#open:enabled").click()
    link = page.frame_locator(LINK_FRAME)
    expect(link.get_by_text("Select your bank")).to_be_visible()

    page.locator("#close").dispatch_event("click")
    exited = _wait_for(page, "onExit")

    assert exited["error"] is None
    assert exited["metadata"]["institution"] is None
    assert exited["metadata"]["status"] == "requires_credentials"
    assert [n for n, _ in _events(page)][:2] == ["OPEN", "TRANSITION_VIEW"]
    assert _events(page)[-1][0] == "EXIT"
    _assert_offline(offline)


def test_accounts_0_id_makes_a_processor_token_with_the_accounts_own_plaid_credentials(
    frontend: Frontend,
    app_server: AppServer,
    bankbridge: LivePlatform,
    offline: OfflineContext,
) -> None:
    # The platform runs Plaid itself with its account's sandbox credentials (as with real
    # Plaid) and hands Dwolla a processor token.
    credentials = sandbox_credentials("plaid", bankbridge.account.account.id, TEST_SECRET_KEY)
    plaid_headers = {
        "PLAID-CLIENT-ID": credentials.client_id,
        "PLAID-SECRET": credentials.secret,
    }

    def plaid(path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = bankbridge.api.post(f"/sandbox/plaid{path}", json=body, headers=plaid_headers)
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer

    token = plaid(
        "/link/token/create",
        {
            "client_name": "Acme",
            "language": "en",
            "country_codes": ["US"],
            "user": {"client_user_id": "user-1"},
            "products": ["auth"],
        },
    )["link_token"]
    page = _open_app(frontend, app_server, offline, bankbridge, token, openWhenReady=True)
    link = page.frame_locator(LINK_FRAME)
    _log_in(link)
    link.locator("input[data-subtype=checking]").check()
    link.get_by_role("button", name="Continue").click()
    success = _wait_for(page, "onSuccess")

    access = plaid("/item/public_token/exchange", {"public_token": success["publicToken"]})
    processor = plaid(
        "/processor/token/create",
        {
            "access_token": access["access_token"],
            "account_id": success["metadata"]["accounts"][0]["id"],
            "processor": "dwolla",
        },
    )["processor_token"]
    api = bankbridge.api
    customer = _customer(api)
    exchange = api.post(
        f"{customer}/exchanges",
        json={
            "_links": {"exchange-partner": {"href": _partner_href(api, "Plaid")}},
            "token": processor,
        },
    )
    assert exchange.status_code == 201, exchange.text
    source = _funding_source(api, customer, exchange.headers["location"], "checking")
    assert (source["status"], source["bankAccountType"]) == ("verified", "checking")
    _assert_offline(offline)


def test_update_mode_link_repairs_the_exchange_through_the_same_drop_in(
    frontend: Frontend,
    app_server: AppServer,
    bankbridge: LivePlatform,
    offline: OfflineContext,
) -> None:
    api = bankbridge.api
    customer = _customer(api)
    first = _open_app(
        frontend, app_server, offline, bankbridge, _link_token(api, customer), openWhenReady=True
    )
    _log_in(first.frame_locator(LINK_FRAME))
    first.frame_locator(LINK_FRAME).locator("input[data-subtype=checking]").check()
    first.frame_locator(LINK_FRAME).get_by_role("button", name="Continue").click()
    linked = _wait_for(first, "onSuccess")
    exchange = api.post(
        f"{customer}/exchanges", json={"plaid": {"publicToken": linked["publicToken"]}}
    ).headers["location"]
    reset = api.post(f"/sandbox/exchanges/{exchange.rsplit('/', 1)[1]}/reset-login")
    assert reset.status_code == 200, reset.text
    session = api.post(f"{exchange}/exchange-sessions", json={})
    assert session.status_code == 201, session.text
    token = api.get(session.headers["location"]).json()["externalProviderSessionToken"]

    page = _open_app(frontend, app_server, offline, bankbridge, token, openWhenReady=True)
    link = page.frame_locator(LINK_FRAME)
    expect(link.get_by_text("Log in to First Platypus Bank again")).to_be_visible()
    link.locator("#username").fill("user_good")
    link.locator("#password").fill("pass_good")
    link.get_by_role("button", name="Submit").click()
    repaired = _wait_for(page, "onSuccess")

    assert repaired["metadata"]["accounts"] == linked["metadata"]["accounts"]
    assert [n for n, _ in _events(page)][-1] == "HANDOFF"
    deadline = time.monotonic() + 10
    while "re-authenticate" in api.get(exchange).json()["_links"]:
        assert time.monotonic() < deadline, "the exchange still asks for re-authentication"
        time.sleep(0.1)
    _assert_offline(offline)


# -- Plaid's <script src> form, driven directly --------------------------------------------------

VANILLA_APP = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Vanilla app</title></head>
<body>
<script src="https://cdn.plaid.com/link/v2/stable/link-initialize.js"></script>
<script>
  window.plaidLog = [];
  window.makeHandler = function (token, exitOnSuccess) {
    var log = function (entry) { window.plaidLog.push(entry); };
    var handler = Plaid.create({
      token: token,
      onLoad: function () { log({callback: "onLoad"}); },
      onSuccess: function (publicToken, metadata) {
        log({callback: "onSuccess", publicToken: publicToken, metadata: metadata});
        if (exitOnSuccess) { handler.exit(); }
      },
      onExit: function (error, metadata) {
        log({callback: "onExit", error: error, metadata: metadata});
      },
      onEvent: function (eventName, metadata) {
        log({callback: "onEvent", eventName: eventName, metadata: metadata});
      },
    });
    return handler;
  };
</script>
</body></html>
"""


def _vanilla_page(app_server: AppServer, offline: OfflineContext, bankbridge: LivePlatform) -> Page:
    route_cdn(offline.context, PLAID_CDN, bankbridge.base + CDN_PATHS[PLAID_CDN])
    url = app_server.add("/vanilla.html", VANILLA_APP, "text/html")
    page = offline.context.new_page()
    page.goto(url)
    return page


def test_the_script_tag_form_queues_open_until_link_has_loaded_and_ignores_exit_after_success(
    app_server: AppServer, bankbridge: LivePlatform, offline: OfflineContext
) -> None:
    api = bankbridge.api
    page = _vanilla_page(app_server, offline, bankbridge)
    token = _link_token(api, _customer(api))

    # create() returns at once; open() right away, before the iframe has loaded.
    page.evaluate("t => { window.handler = makeHandler(t, true); window.handler.open(); }", token)
    link = page.frame_locator(LINK_FRAME)
    _log_in(link)
    link.locator("input[data-subtype=checking]").check()
    link.get_by_role("button", name="Continue").click()
    _wait_for(page, "onSuccess")
    page.evaluate("window.handler.exit({force: true})")
    page.wait_for_timeout(300)

    callbacks = [e["callback"] for e in _log(page) if e["callback"] != "onEvent"]
    assert callbacks == ["onLoad", "onSuccess"]
    assert _events(page)[0][0] == "OPEN"
    assert page.locator(LINK_FRAME).count() == 1
    page.evaluate("window.handler.destroy()")
    assert page.locator(LINK_FRAME).count() == 0
    page.evaluate("window.handler.open(); window.handler.destroy()")  # no-ops once destroyed
    _assert_offline(offline)


def test_exit_without_force_asks_first_and_a_reopened_handler_starts_a_new_session(
    app_server: AppServer, bankbridge: LivePlatform, offline: OfflineContext
) -> None:
    api = bankbridge.api
    page = _vanilla_page(app_server, offline, bankbridge)
    token = _link_token(api, _customer(api))
    page.evaluate("t => { window.handler = makeHandler(t, false); }", token)
    _wait_for(page, "onLoad")
    page.evaluate("window.handler.open()")
    link = page.frame_locator(LINK_FRAME)
    expect(link.get_by_text("Select your bank")).to_be_visible()

    page.evaluate("window.handler.submit({phone_number: '+14155550011'})")  # Layer only: ignored
    page.evaluate("window.handler.exit()")
    expect(link.get_by_text("Are you sure you want to exit?")).to_be_visible()
    link.get_by_role("button", name="Exit", exact=True).click()
    first = _wait_for(page, "onExit")
    page.evaluate("window.handler.open()")
    expect(page.frame_locator(LINK_FRAME).get_by_text("Select your bank")).to_be_visible()
    wait_until(page, lambda: [n for n, _ in _events(page)].count("OPEN") == 2)

    sessions = {m["link_session_id"] for n, m in _events(page) if n == "OPEN"}
    assert len(sessions) == 2 and first["metadata"]["link_session_id"] in sessions
    views = [m["view_name"] for n, m in _events(page) if n == "TRANSITION_VIEW"]
    assert "EXIT" in views
    assert [e["callback"] for e in _log(page)].count("onLoad") == 1
    _assert_offline(offline)
