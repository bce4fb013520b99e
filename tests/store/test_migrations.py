"""Migrations apply once, in order, and leave a usable schema."""

from __future__ import annotations

import asyncio

from bankbridge.store import open_database
from bankbridge.store.migrate import available_migrations, migrate


def test_migrations_are_numbered_and_ordered():
    versions = [version for version, _ in available_migrations()]
    assert versions == sorted(versions)
    assert versions[0] == "0001_initial"
    assert all(v[:4].isdigit() for v in versions)


def test_migrate_is_idempotent(tmp_path):
    async def scenario():
        database = await open_database(f"sqlite:///{tmp_path}/m.db")
        try:
            again = await migrate(database)
            recorded = await database.fetch_all("SELECT version FROM schema_migrations")
            tables = await database.fetch_all(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        finally:
            await database.close()
        return again, recorded, {t["name"] for t in tables}

    again, recorded, tables = asyncio.run(scenario())
    assert again == []
    assert [r["version"] for r in recorded] == [v for v, _ in available_migrations()]
    assert {"accounts", "applications", "access_tokens", "customers", "exchange_sessions"} <= tables


def test_absolute_sqlite_url_creates_the_folder(tmp_path):
    target = tmp_path / "deep" / "er" / "db.sqlite"

    async def scenario():
        database = await open_database(f"sqlite:///{target}")
        await database.close()

    asyncio.run(scenario())
    assert target.exists()
