"""Webhook delivery: the worker's throughput to a local receiver, and commit → first attempt.

One BankBridge process (in this one, sandbox mode, the app's own lifespan) with one
subscription whose URL is a local receiver (``floor.py raw``: uvicorn answering 200 to
every POST, in its own process). Its delivery worker is replaced by one this bench drives,
built exactly as the app builds it (``DeliveryWorker``, ``delivery_client``, the app's event
renderer), with the app's default poll interval:

- **throughput**: N events queued while the worker is stopped (one webhook each), then
  started: webhooks/s until every one is delivered (all must answer 200);
- **delay, woken**: one event at a time, committed while the worker idles: the time from
  the commit to its first attempt's ``request_at`` (the store wakes the worker at commit);
- **delay, polled**: the same with nothing waking the worker, as for a webhook queued by
  another process: the poll (``DEFAULT_POLL_SECONDS``) finds it.

    .venv/bin/python bench/webhooks.py [--events N] [--pg ADMIN_URL]

``make bench`` runs it (``bench/run.py``) and writes its table into BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
from scratch_pg import scratch_database

from bankbridge.api.resources.events import event_renderer
from bankbridge.app import create_app
from bankbridge.clock import now, to_micros
from bankbridge.config import Secret, Settings
from bankbridge.domain.accounts import create_account
from bankbridge.domain.events import CUSTOMER_CREATED, emit
from bankbridge.ids import new_id
from bankbridge.webhooks.delivery import DEFAULT_POLL_SECONDS, DeliveryWorker, delivery_client

HERE = Path(__file__).resolve().parent
PUBLIC_URL = "http://127.0.0.1:8000"
HAL = "application/vnd.dwolla.v1.hal+json"


async def measure(url: str, receiver: str, events: int, woken: int, polled: int) -> dict[str, Any]:
    """Throughput (webhooks/s) and delays (ms) on the database at ``url``."""
    settings = Settings(
        database_url=url, public_url_override=PUBLIC_URL, secret_key=Secret("bench-not-secret")
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        services = app.state.services
        store = services.store
        await services.worker.stop()  # replaced by the workers below, built the same way
        made = await create_account(store, "Bench", [], [])
        await _subscribe(app, made.application.key, made.secret, receiver)
        account_id = made.account.id
        waking: list[Callable[[], None]] = []
        store.on_webhooks_due(lambda: [wake() for wake in waking])

        async def queue_one() -> str:
            async with store.transaction() as tx:
                event = await emit(tx, account_id, CUSTOMER_CREATED, "customers", new_id())
            return event.id

        async with delivery_client(allow_local=True) as http:
            worker = DeliveryWorker(
                store, settings, services.vault, http, render_event=event_renderer(PUBLIC_URL)
            )
            for _ in range(events):
                await queue_one()
            began = time.perf_counter()
            await worker.start()
            while await store.count_pending_webhooks():
                await asyncio.sleep(0.005)
            seconds = time.perf_counter() - began
            delivered = await _count(
                store, "SELECT COUNT(*) AS n FROM webhook_attempts WHERE response_status = 200"
            )
            assert delivered == events, f"{delivered} of {events} webhooks answered 200"

            async def delays(count: int) -> list[float]:
                found = []
                for _ in range(count):
                    await asyncio.sleep(
                        random.uniform(0.01, DEFAULT_POLL_SECONDS)
                    )  # any phase of the poll
                    event_id = await queue_one()
                    committed = to_micros(now())
                    first = None
                    while first is None:
                        await asyncio.sleep(0.001)
                        first = await _first_attempt(store, event_id)
                    found.append((first - committed) / 1000)
                return found

            waking.append(worker.wake)
            woken_ms = await delays(woken)
            waking.clear()
            polled_ms = await delays(polled)
            await worker.stop()
    return {
        "events": events,
        "seconds": seconds,
        "rate": events / seconds,
        "woken_ms": woken_ms,
        "polled_ms": polled_ms,
    }


async def _subscribe(app: Any, key: str, secret: str, receiver: str) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as client:
        answer = await client.post(
            "/token", data={"grant_type": "client_credentials"}, auth=(key, secret)
        )
        headers = {
            "Authorization": f"Bearer {answer.json()['access_token']}",
            "Accept": HAL,
            "Content-Type": HAL,
        }
        body = {"url": receiver, "secret": "bench-receiver-secret"}
        made = await client.post("/webhook-subscriptions", json=body, headers=headers)
        assert made.status_code == 201, made.text


async def _count(store: Any, sql: str) -> int:
    row = await store.database.fetch_one(sql)
    return int(row["n"])


async def _first_attempt(store: Any, event_id: str) -> int | None:
    row = await store.database.fetch_one(
        "SELECT MIN(a.request_at) AS first FROM webhook_attempts a "
        "JOIN webhooks w ON w.id = a.webhook_id WHERE w.event_id = :event",
        {"event": event_id},
    )
    return None if row is None or row["first"] is None else int(row["first"])


@contextlib.contextmanager
def receiver(pinning: bool) -> Iterator[str]:
    """``floor.py raw`` on a free port (on core 1 when pinning): answers 200 to anything."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    body = Path(tempfile.mkdtemp()) / "ok.json"
    body.write_text('{"ok":true}')
    command = [sys.executable, str(HERE / "floor.py"), "raw", str(port), str(body)]
    if pinning:
        command = ["taskset", "-c", "1", *command]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the webhook receiver did not start")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/hooks"
    finally:
        process.terminate()
        process.wait(10)


def report(results: dict[str, dict[str, Any]]) -> str:
    """A table: one row per database."""
    lines = [
        f"Webhook delivery, one process (worker batch 20, poll {DEFAULT_POLL_SECONDS} s), "
        "to a local receiver answering 200:",
        "",
        "| database | webhooks/s | commit → first attempt, woken: p50 / max ms "
        "| polled (other process): p50 / max ms |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, r in results.items():
        woken, polled = r["woken_ms"], r["polled_ms"]
        lines.append(
            f"| {name} | {r['rate']:,.0f} ({r['events']:,} in {r['seconds']:.1f} s) "
            f"| {statistics.median(woken):.1f} / {max(woken):.1f} "
            f"| {statistics.median(polled):.0f} / {max(polled):.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--woken", type=int, default=50, help="delay samples, woken")
    parser.add_argument("--polled", type=int, default=12, help="delay samples, polled")
    parser.add_argument("--pg", help="PostgreSQL admin URL (a scratch database is made)")
    args = parser.parse_args()
    pinning = (
        shutil.which("taskset") is not None and len(__import__("os").sched_getaffinity(0)) >= 2
    )
    results: dict[str, dict[str, Any]] = {}
    with receiver(pinning) as url, contextlib.ExitStack() as stack:
        databases = {"SQLite": f"sqlite:///{tempfile.mkdtemp()}/webhooks.db"}
        if args.pg:
            databases["PostgreSQL"] = stack.enter_context(scratch_database(args.pg, "webhooks"))
        for name, database in databases.items():
            results[name] = asyncio.run(
                measure(database, url, args.events, args.woken, args.polled)
            )
    print(report(results))


if __name__ == "__main__":
    main()
