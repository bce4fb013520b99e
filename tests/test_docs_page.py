"""``/docs`` renders in headless Chromium with every request to another host refused.

Like tests/test_browser.py: skipped without Chromium, except in CI, where that fails.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Route

from bankbridge.api.openapi import openapi_document
from live_server import live_server
from support.chromium import launched_chromium

pytestmark = pytest.mark.browser


@pytest.fixture(params=["sqlite"])
def database_url(request, tmp_path):
    """The docs page does not depend on storage: one backend is enough."""
    return f"sqlite:///{tmp_path}/docs.db"


def test_docs_page_renders_every_operation_offline(settings):
    requested: list[str] = []
    blocked: list[str] = []

    def only_local(route: Route) -> None:
        url = route.request.url
        requested.append(url)
        if urlsplit(url).hostname == "127.0.0.1":
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    with launched_chromium() as browser, live_server(settings) as base:
        page = browser.new_page()
        page.route("**/*", only_local)
        page.goto(f"{base}/docs")
        page.wait_for_selector("details.operation")
        operations = page.locator("details.operation")
        described = sum(
            1
            for item in openapi_document()["paths"].values()
            for method in item
            if method in ("get", "post", "delete")
        )
        assert operations.count() == described
        session = page.locator("details.operation", has_text="/exchange-sessions/{id}")
        session.first.locator("summary").click()
        assert session.first.locator("a[href='#schema-ExchangeSession']").is_visible()
        page.fill("#filter", "webhook")
        visible = page.locator("details.operation:visible")
        assert 0 < visible.count() < described
        page.click("text=openapi.json")
        assert '"openapi": "3.1.0"' in page.content()
    assert requested and not blocked, blocked
