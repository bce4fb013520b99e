"""What sealing provider data at rest costs ``GET /exchange-sessions/{id}``, in process.

One Checkout.com session (the only partner whose sessions carry provider data) is read
through the app's own ASGI stack (the fast path) with its ``provider_data`` row stored three
ways, rounds interleaved: plain JSON (as before sealing), sealed with AES-GCM (what the
store writes) and Fernet-encrypted (the vault's other cipher, read through a patched
``open_session_data``). Every response is checked against the real one.

    .venv/bin/python bench/sealing.py [requests per round] [rounds]

Not part of ``make bench`` (no server, no wrk); see BENCHMARKS.md for results.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

import bankbridge.store.sql as sql_store
from bankbridge.app import create_app
from bankbridge.config import Secret, Settings
from bankbridge.crypto import Vault
from bankbridge.domain.accounts import create_account
from bankbridge.store.sealed import open_session_data

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from helpers import ApiClient

HAL = b"application/vnd.dwolla.v1.hal+json"


def main(requests: int = 3000, rounds: int = 15) -> None:
    folder = tempfile.mkdtemp()
    settings = Settings(
        database_url=f"sqlite:///{folder}/sealing.db",
        public_url_override="http://testserver",
        secret_key=Secret("bench-not-secret"),
    )
    with TestClient(create_app(settings), base_url="http://testserver") as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        store, vault = services.require_store(), services.require_vault()
        created = client.portal.call(create_account, store, "Bench", [], [])  # type: ignore[union-attr]
        api = ApiClient.login(client, created.application.key, created.secret)
        location = api.create_session(api.create_customer(), "Checkout.com").headers["location"]
        session_id = location.rsplit("/", 1)[1]
        expected = api.get(location).content
        row = client.portal.call(  # type: ignore[union-attr]
            store.database.fetch_one,
            "SELECT provider_data FROM exchange_sessions WHERE id = :id",
            {"id": session_id},
        )
        data = open_session_data(vault, session_id, row["provider_data"])
        forms = {
            "plain JSON": json.dumps(data),
            "AES-GCM (seal)": row["provider_data"],
            "Fernet": vault.encrypt(json.dumps(data)),
        }
        scope = _scope(client.app, session_id, api.token)
        sealed_open = sql_store.open_session_data
        results: dict[str, list[float]] = {name: [] for name in forms}
        for _ in range(rounds):
            for name, text in forms.items():
                sql_store.open_session_data = _fernet_open if name == "Fernet" else sealed_open
                client.portal.call(  # type: ignore[union-attr]
                    store.database.execute,
                    "UPDATE exchange_sessions SET provider_data = :d WHERE id = :id",
                    {"d": text, "id": session_id},
                )
                results[name].append(
                    client.portal.call(_timed, client.app, scope, requests, expected)  # type: ignore[union-attr]
                )
        sql_store.open_session_data = sealed_open
    for name, timings in results.items():
        print(
            f"{name:16s} median {statistics.median(timings):6.1f} µs/GET"
            f"   min {min(timings):6.1f} µs/GET"
        )


def _fernet_open(vault: Vault, session_id: str, text: str) -> Any:
    return json.loads(text if text.startswith("{") else vault.decrypt(text))


def _scope(app: Any, session_id: str, token: str) -> dict[str, Any]:
    path = f"/exchange-sessions/{session_id}"
    return {
        "type": "http",
        "method": "GET",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"authorization", f"Bearer {token}".encode()), (b"accept", HAL)],
        "root_path": "",
        "scheme": "http",
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 1),
        "http_version": "1.1",
        "app": app,
        "state": {},
    }


async def _timed(app: Any, scope: dict[str, Any], requests: int, expected: bytes) -> float:
    bodies: list[bytes] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            bodies.append(message["body"])

    began = time.perf_counter()
    for _ in range(requests):
        await app(dict(scope), receive, send)
    elapsed = (time.perf_counter() - began) / requests * 1e6
    assert bodies[-1] == expected and len(bodies) == requests
    return elapsed


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
