"""One resource each: an exchange session, an exchange, a funding source (with its balance).

Each page shows the resource's JSON as the API returned it, its links as console links, and
the API calls made to show it.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bankbridge.console.client import segment
from bankbridge.console.pages.browse import show_resource
from bankbridge.console.pages.reauth import exchange_page
from bankbridge.console.session import Console, console_page

__all__ = ["ROUTES"]


@console_page
async def exchange_session(request: Request, console: Console) -> Response:
    """``GET /exchange-sessions/{id}``: the session in its partner's shape."""
    session_id = segment(request.path_params["id"])
    return await show_resource(
        console, f"/exchange-sessions/{session_id}", title="Exchange session"
    )


@console_page
async def exchange(request: Request, console: Console) -> Response:
    """``GET /exchanges/{id}``, with its Re-authentication section (``reauth.py``)."""
    return await exchange_page(console, request.path_params["id"])


@console_page
async def funding_source(request: Request, console: Console) -> Response:
    """``GET /funding-sources/{id}``, and its balance when the API offers one (bank accounts)."""
    source_id = segment(request.path_params["id"])
    call = await console.api.get(f"/funding-sources/{source_id}")
    if not call.ok:
        return console.api_failed(call)
    body = call.body if isinstance(call.body, dict) else {}
    balance = None
    if body.get("type") == "bank" and not body.get("removed"):
        balance = await console.api.get(f"/funding-sources/{source_id}/balance")
    return await show_resource(
        console,
        f"/funding-sources/{source_id}",
        title=f"Funding source {body.get('name', '')}".strip(),
        template="funding_source.html",
        extra={"balance": balance},
        known=call,
    )


ROUTES = [
    Route("/exchange-sessions/{id}", exchange_session, methods=["GET"]),
    Route("/exchanges/{id}", exchange, methods=["GET"]),
    Route("/funding-sources/{id}", funding_source, methods=["GET"]),
]
