"""The app's outermost layer: request id, metrics, access log, and the session-read fast path.

``BankBridge`` is the Starlette app with one wrapper around everything else (Starlette's
own error middleware included), so every response, a 500 too, is observed:

- ``X-Request-Id`` is taken from the request when sane, made otherwise, echoed, and set in
  a context variable (``logs.request_id``) for the rest of the request, so every log line
  written while serving it carries it. A caller's id is kept only when it is short and
  plain (letters, digits, ``-_.:``), so it can never forge or break a log line.
- The request is counted by route template (``/customers/{id}``, never the raw path),
  method and status, with its latency.
- It is written to BankBridge's access log (``access_log``), with its duration.
- ``GET /exchange-sessions/{id}`` is first offered to the fast path (``fastpath``), which
  answers the successful read without routing; everything else goes to Starlette.

It does the least it can per request: the GET hot path is benchmarked.
"""

from __future__ import annotations

import re
import time
from random import getrandbits
from typing import Any

from starlette.applications import Starlette
from starlette.routing import Match
from starlette.types import Message, Receive, Scope, Send

from bankbridge.access_log import AccessLog
from bankbridge.api.fastpath import ROUTE, session_read
from bankbridge.api.hal import HAL_JSON
from bankbridge.logs import request_id
from bankbridge.metrics import request_children

__all__ = ["ROUTE_KEY", "BankBridge", "name_route"]

# Set in the scope by code that answers without Starlette's router (the GET fast path).
ROUTE_KEY = "bankbridge.route"
_HEADER = b"x-request-id"
_SANE = re.compile(rb"[A-Za-z0-9._:-]{1,128}")
_UNMATCHED = "unmatched"
_CONTENT_TYPE = (b"content-type", HAL_JSON.encode("latin-1"))


class BankBridge(Starlette):
    """The Starlette app, observed: see the module's docstring."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.access_log = AccessLog()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        started = time.perf_counter()
        # The path as requested (routing into a mount rewrites the scope's paths).
        path = scope.get("root_path", "") + scope["path"]
        given = None
        for name, value in scope["headers"]:
            if name == _HEADER:
                given = value
                break
        # A made-up id needs to be unique, not secret: no system call for it (getrandom is
        # a syscall per request, ~6% of a session read on this machine).
        raw = given if given is not None and _SANE.fullmatch(given) else b"%016x" % getrandbits(64)
        rid = raw.decode("ascii")
        request_id.set(rid)
        header = (_HEADER, raw)
        status = 500  # what the server answers if the app fails before starting a response

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        try:
            scope["app"] = self
            body = await session_read(scope)
            if body is None:
                await super().__call__(scope, receive, send_with_id)
            else:
                scope[ROUTE_KEY] = ROUTE
                status = 200
                length = (b"content-length", str(len(body)).encode("latin-1"))
                await send(
                    {
                        "type": "http.response.start",
                        "status": 200,
                        "headers": [length, _CONTENT_TYPE, header],
                    }
                )
                await send({"type": "http.response.body", "body": body})
        finally:
            elapsed = time.perf_counter() - started
            method = scope["method"]
            counter, histogram = request_children(_route(scope), method, status)
            counter.inc()
            histogram.observe(elapsed)
            log = self.access_log
            if log.enabled():
                log.add(
                    time.time(),
                    rid,
                    scope.get("client"),
                    method,
                    path,
                    scope.get("query_string", b""),
                    scope.get("http_version", "1.1"),
                    status,
                    elapsed * 1000,
                )


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
