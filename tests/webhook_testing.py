"""Webhook test helpers: a localhost receiver, ``subscribe``, and a tiny retry schedule.

The receiver is a threaded ``http.server`` on a localhost port. It records every request
(headers and raw body) and answers with the next status of a queue (200 once it is empty).
``stop`` closes the port and ``start`` opens it again on the same port, so a test can take
the receiver down and bring it back.
"""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from helpers import ApiClient

# Two retries, due at once: tests drive every attempt with run_once(), never by waiting.
TINY_SCHEDULE = (timedelta(0), timedelta(0))
SECRET = "receiver-shared-secret"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class Received:
    """One request as the receiver saw it."""

    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Receiver:
    """Records webhook POSTs on ``url``; answers ``statuses`` in order, then 200."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hooks"
        self.requests: list[Received] = []
        self.statuses: list[int] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                with receiver._lock:
                    receiver.requests.append(Received(self.path, headers, body))
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                reply = b'{"ok":true}' if status < 300 else b'{"error":"try later"}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def received(self) -> list[Received]:
        with self._lock:
            return list(self.requests)


def subscribe(api: ApiClient, url: str, secret: str = SECRET) -> dict[str, Any]:
    """Create a webhook subscription and return it as GET shows it."""
    created = api.post("/webhook-subscriptions", {"url": url, "secret": secret})
    assert created.status_code == 201, created.text
    fetched = api.get(created.headers["location"])
    assert fetched.status_code == 200, fetched.text
    result: dict[str, Any] = fetched.json()
    return result
