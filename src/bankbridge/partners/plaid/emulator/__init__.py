"""The Plaid emulator: Plaid's API, Plaid Link's hosted flow, and Link's drop-in script.

Mounted at ``/sandbox/plaid``:

- ``api.py``: Plaid's API (version 2020-09-14): Link tokens (with ``link_sessions`` on
  ``/link/token/get``), public token exchange, Auth, accounts, Items, processor tokens and
  the Sandbox endpoints; each account's own credentials and state.
- ``pages.py`` + ``link_flow.py``: Link as server-rendered views: institution search and
  pick, credentials, MFA (device + code, questions, selections), account selection (the
  Item shares only the account picked), errors shown in Link, an exit control; update mode
  for a link token made with an ``access_token``. Opened directly in a tab it is a plain
  form that ends by showing the public token.
- ``GET /link/v2/stable/link-initialize.js``: the drop-in (``window.Plaid.create`` with
  ``open``/``exit``/``submit``/``destroy`` and ``onSuccess``/``onExit``/``onEvent``/
  ``onLoad``), with BankBridge's public URL written in, talking to the Link page in an
  iframe by ``postMessage`` only. An app keeps Plaid's own ``<script>`` (or
  ``react-plaid-link``) and routes ``https://cdn.plaid.com/`` to ``/sandbox/plaid/``.
- ``sandbox.py``: the Sandbox institutions, credentials, accounts and errors;
  ``state.py``: record kinds, Items and tokens.

Not emulated: OAuth institutions (``receivedRedirectUri`` is accepted and ignored), Plaid's
consent and "returning user" panes, micro-deposits and Database Auth, Embedded and Hosted
Link, Layer (``submit`` is accepted and ignored), webhooks, products other than Auth's data
(transactions, identity, ...), rate limits, and the ``EVENTS``/``SESSION_FINISHED`` webhooks.
Every Item offers the same two accounts ("Plaid Checking", "Plaid Saving"). The 404/405
bodies for unknown paths and methods are Plaid-shaped but unconfirmed.
"""

from __future__ import annotations

from importlib import resources

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

from bankbridge.partners.base import EmulatorContext
from bankbridge.partners.kit.pages import script_response
from bankbridge.partners.plaid.emulator.api import api_routes, error_response
from bankbridge.partners.plaid.emulator.pages import link_routes
from bankbridge.partners.plaid.emulator.state import PlaidError

__all__ = ["build_emulator"]

# Plaid's CDN path for the drop-in: https://cdn.plaid.com/link/v2/stable/link-initialize.js
DROP_IN_PATH = "/link/v2/stable/link-initialize.js"
FRAME_SCRIPT_PATH = "/link/frame.js"


def build_emulator(context: EmulatorContext) -> ASGIApp:
    """The Starlette app mounted at ``/sandbox/plaid``."""
    drop_in = _script("link-initialize.js")
    frame = _script("link-frame.js")

    async def drop_in_script(request: Request) -> Response:
        return script_response(drop_in, context.base_url)

    async def frame_script(request: Request) -> Response:
        return script_response(frame, context.base_url)

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(status, "INTERNAL_SERVER_ERROR")
        error_type = "API_ERROR" if status >= 500 else "INVALID_REQUEST"
        error = PlaidError(error_type, code, f"{request.method} {request.url.path}", None, status)
        return error_response(error)

    routes = [
        *api_routes(context),
        *link_routes(context),
        Route(DROP_IN_PATH, drop_in_script, methods=["GET"]),
        Route(FRAME_SCRIPT_PATH, frame_script, methods=["GET"]),
    ]
    return Starlette(routes=routes, exception_handlers={HTTPException: http_error})


def _script(name: str) -> str:
    return (resources.files(__package__) / "scripts" / name).read_text(encoding="utf-8")
