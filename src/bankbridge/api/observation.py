"""Per-request observation: the ``X-Request-Id`` and the request metrics, in one wrapper.

``X-Request-Id`` is taken from the request when sane, made otherwise, echoed, and set in a
context variable (``logs.request_id``) for the rest of the request, so every log line
written while serving it (the access line, partner calls, errors) carries it. A caller's
id is kept only when it is short and plain (letters, digits, ``-_.:``), so it can never
forge or break a log line.

The same wrapper counts the request by route template (``/customers/{id}``, never the
raw path), method and status, with its latency. It does the least it can per request (one
``send`` wrapper, two clock reads, one dict lookup for already-bound metric children):
the GET hot path is benchmarked.
"""

from __future__ import annotations

import os
import re
import time
from typing import Any

from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bankbridge.logs import request_id
from bankbridge.metrics import request_children

__all__ = ["ROUTE_KEY", "ObservationMiddleware", "name_route"]

# Set in the scope by code that answers without Starlette's router (the GET fast path).
ROUTE_KEY = "bankbridge.route"
_HEADER = b"x-request-id"
_SANE = re.compile(rb"[A-Za-z0-9._:-]{1,128}")
_UNMATCHED = "unmatched"


class ObservationMiddleware:
    """Sets and echoes the request id; counts the request by route and status."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        given = None
        for name, value in scope["headers"]:
            if name == _HEADER:
                given = value
                break
        raw = (
            given if given is not None and _SANE.fullmatch(given) else os.urandom(8).hex().encode()
        )
        request_id.set(raw.decode("ascii"))
        header = (_HEADER, raw)
        status = 500  # what the server answers if the app fails before starting a response

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            counter, histogram = request_children(_route(scope), scope["method"], status)
            counter.inc()
            histogram.observe(time.perf_counter() - started)


def name_route(scope: Scope) -> None:
    """Record the template of the route that would answer ``scope``, for a response sent
    before routing (an idempotent replay). Walks the route table: only for rare answers."""
    for route in scope["app"].router.routes:
        match, _ = route.matches(scope)
        if match is Match.FULL and hasattr(route, "path"):
            scope[ROUTE_KEY] = route.path
            return


def _route(scope: Scope) -> str:
    route: Any = scope.get("route")
    if route is not None:
        # Inside a Mount (the emulators) the router sets the inner route; its mount is
        # the scope's root path.
        return f"{scope.get('root_path', '')}{route.path}"
    named: str = scope.get(ROUTE_KEY, _UNMATCHED)
    return named
