"""The Checkout.com emulator: payment sessions, payments, OAuth, Flow as a page and a drop-in.

Each account plays its own Checkout.com merchant: its derived keys (``sk_sbox_…`` secret key,
``pk_sbox_…`` public key, ``ack_…`` OAuth client id) open only its own records. Emulated,
under ``/sandbox/checkout`` (Checkout's API base path is ``/``):

- ``POST /payment-sessions``: secret key only; validates ``amount``, ``currency``,
  ``billing.address.country``, ``success_url``, ``failure_url`` and the types of the optional
  fields the broker may send; 201 with ``id`` (``ps_``), ``payment_session_secret``
  (``pss_<uuid>``), ``payment_session_token`` (base64 JSON) and ``_links.self``. Sessions live
  one hour unless ``expires_on`` says otherwise.
- ``GET /payment-sessions/{id}``: the stored session (shape unconfirmed; the SDK has no reader).
- ``GET /payments/{id}``: a payment made through Flow, with its card ``source``; secret key or
  OAuth access token. Payments live 30 days, as in Sandbox.
- ``POST /connect/token``: OAuth client credentials (form body or Basic auth); an hour.
- ``GET/POST /flow/{payment_session_id}`` (``pages.py``): Flow as a plain HTML card form.
- ``GET /web-components/index.js`` (``components.py``): ``window.CheckoutWebComponents``,
  Checkout's Flow web component API (``create("flow" | "card")``, ``mount``, ``unmount``,
  ``submit``, ``tokenize``, ``isValid``, ``isAvailable``, ``isPayButtonRequired``, ``update``;
  ``onReady``, ``onChange``, ``onSubmit``, ``onCardBinChanged``, ``onTokenized``,
  ``onPaymentCompleted``, ``onError`` with CheckoutError), which mounts the Flow frame
  ``/web-components/flow/{id}`` and talks to it by ``postMessage``. The public key must be the
  session owner's; ``acceptedCardTypes``/``acceptedCardSchemes`` and ``onCardBinChanged``
  refusals work as documented.
- Payments: US debit and prepaid test cards verify the card (``Card Verified`` at amount 0);
  credit and non-US cards are declined with ``20057`` (push to card cannot take them, so they
  never look accepted); the documented decline cards decline with their codes.
- Errors as Checkout sends them: 401 and 404 with an empty body, 413/422 with ``request_id``/
  ``error_type``/``error_codes``; ``Cko-Request-Id`` on every response.

Not emulated: 3DS, APMs and wallets (Flow offers cards only), stored cards and Remember Me,
appearance and translations, captures, refunds, voids, webhooks, ``Cko-Idempotency-Key``,
``POST /payments`` (card tokens pay only through Flow), ``/payment-sessions/{id}/submit`` and
``handleSubmit``, ``/payment-sessions/complete``, key scopes, processing channels, rate limits.
Checkout's full ``error_codes`` vocabulary is not public; the codes here follow its
``<field>_<problem>`` form. OAuth access tokens are opaque strings, not JWTs.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from bankbridge.partners.base import EmulatorContext
from bankbridge.partners.checkout.emulator.api import api_routes
from bankbridge.partners.checkout.emulator.components import component_routes
from bankbridge.partners.checkout.emulator.pages import page_routes
from bankbridge.partners.checkout.emulator.request_ids import RequestIds

__all__ = ["build_emulator"]


def build_emulator(context: EmulatorContext) -> ASGIApp:
    """The Starlette app mounted at ``/sandbox/checkout``."""

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        return Response(status_code=status)

    routes = [*api_routes(context), *page_routes(context), *component_routes(context)]
    return Starlette(
        routes=routes,
        middleware=[Middleware(RequestIds)],
        exception_handlers={HTTPException: http_error},
    )
