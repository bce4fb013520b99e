"""A scratch PostgreSQL database for the in-process benches (made, then dropped)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg


@contextmanager
def scratch_database(admin_url: str, prefix: str) -> Iterator[str]:
    """The URL of a new, empty database on ``admin_url``'s server, dropped afterwards."""
    name = f"{prefix}_{os.getpid()}"

    async def run(*statements: str) -> None:
        conn = await asyncpg.connect(admin_url, timeout=5)
        try:
            for statement in statements:
                await conn.execute(statement)
        finally:
            await conn.close()

    drop = f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    asyncio.run(run(drop, f"CREATE DATABASE {name}"))
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        asyncio.run(run(drop))
