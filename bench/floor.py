"""The floor: the fastest this server stack can answer BankBridge's GET, for comparison.

``python bench/floor.py raw|starlette PORT BODY_FILE`` serves the bytes in BODY_FILE (a real
BankBridge ``GET /exchange-sessions/{id}`` body) with Dwolla's media type on every path, on
uvicorn configured exactly as ``bankbridge serve`` runs it (uvloop + httptools, info
logging, uvicorn's own access log off: BankBridge writes its own, inside the app), either as
a raw ASGI callable or as a one-route Starlette app.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import uvicorn

HAL_JSON = b"application/vnd.dwolla.v1.hal+json"


def raw_app(body: bytes) -> Any:
    """A bare ASGI app: one start message, one body message."""
    start = {
        "type": "http.response.start",
        "status": 200,
        "headers": [(b"content-type", HAL_JSON), (b"content-length", str(len(body)).encode())],
    }
    message = {"type": "http.response.body", "body": body}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        await send(start)
        await send(message)

    return app


def starlette_app(body: bytes) -> Any:
    """The same bytes from a Starlette route with a path parameter, as BankBridge routes it."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    async def endpoint(request: Request) -> Response:
        return Response(body, media_type=HAL_JSON.decode())

    return Starlette(routes=[Route("/exchange-sessions/{id}", endpoint, methods=["GET"])])


def main() -> None:
    """Serve the chosen floor app."""
    kind, port, body_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    body = Path(body_file).read_bytes()
    app = raw_app(body) if kind == "raw" else starlette_app(body)
    # The same uvicorn settings as ``bankbridge serve`` (cli.py), so only the app differs.
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        log_level="info",
        access_log=False,
        proxy_headers=False,
    )


if __name__ == "__main__":
    main()
