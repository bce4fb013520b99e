"""The partner adapters' HTTP transport, observed: one log line per partner call.

Every adapter shares one ``httpx.AsyncClient``; its transport is wrapped here, so each call
to MX, Plaid or Checkout.com (real or emulated) logs its partner, operation (method and
path template, ids replaced by ``{id}``), HTTP status or failure, and duration. Nothing
else of the request is logged: headers and bodies carry the partner credentials.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from typing import Any

import httpx

from bankbridge.metrics import count_partner_call

__all__ = ["ObservedTransport", "operation_of"]

log = logging.getLogger("bankbridge.partners")

# A path segment is an id when it is long-ish and holds a digit (MX guids, Checkout.com
# ids, Plaid never puts one in a path); templates keep label and log cardinality small.
_ID_SEGMENT = re.compile(r"^(?=.*\d)[^/]{6,}$")


class ObservedTransport(httpx.AsyncBaseTransport):
    """Wraps a transport; logs each request to a partner base URL it knows."""

    def __init__(self, inner: httpx.AsyncBaseTransport, bases: Sequence[tuple[str, str]]) -> None:
        self._inner = inner
        # (base URL without trailing slash, partner slug), longest first.
        self._bases = sorted(((b.rstrip("/"), s) for b, s in bases), key=lambda p: -len(p[0]))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        partner, operation = self.describe(request)
        started = time.perf_counter()
        try:
            response = await self._inner.handle_async_request(request)
        except Exception as exc:
            fields = _fields(partner, operation, started, 0, type(exc).__name__)
            log.warning("partner call failed", extra=fields)
            count_partner_call(partner, operation, "unreachable", fields["duration_ms"] / 1000)
            raise
        outcome = "ok" if response.status_code < 400 else "error"
        fields = _fields(partner, operation, started, response.status_code, outcome)
        log.info("partner call", extra=fields)
        count_partner_call(partner, operation, outcome, fields["duration_ms"] / 1000)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()

    def describe(self, request: httpx.Request) -> tuple[str, str]:
        """(partner slug, operation) of a request; ``other`` for an unknown base URL."""
        url = str(request.url.copy_with(query=None, fragment=None))
        for base, slug in self._bases:
            if url.startswith(base):
                return slug, operation_of(request.method, url[len(base) :])
        return "other", operation_of(request.method, request.url.path)


def operation_of(method: str, path: str) -> str:
    """``METHOD /path/{id}``: the call's template, ids and tokens in the path replaced."""
    segments = ["{id}" if _ID_SEGMENT.match(s) else s for s in path.split("/")]
    return f"{method} {'/'.join(segments) or '/'}"


def _fields(
    partner: str, operation: str, started: float, status: int, outcome: str
) -> dict[str, Any]:
    return {
        "partner": partner,
        "operation": operation,
        "status": status,
        "outcome": outcome,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
    }
