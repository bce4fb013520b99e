"""Debian's headless Chromium, driven by Python Playwright: where it is and how it starts.

Chromium comes from Debian (``apt-get install chromium``); Playwright's own browser download
does not work here. Without Chromium a browser test is skipped with that instruction, except
in CI (``CI=true``), where a missing browser fails the run.

Playwright's sync API owns the calling thread's event loop while it runs: code that needs
``asyncio.run`` during a browser test goes through :func:`run_coroutine` (a worker thread).
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import NoReturn, TypeVar

import pytest
from playwright.sync_api import Browser, sync_playwright

T = TypeVar("T")

# Without the background-networking flags Chromium calls Google's hosts at every start.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    """The Chromium executable; skips the test (fails it under ``CI=true``) when missing."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    unavailable("Chromium not found: install it with `apt-get install chromium` (Debian).")


def unavailable(message: str) -> NoReturn:
    """A missing tool: fail under ``CI=true`` (nothing may be skipped there), else skip."""
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@contextmanager
def launched_chromium(extra_args: list[str] | None = None) -> Iterator[Browser]:
    """A started headless Chromium (closed on exit)."""
    executable = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=[*CHROMIUM_ARGS, *(extra_args or [])]
        )
        try:
            yield browser
        finally:
            browser.close()


def run_coroutine(function: Callable[[], Awaitable[T]]) -> T:
    """Run ``function()``'s coroutine to completion in a worker thread with its own loop."""

    async def main() -> T:
        return await function()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, main()).result()
