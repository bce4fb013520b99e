"""``bankbridge serve`` as a real child process, with its output captured in a file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx

from live_server import free_port


def start_server(
    env: Mapping[str, str], log: Path, *args: str
) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``bankbridge serve`` on a free port; returns the process and its base URL."""
    port = free_port()
    command = [sys.executable, "-m", "bankbridge", "serve", "--port", str(port), *args]
    with log.open("ab") as output:
        process = subprocess.Popen(
            command, env={**os.environ, **env}, cwd=log.parent, stdout=output, stderr=output
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/health").status_code == 200:
                return process, base
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"server did not start:\n{log.read_text()}")
        time.sleep(0.1)


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """Stop the server as Ctrl-C does (so it flushes its log), or kill it if it hangs."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def served(env: Mapping[str, str], log: Path, *args: str) -> Iterator[str]:
    """``start_server`` for the duration of a block; yields the base URL."""
    process, base = start_server(env, log, *args)
    try:
        yield base
    finally:
        stop_server(process)


def create_account(env: Mapping[str, str], cwd: Path) -> dict[str, str]:
    """A new account through ``bankbridge accounts create --json``."""
    result = subprocess.run(
        [sys.executable, "-m", "bankbridge", "accounts", "create", "--name", "T", "--json"],
        env={**os.environ, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    document: dict[str, str] = json.loads(result.stdout)
    return document


def subscribed_headers(
    base: str, account: Mapping[str, str], receiver_url: str, secret: str
) -> dict[str, str]:
    """Log in to a served BankBridge as ``account`` and subscribe ``receiver_url`` to its
    webhooks; returns the headers of the account's further API requests."""
    token = httpx.post(
        f"{base}/token",
        data={"grant_type": "client_credentials"},
        auth=(account["key"], account["secret"]),
    ).json()["access_token"]
    hal = "application/vnd.dwolla.v1.hal+json"
    headers = {"Authorization": f"Bearer {token}", "Accept": hal, "Content-Type": hal}
    subscribed = httpx.post(
        f"{base}/webhook-subscriptions",
        json={"url": receiver_url, "secret": secret},
        headers=headers,
    )
    assert subscribed.status_code == 201, subscribed.text
    return headers
