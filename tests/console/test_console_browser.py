"""The console in headless Chromium: sign in, create a customer, browse, retry a webhook
delivery, change settings; cross-site posts refused; nothing leaves the host.

Every main page is screenshotted at desktop width and at 375 px into
``var/test-artifacts/console/`` (``<page>-desktop.png``, ``<page>-375.png``), so a reviewer can
look at them; README's docs/console.png is the customer page's desktop screenshot.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from live_server import LivePlatform, live_platform
from support.chromium import launched_chromium
from support.offline_browser import OFFLINE_ARGS, OfflineContext, serve_app
from webhook_testing import Receiver

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts" / "console"
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 375, "height": 812}


@pytest.fixture(params=["sqlite"])
def database_url(request, tmp_path):
    """Browser tests exercise pages, not storage: one backend is enough."""
    return f"sqlite:///{tmp_path}/console-browser.db"


@pytest.fixture
def platform(settings) -> Iterator[LivePlatform]:
    with live_platform(settings, name="Acme Payments") as live:
        yield live


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = Receiver().start()
    yield started
    started.stop()


def _shoot(page: Page, name: str) -> None:
    """Screenshots of the current page at desktop width and at 375 px (no sideways scroll)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(ARTIFACTS / f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (name, width)
    page.screenshot(path=str(ARTIFACTS / f"{name}-375.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def _nav(page: Page, name: str) -> None:
    """Follow a link of the console's navigation."""
    page.get_by_role("navigation", name="Console").get_by_role("link", name=name).click()


def _until(page: Page, text: str, seconds: float = 15.0) -> None:
    """Reload until ``text`` is on the page (webhook deliveries are asynchronous)."""
    deadline = time.monotonic() + seconds
    while text not in page.content():
        assert time.monotonic() < deadline, f"{text!r} never appeared"
        time.sleep(0.3)
        page.reload()


def test_a_person_signs_in_creates_a_customer_browses_retries_a_webhook_and_edits_settings(
    platform, receiver
):
    base, account, api = platform.base, platform.account, platform.api
    with launched_chromium(OFFLINE_ARGS) as browser:
        context = browser.new_context(viewport=DESKTOP)
        offline = OfflineContext(context, [base, receiver.url])
        page = context.new_page()

        # A browser at BankBridge's root is sent to the console, and to sign in.
        page.goto(base + "/")
        assert page.url.startswith(base + "/console/sign-in")
        _shoot(page, "sign-in")
        page.get_by_label("Key", exact=True).fill(account.application.key)
        page.get_by_label("Secret", exact=True).fill(account.secret)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(base + "/console/")
        assert page.title() == "Overview · BankBridge console"
        assert "No customers yet" in page.content()
        _shoot(page, "overview-empty")

        # Subscribe the receiver, then create a customer with the form.
        _nav(page, "Webhooks")
        # Sandbox mode: the form offers BankBridge's own receiver; this test brings its own.
        expect(page.get_by_label("URL", exact=True)).to_have_value(
            base + "/console/sandbox/webhook-receiver"
        )
        _shoot(page, "webhook-subscriptions-empty")
        page.get_by_label("URL", exact=True).fill(receiver.url)
        page.get_by_label("Secret (signs each delivery)").fill("console-browser-secret")
        page.get_by_role("button", name="Subscribe").click()
        page.wait_for_url("**/console/webhook-subscriptions/*")
        subscription_url = page.url

        _nav(page, "Customers")
        page.get_by_label("First name").fill("Jane")
        page.get_by_label("Last name").fill("Doe")
        page.get_by_label("Email", exact=True).fill("jane@example.com")
        page.get_by_role("button", name="Create customer").click()
        page.wait_for_url("**/console/customers/*")
        customer_id = page.url.rsplit("/", 1)[1]
        assert page.get_by_role("heading", name="Customer Jane Doe").is_visible()

        # An exchange session made through the API shows on the customer's page.
        partners = api.get("/exchange-partners").json()["_embedded"]["exchange-partners"]
        plaid = next(p for p in partners if p["name"] == "Plaid")["_links"]["self"]["href"]
        created = api.post(
            f"/customers/{customer_id}/exchange-sessions",
            json={"_links": {"exchange-partner": {"href": plaid}}},
        )
        assert created.status_code == 201, created.text
        page.reload()
        page.get_by_role("link", name="Plaid session").click()
        assert "externalProviderSessionToken" in page.content()
        _shoot(page, "exchange-session")
        page.go_back()
        _shoot(page, "customer")

        _nav(page, "Customers")
        _shoot(page, "customers")

        # Events: newest first, filtered by topic.
        _nav(page, "Events")
        page.get_by_label("Topic", exact=True).fill("customer_created")
        page.get_by_role("button", name="Filter").click()
        assert "1 matching among the latest 1 of 1 events" in page.content()
        _shoot(page, "events")

        # The webhook for customer_created was delivered; retry it from its page.
        page.goto(subscription_url)
        _until(page, "customer_created")
        page.get_by_role("link", name="customer_created").click()
        _until(page, "Delivery attempts (1)")
        page.get_by_role("button", name="Retry delivery").click()
        assert page.get_by_role("status").is_visible()
        _until(page, "Delivery attempts (2)")
        assert len(receiver.received()) == 2
        _shoot(page, "webhook")
        page.goto(subscription_url)
        _shoot(page, "webhook-subscription")

        # Settings: add a redirect URL; the API then accepts it.
        _nav(page, "Settings")
        urls = page.get_by_label("Redirect URLs, one a line")
        urls.fill("https://platform.example/return\nhttps://new.example/back")
        page.get_by_role("button", name="Save").click()
        assert page.get_by_role("status").inner_text() == "Settings saved."
        _shoot(page, "settings")
        with_url = api.post(
            f"/customers/{customer_id}/exchange-sessions",
            json={
                "_links": {
                    "exchange-partner": {"href": plaid},
                    "redirect-url": {"href": "https://new.example/back"},
                }
            },
        )
        assert with_url.status_code == 201, with_url.text

        _nav(page, "Overview")
        _shoot(page, "overview")

        # Sign out: the console asks to sign in again.
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url("**/console/sign-in")
        page.goto(base + "/console/customers")
        assert page.url.startswith(base + "/console/sign-in")

        assert offline.blocked == [], offline.blocked
        assert offline.errors == [], offline.errors  # a CSP violation would be one
        context.close()


def test_a_cross_site_form_post_is_refused_in_the_browser(platform):
    base, account, api = platform.base, platform.account, platform.api
    with launched_chromium(OFFLINE_ARGS) as browser, serve_app() as app:
        context = browser.new_context(viewport=DESKTOP)
        offline = OfflineContext(context, [base, app.origin])
        page = context.new_page()
        page.goto(base + "/console/sign-in")
        page.get_by_label("Key", exact=True).fill(account.application.key)
        page.get_by_label("Secret", exact=True).fill(account.secret)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(base + "/console/")
        # Another site's page posts a customer form (with no CSRF token) to the console.
        evil = app.add(
            "/evil.html",
            '<!doctype html><html lang="en"><head><title>Evil</title></head><body>'
            f'<form method="post" action="{base}/console/customers">'
            '<input name="firstName" value="Eve"><input name="lastName" value="X">'
            '<input name="email" value="eve@example.com">'
            '<button type="submit">Go</button></form></body></html>',
            "text/html",
        )
        page.goto(evil)
        page.get_by_role("button", name="Go").click()
        page.wait_for_load_state()
        assert "This form was posted from another site." in page.content()
        assert api.get("/customers").json()["total"] == 0
        assert offline.blocked == [], offline.blocked
        context.close()
