"""The front-end test kit itself: a published npm package, bundled, in a browser kept offline.

A React app built on react-plaid-link, served from the app's own origin, renders; the Plaid
CDN script it injects reaches BankBridge only through ``route_cdn``; any other outside request
is aborted and recorded.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from support.frontend import APPS_DIR
from support.offline_browser import CDN_PATHS, PLAID_CDN, route_cdn, wait_until

LINK_SCRIPT = "link/v2/stable/link-initialize.js"


@pytest.mark.browser
def test_a_bundled_react_plaid_link_app_renders_offline_and_outside_requests_are_blocked(
    frontend, app_server, bankbridge, offline
):
    fetched = route_cdn(offline.context, PLAID_CDN, bankbridge.base + CDN_PATHS[PLAID_CDN])
    url = app_server.host_app(frontend.bundle(APPS_DIR / "plaid_smoke.jsx"), {"token": None})
    page = offline.context.new_page()
    page.goto(url)
    expect(page.locator("h1")).to_have_text("Smoke app")
    expect(page.locator("#outside")).to_have_text("blocked")
    # react-plaid-link injected Plaid's CDN script; the rule sent it to BankBridge.
    wait_until(page, lambda: fetched)
    assert fetched == [f"{bankbridge.base}/sandbox/plaid/{LINK_SCRIPT}"]
    assert offline.blocked == ["https://example.com/"]
    assert page.evaluate("location.origin") == app_server.origin != bankbridge.base


@pytest.mark.browser
def test_a_routed_cdn_address_answers_exactly_what_bankbridge_serves(bankbridge, offline):
    fetched = route_cdn(offline.context, "https://cdn.example.test/", bankbridge.base + "/")
    page = offline.context.new_page()
    routed = page.goto("https://cdn.example.test/health?probe=1")
    direct = bankbridge.api.get("/health?probe=1")
    assert routed is not None
    assert (routed.status, routed.headers["content-type"], routed.body()) == (
        direct.status_code,
        direct.headers["content-type"],
        direct.content,
    )
    assert fetched == [f"{bankbridge.base}/health?probe=1"]
    assert offline.blocked == []


@pytest.mark.browser
def test_an_unrouted_partner_cdn_is_blocked_and_the_sdk_reports_it(frontend, app_server, offline):
    url = app_server.host_app(frontend.bundle(APPS_DIR / "plaid_smoke.jsx"), {"token": None})
    page = offline.context.new_page()
    page.goto(url)
    expect(page.locator("#link")).to_have_text("link error")
    wait_until(page, lambda: len(offline.blocked) == 2)
    assert sorted(offline.blocked) == [PLAID_CDN + LINK_SCRIPT, "https://example.com/"]


def test_a_bundle_is_reused_until_a_file_it_imports_changes(frontend, tmp_path):
    entry, helper = tmp_path / "entry.js", tmp_path / "greeting.js"
    entry.write_text('import { greeting } from "./greeting.js";\nwindow.said = greeting;\n')
    helper.write_text('export const greeting = "hello";\n')
    first = frontend.bundle(entry)
    assert '"hello"' in first.read_text()
    modified = first.stat().st_mtime_ns
    assert frontend.bundle(entry) == first and first.stat().st_mtime_ns == modified

    helper.write_text('export const greeting = "goodbye";\n')
    again = frontend.bundle(entry)
    assert '"goodbye"' in again.read_text() and '"hello"' not in again.read_text()


def test_a_bundle_with_an_unknown_import_fails_with_esbuilds_message(frontend, tmp_path):
    entry = tmp_path / "entry.js"
    entry.write_text('import "no-such-package-anywhere";\n')
    with pytest.raises(RuntimeError, match="no-such-package-anywhere"):
        frontend.bundle(entry)
