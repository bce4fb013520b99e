"""SQLite driver: one connection per process, in WAL mode, for the default single-file setup.

Statements run synchronously on the event loop: an indexed SQLite read takes microseconds,
far less than a thread hop. A transaction holds an ``asyncio.Lock`` so that no other
coroutine's statement lands inside it; code never awaits network I/O inside a transaction.

Reads outside a transaction share one read transaction per turn of the event loop: in WAL
mode every read transaction takes and drops a read lock on the shared-memory index with two
``fcntl`` calls, and those system calls were a fifth of a session read's time here (see
BENCHMARKS.md). The first read of a turn begins it and the turn's end commits it; any write
or transaction ends it first, so this process always reads its own writes. A read sees the
database as it was at the first read of its loop turn (under a millisecond), as if it had
run a moment earlier.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from bankbridge.config import sqlite_path
from bankbridge.private_files import create_private_file, make_private_folder
from bankbridge.store.base import Database, Row, UniqueViolation

__all__ = ["SqliteDatabase"]

BUSY_TIMEOUT_MS = 5000
# SQLite's default page cache is 2 MiB: with a million sessions, most reads by id then miss
# it and go to the OS for the index and table leaves. 64 MiB holds the id index and hot
# pages at that size while keeping the process well under 200 MB (see BENCHMARKS.md).
CACHE_KIB = 65536


class SqliteDatabase:
    """The ``Database`` protocol over the standard library's ``sqlite3``."""

    dialect = "sqlite"

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn = connection
        self._lock = asyncio.Lock()
        self._reading = False  # this loop turn's read transaction is open

    @classmethod
    def open(cls, url: str) -> SqliteDatabase:
        """Open (creating the file and its folder if needed) the database at a sqlite URL.

        A new folder is made 0700 and a new file 0600; SQLite gives its ``-wal`` and
        ``-shm`` files the database file's mode.
        """
        path = sqlite_path(url)
        if str(path) != ":memory:":
            make_private_folder(path.parent)
            create_private_file(path)  # an empty file is an empty database
        conn = sqlite3.connect(
            str(path), isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
        )
        conn.row_factory = _dict_row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        return cls(conn)

    async def fetch_one(self, sql: str, params: Mapping[str, Any] | None = None) -> Row | None:
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def fetch_all(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        if self._lock.locked():  # a transaction is open: wait, so as not to read inside it
            async with self._lock:
                return _run(self._conn, sql, params).fetchall()
        # No await until the statement is done, so no transaction can begin meanwhile.
        if not self._reading and not self._conn.in_transaction:
            self._conn.execute("BEGIN")  # deferred: the read below takes the read lock
            self._reading = True
            asyncio.get_running_loop().call_soon(self._end_reads)
        return _run(self._conn, sql, params).fetchall()

    def _end_reads(self) -> None:
        """End this loop turn's read transaction (before any write, or at the turn's end)."""
        if self._reading:
            self._reading = False
            self._conn.execute("COMMIT")

    async def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> int:
        async with self._lock:
            self._end_reads()
            return _run(self._conn, sql, params).rowcount

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Database]:
        async with self._lock:
            self._end_reads()
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield _InTransaction(self._conn)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")

    async def close(self) -> None:
        self._end_reads()
        self._conn.close()


class _InTransaction:
    """The same connection while its transaction (and lock) is held."""

    dialect = "sqlite"

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn = connection

    async def fetch_one(self, sql: str, params: Mapping[str, Any] | None = None) -> Row | None:
        rows = _run(self._conn, sql, params).fetchall()
        return rows[0] if rows else None

    async def fetch_all(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        return _run(self._conn, sql, params).fetchall()

    async def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> int:
        return _run(self._conn, sql, params).rowcount

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Database]:
        yield self  # already inside one: join it

    async def close(self) -> None:
        return None


def _run(conn: sqlite3.Connection, sql: str, params: Mapping[str, Any] | None) -> sqlite3.Cursor:
    try:
        return conn.execute(sql, params or {})
    except sqlite3.IntegrityError as exc:
        if "UNIQUE" in str(exc) or "PRIMARY KEY" in str(exc):
            raise UniqueViolation(str(exc)) from exc
        raise


def _dict_row(cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> Row:
    return {column[0]: value for column, value in zip(cursor.description, row, strict=True)}
