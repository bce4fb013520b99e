"""``/docs``: Swagger UI, served by BankBridge, renders every operation in headless Chromium
with every request to another host refused (and DNS for any other host failing).

Like tests/test_browser.py: skipped without Chromium, except in CI, where that fails.
"""

from __future__ import annotations

import pytest

from bankbridge.api.openapi import openapi_document
from bankbridge.api.routes import api_routes
from live_server import live_server
from support.chromium import launched_chromium
from support.offline_browser import OFFLINE_ARGS, OfflineContext

pytestmark = pytest.mark.browser


@pytest.fixture(params=["sqlite"])
def database_url(request, tmp_path):
    """The docs page does not depend on storage: one backend is enough."""
    return f"sqlite:///{tmp_path}/docs.db"


def test_docs_page_renders_every_operation_offline(settings):
    document = openapi_document(api_routes())
    described = {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in ("get", "post", "delete")
    }
    with live_server(settings) as base, launched_chromium(OFFLINE_ARGS) as browser:
        context = browser.new_context()
        offline = OfflineContext(context, [base])
        requested: list[str] = []
        context.on("request", lambda request: requested.append(request.url))
        page = context.new_page()
        page.goto(f"{base}/docs")
        page.wait_for_selector(".opblock .opblock-summary-path", timeout=20_000)
        rendered = {
            (
                block.locator(".opblock-summary-method").inner_text().strip(),
                block.locator(".opblock-summary-path").get_attribute("data-path"),
            )
            for block in page.locator(".opblock").all()
        }
        assert rendered == described
        session = page.locator(".opblock", has_text="/exchange-sessions/{id}").first
        session.locator(".opblock-summary").click()
        session.locator(".responses-wrapper").wait_for()
        assert "InvalidVersion" in session.inner_text()  # the 406, with its Dwolla code
        page.fill(".operation-filter-input", "webhook")
        page.wait_for_function(
            "document.querySelectorAll('.opblock-tag-section').length < 6", timeout=10_000
        )
        assert 0 < page.locator(".opblock").count() < len(described)
        context.close()
    assert f"{base}/openapi.json" in requested
    assert all(url.startswith(base) for url in requested), requested
    assert not offline.blocked, offline.blocked
    assert not offline.errors, offline.errors
