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


def test_migrate_is_idempotent(database_url):
    async def scenario():
        database = await open_database(database_url)
        try:
            again = await migrate(database)
            recorded = await database.fetch_all("SELECT version FROM schema_migrations")
            for table in ("accounts", "applications", "access_tokens", "customers"):
                await database.fetch_all(f"SELECT * FROM {table} LIMIT 1")
        finally:
            await database.close()
        return again, recorded

    again, recorded = asyncio.run(scenario())
    assert again == []
    assert [r["version"] for r in recorded] == [v for v, _ in available_migrations()]


def test_absolute_sqlite_url_creates_the_folder(tmp_path):
    target = tmp_path / "deep" / "er" / "db.sqlite"

    async def scenario():
        database = await open_database(f"sqlite:///{target}")
        await database.close()

    asyncio.run(scenario())
    assert target.exists()


def test_concurrent_starts_migrate_once(database_url):
    """Several processes starting together must not race on the schema."""

    async def scenario():
        databases = [await open_database_unmigrated(database_url) for _ in range(4)]
        try:
            results = await asyncio.gather(*(migrate(d) for d in databases))
        finally:
            for d in databases:
                await d.close()
        return results

    results = asyncio.run(scenario())
    applied = [version for result in results for version in result]
    versions = [v for v, _ in available_migrations()]
    # A fresh database is migrated exactly once; an already migrated one not at all.
    assert applied in (versions, [])


async def open_database_unmigrated(url):
    if url.startswith("sqlite"):
        from bankbridge.store.sqlite import SqliteDatabase

        return SqliteDatabase.open(url)
    from bankbridge.store.postgres import PostgresDatabase

    return await PostgresDatabase.open(url)
