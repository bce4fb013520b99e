"""An unchanged ``@mxenabled/web-widget-sdk`` app against BankBridge's MX Connect page.

The app (``apps/mx_connect.js``, bundled from the published package) is served from its own
origin and mounts the Connect URL that ``GET /exchange-sessions/{id}`` returns, with the SDK's
default iframe. The browser reaches nothing but the app and BankBridge. The SDK validates
every message before it calls the app (a wrong field goes to ``onInvalidMessageError``), so
each callback seen here carries MX's documented metadata; the app's back end (this test)
then makes the exchange and a verified funding source through the Dwolla API.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import FrameLocator, Page, expect

from support.frontend import APPS_DIR
from support.offline_browser import wait_until

pytestmark = pytest.mark.browser

APP = APPS_DIR / "mx_connect.js"
GUIDS = ("user_guid", "session_guid")


def _connect_url(api: Any) -> tuple[str, str]:
    """A new customer's MX exchange session: ``(customer URL, Connect URL)``."""
    customer = api.post(
        "/customers", json={"firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.com"}
    )
    partners = api.get("/exchange-partners").json()["_embedded"]["exchange-partners"]
    mx = next(p for p in partners if p["name"] == "MX")["_links"]["self"]["href"]
    created = api.post(
        customer.headers["location"] + "/exchange-sessions",
        json={"_links": {"exchange-partner": {"href": mx}}},
    )
    session = api.get(created.headers["location"]).json()
    return customer.headers["location"], session["_links"]["external-provider-session"]["href"]


def _open_app(frontend: Any, app_server: Any, offline: Any, connect_url: str) -> Page:
    url = app_server.host_app(frontend.bundle(APP), {"connectUrl": connect_url})
    page: Page = offline.context.new_page()
    page.goto(url)
    return page


def _calls(page: Page) -> list[tuple[str, dict[str, Any]]]:
    return [(name, payload) for name, payload in page.evaluate("window.appCalls")]


def _named(page: Page, name: str) -> list[dict[str, Any]]:
    return [payload for called, payload in _calls(page) if called == name]


def _wait_for(page: Page, name: str, count: int = 1) -> None:
    wait_until(page, lambda: len(_named(page, name)) >= count)


def _widget(page: Page) -> FrameLocator:
    return page.frame_locator("iframe[data-test-id=mx-widget-iframe]")


def _sign_in(widget: FrameLocator, password: str) -> None:
    widget.locator("#username").fill("mxuser")
    widget.locator("#password").fill(password)
    widget.get_by_role("button", name="Continue").click()


def _steps(page: Page) -> list[tuple[str, str]]:
    return [(p["previous"], p["current"]) for p in _named(page, "onStepChange")]


def _assert_one_session(page: Page) -> tuple[str, str]:
    """Every validated callback but onLoad carries the same user and session guids."""
    guids = {
        (payload["user_guid"], payload["session_guid"])
        for name, payload in _calls(page)
        if name not in ("onLoad", "onInvalidMessageError")
    }
    assert len(guids) == 1, guids
    (user_guid, session_guid) = guids.pop()
    assert user_guid.startswith("USR-") and session_guid.startswith("CSN-")
    return user_guid, session_guid


def test_an_unchanged_sdk_app_links_mx_bank_to_a_verified_funding_source(
    frontend, app_server, bankbridge, offline
):
    customer_url, connect_url = _connect_url(bankbridge.api)
    page = _open_app(frontend, app_server, offline, connect_url)
    widget = _widget(page)

    _wait_for(page, "onLoaded")
    frame_box = page.locator("iframe[data-test-id=mx-widget-iframe]").bounding_box()
    assert frame_box is not None and (frame_box["width"], frame_box["height"]) == (320, 550)
    widget.locator("#institution-search").fill("MX B")
    _wait_for(page, "onInstitutionSearch")
    widget.get_by_role("button", name="MX Bank").click()
    # The page posts to the app's origin (from document.referrer), not to "*", and carries it
    # to the next step.
    carried = widget.locator("input[name=target_origin]").first
    assert carried.get_attribute("value") == app_server.origin
    _sign_in(widget, "password")
    done = widget.get_by_role("button", name="Done")
    expect(done).to_be_visible()
    done_box = done.bounding_box()
    assert done_box is not None
    assert done_box["y"] + done_box["height"] <= frame_box["y"] + frame_box["height"]
    assert done_box["x"] + done_box["width"] <= frame_box["x"] + frame_box["width"]
    done.click()
    expect(page.locator("#status")).to_have_text(
        f"connected {_named(page, 'onMemberConnected')[0]['member_guid']}"
    )

    assert _named(page, "onInvalidMessageError") == []
    assert _named(page, "onLoad") == [{"type": "mx/load"}]
    assert [p["initial_step"] for p in _named(page, "onLoaded")] == ["search"]
    assert _named(page, "onInstitutionSearch")[-1]["query"] == "MX B"
    (institution,) = _named(page, "onSelectedInstitution")
    assert (institution["code"], institution["name"]) == ("mxbank", "MX Bank")
    assert institution["guid"].startswith("INS-") and institution["url"].startswith("https://")
    (entered,) = _named(page, "onEnterCredentials")
    assert entered["institution"] == {"code": "mxbank", "guid": institution["guid"]}
    (member,) = _named(page, "onMemberConnected")
    assert [
        (p["member_guid"], p["connection_status"]) for p in _named(page, "onMemberStatusUpdate")
    ] == [(member["member_guid"], 0), (member["member_guid"], 6)]
    assert _steps(page) == [
        ("search", "enterCreds"),
        ("enterCreds", "connecting"),
        ("connecting", "connected"),
    ]
    (primary,) = _named(page, "onConnectedPrimaryAction")
    assert set(primary) == {"type", *GUIDS}
    _assert_one_session(page)
    assert offline.blocked == []
    assert offline.errors == []

    # The app's back end takes over with the Dwolla API.
    api = bankbridge.api
    listed = api.get(f"{customer_url}/available-exchange-connections").json()
    connections = listed["_embedded"]["available-exchange-connections"]
    assert sorted(c["name"] for c in connections) == ["MX Bank Checking", "MX Bank Savings"]
    checking = next(c for c in connections if c["name"] == "MX Bank Checking")
    exchange = api.post(
        f"{customer_url}/exchanges",
        json={"mx": {"availableConnectionToken": checking["availableConnectionToken"]}},
    )
    assert exchange.status_code == 201, exchange.text
    source = api.post(
        f"{customer_url}/funding-sources",
        json={
            "_links": {"exchange": {"href": exchange.headers["location"]}},
            "bankAccountType": "checking",
            "name": "Ada's checking",
        },
    )
    assert source.status_code == 201, source.text
    funding_source = api.get(source.headers["location"]).json()
    assert (funding_source["status"], funding_source["bankName"]) == ("verified", "MX Bank")


