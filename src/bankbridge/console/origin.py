"""The console works at BankBridge's public URL only: the other loopback name is sent there.

Everything the console does is tied to the public URL's origin (``BANKBRIDGE_PUBLIC_URL``):
forms must come from it, the partners' frames and scripts are served under it, and their
pages accept being framed by it alone. ``make run`` prints ``http://127.0.0.1:8000``, and a
person may as well type ``http://localhost:8000``: the same server, another origin.

- :class:`PublicOrigin` (around the console's mount): a ``GET``/``HEAD`` whose ``Host`` is
  another loopback name for the public URL's loopback host, same scheme and port, is sent
  (303) to the same path and query at the public URL. The target is always the configured
  public URL, so no request can send a browser anywhere else; other hosts (a LAN address, a
  reverse proxy that rewrites ``Host``) are left alone, so no redirect can loop.
- :func:`cross_site_message`: a form refused because it came from another origin says
  where the console lives when that origin is this very server under another name.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import SplitResult, urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["PublicOrigin", "cross_site_message", "public_origin_redirect"]

CROSS_SITE = "This form was posted from another site."
_DEFAULT_PORTS = {"http": 80, "https": 443}


class PublicOrigin:
    """ASGI middleware: console pages asked for at another loopback name go to the public URL."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = Request(scope)
            target = public_origin_redirect(request, request.app.state.services.settings.public_url)
            if target is not None:
                response = RedirectResponse(
                    target, status_code=303, headers={"Cache-Control": "no-store"}
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def public_origin_redirect(request: Request, public_url: str) -> str | None:
    """The same page at the public URL, when ``request`` reached it by another loopback name."""
    if request.method not in ("GET", "HEAD"):
        return None
    public = _split(public_url)
    asked = _split(f"{request.url.scheme}://{request.headers.get('host', '')}")
    if public is None or asked is None or asked.hostname == public.hostname:
        return None
    if asked.scheme != public.scheme or _port(asked) != _port(public):
        return None
    if not (_loopback(asked.hostname) and _loopback(public.hostname)):
        return None
    raw_path: bytes = request.scope.get("raw_path") or request.url.path.encode()
    target = public_url.rstrip("/") + raw_path.decode("latin-1")
    query: bytes = request.scope.get("query_string", b"")
    return target + ("?" + query.decode("latin-1") if query else "")


def cross_site_message(request: Request, public_url: str) -> str:
    """Why a form from another origin was refused, and, when that origin is this server
    under another name (the browser's own ``Host``), where to open the console instead."""
    origin = _split(request.headers.get("origin", ""))
    asked = _split(f"{request.url.scheme}://{request.headers.get('host', '')}")
    if origin is None or asked is None or origin.netloc.lower() != asked.netloc.lower():
        return CROSS_SITE
    return (
        f"This page was opened at {origin.scheme}://{origin.netloc}, but BankBridge's public "
        f"URL is {public_url.rstrip('/')}: the console works there only. Open "
        f"{public_url.rstrip('/')}/console/ and sign in again."
    )


def _split(url: str) -> SplitResult | None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is no number
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return parts


def _port(parts: SplitResult) -> int:
    return parts.port or _DEFAULT_PORTS[parts.scheme]


def _loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
