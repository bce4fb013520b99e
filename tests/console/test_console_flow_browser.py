"""Walk a flow and pull the sandbox levers in headless Chromium, offline.

A person signs in with the account's key and secret, walks each partner's flow through the
console to a verified funding source (Plaid Link and Checkout.com Flow through BankBridge's
drop-in scripts, MX Connect in a frame), sees the events, and pulls each lever. The browser
reaches BankBridge's origin only (``support/offline_browser.py``: anything else is aborted
and recorded). Screenshots of each step, at desktop width and at 375 px, go to
``var/test-artifacts/console/`` for a reviewer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, FrameLocator, Page, expect

from bankbridge.config import Settings
from console.test_console_browser import DESKTOP, _shoot
from live_server import LivePlatform, live_platform
from support.chromium import launched_chromium
from support.offline_browser import OFFLINE_ARGS, OfflineContext

pytestmark = pytest.mark.browser

US_DEBIT = "4024 7644 4997 1519"


@pytest.fixture(params=["sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Pages, not storage: one backend is enough."""
    return f"sqlite:///{tmp_path}/console-browser.db"


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """One headless Chromium per module, whose DNS resolves only localhost."""
    with launched_chromium(OFFLINE_ARGS) as browser:
        yield browser


@pytest.fixture
def live(settings: Settings) -> Iterator[LivePlatform]:
    """BankBridge over real HTTP, with an account that has every partner."""
    with live_platform(settings, name="Console walker") as platform:
        yield platform


@pytest.fixture
def offline(chromium: Browser, live: LivePlatform) -> Iterator[OfflineContext]:
    """A fresh browser context that reaches BankBridge's origin and nothing else."""
    context = chromium.new_context(viewport=DESKTOP, service_workers="block")
    try:
        yield OfflineContext(context, [live.base])
    finally:
        context.close()


@pytest.fixture
def page(offline: OfflineContext, live: LivePlatform) -> Page:
    """A page signed in to the console with the account's key and secret."""
    page = offline.context.new_page()
    page.goto(f"{live.base}/console/flow")
    page.get_by_label("Key").fill(live.account.application.key)
    page.get_by_label("Secret").fill(live.account.secret)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Walk a flow")).to_be_visible()
    return page


def shoot(page: Page, name: str) -> None:
    """The console's screenshots (desktop and 375 px, no sideways scroll), named ``flow-…``."""
    _shoot(page, f"flow-{name}")


def start_walk(page: Page, partner: str, slug: str, shots: bool = True) -> None:
    """Step 1 with a new customer."""
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name").fill(partner)
    page.get_by_label("Email").fill(f"ada-{slug}@example.com")
    page.get_by_label(partner, exact=True).check()
    if shots:
        shoot(page, f"{slug}-1-start")
    page.get_by_role("button", name="Create the exchange session").click()
    expect(page.get_by_role("heading", name=f"2. Complete {partner}'s flow")).to_be_visible()


def finish_walk(
    page: Page, slug: str, fill: dict[str, str] | None = None, shots: bool = True
) -> dict[str, str]:
    """Step 4 (form as prefilled, plus ``fill``) to the verified funding source."""
    expect(page.get_by_role("heading", name="4. Create the funding source")).to_be_visible()
    if shots:
        shoot(page, f"{slug}-3-exchange")
    for label, value in (fill or {}).items():
        page.get_by_label(label, exact=True).select_option(value)
    page.get_by_role("button", name="Create the funding source").click()
    expect(page.get_by_test_id("funding-status")).to_have_text("verified")
    if shots:
        shoot(page, f"{slug}-4-funding-source")
    links = {
        name: page.get_by_role("link", name=name).get_attribute("href") or ""
        for name in ("The funding source", "The exchange")
    }
    return links


def plaid_link(page: Page) -> None:
    page.get_by_role("button", name="Open Plaid Link").click()
    link: FrameLocator = page.frame_locator("iframe[title='Plaid Link']")
    link.locator("[data-institution-id=ins_109508]").click()
    link.locator("#username").fill("user_good")
    link.locator("#password").fill("pass_good")
    link.get_by_role("button", name="Submit").click()
    link.locator("input[data-subtype=checking]").check()
    link.get_by_role("button", name="Continue").click()


def mx_connect(page: Page) -> None:
    widget = page.frame_locator("#mx-connect")
    widget.get_by_role("button", name="MX Bank").click()
    widget.locator("#username").fill("mxuser")
    widget.locator("#password").fill("password")
    widget.get_by_role("button", name="Continue").click()
    widget.get_by_role("button", name="Done").click()
    # Step 3 lists MX's connected accounts: pick checking.
    expect(page.get_by_label("MX Bank Checking")).to_be_checked()
    shoot(page, "mx-3-connections")
    page.get_by_role("button", name="Create the exchange").click()


