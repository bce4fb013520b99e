"""The hosted pages in a real browser: headless Chromium, driven by Playwright.

Chromium comes from Debian; how it is found and started is in ``support/chromium.py``
(skipped when missing, except under ``CI=true``, where a missing browser fails the run).
"""

from __future__ import annotations

import pytest

from live_server import live_platform
from support.chromium import launched_chromium

pytestmark = pytest.mark.browser


@pytest.fixture(params=["sqlite"])
def database_url(request, tmp_path):
    """Browser tests exercise pages, not storage: one backend is enough."""
    return f"sqlite:///{tmp_path}/browser.db"


@pytest.fixture
def browser_page():
    with launched_chromium() as browser:
        yield browser.new_page()


@pytest.fixture
def platform(settings):
    """A live server and an API client of a fresh account on it."""
    with live_platform(settings, name="Browser") as live:
        yield live.base, live.api


def _session(api, partner):
    customer = api.post(
        "/customers", json={"firstName": "B", "lastName": "R", "email": "b@example.com"}
    )
    partners = api.get("/exchange-partners").json()["_embedded"]["exchange-partners"]
    href = next(p for p in partners if p["name"] == partner)["_links"]["self"]["href"]
    created = api.post(
        customer.headers["location"] + "/exchange-sessions",
        json={"_links": {"exchange-partner": {"href": href}}},
    )
    return api.get(created.headers["location"]).json()


def _mx_sign_in(page, api, password):
    """Open an MX session's Connect URL in a tab of its own and sign in to MX Bank."""
    session = _session(api, "MX")
    page.goto(session["_links"]["external-provider-session"]["href"])
    page.get_by_role("button", name="MX Bank").click()
    page.fill("#username", "mxuser")
    page.fill("#password", password)
    page.get_by_role("button", name="Continue").click()


def test_mx_connect_page_connects_in_a_browser_tab(browser_page, platform):
    _, api = platform
    _mx_sign_in(browser_page, api, "password")
    browser_page.wait_for_selector("text=Connected")
    assert "MX Bank Checking" in browser_page.content()
    browser_page.get_by_role("button", name="Done").click()  # nobody to tell: no error
    browser_page.wait_for_selector("text=You can close this window.")


def test_mx_connect_page_shows_a_denial_in_a_browser_tab(browser_page, platform):
    _, api = platform
    _mx_sign_in(browser_page, api, "INVALID")
    browser_page.wait_for_selector("text=DENIED")


def test_plaid_link_page_shows_the_public_token_in_a_browser(browser_page, platform):
    base, api = platform
    session = _session(api, "Plaid")
    browser_page.goto(f"{base}/sandbox/plaid/link?token={session['externalProviderSessionToken']}")
    browser_page.click("[data-institution-id=ins_109508]")
    browser_page.fill("#username", "user_good")
    browser_page.fill("#password", "pass_good")
    browser_page.click("button[type=submit]")
    browser_page.check("input[data-subtype=savings]")
    browser_page.click("text=Continue")
    browser_page.wait_for_selector("text=public-sandbox-")
    assert "Plaid Saving" in browser_page.content()


def test_checkout_flow_page_shows_the_payment_id_in_a_browser(browser_page, platform):
    base, api = platform
    session = _session(api, "Checkout.com")
    browser_page.goto(
        f"{base}/sandbox/checkout/flow/{session['externalProviderSessionData']['id']}"
    )
    browser_page.fill("#card_number", "4024 7644 4997 1519")
    browser_page.fill("#expiry_month", "12")
    browser_page.fill("#expiry_year", "2035")
    browser_page.fill("#cvv", "100")
    browser_page.fill("#name", "Jane Doe")
    browser_page.click("button[type=submit]")
    browser_page.wait_for_selector("text=/pay_[a-z2-7]{26}/")
    assert "Card verified" in browser_page.content()
