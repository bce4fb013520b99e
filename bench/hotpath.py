"""What one ``GET /exchange-sessions/{id}`` costs in process: the server's own work per read.

The app (default settings, SQLite or PostgreSQL) is driven through its own ASGI callable,
without a server or HTTP client around it, with BankBridge's access log on and written to
a file, as ``bankbridge serve`` has it by default. Reads rotate over sessions of all three
partners (a third of them Checkout.com's, whose documents are sealed); every response must
be 200. Instructions per read are deterministic under callgrind, unlike time here:

    .venv/bin/python bench/hotpath.py [--gets N] [--rounds R] [--pg URL]
    valgrind --tool=callgrind --callgrind-out-file=cg.big .venv/bin/python bench/hotpath.py \\
        --gets 3000 --rounds 1      # and again with --gets 1000: (big - small) / 2000

Not part of ``make bench`` (no server, no wrk); see BENCHMARKS.md for results.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging.config
import statistics
import tempfile
from typing import Any

from creates import HAL, PARTNER_IDS, PUBLIC_URL, _create_request, _setup, asgi_scope, drive
from scratch_pg import scratch_database

from bankbridge.app import create_app
from bankbridge.config import Secret, Settings
from bankbridge.domain.accounts import create_account
from bankbridge.logs import logging_config


async def measure(url: str, gets: int, rounds: int, log_file: str) -> list[float]:
    """µs per read, one entry per round."""
    config = logging_config("text")
    config["handlers"]["access"] = {
        "class": "logging.FileHandler",
        "filename": log_file,
        "formatter": "access",
    }
    logging.config.dictConfig(config)
    logging.getLogger("bankbridge").setLevel(logging.WARNING)  # the set-up's partner calls
    settings = Settings(
        database_url=url, public_url_override=PUBLIC_URL, secret_key=Secret("bench-not-secret")
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        created = await create_account(app.state.services.store, "Bench", [], [])
        token, customers = await _setup(app, created.application.key, created.secret)
        locations: list[str] = []

        async def keep(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                assert message["status"] == 201, message
                headers = dict(message["headers"])
                locations.append(headers[b"location"].decode().removeprefix(PUBLIC_URL))

        for customer in customers:
            for partner_id in PARTNER_IDS.values():
                scope, body = _create_request(token, customer, partner_id)

                async def receive(body: bytes = body) -> dict[str, Any]:
                    return {"type": "http.request", "body": body, "more_body": False}

                await app({**scope, "state": {}}, receive, keep)
        headers = [(b"authorization", f"Bearer {token}".encode()), (b"accept", HAL.encode())]
        reads = [(asgi_scope("GET", path, headers), b"") for path in locations]
        await drive(app, reads, len(reads), 200)  # warm-up
        return [await drive(app, reads, gets, 200) for _ in range(rounds)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gets", type=int, default=5000, help="reads per round")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--pg", help="PostgreSQL admin URL (a scratch database is made)")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        folder = stack.enter_context(tempfile.TemporaryDirectory())
        url = f"sqlite:///{folder}/hotpath.db"
        label = "SQLite"
        if args.pg:
            url, label = stack.enter_context(scratch_database(args.pg, "hotpath")), "PostgreSQL"
        timings = asyncio.run(measure(url, args.gets, args.rounds, f"{folder}/access.log"))
        print(
            f"{label:10s} GET median {statistics.median(timings):6.1f} µs/read"
            f"   min {min(timings):6.1f}"
        )


if __name__ == "__main__":
    main()