def checkout_flow(page: Page) -> None:
    frame = page.frame_locator("#flow-container iframe")
    frame.locator("#card_number").fill(US_DEBIT)
    frame.locator("#expiry").fill("12 / 35")
    frame.locator("#cvv").fill("100")
    frame.locator("#pay").click()


@pytest.mark.parametrize(
    ("partner", "slug", "complete", "fill"),
    [
        ("Plaid", "plaid", plaid_link, None),
        ("MX", "mx", mx_connect, {"Account type": "checking"}),
        ("Checkout.com", "checkout", checkout_flow, None),
    ],
)
def test_each_partners_flow_walks_to_a_verified_funding_source_offline(
    page: Page,
    offline: OfflineContext,
    live: LivePlatform,
    partner: str,
    slug: str,
    complete: Any,
    fill: dict[str, str] | None,
) -> None:
    start_walk(page, partner, slug)
    page.wait_for_load_state("networkidle")
    shoot(page, f"{slug}-2-partner")

    complete(page)

    links = finish_walk(page, slug, fill)
    if slug != "checkout":
        expect(page.get_by_test_id("balance")).to_contain_text("USD available")
    source_id = links["The funding source"].rsplit("/", 1)[1]
    source = live.api.get(f"/funding-sources/{source_id}").json()
    assert (source["status"], source["type"]) == (
        "verified",
        "card" if slug == "checkout" else "bank",
    )
    page.get_by_role("link", name="The events this walk recorded").click()
    for topic in ("customer_exchange_created", "customer_funding_source_verified"):
        expect(page.get_by_text(topic).first).to_be_visible()
    assert offline.blocked == [], offline.blocked
    assert offline.errors == [], offline.errors


def test_each_lever_once_reset_login_partner_webhook_balance_and_a_fault(
    page: Page, offline: OfflineContext, live: LivePlatform
) -> None:
    start_walk(page, "Plaid", "levers", shots=False)
    plaid_link(page)
    links = finish_walk(page, "levers", shots=False)

    # Reset login, on the exchange's page.
    page.goto(live.base + links["The exchange"])
    page.get_by_role("button", name="Reset login").click()
    expect(page.get_by_test_id("reauth")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("the API answered 200")
    shoot(page, "lever-reset-login")
    exchange_id = links["The exchange"].rsplit("/", 1)[1]
    assert "re-authenticate" in live.api.get(f"/exchanges/{exchange_id}").json()["_links"]

    # A partner webhook, on the same page: Plaid says the login is repaired.
    page.get_by_label("Partner webhook").select_option("LOGIN_REPAIRED")
    page.get_by_role("button", name="Send the webhook").click()
    expect(page.get_by_role("status")).to_contain_text("partner-webhooks: the API answered 200")
    expect(page.get_by_test_id("reauth")).to_have_count(0)
    shoot(page, "lever-partner-webhook")
    assert "re-authenticate" not in live.api.get(f"/exchanges/{exchange_id}").json()["_links"]

    # Balance, on a funding source's page (a second walk: the first exchange needs a login).
    page.goto(f"{live.base}/console/flow")
    start_walk(page, "Plaid", "levers-2", shots=False)
    plaid_link(page)
    source_page = finish_walk(page, "levers-2", shots=False)["The funding source"]
    page.goto(live.base + source_page)
    page.get_by_label("Available balance").fill("321.09")
    page.get_by_label("Closing balance").fill("400")
    page.get_by_role("button", name="Set balance").click()
    expect(page.get_by_test_id("balance")).to_have_text("321.09 USD available · 400.00 USD closing")
    shoot(page, "lever-balance")

    # A fault, on the Sandbox page: the next Plaid call fails as configured.
    page.get_by_role("link", name="Sandbox", exact=True).click()
    page.get_by_label("Partner", exact=True).select_option("Plaid")
    page.get_by_label("Fault", exact=True).select_option("error")
    page.get_by_label(re.compile("^Error")).select_option("INSTITUTION_DOWN")
    page.get_by_label(re.compile("^For the next N calls")).fill("1")
    page.get_by_role("button", name="Add the fault").click()
    expect(page.get_by_test_id("faults")).to_contain_text("INSTITUTION_DOWN")
    shoot(page, "lever-fault")
    page.get_by_role("link", name="Walk a flow").click()
    page.get_by_label("Customer").select_option(index=1)
    page.get_by_label("Plaid", exact=True).check()
    page.get_by_role("button", name="Create the exchange session").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert page.get_by_text("502", exact=True).count() >= 1
    page.get_by_role("link", name="Sandbox", exact=True).click()
    expect(page.get_by_text("No faults: every emulated partner answers as usual.")).to_be_visible()
    assert offline.blocked == [], offline.blocked
    # The one error: Chromium reports the refused page's status (the fault, as configured).
    assert offline.errors == [
        "console: Failed to load resource: the server responded with a status of 502 (Bad Gateway)"
    ], offline.errors
