"""A ``bankbridge serve`` process killed mid-request: its Idempotency-Key is free again soon.

The request's body arrives slowly, so the process holds the key (pending, leased) when it
is killed; a restarted process must serve the client's retry within the lease, on SQLite
and PostgreSQL alike.
"""

from __future__ import annotations

import asyncio
import json
import signal
import time

import httpx

from bankbridge.api.idempotency import LEASE
from bankbridge.store import open_database
from helpers import HAL
from raw_http import PartialRequest
from server_process import create_account, start_server, stop_server


def _pending_keys(database_url: str) -> int:
    async def count() -> int:
        database = await open_database(database_url)
        try:
            row = await database.fetch_one(
                "SELECT COUNT(*) AS n FROM idempotency_keys WHERE state = 'pending'"
            )
            return int(row["n"]) if row else 0
        finally:
            await database.close()

    return asyncio.run(count())


def test_a_retry_after_a_crash_is_served_within_the_lease(database_url, tmp_path):
    env = {
        "BANKBRIDGE_DATABASE_URL": database_url,
        "BANKBRIDGE_SECRET_KEY": "crash-recovery-test-key",
    }
    account = create_account(env, tmp_path)
    victim, base = start_server(env, tmp_path / "victim.log")
    try:
        token = httpx.post(
            f"{base}/token",
            data={"grant_type": "client_credentials"},
            auth=(account["key"], account["secret"]),
        ).json()["access_token"]
        headers = {
            "Authorization": f"Bearer {token}",
            "Accept": HAL,
            "Content-Type": HAL,
            "Idempotency-Key": "caught-in-a-crash",
        }
        body = json.dumps({"firstName": "C", "lastName": "R", "email": "crash@example.com"})
        caught = PartialRequest(base, "POST", "/customers", headers, body.encode(), 5)
        deadline = time.monotonic() + 10
        while _pending_keys(database_url) == 0:
            assert time.monotonic() < deadline, "the server never claimed the key"
            time.sleep(0.05)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
        caught.abandon()
    finally:
        stop_server(victim)

    restarted, base = start_server(env, tmp_path / "restarted.log")
    try:
        started = time.monotonic()
        retry = httpx.post(f"{base}/customers", content=body, headers=headers, timeout=60)
        waited = time.monotonic() - started
        listed = httpx.get(f"{base}/customers", headers=headers).json()
    finally:
        stop_server(restarted)
    assert retry.status_code == 201, retry.text
    assert waited < LEASE.total_seconds() + 2, waited
    assert listed["total"] == 1
