"""PostgreSQL driver: an ``asyncpg`` connection pool for several processes on one database.

SQL is written once with ``:name`` parameters; this driver rewrites it to ``$n`` once per
statement text and caches the result.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any

import asyncpg

from bankbridge.store.base import Database, Row, UniqueViolation

__all__ = ["PostgresDatabase"]

_PARAM = re.compile(r"(?<![:\w]):([A-Za-z_][A-Za-z0-9_]*)")


class PostgresDatabase:
    """The ``Database`` protocol over an ``asyncpg`` pool."""

    dialect = "postgresql"

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @classmethod
    async def open(cls, url: str, *, min_size: int = 1, max_size: int = 10) -> PostgresDatabase:
        """Connect a pool to a ``postgresql://`` URL."""
        dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
        pool = await asyncpg.create_pool(
            dsn, min_size=min_size, max_size=max_size, reset=_keep_session
        )
        assert pool is not None
        return cls(pool)

    async def fetch_one(self, sql: str, params: Mapping[str, Any] | None = None) -> Row | None:
        async with self._pool.acquire() as conn:
            return await _Connection(conn).fetch_one(sql, params)

    async def fetch_all(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        async with self._pool.acquire() as conn:
            return await _Connection(conn).fetch_all(sql, params)

    async def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> int:
        async with self._pool.acquire() as conn:
            return await _Connection(conn).execute(sql, params)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Database]:
        async with self._pool.acquire() as conn, conn.transaction():
            yield _Connection(conn)

    async def close(self) -> None:
        await self._pool.close()


class _Connection:
    """One pooled connection (inside a transaction, or for a single statement)."""

    dialect = "postgresql"

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def fetch_one(self, sql: str, params: Mapping[str, Any] | None = None) -> Row | None:
        text, args = _bind(sql, params)
        with _unique_violations():
            record = await self._conn.fetchrow(text, *args)
        return dict(record) if record is not None else None

    async def fetch_all(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        text, args = _bind(sql, params)
        with _unique_violations():
            records = await self._conn.fetch(text, *args)
        return [dict(r) for r in records]

    async def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> int:
        text, args = _bind(sql, params)
        with _unique_violations():
            status = await self._conn.execute(text, *args)
        last = str(status).rsplit(" ", 1)[-1]
        return int(last) if last.isdigit() else 0

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Database]:
        async with self._conn.transaction():  # a savepoint when nested
            yield self

    async def close(self) -> None:
        return None


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Skip asyncpg's default reset query on release: one round trip per statement saved.

    That query (``pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL``) undoes
    session state, and this driver creates none: no ``SET``, ``LISTEN``, cursors or
    session-level advisory locks (migrations take a transaction-level one). asyncpg still
    rolls back a transaction left open before the connection goes back to the pool.
    """
    return None


@lru_cache(maxsize=512)
def _compile(sql: str) -> tuple[str, tuple[str, ...]]:
    names: list[str] = []

    def number(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    return _PARAM.sub(number, sql), tuple(names)


def _bind(sql: str, params: Mapping[str, Any] | None) -> tuple[str, list[Any]]:
    text, names = _compile(sql)
    values = params or {}
    return text, [values[name] for name in names]


class _unique_violations:
    """Turn a unique-constraint violation into the store's ``UniqueViolation``."""

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: Any
    ) -> None:
        if isinstance(exc, asyncpg.UniqueViolationError):
            raise UniqueViolation(str(exc)) from exc
