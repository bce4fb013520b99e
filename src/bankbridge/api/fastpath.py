"""A fast path for the hottest read, ``GET /exchange-sessions/{id}``, before any routing.

Integrators poll sessions far more often than they do anything else, and on that read
Starlette's per-request machinery (middleware, ``Request``, routing, ``Response``) cost as
much as the read itself (see BENCHMARKS.md). The app's outermost layer (``observation``)
asks ``session_read`` first; it answers only the successful case, with the very function
the routed endpoint answers with (``exchange_sessions.session_document``), so the bytes
are the same. Anything else (another path or method, a missing or bad token, an
unacceptable Accept header, an unknown or another account's session, any error) gets
``None`` and goes down the normal stack, which answers it exactly as before.
"""

from __future__ import annotations

from starlette.types import Scope

from bankbridge.api.auth import accept_media
from bankbridge.api.resources.exchange_sessions import session_document
from bankbridge.domain.accounts import authenticate
from bankbridge.services import Services

__all__ = ["ROUTE", "session_read"]

_PREFIX = "/exchange-sessions/"
ROUTE = "/exchange-sessions/{id}"  # the routed endpoint's template, for the metrics


async def session_read(scope: Scope) -> bytes | None:
    """The 200 body for this request, or None to let the routed endpoint answer."""
    if scope["method"] != "GET":
        return None
    path: str = scope["path"]
    if not path.startswith(_PREFIX) or scope.get("root_path"):
        return None
    session_id = path[len(_PREFIX) :]
    if not session_id or "/" in session_id or "\x00" in session_id:
        return None
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
        return await session_document(services, account, session_id)
    except Exception:
        return None
