"""``GET /openapi.json`` and ``GET /docs``: the API's own description, readable offline.

The docs page is Swagger UI (npm's ``swagger-ui-dist``, pinned by
``docs-assets/package-lock.json`` and copied into ``api/static/swagger-ui/`` by
``make install``) rendering ``/openapi.json``; BankBridge serves every file it loads, under
``/docs/assets``, so the page needs no other host.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

__all__ = ["ASSETS", "docs_assets", "get_docs", "get_openapi"]

ASSETS = Path(__file__).resolve().parent.parent / "static"
_RENDERER = ASSETS / "swagger-ui" / "swagger-ui-bundle.js"


async def get_openapi(request: Request) -> Response:
    """The OpenAPI 3.1 document (built at start-up), its server the public URL."""
    return Response(request.app.state.published.json, media_type="application/json")


async def get_docs(request: Request) -> Response:
    """The docs page; a plain 503 saying how to install the renderer when it is missing."""
    if not _RENDERER.is_file():
        return PlainTextResponse(
            "The docs page's Swagger UI is not installed: run `make install` (it needs npm).",
            status_code=503,
        )
    return HTMLResponse(_page())


def docs_assets() -> Mount:
    """The files the docs page loads (Swagger UI and its start-up script), at /docs/assets."""
    return Mount("/docs/assets", app=StaticFiles(directory=ASSETS, check_dir=False))


@lru_cache(maxsize=1)
def _page() -> str:
    return (ASSETS / "docs.html").read_text(encoding="utf-8")
