"""Webhook test helpers: a localhost receiver, ``subscribe``, a tiny retry schedule, a
resolver the test controls and a listener that counts TCP connections.

The receiver is a threaded ``http.server`` on a localhost port. It records every request
(headers and raw body) and answers with the next status of a queue (200 once it is empty).
``stop`` closes the port and ``start`` opens it again on the same port, so a test can take
the receiver down and bring it back.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
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
    """Records webhook POSTs on ``url``; answers ``statuses`` in order, then 200.

    A 3xx answer redirects to ``/followed`` on the same receiver.
    """

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
                if 300 <= status < 400:
                    self.send_header("Location", "/followed")
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


class Resolver:
    """A stand-in for ``socket.getaddrinfo``: names map to the addresses a test sets.

    Any other host is resolved only if it is numeric (``AI_NUMERICHOST``), so a test can
    never send a DNS query.
    """

    def __init__(self, real: Callable[..., Any]) -> None:
        self.names: dict[str, list[str]] = {}
        self._real = real

    def __call__(
        self, host: Any, port: Any, family: int = 0, type: int = 0, proto: int = 0, flags: int = 0
    ) -> list[Any]:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name.lower().rstrip(".") in self.names:
            if flags & socket.AI_NUMERICHOST:  # a name is not numeric, as getaddrinfo says
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            answers = []
            for address in self.names[name.lower().rstrip(".")]:
                numeric = self._real(address, port, family, type, proto, socket.AI_NUMERICHOST)
                answers.extend(numeric)
            return answers
        return list(self._real(host, port, family, type, proto, flags | socket.AI_NUMERICHOST))


class ConnectionCounter:
    """A TCP listener on 127.0.0.1 that accepts, counts and closes every connection."""

    def __init__(self) -> None:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(16)
        self._socket.settimeout(0.05)
        self.port: int = self._socket.getsockname()[1]
        self.count = 0
        self._running = True
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while self._running:
            try:
                connection, _ = self._socket.accept()
            except OSError:
                continue
            self.count += 1
            connection.close()

    def close(self) -> None:
        self._running = False
        self._thread.join(timeout=5)
        self._socket.close()
