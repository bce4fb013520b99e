"""A PostgreSQL server for the tests: the configured one, a throwaway cluster, or a clear failure.

Order of attempts:
1. ``BANKBRIDGE_TEST_POSTGRES_URL`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``).
2. A throwaway cluster from the installed PostgreSQL binaries (``initdb``/``pg_ctl``) in a
   temporary folder, on a free port (not possible as root: initdb refuses).
3. Otherwise the run fails with how to install or start PostgreSQL. It never skips.
"""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"

HOW_TO = (
    "PostgreSQL is needed for the PostgreSQL half of the test suite and could not be reached "
    "at {url} ({error}).\n"
    "Start it (Debian: "
    "`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`), "
    "point BANKBRIDGE_TEST_POSTGRES_URL at a server where you may CREATE DATABASE, or install "
    "it (`apt-get install postgresql`, `brew install postgresql`) so that the tests can start a "
    "throwaway cluster. To run only the SQLite half deliberately: "
    "BANKBRIDGE_TEST_BACKENDS=sqlite make test."
)


def reachable(url: str) -> str | None:
    """None when a connection to ``url`` works, else the error text."""

    async def probe() -> None:
        conn = await asyncpg.connect(url, timeout=3)
        await conn.close()

    try:
        asyncio.run(probe())
    except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


@contextmanager
def admin_url() -> Iterator[str]:
    """A URL with rights to create databases, for the duration of the test run."""
    url = os.environ.get("BANKBRIDGE_TEST_POSTGRES_URL", DEFAULT_ADMIN_URL)
    error = reachable(url)
    if error is None:
        yield url
        return
    initdb = _binary("initdb")
    if initdb is None or os.geteuid() == 0:
        raise RuntimeError(HOW_TO.format(url=url, error=error))
    with _throwaway_cluster(initdb) as cluster_url:
        yield cluster_url


@contextmanager
def fresh_database(admin: str) -> Iterator[str]:
    """A new, uniquely named database (dropped afterwards): runs never collide."""
    name = f"bankbridge_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"

    async def run(sql: str) -> None:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    base = admin.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


@contextmanager
def _throwaway_cluster(initdb: str) -> Iterator[str]:
    pg_ctl = os.path.join(os.path.dirname(initdb), "pg_ctl")
    with tempfile.TemporaryDirectory(prefix="bankbridge-pg-") as folder:
        data = os.path.join(folder, "data")
        subprocess.run(
            [initdb, "-D", data, "-A", "trust", "-U", "postgres"], check=True, capture_output=True
        )
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1"
        subprocess.run(
            [pg_ctl, "-D", data, "-o", options, "-l", os.path.join(folder, "log"), "-w", "start"],
            check=True,
            capture_output=True,
        )
        try:
            yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run([pg_ctl, "-D", data, "-m", "immediate", "stop"], capture_output=True)
