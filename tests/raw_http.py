"""HTTP/1.1 over a plain socket, for requests a client library will not send: half a body."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit


class PartialRequest:
    """A request whose headers and first body bytes are sent; ``finish`` sends the rest."""

    def __init__(
        self, base: str, method: str, path: str, headers: dict[str, str], body: bytes, sent: int
    ) -> None:
        parts = urlsplit(base)
        self._sock = socket.create_connection((parts.hostname, parts.port), timeout=30)
        lines = [f"{method} {path} HTTP/1.1", f"Host: {parts.netloc}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        lines += [f"Content-Length: {len(body)}", "Connection: close", "", ""]
        self._sock.sendall("\r\n".join(lines).encode("latin-1") + body[:sent])
        self._rest = body[sent:]

    def finish(self) -> tuple[int, dict[str, str], bytes]:
        """Send the rest of the body; returns the status, headers and body of the answer."""
        self._sock.sendall(self._rest)
        raw = b""
        while chunk := self._sock.recv(65536):
            raw += chunk
        self._sock.close()
        head, _, body = raw.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return int(status_line.split()[1]), headers, body

    def abandon(self) -> None:
        """Close the connection without sending the rest."""
        self._sock.close()
