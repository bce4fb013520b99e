"""Re-authenticate an exchange in headless Chromium, offline: Reset login (the sandbox lever),
then the Re-authenticate button walks Plaid Link's update mode or MX Connect's reconnect in the
page, and the exchange is shown active with no ``re-authenticate`` link. The MX walk starts at
``http://localhost:PORT`` while BankBridge's public URL is ``http://127.0.0.1:PORT``: the
console sends the browser to the public URL, where the partner's frame works.

Screenshots (desktop and 375 px) go to ``var/test-artifacts/console/reauth-*.png``.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from console import test_console_flow_browser as walk
from console.test_console_browser import DESKTOP, _shoot
from live_server import LivePlatform
from support.offline_browser import OfflineContext

pytestmark = pytest.mark.browser

# Walk a flow's fixtures: one Chromium per module, the live server, a signed-in page.
database_url, chromium, live, offline, page = (
    walk.database_url,
    walk.chromium,
    walk.live,
    walk.offline,
    walk.page,
)


def _exchange_through_the_flow(
    page: Page, partner: str, slug: str, partner_step: Any, fill: dict[str, str] | None = None
) -> str:
    """Walk a flow with ``partner`` (its front end driven by ``partner_step``); the exchange's
    console path."""
    walk.start_walk(page, partner, slug, shots=False)
    partner_step(page)
    return walk.finish_walk(page, slug, fill, shots=False)["The exchange"]


def _reset_login_then_re_authenticate(
    page: Page, live: LivePlatform, exchange: str, slug: str
) -> None:
    """On the exchange's page: the lever, then the Re-authenticate button (step 2 shown)."""
    page.goto(live.base + exchange)
    page.get_by_role("button", name="Reset login").click()
    expect(page.get_by_test_id("reauth-needed")).to_be_visible()
    _shoot(page, f"reauth-{slug}-1-needed")
    page.get_by_role("button", name="Re-authenticate").click()
    expect(page.get_by_role("heading", name="Re-authenticate an exchange")).to_be_visible()
    page.wait_for_load_state("networkidle")
    _shoot(page, f"reauth-{slug}-2-partner")


def _ends_active(page: Page, live: LivePlatform, exchange: str, slug: str) -> None:
    expect(page.get_by_test_id("exchange-status")).to_have_text("active")
    if "still needed" in page.get_by_test_id("reauth-state").inner_text():
        page.get_by_role("link", name="Read it again").click()  # once: the partner was slow
    expect(page.get_by_test_id("reauth-state")).to_contain_text("not needed")
    _shoot(page, f"reauth-{slug}-3-done")
    assert "re-authenticate" not in live.api.get(exchange.replace("/console", "")).json()["_links"]


def test_plaid_link_update_mode_re_authenticates_the_exchange(
    page: Page, offline: OfflineContext, live: LivePlatform
) -> None:
    exchange = _exchange_through_the_flow(page, "Plaid", "reauth-plaid", walk.plaid_link)
    _reset_login_then_re_authenticate(page, live, exchange, "plaid")

    page.get_by_role("button", name="Open Plaid Link").click()
    link = page.frame_locator("iframe[title='Plaid Link']")
    expect(link.get_by_text("Log in to First Platypus Bank again")).to_be_visible()
    link.locator("#username").fill("user_good")
    link.locator("#password").fill("pass_good")
    link.get_by_role("button", name="Submit").click()

    _ends_active(page, live, exchange, "plaid")
    assert offline.blocked == [], offline.blocked
    assert offline.errors == [], offline.errors


def test_mx_connect_reconnects_the_member_starting_at_localhost(
    chromium: Browser, live: LivePlatform
) -> None:
    other_name = live.base.replace("127.0.0.1", "localhost")
    context = chromium.new_context(viewport=DESKTOP, service_workers="block")
    try:
        offline = OfflineContext(context, [live.base, other_name])
        page = context.new_page()
        # The person types localhost: the console sends them to the public URL to sign in.
        page.goto(other_name + "/console/flow")
        expect(page).to_have_url(live.base + "/console/sign-in?next=%2Fconsole%2Fflow")
        page.get_by_label("Key").fill(live.account.application.key)
        page.get_by_label("Secret").fill(live.account.secret)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Walk a flow")).to_be_visible()

        exchange = _exchange_through_the_flow(
            page, "MX", "reauth-mx", walk.mx_connect, {"Account type": "checking"}
        )
        _reset_login_then_re_authenticate(page, live, exchange, "mx")

        widget: Any = page.frame_locator("#mx-connect")
        expect(widget.get_by_text("Sign in again to reconnect")).to_be_visible()
        widget.locator("#username").fill("mxuser")
        widget.locator("#password").fill("password")
        widget.get_by_role("button", name="Reconnect").click()
        widget.get_by_role("button", name="Done").click()

        _ends_active(page, live, exchange, "mx")
        assert offline.blocked == [], offline.blocked
        assert offline.errors == [], offline.errors
    finally:
        context.close()


def test_a_card_exchange_says_why_it_has_no_re_authenticate_button(
    page: Page, offline: OfflineContext, live: LivePlatform
) -> None:
    exchange = _exchange_through_the_flow(page, "Checkout.com", "reauth-card", walk.checkout_flow)
    page.goto(live.base + exchange)
    expect(page.get_by_test_id("no-reauth")).to_contain_text("403")
    expect(page.get_by_role("button", name="Re-authenticate")).to_have_count(0)
    _shoot(page, "reauth-card-exchange")
    assert offline.blocked == [], offline.blocked
    assert offline.errors == [], offline.errors
