"""Front-end fixtures: the npm packages, a browser kept offline, an app origin, a live BankBridge.

``frontend`` installs ``package-lock.json``'s packages once per lockfile (see
``support/frontend.py``); ``offline`` is a browser context that reaches only the app's origin
(``app_server``, on ``localhost``) and BankBridge's (``bankbridge``, on ``127.0.0.1``). Route a
partner's CDN to BankBridge with ``route_cdn(offline.context, PLAID_CDN, ...)``.

Playwright's sync API owns this thread's event loop while ``offline_browser`` runs (one
Chromium per test module): run coroutines with ``support.chromium.run_coroutine``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from bankbridge.config import Settings
from live_server import LivePlatform, live_platform
from support.chromium import launched_chromium, unavailable
from support.frontend import Frontend, FrontendUnavailable, install_frontend
from support.offline_browser import OFFLINE_ARGS, AppServer, OfflineContext, serve_app


@pytest.fixture(scope="session")
def frontend() -> Frontend:
    """The test packages, installed (once per lockfile) into the cache folder."""
    try:
        return install_frontend()
    except FrontendUnavailable as exc:
        unavailable(str(exc))


@pytest.fixture(scope="module")
def offline_browser() -> Iterator[Browser]:
    """One headless Chromium per test module, whose DNS resolves only localhost."""
    with launched_chromium(OFFLINE_ARGS) as browser:
        yield browser


@pytest.fixture(params=["sqlite"])
def database_url(tmp_path: Path) -> str:
    """Front-end tests exercise scripts and pages, not storage: one backend is enough."""
    return f"sqlite:///{tmp_path}/frontend.db"


@pytest.fixture
def app_server() -> Iterator[AppServer]:
    """The integrator's app origin, ``http://localhost:PORT``: add pages with ``host_app``."""
    with serve_app() as server:
        yield server


@pytest.fixture
def bankbridge(settings: Settings, app_server: AppServer) -> Iterator[LivePlatform]:
    """BankBridge over real HTTP on 127.0.0.1, with an account whose redirect URL is the app's."""
    with live_platform(settings, [f"{app_server.origin}/"], name="Front end") as live:
        yield live


@pytest.fixture
def offline(
    offline_browser: Browser, app_server: AppServer, bankbridge: LivePlatform
) -> Iterator[OfflineContext]:
    """A fresh browser context that reaches only the app and BankBridge."""
    context = offline_browser.new_context(service_workers="block")
    try:
        yield OfflineContext(context, [app_server.origin, bankbridge.base])
    finally:
        context.close()
