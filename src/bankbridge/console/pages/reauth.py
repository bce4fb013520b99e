"""Re-authenticate an exchange: a new login at the partner, walked in the page.

1. ``POST /exchanges/{id}/exchange-sessions``: the re-authentication session (Plaid: a link
   token in update mode for the exchange's Item; MX: Connect for the exchange's member);
2. the partner's flow in the page, exactly as Walk a flow's step 2 runs it (``flow.py``,
   ``static/flow.js``); its end sends the browser to step 3;
3. ``GET /exchanges/{id}``: the exchange as the API shows it now (no new exchange: the
   partner shares the same account's data again, and the ``re-authenticate`` link is gone).

Card exchanges (Checkout.com) have no login: the exchange page says so instead of offering
the button, and the API refuses their re-authentication sessions (403).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bankbridge import partners
from bankbridge.console.client import ApiCall, segment
from bankbridge.console.pages.browse import href_id, show_resource
from bankbridge.console.pages.flow import partner_of, partner_step, refused_status, render_flow
from bankbridge.console.rendering import register_global
from bankbridge.console.session import Console, console_page

__all__ = ["ROUTES", "exchange_page"]

# Exchange-partner ids whose exchanges are bank logins that can lapse and be renewed (the
# others are cards), by id, for ``_reauth.html``.
register_global("reauth_partners", {p.id: p.name for p in partners.PARTNERS if p.reauth})


async def exchange_page(
    console: Console,
    exchange_id: str,
    *,
    error: str = "",
    status: int = 200,
    known: ApiCall | None = None,
) -> Response:
    """The exchange's page (its Re-authentication section), with ``error`` when refused;
    ``known`` is the API's answer for the exchange when the caller has it already."""
    return await show_resource(
        console,
        f"/exchanges/{segment(exchange_id)}",
        title="Exchange",
        template="exchange.html",
        extra={"error": error},
        known=known,
        status=status,
    )


ExchangePage = Callable[[Request, Console, ApiCall], Awaitable[Response]]


def exchange_step(handler: ExchangePage) -> Callable[[Request], Awaitable[Response]]:
    """A console page about the exchange in the path: ``handler`` also gets the API's
    ``GET /exchanges/{id}``; an exchange the session cannot read is the API's refusal page."""

    @functools.wraps(handler)
    async def page(request: Request, console: Console) -> Response:
        exchange = await console.api.get(f"/exchanges/{segment(request.path_params['id'])}")
        if not exchange.ok:
            return console.api_failed(exchange)
        return await handler(request, console, exchange)

    return console_page(page)


@exchange_step
async def start(request: Request, console: Console, exchange: ApiCall) -> Response:
    """Step 1: the re-authentication session, then step 2 (the partner's flow)."""
    exchange_id = request.path_params["id"]
    session = await console.api.post(f"/exchanges/{segment(exchange_id)}/exchange-sessions", {})
    if not session.ok or not session.location:
        return await exchange_page(
            console,
            exchange_id,
            error=session.error_message,
            status=refused_status(session),
            known=exchange,
        )
    session_id = session.created_id
    return await partner_step(
        console, href_id(exchange.body, "customer"), session_id, reauth=exchange_id
    )


@exchange_step
async def show_session(request: Request, console: Console, exchange: ApiCall) -> Response:
    """Step 2 again (a reload)."""
    return await partner_step(
        console,
        href_id(exchange.body, "customer"),
        request.path_params["session"],
        reauth=request.path_params["id"],
    )


@exchange_step
async def done(request: Request, console: Console, exchange: ApiCall) -> Response:
    """Step 3: the exchange as the API shows it after the partner's flow."""
    partner = partner_of(console, exchange.body)
    if partner is None:
        return console.not_found()
    exchange_id = request.path_params["id"]
    return render_flow(
        console,
        {
            "step": 3,
            "reauth": exchange_id,
            "exchange": exchange_id,
            "customer": href_id(exchange.body, "customer"),
            "session": request.query_params.get("session", ""),
            "partner": partner,
            "resource": exchange.body,
            "error": "",
        },
    )


ROUTES = [
    Route("/exchanges/{id}/re-authenticate", start, methods=["POST"]),
    Route("/exchanges/{id}/re-authenticate/{session}", show_session, methods=["GET"]),
    Route("/exchanges/{id}/re-authenticated", done, methods=["GET"]),
]
