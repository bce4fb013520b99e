"""The SQLite driver's reads skip the lock only when no transaction is open."""

from __future__ import annotations

import asyncio

from bankbridge.store.sqlite import SqliteDatabase


def test_a_read_waits_for_an_open_transaction_instead_of_seeing_inside_it(tmp_path):
    async def scenario():
        database = SqliteDatabase.open(f"sqlite:///{tmp_path}/reads.db")
        try:
            await database.execute("CREATE TABLE t (n INTEGER)")
            async with database.transaction() as tx:
                await tx.execute("INSERT INTO t (n) VALUES (1)")
                read = asyncio.ensure_future(database.fetch_all("SELECT n FROM t"))
                await asyncio.sleep(0.01)
                waited = not read.done()
                await tx.execute("DELETE FROM t")
                await tx.execute("INSERT INTO t (n) VALUES (2)")
            return waited, await read, await database.fetch_one("SELECT n FROM t")
        finally:
            await database.close()

    waited, rows, row = asyncio.run(scenario())
    assert waited
    assert rows == [{"n": 2}]
    assert row == {"n": 2}
