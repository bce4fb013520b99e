"""Persistence: the ``Store`` protocol, its SQL implementation and the database drivers."""

from __future__ import annotations

from bankbridge.store.base import Database, Store
from bankbridge.store.sql import SqlStore

__all__ = ["Database", "SqlStore", "Store", "open_database"]


async def open_database(url: str) -> Database:
    """Open the database behind a ``sqlite:///…`` or ``postgresql://…`` URL and migrate it."""
    from bankbridge.store.migrate import migrate

    if url.startswith("sqlite:"):
        from bankbridge.store.sqlite import SqliteDatabase

        database: Database = SqliteDatabase.open(url)
    elif url.startswith(("postgresql:", "postgres:", "postgresql+asyncpg:")):
        from bankbridge.store.postgres import PostgresDatabase

        database = await PostgresDatabase.open(url)
    else:
        raise ValueError(f"unsupported BANKBRIDGE_DATABASE_URL scheme: {url.split(':', 1)[0]!r}")
    await migrate(database)
    return database
