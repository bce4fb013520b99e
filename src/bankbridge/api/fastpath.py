"""A fast path for the hottest read, ``GET /exchange-sessions/{id}``, as ASGI middleware.

Integrators poll sessions far more often than they do anything else, and on that read
Starlette's per-request machinery (``Request``, routing, exception middleware, ``Response``)
cost as much as the read itself (see BENCHMARKS.md). This middleware answers only the
successful case, with the same domain calls, presenter and bytes as the routed endpoint
(``exchange_sessions.retrieve``). Anything else (another path or method, a missing or bad
token, an unacceptable Accept header, an unknown or another account's session, any error)
goes down the normal stack untouched, which answers it exactly as before.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from bankbridge.api.auth import accept_media
from bankbridge.api.hal import HAL_JSON, encode
from bankbridge.api.hrefs import Hrefs
from bankbridge.api.observation import ROUTE_KEY
from bankbridge.api.resources.exchange_sessions import present
from bankbridge.domain.accounts import authenticate
from bankbridge.domain.exchange_sessions import get_exchange_session
from bankbridge.errors import BankBridgeError
from bankbridge.services import Services

__all__ = ["FastPathMiddleware"]

_PREFIX = "/exchange-sessions/"
_ROUTE = "/exchange-sessions/{id}"  # the routed endpoint's template, for the metrics
_CONTENT_TYPE = (b"content-type", HAL_JSON.encode("latin-1"))


class FastPathMiddleware:
    """Answers a successful ``GET /exchange-sessions/{id}``; passes everything else on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            path: str = scope["path"]
            if path.startswith(_PREFIX) and not scope.get("root_path"):
                session_id = path[len(_PREFIX) :]
                if session_id and "/" not in session_id and "\x00" not in session_id:
                    body = await _session_document(scope, session_id)
                    if body is not None:
                        scope[ROUTE_KEY] = _ROUTE
                        await send(
                            {
                                "type": "http.response.start",
                                "status": 200,
                                "headers": [
                                    (b"content-length", str(len(body)).encode("latin-1")),
                                    _CONTENT_TYPE,
                                ],
                            }
                        )
                        await send({"type": "http.response.body", "body": body})
                        return
        await self.app(scope, receive, send)


async def _session_document(scope: Scope, session_id: str) -> bytes | None:
    """The 200 body for this request, or None to let the routed endpoint answer."""
    authorization = accept = None
    prefer = False
    for name, value in scope["headers"]:
        if name == b"authorization":
            if authorization is None:  # the first one, as Starlette's Headers.get reads it
                authorization = value.decode("latin-1")
        elif name == b"accept" and accept is None:
            accept = value.decode("latin-1")
        elif name == b"prefer":
            prefer = True
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    services: Services = scope["app"].state.services
    if prefer and services.settings.sandbox:
        return None  # the routed endpoint honours ``Prefer: code=`` (sandbox only)
    try:
        account = await authenticate(services.store, token, services.token_cache)
        accept_media(accept)
        session = await get_exchange_session(services.store, account, session_id)
    except BankBridgeError:
        return None  # the endpoint answers it, with the same error
    return encode(present(Hrefs(services.settings.public_url), session))
