"""``X-Request-Id``: taken from the request when sane, made otherwise, echoed, and logged.

The id is set in a context variable (``logs.request_id``) for the rest of the request, so
every log line written while serving it (the access line, partner calls, errors) carries
it. A caller's id is kept only when it is short and plain (letters, digits, ``-_.:``),
so it can never forge or break a log line.
"""

from __future__ import annotations

import os
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bankbridge.logs import request_id

__all__ = ["RequestIdMiddleware"]

_HEADER = b"x-request-id"
_SANE = re.compile(rb"[A-Za-z0-9._:-]{1,128}")


class RequestIdMiddleware:
    """Sets the request id for the request's context and echoes it in the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
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

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        await self.app(scope, receive, send_with_id)
