"""The SQLite database, its -wal/-shm files, key file and folder are private to their user.

Each test runs with umask 0, the worst case: without explicit modes everything would be
world-readable (and the folder world-writable).
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from starlette.testclient import TestClient

from bankbridge.app import create_app
from bankbridge.config import Settings


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@contextmanager
def _umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def test_cli_creates_the_database_0600_in_new_folders_0700(tmp_path):
    existing = tmp_path / "srv"
    existing.mkdir()
    existing.chmod(0o755)
    database = existing / "data" / "nested" / "bankbridge.db"
    result = subprocess.run(
        [sys.executable, "-m", "bankbridge", "accounts", "create", "--name", "A", "--json"],
        env={**os.environ, "BANKBRIDGE_DATABASE_URL": f"sqlite:///{database}"},
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=lambda: os.umask(0),
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["key"]
    assert _mode(database) == 0o600
    assert _mode(database.parent) == 0o700
    assert _mode(database.parent.parent) == 0o700
    assert _mode(existing) == 0o755  # a folder that existed keeps its mode


def test_a_running_server_keeps_database_wal_shm_and_key_files_0600(tmp_path):
    database = tmp_path / "var" / "bankbridge.db"
    settings = Settings(database_url=f"sqlite:///{database}")  # no secret key: a key file
    with _umask(0), TestClient(create_app(settings)) as client:
        # A write, so that SQLite has its write-ahead log and shared-memory files open.
        assert client.post("/token", data={"grant_type": "client_credentials"}).status_code
        client.get("/health")
        files = {name: _mode(Path(f"{database}{name}")) for name in ("", "-wal", "-shm", ".key")}
        folder = _mode(database.parent)
    assert files == {"": 0o600, "-wal": 0o600, "-shm": 0o600, ".key": 0o600}
    assert folder == 0o700
