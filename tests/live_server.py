"""A real uvicorn server running the whole app on a free localhost port, in a thread."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import uvicorn

from bankbridge.app import create_app
from bankbridge.config import Settings
from bankbridge.crypto import load_vault
from bankbridge.domain.accounts import NewAccount, create_account
from bankbridge.store import SqlStore, open_database

HAL = "application/vnd.dwolla.v1.hal+json"


@dataclass(frozen=True)
class LivePlatform:
    """A live server, one account on it and that account's authenticated API client."""

    base: str
    account: NewAccount
    api: httpx.Client


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def live_server(settings: Settings) -> Iterator[str]:
    """Serve ``settings``' app on 127.0.0.1; yields its base URL (also its public URL)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = create_app(settings.with_changes(port=port, host="127.0.0.1", public_url_override=base))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def live_platform(
    settings: Settings, redirect_urls: list[str] | None = None, name: str = "Live"
) -> Iterator[LivePlatform]:
    """A live server with a fresh account (all partners) and an API client holding its token."""
    with live_server(settings) as base:
        # A worker thread: Playwright's sync API may own this thread's event loop.
        with ThreadPoolExecutor(1) as pool:
            created = pool.submit(
                asyncio.run, _create_account(settings, name, redirect_urls or [])
            ).result()
        token = httpx.post(
            f"{base}/token",
            data={"grant_type": "client_credentials"},
            auth=(created.application.key, created.secret),
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}", "Accept": HAL}
        with httpx.Client(base_url=base, headers=headers) as api:
            yield LivePlatform(base, created, api)


async def _create_account(settings: Settings, name: str, redirect_urls: list[str]) -> NewAccount:
    """An account made directly in the database the live server uses."""
    database = await open_database(settings.database_url)
    try:
        return await create_account(SqlStore(database, load_vault(settings)), name, redirect_urls)
    finally:
        await database.close()
