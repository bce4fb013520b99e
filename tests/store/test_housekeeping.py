"""Housekeeping deletes expired emulator records and tokens, and nothing else."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from cryptography.fernet import Fernet

from bankbridge.clock import now
from bankbridge.crypto import Vault
from bankbridge.housekeeping import EXPIRED_TOKEN_RETENTION, Housekeeper
from bankbridge.store import SqlStore, open_database


def test_housekeeping_deletes_only_expired_rows(database_url):
    async def scenario():
        database = await open_database(database_url)
        try:
            store = SqlStore(database, Vault(Fernet.generate_key()))
            records = store.emulator_records("plaid")
            past, future = now() - timedelta(seconds=1), now() + timedelta(hours=1)
            for n in range(1200):  # more than two batches
                await records.put("link_token", f"old-{n}", {"n": n}, expires_at=past)
            await records.put("link_token", "fresh", {"n": -1}, expires_at=future)
            await records.put("item", "forever", {"n": -2})
            removed = await Housekeeper(store).run_once()
            count = await database.fetch_one("SELECT COUNT(*) AS n FROM emulator_records")
            kept = [await records.get("link_token", "fresh"), await records.get("item", "forever")]
        finally:
            await database.close()
        return removed, count["n"] if count else None, kept

    removed, count, kept = asyncio.run(scenario())
    assert removed == 1200
    assert (count, kept) == (2, [{"n": -1}, {"n": -2}])


def test_housekeeping_deletes_access_tokens_a_day_after_they_expire(database_url):
    """Tokens expired for less than the retention stay, so they answer ExpiredAccessToken."""
    from bankbridge.domain.accounts import create_account

    async def scenario():
        database = await open_database(database_url)
        try:
            store = SqlStore(database)
            created = await create_account(store, "Tokens", [], [])
            app = created.application
            long_ago = now() - EXPIRED_TOKEN_RETENTION - timedelta(seconds=1)
            await store.add_access_token("long-expired", app, long_ago)
            await store.add_access_token("just-expired", app, now() - timedelta(seconds=1))
            await store.add_access_token("live", app, now() + timedelta(hours=1))
            await Housekeeper(store).run_once()
            return sorted(
                r["token_hash"]
                for r in await database.fetch_all("SELECT token_hash FROM access_tokens")
            )
        finally:
            await database.close()

    assert asyncio.run(scenario()) == ["just-expired", "live"]
