"""What one ``POST /customers/{id}/exchange-sessions`` costs in process, per partner.

The app (sandbox mode, emulators in process, default settings) is driven through its own
ASGI callable, without a server or HTTP client around it, so the number is the server's
work per create: auth, body, the adapter's HTTP call(s) to its emulator, the emulator, and
the writes. Creates rotate over customers of one account (their MX users exist after the
warm-up, as in ``make bench``), rounds interleave the partners, every response must be 201.

    .venv/bin/python bench/creates.py [--creates N] [--rounds R] [--pg URL] [--no-sqlite]

Not part of ``make bench`` (no server, no wrk); see BENCHMARKS.md for results.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from scratch_pg import scratch_database

from bankbridge.app import create_app
from bankbridge.config import Secret, Settings
from bankbridge.domain.accounts import create_account

PUBLIC_URL = "http://127.0.0.1:8000"
HAL = "application/vnd.dwolla.v1.hal+json"
PARTNER_IDS = {
    "mx": "713fb394-20e5-58d1-8e26-8ed67d5bcddb",
    "plaid": "cc37a51a-9674-5d46-b5d2-097d54ac7e8d",
    "checkout": "a262294e-a098-5226-a367-a6231e402a42",
}
CUSTOMERS = 20

App = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


async def measure(
    url: str, creates: int, rounds: int, slugs: tuple[str, ...] = tuple(PARTNER_IDS)
) -> dict[str, list[float]]:
    """µs per create for each partner, one entry per round."""
    settings = Settings(
        database_url=url, public_url_override=PUBLIC_URL, secret_key=Secret("bench-not-secret")
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        store = app.state.services.store
        created = await create_account(store, "Bench", [], [])
        token, customers = await _setup(app, created.application.key, created.secret)
        requests = {
            slug: [_create_request(token, c, PARTNER_IDS[slug]) for c in customers]
            for slug in slugs
        }
        for slug in requests:  # warm-up: MX users exist, caches are filled
            await _run(app, requests[slug], len(customers) * 2)
        results: dict[str, list[float]] = {slug: [] for slug in requests}
        for _ in range(rounds):
            for slug, rotation in requests.items():
                results[slug].append(await _run(app, rotation, creates))
    return results


async def _setup(app: Any, key: str, secret: str) -> tuple[str, list[str]]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as client:
        answer = await client.post(
            "/token", data={"grant_type": "client_credentials"}, auth=(key, secret)
        )
        token = answer.json()["access_token"]
        headers = {"Authorization": f"Bearer {token}", "Accept": HAL, "Content-Type": HAL}
        customers = []
        for n in range(CUSTOMERS):
            body = {"firstName": "Jane", "lastName": "Bench", "email": f"jane{n}@example.com"}
            made = await client.post("/customers", json=body, headers=headers)
            assert made.status_code == 201, made.text
            customers.append(made.headers["location"].rsplit("/", 1)[1])
    return token, customers


def _create_request(token: str, customer: str, partner_id: str) -> tuple[dict[str, Any], bytes]:
    path = f"/customers/{customer}/exchange-sessions"
    href = f"{PUBLIC_URL}/exchange-partners/{partner_id}"
    body = json.dumps({"_links": {"exchange-partner": {"href": href}}}).encode()
    headers = [
        (b"authorization", f"Bearer {token}".encode()),
        (b"accept", HAL.encode()),
        (b"content-type", HAL.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    return asgi_scope("POST", path, headers), body


def asgi_scope(method: str, path: str, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    """An HTTP request's ASGI scope as uvicorn makes it (host, client, version)."""
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1:8000"), *headers],
        "root_path": "",
        "scheme": "http",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 1),
        "http_version": "1.1",
        "state": {},
    }


async def drive(
    app: Any, rotation: list[tuple[dict[str, Any], bytes]], requests: int, status: int
) -> float:
    """µs per request over ``requests`` requests taken in turn from ``rotation``; every
    answer must have ``status``. The event loop turns every 32 requests, as a server's does
    (BankBridge writes its access log once per turn)."""
    statuses: list[int] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    began = time.perf_counter()
    for n in range(requests):
        scope, body = rotation[n % len(rotation)]

        async def receive(body: bytes = body) -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        await app({**scope, "state": {}}, receive, send)
        if n % 32 == 31:
            await asyncio.sleep(0)
    elapsed = (time.perf_counter() - began) / requests * 1e6
    assert statuses == [status] * requests, sorted(set(statuses))
    return elapsed


async def _run(app: Any, rotation: list[tuple[dict[str, Any], bytes]], creates: int) -> float:
    return await drive(app, rotation, creates, 201)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--creates", type=int, default=300, help="creates per round and partner")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--pg", help="PostgreSQL admin URL (a scratch database is made)")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--partners", default=",".join(PARTNER_IDS), help="e.g. mx,plaid")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        targets: list[tuple[str, str]] = []
        if not args.no_sqlite:
            targets.append(("SQLite", f"sqlite:///{tempfile.mkdtemp()}/creates.db"))
        if args.pg:
            targets.append(
                ("PostgreSQL", stack.enter_context(scratch_database(args.pg, "creates")))
            )
        for label, url in targets:
            slugs = tuple(args.partners.split(","))
            results = asyncio.run(measure(url, args.creates, args.rounds, slugs))
            for slug, timings in results.items():
                print(
                    f"{label:10s} {slug:8s} median {statistics.median(timings):7.0f} µs/create"
                    f"   min {min(timings):7.0f}"
                )


if __name__ == "__main__":
    main()
