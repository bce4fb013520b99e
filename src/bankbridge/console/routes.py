"""The console's routes, mounted at ``/console`` by ``app.py``."""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from bankbridge.console.origin import PublicOrigin
from bankbridge.console.pages import (
    browse,
    events,
    flow,
    levers,
    reauth,
    resources,
    settings,
    sign_in,
    webhooks,
)
from bankbridge.console.rendering import STATIC
from bankbridge.console.session import public_page

__all__ = ["console_mount"]

_STATIC_FILES = {
    "console.css": "text/css",
    "console.js": "text/javascript",
    "flow.css": "text/css",
    "flow.js": "text/javascript",
}


async def static_file(request: Request) -> Response:
    """The console's stylesheet and script (package data, never a CDN)."""
    name = request.path_params["name"]
    if name not in _STATIC_FILES:
        return Response("Not found", status_code=404, media_type="text/plain")
    return FileResponse(
        STATIC / name,
        media_type=_STATIC_FILES[name],
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )


async def no_such_page(request: Request) -> Response:
    """Any other address under /console: the not-found page."""
    return public_page("not_found.html", {}, title="Not found", status=404)


def console_routes() -> list[BaseRoute]:
    """Every console route, relative to ``/console``."""
    return [
        Route("/static/{name}", static_file, methods=["GET"]),
        *sign_in.ROUTES,
        *browse.ROUTES,
        *resources.ROUTES,
        *events.ROUTES,
        *webhooks.ROUTES,
        *settings.ROUTES,
        *flow.ROUTES,
        *levers.ROUTES,
        *reauth.ROUTES,
        Route("/{path:path}", no_such_page, methods=["GET", "POST"]),  # keep last
    ]


def console_mount() -> Mount:
    """The console at ``/console`` (asked for at the public URL's other loopback name: sent
    to the public URL, ``origin.py``)."""
    return Mount("/console", routes=console_routes(), middleware=[Middleware(PublicOrigin)])
