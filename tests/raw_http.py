"""HTTP/1.1 over a plain socket, for requests a client library will not send: half a body."""

from __future__ import annotations

import select
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


def send_endless_body(base: str, path: str, headers: dict[str, str], most: int) -> tuple[int, int]:
    """POST a chunked body of up to ``most`` bytes, stopping as soon as an answer arrives.

    Returns the answer's status and how many body bytes were sent by then; a server that
    reads the whole body before answering makes this send all ``most`` bytes (or time out).
    """
    parts = urlsplit(base)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=30)
    lines = [f"POST {path} HTTP/1.1", f"Host: {parts.netloc}", "Transfer-Encoding: chunked"]
    lines += [f"{name}: {value}" for name, value in headers.items()] + ["", ""]
    sock.sendall("\r\n".join(lines).encode("latin-1"))
    piece = b"[" * 65536
    chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    sent = 0
    try:
        while sent < most and not select.select([sock], [], [], 0)[0]:
            sock.sendall(chunk)
            sent += len(piece)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server answered and closed while we were still sending
    sock.settimeout(30)
    head = sock.recv(65536)
    sock.close()
    return int(head.split(b" ", 2)[1]), sent
