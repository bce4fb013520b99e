"""The emulators' record store: put/get/take/list/delete with expiry, on each backend."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet

from bankbridge.clock import now
from bankbridge.crypto import Vault
from bankbridge.store import SqlStore, open_database
from bankbridge.store.base import NewRecord


def _run(database_url, scenario):
    async def main():
        database = await open_database(database_url)
        try:
            return await scenario(SqlStore(database, Vault(Fernet.generate_key())))
        finally:
            await database.close()

    return asyncio.run(main())


def test_records_round_trip_and_replace(database_url):
    async def scenario(store):
        records = store.emulator_records("plaid")
        await records.put("item", "i1", {"n": 1})
        await records.put("item", "i1", {"n": 2})
        return await records.get("item", "i1"), await records.get("item", "missing")

    assert _run(database_url, scenario) == ({"n": 2}, None)


def test_take_returns_a_record_once(database_url):
    async def scenario(store):
        records = store.emulator_records("plaid")
        await records.put("public_token", "t", {"item": "i1"})
        return await records.take("public_token", "t"), await records.take("public_token", "t")

    assert _run(database_url, scenario) == ({"item": "i1"}, None)


def test_expired_records_are_invisible(database_url):
    async def scenario(store):
        records = store.emulator_records("mx")
        await records.put("widget", "w", {"x": 1}, expires_at=now() - timedelta(seconds=1))
        await records.put(
            "member", "m", {"x": 2}, parent="u", expires_at=now() - timedelta(seconds=1)
        )
        return (
            await records.get("widget", "w"),
            await records.take("widget", "w"),
            await records.list("member", "u"),
        )

    assert _run(database_url, scenario) == (None, None, [])


def test_records_are_namespaced_by_partner_and_listed_by_parent(database_url):
    async def scenario(store):
        mx, plaid = store.emulator_records("mx"), store.emulator_records("plaid")
        await mx.put("member", "m1", {"n": 1}, parent="u1")
        await mx.put("member", "m2", {"n": 2}, parent="u1")
        await mx.put("member", "m3", {"n": 3}, parent="u2")
        await mx.delete("member", "m2")
        return await mx.list("member", "u1"), await plaid.get("member", "m1")

    assert _run(database_url, scenario) == ([{"n": 1}], None)


def test_put_all_writes_every_record_and_replaces_existing_ones(database_url):
    async def scenario(store):
        records = store.emulator_records("mx")
        await records.put("user", "u1", {"n": 0}, parent="all")
        await records.put_all(
            [
                NewRecord("user", "u1", {"n": 1}, parent="all"),
                NewRecord("user_by_id", "c1", {"guid": "u1"}),
                NewRecord("widget", "w", {"x": 1}, expires_at=now() - timedelta(seconds=1)),
            ]
        )
        await records.put_all([])
        return (
            await records.list("user", "all"),
            await records.get("user_by_id", "c1"),
            await records.get("widget", "w"),
        )

    assert _run(database_url, scenario) == ([{"n": 1}], {"guid": "u1"}, None)


def test_put_all_refuses_the_same_record_twice_and_writes_nothing(database_url):
    async def scenario(store):
        records = store.emulator_records("plaid")
        with pytest.raises(ValueError):
            await records.put_all([NewRecord("item", "i1", {"n": 1}), NewRecord("item", "i1", {})])
        return await records.get("item", "i1")

    assert _run(database_url, scenario) is None


def test_put_all_writes_records_of_another_namespace_in_the_same_write(database_url):
    """A capability in the partner's index goes with the account's records; the same
    (kind, key) in two namespaces is two records, and a duplicate in one is refused."""

    async def scenario(store):
        index, mine = store.emulator_records("mx"), store.emulator_records("mx/acct-1")
        await mine.put_all(
            [NewRecord("widget", "tok", {"step": 1})],
            also=[(index, NewRecord("capability", "tok", {"owner": "acct-1"}))],
        )
        await mine.put_all(
            [NewRecord("capability", "tok", {"mine": True})],
            also=[(index, NewRecord("capability", "tok", {"owner": "acct-2"}))],
        )
        with pytest.raises(ValueError):
            await mine.put_all(
                [NewRecord("widget", "w2", {})],
                also=[(mine, NewRecord("widget", "w2", {"again": True}))],
            )
        return (
            await mine.get("widget", "tok"),
            await mine.get("capability", "tok"),
            await index.get("capability", "tok"),
            await index.get("widget", "tok"),
            await mine.get("widget", "w2"),
        )

    assert _run(database_url, scenario) == (
        {"step": 1},
        {"mine": True},
        {"owner": "acct-2"},
        None,
        None,
    )
