"""BankBridge's access log: one line per request, written a batch per event-loop turn.

``bankbridge serve`` logs each request itself (uvicorn's own access log is off): the app's
outermost layer (``api/observation.py``) hands ``AccessLog.add`` a few fields, and once per
turn of the event loop every request answered in that turn is written as one log record
of the ``bankbridge.access`` logger, whose handler writes them in one call. Per request
that costs a tuple and a list append instead of a ``LogRecord``, a filter, a formatter and
a write with its flush (uvicorn's access log was 15-21% of a session read: BENCHMARKS.md).

Each line keeps what uvicorn's said (client, request line, status) and adds the request's
id and its duration; formatting (``logs.AccessTextFormatter`` / ``logs.JsonFormatter``)
renders each entry with its own time. Request targets are redacted (``redaction``) before
they are written: capability URLs and credentials in query strings never reach the log.
"""

from __future__ import annotations

import asyncio
import logging
from typing import NamedTuple
from urllib.parse import quote

from bankbridge.redaction import redact_target

__all__ = ["ACCESS_LOG", "AccessEntry", "AccessLog"]

ACCESS_LOG = "bankbridge.access"


class AccessEntry(NamedTuple):
    """One answered request, as the access log writes it."""

    time: float  # seconds since the epoch, when the request was answered
    request_id: str
    client: str
    method: str
    target: str  # path and query string, redacted
    http_version: str
    status: int
    duration_ms: float

    def line(self) -> str:
        """``client - "METHOD target HTTP/v" status duration_ms=…`` (uvicorn's, plus time)."""
        return (
            f'{self.client} - "{self.method} {self.target} HTTP/{self.http_version}" '
            f"{self.status} duration_ms={self.duration_ms:.2f}"
        )


class _Batch(logging.LogRecord):
    """The record of one loop turn's requests; its message is their lines."""

    entries: list[AccessEntry]

    def getMessage(self) -> str:
        return "\n".join(entry.line() for entry in self.entries)


class AccessLog:
    """Collects answered requests and writes them once per event-loop turn."""

    def __init__(self, logger_name: str = ACCESS_LOG) -> None:
        self.logger = logging.getLogger(logger_name)
        self._pending: list[tuple[float, str, object, str, str, bytes, str, int, float]] = []

    def enabled(self) -> bool:
        """Whether requests are logged at all (``serve --no-access-log`` turns it off)."""
        return self.logger.isEnabledFor(logging.INFO)

    def add(
        self,
        when: float,
        request_id: str,
        client: object,
        method: str,
        path: str,
        query: bytes,
        http_version: str,
        status: int,
        duration_ms: float,
    ) -> None:
        """Log one answered request (at the end of this loop turn). Cheap: the hot path.

        ``path`` is the decoded path (with any root path) and ``query`` the raw query
        string, as the ASGI scope has them."""
        pending = self._pending
        if not pending:
            asyncio.get_running_loop().call_soon(self.flush)
        pending.append(
            (when, request_id, client, method, path, query, http_version, status, duration_ms)
        )

    def flush(self) -> None:
        """Write every request collected so far, as one record."""
        pending, self._pending = self._pending, []
        if not pending:
            return
        entries = [
            AccessEntry(when, rid, _client(client), method, _target(path, query), version, code, ms)
            for when, rid, client, method, path, query, version, code, ms in pending
        ]
        record = _Batch(self.logger.name, logging.INFO, __file__, 0, "", None, None)
        record.entries = entries
        record.created = entries[-1].time
        record.request_id = entries[0].request_id if len(entries) == 1 else "-"
        self.logger.handle(record)


def _client(client: object) -> str:
    if isinstance(client, (tuple, list)) and len(client) == 2:
        return f"{client[0]}:{client[1]}"
    return "-"


def _target(path: str, query: bytes) -> str:
    # As uvicorn's access log wrote it (the path quoted, the query string as sent), redacted.
    text = quote(path)
    if query:
        text = f"{text}?{query.decode('ascii', 'replace')}"
    return redact_target(text)
