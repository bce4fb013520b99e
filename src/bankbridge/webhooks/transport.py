"""An httpx transport that connects only to public addresses, checked on every connection.

Checking a URL once, when a platform gives it, is not enough: the name may resolve to a
public address then and to ``127.0.0.1`` a minute later (DNS rebinding), and resolving it
again at delivery and letting httpx resolve it a third time to connect leaves the same
gap. So the check lives where the connection is made: the network backend resolves the
host, refuses it unless every address is public (``bankbridge.egress``), and opens the TCP
connection to one of exactly those addresses. Everything above it is httpx as usual: the
URL, the ``Host`` header and the TLS server name (SNI and certificate check) stay the
receiver's host name, and the connection pool is keyed by that name.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import httpcore
import httpx

from bankbridge.egress import DestinationRefused, resolve_public

__all__ = ["PublicOnlyBackend", "PublicOnlyTransport"]

log = logging.getLogger("bankbridge.webhooks")

DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)


class PublicOnlyBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, refusing hosts that are not public, every time."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Connect to a vetted address of ``host``; ``httpcore.ConnectError`` if none."""
        try:
            addresses = await resolve_public(host, port)
        except DestinationRefused as exc:
            log.warning("outbound connection refused: %s", exc)
            raise httpcore.ConnectError("destination refused") from exc
        failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None  # resolve_public never answers an empty list
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Never: a Unix socket is a local destination."""
        raise httpcore.ConnectError("destination refused: unix sockets are local")

    async def sleep(self, seconds: float) -> None:
        """Sleep as the wrapped backend does (httpcore's retries use it)."""
        await self._inner.sleep(seconds)


class PublicOnlyTransport(httpx.AsyncHTTPTransport):
    """``httpx.AsyncHTTPTransport`` whose connections go only to public addresses.

    Proxies from the environment are ignored (a proxy would resolve the name itself).
    """

    def __init__(
        self,
        limits: httpx.Limits = DEFAULT_LIMITS,
        backend: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        super().__init__(trust_env=False, limits=limits)
        # httpx offers no argument for httpcore's network backend, so the pool it built is
        # replaced by the same pool with ours; requests still go through httpx's own
        # request/response mapping and exception translation.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=False,
            network_backend=PublicOnlyBackend(backend),
        )