def test_mfa_a_wrong_answer_is_rejected_and_the_right_one_connects(
    frontend, app_server, bankbridge, offline
):
    _, connect_url = _connect_url(bankbridge.api)
    page = _open_app(frontend, app_server, offline, connect_url)
    widget = _widget(page)
    widget.get_by_role("button", name="MX Bank").click()

    _sign_in(widget, "challenge")
    widget.locator("#answer").fill("Paris")
    widget.get_by_role("button", name="Continue").click()
    expect(widget.get_by_role("alert")).to_contain_text("REJECTED")
    widget.get_by_role("button", name="Try again").click()
    _sign_in(widget, "options")
    widget.get_by_label("correct", exact=True).check()
    widget.get_by_role("button", name="Continue").click()
    widget.get_by_role("button", name="Done").click()
    expect(page.locator("#status")).to_have_text(re.compile(r"^connected MBR-"))

    assert _named(page, "onInvalidMessageError") == []
    (member,) = _named(page, "onMemberConnected")
    guid = member["member_guid"]
    assert [p["member_guid"] for p in _named(page, "onSubmitMFA")] == [guid, guid]
    assert [p["connection_status"] for p in _named(page, "onMemberStatusUpdate")] == [
        0,  # created
        3,  # CHALLENGED
        4,  # REJECTED: MX's status for a wrong answer
        3,  # challenged again after "Try again"
        6,  # CONNECTED
    ]
    assert _steps(page) == [
        ("search", "enterCreds"),
        ("enterCreds", "connecting"),
        ("connecting", "mfa"),
        ("mfa", "connecting"),
        ("connecting", "loginError"),
        ("loginError", "enterCreds"),
        ("enterCreds", "connecting"),
        ("connecting", "mfa"),
        ("mfa", "connecting"),
        ("connecting", "connected"),
    ]
    assert len(_named(page, "onEnterCredentials")) == 2
    _assert_one_session(page)
    assert offline.blocked == [] and offline.errors == []


def test_denied_credentials_back_navigation_and_a_create_member_error(
    frontend, app_server, bankbridge, offline
):
    _, connect_url = _connect_url(bankbridge.api)
    page = _open_app(frontend, app_server, offline, connect_url)
    widget = _widget(page)
    widget.get_by_role("button", name="MX Bank").click()
    _wait_for(page, "onSelectedInstitution")

    # The SDK's navigateBack() goes back from the credentials step, and says so.
    assert page.evaluate("widget.navigateBack()") is True
    expect(widget.locator("#institution-search")).to_be_visible()
    assert [p["did_go_back"] for p in _named(page, "onNavigation")] == [True]
    widget.get_by_role("button", name="MX Bank").click()

    _sign_in(widget, "INVALID")
    expect(widget.get_by_role("alert")).to_contain_text("DENIED")
    _wait_for(page, "onStepChange", 5)  # ... connecting -> enterCreds
    (status,) = [p for p in _named(page, "onMemberStatusUpdate") if p["connection_status"] == 2]
    member_guid = status["member_guid"]
    assert _named(page, "onMemberConnected") == []

    # Another tab finishes this single-use session; the widget's next attempt cannot create
    # (update) the member, which MX reports as createMemberError.
    other = offline.context.new_page()
    other.goto(connect_url)
    other.locator("#username").fill("mxuser")
    other.locator("#password").fill("password")
    other.get_by_role("button", name="Continue").click()
    expect(other.get_by_role("button", name="Done")).to_be_visible()
    before = len(_calls(page))
    _sign_in(widget, "password")
    _wait_for(page, "onCreateMemberError")

    (error,) = _named(page, "onCreateMemberError")
    (institution,) = {p["code"]: p for p in _named(page, "onSelectedInstitution")}.values()
    assert (error["institution_code"], error["institution_guid"]) == ("mxbank", institution["guid"])
    assert [name for name, _ in _calls(page)[before:]] == ["onCreateMemberError"]
    assert _named(page, "onMemberConnected") == []
    assert member_guid.startswith("MBR-")
    assert _steps(page)[:4] == [
        ("search", "enterCreds"),
        ("enterCreds", "search"),
        ("search", "enterCreds"),
        ("enterCreds", "connecting"),
    ]
    assert _steps(page)[4] == ("connecting", "enterCreds")
    assert _named(page, "onInvalidMessageError") == []
    _assert_one_session(page)
    assert offline.blocked == []
