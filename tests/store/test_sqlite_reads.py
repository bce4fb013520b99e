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


def test_reads_share_one_read_transaction_per_loop_turn_and_see_every_write(tmp_path):
    """Reads of one event-loop turn share a read transaction (one WAL read lock); a write of
    this process ends it first, and a commit by another connection is seen from the next turn."""
    url = f"sqlite:///{tmp_path}/turns.db"

    async def scenario():
        database = SqliteDatabase.open(url)
        other = SqliteDatabase.open(url)  # another process's connection
        try:
            await database.execute("CREATE TABLE t (n INTEGER)")
            await database.execute("INSERT INTO t (n) VALUES (1)")
            seen = [await database.fetch_all("SELECT n FROM t")]
            await other.execute("INSERT INTO t (n) VALUES (2)")  # commits at once
            seen.append(await database.fetch_all("SELECT n FROM t"))  # same turn: snapshot
            await asyncio.sleep(0)  # the turn ends
            seen.append(await database.fetch_all("SELECT n FROM t"))
            await database.execute("INSERT INTO t (n) VALUES (3)")  # ends this turn's reads
            seen.append(await database.fetch_all("SELECT n FROM t"))
            async with database.transaction() as tx:  # begins while a read was open
                await tx.execute("INSERT INTO t (n) VALUES (4)")
            seen.append(await database.fetch_all("SELECT n FROM t"))
            await asyncio.sleep(0)
            seen.append(await other.fetch_all("SELECT n FROM t"))
            return [[r["n"] for r in rows] for rows in seen]
        finally:
            await database.close()
            await other.close()

    assert asyncio.run(scenario()) == [[1], [1], [1, 2], [1, 2, 3], [1, 2, 3, 4], [1, 2, 3, 4]]
