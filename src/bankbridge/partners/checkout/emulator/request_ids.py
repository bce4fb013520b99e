"""Checkout.com's ``Cko-Request-Id``: one per response, also readable by the handlers."""

from __future__ import annotations

import uuid

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["RequestIds", "request_id_of"]

REQUEST_ID_SCOPE_KEY = "bankbridge.cko_request_id"


def request_id_of(request: Request) -> str:
    """This request's ``Cko-Request-Id``."""
    return str(request.scope.get(REQUEST_ID_SCOPE_KEY, ""))


class RequestIds:
    """ASGI middleware: a ``Cko-Request-Id`` on every response (also put in the scope)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = str(uuid.uuid4())
        scope = {**scope, REQUEST_ID_SCOPE_KEY: request_id}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append("Cko-Request-Id", request_id)
            await send(message)

        await self.app(scope, receive, send_with_id)
